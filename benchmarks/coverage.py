"""CUDA C coverage of a directory of .cu files: the share of `__global__` kernels that reach
verified IR (after the pass pipeline), and the failures grouped by diagnostic code.

    python benchmarks/coverage.py DIR [-I INC]... [-D NAME=V]... [--json] [--markdown NAME]

Every `.cu` file under DIR that no other `.cu` file includes is one translation unit (its own
directory and the -I directories are on the include path). A kernel is one `__global__`
definition, identified by its file, line and name, so a kernel in a header (or in a `.cu`
included by another) counts once; it reaches IR when some translation unit translates it (for
a kernel template, one specialisation that some unit instantiates is enough). Kernels that use
textures, dynamic parallelism or grid synchronisation (from their source or their diagnostic
codes) are counted apart: `portable` rejects them by design. Kernel templates that no unit
instantiates are listed apart too (nothing fixes their types).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from a checkout
    sys.path.insert(0, str(ROOT))


@dataclass
class KernelOutcome:
    """One kernel definition over every unit that contains it."""

    name: str
    file: str
    line: int
    ok: bool = False
    seen_ok: bool = False  # some unit translated some specialisation
    failures: list[dict] = field(default_factory=list)  # diagnostics of the failing units
    unportable: set[str] = field(default_factory=set)
    instantiated: bool = True

    def message(self) -> str:
        """The first line of the explaining diagnostic, with its location."""
        c = self.code()
        d = next((d for d in self.failures if d["code"] == c), None)
        if d is None:
            return ""
        return f"{d['file']}:{d['line']}:{d['col']}: {d['message'].splitlines()[0]}"

    def code(self) -> str:
        """The code that explains the failure: the first error's."""
        for d in self.failures:
            if d["severity"] == "error":
                return d["code"]
        return self.failures[0]["code"] if self.failures else "?"


def _base(name: str) -> str:
    return name.split("<", 1)[0]


_INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"', re.M)


def units(root: Path) -> list[Path]:
    """The translation units under `root`: every .cu file that no other .cu file includes
    (a kernel file `#include`d by its main file is measured inside that unit)."""
    cu = sorted(p for p in root.rglob("*.cu") if p.is_file())
    included: set[Path] = set()
    for p in cu:
        for name in _INCLUDE.findall(p.read_text(encoding="utf-8", errors="replace")):
            if name.endswith(".cu"):
                q = (p.parent / name).resolve()
                if q != p.resolve():
                    included.add(q)
    return [p for p in cu if p.resolve() not in included]


def measure(root: str | Path, include_dirs: list[str] = (), defines: dict | None = None,
            progress: bool = False) -> dict:
    """The coverage of every .cu file under `root`, as a JSON-able dict."""
    from portable.errors import PortError
    from portable.report import analyse_file

    root = Path(root)
    cu = units(root)
    kernels: dict[tuple, KernelOutcome] = {}
    file_errors: list[dict] = []
    t0 = time.perf_counter()
    for i, path in enumerate(cu):
        if progress:
            print(f"[{i + 1}/{len(cu)}] {path.relative_to(root)}", file=sys.stderr, flush=True)
        try:
            r = analyse_file(path, defines, list(include_dirs), extra_diagnostics=[])
        except PortError as e:
            file_errors.append({"file": str(path), "diagnostics": [d.as_dict()
                                                                   for d in e.diagnostics]})
            continue
        except Exception as e:  # a crash is a finding to report, not a reason to stop
            file_errors.append({"file": str(path), "crash": f"{type(e).__name__}: {e}"})
            continue
        for k in r.kernels:
            key = (os.path.realpath(k.loc.file), k.loc.line, _base(k.name))
            o = kernels.setdefault(key, KernelOutcome(_base(k.name), key[0], k.loc.line))
            o.unportable |= set(k.unportable())
            if k.ok:
                o.seen_ok = True
            else:
                o.failures += [d.as_dict() for d in k.diagnostics]
        for name, f, line, tmpl in r.definitions:
            key = (os.path.realpath(f), line, name)
            if key not in kernels:
                o = KernelOutcome(name, key[0], line, instantiated=not tmpl)
                if not tmpl:  # clang saw it but the frontend did not report it
                    o.failures.append({"code": "?", "severity": "error", "message":
                                       "kernel not reported by the frontend", "file": f,
                                       "line": line, "col": 0, "hint": ""})
                kernels[key] = o
    for o in kernels.values():
        o.ok = o.seen_ok
    return summarise(root, kernels, file_errors, len(cu), time.perf_counter() - t0)


def summarise(root: Path, kernels: dict, file_errors: list, nfiles: int,
              seconds: float) -> dict:
    ks = sorted(kernels.values(), key=lambda o: (o.file, o.line))
    uninst = [o for o in ks if not o.instantiated and not o.seen_ok and not o.failures]
    counted = [o for o in ks if o not in uninst]
    unport = [o for o in counted if o.unportable]
    portable_ks = [o for o in counted if not o.unportable]
    ok = [o for o in portable_ks if o.ok]
    codes: Counter = Counter(o.code() for o in portable_ks if not o.ok)
    examples: dict[str, list[str]] = {}
    messages: dict[str, Counter] = {}
    for o in portable_ks:
        if o.ok:
            continue
        c = o.code()
        d = next((d for d in o.failures if d["code"] == c), None)
        msg = d["message"].splitlines()[0] if d else ""
        messages.setdefault(c, Counter())[_shape(msg)] += 1
        if len(examples.setdefault(c, [])) < 5:
            where = f"{_rel(d['file'], root)}:{d['line']}" if d else _rel(o.file, root)
            examples[c].append(f"{o.name} ({where}): {msg}")

    def rate(a: int, b: int) -> float:
        return round(100.0 * a / b, 1) if b else 0.0

    return {
        "root": str(root), "files": nfiles, "seconds": round(seconds, 1),
        "kernels": len(counted),
        "reached_ir": sum(o.ok for o in counted),
        "portable_kernels": len(portable_ks),
        "portable_reached_ir": len(ok),
        "portable_rate": rate(len(ok), len(portable_ks)),
        "overall_rate": rate(sum(o.ok for o in counted), len(counted)),
        "unportable": {k: sum(k in o.unportable for o in unport)
                       for k in ("textures", "dynamic_parallelism", "grid_sync")},
        "unportable_kernels": len(unport),
        "uninstantiated_templates": [f"{o.name} ({_rel(o.file, root)}:{o.line})"
                                     for o in uninst],
        "failures_by_code": dict(codes.most_common()),
        "top_messages": {c: dict(m.most_common(5)) for c, m in messages.items()},
        "examples": examples,
        "file_errors": file_errors,
        "failed_kernels": [{"name": o.name, "file": _rel(o.file, root), "line": o.line,
                            "code": o.code(), "message": o.message()}
                           for o in portable_ks if not o.ok],
    }


def _rel(f: str, root: Path) -> str:
    try:
        return str(Path(f).relative_to(root.resolve()))
    except ValueError:
        return f


def _shape(msg: str) -> str:
    """A message with its names blanked, so equal causes group: 'use of undeclared identifier
    'x'' -> "use of undeclared identifier '_'"."""
    return re.sub(r"'[^']*'", "'_'", msg)[:120]


def format_text(s: dict) -> str:
    lines = [f"{s['root']}: {s['files']} files, {s['kernels']} kernels, "
             f"{s['reached_ir']} reach IR ({s['overall_rate']}%)",
             f"  without textures/dynamic parallelism/grid sync: {s['portable_reached_ir']}/"
             f"{s['portable_kernels']} reach IR ({s['portable_rate']}%)",
             f"  counted apart: {s['unportable_kernels']} kernels "
             f"({', '.join(f'{k} {v}' for k, v in s['unportable'].items())}); "
             f"{len(s['uninstantiated_templates'])} kernel templates never instantiated"]
    if s["failures_by_code"]:
        lines.append("  failures by code:")
        for c, n in s["failures_by_code"].items():
            lines.append(f"    {c}: {n}")
            for m, k in s["top_messages"].get(c, {}).items():
                lines.append(f"        {k} x {m}")
    for e in s["file_errors"]:
        lines.append(f"  file not analysed: {e['file']}: "
                     f"{e.get('crash') or e['diagnostics'][0]['message']}")
    lines.append(f"  ({s['seconds']} s)")
    return "\n".join(lines)


def format_markdown(s: dict, name: str) -> str:
    """One suite's section for benchmarks/results/coverage.md."""
    lines = [f"| {name} | {s['files']} | {s['kernels']} | {s['reached_ir']} "
             f"({s['overall_rate']}%) | {s['portable_reached_ir']}/{s['portable_kernels']} "
             f"({s['portable_rate']}%) | {s['unportable_kernels']} | "
             f"{len(s['uninstantiated_templates'])} | "
             + ", ".join(f"{c} x{n}" for c, n in list(s["failures_by_code"].items())[:5])
             + " |"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("dir", help="directory searched for .cu files")
    p.add_argument("-I", dest="include_dirs", action="append", default=[],
                   help="include directory (repeatable)")
    p.add_argument("-D", dest="defines", action="append", default=[], help="macro NAME[=VALUE]")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.add_argument("--markdown", metavar="NAME", help="print one Markdown table row for NAME")
    p.add_argument("-v", "--verbose", action="store_true", help="show progress on stderr")
    a = p.parse_args(argv)
    if not Path(a.dir).is_dir():
        print(f"coverage: {a.dir} is not a directory", file=sys.stderr)
        return 2
    defines = dict((d.split("=", 1) + ["1"])[:2] for d in a.defines) or None
    s = measure(a.dir, a.include_dirs, defines, progress=a.verbose)
    if a.json:
        print(json.dumps(s, indent=2))
    elif a.markdown:
        print(format_markdown(s, a.markdown))
    else:
        print(format_text(s))
    return 0


if __name__ == "__main__":
    sys.exit(main())
