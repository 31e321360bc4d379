"""numba.cuda-style Python frontend."""
