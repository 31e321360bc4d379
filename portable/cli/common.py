"""Helpers shared by the subcommands: kernel and backend selection."""

from __future__ import annotations

from portable.errors import error


def add_selection(p) -> None:
    p.add_argument("-k", "--kernel", action="append", default=[],
                   help="library kernel name (repeatable; default: all)")
    p.add_argument("-b", "--backend", action="append", default=[],
                   help="backend (repeatable; default: every available backend)")


def select(args):
    """(specs, backends) chosen by --kernel/--backend, validated."""
    from portable import available_backends, backends
    from portable.kernels import registry

    specs = registry()
    if args.kernel:
        unknown = [k for k in args.kernel if k not in specs]
        if unknown:
            raise error("PORT0003", f"no library kernel named {', '.join(unknown)}",
                        hint=f"kernels: {', '.join(specs)}")
        specs = {k: specs[k] for k in args.kernel}
    names = args.backend or available_backends()
    for b in names:
        why = backends.why_unavailable(b)
        if why is not None:
            raise error("PORT4007", f"backend {b!r} is not available: {why}")
    return list(specs.values()), names
