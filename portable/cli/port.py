"""`portable port FILE.cu --to cuda|hip|sycl|opencl|triton [-o DIR] [--json]`.

Writes the file's kernels translated to the target (one file; for hip and sycl also a small
host-side launch example) and prints a migration report per kernel: translated, emulated (with
the codes of what was emulated) or unsupported (with the error), plus the host code left alone.
"""

from __future__ import annotations

import json
from pathlib import Path

from portable import ir
from portable.errors import Diagnostic, PortError
from portable.types import Pointer, Scalar

TARGETS = ("cuda", "hip", "sycl", "opencl", "triton")
_HOST_EXT = {"hip": ".hip", "sycl": ".cpp"}


def register(sub) -> None:
    p = sub.add_parser("port", help="translate a .cu file's kernels to another target")
    p.add_argument("file", help="CUDA source (.cu)")
    p.add_argument("--to", required=True, choices=TARGETS, help="target language")
    p.add_argument("-o", "--output", default=".", help="output directory (default: .)")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("-D", dest="defines", action="append", default=[], help="macro NAME[=VALUE]")
    p.set_defaults(func=run)


def port(path: str, target: str, outdir: str | Path, defines: dict | None = None) -> dict:
    """Translate `path` to `target` under `outdir`; returns the migration report as a dict."""
    import portable

    if target not in TARGETS:
        raise PortError(Diagnostic("PORT4007", f"unknown target {target!r}",
                                   hint=f"use one of {', '.join(TARGETS)}"))
    mod = portable.parse_cuda_file(path, defines=defines)
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    stem = Path(path).stem
    kernels: list[dict] = []
    texts: list[str] = []
    ok_fns: list[ir.Function] = []
    host_fns: list[ir.Function] = []  # as legalised: module variables may be parameters
    for k in mod:
        entry: dict = {"kernel": k.name}
        try:
            if target == "triton":
                texts.append(k.source("triton"))
                entry.update(status="translated", notes=[])
            else:
                from portable.backends import cfamily, get_source_target

                tr = cfamily.translate(k.ir, get_source_target(target).DIALECT)
                entry.update(status=tr.status, notes=[d.as_dict() for d in tr.diagnostics])
                ok_fns.append(k.ir)
                host_fns.append(tr.legal.fn)
        except PortError as e:
            entry.update(status="unsupported", notes=[d.as_dict() for d in e.diagnostics])
        kernels.append(entry)
    files: list[str] = []
    if target != "triton" and ok_fns:
        from portable.backends import cfamily, get_source_target

        dialect = get_source_target(target).DIALECT
        text, _ = cfamily.module_source(ok_fns, dialect)
        kernel_file = out / f"{stem}{dialect.ext}"
        kernel_file.write_text(text)
        files.append(str(kernel_file))
        if target in _HOST_EXT:
            host = out / f"{stem}_host{_HOST_EXT[target]}"
            host.write_text(host_example(target, kernel_file.name, host_fns))
            files.append(str(host))
    elif target == "triton" and texts:
        kernel_file = out / f"{stem}_triton.py"
        kernel_file.write_text("\n\n".join(t.rstrip("\n") for t in texts) + "\n")
        files.append(str(kernel_file))
    host_notes = [d.as_dict() for d in mod.diagnostics if d.code == "PORT0005"]
    return {"file": str(path), "target": target, "kernels": kernels, "host_code": host_notes,
            "files": files}


def run(args) -> int:
    from portable.cli.ir import parse_defines

    report = port(args.file, args.to, args.output, parse_defines(args.defines) or None)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(format_report(report))
    return 1 if any(k["status"] == "unsupported" for k in report["kernels"]) else 0


def format_report(report: dict) -> str:
    """The migration report as text: one line per kernel, its notes indented below."""
    lines = [f"{report['file']} -> {report['target']}"]
    for k in report["kernels"]:
        codes = sorted({n["code"] for n in k["notes"]})
        lines.append(f"  {k['kernel']}: {k['status']}" + (f" ({', '.join(codes)})"
                                                          if codes else ""))
        for n in k["notes"]:
            where = f"{n['file']}:{n['line']}:{n['col']}: " if n["line"] else ""
            lines.append(f"      {where}{n['code']}: {n['message'].splitlines()[0]}")
    for n in report["host_code"]:
        lines.append(f"  host code left alone: {n['file']}:{n['line']}: {n['message']}")
    counts = {s: sum(k["status"] == s for k in report["kernels"])
              for s in ("translated", "emulated", "unsupported")}
    lines.append("  " + ", ".join(f"{v} {s}" for s, v in counts.items()))
    lines += [f"  wrote {f}" for f in report["files"]]
    return "\n".join(lines)


# ------------------------------------------------------------------ host-side examples


def _ctype(target: str, t) -> str:
    from portable.backends import get_source_target

    return get_source_target(target).DIALECT.type(t)


def _placeholder(t, target: str) -> str:
    if isinstance(t, Scalar):
        return "1.0f" if t.is_float and t.bits == 32 else "1.0" if t.is_float else \
            "true" if t.is_bool else f"({_ctype(target, t)})count"
    return "{}"


def host_example(target: str, kernel_file: str, fns: list[ir.Function]) -> str:
    """A small main() that allocates placeholder buffers and launches each kernel once."""
    i = "    "
    hip = target == "hip"
    lines = [f"// Host-side launch example generated by portable port ({target}).",
             "// Sizes and scalar values are placeholders: set them for your data.",
             "#include <hip/hip_runtime.h>" if hip else "#include <sycl/sycl.hpp>",
             "#include <vector>", f'#include "{kernel_file}"', "", "int main()", "{",
             f"{i}const size_t count = 1 << 20;  // elements per buffer",
             f"{i}const unsigned threads = 256;  // threads per block"]
    if not hip:
        lines.append(f"{i}sycl::queue q;")
    for fn in fns:
        lines += ["", f"{i}// {fn.name}"]
        args = []
        bufs = []
        for p in fn.params:
            name = f"{fn.name}_{p.name}"
            if isinstance(p.type, Pointer):
                ty = _ctype(target, p.type.elem)
                if hip:
                    lines += [f"{i}std::vector<{ty}> {name}_host(count);",
                              f"{i}{ty} *{name};",
                              f"{i}(void)hipMalloc(&{name}, count * sizeof({ty}));",
                              f"{i}(void)hipMemcpy({name}, {name}_host.data(), "
                              f"count * sizeof({ty}), "
                              "hipMemcpyHostToDevice);"]
                else:
                    lines.append(f"{i}{ty} *{name} = sycl::malloc_shared<{ty}>(count, q);")
                bufs.append((name, ty))
                args.append(name)
            else:
                args.append(_placeholder(p.type, target))
        blocks = "(unsigned)((count + threads - 1) / threads)"
        extra = ", 0" if fn.dynamic_shared else ""
        if hip:
            lines += [f"{i}hipLaunchKernelGGL({fn.name}, dim3({blocks}), dim3(threads), 0, 0"
                      f"{''.join(', ' + a for a in args)});", f"{i}(void)hipDeviceSynchronize();"]
            for name, ty in bufs:
                lines += [f"{i}(void)hipMemcpy({name}_host.data(), {name}, count * sizeof({ty}), "
                          "hipMemcpyDeviceToHost);", f"{i}(void)hipFree({name});"]
        else:
            lines += [f"{i}{fn.name}(q, sycl::range<3>(1, 1, {blocks}), "
                      f"sycl::range<3>(1, 1, threads){''.join(', ' + a for a in args)}{extra});",
                      f"{i}q.wait();"]
            lines += [f"{i}sycl::free({name}, q);" for name, _ in bufs]
    lines += [f"{i}return 0;", "}"]
    return "\n".join(lines) + "\n"
