"""Integer kernels: bit intrinsics, hashing with unsigned wrap-around, C's signed division
rules, and a divergent Collatz loop. All compared exactly. References work in int64/uint64
(wide enough to hold every intermediate) and reduce modulo 2^32 explicitly where C wraps."""

from __future__ import annotations

import numpy as np
from portable.kernels import Run, Spec, cdiv, garbage

M32 = np.uint64(0xFFFFFFFF)


def bit_length(w: np.ndarray) -> np.ndarray:
    """Number of bits needed to write each w < 2^53 (0 for 0): the binary exponent of w."""
    return np.frexp(w.astype(np.float64))[1].astype(np.int64)  # w = m * 2^e, 0.5 <= m < 1


def bit(w: np.ndarray, k: int) -> np.ndarray:
    return (w.astype(np.uint64) >> np.uint64(k)) & np.uint64(1)


# ---------------------------------------------------------------- bit intrinsics

_SPECIAL = [0, 1, 2, 3, 0x80000000, 0x80000001, 0xFFFFFFFF, 0x7FFFFFFF, 0x00010000, 12345]


def _bit_inputs(rng, n):
    words = rng.integers(0, 2**32, size=n, dtype=np.uint32)
    # small magnitudes too, so leading-zero counts and next powers of two spread out
    words[1::3] >>= rng.integers(0, 32, size=words[1::3].size, dtype=np.uint32)
    words[: len(_SPECIAL)] = _SPECIAL
    return {"words": words, "pop": garbage(rng, n, np.int32), "lz": garbage(rng, n, np.int32),
            "rev": garbage(rng, n, np.uint32), "first": garbage(rng, n, np.int32),
            "npow2": garbage(rng, n, np.uint32), "n": np.int32(n)}


def _bit_ref(d, n):
    w = d["words"].astype(np.uint64)
    pop = sum(bit(w, k) for k in range(32))
    rev = sum(bit(w, k) << np.uint64(31 - k) for k in range(32))
    lowest = w & ((~w + np.uint64(1)) & M32)  # two's complement isolates the lowest set bit
    first = bit_length(lowest)  # its 1-based position; 0 when w == 0
    # the smallest power of two >= w; 0 where it is 2^32 or more, or w == 0 (C wraps around)
    npow2 = np.where((w == 0) | (w > np.uint64(2**31)), np.uint64(0),
                     np.uint64(1) << bit_length(np.maximum(w, np.uint64(1)) - np.uint64(1))
                     .astype(np.uint64))
    return {"pop": pop.astype(np.int32), "lz": (32 - bit_length(w)).astype(np.int32),
            "rev": rev.astype(np.uint32), "first": first.astype(np.int32),
            "npow2": npow2.astype(np.uint32)}


BITOPS = Spec(
    name="bitops", source="bitops.cu",
    sizes={"small": {"n": 5000}, "large": {"n": 1 << 24}},
    inputs=_bit_inputs,
    launches=lambda n: [Run("bitops", cdiv(n, 256), 256,
                            ("words", "pop", "lz", "rev", "first", "npow2", "n"))],
    reference=_bit_ref,
    bytes=lambda n: 24 * n, flops=lambda n: 16 * n,
    tags=("memory-bound", "integer"),
)


# ---------------------------------------------------------------- hashing and xorshift

_SEED, _ROUNDS, _NBUCKETS = 0x9E3779B9, 5, 1000


def _hash_inputs(rng, n):
    keys = np.arange(n, dtype=np.uint32) * np.uint32(7) + rng.integers(0, 2**32, dtype=np.uint32)
    return {"keys": keys, "hashes": garbage(rng, n, np.uint32),
            "randoms": garbage(rng, n, np.uint32), "buckets": garbage(rng, n, np.uint32),
            "seed": np.uint32(_SEED), "rounds": np.int32(_ROUNDS),
            "nbuckets": np.uint32(_NBUCKETS), "n": np.int32(n)}


def _hash_ref(d, n):
    h = d["keys"].astype(np.uint64) ^ np.uint64(_SEED)
    # MurmurHash3 fmix32: xor-shifts and multiplications modulo 2^32
    h ^= h >> np.uint64(16)
    h = (h * np.uint64(0x85EBCA6B)) & M32
    h ^= h >> np.uint64(13)
    h = (h * np.uint64(0xC2B2AE35)) & M32
    h ^= h >> np.uint64(16)
    s = h | np.uint64(1)
    for _ in range(_ROUNDS):  # xorshift32 with shifts (13, 17, 5), truncated to 32 bits
        s ^= (s << np.uint64(13)) & M32
        s ^= s >> np.uint64(17)
        s ^= (s << np.uint64(5)) & M32
    buckets = (s * np.uint64(_NBUCKETS)) >> np.uint64(32)  # floor(s * nbuckets / 2^32)
    return {"hashes": h.astype(np.uint32), "randoms": s.astype(np.uint32),
            "buckets": buckets.astype(np.uint32)}


HASH_RNG = Spec(
    name="hash_rng", source="hash_rng.cu",
    sizes={"small": {"n": 5000}, "large": {"n": 1 << 24}},
    inputs=_hash_inputs,
    launches=lambda n: [Run("hash_rng", cdiv(n, 256), 256,
                            ("keys", "hashes", "randoms", "buckets", "seed", "rounds",
                             "nbuckets", "n"))],
    reference=_hash_ref,
    bytes=lambda n: 16 * n, flops=lambda n: (11 + 6 * _ROUNDS + 1) * n,
    tags=("memory-bound", "integer"),
)


# ---------------------------------------------------------------- signed division rules

def _div_inputs(rng, n):
    a = rng.integers(-10**6, 10**6, size=n, dtype=np.int32)
    a[::5] = rng.integers(-20, 20, size=a[::5].size)  # |a| < |b| too: quotient 0, sign kept
    b = rng.integers(1, 1000, size=n, dtype=np.int32) * rng.choice([-1, 1], size=n).astype(
        np.int32)
    out = {k: garbage(rng, n, np.int32) for k in ("quot", "rem", "shr", "mixed")}
    return {"a": a, "b": b, **out, "n": np.int32(n)}


def _div_ref(d, n):
    a, b = d["a"].astype(np.int64), d["b"].astype(np.int64)
    q = np.sign(a) * np.sign(b) * (np.abs(a) // np.abs(b))  # C: truncate toward zero
    shift = np.arange(n) & 7
    return {"quot": q.astype(np.int32), "rem": (a - q * b).astype(np.int32),
            "shr": np.floor_divide(a, 2**shift).astype(np.int32),  # arithmetic shift = floor
            "mixed": (np.minimum(np.abs(a), np.abs(b)) - np.maximum(a, b)).astype(np.int32)}


INT_DIVMOD = Spec(
    name="int_divmod", source="int_divmod.cu",
    sizes={"small": {"n": 5000}, "large": {"n": 1 << 24}},
    inputs=_div_inputs,
    launches=lambda n: [Run("int_divmod", cdiv(n, 256), 256,
                            ("a", "b", "quot", "rem", "shr", "mixed", "n"))],
    reference=_div_ref,
    bytes=lambda n: 24 * n, flops=lambda n: 8 * n,
    tags=("memory-bound", "integer"),
)


# ---------------------------------------------------------------- Collatz

def _collatz_inputs(rng, n):
    start = rng.integers(1, 100_000, size=n, dtype=np.uint32)
    start[:4] = [1, 27, 77671, 2]  # 0 steps, a long one, the highest peak below 10^5, 1 step
    return {"start": start, "steps": garbage(rng, n, np.int32), "n": np.int32(n)}


def collatz_lengths(limit: int) -> np.ndarray:
    """steps[v] for 1 <= v <= limit by the recurrence steps(v) = 1 + steps(next(v)), walking
    each start only until it drops below itself (smaller values are already known)."""
    steps = [0] * (limit + 1)
    for v0 in range(2, limit + 1):
        v, k = v0, 0
        while v >= v0:
            v = 3 * v + 1 if v % 2 else v // 2
            k += 1
        steps[v0] = k + steps[v]
    return np.array(steps, np.int64)


def _collatz_ref(d, n):
    start = d["start"].astype(np.int64)
    return {"steps": collatz_lengths(int(start.max()))[start].astype(np.int32)}


COLLATZ = Spec(
    name="collatz", source="collatz.cu",
    sizes={"small": {"n": 4000}, "large": {"n": 1 << 24}},
    inputs=_collatz_inputs,
    launches=lambda n: [Run("collatz", cdiv(n, 128), 128, ("start", "steps", "n"))],
    reference=_collatz_ref,
    bytes=lambda n: 8 * n, flops=lambda n: 110 * 3 * n,  # ~110 steps on average
    tags=("compute-bound", "integer", "divergent"),
)


SPECS = [BITOPS, HASH_RNG, INT_DIVMOD, COLLATZ]
