"""Run a library program, unchanged but for its import, in numba's CUDA simulator.

`simulate(spec, size, seed)` executes the program's source with `from portable import cuda`
replaced by `from numba import cuda`, in a subprocess with NUMBA_ENABLE_CUDASIM=1, on the spec's
own inputs and launch list; it returns the final arrays and the seconds the launches took.
`python -m portable.frontends.python.numba_sim [--size small] [-k NAME]` compares the simulator's
time with the numpy and llvm backends and prints a markdown table.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pickle
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

_CHILD = r"""
import os, pickle, sys, time, types
os.environ["NUMBA_ENABLE_CUDASIM"] = "1"
path, payload, out = sys.argv[1:4]
with open(payload, "rb") as f:
    args, runs = pickle.load(f)
text = open(path).read()
assert "from portable import cuda" in text
mod = types.ModuleType("simulated")
mod.__file__ = path
exec(compile(text.replace("from portable import cuda", "from numba import cuda"), path, "exec"),
     mod.__dict__)
t0 = time.perf_counter()
for name, grid, block, names, shared in runs:
    getattr(mod, name)[grid, block, 0, shared](*(args[a] for a in names))
dt = time.perf_counter() - t0
with open(out, "wb") as f:
    pickle.dump((args, dt), f)
"""


def numba_available() -> bool:
    try:
        importlib.import_module("numba")
    except ImportError:
        return False
    return True


def program_path(spec) -> Path:
    mod = importlib.import_module(f"portable.kernels.{spec.source[3:]}")
    return Path(mod.__file__)


def simulate(spec, size: str = "small", seed: int = 0, inputs: dict | None = None,
             timeout: float = 600) -> tuple[dict, float]:
    """(final arguments, seconds in launches) of `spec` run by numba's CUDA simulator."""
    params = spec.sizes[size]
    if inputs is None:
        inputs = spec.inputs(np.random.default_rng(seed), **params)
    args = {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in inputs.items()}
    runs = [(r.kernel, r.grid, r.block, r.args, r.shared_mem) for r in spec.launches(**params)]
    with tempfile.TemporaryDirectory() as tmp:
        payload, out = Path(tmp, "in.pkl"), Path(tmp, "out.pkl")
        payload.write_bytes(pickle.dumps((args, runs)))
        env = dict(os.environ, NUMBA_ENABLE_CUDASIM="1")
        p = subprocess.run([sys.executable, "-c", _CHILD, str(program_path(spec)), str(payload),
                            str(out)], env=env, capture_output=True, text=True, timeout=timeout)
        if p.returncode != 0:
            raise RuntimeError(f"numba simulator failed on {spec.name}:\n{p.stderr[-3000:]}")
        return pickle.loads(out.read_bytes())


def time_backend(spec, backend: str, size: str, seed: int = 0, reps: int = 3) -> float:
    """Best-of-`reps` seconds of the spec's launches on `backend` (compiled beforehand)."""
    from portable.kernels import run

    params = spec.sizes[size]
    inputs = spec.inputs(np.random.default_rng(seed), **params)
    run(spec, backend, size, seed, inputs)  # compile and warm up
    best = float("inf")
    for _ in range(reps):
        t0 = time.perf_counter()
        run(spec, backend, size, seed, inputs)
        best = min(best, time.perf_counter() - t0)
    return best


def main(argv: list[str] | None = None) -> int:
    from portable.kernels import compare_outputs, registry

    from portable import available_backends

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-k", "--kernel", action="append", default=[])
    ap.add_argument("--size", default="small")
    a = ap.parse_args(argv)
    specs = [s for s in registry().values() if s.source.startswith("py:python.")]
    if a.kernel:
        specs = [s for s in specs if s.name in a.kernel]
    backends = [b for b in ("numpy", "llvm") if b in available_backends()]
    print("| program | simulator s | " + " | ".join(f"{b} s | {b} speed-up" for b in backends)
          + " | simulator matches reference |")
    print("|---|---:|" + "---:|---:|" * len(backends) + "---|")
    for spec in specs:
        params = spec.sizes[a.size]
        inputs = spec.inputs(np.random.default_rng(0), **params)
        expected = spec.reference({k: (v.copy() if isinstance(v, np.ndarray) else v)
                                   for k, v in inputs.items()}, **params)
        try:
            got, sim = simulate(spec, a.size, inputs=inputs)
            ok = "yes" if not compare_outputs(got, expected, spec.rtol, spec.atol) else "NO"
        except Exception as e:  # noqa: BLE001 - reported in the table
            print(f"| {spec.name} | failed: {str(e).splitlines()[-1][:60]} |")
            continue
        cells = []
        for b in backends:
            try:
                t = time_backend(spec, b, a.size)
                cells.append(f"{t:.4f} | {sim / t:,.0f}x")
            except Exception as e:  # noqa: BLE001
                cells.append(f"failed ({type(e).__name__}) | -")
        print(f"| {spec.name} | {sim:.3f} | " + " | ".join(cells) + f" | {ok} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
