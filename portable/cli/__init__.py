"""The `portable` command line: one module per subcommand, each with `register(subparsers)`."""

from __future__ import annotations

import argparse
import importlib
import sys

from portable.errors import PortError

# subcommand modules under portable.cli, in help order
COMMANDS = ["backends", "check", "bench", "ir", "report", "port"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="portable", description="Write a CUDA kernel once; run, check and benchmark it "
        "on every machine you have.")
    sub = parser.add_subparsers(dest="command", required=True)
    for name in COMMANDS:
        try:
            mod = importlib.import_module(f"portable.cli.{name}")
        except ModuleNotFoundError as e:
            if e.name != f"portable.cli.{name}":
                raise
            continue
        mod.register(sub)
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except PortError as e:
        print(str(e), file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
