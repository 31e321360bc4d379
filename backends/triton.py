"""Backend `triton`: CUDA kernels as Triton programs, run on a GPU (NVIDIA or AMD).

One Triton program per CUDA block; the translation is in `portable.backends.triton_gen` and
`k.source("triton")` shows it. Without a GPU the program still compiles ahead of time for
sm_90 and gfx942 (`compile_for`), and `triton-interpret` runs it on the CPU.
"""

from __future__ import annotations

import numpy as np

from portable import ir
from portable.errors import error
from portable.launch import LaunchSpec
from portable.types import Pointer

NAME = "triton"
DEVICE = "gpu"


def available() -> str | None:
    """None when triton, torch (device memory) and a GPU are present, else why not."""
    try:
        import triton  # noqa: F401
    except Exception as e:  # noqa: BLE001
        return f"triton is not installed ({e}); pip install 'portable[triton]'"
    try:
        import torch
    except Exception:  # noqa: BLE001
        return "no GPU runtime: the triton backend allocates device memory through torch, " \
               "which is not installed (use triton-interpret on the CPU)"
    if not torch.cuda.is_available():
        return "no NVIDIA or AMD GPU found (use triton-interpret on the CPU)"
    return None


def source(fn: ir.Function) -> str:
    """The kernel as a readable Triton program."""
    from .triton_runtime import translation

    return translation(fn).source


def compile_for(fn: ir.Function, target: str, block=(128, 1, 1), shared_mem: int = 0):
    """Ahead-of-time compile for "cuda" (sm_90: ptx, cubin) or "hip" (gfx942: amdgcn); no GPU
    needed. Returns Triton's CompiledKernel."""
    from .triton_runtime import aot_compile

    return aot_compile(fn, target, block, shared_mem)


def compile(fn: ir.Function, options: dict):
    """A launcher that copies the arrays to the GPU, runs the program and copies them back."""
    import torch

    from .triton_runtime import launch_config, load, translation

    t = translation(fn)
    kern = getattr(load(t, interpret=False), t.name)

    def dev(a: np.ndarray):
        if a.dtype == np.bool_:
            a = a.view(np.uint8)
        return torch.from_numpy(a.reshape(-1)).cuda()

    def launcher(spec: LaunchSpec) -> None:
        cfg = launch_config(t, spec)
        arrays = [(a, dev(a)) for a in spec.args if isinstance(a, np.ndarray)]
        it = iter(d for _, d in arrays)
        args = [next(it) if isinstance(p.type, Pointer) else
                (a.item() if p.type.is_float or p.type.bits < 64 else int(a))
                for p, a in zip(fn.params, spec.args, strict=True)]
        gl = [(spec.globals[g], dev(spec.globals[g])) for g, _ in t.globals]
        args += [d for _, d in gl]
        if t.uses_smem:
            args.append(torch.zeros(spec.nblocks * cfg["SMEM"] + 16, dtype=torch.uint8,
                                    device="cuda"))
        if t.lmem_bytes:
            args.append(torch.zeros(spec.nblocks * cfg["BLOCK"] * t.lmem_bytes + 16,
                                    dtype=torch.uint8, device="cuda"))
        try:
            kern[spec.grid](*args, **cfg)
        except Exception as e:  # noqa: BLE001
            raise error("PORT6001", f"triton failed on kernel {fn.name!r}: {e}", fn.loc) from e
        for host, d in arrays + gl:
            flat = host.view(np.uint8) if host.dtype == np.bool_ else host
            flat.reshape(-1)[:] = d.cpu().numpy()

    return launcher
