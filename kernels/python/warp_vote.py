"""Warp-level primitives: shfl_down_sync/shfl_xor_sync reductions, ballot_sync + popc,
all_sync/any_sync, syncwarp, laneid and warpsize."""

import numpy as np

from portable import cuda

FULL = 0xFFFFFFFF


@cuda.jit(device=True)
def warp_sum(v):
    offset = cuda.warpsize // 2
    while offset > 0:
        v += cuda.shfl_down_sync(FULL, v, offset)
        offset //= 2
    return v


@cuda.jit
def warp_stats(x, sums, maxes, positives, flags):
    i = cuda.grid(1)
    lane = cuda.laneid
    warp = i // 32
    v = x[i] if i < x.size else np.int32(0)
    s = warp_sum(v)
    m = v
    for k in (16, 8, 4, 2, 1):
        m = max(m, cuda.shfl_xor_sync(FULL, m, k))
    cuda.syncwarp()
    ballot = cuda.ballot_sync(FULL, v > 0)
    everyone = cuda.all_sync(FULL, v > -1000)
    someone = cuda.any_sync(FULL, v == 7)
    if lane == 0 and warp < sums.size:
        sums[warp] = s
        positives[warp] = cuda.popc(ballot)
        flags[warp] = (1 if everyone else 0) + (2 if someone else 0)
    if lane == 3 and warp < maxes.size:
        maxes[warp] = m
