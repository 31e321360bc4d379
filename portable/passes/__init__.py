"""Passes: small named objects whose `run(module) -> module` returns new IR (STYLE 8).

`pipeline` is what every Module goes through after its frontend: verify, inline `__device__`
calls, verify, fold constants, verify, check barrier placement.
"""

from __future__ import annotations

from portable import ir


class BarrierCheck:
    """Raises PORT3001 for a `__syncthreads` (or block vote) under divergent control flow.

    An analysis, not a rewrite: it returns the module unchanged. It runs after inlining, when
    every barrier sits in the kernel that executes it."""

    name = "barriers"

    def run(self, m: ir.ModuleIR) -> ir.ModuleIR:
        from portable.analysis.uniformity import check_barriers

        for k in m.kernels:
            check_barriers(k)
        return m


def passes() -> list:
    """The standard passes, in order."""
    from portable.passes.fold import ConstantFold
    from portable.passes.inline import Inline

    return [Inline(), ConstantFold(), BarrierCheck()]


def pipeline(m: ir.ModuleIR) -> ir.ModuleIR:
    """The standard pass pipeline; the verifier runs on the input and after every pass."""
    from portable.verify import verify_module

    verify_module(m, stage="frontend")
    for p in passes():
        m = p.run(m)
        verify_module(m, stage=p.name)
    return m
