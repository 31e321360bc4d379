"""CUDA C frontend: parses a .cu file with libclang and translates every `__global__` function
(and the `__device__` functions and module variables it uses) to the kernel IR.

    module_ir, diagnostics = parse(source, filename="k.cu", defines={"N": 256})

clang runs in CUDA device-only mode with a shipped prelude (qualifiers, `threadIdx`..., builtin
prototypes) and stub system headers, so no CUDA installation is needed. Host code is skipped with
a PORT0005 note; clang's errors inside host functions are dropped for the same reason, and an
error elsewhere fails only the kernels that reach it (blame.py). A header found nowhere is
parsed as empty, with a PORT0006 warning (clang.py).

Where portable's meaning differs from a GPU's, on purpose:
- `clock()`/`clock64()` read a counter of the module (`portable_clock`) that every read by any
  thread adds one to: strictly increasing per thread, unique per read; differences count reads,
  not cycles (calls.py).
- `cudaGraphSetConditional(h, v)` stores v in `portable_graph_conditions[h % 64]`, a module
  variable the host reads to decide what to launch next (portable has no CUDA graphs).
- `cuda::memcpy_async` into a thread-scope pipeline copies at once (copies.py).
- cuRAND's XORWOW generator (`curandState`) gives cuRAND's integer stream; its floats follow
  the same formulas with the backend's logf/sinf (curand.py, include/curand_kernel.h).
- `assert` compiles out, as in an NDEBUG build.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from portable import ir
from portable.errors import Diagnostic, Loc, PortError, error

from . import clang
from .blame import function_spans, host_extents, reach, using_directive
from .module import translate, translate_tolerant

__all__ = ["FileResult", "KernelResult", "missing_headers", "parse", "parse_kernels"]


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
    tu = _tu(source, filename, defines, include_dirs, instances)
    real = [e for e, _, _ in _clang_errors(tu, filename)]
    if real:
        raise PortError(real + missing_headers(tu))
    mod, diagnostics = translate(tu, filename)
    return mod, missing_headers(tu) + diagnostics


def _tu(source, filename: str, defines, include_dirs, instances):
    if not isinstance(source, str):
        raise error("PORT0001", f"source must be a str, got {type(source).__name__}")
    tu = clang.parse_tu(source, filename, defines, include_dirs)
    extra = explicit_instances(tu, filename) + [([], str(i)) for i in instances]
    if extra:
        tu = clang.parse_tu(source + synthetic(extra), filename, defines, include_dirs,
                            tu.missing_headers)
    return tu


MISSING_HINT = ("add the header's directory with -I (include_dirs=) if a kernel needs it; "
                "portable parsed the file as if the header were empty, so a kernel that uses "
                "a name it declares fails with clang's error at that use, and `#ifdef`/`#if` "
                "tests of the macros it would define take the other branch")


def missing_headers(tu) -> list[Diagnostic]:
    """A PORT0006 warning per header that resolved nowhere and was treated as empty."""
    return [Diagnostic("PORT0006", f"header '{h.name}' not found; treated as empty -- "
                       "kernels that need it will fail with clang's error", h.loc, MISSING_HINT)
            for h in getattr(tu, "missing_headers", ())]


def _clang_errors(tu, filename: str) -> list[tuple[Diagnostic, str, int]]:
    """clang's errors outside host code, each with its file and offset."""
    ci = clang.cindex()
    errors = [d for d in tu.diagnostics if d.severity >= ci.Diagnostic.Error]
    if not errors:
        return []
    hosts = host_extents(tu, filename)
    real = []
    for d in errors:
        f = d.location.file.name if d.location.file else filename
        off = d.location.offset
        if d.severity < ci.Diagnostic.Fatal and any(
                f == hf and lo <= off <= hi for hf, lo, hi in hosts):
            continue  # host code is skipped, so its errors do not matter
        if using_directive(tu, d):
            continue
        loc = Loc(_name(f, filename), d.location.line, d.location.column)
        real.append((_clang_diagnostic(tu, d, loc), f,
                     off if d.severity < ci.Diagnostic.Fatal else -1))
    return real


@dataclass
class KernelResult:
    """One `__global__` function (or template specialisation) of a file, translated or not."""

    name: str  # the IR name: the C++ spelling, `k` or `k<float, 256>`
    loc: Loc
    function: ir.Function | None  # None when it failed
    errors: list[Diagnostic] = field(default_factory=list)
    cursor: object = None  # libclang's cursor of the definition (for source-level analyses)

    @property
    def ok(self) -> bool:
        return self.function is not None


@dataclass
class FileResult:
    """What `parse_kernels` found: the kernels one by one, the helpers and module variables
    they share, and the file-level diagnostics (host code skipped, errors outside kernels)."""

    filename: str
    kernels: list[KernelResult]
    helpers: tuple[ir.Function, ...] = ()
    globals: tuple[ir.GlobalVar, ...] = ()
    diagnostics: list[Diagnostic] = field(default_factory=list)
    tu: object = None

    def module_ir(self, kernels: list[KernelResult] | None = None) -> ir.ModuleIR:
        """A ModuleIR of the helpers, the globals and the given (default: every translated)
        kernels."""
        ks = [k for k in (self.kernels if kernels is None else kernels) if k.ok]
        return ir.ModuleIR(self.helpers + tuple(k.function for k in ks), self.globals,
                           self.filename)


def parse_kernels(source: str, filename: str = "<string>", defines: dict | None = None,
                  include_dirs: list | None = None, instances: list[str] | tuple = ()
                  ) -> FileResult:
    """Like `parse`, kernel by kernel: a kernel that fails (a PortError from the frontend, or
    a clang error inside it or a device function it calls) does not stop the others.

    A clang error outside any function (a missing header, a broken declaration) fails every
    kernel of the file with that error. Raises only for a source that is not a str."""
    tu = _tu(source, filename, defines, include_dirs, instances)
    errs = _clang_errors(tu, filename)
    fatal = [e for e, _, off in errs if off < 0]
    if fatal:  # clang stopped: the AST is incomplete
        return _all_fail(tu, filename, fatal)
    m = translate_tolerant(tu, filename)
    spans = function_spans(tu, filename)
    results: list[KernelResult] = []
    failed = {name: e for name, _, e in m.failures}
    kernels = {f.name: f for f in m.functions.values() if f.kernel}
    orphan = []
    blamed: dict[str, list[Diagnostic]] = {}
    for e, f, off in errs:
        owners = [k for k, (kf, lo, hi) in spans.items() if kf == f and lo <= off <= hi]
        if not owners:
            orphan.append(e)
        for o in owners:
            blamed.setdefault(o, []).append(e)
    for name, cur in m.kernel_cursors.items():
        errors = list(orphan)
        for fk in reach(cur, spans):
            errors += blamed.get(fk, [])
        if name in failed and not errors:
            errors = list(failed[name].diagnostics)
        fn = kernels.get(name) if not errors else None
        results.append(KernelResult(name, clang.loc(cur, filename), fn, _dedup(errors), cur))
    helpers = tuple(f for f in m.functions.values() if not f.kernel)
    return FileResult(filename, results, helpers, tuple(m.globals.values()),
                      missing_headers(tu) + list(m.diagnostics), tu)


def _dedup(ds: list[Diagnostic]) -> list[Diagnostic]:
    seen, out = set(), []
    for d in ds:
        k = (d.code, d.loc, d.message)
        if k not in seen:
            seen.add(k)
            out.append(d)
    return out


def _all_fail(tu, filename: str, errors: list[Diagnostic]) -> FileResult:
    """Every `__global__` function clang saw fails with the file's fatal errors."""
    import os

    prelude = os.path.realpath(str(clang.INCLUDE))
    out = []
    for d in tu.cursor.walk_preorder():
        if d.kind.name in ("FUNCTION_DECL", "FUNCTION_TEMPLATE") and d.is_definition() and \
                any(k.kind.name == "CUDAGLOBAL_ATTR" for k in d.get_children()) and \
                d.location.file is not None and \
                not os.path.realpath(d.location.file.name).startswith(prelude):
            out.append(KernelResult(d.spelling, clang.loc(d, filename), None, list(errors), d))
    return FileResult(filename, out, diagnostics=missing_headers(tu) + (
        list(errors) if not out else []), tu=tu)


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
    if "reference to __global__ function" in msg or (
            "reference to __host__ function" in msg and "cudaConfigureCall" in msg):
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
    hint = "fix the C++ error reported by clang"
    gone = [h.name for h in getattr(tu, "missing_headers", ())]
    if gone:
        hint += (f"; not found and treated as empty: {', '.join(gone)} -- if the name comes "
                 "from one of them, add its directory with -I")
    return Diagnostic("PORT0001", msg, loc, hint)


def _name(f: str, filename: str) -> str:
    return f or filename
