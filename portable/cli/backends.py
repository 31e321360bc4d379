"""`portable backends`: each backend, available or why not."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table


def register(sub) -> None:
    p = sub.add_parser("backends", help="list backends: available, or why not")
    p.set_defaults(func=run)


def run(args) -> int:
    from portable import backends

    table = Table(title="portable backends")
    for col in ("backend", "device", "status"):
        table.add_column(col)
    for name in backends.REGISTRY:
        why = backends.why_unavailable(name)
        device = getattr(backends.get(name), "DEVICE", "?") if why is None else ""
        table.add_row(name, device, "[green]available[/]" if why is None else f"[red]no[/]: {why}")
    Console().print(table)
    return 0
