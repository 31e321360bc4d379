"""`from portable import cuda`: numba.cuda's kernel API on every `portable` backend.

Change `from numba import cuda` to `from portable import cuda` and a numba.cuda program runs on
the numpy reference, native CPU code (llvm), Triton, CUDA and OpenCL, through the same IR as CUDA
C kernels::

    @cuda.jit
    def saxpy(a, x, y, out):
        i = cuda.grid(1)
        if i < out.size:
            out[i] = a * x[i] + y[i]

    saxpy[blocks, threads](np.float32(2), x, y, out)          # default backend
    saxpy.launch(blocks, threads, 2.0, x, y, out, backend="numpy")
    print(saxpy.ir)                                            # the IR of the latest launch
    print(saxpy.source("opencl"))

Kernels are specialised per argument types with numba's typing rules (see
`portable.frontends.python.ntypes`). `module_of(pymodule)` gives a module's kernels by name,
as the kernel library uses them.
"""

from __future__ import annotations

from portable.frontends.python.dispatch import Dispatcher, jit
from portable.frontends.python.host import (
    DeviceNDArray,
    Event,
    Stream,
    as_cuda_array,
    close,
    current_context,
    default_stream,
    defer_cleanup,
    detect,
    device_array,
    device_array_like,
    event,
    event_elapsed_time,
    get_current_device,
    is_available,
    is_cuda_array,
    legacy_default_stream,
    list_devices,
    managed_array,
    mapped_array,
    mapped_array_like,
    per_thread_default_stream,
    pinned,
    pinned_array,
    pinned_array_like,
    profile_start,
    profile_stop,
    select_device,
    stream,
    synchronize,
    to_device,
)
from portable.frontends.python.markers import (
    INTRINSICS as _I,
)
from portable.frontends.python.markers import (
    atomic,
    blockDim,
    blockIdx,
    cg,
    const,
    gridDim,
    laneid,
    local,
    shared,
    threadIdx,
    warpsize,
)

grid = _I["grid"]
gridsize = _I["gridsize"]
syncthreads = _I["syncthreads"]
syncthreads_count = _I["syncthreads_count"]
syncthreads_and = _I["syncthreads_and"]
syncthreads_or = _I["syncthreads_or"]
syncwarp = _I["syncwarp"]
threadfence = _I["threadfence"]
threadfence_block = _I["threadfence_block"]
threadfence_system = _I["threadfence_system"]
shfl_sync = _I["shfl_sync"]
shfl_up_sync = _I["shfl_up_sync"]
shfl_down_sync = _I["shfl_down_sync"]
shfl_xor_sync = _I["shfl_xor_sync"]
all_sync = _I["all_sync"]
any_sync = _I["any_sync"]
ballot_sync = _I["ballot_sync"]
activemask = _I["activemask"]
lanemask_lt = _I["lanemask_lt"]
popc = _I["popc"]
clz = _I["clz"]
ffs = _I["ffs"]
brev = _I["brev"]
fma = _I["fma"]
selp = _I["selp"]
cbrt = _I["cbrt"]
eq_sync = _I["eq_sync"]
match_any_sync = _I["match_any_sync"]
match_all_sync = _I["match_all_sync"]
nanosleep = _I["nanosleep"]


class _ModuleKernels:
    """The kernels (`@cuda.jit` dispatchers that are not device functions) of a Python module,
    by name: `mod["saxpy"].launch(grid, block, *args, backend=...)`."""

    def __init__(self, pymodule) -> None:
        self.name = getattr(pymodule, "__name__", "<module>")
        self.kernels = {k: v for k, v in vars(pymodule).items()
                        if isinstance(v, Dispatcher) and not v.device}

    def __getitem__(self, name: str) -> Dispatcher:
        from portable.errors import error

        try:
            return self.kernels[name]
        except KeyError:
            raise error("PORT0003", f"no kernel named {name!r} in {self.name}",
                        hint=f"kernels: {', '.join(self.kernels) or 'none'}") from None

    def __iter__(self):
        return iter(self.kernels.values())

    def __len__(self) -> int:
        return len(self.kernels)


def module_of(pymodule) -> _ModuleKernels:
    """The `@cuda.jit` kernels of a Python module, indexable by name."""
    return _ModuleKernels(pymodule)


__all__ = [
    "DeviceNDArray", "Dispatcher", "Event", "Stream", "activemask", "all_sync", "any_sync",
    "as_cuda_array", "atomic", "ballot_sync", "blockDim", "blockIdx", "brev", "cbrt", "cg",
    "close", "clz", "const", "current_context", "default_stream", "defer_cleanup", "detect",
    "device_array",
    "device_array_like", "eq_sync", "event", "event_elapsed_time", "ffs", "fma",
    "get_current_device", "grid", "gridDim", "gridsize", "is_available", "is_cuda_array", "jit",
    "laneid", "lanemask_lt", "legacy_default_stream", "list_devices", "local", "managed_array",
    "mapped_array", "mapped_array_like", "match_all_sync", "match_any_sync", "module_of",
    "nanosleep", "per_thread_default_stream", "pinned", "pinned_array", "pinned_array_like",
    "popc", "profile_start", "profile_stop",
    "select_device", "selp", "shared", "shfl_down_sync", "shfl_sync", "shfl_up_sync",
    "shfl_xor_sync", "stream", "synchronize", "syncthreads", "syncthreads_and",
    "syncthreads_count", "syncthreads_or", "syncwarp", "threadIdx", "threadfence",
    "threadfence_block", "threadfence_system", "to_device", "warpsize",
]
