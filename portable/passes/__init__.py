"""Passes: small named objects whose `run(module) -> module` returns new IR (STYLE 8).

`pipeline` is what every Module goes through after its frontend: inline `__device__` calls,
fold constants, verify. Analyses (uniformity, barrier placement) run inside verification.
"""

from __future__ import annotations

from portable import ir


def pipeline(m: ir.ModuleIR) -> ir.ModuleIR:
    """The standard pass pipeline: inline, fold, verify; kernels only remain callable."""
    from portable.passes.fold import ConstantFold
    from portable.passes.inline import Inline
    from portable.verify import verify_module

    verify_module(m, stage="frontend")
    for p in (Inline(), ConstantFold()):
        m = p.run(m)
        verify_module(m, stage=p.name)
    return m
