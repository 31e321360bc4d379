"""Row-wise normalisations (softmax, layernorm) with shared-memory block reductions, and a
double-precision all-pairs n-body step tiled through shared memory."""

from __future__ import annotations

import numpy as np
from portable.kernels import EPS32, Run, Spec, f64, garbage, uniform

# ---------------------------------------------------------------- softmax

def _softmax_ref(d, rows, cols):
    x = f64(d["x"])
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return {"y": (e / e.sum(axis=1, keepdims=True)).astype(np.float32)}


_ROW_SIZES = {"small": {"rows": 12, "cols": 1000}, "large": {"rows": 4096, "cols": 4096}}

SOFTMAX = Spec(
    name="softmax", source="softmax.cu",
    sizes=_ROW_SIZES,
    inputs=lambda rng, rows, cols: {"x": (rng.standard_normal((rows, cols)) * 3)
                                    .astype(np.float32),
                                    "y": garbage(rng, (rows, cols), np.float32),
                                    "rows": np.int32(rows), "cols": np.int32(cols)},
    launches=lambda rows, cols: [Run("softmax_rows", rows, 128, ("x", "y", "rows", "cols"))],
    reference=_softmax_ref,
    bytes=lambda rows, cols: 12 * rows * cols, flops=lambda rows, cols: 6 * rows * cols,
    # x - max is rounded relative to |x - max| <= ~25, which is an absolute error in the
    # exponent, i.e. a relative error of 25 eps in each exp; expf adds ~2 ulp; the positive sum
    # adds (cols / 128 + 7) eps; all outputs are positive, so a relative tolerance suffices.
    rtol=64 * EPS32, atol=0.0,
    tags=("memory-bound", "shared"),
)


# ---------------------------------------------------------------- layernorm

_LN_EPS = np.float32(1e-5)


def _ln_inputs(rng, rows, cols):
    return {"x": (rng.standard_normal((rows, cols)) * 2 + 1).astype(np.float32),
            "gamma": uniform(rng, cols, 0.5, 1.5), "beta": uniform(rng, cols, -0.5, 0.5),
            "y": garbage(rng, (rows, cols), np.float32), "cols": np.int32(cols),
            "eps": _LN_EPS}


def _ln_ref(d, rows, cols):
    x = f64(d["x"])
    mean = x.mean(axis=1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=1, keepdims=True)  # population variance
    y = (x - mean) / np.sqrt(var + f64(_LN_EPS)) * f64(d["gamma"]) + f64(d["beta"])
    return {"y": y.astype(np.float32)}


LAYERNORM = Spec(
    name="layernorm", source="layernorm.cu",
    sizes=_ROW_SIZES,
    inputs=_ln_inputs,
    launches=lambda rows, cols: [Run("layernorm", rows, 128,
                                     ("x", "gamma", "beta", "y", "cols", "eps"))],
    reference=_ln_ref,
    bytes=lambda rows, cols: 12 * rows * cols, flops=lambda rows, cols: 8 * rows * cols,
    # The mean's error (~(cols / 128 + 7) eps * mean|x|) shifts every normalised value by a few
    # 1e-6 of sigma; rsqrtf adds 2 ulp relative; |y| <= ~6: atol 8e-6 and rtol 32 eps.
    rtol=32 * EPS32, atol=8e-6,
    tags=("memory-bound", "shared"),
)


# ---------------------------------------------------------------- n-body, double

_SOFT2 = 1e-4  # SOFTENING2 in nbody.cu


def _nb_inputs(rng, n):
    d = {c: uniform(rng, n, -1.0, 1.0, np.float64) for c in ("px", "py", "pz")}
    d["mass"] = uniform(rng, n, 0.5, 1.5, np.float64) / n
    for c in ("ax", "ay", "az"):
        d[c] = garbage(rng, n, np.float64)
    d["n"] = np.int32(n)
    return d


def _nb_ref(d, n):
    px, py, pz, m = d["px"], d["py"], d["pz"], d["mass"]
    acc = {"ax": np.empty(n), "ay": np.empty(n), "az": np.empty(n)}
    for s in range(0, n, 512):  # rows in chunks, so the pair matrices stay small
        e = min(n, s + 512)
        # a_i = sum_j m_j (p_j - p_i) / (|p_j - p_i|^2 + softening^2)^(3/2)
        dx, dy, dz = (q[None, :] - q[s:e, None] for q in (px, py, pz))
        r2 = dx * dx + dy * dy + dz * dz + _SOFT2
        w = m[None, :] / (r2 * np.sqrt(r2))
        acc["ax"][s:e], acc["ay"][s:e], acc["az"][s:e] = ((c * w).sum(axis=1)
                                                          for c in (dx, dy, dz))
    return acc


NBODY = Spec(
    name="nbody", source="nbody.cu",
    sizes={"small": {"n": 1000}, "large": {"n": 16384}},
    inputs=_nb_inputs,
    launches=lambda n: [Run("nbody_accel", -(-n // 128), 128,
                            ("px", "py", "pz", "mass", "ax", "ay", "az", "n"))],
    reference=_nb_ref,
    bytes=lambda n: 56 * n, flops=lambda n: 20 * n * n,
    # n terms each within a few ulp (rsqrt: 1 ulp, then ~10 roundings); |acc| ~ 1 and the terms
    # are <= m / (2.6 * softening) ~ 0.04: |err| <= n * 10 * eps64 * 0.04 ~ 1e-13.
    rtol=1e-10, atol=1e-11,
    tags=("compute-bound", "double", "shared"),
)


SPECS = [SOFTMAX, LAYERNORM, NBODY]
