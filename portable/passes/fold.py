"""Constant folding (placeholder until the full pass lands)."""

from __future__ import annotations

from portable import ir


class ConstantFold:
    name = "fold"

    def run(self, m: ir.ModuleIR) -> ir.ModuleIR:
        return m
