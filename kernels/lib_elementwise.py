"""Elementwise kernels: saxpy, a fused bias+GELU, a grid-stride loop, 64-bit indexing and
Black-Scholes. References compute in float64 from the float32 inputs and round once; the
tolerances bound the float32 rounding of the kernel's few operations."""

from __future__ import annotations

import math

import numpy as np
from portable.kernels import EPS32, Run, Spec, cdiv, f64, garbage, uniform

_erf = np.frompyfunc(math.erf, 1, 1)


def erf(x: np.ndarray) -> np.ndarray:
    """The error function in float64 (numpy has none; math.erf is correctly rounded-ish)."""
    return _erf(f64(x)).astype(np.float64)


# ---------------------------------------------------------------- saxpy

def _saxpy_inputs(rng, n):
    return {"n": np.int32(n), "a": np.float32(2.5), "x": uniform(rng, n), "y": uniform(rng, n)}


def _saxpy_ref(d, n):
    return {"y": (f64(d["a"]) * f64(d["x"]) + f64(d["y"])).astype(np.float32)}


SAXPY = Spec(
    name="saxpy", source="saxpy.cu",
    sizes={"small": {"n": 5000}, "large": {"n": 1 << 24}},
    inputs=_saxpy_inputs,
    launches=lambda n: [Run("saxpy", cdiv(n, 256), 256, ("n", "a", "x", "y"))],
    reference=_saxpy_ref,
    bytes=lambda n: 12 * n, flops=lambda n: 2 * n,
    # Two roundings (one if fused): |err| <= eps * (|a x| + |y|) <= 3.5 eps with |x|,|y| < 1;
    # the absolute term covers cancellation when a x ~ -y.
    rtol=2 * EPS32, atol=4 * EPS32,
    tags=("memory-bound",),
)


# ---------------------------------------------------------------- bias + GELU

def _gelu_inputs(rng, rows, cols):
    return {"x": (rng.standard_normal((rows, cols)) * 2).astype(np.float32),
            "bias": uniform(rng, cols), "y": garbage(rng, (rows, cols), np.float32),
            "rows": np.int32(rows), "cols": np.int32(cols)}


def _gelu_ref(d, rows, cols):
    v = f64(d["x"]) + f64(d["bias"])[None, :]
    return {"y": (v * 0.5 * (1.0 + erf(v / math.sqrt(2.0)))).astype(np.float32)}


BIAS_GELU = Spec(
    name="bias_gelu", source="bias_gelu.cu",
    sizes={"small": {"rows": 16, "cols": 300}, "large": {"rows": 4096, "cols": 4096}},
    inputs=_gelu_inputs,
    launches=lambda rows, cols: [Run("bias_gelu", (cdiv(cols, 128), rows), 128,
                                     ("x", "bias", "y", "rows", "cols"))],
    reference=_gelu_ref,
    bytes=lambda rows, cols: 8 * rows * cols + 4 * cols,
    flops=lambda rows, cols: 6 * rows * cols,
    # erff is within 2 ulp and the float ops add a few more; for negative v the 1 + erf term
    # cancels, so the error is absolute: about 0.5 |v| * 4 eps <= 2e-6 for |v| < 8.
    rtol=32 * EPS32, atol=2e-6,
    tags=("memory-bound",),
)


# ---------------------------------------------------------------- grid-stride Horner

_C = (0.5, -1.25, 0.75, 2.0)


def _poly_inputs(rng, n, grid, block):
    return {"x": uniform(rng, n), "y": garbage(rng, n, np.float32), "n": np.int32(n),
            **{f"c{k}": np.float32(c) for k, c in enumerate(_C)}}


def _poly_ref(d, n, grid, block):
    x = f64(d["x"])
    return {"y": sum(c * x**k for k, c in enumerate(_C)).astype(np.float32)}


POLY_GRIDSTRIDE = Spec(
    name="poly_gridstride", source="poly_gridstride.cu",
    # small: 512 threads walk 5000 elements, ~10 iterations each, the last one ragged
    sizes={"small": {"n": 5000, "grid": 4, "block": 128},
           "large": {"n": 1 << 24, "grid": 1024, "block": 256}},
    inputs=_poly_inputs,
    launches=lambda n, grid, block: [Run("poly_gridstride", grid, block,
                                         ("x", "y", "n", "c0", "c1", "c2", "c3"))],
    reference=_poly_ref,
    bytes=lambda n, grid, block: 8 * n, flops=lambda n, grid, block: 6 * n,
    # Six roundings, each relative to a partial Horner value bounded by sum |c_k| = 4.5:
    # |err| <= 6 * 4.5 * eps / 2 < 2e-6.
    rtol=4 * EPS32, atol=2e-6,
    tags=("memory-bound",),
)


# ---------------------------------------------------------------- vector add, 64-bit indices

def _vadd_inputs(rng, n):
    return {"a": rng.standard_normal(n).astype(np.float32),
            "b": rng.standard_normal(n).astype(np.float32),
            "c": garbage(rng, n, np.float32), "n": np.int64(n)}


VADD_I64 = Spec(
    name="vadd_i64", source="vadd_i64.cu",
    sizes={"small": {"n": 5000}, "large": {"n": 1 << 24}},
    inputs=_vadd_inputs,
    launches=lambda n: [Run("vadd_i64", cdiv(n, 256), 256, ("a", "b", "c", "n"))],
    # The float64 sum of two float32 values is exact, so rounding it once is exactly IEEE
    # float32 addition: the comparison is exact.
    reference=lambda d, n: {"c": (f64(d["a"]) + f64(d["b"])).astype(np.float32)},
    bytes=lambda n: 12 * n, flops=lambda n: n,
    rtol=0.0, atol=0.0,
    tags=("memory-bound",),
)


# ---------------------------------------------------------------- Black-Scholes

_R, _V = 0.02, 0.30


def _bs_inputs(rng, n):
    return {"call": garbage(rng, n, np.float32), "put": garbage(rng, n, np.float32),
            "price": uniform(rng, n, 5.0, 30.0), "strike": uniform(rng, n, 1.0, 100.0),
            "years": uniform(rng, n, 0.25, 10.0), "riskfree": np.float32(_R),
            "volatility": np.float32(_V), "n": np.int32(n)}


def _bs_ref(d, n):
    s, x, t = f64(d["price"]), f64(d["strike"]), f64(d["years"])
    r, v = float(np.float32(_R)), float(np.float32(_V))
    d1 = (np.log(s / x) + (r + v * v / 2) * t) / (v * np.sqrt(t))
    d2 = d1 - v * np.sqrt(t)
    phi = lambda z: 0.5 * (1.0 + erf(z / math.sqrt(2.0)))  # standard normal CDF
    n1, n2 = phi(d1), phi(d2)
    disc = x * np.exp(-r * t)
    # put by its own formula, X e^(-rT) N(-d2) - S N(-d1), with N(-d) = 1 - N(d)
    return {"call": (s * n1 - disc * n2).astype(np.float32),
            "put": (disc * (1.0 - n2) - s * (1.0 - n1)).astype(np.float32)}


BLACK_SCHOLES = Spec(
    name="black_scholes", source="black_scholes.cu",
    sizes={"small": {"n": 4000}, "large": {"n": 1 << 24}},
    inputs=_bs_inputs,
    launches=lambda n: [Run("black_scholes", cdiv(n, 128), 128,
                            ("call", "put", "price", "strike", "years", "riskfree",
                             "volatility", "n"))],
    reference=_bs_ref,
    bytes=lambda n: 20 * n, flops=lambda n: 45 * n,
    # Prices are differences of terms up to S, X < 100: the float32 evaluation of d1 (log, sqrt,
    # a division) and of the two CDFs leaves an absolute error of a few ulp of 100 (~8e-6 per
    # ulp); the put's 1 - N(d) cancels the same way. A float32 emulation errs by <= 3e-6.
    rtol=1e-5, atol=3e-5,
    tags=("memory-bound",),
)


SPECS = [SAXPY, BIAS_GELU, POLY_GRIDSTRIDE, VADD_I64, BLACK_SCHOLES]
