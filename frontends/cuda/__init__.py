"""CUDA C frontend: parses a .cu file with libclang and translates every `__global__` function
(and the `__device__` functions and module variables it uses) to the kernel IR.

    module_ir, diagnostics = parse(source, filename="k.cu", defines={"N": 256})

clang runs in CUDA device-only mode with a shipped prelude (qualifiers, `threadIdx`..., builtin
prototypes) and stub system headers, so no CUDA installation is needed. Host code is skipped with
a PORT0005 note; clang's errors inside host functions are dropped for the same reason.
"""

from __future__ import annotations

from portable import ir
from portable.errors import Diagnostic, Loc, PortError, error

from . import clang
from .module import translate

__all__ = ["parse"]


def _host_extents(tu, filename: str) -> list[tuple[str, int, int]]:
    out = []
    for d in tu.cursor.walk_preorder():
        if d.kind.name in ("FUNCTION_DECL", "CXX_METHOD", "FUNCTION_TEMPLATE") and \
                d.is_definition():
            a = {k.kind.name for k in d.get_children()}
            if not a & {"CUDADEVICE_ATTR", "CUDAGLOBAL_ATTR"}:
                f = d.extent.start.file
                out.append((f.name if f else filename, d.extent.start.offset,
                            d.extent.end.offset))
    return out


def parse(source: str, filename: str = "<string>", defines: dict | None = None,
          include_dirs: list | None = None) -> tuple[ir.ModuleIR, list[Diagnostic]]:
    """Parse CUDA C `source` into a ModuleIR and the notes/warnings found on the way.

    Raises PortError for clang's errors (PORT0001, at clang's file:line:col) and for anything
    the IR cannot express (PORT1xxx with what to write instead).
    """
    if not isinstance(source, str):
        raise error("PORT0001", f"source must be a str, got {type(source).__name__}")
    name = filename
    tu = clang.parse_tu(source, name, defines, include_dirs)
    errors = [d for d in tu.diagnostics if d.severity >= clang.cindex().Diagnostic.Error]
    if errors:
        hosts = _host_extents(tu, name)
        real = []
        for d in errors:
            f = d.location.file.name if d.location.file else name
            off = d.location.offset
            if d.severity < clang.cindex().Diagnostic.Fatal and any(
                    f == hf and lo <= off <= hi for hf, lo, hi in hosts):
                continue  # host code is skipped, so its errors do not matter
            real.append(Diagnostic("PORT0001", d.spelling, Loc(_name(f, filename),
                                   d.location.line, d.location.column),
                                   "fix the C++ error reported by clang"))
        if real:
            raise PortError(real)
    return translate(tu, name)


def _name(f: str, filename: str) -> str:
    return f or filename
