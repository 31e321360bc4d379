"""`portable bench`: each library kernel on each available backend, timed after a correctness check."""

from __future__ import annotations

import json
import platform
import statistics
import time

from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from portable.cli.common import add_selection, select


def register(sub) -> None:
    p = sub.add_parser("bench", help="benchmark the kernel library on every available backend")
    add_selection(p)
    p.add_argument("--size", default="large", choices=["small", "large"])
    p.add_argument("--budget", type=float, default=1.0,
                   help="seconds of timed repetitions per kernel and backend (default 1)")
    p.add_argument("--json", dest="json_path", help="write the results as JSON to this file")
    p.set_defaults(func=run)


def measure(fn, budget: float, min_reps: int = 3, max_reps: int = 100) -> list[float]:
    """Warm up once, then time `fn` until `budget` seconds are spent (min/max repetitions)."""
    fn()
    times: list[float] = []
    start = time.perf_counter()
    while len(times) < max_reps and (len(times) < min_reps or time.perf_counter() - start < budget):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return times


def bench_one(spec, backend: str, size: str, budget: float, seed: int = 0) -> dict:
    """Check `spec` on `backend` at `size`, then time its launch list; one result row."""
    import numpy as np

    from portable.errors import PortError
    from portable.kernels import compare_outputs, load_module

    params = spec.sizes[size]
    row = {"kernel": spec.name, "backend": backend, "size": size}
    inputs = spec.inputs(np.random.default_rng(seed), **params)
    expected = spec.reference({k: (v.copy() if isinstance(v, np.ndarray) else v)
                               for k, v in inputs.items()}, **params)
    args = {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in inputs.items()}
    try:
        mod = load_module(spec.source, tuple(sorted(spec.defines.items())))
        runs = [(mod[r.kernel].compile(backend), r) for r in spec.launches(**params)]

        def go():
            for _, r in runs:
                mod[r.kernel].launch(r.grid, r.block, *(args[a] for a in r.args),
                                     backend=backend, shared_mem=r.shared_mem)

        go()
        problems = compare_outputs(args, expected, spec.rtol, spec.atol)
        if problems:
            return row | {"ok": False, "error": problems[0]}
        times = measure(go, budget)
    except PortError as e:
        return row | {"ok": False, "error": str(e).splitlines()[0]}
    med = statistics.median(times)
    return row | {
        "ok": True, "reps": len(times), "median_s": med, "min_s": min(times),
        "spread": (max(times) - min(times)) / med if med else 0.0,
        "gbps": spec.bytes(**params) / med / 1e9, "gflops": spec.flops(**params) / med / 1e9,
    }


def machine() -> dict:
    import os

    import numpy as np

    import portable

    cpu = platform.processor()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")), cpu)
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(),
            "numpy": np.__version__, "portable": portable.__version__,
            "platform": platform.platform()}


def run(args) -> int:
    specs, names = select(args)
    console = Console()
    rows = []
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("bench", total=len(specs) * len(names))
        for spec in specs:
            for b in names:
                progress.update(task, description=f"{spec.name} on {b}")
                rows.append(bench_one(spec, b, args.size, args.budget))
                progress.advance(task)
    table = Table(title=f"portable bench (size={args.size})")
    for col in ("kernel", "backend", "median ms", "min ms", "GB/s", "GFLOP/s"):
        table.add_column(col, justify="left" if col in ("kernel", "backend") else "right")
    for r in rows:
        if r["ok"]:
            table.add_row(r["kernel"], r["backend"], f"{r['median_s'] * 1e3:.3f}",
                          f"{r['min_s'] * 1e3:.3f}", f"{r['gbps']:.2f}", f"{r['gflops']:.2f}")
        else:
            table.add_row(r["kernel"], r["backend"], "[red]FAIL[/]", "", "", r["error"][:60])
    console.print(table)
    if args.json_path:
        with open(args.json_path, "w") as f:
            json.dump({"machine": machine(), "results": rows}, f, indent=1)
    return 1 if any(not r["ok"] for r in rows) else 0
