"""Block-wide inclusive scan (Hillis-Steele, double-buffered in a 2-d shared array) and the
barrier votes syncthreads_count / syncthreads_and / syncthreads_or."""

import numpy as np

from portable import cuda

BLOCK = 256


@cuda.jit
def block_scan(x, out, counts):
    buf = cuda.shared.array((2, BLOCK), dtype=np.int64)
    t = cuda.threadIdx.x
    i = cuda.blockIdx.x * cuda.blockDim.x + t
    v = x[i] if i < x.size else 0
    buf[0, t] = v
    cuda.syncthreads()
    src = 0
    d = 1
    while d < cuda.blockDim.x:
        if t >= d:
            buf[1 - src, t] = buf[src, t] + buf[src, t - d]
        else:
            buf[1 - src, t] = buf[src, t]
        src = 1 - src
        cuda.syncthreads()
        d *= 2
    if i < x.size:
        out[i] = buf[src, t]
    n_odd = cuda.syncthreads_count(v % 2 == 1)
    all_small = cuda.syncthreads_and(v < 90)
    any_big = cuda.syncthreads_or(v > 95)
    if t == 0:
        b = cuda.blockIdx.x
        counts[b, 0] = n_odd
        counts[b, 1] = all_small
        counts[b, 2] = any_big != 0
