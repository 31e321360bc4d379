"""portable: write a CUDA kernel once, run, check and benchmark it on every machine you have."""

from __future__ import annotations

import os as _os

# In a source checkout, frontends/, backends/ and kernels/ sit beside portable/ and are
# importable as portable.frontends, portable.backends and portable.kernels.
_root = _os.path.dirname(_os.path.dirname(_os.path.abspath(__file__)))
if _os.path.isfile(_os.path.join(_root, "pyproject.toml")) and _os.path.isdir(
        _os.path.join(_root, "backends")) and _root not in __path__:
    __path__.append(_root)

from portable.errors import Diagnostic, Loc, PortError  # noqa: E402
from portable.kernel import Kernel, Launch, Module, set_default_backend  # noqa: E402

__version__ = "0.1.0"


def parse_cuda(source: str, filename: str = "<string>", defines: dict | None = None,
               include_dirs: list[str] | None = None) -> Module:
    """Parse CUDA C source into a Module; `mod["name"]` is a Kernel."""
    from portable.frontends.cuda import parse

    module_ir, diagnostics = parse(source, filename=filename, defines=defines,
                                   include_dirs=include_dirs)
    mod = Module(module_ir, diagnostics)
    mod.origin = {"source": source, "filename": filename, "defines": defines,
                  "include_dirs": include_dirs, "instances": []}  # for mod.instantiate
    return mod


def parse_cuda_file(path: str, defines: dict | None = None) -> Module:
    """Parse a .cu file from disk."""
    with open(path, encoding="utf-8") as f:
        return parse_cuda(f.read(), filename=str(path), defines=defines)


def available_backends() -> list[str]:
    """The backends that can run kernels here, e.g. ['numpy', 'llvm', 'triton-interpret']."""
    from portable.backends import available_backends as _ab

    return _ab()


def __getattr__(name: str):
    if name == "cuda":  # the numba.cuda-compatible namespace, imported on first use
        import importlib

        return importlib.import_module("portable.cuda")
    raise AttributeError(name)


__all__ = ["Diagnostic", "Kernel", "Launch", "Loc", "Module", "PortError", "available_backends",
           "parse_cuda", "parse_cuda_file", "set_default_backend"]
