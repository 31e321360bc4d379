"""Integer semantics as Python/numba define them: floor // and %, integer **, shifts and
masks, chained comparisons, and/or/not, abs/min/max, and the bit intrinsics clz/ffs/brev/popc."""

import numpy as np

from portable import cuda


@cuda.jit
def int_ops(a, b, out):
    i = cuda.grid(1)
    if i >= a.size:
        return
    x = a[i]
    y = b[i]
    out[i, 0] = x // y
    out[i, 1] = x % y
    out[i, 2] = (x % 7) ** 3
    out[i, 3] = (x << 3) ^ (y >> 2) | (x & 0xFF)
    out[i, 4] = 1 if -100 < x <= 100 and not y < 0 else 0
    out[i, 5] = abs(x) + min(x, y) - max(x, y, 5)
    u = np.uint32(x)
    out[i, 6] = cuda.popc(u) + cuda.clz(u) * 64 + cuda.ffs(u) * 4096
    out[i, 7] = np.int64(cuda.brev(u))
    out[i, 8] = -x // 3 + int(x / y * 10)
