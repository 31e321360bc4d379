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
          include_dirs: list | None = None, instances: list[str] | tuple = ()
          ) -> tuple[ir.ModuleIR, list[Diagnostic]]:
    """Parse CUDA C `source` into a ModuleIR and the notes/warnings found on the way.

    Every `__global__` function becomes a kernel; so does every specialisation of a kernel
    template that the file instantiates explicitly (`template __global__ void k<float>(...);`),
    launches from host code, or that `instances` names (C++ spellings such as "k<double, 128>").
    Raises PortError for clang's errors (PORT0001, at clang's file:line:col) and for anything
    the IR cannot express (PORT1xxx with what to write instead).
    """
    if not isinstance(source, str):
        raise error("PORT0001", f"source must be a str, got {type(source).__name__}")
    name = filename
    tu = clang.parse_tu(source, name, defines, include_dirs)
    extra = explicit_instances(tu, name) + [([], str(i)) for i in instances]
    if extra:
        tu = clang.parse_tu(source + synthetic(extra), name, defines, include_dirs)
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
            real.append(_clang_diagnostic(tu, d, Loc(_name(f, filename), d.location.line,
                                                     d.location.column)))
        if real:
            raise PortError(real)
    return translate(tu, name)


def explicit_instances(tu, filename: str) -> list[tuple[list[str], str]]:
    """(enclosing namespaces, `name<args>`) of each explicit instantiation of a kernel template;
    libclang does not show these declarations, so they are found from the tokens."""
    templates = set()
    spaces: list[tuple[int, int, str]] = []

    def scan(c, depth: int = 0) -> None:
        for d in c.get_children():
            f = d.location.file
            if f is None or f.name != filename:
                continue
            if d.kind.name == "NAMESPACE":
                spaces.append((d.extent.start.offset, d.extent.end.offset, d.spelling))
                scan(d, depth + 1)
            elif d.kind.name == "LINKAGE_SPEC":
                scan(d, depth)
            elif d.kind.name == "FUNCTION_TEMPLATE" and any(
                    k.kind.name == "CUDAGLOBAL_ATTR" for k in d.get_children()):
                templates.add(d.spelling)

    scan(tu.cursor)
    if not templates:
        return []
    toks = [t for t in tu.cursor.get_tokens() if t.location.file is not None and
            t.location.file.name == filename]
    out = []
    i = 0
    while i < len(toks):
        t = toks[i]
        if t.spelling == "template" and i + 1 < len(toks) and toks[i + 1].spelling != "<" and \
                (i == 0 or toks[i - 1].spelling != "extern"):
            j = i
            while j < len(toks) and toks[j].spelling != ";":
                j += 1
            words = [x.spelling for x in toks[i:j]]
            for n, w in enumerate(words):
                if w in templates and n + 1 < len(words) and words[n + 1] == "<":
                    depth, m = 0, n + 1
                    while m < len(words):
                        depth += {"<": 1, ">": -1, ">>": -2}.get(words[m], 0)
                        if depth <= 0:
                            break
                        m += 1
                    q = n
                    while q >= 2 and words[q - 1] == "::":
                        q -= 2
                    off = t.extent.start.offset
                    ns = [s for lo, hi, s in sorted(spaces) if lo <= off <= hi]
                    out.append((ns, " ".join(words[q:m + 1])))
                    break
            i = j
        i += 1
    return out


def synthetic(instances: list[tuple[list[str], str]]) -> str:
    """Host functions that take the address of each specialisation, so clang instantiates it
    and the frontend finds it."""
    out = ["\n"]
    for n, (ns, spelling) in enumerate(instances):
        body = f"static void __portable_instance_{n}() {{ (void)&{spelling}; }}"
        for s in reversed(ns):
            body = f"namespace {s} {{ {body} }}"
        out.append(f"#line 1 \"<instances>\"\n{body}\n")
    return "".join(out)


def _clang_diagnostic(tu, d, loc: Loc) -> Diagnostic:
    """clang's error as PORT0001, or a precise code where clang's message names a construct
    that portable cannot port (a kernel launched from device code, a texture reference)."""
    msg = d.spelling
    if "reference to __global__ function" in msg:
        return Diagnostic("PORT1009", f"dynamic parallelism: {msg}", loc,
                          "launch the child kernel from the host after this one finishes")
    if "reference to __host__ variable" in msg:
        c = clang.cindex().Cursor.from_location(tu, d.location)
        r = c.referenced if c is not None else None
        if r is not None and "texture" in r.type.spelling:
            return Diagnostic("PORT1008", f"texture reference {r.spelling!r} cannot be ported",
                              loc, "read the data through a plain pointer instead")
        return Diagnostic("PORT0001", msg, loc, "declare the variable __device__ or "
                          "__constant__, or pass it as a kernel argument")
    return Diagnostic("PORT0001", msg, loc, "fix the C++ error reported by clang")


def _name(f: str, filename: str) -> str:
    return f or filename
