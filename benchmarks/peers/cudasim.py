"""numba's CUDA simulator as a peer: the library's numba.cuda-style programs (kernels/python/)
run unchanged under `NUMBA_ENABLE_CUDASIM=1`, with `from portable import cuda` read as
`from numba import cuda`. The simulator runs one Python thread per CUDA thread, so it is timed
at the small size only, against the numpy reference at the same size.

The simulator must be chosen before numba is first imported, so each kernel runs in a child
process: `python cudasim.py '{"kernel": ..., "size": ..., "seed": ..., "method": {...}}'`
prints one JSON result row. `bench(kernel, size, seed, method)` does that from the parent.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

NAME = "numba-cudasim"
HERE = Path(__file__).resolve().parent


def available() -> str | None:
    """None when numba (and so its simulator) is installed, else why not."""
    import importlib.util

    if importlib.util.find_spec("numba") is None:
        return "numba is not installed; pip install 'portable[bench]'"
    return None


def supports(spec) -> bool:
    """Only numba.cuda-style programs run on the simulator."""
    return spec.source.startswith("py:")


def bench(kernel: str, size: str, seed: int, method: dict, timeout: float = 600.0) -> dict:
    """Check and time `kernel` in a child process on the simulator; one result dict."""
    env = dict(os.environ, NUMBA_ENABLE_CUDASIM="1")
    arg = json.dumps({"kernel": kernel, "size": size, "seed": seed, "method": method})
    try:
        out = subprocess.run([sys.executable, str(HERE / "cudasim.py"), arg], env=env,
                             capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return {"status": "error", "error": f"simulator run exceeded {timeout:.0f} s"}
    lines = [ln for ln in out.stdout.splitlines() if ln.startswith("{")]
    if out.returncode != 0 or not lines:
        tail = (out.stderr.strip().splitlines() or ["no output"])[-1]
        return {"status": "error", "error": f"simulator child failed: {tail[:200]}"}
    return json.loads(lines[-1])


def _child(arg: dict) -> dict:
    assert os.environ.get("NUMBA_ENABLE_CUDASIM") == "1", "run through bench()"
    import time

    import numpy as np
    from numba import cuda
    from portable.kernels import HERE as KHERE
    from portable.kernels import compare_outputs, registry

    from portable.bench.measure import Method, measure

    spec = registry()[arg["kernel"]]
    params = spec.sizes[arg["size"]]
    path = KHERE / (spec.source[3:].replace(".", "/") + ".py")
    text = path.read_text().replace("from portable import cuda", "from numba import cuda")
    ns: dict = {"__name__": f"cudasim_{path.stem}", "__file__": str(path)}
    exec(compile(text, str(path), "exec"), ns)
    inputs = spec.inputs(np.random.default_rng(arg["seed"]), **params)
    expected = spec.reference({k: (v.copy() if isinstance(v, np.ndarray) else v)
                               for k, v in inputs.items()}, **params)
    args = {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in inputs.items()}

    def go():
        for r in spec.launches(**params):
            kern = ns[r.kernel]
            cfg = (r.grid, r.block, 0, r.shared_mem) if r.shared_mem else (r.grid, r.block)
            kern[cfg](*(args[a] for a in r.args))
        cuda.synchronize()

    def reset():
        for k in expected:
            np.copyto(args[k], inputs[k])

    t0 = time.perf_counter()
    go()
    check_s = time.perf_counter() - t0
    problems = compare_outputs(args, expected, spec.rtol, spec.atol)
    if problems:
        return {"status": "fail", "error": problems[0], "check_s": check_s}
    return {"status": "ok", "check_s": check_s} | measure(go, Method(**arg["method"]), reset)


if __name__ == "__main__":
    try:
        row = _child(json.loads(sys.argv[1]))
    except Exception as e:  # noqa: BLE001 - report, do not crash: the parent shows the row
        # an API the simulator lacks (e.g. cuda.shfl_down_sync) is a limit, not a crash
        missing = isinstance(e, AttributeError) and "FakeCUDA" in str(e)
        row = {"status": "unsupported" if missing else "error",
               "error": f"{type(e).__name__}: {str(e)[:300]}"}
    print(json.dumps(row))
