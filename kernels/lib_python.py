"""numba.cuda-style programs (kernels/python/, `from portable import cuda`) in the library.

Each reference is written from the maths with numpy, following numba's typing where it decides
the result (float32 stays float32, Python ints and floats are 64-bit, // and % round down).
"""

from __future__ import annotations

import math

import numpy as np
from portable.kernels import EPS32, Run, Spec, cdiv, f64, garbage, uniform

P = "py:python."
# sizes: "small" for tests, "medium" to time numba's CUDA simulator against portable at equal
# sizes (frontends/python/numba_sim.py), "large" for `portable bench`.


# ---------------------------------------------------------------- saxpy

SAXPY = Spec(
    name="py_saxpy", source=P + "saxpy",
    sizes={"small": {"n": 3001}, "medium": {"n": 50000}, "large": {"n": 1 << 24}},
    inputs=lambda rng, n: {"a": np.float32(rng.uniform(0.5, 2)), "x": uniform(rng, n),
                           "y": uniform(rng, n), "out": garbage(rng, n, np.float32)},
    launches=lambda n: [Run("saxpy", min(cdiv(n, 256), 1024), 256, ("a", "x", "y", "out"))],
    reference=lambda d, n: {"out": (d["a"] * d["x"] + d["y"]).astype(np.float32)},
    bytes=lambda n: 12 * n, flops=lambda n: 2 * n, rtol=2 * EPS32, atol=1e-7,
    tags=("memory-bound",),
)


# ---------------------------------------------------------------- tiled matmul

def _mm_inputs(rng, m, k, n):
    return {"A": uniform(rng, (m, k)), "B": uniform(rng, (k, n)),
            "C": garbage(rng, (m, n), np.float32)}


def _mm_launch(m, k, n):
    g = (cdiv(n, 16), cdiv(m, 16))  # the kernel walks gridDim.x tiles along k
    assert g[0] * 16 >= k
    return [Run("matmul", g, (16, 16), ("A", "B", "C"))]


MATMUL = Spec(
    name="py_matmul_tiled", source=P + "matmul_tiled",
    sizes={"small": {"m": 50, "k": 40, "n": 45}, "medium": {"m": 128, "k": 128, "n": 128},
           "large": {"m": 1024, "k": 1024, "n": 1024}},
    inputs=_mm_inputs, launches=_mm_launch,
    reference=lambda d, m, k, n: {"C": (f64(d["A"]) @ f64(d["B"])).astype(np.float32)},
    bytes=lambda m, k, n: 4 * (m * k + k * n + m * n), flops=lambda m, k, n: 2 * m * k * n,
    # float32 dot products of length k of terms in [-1, 1]: rounding errors random-walk to
    # about eps * sqrt(k^2 / 2) / 3, 1.4e-5 at k = 1024; an element 1e-3 off is far outside
    rtol=1e-5, atol=5e-5, tags=("compute-bound", "shared"),
)


# ---------------------------------------------------------------- block reduction + atomic

REDUCE = Spec(
    name="py_reduce_sum", source=P + "reduce_sum",
    sizes={"small": {"n": 10007, "grid": 8}, "medium": {"n": 100000, "grid": 8},
           "large": {"n": 1 << 24, "grid": 512}},
    inputs=lambda rng, n, grid: {"x": uniform(rng, n, 0.0, 1.0),
                                 "total": uniform(rng, 1, 5.0, 10.0)},
    launches=lambda n, grid: [Run("reduce_sum", grid, 128, ("x", "total"))],
    reference=lambda d, n, grid: {"total": np.array(
        [math.fsum(f64(d["x"]).tolist()) + float(d["total"][0])], np.float32)},
    bytes=lambda n, grid: 4 * n, flops=lambda n, grid: n,
    # positive terms: relative error <= (n / (128 grid) + 7 + grid) eps; 5e-5 is far above that
    # and far below one missing element (1 / n)
    rtol=5e-5, atol=0.0, tags=("memory-bound", "shared", "atomic"),
)


# ---------------------------------------------------------------- warp primitives

def _wv_inputs(rng, n):
    x = rng.integers(-50, 60, size=n, dtype=np.int32)
    x[rng.integers(0, n, size=n // 40)] = 7
    nw = cdiv(n, 32)
    return {"x": x, "sums": garbage(rng, nw, np.int64), "maxes": garbage(rng, nw, np.int64),
            "positives": garbage(rng, nw, np.int32), "flags": garbage(rng, nw, np.int32)}


def _wv_ref(d, n):
    nw = cdiv(n, 32)
    x = np.zeros(nw * 32, np.int64)
    x[:n] = d["x"]
    w = x.reshape(nw, 32)
    return {"sums": w.sum(1), "maxes": w.max(1), "positives": (w > 0).sum(1).astype(np.int32),
            "flags": (np.all(w > -1000, 1) * 1 + np.any(w == 7, 1) * 2).astype(np.int32)}


WARP = Spec(
    name="py_warp_vote", source=P + "warp_vote",
    sizes={"small": {"n": 1000}, "medium": {"n": 20000}, "large": {"n": 1 << 22}},
    inputs=_wv_inputs,
    launches=lambda n: [Run("warp_stats", cdiv(cdiv(n, 32) * 32, 128), 128,
                            ("x", "sums", "maxes", "positives", "flags"))],
    reference=_wv_ref, bytes=lambda n: 4 * n, flops=lambda n: 12 * n,
    tags=("memory-bound", "warp", "integer"),
)


# ---------------------------------------------------------------- histogram

def _h_inputs(rng, n):
    return {"data": rng.integers(-3000, 20000, size=n, dtype=np.int32), "lo": 100,
            "width": 37, "bins": rng.integers(0, 50, size=64, dtype=np.int32)}


HISTOGRAM = Spec(
    name="py_histogram", source=P + "histogram",
    sizes={"small": {"n": 7000}, "medium": {"n": 70000}, "large": {"n": 1 << 24}},
    inputs=_h_inputs,
    launches=lambda n: [Run("histogram", min(cdiv(n, 256), 256), 256,
                            ("data", "lo", "width", "bins"))],
    reference=lambda d, n: {"bins": d["bins"] + np.bincount(
        (d["data"].astype(np.int64) - d["lo"]) // d["width"] % 64, minlength=64
    ).astype(np.int32)},
    bytes=lambda n: 4 * n, flops=lambda n: 3 * n,
    tags=("memory-bound", "shared", "atomic", "integer"),
)


# ---------------------------------------------------------------- Black-Scholes

def _bs_ref(d, n):
    from math import erf

    S, X, T = d["stock"], d["strike"], d["years"]
    R, V = 0.02, 0.30
    cnd = np.vectorize(lambda z: 0.5 * (1.0 + erf(z / math.sqrt(2.0))))
    d1 = (np.log(S / X) + (R + 0.5 * V * V) * T) / (V * np.sqrt(T))
    d2 = d1 - V * np.sqrt(T)
    e = np.exp(-R * T)
    c = S * cnd(d1) - X * e * cnd(d2)
    return {"call": c, "put": c - S + X * e}


BLACK_SCHOLES = Spec(
    name="py_black_scholes", source=P + "black_scholes",
    sizes={"small": {"n": 2000}, "medium": {"n": 20000}, "large": {"n": 1 << 21}},
    inputs=lambda rng, n: {"call": garbage(rng, n, np.float64), "put": garbage(rng, n, np.float64),
                           "stock": rng.uniform(5, 30, n), "strike": rng.uniform(1, 100, n),
                           "years": rng.uniform(0.25, 10, n)},
    launches=lambda n: [Run("black_scholes", cdiv(n, 128), 128,
                            ("call", "put", "stock", "strike", "years"))],
    reference=_bs_ref, bytes=lambda n: 40 * n, flops=lambda n: 60 * n,
    rtol=1e-9, atol=1e-9, tags=("compute-bound", "double"),
)


# ---------------------------------------------------------------- Mandelbrot

def _mb_ref(d, h, w, it):
    x0, y0, dx, dy = d["x0"], d["y0"], d["dx"], d["dy"]
    cr = x0 + np.arange(w)[None, :] * dx + 0 * np.arange(h)[:, None]
    ci = y0 + np.arange(h)[:, None] * dy + 0 * np.arange(w)[None, :]
    zr, zi = np.zeros_like(cr), np.zeros_like(ci)
    n = np.zeros(cr.shape, np.int64)
    live = np.ones(cr.shape, bool)
    for _ in range(it):
        live &= zr * zr + zi * zi <= 4.0
        zr, zi = np.where(live, zr * zr - zi * zi + cr, zr), np.where(live, 2 * zr * zi + ci, zi)
        n += live
    return {"image": n.astype(np.int32)}


MANDELBROT = Spec(
    name="py_mandelbrot", source=P + "mandelbrot",
    sizes={"small": {"h": 40, "w": 56, "it": 60}, "medium": {"h": 120, "w": 160, "it": 100},
           "large": {"h": 1024, "w": 1536, "it": 200}},
    inputs=lambda rng, h, w, it: {"image": garbage(rng, (h, w), np.int32),
                                  "x0": -2.0 + rng.uniform(0, 0.05), "y0": -1.2,
                                  "dx": 3.0 / w, "dy": 2.4 / h, "it": it},
    launches=lambda h, w, it: [Run("mandelbrot", (cdiv(w, 16), cdiv(h, 8)), (16, 8),
                                   ("image", "x0", "y0", "dx", "dy", "it"))],
    reference=_mb_ref, bytes=lambda h, w, it: 4 * h * w, flops=lambda h, w, it: 10 * h * w * it,
    tags=("compute-bound", "divergent", "double"),
)


# ---------------------------------------------------------------- integer semantics

def _io_inputs(rng, n):
    a = rng.integers(-10**6, 10**6, size=n, dtype=np.int32)
    b = rng.integers(-1000, 1000, size=n, dtype=np.int32)
    b[b == 0] = 13
    a[: n // 10] = rng.integers(-120, 120, size=n // 10)
    return {"a": a, "b": b, "out": garbage(rng, (n, 9), np.int64)}


def _bits(u: np.ndarray):
    v = [int(x) for x in u]
    popc = np.array([bin(x).count("1") for x in v])
    clz = np.array([32 - x.bit_length() for x in v])
    ffs = np.array([(x & -x).bit_length() for x in v])
    brev = np.array([int(f"{x:032b}"[::-1], 2) for x in v], np.int64)
    return popc, clz, ffs, brev


def _io_ref(d, n):
    x, y = d["a"].astype(np.int64), d["b"].astype(np.int64)
    popc, clz, ffs, brev = _bits(d["a"].astype(np.uint32))
    out = np.stack([
        x // y, x % y, (x % 7) ** 3, (x << 3) ^ (y >> 2) | (x & 0xFF),
        ((x > -100) & (x <= 100) & (y >= 0)).astype(np.int64),
        np.abs(x) + np.minimum(x, y) - np.maximum(np.maximum(x, y), 5),
        popc + clz * 64 + ffs * 4096, brev, -x // 3 + np.trunc(x / y * 10).astype(np.int64),
    ], axis=1)
    return {"out": out}


INT_OPS = Spec(
    name="py_int_ops", source=P + "int_ops",
    sizes={"small": {"n": 2000}, "medium": {"n": 20000}, "large": {"n": 1 << 22}},
    inputs=_io_inputs, launches=lambda n: [Run("int_ops", cdiv(n, 128), 128, ("a", "b", "out"))],
    reference=_io_ref, bytes=lambda n: 80 * n, flops=lambda n: 40 * n,
    tags=("compute-bound", "integer"),
)


# ---------------------------------------------------------------- atomics

def _at_inputs(rng, n):
    return {"vals": rng.integers(0, 1000, size=n, dtype=np.int32),
            "counters": rng.integers(-100, 100, size=2, dtype=np.int32),
            "grid2": rng.integers(-100, 100, size=(4, 3), dtype=np.int64),
            "maxmin": np.array([-5, 5000], np.int32),
            "bits": rng.integers(-2**31, 2**31 - 1, size=3, dtype=np.int32),
            "wrap": rng.integers(0, 9, size=2, dtype=np.uint32),
            "swapped": garbage(rng, n, np.int32), "slots": rng.integers(-9, 9, n, dtype=np.int32),
            "flag": np.full(2, rng.integers(1, 100), np.int32),
            "table": np.full((4, 1), -1, np.int64),
            "winners": rng.integers(0, 10, size=2, dtype=np.int32)}


def _at_ref(d, n):
    v = d["vals"].astype(np.int64)
    i = np.arange(n)
    g = d["grid2"].copy()
    np.add.at(g, (v % 4, i % 3), v)
    clear = np.bitwise_or.reduce(1 << (i % 31))
    setb = np.bitwise_or.reduce(1 << (v % 31))
    flip = np.bitwise_xor.reduce(v)
    b64 = d["bits"].astype(np.int64) & 0xFFFFFFFF
    b = (np.array([b64[0] & ~clear, b64[1] | setb, b64[2] ^ flip]) & 0xFFFFFFFF)
    b = b.astype(np.uint32).view(np.int32)
    w0, w1 = int(d["wrap"][0]), int(d["wrap"][1])
    for _ in range(n):
        w0 = 0 if w0 >= 9 else w0 + 1
        w1 = 9 if w1 == 0 or w1 > 9 else w1 - 1
    return {"counters": np.array([d["counters"][0] + n, d["counters"][1] - v.sum()], np.int32),
            "grid2": g, "maxmin": np.array([max(-5, v.max()), min(5000, v.min())], np.int32),
            "bits": b, "wrap": np.array([w0, w1], np.uint32), "swapped": d["slots"].copy(),
            "slots": d["vals"].copy(), "flag": d["flag"] + np.array([1, 0], np.int32),
            "winners": d["winners"] + np.array([1, min(n, 4)], np.int32)}


ATOMICS = Spec(
    name="py_atomics", source=P + "atomics",
    # n % 10 != 0, so inc/dec wrapping modulo 10 always moves the counters
    sizes={"small": {"n": 703}, "medium": {"n": 7003}, "large": {"n": 1 << 20}},
    inputs=_at_inputs,
    launches=lambda n: [Run("atomics", cdiv(n, 128), 128, (
        "vals", "counters", "grid2", "maxmin", "bits", "wrap", "swapped", "slots", "flag",
        "table", "winners"))],
    reference=_at_ref, bytes=lambda n: 12 * n, flops=lambda n: 14 * n,
    tags=("memory-bound", "atomic", "integer"),
)


# ---------------------------------------------------------------- block scan + barrier votes

def _sc_ref(d, n):
    x = d["x"].astype(np.int64)
    nb = cdiv(n, 256)
    pad = np.zeros(nb * 256, np.int64)
    pad[:n] = x
    blocks = pad.reshape(nb, 256)
    counts = np.stack([(blocks % 2 == 1).sum(1), np.all(blocks < 90, 1), np.any(blocks > 95, 1)],
                      axis=1).astype(np.int32)
    return {"out": np.cumsum(blocks, axis=1).reshape(-1)[:n], "counts": counts}


SCAN = Spec(
    name="py_scan_votes", source=P + "scan_votes",
    sizes={"small": {"n": 1500}, "medium": {"n": 15000}, "large": {"n": 1 << 22}},
    inputs=lambda rng, n: {"x": rng.integers(0, 97, size=n, dtype=np.int32),
                           "out": garbage(rng, n, np.int64),
                           "counts": garbage(rng, (cdiv(n, 256), 3), np.int32)},
    launches=lambda n: [Run("block_scan", cdiv(n, 256), 256, ("x", "out", "counts"))],
    reference=_sc_ref, bytes=lambda n: 12 * n, flops=lambda n: 8 * n,
    tags=("memory-bound", "shared", "integer"),
)


# ---------------------------------------------------------------- per-thread local sort

LOCAL_SORT = Spec(
    name="py_local_sort", source=P + "local_sort",
    sizes={"small": {"n": 300}, "medium": {"n": 4800}, "large": {"n": 1 << 20}},
    inputs=lambda rng, n: {"rows": uniform(rng, (n, 9), -10, 10),
                           "medians": garbage(rng, n, np.float32),
                           "desc": garbage(rng, (n, 9), np.float32)},
    launches=lambda n: [Run("row_sort", cdiv(n, 64), 64, ("rows", "medians", "desc"))],
    reference=lambda d, n: {"medians": np.median(d["rows"], axis=1).astype(np.float32),
                            "desc": -np.sort(-d["rows"], axis=1)},
    bytes=lambda n: 76 * n, flops=lambda n: 40 * n, rtol=0.0, atol=0.0,
    tags=("compute-bound", "divergent"),
)


# ---------------------------------------------------------------- constant table + float32 math

COEFFS = np.array([0.25, -1.5, 0.75, 2.0, -0.125, 0.0625])


def _cp_ref(d, n):
    v = d["x"]
    v64 = f64(v)
    horner = np.zeros_like(v64)
    for c in COEFFS[::-1]:
        horner = horner * v64 + c
    f32 = np.float32
    s = np.sin(v) * np.exp(-v * v)
    sel = np.where(v > 0, np.cbrt(np.abs(v64)), np.sqrt(np.abs(v64)))
    # math.floor returns int64; round() rounds half to even into int64; /float32 -> float64
    last = np.floor(v * f32(4)).astype(np.int64) + np.rint(v64 * 10).astype(np.int64) / 10.0
    return {"y": np.stack([horner, s, sel, last], axis=1).astype(np.float32)}


CONST_POLY = Spec(
    name="py_const_poly", source=P + "const_poly",
    sizes={"small": {"n": 2500}, "medium": {"n": 25000}, "large": {"n": 1 << 22}},
    inputs=lambda rng, n: {"x": uniform(rng, n, -2.0, 2.0), "y": garbage(rng, (n, 4), np.float32)},
    launches=lambda n: [Run("poly", cdiv(n, 128), 128, ("x", "y"))],
    reference=_cp_ref, bytes=lambda n: 20 * n, flops=lambda n: 30 * n,
    # float32 math functions (a few ulp) and a float32 Horner chain of 5 fmas
    rtol=2e-6 * 8, atol=2e-6 * 8, tags=("compute-bound",),
)


# ---------------------------------------------------------------- stencil through a device function

def _st_ref(d, n, m):
    src = f64(d["src"])
    p = np.pad(src, 1, mode="edge")
    side = p[:-2, 1:-1] + p[2:, 1:-1] + p[1:-1, :-2] + p[1:-1, 2:]
    return {"dst": (d["wc"] * src + d["ws"] * side + 0.001 * src[-1, -1]).astype(np.float32)}


STENCIL = Spec(
    name="py_stencil", source=P + "stencil_strided",
    sizes={"small": {"n": 37, "m": 29}, "medium": {"n": 128, "m": 128},
           "large": {"n": 4096, "m": 4096}},
    inputs=lambda rng, n, m: {"src": uniform(rng, (n, m)), "dst": garbage(rng, (n, m), np.float32),
                              "wc": 0.5, "ws": 0.125},
    launches=lambda n, m: [Run("stencil", (cdiv(n, 16), cdiv(m, 16)), (16, 16),
                               ("src", "dst", "wc", "ws"))],
    reference=_st_ref, bytes=lambda n, m: 8 * n * m, flops=lambda n, m: 8 * n * m,
    rtol=1e-6, atol=1e-6, tags=("memory-bound",),
)


# ---------------------------------------------------------------- dynamic shared memory

def _dr_ref(d, n):
    out = np.empty(n)
    for b in range(cdiv(n, 128)):
        lo, hi = b * 128, min(n, b * 128 + 128)
        for t in range(hi - lo):
            src = lo + 127 - t
            out[lo + t] = d["x"][src] if src < n else -1.0
    return {"out": out}


DYN_SHARED = Spec(
    name="py_dynamic_shared", source=P + "dynamic_shared",
    sizes={"small": {"n": 1000}, "medium": {"n": 10000}, "large": {"n": 1 << 22}},
    inputs=lambda rng, n: {"x": uniform(rng, n, dtype=np.float64),
                           "out": garbage(rng, n, np.float64)},
    launches=lambda n: [Run("block_reverse", cdiv(n, 128), 128, ("x", "out"), shared_mem=8 * 128)],
    reference=_dr_ref, bytes=lambda n: 16 * n, flops=lambda n: 0, rtol=0.0, atol=0.0,
    tags=("memory-bound", "shared", "double"),
)


SPECS = [SAXPY, MATMUL, REDUCE, WARP, HISTOGRAM, BLACK_SCHOLES, MANDELBROT, INT_OPS, ATOMICS,
         SCAN, LOCAL_SORT, CONST_POLY, STENCIL, DYN_SHARED]
