"""Time library kernels on the llvm backend against their hand-written C/OpenMP peers.

    python benchmarks/peers/compare.py [--size large] [--reps 5] [--threads N] [kernel ...]

Prints a markdown table: best-of-reps time on llvm and hand C (their repetitions interleaved,
so both see the same machine load), the ratio (hand C time / llvm time, > 1 means llvm is
faster), and for memory-bound kernels the achieved bandwidth as a fraction of this machine's
STREAM triad (measured with the same number of threads). Compile times per kernel: the
frontend's parse, a cold llvm compile (empty cache) and a cached one (object code from the
on-disk cache).

`--threads N` sets both the llvm workers and the OpenMP threads (default: all cores). With
`--threads 1` the times are the calling thread's CPU time (`time.thread_time`), which other
processes on a shared machine disturb far less than wall time; otherwise they are wall time.
Compile times are always CPU time of the compiling thread (LLVM compiles on it alone).
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import handc  # noqa: E402

CLOCK = time.perf_counter  # time.thread_time with --threads 1


def llvm_runner(spec, params: dict, inputs: dict):
    """A function doing the kernel's whole launch list on llvm (compiled and warmed up)."""
    import portable.kernels as K

    mod = K.load_module(spec.source, tuple(sorted(spec.defines.items())))
    args = {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in inputs.items()}
    launchers = [(mod[r.kernel], r) for r in spec.launches(**params)]

    def go() -> None:
        for k, r in launchers:
            k.launch(r.grid, r.block, *(args[a] for a in r.args), backend="llvm",
                     shared_mem=r.shared_mem)

    go()
    return go


def handc_runner(name: str, params: dict, inputs: dict):
    args = {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in inputs.items()}
    handc.run(name, args, params)
    return lambda: handc.run(name, args, params)


def best_pair(f, g, reps: int) -> tuple[float, float]:
    """Best-of-reps times of f and g, their runs interleaved."""
    tf, tg = [], []
    for _ in range(reps):
        for fn, ts in ((f, tf), (g, tg)):
            t = CLOCK()
            fn()
            ts.append(CLOCK() - t)
    return min(tf), min(tg)


def compile_times(spec) -> tuple[float, float, float]:
    """Per kernel: frontend parse seconds, cold compile (empty cache) and cached compile (code
    from the on-disk cache into a fresh process-level cache), for the spec's kernels."""
    import portable.kernels as K
    from portable.backends.llvm import runtime

    from portable.launch import dim3

    runs = spec.launches(**spec.sizes["small"])
    defines = tuple(sorted(spec.defines.items()))
    K.load_module.cache_clear()
    t = time.thread_time()
    mod = K.load_module(spec.source, defines)
    parse = time.thread_time() - t
    fns = {r.kernel: (mod[r.kernel].ir, dim3(r.block, "block")) for r in runs}

    def compile_all() -> float:
        runtime.clear_memory_cache()
        t = time.thread_time()
        for fn, block in fns.values():
            runtime.compiled(fn, block, False, True)
        return (time.thread_time() - t) / len(fns)

    old = os.environ.get("PORTABLE_CACHE_DIR")
    with tempfile.TemporaryDirectory() as d:
        os.environ["PORTABLE_CACHE_DIR"] = d
        cold = compile_all()
        warm = compile_all()
    if old is None:
        os.environ.pop("PORTABLE_CACHE_DIR", None)
    else:
        os.environ["PORTABLE_CACHE_DIR"] = old
    return parse / len(fns), cold, warm


def main(argv=None) -> None:
    import portable.kernels as K

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("kernels", nargs="*")
    ap.add_argument("--size", default="large")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--threads", type=int, default=0, help="llvm and OpenMP threads")
    a = ap.parse_args(argv)
    if a.threads:  # before the peers' library (and its OpenMP runtime) is loaded
        os.environ["PORTABLE_NUM_THREADS"] = os.environ["OMP_NUM_THREADS"] = str(a.threads)
    global CLOCK
    CLOCK = time.thread_time if a.threads == 1 else time.perf_counter
    why = handc.available()
    if why:
        sys.exit(f"hand-C peers unavailable: {why}")
    triad = handc.triad(1 << 25, 5, CLOCK if CLOCK is time.thread_time else None)
    clock = "thread CPU time" if CLOCK is time.thread_time else "wall time"
    print(f"STREAM triad: {triad:.1f} GB/s ({handc.threads()} OpenMP threads); "
          f"kernel times: {clock}, best of {a.reps}\n")
    print("| kernel | llvm ms | hand C ms | hand C / llvm | llvm GB/s | % of triad | "
          "hand C % of triad | parse ms | cold compile ms | cached ms |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    ratios = []
    reg = K.registry()
    for name in a.kernels or handc.kernels():
        spec = reg[name]
        params = spec.sizes[a.size]
        inputs = spec.inputs(np.random.default_rng(0), **params)
        tl, th = best_pair(llvm_runner(spec, params, inputs),
                           handc_runner(name, params, inputs), a.reps)
        parse, cold, warm = compile_times(spec)
        ratio = th / tl
        ratios.append(ratio)
        gbs = spec.bytes(**params) / tl / 1e9
        mem = "memory-bound" in spec.tags
        frac = f"{100 * gbs / triad:.0f}%" if mem else "-"
        hfrac = f"{100 * spec.bytes(**params) / th / 1e9 / triad:.0f}%" if mem else "-"
        print(f"| {name} | {tl * 1e3:.2f} | {th * 1e3:.2f} | {ratio:.2f} | {gbs:.1f} | {frac} | "
              f"{hfrac} | {parse * 1e3:.0f} | {cold * 1e3:.0f} | {warm * 1e3:.2f} |", flush=True)
    geo = math.exp(sum(math.log(r) for r in ratios) / len(ratios))
    print(f"\ngeomean hand C / llvm: {geo:.2f}x over {len(ratios)} kernels")


if __name__ == "__main__":
    main()
