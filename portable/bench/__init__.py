"""The benchmark driver behind `portable bench` (issue 10).

measure     the timing method: warm-up, repetitions until the median is pinned down, statistics
provenance  where and with what it ran: CPU and flags, memory, GPUs, versions, compilers, load
peers       hand C/OpenMP, numpy-vectorised, numba parallel and numba-simulator peers
driver      the kernel x implementation matrix on this machine -> report dict
cases       user kernels (--file/--arg, --spec)
report      terminal table, markdown, CSV, JSON, headline ratios
roofline    the roofline plot (PNG and SVG)
compare     two reports side by side
cluster     the matrix on every worker of a Dask distributed cluster
"""

from portable.bench.driver import Plan, run_plan
from portable.bench.measure import Method

__all__ = ["Method", "Plan", "run_plan"]
