"""User kernels for `portable bench`: a kernel in a .cu (or numba.cuda-style .py) file with its
arguments described on the command line, or a Python spec file of library-style `Spec`s.

    --file saxpy.cu --kernel saxpy --grid 'cdiv(n,256)' --block 256
        --arg n=int32:1000000 --arg a=float32:2.5 --arg x='float32[n]' --arg y='float32[n]'

`--arg NAME=TYPE:VALUE` is a scalar; `--arg NAME=TYPE[SHAPE]` an array of random values (floats
uniform in [-1, 1), integers in [0, 100)), or `TYPE[SHAPE]:FILL` with FILL one of rand, randn,
garbage, ones, zeros or a number. SHAPE, --grid, --block, --bytes and --flops are arithmetic over
the scalar arguments (+ - * / // % **, cdiv, min, max). Arguments are passed in the order given.
A user kernel has no independent reference, so the numpy reference backend's result is the one
every other implementation is checked against.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib.util
import operator
import sys
from functools import cache
from pathlib import Path

import numpy as np

from portable.errors import error
from portable.kernels import HERE as KERNELS_HERE
from portable.kernels import Run, Spec, cdiv

CTYPES = {"int": "int32", "unsigned": "uint32", "float": "float32", "double": "float64",
          "long": "int64", "char": "int8", "uchar": "uint8", "half": "float16"}
_BIN = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
        ast.Div: operator.truediv, ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod,
        ast.Pow: operator.pow}
_FUNCS = {"cdiv": cdiv, "min": min, "max": max, "int": int}


@dataclasses.dataclass(frozen=True)
class UserSpec(Spec):
    """A Spec whose reference is another backend's result (user kernels have no maths)."""

    reference_backend: str = "numpy"


def evaluate(text: str, names: dict, what: str):
    """The value of an arithmetic expression over `names`; PortError naming `what` if bad."""
    def ev(node):
        if isinstance(node, ast.Expression):
            return ev(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return node.value
        if isinstance(node, ast.Name) and node.id in names:
            v = names[node.id]
            return v.item() if isinstance(v, np.generic) else v
        if isinstance(node, ast.BinOp) and type(node.op) in _BIN:
            return _BIN[type(node.op)](ev(node.left), ev(node.right))
        if isinstance(node, ast.Tuple):  # grid and block dimensions: "64, 64"
            return tuple(ev(e) for e in node.elts)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -ev(node.operand)
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id in _FUNCS and not node.keywords):
            return _FUNCS[node.func.id](*(ev(a) for a in node.args))
        if isinstance(node, ast.Name):
            raise error("PORT4012", f"{what}: unknown name {node.id!r} in {text!r}",
                        hint=f"use the scalar arguments ({', '.join(names) or 'none yet'}), "
                        "declared before their use")
        raise error("PORT4012", f"{what}: {text!r} is not arithmetic over the scalar arguments",
                    hint="use numbers, scalar argument names, + - * / // % **, cdiv, min, max")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError:
        raise error("PORT4012", f"{what}: cannot parse {text!r}",
                    hint="write e.g. 'cdiv(n, 256)' or '12 * n'") from None
    return ev(tree)


def _dtype(text: str, what: str) -> np.dtype:
    try:
        return np.dtype(CTYPES.get(text, text))
    except TypeError:
        raise error("PORT4012", f"{what}: unknown type {text!r}",
                    hint="use int32, uint32, int64, float32, float64 (or int, float, double)") \
            from None


@dataclasses.dataclass(frozen=True)
class ArgDecl:
    name: str
    dtype: np.dtype
    shape: tuple[str, ...] | None  # None: a scalar
    value: str  # the scalar's value, or the array's fill


def parse_arg(text: str) -> ArgDecl:
    """One `--arg`: NAME=TYPE:VALUE or NAME=TYPE[SHAPE][:FILL]."""
    what = f"--arg {text}"
    name, eq, rest = text.partition("=")
    if not eq or not name.strip().isidentifier():
        raise error("PORT4012", f"{what}: expected NAME=TYPE:VALUE or NAME=TYPE[SHAPE]",
                    hint="e.g. --arg n=int32:4096 --arg x='float32[n]'")
    name = name.strip()
    if "[" in rest:
        head, _, tail = rest.partition("[")
        shape, close, fill = tail.partition("]")
        if not close or not shape.strip():
            raise error("PORT4012", f"{what}: unbalanced or empty [SHAPE]",
                        hint="e.g. float32[n] or float32[rows,cols]")
        fill = fill[1:] if fill.startswith(":") else (fill or "rand")
        return ArgDecl(name, _dtype(head.strip(), what), tuple(s.strip() for s in shape.split(",")),
                       fill or "rand")
    head, colon, value = rest.partition(":")
    if not colon or not value.strip():
        raise error("PORT4012", f"{what}: a scalar needs a value (NAME=TYPE:VALUE)",
                    hint=f"e.g. --arg {name}={head or 'int32'}:1024, or {name}={head}[N] "
                    "for an array")
    return ArgDecl(name, _dtype(head.strip(), what), None, value.strip())


def _array(rng, decl: ArgDecl, shape: tuple[int, ...]) -> np.ndarray:
    dt, fill = decl.dtype, decl.value
    if fill == "rand":
        if dt.kind == "f":
            return rng.uniform(-1, 1, shape).astype(dt)
        return rng.integers(0, 100, shape).astype(dt)
    if fill == "randn":
        return rng.standard_normal(shape).astype(dt)
    if fill == "garbage":
        from portable.kernels import garbage

        return garbage(rng, shape, dt)
    if fill in ("ones", "zeros"):
        return (np.ones if fill == "ones" else np.zeros)(shape, dt)
    return np.full(shape, evaluate(fill, {}, f"--arg {decl.name} fill"), dt)


def user_spec(path: str, kernel: str, grid: str, block: str, args: list[str],
              bytes_expr: str | None = None, flops_expr: str | None = None, shared_mem: str = "0",
              rtol: float = 1e-5, atol: float = 1e-6) -> UserSpec:
    """A Spec for kernel `kernel` of the file `path` with command-line arguments."""
    p = Path(path)
    if not p.is_file():
        raise error("PORT4012", f"--file {path}: no such file", hint="pass a .cu or .py file")
    if p.suffix not in (".cu", ".cuh", ".py", ".c", ".cpp", ".cc"):
        raise error("PORT4012", f"--file {path}: expected a CUDA (.cu) or Python (.py) file")
    if not args:
        raise error("PORT4012", f"--file {path}: the kernel's arguments are missing",
                    hint="describe each with --arg, in the kernel's parameter order")
    decls = [parse_arg(a) for a in args]
    names = [d.name for d in decls]
    if len(set(names)) != len(names):
        raise error("PORT4012", f"--arg names repeat: {', '.join(names)}")
    scalars: dict = {}
    for d in decls:  # scalars first, so shapes and expressions can use any of them
        if d.shape is None:
            v = evaluate(d.value, scalars, f"--arg {d.name}")
            scalars[d.name] = d.dtype.type(v)
    for d in decls:
        if d.shape is not None:
            shape = tuple(int(evaluate(s, scalars, f"--arg {d.name} shape")) for s in d.shape)
            if any(n <= 0 for n in shape):
                raise error("PORT4012", f"--arg {d.name}: shape {shape} must be positive")
    dims = []
    for text, opt in ((grid, "--grid"), (block, "--block")):
        v = evaluate(text, scalars, opt)
        dims.append(tuple(int(x) for x in v) if isinstance(v, tuple) else (int(v),))
    smem = int(evaluate(shared_mem, scalars, "--shared-mem"))
    shapes = {d.name: tuple(int(evaluate(s, scalars, d.name)) for s in d.shape)
              for d in decls if d.shape is not None}
    nbytes = sum(int(np.prod(s)) * d.dtype.itemsize for d in decls
                 if d.shape is not None for s in [shapes[d.name]])
    nbytes = int(evaluate(bytes_expr, scalars, "--bytes")) if bytes_expr else nbytes
    nflops = int(evaluate(flops_expr, scalars, "--flops")) if flops_expr else 0

    def inputs(rng, **_):
        return {d.name: (scalars[d.name] if d.shape is None else _array(rng, d, shapes[d.name]))
                for d in decls}

    g, b = (x[0] if len(x) == 1 else x for x in dims)
    return UserSpec(
        name=kernel, source=str(p.resolve()), sizes={"user": {}}, inputs=inputs,
        launches=lambda **_: [Run(kernel, g, b, tuple(names), smem)],
        reference=lambda d, **_: {}, bytes=lambda **_: nbytes, flops=lambda **_: nflops,
        rtol=rtol, atol=atol, tags=("user",))


def spec_file(path: str) -> list[Spec]:
    """The `SPECS` (or `SPEC`) of a Python spec file; relative sources resolve beside it."""
    p = Path(path).resolve()
    if not p.is_file():
        raise error("PORT4012", f"--spec {path}: no such file")
    mod = _import_path(str(p), "portable_bench_spec_")
    specs = getattr(mod, "SPECS", None) or ([mod.SPEC] if hasattr(mod, "SPEC") else None)
    if not specs or not all(isinstance(s, Spec) for s in specs):
        raise error("PORT4012", f"--spec {path}: defines no SPECS list of portable.kernels.Spec",
                    hint="write SPECS = [Spec(name=..., source='k.cu', ...)]")
    out = []
    for s in specs:
        src = s.source
        if not src.startswith("py:") and not (KERNELS_HERE / "cuda" / src).exists():
            src = str((p.parent / src).resolve())
        out.append(dataclasses.replace(s, source=src))
    return out


def _import_path(path: str, prefix: str):
    name = prefix + Path(path).stem + f"_{abs(hash(path)) % 10**8}"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


@cache
def load_python_module(path: str):
    """The portable kernels of a numba.cuda-style .py file (`from portable import cuda`)."""
    from portable.cuda import module_of

    return module_of(_import_path(path, "portable_bench_kernels_"))
