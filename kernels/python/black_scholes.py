"""Black-Scholes option pricing (numba's classic example): math.exp/log/sqrt/erf in a device
function, module-level constants, float64 arithmetic, `**`, an early return and a conditional
expression."""

import math

from portable import cuda

RISKFREE = 0.02
VOLATILITY = 0.30


@cuda.jit(device=True)
def cnd(d):
    return 0.5 * (1.0 + math.erf(d / math.sqrt(2.0)))


@cuda.jit
def black_scholes(call, put, stock, strike, years):
    i = cuda.grid(1)
    if i >= stock.shape[0]:
        return
    S = stock[i]
    X = strike[i]
    T = years[i]
    sqrt_t = math.sqrt(T)
    d1 = (math.log(S / X) + (RISKFREE + 0.5 * VOLATILITY ** 2) * T) / (VOLATILITY * sqrt_t)
    d2 = d1 - VOLATILITY * sqrt_t
    exp_rt = math.exp(-RISKFREE * T)
    c = S * cnd(d1) - X * exp_rt * cnd(d2)
    call[i] = c
    put[i] = c - S + X * exp_rt if T > 0 else max(X - S, 0.0)
