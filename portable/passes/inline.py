"""Inlining of `__device__` calls (placeholder until the full pass lands)."""

from __future__ import annotations

from portable import ir


class Inline:
    name = "inline"

    def run(self, m: ir.ModuleIR) -> ir.ModuleIR:
        return m
