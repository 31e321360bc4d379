"""SAXPY with a grid-stride loop: cuda.grid/gridsize, .size, a float32 scalar argument."""

from portable import cuda


@cuda.jit
def saxpy(a, x, y, out):
    start = cuda.grid(1)
    stride = cuda.gridsize(1)
    for i in range(start, out.size, stride):
        out[i] = a * x[i] + y[i]
