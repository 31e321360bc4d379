"""llvm backend: CUDA kernels as native multi-core CPU code through llvmlite.

Each kernel becomes one native function that runs a range of blocks; inside a block the code
between barriers is a loop over the block's threads (MCUDA / PoCL work-item loops), which LLVM's
loop vectoriser turns into SIMD code. Blocks are claimed dynamically by worker threads (ctypes
releases the GIL), one per core. See plan.py for the execution model, exprs.py for the
floating-point (FMA) policy, runtime.py for the compile cache.

Options: `checks` (bounds-check every access, raising PortError PORT5001; default
PORTABLE_CHECKS), `fma` (allow fused multiply-add contraction like nvcc; default True).
"""

from __future__ import annotations

from portable import ir

NAME = "llvm"
DEVICE = "cpu"
CAPABILITIES = frozenset({"atomics", "float-atomics", "shared", "warp", "barriers", "globals",
                          "printf", "checks"})


def available() -> str | None:
    """None when llvmlite can JIT for this host, else why not."""
    try:
        from portable.backends.llvm import jit

        jit.state()
    except Exception as e:  # noqa: BLE001 - any failure means the backend is unusable here
        return f"llvmlite cannot JIT on this host: {type(e).__name__}: {e}"
    return None


def compile(fn: ir.Function, options: dict):
    """A launcher for `fn`; specialisations per block shape are compiled on first use."""
    from portable.backends.llvm.runtime import Launcher

    return Launcher(fn, dict(options))


def source(fn: ir.Function) -> str:
    """The optimised LLVM IR of `fn` (generic block shape)."""
    from portable.backends.llvm.runtime import optimised_ir

    return optimised_ir(fn)
