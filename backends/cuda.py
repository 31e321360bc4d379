"""The `cuda` backend: the emitted CUDA C++ compiled and run through pycuda on an NVIDIA GPU.

pycuda is imported lazily; without it, or without a GPU, the backend is unavailable (never an
import error). pycuda builds from source against a CUDA toolkit: `pip install pycuda`.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from portable import ir
from portable.analysis.effects import written
from portable.errors import error
from portable.launch import LaunchSpec, elem_dtype
from portable.types import Pointer, Scalar

NAME = "cuda"
DEVICE = "gpu"


@cache
def _driver():
    """pycuda.driver with a context on device 0, or the reason there is none."""
    try:
        import pycuda.driver as drv
    except ImportError as e:
        return f"pycuda is not installed ({e}); pip install pycuda (needs a CUDA toolkit)"
    try:
        drv.init()
        if drv.Device.count() == 0:
            return "no CUDA device"
        ctx = drv.Device(0).retain_primary_context()
        ctx.push()
    except drv.Error as e:
        return f"CUDA driver: {e}"
    return drv


def available() -> str | None:
    d = _driver()
    return d if isinstance(d, str) else None


def source(fn: ir.Function) -> str:
    """The CUDA C++ this backend compiles."""
    from portable.backends.cfamily import cuda

    return cuda.source(fn)


class _Launcher:
    def __init__(self, fn: ir.Function) -> None:
        from pycuda.compiler import SourceModule

        self.fn = fn
        self.written = written(fn)
        try:
            # the emitted kernels are extern "C" already
            self.module = SourceModule(source(fn), no_extern_c=True,
                                       options=["-std=c++17"])
        except Exception as e:  # noqa: BLE001 - pycuda's CompileError carries nvcc's log
            raise error("PORT6001", f"nvcc failed on kernel {fn.name!r}: {e}", fn.loc) from None
        self.kernel = self.module.get_function(fn.name)

    def __call__(self, spec: LaunchSpec) -> None:
        drv = _driver()
        globals_ = {}
        for name, arr in spec.globals.items():
            try:
                ptr, _ = self.module.get_global(name)
            except Exception:  # noqa: BLE001, S112 - a global this kernel does not use
                continue
            drv.memcpy_htod(ptr, np.ascontiguousarray(arr))
            globals_[name] = (ptr, arr)
        args = []
        for p, v in zip(self.fn.params, spec.args, strict=True):
            if isinstance(p.type, Pointer):
                arg = drv.InOut(v) if p.name in self.written else drv.In(v)
                args.append(arg)
            elif isinstance(p.type, Scalar):
                args.append(np.asarray(v).astype(p.type.dtype)[()])
            else:
                args.append(np.asarray(v, elem_dtype(p.type))[()])
        self.kernel(*args, grid=spec.grid, block=spec.block, shared=spec.shared_mem)
        for ptr, arr in globals_.values():
            drv.memcpy_dtoh(arr, ptr)


def compile(fn: ir.Function, options: dict) -> _Launcher:
    """A launcher running `fn` as CUDA C++ through pycuda."""
    return _Launcher(fn)
