"""Block reduction in shared memory, then one atomic per block: a while loop halving the
stride, `//=`, cuda.atomic.add and a float32 accumulator made explicit with np.float32."""

import numpy as np

from portable import cuda

THREADS = 128


@cuda.jit
def reduce_sum(x, total):
    partial = cuda.shared.array(THREADS, np.float32)
    tid = cuda.threadIdx.x
    acc = np.float32(0)
    i = cuda.grid(1)
    while i < x.shape[0]:
        acc += x[i]
        i += cuda.gridsize(1)
    partial[tid] = acc
    cuda.syncthreads()
    s = cuda.blockDim.x // 2
    while s > 0:
        if tid < s:
            partial[tid] += partial[tid + s]
        cuda.syncthreads()
        s //= 2
    if tid == 0:
        cuda.atomic.add(total, 0, partial[0])
