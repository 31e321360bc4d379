"""numba CPU peers: `@njit(parallel=True)` versions of a few library kernels, the way a numba
user would write them (explicit loops, `prange` over the outer one, float32 kept float32).

Same contract as numpy_vec.py: `KERNELS[name](args, **size)` writes the outputs in place.
Compiled on first call (the correctness check, untimed); `triad(n)` measures STREAM triad
bandwidth for the roofline when the hand-written C peer is absent.
"""

from __future__ import annotations

import time

import numpy as np

NAME = "numba-par"

try:
    from numba import njit, prange
except ImportError as _e:  # numba is in the bench extra; without it this peer is absent
    _WHY: str | None = f"numba is not installed ({_e}); pip install 'portable[bench]'"
else:
    _WHY = None


def available() -> str | None:
    """None when numba is importable, else why not."""
    return _WHY


KERNELS: dict = {}

if _WHY is None:

    @njit(parallel=True, fastmath=False)
    def _saxpy_k(a, x, y):
        for i in prange(x.size):
            y[i] = a * x[i] + y[i]

    @njit(parallel=True)
    def _saxpy3_k(a, x, y, out):
        for i in prange(x.size):
            out[i] = a * x[i] + y[i]

    @njit(parallel=True)
    def _vadd_k(a, b, c):
        for i in prange(a.size):
            c[i] = a[i] + b[i]

    @njit(parallel=True)
    def _poly_k(x, y, c0, c1, c2, c3):
        for i in prange(x.size):
            v = x[i]
            y[i] = c0 + v * (c1 + v * (c2 + v * c3))

    @njit(parallel=True)
    def _matmul_k(A, B, C):
        M, K = A.shape
        N = B.shape[1]
        for i in prange(M):
            row = np.zeros(N, np.float32)
            for k in range(K):
                a = A[i, k]
                for j in range(N):  # i-k-j order: unit stride, vectorised
                    row[j] += a * B[k, j]
            C[i, :] = row

    @njit(parallel=True)
    def _transpose_k(odata, idata):
        rows, cols = idata.shape
        for bi in prange((rows + 31) // 32):  # 32x32 tiles, as the CUDA kernel does
            for bj in range(0, cols, 32):
                for i in range(bi * 32, min(rows, bi * 32 + 32)):
                    for j in range(bj, min(cols, bj + 32)):
                        odata[j, i] = idata[i, j]

    @njit(parallel=True)
    def _stencil_k(x, out, w):
        n = x.size
        for i in prange(n):
            acc = np.float32(0.0)
            for k in range(7):
                j = i + k - 3
                if 0 <= j < n:
                    acc += w[k] * x[j]
            out[i] = acc

    @njit(parallel=True)
    def _jacobi_k(src, dst):
        ny, nx = src.shape
        for y in prange(ny):
            for x in range(nx):
                if y == 0 or x == 0 or y == ny - 1 or x == nx - 1:
                    dst[y, x] = src[y, x]
                else:
                    dst[y, x] = (src[y, x] + src[y - 1, x] + src[y + 1, x] + src[y, x - 1]
                                 + src[y, x + 1]) * np.float32(0.2)

    @njit(parallel=True)
    def _heat_k(u, v, alpha):
        nz, ny, nx = u.shape
        for z in prange(nz):
            for y in range(ny):
                for x in range(nx):
                    c = u[z, y, x]
                    if 0 < z < nz - 1 and 0 < y < ny - 1 and 0 < x < nx - 1:
                        lap = (u[z, y, x - 1] + u[z, y, x + 1] + u[z, y - 1, x] + u[z, y + 1, x]
                               + u[z - 1, y, x] + u[z + 1, y, x] - np.float32(6.0) * c)
                        v[z, y, x] = c + alpha * lap
                    else:
                        v[z, y, x] = c

    @njit(parallel=True)
    def _nbody_k(px, py, pz, m, ax, ay, az):
        n = px.size
        for i in prange(n):
            sx = sy = sz = 0.0
            for j in range(n):
                dx, dy, dz = px[j] - px[i], py[j] - py[i], pz[j] - pz[i]
                r2 = dx * dx + dy * dy + dz * dz + 1e-4
                w = m[j] / (r2 * np.sqrt(r2))
                sx += dx * w
                sy += dy * w
                sz += dz * w
            ax[i], ay[i], az[i] = sx, sy, sz

    @njit(parallel=True)
    def _sum_k(x):
        s = 0.0  # a float64 accumulator: numba's per-thread chains are millions long
        for i in prange(x.size):  # numba turns this into a parallel reduction
            s += x[i]
        return np.float32(s)

    @njit(parallel=True)
    def _dot_k(x, y):
        s = 0.0
        for i in prange(x.size):
            s += x[i] * y[i]
        return s

    @njit(parallel=True)
    def _softmax_k(x, y):
        rows, cols = x.shape
        for r in prange(rows):
            mx = x[r, 0]
            for c in range(cols):
                mx = max(mx, x[r, c])
            s = 0.0  # float64 sum: a sequential float32 chain of cols terms is too coarse
            for c in range(cols):
                e = np.exp(x[r, c] - mx)
                y[r, c] = e
                s += e
            inv = np.float32(s)
            for c in range(cols):
                y[r, c] /= inv

    @njit(parallel=True)
    def _mandel_k(image, x0, y0, dx, dy, max_iter):
        h, w = image.shape
        for row in prange(h):
            for col in range(w):
                cr, ci = x0 + col * dx, y0 + row * dy
                zr = zi = 0.0
                n = 0
                while n < max_iter and zr * zr + zi * zi <= 4.0:
                    zr, zi = zr * zr - zi * zi + cr, 2.0 * zr * zi + ci
                    n += 1
                image[row, col] = n

    @njit(parallel=True)
    def _triad_k(a, b, c, s):
        for i in prange(a.size):
            a[i] = b[i] + s * c[i]

    _W = np.array([0.05, 0.1, 0.2, 0.3, 0.2, 0.1, 0.05], dtype=np.float32)

    def _jacobi(d, nx, ny, steps):
        src, dst = d["A"], d["B"]
        for _ in range(steps):
            _jacobi_k(src, dst)
            src, dst = dst, src

    def _heat(d, nx, ny, nz):
        _heat_k(d["u"], d["v"], d["alpha"])
        _heat_k(d["v"], d["u"], d["alpha"])

    KERNELS = {
        "saxpy": lambda d, n: _saxpy_k(d["a"], d["x"], d["y"]),
        "py_saxpy": lambda d, n: _saxpy3_k(d["a"], d["x"], d["y"], d["out"]),
        "vadd_i64": lambda d, n: _vadd_k(d["a"], d["b"], d["c"]),
        "poly_gridstride": lambda d, n, grid, block: _poly_k(d["x"], d["y"], d["c0"], d["c1"],
                                                             d["c2"], d["c3"]),
        "matmul_naive": lambda d, M, N, K: _matmul_k(d["A"], d["B"], d["C"]),
        "matmul_tiled": lambda d, M, N, K: _matmul_k(d["A"], d["B"], d["C"]),
        "py_matmul_tiled": lambda d, m, k, n: _matmul_k(d["A"], d["B"], d["C"]),
        "transpose": lambda d, rows, cols: _transpose_k(d["odata"], d["idata"]),
        "stencil1d": lambda d, n: _stencil_k(d["in"], d["out"], _W),
        "jacobi2d": _jacobi, "heat3d": _heat,
        "nbody": lambda d, n: _nbody_k(d["px"], d["py"], d["pz"], d["mass"], d["ax"], d["ay"],
                                       d["az"]),
        "reduce_shared": lambda d, n, grid: d["out"].__setitem__(0, _sum_k(d["x"])),
        "reduce_atomic": lambda d, n: d["total"].__setitem__(0, d["total"][0] + _sum_k(d["x"])),
        "dot_double": lambda d, n: d["result"].__setitem__(0, d["result"][0]
                                                            + _dot_k(d["x"], d["y"])),
        "softmax": lambda d, rows, cols: _softmax_k(d["x"], d["y"]),
        "py_mandelbrot": lambda d, h, w, it: _mandel_k(d["image"], d["x0"], d["y0"], d["dx"],
                                                       d["dy"], d["it"]),
    }


def triad(n: int = 1 << 25, reps: int = 10) -> float:
    """STREAM triad a = b + s c over float64 arrays of n elements, all cores: best GB/s
    (STREAM's convention: 24 bytes per element, write-allocate traffic not counted)."""
    if _WHY is not None:
        raise RuntimeError(_WHY)
    a, b, c = np.zeros(n), np.full(n, 1.5), np.full(n, 2.5)
    _triad_k(a, b, c, 3.0)
    best = float("inf")
    for _ in range(reps):
        t0 = time.perf_counter()
        _triad_k(a, b, c, 3.0)
        best = min(best, time.perf_counter() - t0)
    return 24 * n / best / 1e9
