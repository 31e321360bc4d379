"""numpy-vectorised peers: what a numpy user would write for a few library kernels.

Each function takes the same argument dictionary the library Spec generates (the arrays the
kernel gets) plus the size parameters, and writes the kernel's outputs in place, in the
kernel's precision (float32 stays float32), so `portable bench` checks it against the Spec's
reference and times it with the same method as every backend. numpy runs one core, except
for BLAS calls (matmul, gemv), which use all of them.
"""

from __future__ import annotations

import numpy as np

NAME = "numpy-vec"


def available() -> str | None:
    """numpy is a core dependency: always present."""
    return None


def _saxpy(d, n):
    d["y"] += d["a"] * d["x"]


def _vadd(d, n):
    np.add(d["a"], d["b"], out=d["c"])


def _poly(d, n, grid, block):
    x = d["x"]
    np.multiply(x, d["c3"], out=d["y"])
    for c in ("c2", "c1", "c0"):
        d["y"] += d[c]
        if c != "c0":
            d["y"] *= x


def _matmul(d, M, N, K):
    np.matmul(d["A"], d["B"], out=d["C"])


def _py_matmul(d, m, k, n):
    np.matmul(d["A"], d["B"], out=d["C"])


def _transpose(d, rows, cols):
    np.copyto(d["odata"], d["idata"].T)


def _gemv(d, rows, cols):
    y = d["y"]
    y *= d["beta"]
    y += d["alpha"] * (d["A"] @ d["x"])


def _softmax(d, rows, cols):
    x = d["x"]
    e = np.exp(x - x.max(axis=1, keepdims=True))
    np.divide(e, e.sum(axis=1, keepdims=True), out=d["y"])


def _layernorm(d, rows, cols):
    x = d["x"]
    mean = x.mean(axis=1, keepdims=True)
    c = x - mean
    var = (c * c).mean(axis=1, keepdims=True)
    np.multiply(c / np.sqrt(var + d["eps"]), d["gamma"], out=d["y"])
    d["y"] += d["beta"]


def _nbody(d, n):
    px, py, pz, m = d["px"], d["py"], d["pz"], d["mass"]
    for s in range(0, n, 256):  # row blocks keep the pair matrices in cache
        e = min(n, s + 256)
        dx, dy, dz = (q[None, :] - q[s:e, None] for q in (px, py, pz))
        r2 = dx * dx + dy * dy + dz * dz + 1e-4
        w = m[None, :] / (r2 * np.sqrt(r2))
        d["ax"][s:e], d["ay"][s:e], d["az"][s:e] = ((c * w).sum(axis=1) for c in (dx, dy, dz))


def _reduce_shared(d, n, grid):
    d["out"][0] = d["x"].sum(dtype=np.float32)


def _reduce_atomic(d, n):
    d["total"][0] += d["x"].sum(dtype=np.float32)


def _minmax(d, n):
    x = d["data"]
    d["lo"][0] = min(d["lo"][0], x.min())
    d["hi"][0] = max(d["hi"][0], x.max())
    d["negatives"][0] += np.count_nonzero(x < 0)


def _dot(d, n):
    d["result"][0] += np.dot(d["x"], d["y"])


def _histogram(d, n):
    d["hist"] += np.bincount(d["data"], minlength=256).astype(np.uint32)


def _stencil1d(d, n):
    w = np.array([0.05, 0.1, 0.2, 0.3, 0.2, 0.1, 0.05], dtype=np.float32)
    x = np.pad(d["in"], 3)
    out = d["out"]
    np.multiply(x[0:n], w[0], out=out)
    for k in range(1, 7):
        out += w[k] * x[k:k + n]


def _jacobi(d, nx, ny, steps):
    src, dst = d["A"], d["B"]
    for _ in range(steps):
        dst[0, :], dst[-1, :], dst[:, 0], dst[:, -1] = src[0, :], src[-1, :], src[:, 0], src[:, -1]
        c = dst[1:-1, 1:-1]
        np.add(src[1:-1, 1:-1], src[:-2, 1:-1], out=c)
        c += src[2:, 1:-1]
        c += src[1:-1, :-2]
        c += src[1:-1, 2:]
        c *= np.float32(0.2)
        src, dst = dst, src


def _heat(d, nx, ny, nz):
    src, dst, a = d["u"], d["v"], d["alpha"]
    for _ in range(2):
        np.copyto(dst, src)  # boundary cells are held fixed
        c = src[1:-1, 1:-1, 1:-1]
        lap = (src[1:-1, 1:-1, :-2] + src[1:-1, 1:-1, 2:] + src[1:-1, :-2, 1:-1]
               + src[1:-1, 2:, 1:-1] + src[:-2, 1:-1, 1:-1] + src[2:, 1:-1, 1:-1]
               - np.float32(6) * c)
        dst[1:-1, 1:-1, 1:-1] = c + a * lap
        src, dst = dst, src


def _warp_reduce(d, n, block):
    nb = -(-n // block)
    x = np.zeros(nb * block, np.float32)
    x[:n] = d["x"]
    d["out"][:] = x.reshape(nb, block).sum(axis=1)


def _py_saxpy(d, n):
    np.add(d["a"] * d["x"], d["y"], out=d["out"])


# library kernel name -> function(args, **size)
KERNELS = {
    "saxpy": _saxpy, "vadd_i64": _vadd, "poly_gridstride": _poly,
    "matmul_naive": _matmul, "matmul_tiled": _matmul, "py_matmul_tiled": _py_matmul,
    "transpose": _transpose, "gemv": _gemv, "softmax": _softmax, "layernorm": _layernorm,
    "nbody": _nbody, "reduce_shared": _reduce_shared, "reduce_atomic": _reduce_atomic,
    "minmax_atomic": _minmax, "dot_double": _dot, "histogram": _histogram,
    "stencil1d": _stencil1d, "jacobi2d": _jacobi, "heat3d": _heat,
    "warp_reduce": _warp_reduce, "py_saxpy": _py_saxpy,
}
