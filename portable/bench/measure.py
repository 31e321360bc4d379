"""The timing method, one for every backend and peer (and every machine of a cluster).

1. The first call is the correctness check; it also compiles and warms caches (untimed).
2. `warmup` more untimed calls (skipped when one call alone exceeds the budget).
3. Timed repetitions, each preceded by an untimed `reset` that restores the written buffers, so
   every repetition does the same work on the same data, until the median is pinned down: the
   distribution-free 95% confidence interval of the median (order statistics) is narrower than
   `rel_ci` of the median, after at least `min_reps`; or the time `budget` (resets included)
   or `max_reps` runs out. A call slower than the whole budget is timed once.
4. Reported: median, min, max, mean, the interquartile spread (IQR / median) and the range
   spread ((max - min) / median), the CI width and why the loop stopped.
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Method:
    """The knobs of the timing loop; recorded in every result file."""

    budget_s: float = 1.0  # wall-clock seconds of timed repetitions per kernel x implementation
    warmup: int = 1  # untimed calls after the correctness check
    min_reps: int = 5
    max_reps: int = 200
    rel_ci: float = 0.02  # stop when the 95% CI of the median is within +-2% of it

    def as_dict(self) -> dict:
        return asdict(self) | {"timer": "time.perf_counter", "statistic": "median",
                               "stop": "95% order-statistic CI of the median < rel_ci, "
                                       "or budget, or max_reps"}


def median_ci(times: list[float]) -> tuple[float, float]:
    """A distribution-free ~95% confidence interval of the median: order statistics
    n/2 -+ 0.98 sqrt(n) (the normal approximation to the binomial)."""
    s = sorted(times)
    n = len(s)
    if n < 6:
        return s[0], s[-1]
    h = 0.98 * math.sqrt(n)
    lo = max(0, math.floor(n / 2 - h) - 1)
    hi = min(n - 1, math.ceil(n / 2 + h) - 1)
    return s[lo], s[hi]


def summarise(times: list[float], stop: str) -> dict:
    """The statistics of one timed series (seconds)."""
    med = statistics.median(times)
    q = statistics.quantiles(times, n=4) if len(times) >= 2 else [times[0]] * 3
    lo, hi = median_ci(times)
    return {
        "reps": len(times), "median_s": med, "min_s": min(times), "max_s": max(times),
        "mean_s": statistics.fmean(times),
        "spread": (max(times) - min(times)) / med if med else 0.0,
        "iqr_spread": (q[2] - q[0]) / med if med else 0.0,
        "ci95_rel": (hi - lo) / (2 * med) if med else 0.0,
        "stop": stop,
    }


def measure(fn: Callable[[], object], method: Method,
            reset: Callable[[], object] | None = None) -> dict:
    """Time `fn` by the method (its first correctness-checked call already done by the caller)."""
    reset = reset or (lambda: None)
    start = time.perf_counter()
    for _ in range(method.warmup):
        reset()
        t0 = time.perf_counter()
        fn()
        if time.perf_counter() - t0 > method.budget_s:
            break
    times: list[float] = []
    stop = "max_reps"
    while len(times) < method.max_reps:
        reset()
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
        if len(times) == 1 and times[0] > method.budget_s:
            stop = "slow"  # one call exceeds the budget: a single timing is all we can afford
            break
        if len(times) >= method.min_reps:
            med = statistics.median(times)
            lo, hi = median_ci(times)
            if med > 0 and (hi - lo) / (2 * med) < method.rel_ci:
                stop = "stable"
                break
        if time.perf_counter() - start > method.budget_s and len(times) >= min(3, method.min_reps):
            stop = "budget"
            break
    return summarise(times, stop)
