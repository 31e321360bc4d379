"""Backend `triton-interpret`: the generated Triton program run by Triton's own interpreter.

The same source as the `triton` backend (see `portable.backends.triton_gen`), executed on the
CPU one program (CUDA block) at a time; numpy arrays are passed through a torch-like adapter,
so neither a GPU nor torch is needed. About a millisecond per program: for correctness checks
on small sizes, not for speed.
"""

from __future__ import annotations

from portable import ir

NAME = "triton-interpret"
DEVICE = "cpu"


def available() -> str | None:
    """None when triton imports (its interpreter needs no GPU), else why not."""
    try:
        import triton  # noqa: F401
        from triton.runtime.interpreter import InterpretedFunction  # noqa: F401
    except Exception as e:  # noqa: BLE001 - any import failure makes the backend unavailable
        return f"triton is not installed ({e}); pip install 'portable[triton]'"
    return None


def compile(fn: ir.Function, options: dict):
    """A launcher that runs `fn` in Triton's interpreter."""
    from .triton_runtime import interpret_launcher

    return interpret_launcher(fn)


def source(fn: ir.Function) -> str:
    """The Triton program (identical to the `triton` backend's)."""
    from .triton_runtime import translation

    return translation(fn).source
