"""`@cuda.jit` dispatchers: specialise per argument types, launch like a CUDA C kernel.

A kernel dispatcher compiles one `portable.Module` per tuple of argument types (numba's
"overloads") and launches its `Kernel` with the array arguments expanded into the mangled
parameters described in `lower.py`.
"""

from __future__ import annotations

import functools
import threading

import numpy as np
from portable.frontends.python.ntypes import ArrayType, arg_type, parse_signature

from portable.errors import error
from portable.launch import check_shared_mem, split_config
from portable.types import Scalar


def _host_array(a) -> np.ndarray | None:
    a = getattr(a, "__portable_array__", a)
    return a if isinstance(a, np.ndarray) else None


def strided_parts(a: np.ndarray) -> tuple[np.ndarray, list[int], int]:
    """A contiguous 1-d view spanning a strided array's memory, its element strides and the
    element offset of a[0, ...] inside that view."""
    item = a.itemsize
    strides = [s // item for s in a.strides]
    if a.size == 0:
        return np.empty(0, a.dtype), strides, 0
    flip = tuple(slice(None, None, -1) if s < 0 else slice(None) for s in a.strides)
    low = a[flip]  # the same elements, every stride made non-negative
    span = sum((n - 1) * abs(s) for n, s in zip(a.shape, strides, strict=False)) + 1
    flat = np.lib.stride_tricks.as_strided(low, shape=(span,), strides=(item,),
                                           writeable=a.flags.writeable)
    offset = sum((n - 1) * -s for n, s in zip(a.shape, strides, strict=False) if s < 0)
    return flat, strides, offset


def expand_args(args: tuple, types: tuple) -> list:
    """Launch arguments in the mangled parameter order of a specialisation."""
    out: list = []
    for a, t in zip(args, types, strict=False):
        if isinstance(t, ArrayType):
            arr = _host_array(a)
            if t.layout == "C":
                out.append(arr)
                out += [int(n) for n in arr.shape]
            else:
                flat, strides, offset = strided_parts(arr)
                out.append(flat)
                out += [int(n) for n in arr.shape] + strides + [offset]
        else:
            out.append(a.item() if isinstance(a, np.ndarray) else a)
    return out


class Dispatcher:
    """What `@cuda.jit` returns: `k[grid, block](*args)`, `k.launch(...)`, `k.ir`, `k.source()`."""

    def __init__(self, py_func, sigs=None, device: bool = False, **options) -> None:
        self.py_func = py_func
        self.device = device
        self.options = options
        self.__name__ = py_func.__name__
        self.__qualname__ = getattr(py_func, "__qualname__", py_func.__name__)
        self.__doc__ = py_func.__doc__
        self.__wrapped__ = py_func
        self.overloads: dict[tuple, object] = {}  # argument types -> portable.Kernel
        self._sigs = [parse_signature(s) for s in (sigs or [])]
        self._lock = threading.Lock()
        self._last: tuple | None = None
        if not device:
            for sig in self._sigs:
                self._kernel(sig)

    def __repr__(self) -> str:
        return f"<portable.cuda dispatcher {self.__qualname__}>"

    # ------------------------------------------------------------ compilation

    def _kernel(self, types: tuple):
        with self._lock:
            k = self.overloads.get(types)
            if k is None:
                from portable.frontends.python.compiler import compile_kernel

                from portable.kernel import Module

                module = Module(compile_kernel(self.py_func, types))
                k = module[self.py_func.__name__]
                self.overloads[types] = k
            self._last = types
            return k

    def _types(self, args: tuple) -> tuple:
        names = self.py_func.__code__.co_varnames[:self.py_func.__code__.co_argcount]
        if len(args) != len(names):
            raise error("PORT4001", f"kernel {self.__name__!r} takes {len(names)} arguments "
                        f"({', '.join(names)}), got {len(args)}")
        got = tuple(arg_type(a, n) for a, n in zip(args, names, strict=False))
        if not self._sigs:
            return got
        for sig in self._sigs:
            if all(_accepts(s, g) for s, g in zip(sig, got, strict=False)):
                return sig
        want = " | ".join("(" + ", ".join(map(str, s)) + ")" for s in self._sigs)
        raise error("PORT4002", f"kernel {self.__name__!r} compiled for {want} cannot take "
                    f"({', '.join(map(str, got))})", hint="pass arrays of the declared dtypes "
                    "and dimensions, or drop the signature to specialise automatically")

    def specialize(self, *args):
        """The `portable.Kernel` for these arguments' types (compiled on first use)."""
        if self.device:
            raise error("PORT4008", f"{self.__name__} is a device function",
                        hint="call it from a kernel")
        return self._kernel(self._types(args))

    def compile(self, backend: str | None = None, **options):
        """Compile every specialisation seen so far for `backend` (warm-up for benchmarks)."""
        from portable.kernel import default_backend

        for k in list(self.overloads.values()):
            k.compile(backend or default_backend(), **options)
        return self

    @property
    def ir(self):
        """The IR of the latest (or only) specialisation; `str(k.ir)` prints it."""
        if self._last is None:
            raise error("PORT4008", f"{self.__name__} has not been specialised yet",
                        hint="launch it once, give @cuda.jit a signature, or call "
                        "k.specialize(*args).ir")
        return self.overloads[self._last].ir

    def source(self, target: str, *args) -> str:
        """The kernel as `target` source, for `args`' types or the latest specialisation."""
        k = self.specialize(*args) if args else None
        if k is None:
            self.ir  # noqa: B018 - raises the explanatory error when nothing is compiled
            k = self.overloads[self._last]
        return k.source(target)

    # ------------------------------------------------------------ launching

    def __getitem__(self, config) -> _Configured:
        if self.device:
            raise error("PORT4006", f"{self.__name__} is a device function and cannot be launched",
                        hint="call it from a kernel, or decorate it with @cuda.jit")
        grid, block, shared = split_config(config)
        return _Configured(self, grid, block, shared)

    def __call__(self, *args):
        if self.device:
            return self.py_func(*args)  # host call of a device function: plain Python
        raise error("PORT4006", f"kernel {self.__name__} launched without a configuration",
                    hint=f"write {self.__name__}[blocks, threads](...)")

    def launch(self, grid, block, *args, backend: str | None = None, shared_mem: int = 0,
               stream=None, **options) -> None:
        """Run the kernel on `backend` like `Kernel.launch` (arrays are updated in place)."""
        shared_mem = check_shared_mem(shared_mem)
        types = self._types(args)
        k = self._kernel(types)
        k.launch(grid, block, *expand_args(args, types), backend=backend,
                 shared_mem=shared_mem, **options)


def _accepts(sig, got) -> bool:
    if isinstance(sig, ArrayType):
        return isinstance(got, ArrayType) and got.dtype == sig.dtype and \
            got.ndim == sig.ndim and (sig.layout == "A" or got.layout == "C")
    return isinstance(sig, Scalar) and isinstance(got, Scalar)


class _Configured:
    """`k[grid, block, stream, shared]`: calling it launches (never mutates `k`)."""

    def __init__(self, disp: Dispatcher, grid, block, shared: int) -> None:
        from portable.launch import check_dims

        self.dispatcher = disp
        self.grid, self.block = check_dims(grid, block)
        self.shared = shared

    def __call__(self, *args, backend: str | None = None, **options) -> None:
        self.dispatcher.launch(self.grid, self.block, *args, backend=backend,
                               shared_mem=self.shared, **options)


def jit(func_or_sig=None, device: bool = False, **options):
    """`@cuda.jit`, `@cuda.jit(device=True)`, `@cuda.jit("void(float32[:])")`."""
    if callable(func_or_sig) and not isinstance(func_or_sig, str) and \
            hasattr(func_or_sig, "__code__"):
        return Dispatcher(func_or_sig, None, device, **options)
    sigs = func_or_sig
    if sigs is not None and not isinstance(sigs, (list, tuple)):
        sigs = [sigs]
    if device and sigs:
        sigs = None  # device functions are specialised at each call site
    return functools.partial(_make, sigs=sigs, device=device, options=options)


def _make(fn, sigs, device, options):
    return Dispatcher(fn, sigs, device, **options)
