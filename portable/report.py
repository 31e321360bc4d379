"""The analysis behind `portable report FILE.cu`: per kernel, whether it reaches verified IR
(after the pass pipeline), the CUDA constructs it uses, and every diagnostic.

    r = analyse_file("k.cu", include_dirs=["inc"])
    for k in r.kernels:
        print(k.name, k.status, sorted(k.constructs), [d.code for d in k.diagnostics])
    json.dumps(r.as_dict())       # the stable JSON schema (SCHEMA_VERSION)

Kernels are translated one by one (`frontends.cuda.parse_kernels`): a kernel that fails does not
stop the others. Other tools add findings through `extra_diagnostics`: callables
`(kernel ir.Function) -> list[Diagnostic]` run on every kernel that reached IR (the warp-width
lint of `portable.lint` is one, when present).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from portable import ir
from portable.errors import Diagnostic, Loc, PortError, error

SCHEMA_VERSION = 1
ExtraDiagnostics = Callable[[ir.Function], list[Diagnostic]]

# construct categories, in display order; `details` lists the names seen (atomicAdd, ...)
CONSTRUCTS = (
    "shared_memory", "dynamic_shared_memory", "atomics", "warp_operations", "barriers",
    "fences", "printf", "templates", "structs", "vector_types", "device_globals",
    "constant_memory", "math_functions", "cooperative_groups", "textures",
    "dynamic_parallelism", "grid_sync", "inline_ptx", "half_precision",
)
# constructs that portable cannot port by design; coverage counts their kernels apart
UNPORTABLE = ("textures", "dynamic_parallelism", "grid_sync")


@dataclass
class KernelReport:
    """One kernel: `status` is "translated" (verified IR after the passes) or "failed"."""

    name: str
    loc: Loc
    status: str
    constructs: dict[str, list[str]] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    function: ir.Function | None = None  # the IR after the pass pipeline, when translated

    @property
    def ok(self) -> bool:
        return self.status == "translated"

    def unportable(self) -> list[str]:
        """The by-design unportable constructs it uses (textures, dynamic parallelism, grid
        sync), from its source or its diagnostics' codes."""
        found = {c for c in UNPORTABLE if c in self.constructs}
        codes = {d.code for d in self.diagnostics}
        for code, what in (("PORT1008", "textures"), ("PORT1009", "dynamic_parallelism"),
                           ("PORT1010", "grid_sync")):
            if code in codes:
                found.add(what)
        return sorted(found)

    def as_dict(self) -> dict:
        return {
            "name": self.name, "file": self.loc.file, "line": self.loc.line,
            "col": self.loc.col, "status": self.status,
            "constructs": {k: list(v) for k, v in self.constructs.items()},
            "diagnostics": [d.as_dict() for d in self.diagnostics],
        }


@dataclass
class Report:
    """A file's report: its kernels and the file-level diagnostics (host code skipped...)."""

    file: str
    kernels: list[KernelReport]
    diagnostics: list[Diagnostic] = field(default_factory=list)
    # (name, file, line, is_template) of every __global__ definition in the unit's own files
    definitions: list[tuple[str, str, int, bool]] = field(default_factory=list)

    def as_dict(self) -> dict:
        n = len(self.kernels)
        ok = sum(k.ok for k in self.kernels)
        return {
            "schema": SCHEMA_VERSION, "file": self.file,
            "summary": {"kernels": n, "translated": ok, "failed": n - ok},
            "kernels": [k.as_dict() for k in self.kernels],
            "diagnostics": [d.as_dict() for d in self.diagnostics],
        }


def default_extra_diagnostics() -> list[ExtraDiagnostics]:
    """The hooks that ship with portable: the warp-width lint, when `portable.lint` exists."""
    try:
        from portable import lint as _lint
    except ImportError:
        return []
    fn = getattr(_lint, "lint", None)
    return [fn] if callable(fn) else []


def analyse(source: str, filename: str = "<string>", defines: dict | None = None,
            include_dirs: list | None = None, instances: Iterable[str] = (),
            extra_diagnostics: Iterable[ExtraDiagnostics] | None = None) -> Report:
    """Report on CUDA C `source`, kernel by kernel. `extra_diagnostics` defaults to
    `default_extra_diagnostics()`; pass [] for none."""
    from portable.frontends.cuda import parse_kernels

    hooks = default_extra_diagnostics() if extra_diagnostics is None else list(extra_diagnostics)
    fr = parse_kernels(source, filename, defines, include_dirs, tuple(instances))
    out = []
    for k in fr.kernels:
        constructs = source_constructs(k.cursor, fr) if k.cursor is not None else {}
        if not k.ok:
            out.append(KernelReport(k.name, k.loc, "failed", constructs, list(k.errors)))
            continue
        try:
            fn = run_pipeline(fr, k.function)
        except PortError as e:
            out.append(KernelReport(k.name, k.loc, "failed", constructs, list(e.diagnostics)))
            continue
        extra: list[Diagnostic] = []
        for hook in hooks:
            try:
                extra += list(hook(fn) or [])
            except PortError as e:
                extra += e.diagnostics
        status = "failed" if any(d.severity == "error" for d in extra) else "translated"
        out.append(KernelReport(k.name, k.loc, status, constructs, extra, fn))
    out.sort(key=lambda k: (k.loc.file != filename, k.loc.file, k.loc.line, k.loc.col, k.name))
    return Report(filename, out, list(fr.diagnostics), global_definitions(fr.tu))


def global_definitions(tu) -> list[tuple[str, str, int, bool]]:
    """(name, file, line, is_template) of each `__global__` definition outside the prelude."""
    if tu is None:
        return []
    prelude = _prelude_dir()
    out = []
    for d in tu.cursor.walk_preorder():
        if d.kind.name in ("FUNCTION_DECL", "FUNCTION_TEMPLATE") and d.is_definition() and \
                d.location.file is not None and not _in(d, prelude) and \
                any(k.kind.name == "CUDAGLOBAL_ATTR" for k in d.get_children()):
            out.append((d.spelling, d.location.file.name, d.location.line,
                        d.kind.name == "FUNCTION_TEMPLATE"))
    return out


def analyse_file(path: str | Path, defines: dict | None = None,
                 include_dirs: list | None = None, instances: Iterable[str] = (),
                 extra_diagnostics: Iterable[ExtraDiagnostics] | None = None) -> Report:
    """`analyse` on a file from disk."""
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError as e:
        raise error("PORT0001", f"cannot read {path}: {e.strerror}",
                    hint="check the path") from None
    return analyse(text, str(path), defines, include_dirs, instances, extra_diagnostics)


def run_pipeline(fr, fn: ir.Function) -> ir.Function:
    """The standard pass pipeline on one kernel with the helpers it calls; its IR after."""
    from portable.passes import pipeline

    helpers = {f.name: f for f in fr.helpers}
    need: set[str] = set()
    todo = [fn]
    while todo:
        f = todo.pop()
        for n in ir.walk(f):
            if isinstance(n, ir.Call) and n.fn in helpers and n.fn not in need:
                need.add(n.fn)
                todo.append(helpers[n.fn])
    used = tuple(f for f in fr.helpers if f.name in need)
    m = pipeline(ir.ModuleIR(used + (fn,), fr.globals, fr.filename))
    return m.function(fn.name)


# ------------------------------------------------------------------ constructs, from the source

_WARP = ("__shfl", "__ballot", "__any", "__all", "__activemask", "__syncwarp", "__match",
         "__reduce_", "__lane")
_BARRIER = ("__syncthreads",)
_FENCE = ("__threadfence",)
_TEX = ("tex1D", "tex2D", "tex3D", "texCubemap", "tex1Dfetch", "tex1DLayered", "tex2DLayered",
        "tex2Dgather", "surf", "tex1Dgrad", "tex2Dgrad", "tex2DLod", "tex1DLod", "tex3DLod")
_GROUP_WARP = {"shfl", "shfl_up", "shfl_down", "shfl_xor", "ballot", "any", "all",
               "match_any", "match_all"}


def source_constructs(cursor, fr) -> dict[str, list[str]]:
    """The constructs a kernel and the functions it calls use, read from clang's AST."""
    from portable import builtins
    from portable.frontends.cuda.blame import function_spans, reach
    from portable.frontends.cuda.context import key

    found: dict[str, set[str]] = {}

    def add(cat: str, name: str = "") -> None:
        s = found.setdefault(cat, set())
        if name:
            s.add(name)

    spans = function_spans(fr.tu, fr.filename)
    keys = set(reach(cursor, spans))
    cursors = [cursor]
    for d in fr.tu.cursor.walk_preorder():
        if d.kind.name in ("FUNCTION_DECL", "CXX_METHOD", "CONSTRUCTOR") and d.is_definition() \
                and key(d) in keys and key(d) != key(cursor):
            cursors.append(d)
    if cursor.get_num_template_arguments() > 0:
        add("templates", cursor.spelling)
    prelude = _prelude_dir()
    for c in cursors:
        if c is not cursor and c.get_num_template_arguments() > 0:
            add("templates", c.spelling)
        for n in c.walk_preorder():
            kind = n.kind.name
            if kind == "VAR_DECL":
                a = {k.kind.name for k in n.get_children()}
                if "CUDASHARED_ATTR" in a:
                    extern = n.storage_class.name == "EXTERN" or \
                        n.type.get_canonical().kind.name == "INCOMPLETEARRAY"
                    add("dynamic_shared_memory" if extern else "shared_memory", n.spelling)
                _types(n.type, add, prelude)
            elif kind == "PARM_DECL":
                _types(n.type, add, prelude)
            elif kind == "ASM_STMT":
                add("inline_ptx")
            elif kind in ("DECL_REF_EXPR", "CALL_EXPR", "MEMBER_REF_EXPR"):
                r = n.referenced
                if r is None:
                    continue
                if r.kind.name == "VAR_DECL" and kind == "DECL_REF_EXPR":
                    a = {k.kind.name for k in r.get_children()}
                    if "CUDACONSTANT_ATTR" in a:
                        add("constant_memory", r.spelling)
                    elif "CUDADEVICE_ATTR" in a and not _in(r, prelude):
                        add("device_globals", r.spelling)
                    if "texture" in r.type.spelling:
                        add("textures", r.spelling)
                if kind == "CALL_EXPR":
                    _call(n, r, add, prelude, builtins)
    return {k: sorted(found[k]) for k in CONSTRUCTS if k in found}


def _prelude_dir() -> str:
    import os

    from portable.frontends.cuda import clang

    return os.path.realpath(str(clang.INCLUDE))


def _in(d, prelude: str) -> bool:
    import os

    f = d.location.file
    return f is not None and os.path.realpath(f.name).startswith(prelude)


def _types(t, add, prelude: str) -> None:
    t = t.get_canonical()
    while t.kind.name in ("POINTER", "LVALUEREFERENCE", "RVALUEREFERENCE", "CONSTANTARRAY",
                          "INCOMPLETEARRAY"):
        t = t.get_pointee() if t.kind.name in ("POINTER", "LVALUEREFERENCE",
                                               "RVALUEREFERENCE") else t.element_type
        t = t.get_canonical()
    name = t.spelling.replace("const ", "").replace("volatile ", "")
    if t.kind.name == "RECORD":
        d = t.get_declaration()
        if _in(d, prelude):
            if "half" in name or "bfloat" in name:
                add("half_precision", name)
            elif "group" in name or "thread_block" in name:
                add("cooperative_groups", name.split("::")[-1])
            elif "texture" in name:
                add("textures", name)
            else:
                add("vector_types", name)
        else:
            add("structs", name)
    elif "cudaTextureObject" in name or "cudaSurfaceObject" in name:
        add("textures", name)


def _call(n, r, add, prelude: str, builtins) -> None:
    name = r.spelling
    in_prelude = _in(r, prelude)
    if name.startswith(_TEX):
        add("textures", name)
        return
    if r.kind.name == "FUNCTION_DECL" and {k.kind.name for k in r.get_children()} & \
            {"CUDAGLOBAL_ATTR"}:
        add("dynamic_parallelism", name)
        return
    if not in_prelude:
        return
    q = _qualified(r)
    if "cooperative_groups" in q:
        add("cooperative_groups", name)
        owner = r.semantic_parent.spelling if r.semantic_parent is not None else ""
        args = " ".join(a.type.spelling for a in n.get_arguments())
        if name == "sync" and ("grid" in owner or "grid_group" in args):
            add("grid_sync", "grid_group::sync")
        elif name == "sync":
            add("barriers", f"{owner}::sync")
        elif name in _GROUP_WARP:
            add("warp_operations", f"{owner}::{name}")
        return
    if name == "printf":
        add("printf", name)
    elif name.startswith(_BARRIER):
        add("barriers", name)
    elif name.startswith(_FENCE):
        add("fences", name)
    elif name.startswith(_WARP):
        add("warp_operations", name)
    elif name.startswith("atomic"):
        add("atomics", name)
    elif name.startswith("cudaDeviceSynchronize") or name.startswith("cudaLaunch"):
        add("dynamic_parallelism", name)
    elif "half" in name and name.startswith("__"):
        add("half_precision", name)
    else:
        b = builtins.lookup(name)
        if b is not None and b.kind in ("math", "int", "convert"):
            add("math_functions", name)


def _qualified(r) -> str:
    parts = []
    p = r.semantic_parent
    while p is not None and p.kind.name != "TRANSLATION_UNIT":
        parts.append(p.spelling)
        p = p.semantic_parent
    return "::".join(reversed(parts))


# ------------------------------------------------------------------ text layout


def format_text(r: Report, color: bool = False) -> str:
    """The report as plain text: one block per kernel, then the file-level notes."""
    d = r.as_dict()
    s = d["summary"]
    lines = [f"{r.file}: {s['kernels']} kernel(s), {s['translated']} translated, "
             f"{s['failed']} failed"]
    for k in r.kernels:
        mark = "ok  " if k.ok else "FAIL"
        lines.append(f"  [{mark}] {k.name}  ({k.loc.file}:{k.loc.line}:{k.loc.col})")
        for cat, names in k.constructs.items():
            detail = f": {', '.join(names)}" if names else ""
            lines.append(f"         uses {cat.replace('_', ' ')}{detail}")
        for diag in k.diagnostics:
            lines += _diag_lines(diag, "         ")
    if r.diagnostics:
        lines.append("  file:")
        for diag in r.diagnostics:
            lines += _diag_lines(diag, "    ")
    return "\n".join(lines)


def _diag_lines(d: Diagnostic, indent: str) -> list[str]:
    where = f"{d.loc.file}:{d.loc.line}:{d.loc.col}: " if d.loc.line else ""
    msg = d.message.splitlines()[0] if d.message else ""
    out = [f"{indent}{d.code} {d.severity}: {where}{msg}"]
    if d.hint:
        out.append(f"{indent}    hint: {d.hint}")
    return out


def codes_markdown() -> str:
    """docs/diagnostics.md: every diagnostic code with its severity and title."""
    from portable.errors import CODES

    ranges = {"0": "Parsing and the frontends", "1": "Unsupported constructs",
              "2": "Types and IR", "3": "Analyses", "4": "Launch and arguments",
              "5": "Runtime", "6": "Backends", "7": "Portability lint", "8": "Sanitizer",
              "9": "Other"}
    lines = ["# Diagnostic codes", "",
             "Every diagnostic `portable` gives carries one of these stable codes, a severity,",
             "`file:line:col`, a message and a hint. Errors raise `portable.PortError`; warnings",
             "and notes appear in `portable report` and `portable port`.", "",
             "This file is generated from `portable.errors.CODES` by `portable report --codes`",
             "(`tests/test_report.py` checks that it is up to date)."]
    cur = None
    for code, (sev, title) in sorted(CODES.items()):
        r = code[4]
        if r != cur:
            cur = r
            lines += ["", f"## {code[:5]}xxx: {ranges.get(r, 'Other')}", "",
                      "| code | severity | meaning |", "| --- | --- | --- |"]
        lines.append(f"| `{code}` | {sev} | {title.replace('|', '/')} |")
    return "\n".join(lines) + "\n"
