"""Histogram with privatised shared-memory bins: shared int32 array, cuda.atomic.add on shared
and global memory, Python floor division and modulo on negative numbers."""

import numpy as np

from portable import cuda

NBINS = 64


@cuda.jit
def histogram(data, lo, width, bins):
    local_bins = cuda.shared.array(NBINS, np.int32)
    t = cuda.threadIdx.x
    for b in range(t, NBINS, cuda.blockDim.x):
        local_bins[b] = 0
    cuda.syncthreads()
    for i in range(cuda.grid(1), data.size, cuda.gridsize(1)):
        # floor semantics: values below lo fall into negative bins, wrapped by Python's %
        b = (data[i] - lo) // width % NBINS
        cuda.atomic.add(local_bins, b, 1)
    cuda.syncthreads()
    for b in range(t, NBINS, cuda.blockDim.x):
        if local_bins[b] != 0:
            cuda.atomic.add(bins, b, local_bins[b])
