"""Reverse each block's slice through dynamic shared memory (shape 0, sized at launch with
kernel[grid, block, stream, bytes]), with threadfence_block."""

import numpy as np

from portable import cuda

F64 = np.dtype(np.float64)  # a dtype instance: numba's simulator cannot size np.float64 itself


@cuda.jit
def block_reverse(x, out):
    buf = cuda.shared.array(0, dtype=F64)
    t = cuda.threadIdx.x
    n = cuda.blockDim.x
    base = cuda.blockIdx.x * n
    if base + t < x.size:
        buf[t] = x[base + t]
    cuda.threadfence_block()
    cuda.syncthreads()
    src = base + n - 1 - t
    if base + t < x.size and src < x.size:
        out[base + t] = buf[n - 1 - t]
    elif base + t < x.size:
        out[base + t] = -1.0
