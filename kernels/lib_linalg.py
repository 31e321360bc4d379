"""Dense linear algebra: naive and shared-tiled matmul, a padded-tile transpose and gemv.
References are float64 products of the float32 inputs. A float32 dot product of length K
with terms in [-1, 1] has absolute error below K * eps in the worst case and about
sqrt(K) * eps * |partial sums| in practice; the tolerances sit between the two."""

from __future__ import annotations

import numpy as np
from portable.kernels import EPS32, Run, Spec, cdiv, f64, garbage, uniform

# ---------------------------------------------------------------- matmul

def _mm_inputs(rng, M, N, K):
    return {"A": uniform(rng, (M, K)), "B": uniform(rng, (K, N)),
            "C": garbage(rng, (M, N), np.float32),
            "M": np.int32(M), "N": np.int32(N), "K": np.int32(K)}


def _mm_ref(d, M, N, K):
    return {"C": (f64(d["A"]) @ f64(d["B"])).astype(np.float32)}


# sizes: small has ragged edges in every dimension (none a multiple of the 16-wide tile)
_MM_SIZES = {"small": {"M": 50, "N": 70, "K": 45}, "large": {"M": 1024, "N": 1024, "K": 1024}}
# |C| ~ sqrt(K) / 3; sequential accumulation error ~ sqrt(K) * eps * |C| <= 1024^(1/2) * 11 eps
# at K = 1024, ~4e-5; an element wrong by one term (~1/3) is far outside.
_MM_TOL = {"rtol": 64 * EPS32, "atol": 1e-4}

MATMUL_NAIVE = Spec(
    name="matmul_naive", source="matmul_naive.cu",
    sizes=_MM_SIZES,
    inputs=_mm_inputs,
    launches=lambda M, N, K: [Run("matmul_naive", (cdiv(N, 16), cdiv(M, 16)), (16, 16),
                                  ("A", "B", "C", "M", "N", "K"))],
    reference=_mm_ref,
    bytes=lambda M, N, K: 4 * (M * K + K * N + M * N), flops=lambda M, N, K: 2 * M * N * K,
    **_MM_TOL,
    tags=("compute-bound",),
)

MATMUL_TILED = Spec(
    name="matmul_tiled", source="matmul_tiled.cu",
    sizes=_MM_SIZES,
    inputs=_mm_inputs,
    launches=lambda M, N, K: [Run("matmul_tiled", (cdiv(N, 16), cdiv(M, 16)), (16, 16),
                                  ("A", "B", "C", "M", "N", "K"))],
    reference=_mm_ref,
    bytes=lambda M, N, K: 4 * (M * K + K * N + M * N), flops=lambda M, N, K: 2 * M * N * K,
    **_MM_TOL,
    tags=("compute-bound", "shared"),
)


# ---------------------------------------------------------------- transpose

def _tr_inputs(rng, rows, cols):
    return {"odata": garbage(rng, (cols, rows), np.float32), "idata": uniform(rng, (rows, cols)),
            "rows": np.int32(rows), "cols": np.int32(cols)}


TRANSPOSE = Spec(
    name="transpose", source="transpose.cu",
    sizes={"small": {"rows": 100, "cols": 70}, "large": {"rows": 4096, "cols": 4096}},
    inputs=_tr_inputs,
    launches=lambda rows, cols: [Run("transpose", (cdiv(cols, 32), cdiv(rows, 32)), (32, 8),
                                     ("odata", "idata", "rows", "cols"))],
    reference=lambda d, rows, cols: {"odata": d["idata"].T.copy()},
    bytes=lambda rows, cols: 8 * rows * cols, flops=lambda rows, cols: 0,
    rtol=0.0, atol=0.0,  # a copy: exact
    tags=("memory-bound", "shared"),
)


# ---------------------------------------------------------------- gemv

def _gemv_inputs(rng, rows, cols):
    return {"A": uniform(rng, (rows, cols)), "x": uniform(rng, cols), "y": uniform(rng, rows),
            "rows": np.int32(rows), "cols": np.int32(cols), "alpha": np.float32(1.5),
            "beta": np.float32(-0.75)}


def _gemv_ref(d, rows, cols):
    y = f64(d["alpha"]) * (f64(d["A"]) @ f64(d["x"])) + f64(d["beta"]) * f64(d["y"])
    return {"y": y.astype(np.float32)}


GEMV = Spec(
    name="gemv", source="gemv.cu",
    sizes={"small": {"rows": 40, "cols": 1000}, "large": {"rows": 4096, "cols": 4096}},
    inputs=_gemv_inputs,
    launches=lambda rows, cols: [Run("gemv", rows, 128,
                                     ("A", "x", "y", "rows", "cols", "alpha", "beta"))],
    reference=_gemv_ref,
    bytes=lambda rows, cols: 4 * (rows * cols + cols + 2 * rows),
    flops=lambda rows, cols: 2 * rows * cols + 3 * rows,
    # Per-thread chains of cols / 128 terms, then a 7-level tree: like matmul with K = cols.
    **_MM_TOL,
    tags=("memory-bound", "shared"),
)


SPECS = [MATMUL_NAIVE, MATMUL_TILED, TRANSPOSE, GEMV]
