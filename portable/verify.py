"""The IR verifier (placeholder until the rule table lands)."""

from __future__ import annotations

from portable import ir


def verify_module(m: ir.ModuleIR, stage: str = "") -> None:
    """Raise PortError (PORT2002) when `m` breaks an IR rule."""
