"""Hand-written C/OpenMP peers of library kernels, loaded through ctypes.

    available() -> str | None         None when gcc + OpenMP work here, else why not
    kernels() -> list[str]            library kernel names that have a hand-C peer
    run(name, inputs, size) -> None   do the kernel's whole launch list on `inputs` (in place)
    triad(n) -> float                 STREAM triad bandwidth of this machine in GB/s

`inputs` is the dict the library Spec generates; `size` is a size name ("small", "large") or the
size parameters themselves. The shared library is built on first use with
`gcc -O3 -march=native -fopenmp` next to this file (libhandc.so, git-ignored) and rebuilt when
handc.c changes.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

import numpy as np

HERE = Path(__file__).parent
SRC = HERE / "handc.c"
LIB = HERE / "libhandc.so"
CFLAGS = ["-O3", "-march=native", "-fopenmp", "-shared", "-fPIC", "-std=c11"]
_lib: ctypes.CDLL | None = None
_why: str | None = None
_lock = threading.Lock()


def _build() -> None:
    global _lib, _why
    if _lib is not None or _why is not None:
        return
    cc = os.environ.get("CC") or shutil.which("gcc") or shutil.which("cc")
    if cc is None:
        _why = "no C compiler (gcc) on PATH"
        return
    if not LIB.exists() or LIB.stat().st_mtime < SRC.stat().st_mtime:
        fd, tmp = tempfile.mkstemp(suffix=".so", dir=HERE)
        os.close(fd)
        r = subprocess.run([cc, *CFLAGS, str(SRC), "-o", tmp, "-lm"], capture_output=True,
                           text=True)
        if r.returncode != 0:
            os.unlink(tmp)
            _why = f"{cc} failed: {r.stderr.strip().splitlines()[-1] if r.stderr else r.returncode}"
            return
        os.replace(tmp, LIB)
    try:
        _lib = ctypes.CDLL(str(LIB))
    except OSError as e:
        _why = f"cannot load {LIB.name}: {e}"
        return
    _lib.triad.restype = ctypes.c_double
    _lib.threads.restype = ctypes.c_int


def available() -> str | None:
    """None when the peers can be built and loaded here, else the reason."""
    with _lock:
        _build()
    return _why


def _p(a: np.ndarray) -> ctypes.c_void_p:
    if not a.flags.c_contiguous:
        raise ValueError("hand-C peers need C-contiguous arrays")
    return ctypes.c_void_p(a.ctypes.data)


_i = ctypes.c_int
_l = ctypes.c_long
_f = ctypes.c_float


def _calls(lib: ctypes.CDLL) -> dict:
    return {
        "saxpy": lambda d, s: lib.saxpy(_i(int(d["n"])), _f(d["a"]), _p(d["x"]), _p(d["y"])),
        "reduce_shared": lambda d, s: lib.reduce_sum(_p(d["x"]), _l(int(d["n"])), _p(d["out"])),
        "histogram": lambda d, s: lib.histogram256(_p(d["data"]), _l(int(d["n"])),
                                                   _p(d["hist"])),
        "matmul_tiled": lambda d, s: lib.matmul(_p(d["A"]), _p(d["B"]), _p(d["C"]),
                                                _i(int(d["M"])), _i(int(d["N"])),
                                                _i(int(d["K"]))),
        "transpose": lambda d, s: lib.transpose(_p(d["odata"]), _p(d["idata"]),
                                                _i(int(d["rows"])), _i(int(d["cols"]))),
        "jacobi2d": lambda d, s: lib.jacobi2d(_p(d["A"]), _p(d["B"]), _i(int(d["nx"])),
                                              _i(int(d["ny"])), _i(int(s["steps"]))),
        "softmax": lambda d, s: lib.softmax_rows(_p(d["x"]), _p(d["y"]), _i(int(d["rows"])),
                                                 _i(int(d["cols"]))),
        "scan": lambda d, s: lib.scan(_p(d["x"]), _p(d["out"]), _l(int(d["n0"])),
                                      _p(d["total"])),
        "stencil1d": lambda d, s: lib.stencil_1d(_p(d["in"]), _p(d["out"]), _i(int(d["n"]))),
        "gemv": lambda d, s: lib.gemv(_p(d["A"]), _p(d["x"]), _p(d["y"]), _i(int(d["rows"])),
                                      _i(int(d["cols"])), _f(d["alpha"]), _f(d["beta"])),
        "heat3d": lambda d, s: lib.heat3d(_p(d["u"]), _p(d["v"]), _i(int(d["nx"])),
                                          _i(int(d["ny"])), _i(int(d["nz"])), _f(d["alpha"])),
    }


KERNELS = ("saxpy", "reduce_shared", "histogram", "matmul_tiled", "transpose", "jacobi2d",
           "softmax", "scan", "stencil1d", "gemv", "heat3d")


def kernels() -> list[str]:
    """Library kernel names with a hand-written C peer."""
    return list(KERNELS)


def _size(name: str, size) -> dict:
    if isinstance(size, dict):
        return size
    from portable.kernels import registry

    return registry()[name].sizes[size]


def run(name: str, inputs: dict, size="large") -> None:
    """Run the peer of library kernel `name` on `inputs` (updated in place)."""
    why = available()
    if why is not None:
        raise RuntimeError(f"hand-C peers unavailable: {why}")
    calls = _calls(_lib)
    if name not in calls:
        raise KeyError(f"no hand-C peer for {name!r}; peers: {', '.join(KERNELS)}")
    calls[name](inputs, _size(name, size))


def threads() -> int:
    """OpenMP threads the peers use."""
    available()
    return int(_lib.threads()) if _lib is not None else 0


def triad(n: int = 1 << 25, reps: int = 5, clock=None) -> float:
    """STREAM triad a = b + s*c over float32 arrays of n elements: best-of-reps GB/s, timed
    inside C with omp_get_wtime, or with `clock` (e.g. time.thread_time) around each rep."""
    why = available()
    if why is not None:
        raise RuntimeError(f"hand-C peers unavailable: {why}")
    rng = np.random.default_rng(0)
    b = rng.random(n, dtype=np.float32)
    c = rng.random(n, dtype=np.float32)
    a = np.empty_like(b)
    a[:] = 1.0  # touch the pages before timing
    if clock is None:
        t = _lib.triad(_p(a), _p(b), _p(c), _l(n), _f(3.0), _i(reps))
    else:
        ts = []
        for _ in range(reps):
            t0 = clock()
            _lib.triad(_p(a), _p(b), _p(c), _l(n), _f(3.0), _i(1))
            ts.append(clock() - t0)
        t = min(ts)
    return 3 * 4 * n / t / 1e9
