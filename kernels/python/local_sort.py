"""Per-thread insertion sort in a cuda.local.array, a reversed range (negative step), .ndim and
a row-wise 2-d layout; writes each row's median and the row sorted in descending order."""

import numpy as np

from portable import cuda

K = 9


@cuda.jit
def row_sort(rows, medians, desc):
    r = cuda.grid(1)
    if r >= rows.shape[0] or rows.ndim != 2:
        return
    tmp = cuda.local.array(K, np.float32)
    for j in range(K):
        tmp[j] = rows[r, j]
    for j in range(1, K):
        key = tmp[j]
        k = j - 1
        while k >= 0 and tmp[k] > key:
            tmp[k + 1] = tmp[k]
            k -= 1
        tmp[k + 1] = key
    medians[r] = tmp[K // 2]
    for j in range(K - 1, -1, -1):
        desc[r, K - 1 - j] = tmp[j]
