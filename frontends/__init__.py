"""CUDA C frontend and numba.cuda-style Python frontend."""
