"""`portable check`: every library kernel on every available backend against its reference."""

from __future__ import annotations

import time

from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from portable.cli.common import add_selection, select


def register(sub) -> None:
    p = sub.add_parser("check", help="check the kernel library on every available backend")
    add_selection(p)
    p.add_argument("--size", default="small", choices=["small", "large"])
    p.add_argument("--seed", type=int, default=None, help="input seed (default: fresh)")
    p.set_defaults(func=run)


def run(args) -> int:
    import numpy as np

    from portable.errors import PortError
    from portable.kernels import check

    specs, names = select(args)
    seed = args.seed if args.seed is not None else int(np.random.default_rng().integers(2**31))
    console = Console()
    results: dict[tuple[str, str], str] = {}
    failures: list[str] = []
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("checking", total=len(specs) * len(names))
        for spec in specs:
            for b in names:
                progress.update(task, description=f"{spec.name} on {b}")
                t0 = time.perf_counter()
                try:
                    problems = check(spec, b, args.size, seed)
                except PortError as e:
                    problems = [str(e).splitlines()[0]]
                except Exception as e:  # noqa: BLE001 - a crash is a failure to report, not hide
                    problems = [f"internal error: {type(e).__name__}: {e}"]
                dt = time.perf_counter() - t0
                results[spec.name, b] = "[green]ok[/]" if not problems else "[red]FAIL[/]"
                results[spec.name, b] += f" {dt:.2f}s"
                failures += [f"{spec.name} on {b}: {p}" for p in problems]
                progress.advance(task)
    table = Table(title=f"portable check (size={args.size}, seed={seed})")
    table.add_column("kernel")
    for b in names:
        table.add_column(b)
    for spec in specs:
        table.add_row(spec.name, *(results[spec.name, b] for b in names))
    console.print(table)
    passed = sum(1 for v in results.values() if "ok" in v)
    console.print(f"{passed} passed, {len(results) - passed} failed")
    for f in failures:
        console.print(f"[red]{f}[/]", markup=True, highlight=False)
    return 1 if failures else 0
