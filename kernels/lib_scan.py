"""Prefix sums: a work-efficient (Blelloch) exclusive scan within blocks, and a full inclusive
scan of any length built from per-block scans, a recursive scan of the block totals and an
offset pass (the launch list grows a level per factor of 256)."""

from __future__ import annotations

import numpy as np
from portable.kernels import EPS32, Run, Spec, cdiv, f64, garbage, uniform

# ---------------------------------------------------------------- Blelloch block scan

_SEG = 256  # elements per block: 2 * BLOCK in block_scan.cu


def _bs_inputs(rng, n):
    return {"x": uniform(rng, n, 0.0, 1.0), "out": garbage(rng, n, np.float32), "n": np.int32(n)}


def _bs_ref(d, n):
    x = f64(d["x"])
    out = np.empty(n)
    for s in range(0, n, _SEG):  # exclusive prefix sums restarting at each segment
        seg = x[s:s + _SEG]
        out[s:s + _SEG] = np.concatenate(([0.0], np.cumsum(seg)[:-1]))
    return {"out": out.astype(np.float32)}


BLOCK_SCAN = Spec(
    name="block_scan", source="block_scan.cu",
    sizes={"small": {"n": 3000}, "large": {"n": 1 << 24}},
    inputs=_bs_inputs,
    launches=lambda n: [Run("block_scan", cdiv(n, _SEG), _SEG // 2, ("x", "out", "n"))],
    reference=_bs_ref,
    bytes=lambda n: 8 * n, flops=lambda n: 2 * n,
    # Each output is a sum of positive terms through at most 2 * log2(256) = 16 tree adds, so
    # its relative error is at most 16 eps; the first of each segment is exactly 0.
    rtol=16 * EPS32, atol=0.0,
    tags=("memory-bound", "shared"),
)


# ---------------------------------------------------------------- full multi-block scan

_B = 256  # BLOCK in scan.cu


def _levels(n: int) -> list[int]:
    """Array length at each level: the data, its block totals, their block totals, ..."""
    m = [n]
    while m[-1] > _B:
        m.append(cdiv(m[-1], _B))
    return m


def _names(k: int) -> tuple[str, str]:
    """(input, output) buffer names of level k."""
    return ("x", "out") if k == 0 else (f"sums{k}", f"scan{k}")


def _scan_inputs(rng, n):
    m = _levels(n)
    d = {"x": rng.integers(0, 100, size=n, dtype=np.int32), "out": garbage(rng, n, np.int32),
         "total": garbage(rng, 1, np.int32)}
    for k, size in enumerate(m):
        d[f"n{k}"] = np.int32(size)
        if k:
            d[f"sums{k}"] = garbage(rng, size, np.int32)
            d[f"scan{k}"] = garbage(rng, size, np.int32)
    return d


def _scan_launches(n):
    m = _levels(n)
    runs = []
    for k, size in enumerate(m):  # up: scan each level, writing the next level's input
        src, dst = _names(k)
        sums = f"sums{k + 1}" if k + 1 < len(m) else "total"
        runs.append(Run("scan_blocks", cdiv(size, _B), _B, (src, dst, sums, f"n{k}")))
    for k in range(len(m) - 2, -1, -1):  # down: add each block's predecessors' total
        runs.append(Run("add_block_offsets", cdiv(m[k], _B), _B,
                        (_names(k)[1], _names(k + 1)[1], f"n{k}")))
    return runs


def _scan_ref(d, n):
    x = d["x"].astype(np.int64)  # values < 100, so no partial sum leaves int32's range
    return {"out": np.cumsum(x).astype(np.int32), "total": np.array([x.sum()], np.int32)}


SCAN = Spec(
    name="scan", source="scan.cu",
    # small: 70000 -> 274 -> 2, three levels; large: 2^24 -> 65536 -> 256, three levels
    sizes={"small": {"n": 70000}, "large": {"n": 1 << 24}},
    inputs=_scan_inputs,
    launches=_scan_launches,
    reference=_scan_ref,
    bytes=lambda n: 12 * n, flops=lambda n: 2 * n,
    tags=("memory-bound", "shared", "integer"),
)


SPECS = [BLOCK_SCAN, SCAN]
