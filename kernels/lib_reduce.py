"""Reductions: a two-pass shared-memory tree, shared+global float atomics, integer atomics,
a warp-shuffle block sum, a double-precision dot product and a shared-atomic histogram.
Float references are exact sums (math.fsum) of the float32 inputs; the tolerances bound
float32 accumulation error, which grows with the length of the longest sequential chain."""

from __future__ import annotations

import math

import numpy as np
from portable.kernels import EPS32, EPS64, Run, Spec, cdiv, f64, garbage, uniform


def fsum(a) -> float:
    """The correctly rounded sum of `a` (Shewchuk), independent of any summation order."""
    return math.fsum(f64(a).reshape(-1).tolist())


# ---------------------------------------------------------------- two-pass tree reduction

def _rs_inputs(rng, n, grid):
    return {"x": uniform(rng, n, 0.0, 1.0), "partial": garbage(rng, grid, np.float32),
            "out": garbage(rng, 1, np.float32), "n": np.uint32(n), "nparts": np.uint32(grid)}


REDUCE_SHARED = Spec(
    name="reduce_shared", source="reduce_shared.cu",
    # Harris' kernel 6: a fixed grid (enough blocks to fill a GPU), each thread summing a
    # grid-stride slice; pass 2 is one block, so grid <= 2 * 256. small: ~5 strides per thread.
    sizes={"small": {"n": 20001, "grid": 8}, "large": {"n": 1 << 24, "grid": 256}},
    inputs=_rs_inputs,
    launches=lambda n, grid: [Run("reduce_sum", grid, 256, ("x", "partial", "n")),
                              Run("reduce_sum", 1, 256, ("partial", "out", "nparts"))],
    reference=lambda d, n, grid: {"out": np.array([fsum(d["x"])], np.float32)},
    bytes=lambda n, grid: 4 * n, flops=lambda n, grid: n,
    # Positive terms, so the relative error of any summation order is at most (chain length) *
    # eps: the longest chain is n / (2 * 256 * grid) sequential adds plus 2 * 8 tree levels,
    # <= 150 eps in both sizes; random rounding keeps it far below that. One missing element
    # would be off by ~1 / n = 5e-5 at the small size, above the 150 eps = 1.8e-5 allowed.
    rtol=150 * EPS32, atol=0.0,
    tags=("memory-bound", "shared"),
)


# ---------------------------------------------------------------- atomic reduction

def _ra_inputs(rng, n):
    return {"x": uniform(rng, n, 0.0, 1.0), "total": uniform(rng, 1, 10.0, 20.0),
            "n": np.int32(n)}


REDUCE_ATOMIC = Spec(
    name="reduce_atomic", source="reduce_atomic.cu",
    sizes={"small": {"n": 5000}, "large": {"n": 1 << 24}},
    inputs=_ra_inputs,
    launches=lambda n: [Run("reduce_atomic", cdiv(n, 256), 256, ("x", "total", "n"))],
    # The result accumulates onto the buffer's initial value, as atomics do.
    reference=lambda d, n: {"total": np.array([fsum(d["x"]) + float(d["total"][0])],
                                              np.float32)},
    bytes=lambda n: 4 * n, flops=lambda n: n,
    # Atomics add in an unspecified order: per block a chain of 256 positive terms, then a
    # chain of n / 256 block sums; relative error <= (256 + n / 256) * eps worst case, about
    # sqrt(256 + n / 256) * eps / 2 in practice: 8e-6 at 2^24. One missing element would be
    # off by ~1 / n = 2e-4 at the small size.
    rtol=5e-5, atol=0.0,
    tags=("memory-bound", "shared", "atomic"),
)


# ---------------------------------------------------------------- integer min/max/count

def _mm_inputs(rng, n):
    return {"data": rng.integers(-2**31, 2**31, size=n, dtype=np.int32),
            "lo": rng.integers(2**30, 2**31 - 1, size=1, dtype=np.int32),
            "hi": rng.integers(-2**31, -2**30, size=1, dtype=np.int32),
            "negatives": rng.integers(0, 1000, size=1, dtype=np.uint32), "n": np.int32(n)}


def _mm_ref(d, n):
    x = d["data"].astype(np.int64)
    return {"lo": np.array([min(int(x.min()), int(d["lo"][0]))], np.int32),
            "hi": np.array([max(int(x.max()), int(d["hi"][0]))], np.int32),
            "negatives": np.array([int(d["negatives"][0]) + int((x < 0).sum())], np.uint32)}


MINMAX_ATOMIC = Spec(
    name="minmax_atomic", source="minmax_atomic.cu",
    sizes={"small": {"n": 5000}, "large": {"n": 1 << 24}},
    inputs=_mm_inputs,
    launches=lambda n: [Run("minmax_atomic", cdiv(n, 256), 256,
                            ("data", "lo", "hi", "negatives", "n"))],
    reference=_mm_ref,
    bytes=lambda n: 4 * n, flops=lambda n: 3 * n,
    tags=("memory-bound", "atomic", "integer"),
)


# ---------------------------------------------------------------- warp-shuffle block sums

def _wr_inputs(rng, n, block):
    return {"x": uniform(rng, n), "out": garbage(rng, cdiv(n, block), np.float32),
            "n": np.int32(n)}


def _wr_ref(d, n, block):
    nb = cdiv(n, block)
    x = np.zeros(nb * block)
    x[:n] = f64(d["x"])
    return {"out": x.reshape(nb, block).sum(axis=1).astype(np.float32)}


WARP_REDUCE = Spec(
    name="warp_reduce", source="warp_reduce.cu",
    # small: a ragged last block whose last warp is partly past the end
    sizes={"small": {"n": 5000, "block": 256}, "large": {"n": 1 << 24, "block": 256}},
    inputs=_wr_inputs,
    launches=lambda n, block: [Run("warp_reduce", cdiv(n, block), block, ("x", "out", "n"))],
    reference=_wr_ref,
    bytes=lambda n, block: 4 * n, flops=lambda n, block: n,
    # A butterfly of depth log2(256) = 8 over terms in [-1, 1): |err| <= 8 * eps * sum |x|,
    # sum |x| <= 256; as an absolute bound on mixed-sign sums, with ~sqrt slack, 2e-5.
    rtol=8 * EPS32, atol=2e-5,
    tags=("memory-bound", "warp", "shared"),
)


# ---------------------------------------------------------------- double dot product

def _dot_grid(n: int) -> int:
    return min(128, cdiv(n, 256))


def _dot_inputs(rng, n):
    return {"x": uniform(rng, n, 0.0, 1.0, np.float64), "y": uniform(rng, n, 0.0, 1.0, np.float64),
            "result": uniform(rng, 1, 1.0, 2.0, np.float64), "n": np.int32(n)}


def _dot_ref(d, n):
    # math.fsum of the products: the products themselves are exact in float64 only to 1/2 ulp,
    # which is far inside the tolerance.
    return {"result": np.array([math.fsum((d["x"] * d["y"]).tolist()) + d["result"][0]])}


DOT_DOUBLE = Spec(
    name="dot_double", source="dot_double.cu",
    sizes={"small": {"n": 5000}, "large": {"n": 1 << 23}},
    inputs=_dot_inputs,
    launches=lambda n: [Run("dot_double", _dot_grid(n), 256, ("x", "y", "result", "n"))],
    reference=_dot_ref,
    bytes=lambda n: 16 * n, flops=lambda n: 2 * n,
    # Positive terms: relative error <= (n / (256 * 128) + 8 + 128) * eps64 <= 400 eps64.
    rtol=400 * EPS64, atol=0.0,
    tags=("memory-bound", "double", "shared", "atomic"),
)


# ---------------------------------------------------------------- histogram

def _hist_inputs(rng, n):
    # A bell-shaped byte distribution, so popular bins see heavy atomic contention.
    data = np.clip(rng.normal(128, 40, size=n), 0, 255).astype(np.uint8)
    return {"data": data, "hist": rng.integers(0, 1000, size=256, dtype=np.uint32),
            "n": np.int32(n)}


HISTOGRAM = Spec(
    name="histogram", source="histogram.cu",
    sizes={"small": {"n": 10000}, "large": {"n": 1 << 24}},
    inputs=_hist_inputs,
    launches=lambda n: [Run("histogram256", min(64, cdiv(n, 256)), 256, ("data", "hist", "n"))],
    reference=lambda d, n: {"hist": d["hist"] + np.bincount(d["data"], minlength=256)
                            .astype(np.uint32)},
    bytes=lambda n: n + 2 * 4 * 256, flops=lambda n: n,
    tags=("memory-bound", "shared", "atomic", "integer"),
)


SPECS = [REDUCE_SHARED, REDUCE_ATOMIC, MINMAX_ATOMIC, WARP_REDUCE, DOT_DOUBLE, HISTOGRAM]
