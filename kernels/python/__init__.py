"""numba.cuda-style kernel programs (`from portable import cuda`), one program per module."""
