"""The sanitizer's API: run a kernel on the numpy reference with every access checked.

    findings = portable.sanitize.sanitize(k, grid, block, *args)     # list[Finding], no raise
    k.launch(grid, block, *args, backend="numpy", sanitize=True)     # PortError if any finding
    portable check FILE.cu --kernel K --grid G --block B --arg n=4096 --sanitize

What is checked, and the PORT8xxx code of each kind of finding, is documented in
`portable.backends.reference_sanitize` (races between barriers in shared memory and between
threads or blocks in global memory, reads of uninitialised shared memory, out-of-bounds global,
shared and local accesses, barriers not reached by every thread of a block, warp operations whose
mask leaves out the calling lane or names a lane that does not take part). A `Finding` has `code`,
`kind`, `kernel`, `loc` (file:line:col), `block`, `threads`, `where` (the element or mask),
`other_loc` (the conflicting access of a race) and `count`; `finding.diagnostic()` is the
`portable.Diagnostic` that `PortError` carries.

A kernel whose `__syncthreads` sits under a divergent condition does not get past the static
check (PORT3001) of the normal pass pipeline; `parse_unchecked` parses a file without that
check so that the sanitizer can name the block and the threads that miss the barrier.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from portable import ir
from portable.backends.reference_sanitize import Finding
from portable.errors import Diagnostic, PortError
from portable.kernel import Kernel, Module

__all__ = ["Finding", "SANITIZER_CODES", "parse_unchecked", "sanitize", "sanitize_spec"]

SANITIZER_CODES = ("PORT8001", "PORT8002", "PORT8003", "PORT8004", "PORT8005", "PORT8006",
                   "PORT8007")


def _kernel(kernel, args: tuple) -> Kernel:
    if isinstance(kernel, Kernel):
        return kernel
    if hasattr(kernel, "specialize"):  # a portable.cuda @jit dispatcher
        return kernel.specialize(*args)
    raise PortError(f"sanitize() takes a portable Kernel or a @cuda.jit kernel, got "
                    f"{type(kernel).__name__}", code="PORT4008",
                    hint="pass mod['name'] of portable.parse_cuda(...)")


def sanitize(kernel, grid, block, *args, shared_mem: int = 0, **options) -> list:
    """Run `kernel` once under the sanitizer; returns its findings (empty: nothing found).

    Arrays are updated in place only when there is no finding (as by a launch that raised).
    Other failures (a runaway loop, an unsupported construct, bad arguments) raise PortError.
    """
    k = _kernel(kernel, args)
    try:
        kernel.launch(grid, block, *args, backend="numpy", shared_mem=shared_mem, sanitize=True,
                      **options)
    except PortError as e:
        if not all(d.code in SANITIZER_CODES for d in e.diagnostics):
            raise
    prog = k.compile("numpy", sanitize=True, **options).__self__
    return list(prog.findings.values())


def sanitize_spec(spec, size: str = "small", seed: int = 0) -> list:
    """Every launch of a library `portable.kernels.Spec` under the sanitizer, in order, from
    the spec's own inputs; the findings of all launches."""
    from portable.kernels import load_module

    params = spec.sizes[size]
    inputs = spec.inputs(np.random.default_rng(seed), **params)
    mod = load_module(spec.source, tuple(sorted(spec.defines.items())))
    out = []
    for r in spec.launches(**params):
        out += sanitize(mod[r.kernel], r.grid, r.block, *(inputs[a] for a in r.args),
                        shared_mem=r.shared_mem)
    return out


class _UncheckedModule(Module):
    """A Module whose IR went through the pass pipeline without the barrier check."""

    def __init__(self, module_ir: ir.ModuleIR, diagnostics: list) -> None:
        from portable.passes import passes
        from portable.verify import verify_module

        verify_module(module_ir, stage="frontend")
        m = module_ir
        for p in passes():
            if p.name != "barriers":
                m = p.run(m)
                verify_module(m, stage=p.name)
        # what Module.__init__ does after its pipeline (a deliberately skipped step there)
        self.source_ir, self.ir, self.diagnostics = module_ir, m, list(diagnostics)
        self.kernels = {f.name: Kernel(self, f) for f in m.kernels}
        self.globals = {}
        self.origin = None
        self._init_globals()


def parse_unchecked(source: str, filename: str = "<string>", defines: dict | None = None,
                    include_dirs: Iterable[str] | None = None) -> tuple[Module, list[Diagnostic]]:
    """Parse CUDA C like `portable.parse_cuda`, but when the static barrier check (PORT3001)
    rejects a kernel, parse it again without that check, so it can run under the sanitizer.
    Returns the module and the PORT3001 diagnostics it skipped."""
    import portable
    from portable.frontends.cuda import parse

    try:
        return portable.parse_cuda(source, filename, defines, list(include_dirs or [])), []
    except PortError as e:
        if any(d.code != "PORT3001" for d in e.diagnostics):
            raise
        skipped = list(e.diagnostics)
    module_ir, diags = parse(source, filename=filename, defines=defines,
                             include_dirs=list(include_dirs or []))
    return _UncheckedModule(module_ir, diags), skipped
