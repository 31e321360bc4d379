"""cuRAND's default device generator (XORWOW) for `curand_kernel.h`.

The generator itself is device code in the shipped header (include/curand_kernel.h), written
from cuRAND's published algorithm: curand_init's seed mixing, `curand()`'s xorshift + Weyl
step, uniform and Box-Muller normal variates. What the header cannot hold is skip-ahead by
whole subsequences (2^67 steps each): `curand_init(seed, subsequence, ...)` multiplies the
160-bit xorshift state by A^(2^(67+i)) for each set bit i of `subsequence`, A being the
generator's one-step GF(2) matrix. Those 64 matrices are computed here (by squaring) and given to
the module as a hidden `__device__` table, `__portable_xorwow_jump` (the Weyl counter `d` needs
no skip: 2^67 steps add a multiple of 2^32 to it).
"""

from __future__ import annotations

from functools import cache

import numpy as np

NAME = "__portable_xorwow_jump"
JUMPS = 64  # one matrix per bit of the 64-bit subsequence
BITS = 160  # the five 32-bit words v[0..4]
SPACING = 67  # log2 of the subsequence length


def step(v: list[int]) -> list[int]:
    """One xorshift step of the five state words (the d counter apart)."""
    t = (v[0] ^ (v[0] >> 2)) & 0xFFFFFFFF
    new = (v[4] ^ (v[4] << 4) ^ t ^ (t << 1)) & 0xFFFFFFFF
    return [v[1], v[2], v[3], v[4], new]


def _bits(v: list[int]) -> np.ndarray:
    return np.array([(v[j >> 5] >> (j & 31)) & 1 for j in range(BITS)], np.uint8)


@cache
def table() -> tuple[int, ...]:
    """The jump table, flattened: [i][j][w] is word w of A^(2^(67+i)) applied to the unit
    state with only bit j set (bit j = bit j % 32 of word j // 32)."""
    a = np.zeros((BITS, BITS), np.int64)  # a[:, j] = A e_j
    for j in range(BITS):
        e = [0] * 5
        e[j >> 5] = 1 << (j & 31)
        a[:, j] = _bits(step(e))
    for _ in range(SPACING):
        a = (a @ a) & 1
    out = np.zeros((JUMPS, BITS, 5), np.uint64)
    weights = (np.uint64(1) << np.arange(32, dtype=np.uint64))
    for i in range(JUMPS):
        cols = a.T.reshape(BITS, 5, 32).astype(np.uint64)  # [j][w][bit]
        out[i] = (cols * weights).sum(axis=2)
        a = (a @ a) & 1
    return tuple(int(x) for x in out.reshape(-1))
