"""One launch validator for every backend (STYLE 9): dimensions and arguments, precise messages."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from portable import ir
from portable.errors import error
from portable.types import Pointer, Scalar, Struct, Vector

MAX_BLOCK = (1024, 1024, 64)
MAX_THREADS_PER_BLOCK = 1024
MAX_GRID = (2**31 - 1, 65535, 65535)
MAX_SHARED_BYTES = 227 * 1024  # sm_90 opt-in maximum per block


@dataclass
class LaunchSpec:
    """A validated launch: what a backend's launcher receives."""

    fn: ir.Function
    grid: tuple[int, int, int]
    block: tuple[int, int, int]
    args: list  # np.ndarray for pointers, numpy scalars for scalars, in parameter order
    shared_mem: int = 0
    globals: dict[str, np.ndarray] = field(default_factory=dict)
    options: dict = field(default_factory=dict)

    @property
    def nthreads(self) -> int:
        return self.block[0] * self.block[1] * self.block[2]

    @property
    def nblocks(self) -> int:
        return self.grid[0] * self.grid[1] * self.grid[2]


def dim3(value, what: str) -> tuple[int, int, int]:
    """Normalise an int or 1-3 tuple to a 3-tuple of positive ints."""
    t = (value,) if not isinstance(value, (tuple, list)) else tuple(value)
    if not 1 <= len(t) <= 3 or not all(
            isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in t):
        raise error("PORT4006", f"{what} must be an int or a tuple of 1-3 ints, got {value!r}",
                    hint="write e.g. k[(64, 1), (256,)] or k[64, 256]")
    t = tuple(int(v) for v in t) + (1,) * (3 - len(t))
    if any(v < 1 for v in t):
        raise error("PORT4006", f"{what} dimensions must be >= 1, got {t}")
    return t  # type: ignore[return-value]


def split_config(config) -> tuple[object, object, int]:
    """(grid, block, dynamic shared bytes) of `k[grid, block]`, `k[grid, block, stream]` or
    `k[grid, block, stream, shared_bytes]`; grid and block are validated by `check_dims`."""
    if not isinstance(config, tuple) or not 2 <= len(config) <= 4:
        raise error("PORT4006", "launch configuration must be [grid, block], [grid, block, "
                    "stream] or [grid, block, stream, dynamic_shared_bytes]")
    grid, block, *rest = config
    return grid, block, rest[1] if len(rest) > 1 else 0


def check_shared_mem(shared_mem) -> int:
    """Validate a dynamic shared-memory byte count."""
    if not isinstance(shared_mem, (int, np.integer)) or isinstance(shared_mem, bool) \
            or shared_mem < 0:
        raise error("PORT4009", f"shared_mem must be a byte count >= 0, got {shared_mem!r}")
    if shared_mem > MAX_SHARED_BYTES:
        raise error("PORT4009", f"shared_mem={shared_mem} exceeds {MAX_SHARED_BYTES} bytes")
    return int(shared_mem)


def check_dims(grid, block) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    g, b = dim3(grid, "grid"), dim3(block, "block")
    for axis, (v, lim) in enumerate(zip(b, MAX_BLOCK)):
        if v > lim:
            raise error("PORT4006", f"block dimension {'xyz'[axis]}={v} exceeds CUDA's limit {lim}")
    if b[0] * b[1] * b[2] > MAX_THREADS_PER_BLOCK:
        raise error("PORT4006", f"block of {b[0] * b[1] * b[2]} threads {b} exceeds CUDA's limit "
                    f"of {MAX_THREADS_PER_BLOCK} threads per block",
                    hint="use fewer threads per block and more blocks")
    for axis, (v, lim) in enumerate(zip(g, MAX_GRID)):
        if v > lim:
            raise error("PORT4006", f"grid dimension {'xyz'[axis]}={v} exceeds CUDA's limit {lim}")
    return g, b


def _check_scalar(p: ir.Param, value, t: Scalar):
    name = f"argument {p.name!r}"
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value[()]
    if isinstance(value, np.ndarray):
        raise error("PORT4008", f"{name} is a scalar {t} but an array was passed",
                    hint="pass a Python or numpy scalar")
    if isinstance(value, (bool, np.bool_)):
        return np.array(value).astype(t.dtype)[()]
    if t.is_float:
        if not isinstance(value, (int, float, np.integer, np.floating)):
            raise error("PORT4008", f"{name} must be a number ({t}), got {type(value).__name__}")
        return t.dtype.type(value)
    if t.is_bool:
        if not isinstance(value, (int, np.integer)):
            raise error("PORT4008", f"{name} must be a bool, got {type(value).__name__}")
        return np.bool_(value)
    if isinstance(value, (float, np.floating)):
        if float(value) != int(value):
            raise error("PORT4005", f"{name} is an integer ({t}) but {value!r} was passed",
                        hint="pass an int")
        value = int(value)
    if not isinstance(value, (int, np.integer)):
        raise error("PORT4008", f"{name} must be an int ({t}), got {type(value).__name__}")
    if not t.min <= int(value) <= t.max:
        raise error("PORT4005", f"{name}={value} does not fit {t} [{t.min}, {t.max}]",
                    hint="pass a value in range, or change the parameter's type")
    return t.dtype.type(int(value))


def check_args(fn: ir.Function, args: tuple, written: set[str]) -> list:
    """Validate and convert launch arguments for `fn`; arrays are passed through, not copied."""
    if len(args) != len(fn.params):
        sig = ", ".join(f"{p.name}: {p.type}" for p in fn.params)
        raise error("PORT4001", f"kernel {fn.name!r} takes {len(fn.params)} arguments ({sig}), "
                    f"got {len(args)}")
    out = []
    for p, a in zip(fn.params, args):
        t = p.type
        if isinstance(t, Pointer):
            a = getattr(a, "__portable_array__", a)  # device arrays of the cuda namespace
            if not isinstance(a, np.ndarray):
                raise error("PORT4008", f"argument {p.name!r} is a pointer ({t}) but "
                            f"{type(a).__name__} was passed", hint="pass a numpy array")
            want = _elem_dtype(t.elem)
            if a.dtype != want:
                raise error("PORT4002", f"argument {p.name!r} has dtype {a.dtype} but the kernel "
                            f"expects {t.elem} ({want})", hint=f"pass x.astype(np.{want})")
            if not a.flags.c_contiguous:
                raise error("PORT4003", f"argument {p.name!r} is not C-contiguous",
                            hint="pass np.ascontiguousarray(x)")
            if p.name in written and not a.flags.writeable:
                raise error("PORT4004", f"argument {p.name!r} is read-only but kernel "
                            f"{fn.name!r} writes through it", hint="pass a writeable copy")
            out.append(a)
        elif isinstance(t, Scalar):
            out.append(_check_scalar(p, a, t))
        elif isinstance(t, (Vector, Struct)):
            if not isinstance(a, (np.void, np.ndarray)) or np.asarray(a).dtype != _elem_dtype(t):
                raise error("PORT4008", f"argument {p.name!r} is a {t}; pass a numpy scalar of "
                            f"dtype {_elem_dtype(t)}")
            out.append(np.asarray(a, _elem_dtype(t)).reshape(()))
        else:
            raise error("PORT1003", f"parameter {p.name!r} of type {t} cannot be passed "
                        "from Python")
    return out


def _elem_dtype(t) -> np.dtype:
    """numpy dtype of an element type (vectors and structs become structured dtypes)."""
    if isinstance(t, Scalar):
        return t.dtype
    if isinstance(t, Vector):
        from portable.types import alignof
        return np.dtype({"names": list("xyzw"[: t.n]), "formats": [t.elem.dtype] * t.n,
                         "itemsize": t.n * t.elem.dtype.itemsize}, align=False) \
            if alignof(t) == t.elem.dtype.itemsize else np.dtype(
            {"names": list("xyzw"[: t.n]), "formats": [t.elem.dtype] * t.n}, align=True)
    if isinstance(t, Struct):
        from portable.types import struct_layout
        offs, size = struct_layout(t)
        return np.dtype({"names": [n for n, _ in t.fields],
                         "formats": [_elem_dtype(ft) for _, ft in t.fields],
                         "offsets": [offs[n] for n, _ in t.fields], "itemsize": size})
    raise error("PORT1003", f"no numpy dtype for {t}")


elem_dtype = _elem_dtype
