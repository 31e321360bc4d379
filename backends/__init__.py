"""Backend registry. Each backend is one module with a small contract (STYLE 7):

    NAME: str                       the public backend name
    DEVICE: str                     "cpu" or "gpu"
    def available() -> str | None   None when usable, else why not (lazy imports; never raises)
    def compile(fn: ir.Function, options: dict) -> Launcher
    def source(fn: ir.Function) -> str        (backends that emit text; optional)

A Launcher is `launcher(spec: portable.launch.LaunchSpec) -> None`; it runs the kernel and leaves
the results in the numpy arrays of `spec.args` and `spec.globals` (device backends copy back).
"""

from __future__ import annotations

import importlib
from types import ModuleType

from portable.errors import PortError, error

# name -> module; order is the order of preference for the default CPU backend.
REGISTRY: dict[str, str] = {
    "llvm": "portable.backends.llvm",
    "numpy": "portable.backends.reference",
    "triton": "portable.backends.triton",
    "triton-interpret": "portable.backends.triton_interpret",
    "cuda": "portable.backends.cuda",
    "opencl": "portable.backends.opencl",
}


def get(name: str) -> ModuleType:
    """The backend module `name`, imported on first use."""
    if name not in REGISTRY:
        raise error("PORT4007", f"unknown backend {name!r}",
                    hint=f"use one of {', '.join(REGISTRY)}")
    try:
        return importlib.import_module(REGISTRY[name])
    except ImportError as e:
        raise error("PORT4007", f"backend {name!r} is not installed ({e})",
                    hint="install its extra, e.g. pip install 'portable[triton]'") from None


def why_unavailable(name: str) -> str | None:
    """None when backend `name` can run here, else the reason."""
    try:
        mod = get(name)
    except PortError as e:
        return e.diagnostics[0].message
    except Exception as e:  # noqa: BLE001 - any import failure makes the backend unavailable
        return f"{type(e).__name__}: {e}"
    try:
        return mod.available()
    except Exception as e:  # noqa: BLE001
        return f"{type(e).__name__}: {e}"


def available_backends() -> list[str]:
    """The backends that can run kernels on this machine, e.g. ['numpy', 'llvm', ...]."""
    return [n for n in REGISTRY if why_unavailable(n) is None]

# Targets that `Kernel.source` can emit; C-family dialects share one renderer.
SOURCE_TARGETS: dict[str, str] = {
    "llvm": "portable.backends.llvm",
    "triton": "portable.backends.triton",
    "cuda": "portable.backends.cfamily.cuda",
    "hip": "portable.backends.cfamily.hip",
    "sycl": "portable.backends.cfamily.sycl",
    "opencl": "portable.backends.cfamily.opencl",
}


def get_source_target(name: str) -> ModuleType:
    try:
        return importlib.import_module(SOURCE_TARGETS[name])
    except ImportError as e:
        raise error("PORT4007", f"target {name!r} is not installed ({e})") from None
