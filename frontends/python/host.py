"""numba.cuda's host API on `portable`: device arrays, streams, events, device queries.

On the CPU backends "device memory" is host memory: a `DeviceNDArray` wraps a numpy array that
kernels update in place. GPU backends copy it in and out around each launch (the backend
contract), so programs written against numba.cuda's API run unchanged everywhere.
"""

from __future__ import annotations

import contextlib
import time

import numpy as np

from portable.errors import error


class DeviceNDArray:
    """numba's device array: `.copy_to_host()`, `.shape`, `.dtype`, indexing, `np.asarray`."""

    def __init__(self, ary: np.ndarray, stream=0) -> None:
        self._ary = ary
        self.stream = stream

    @property
    def __portable_array__(self) -> np.ndarray:
        return self._ary

    shape = property(lambda self: self._ary.shape)
    strides = property(lambda self: self._ary.strides)
    dtype = property(lambda self: self._ary.dtype)
    size = property(lambda self: self._ary.size)
    ndim = property(lambda self: self._ary.ndim)
    nbytes = property(lambda self: self._ary.nbytes)
    alloc_size = nbytes

    def __len__(self) -> int:
        return len(self._ary)

    def __repr__(self) -> str:
        return f"<portable DeviceNDArray shape={self.shape} dtype={self.dtype}>"

    def __array__(self, dtype=None, copy=None):
        a = self._ary if dtype is None else self._ary.astype(dtype)
        return a.copy() if copy else a

    def copy_to_host(self, ary: np.ndarray | None = None, stream=0) -> np.ndarray:
        """A host copy (or fill `ary`), like cudaMemcpy device-to-host."""
        if ary is None:
            return self._ary.copy()
        if ary.shape != self.shape or ary.dtype != self.dtype:
            raise error("PORT4002", f"copy_to_host into an array of shape {ary.shape} and dtype "
                        f"{ary.dtype}; the device array has {self.shape} {self.dtype}")
        ary[...] = self._ary
        return ary

    def copy_to_device(self, ary, stream=0) -> None:
        src = np.asarray(getattr(ary, "__portable_array__", ary))
        if src.shape != self.shape:
            raise error("PORT4002", f"copy_to_device of shape {src.shape} into {self.shape}")
        self._ary[...] = src

    def is_c_contiguous(self) -> bool:
        return bool(self._ary.flags.c_contiguous)

    def is_f_contiguous(self) -> bool:
        return bool(self._ary.flags.f_contiguous)

    def __getitem__(self, key):
        r = self._ary[key]
        return DeviceNDArray(r, self.stream) if isinstance(r, np.ndarray) else r

    def __setitem__(self, key, value) -> None:
        self._ary[key] = np.asarray(getattr(value, "__portable_array__", value))

    def reshape(self, *shape, order="C") -> DeviceNDArray:
        return DeviceNDArray(self._ary.reshape(*shape, order=order), self.stream)

    def ravel(self, order="C") -> DeviceNDArray:
        return DeviceNDArray(self._ary.ravel(order=order), self.stream)

    @property
    def T(self) -> DeviceNDArray:
        return DeviceNDArray(self._ary.T, self.stream)

    def split(self, section: int, stream=0) -> list[DeviceNDArray]:
        return [DeviceNDArray(self._ary[i:i + section], stream)
                for i in range(0, len(self._ary), section)]


def to_device(obj, stream=0, copy: bool = True, to: DeviceNDArray | None = None) -> DeviceNDArray:
    """Copy a host array to the device (a private copy on CPU backends)."""
    src = np.asarray(getattr(obj, "__portable_array__", obj))
    if to is not None:
        to.copy_to_device(src, stream)
        return to
    return DeviceNDArray(np.array(src, copy=True, order="K"), stream)


def device_array(shape, dtype=np.float64, strides=None, order="C", stream=0) -> DeviceNDArray:
    """An uninitialised device array (its contents are garbage, as on a GPU)."""
    return DeviceNDArray(np.empty(shape, dtype=dtype, order=order), stream)


def device_array_like(ary, stream=0) -> DeviceNDArray:
    a = np.asarray(getattr(ary, "__portable_array__", ary))
    return device_array(a.shape, a.dtype, order="F" if a.flags.f_contiguous and a.ndim > 1 and
                        not a.flags.c_contiguous else "C", stream=stream)


def pinned_array(shape, dtype=np.float64, strides=None, order="C") -> np.ndarray:
    return np.empty(shape, dtype=dtype, order=order)


mapped_array = pinned_array
managed_array = pinned_array


def pinned_array_like(ary) -> np.ndarray:
    """A host array of `ary`'s shape and dtype (page-locking is the host's business here)."""
    a = np.asarray(getattr(ary, "__portable_array__", ary))
    return np.empty_like(a)


mapped_array_like = pinned_array_like


@contextlib.contextmanager
def defer_cleanup():
    """numba defers freeing device memory inside this block; here memory is the host's."""
    yield


def profile_start() -> None:
    """Accepted for numba.cuda compatibility; there is no CUDA profiler to start."""


profile_stop = profile_start


@contextlib.contextmanager
def pinned(*arrays):
    yield


class Stream:
    """Launches on CPU backends complete before they return, so a stream is always idle."""

    def synchronize(self) -> None:
        pass

    @contextlib.contextmanager
    def auto_synchronize(self):
        yield self

    def __repr__(self) -> str:
        return "<portable Stream>"


def stream() -> Stream:
    return Stream()


def default_stream() -> Stream:
    return Stream()


legacy_default_stream = per_thread_default_stream = default_stream


class Event:
    """Wall-clock events: `elapsed_time` in milliseconds, like cudaEventElapsedTime."""

    def __init__(self, timing: bool = True) -> None:
        self.t: float | None = None

    def record(self, stream=0) -> None:
        self.t = time.perf_counter()

    def synchronize(self) -> None:
        pass

    wait = synchronize

    def query(self) -> bool:
        return True

    def elapsed_time(self, end: Event) -> float:
        if self.t is None or end.t is None:
            raise error("PORT4008", "elapsed_time needs two recorded events")
        return (end.t - self.t) * 1e3


def event(timing: bool = True) -> Event:
    return Event(timing)


def event_elapsed_time(start: Event, end: Event) -> float:
    return start.elapsed_time(end)


def synchronize() -> None:
    """Wait for all launches (they are synchronous on CPU backends)."""


def is_available() -> bool:
    """True when some backend can run kernels here (always, with the numpy reference)."""
    from portable import available_backends

    return bool(available_backends())


def detect() -> bool:
    """Print the backends that can run kernels here; True if there is one."""
    from portable import available_backends

    names = available_backends()
    print(f"portable: {len(names)} backend(s) available")
    for n in names:
        print(f"  {n}")
    return bool(names)


class _Device:
    id = 0
    compute_capability = (9, 0)
    WARP_SIZE = 32
    MAX_THREADS_PER_BLOCK = 1024
    MAX_SHARED_MEMORY_PER_BLOCK = 48 * 1024

    @property
    def name(self) -> bytes:
        from portable.kernel import default_backend

        return f"portable ({default_backend()})".encode()

    def reset(self) -> None:
        pass


def get_current_device() -> _Device:
    return _Device()


def select_device(device_id: int = 0) -> _Device:
    return _Device()


def current_context(devnum: int = 0):
    return _Device()


def close() -> None:
    pass


def list_devices() -> list[_Device]:
    return [_Device()]


def is_cuda_array(obj) -> bool:
    return isinstance(obj, DeviceNDArray)


def as_cuda_array(obj) -> DeviceNDArray:
    return obj if isinstance(obj, DeviceNDArray) else DeviceNDArray(np.asarray(obj))
