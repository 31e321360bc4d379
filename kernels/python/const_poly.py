"""Polynomial and transcendental evaluation in float32: a cuda.const.array_like table,
Horner's rule with cuda.fma, math functions that keep float32, cuda.selp and cuda.cbrt."""

import math

import numpy as np

from portable import cuda

COEFFS = np.array([0.25, -1.5, 0.75, 2.0, -0.125, 0.0625], dtype=np.float32)


@cuda.jit
def poly(x, y):
    c = cuda.const.array_like(COEFFS)
    i = cuda.grid(1)
    if i < x.size:
        v = x[i]
        acc = c[c.size - 1]
        for k in range(c.size - 2, -1, -1):
            acc = cuda.fma(acc, v, c[k])
        s = math.sin(v) * math.exp(-v * v)
        y[i, 0] = acc
        y[i, 1] = s
        y[i, 2] = cuda.selp(v > 0, cuda.cbrt(v), math.sqrt(abs(v)))
        y[i, 3] = math.floor(v * np.float32(4)) + round(v * 10) / np.float32(10)
