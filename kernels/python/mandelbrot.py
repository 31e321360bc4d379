"""Mandelbrot escape times: a while loop with break, simultaneous tuple assignment, int output,
2-d launch with cuda.grid(2) and arrays indexed [row, col]."""

from portable import cuda


@cuda.jit(device=True)
def escape(cr, ci, max_iter):
    zr, zi = 0.0, 0.0
    n = 0
    while n < max_iter:
        if zr * zr + zi * zi > 4.0:
            break
        zr, zi = zr * zr - zi * zi + cr, 2.0 * zr * zi + ci
        n += 1
    return n


@cuda.jit
def mandelbrot(image, x0, y0, dx, dy, max_iter):
    col, row = cuda.grid(2)
    height, width = image.shape
    if row < height and col < width:
        image[row, col] = escape(x0 + col * dx, y0 + row * dy, max_iter)
