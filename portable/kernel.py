"""The public objects: `Module` (a parsed file), `Kernel` (one `__global__` function), `Launch`."""

from __future__ import annotations

import threading

import numpy as np

from portable import config, ir
from portable.analysis.effects import written
from portable.errors import error
from portable.launch import (
    LaunchSpec,
    check_args,
    check_dims,
    check_shared_mem,
    elem_dtype,
    split_config,
)
from portable.types import Array

_default_backend: str | None = None


def set_default_backend(name: str | None) -> None:
    """Make `name` the backend of `k[grid, block](...)`; None restores the automatic choice."""
    global _default_backend
    if name is not None:
        from portable import backends

        backends.get(name)
    _default_backend = name


def default_backend() -> str:
    """PORTABLE_BACKEND, else set_default_backend's, else the fastest available CPU backend."""
    from portable import backends

    name = config.default_backend() or _default_backend
    if name:
        return name
    return "llvm" if backends.why_unavailable("llvm") is None else "numpy"


class Module:
    """A translation unit: its kernels, device functions and the storage of its globals."""

    def __init__(self, module_ir: ir.ModuleIR, diagnostics: list | None = None) -> None:
        from portable.passes import pipeline

        self.source_ir = module_ir
        self.ir = pipeline(module_ir)
        self.diagnostics = list(diagnostics or [])
        self.kernels = {f.name: Kernel(self, f) for f in self.ir.kernels}
        self.globals: dict[str, np.ndarray] = {}
        # how parse_cuda made this module (source, filename, defines, include_dirs, instances),
        # so that `instantiate` can reach template specialisations the file does not name
        self.origin: dict | None = None
        self._init_globals()

    def _init_globals(self) -> None:
        for g in self.ir.globals:
            if g.name in self.globals:
                continue  # a module variable keeps its storage (and its value)
            shape = g.type.shape if isinstance(g.type, Array) else ()
            elem = g.type.elem if isinstance(g.type, Array) else g.type
            arr = np.zeros(shape, dtype=elem_dtype(elem))
            if g.init is not None:
                flat = arr.reshape(-1)
                vals = np.asarray(g.init)
                flat[: len(vals)] = vals.astype(flat.dtype) if flat.dtype.names is None else vals
            self.globals[g.name] = arr

    def __getitem__(self, name: str) -> Kernel:
        try:
            return self.kernels[name]
        except KeyError:
            raise error("PORT0003", f"no kernel named {name!r} in {self.ir.filename}",
                        hint=f"kernels: {', '.join(self.kernels) or 'none'}") from None

    def __iter__(self):
        return iter(self.kernels.values())

    def __len__(self) -> int:
        return len(self.kernels)

    def instantiate(self, name: str, *args) -> Kernel:
        """The kernel of template `name` specialised with `args` (C++ spellings or ints):
        `mod.instantiate("k", "float", 256)` is `k<float, 256>`, translated now when the file
        did not instantiate it. The module's globals keep their storage."""
        import re

        spelling = f"{name}<{', '.join(_template_arg(a) for a in args)}>" if args else name
        want = re.sub(r"\s+", "", spelling)
        for k in self.kernels.values():
            if re.sub(r"\s+", "", k.name) == want:
                return k
        if self.origin is None:
            raise error("PORT0003", f"no kernel {spelling!r} in {self.ir.filename}, and this "
                        "module does not know its source",
                        hint="parse the file with portable.parse_cuda to instantiate templates")
        from portable.frontends.cuda import parse
        from portable.passes import pipeline

        o = self.origin
        instances = list(o.get("instances", ())) + [spelling]
        module_ir, diagnostics = parse(o["source"], o["filename"], o.get("defines"),
                                       o.get("include_dirs"), instances)
        new = pipeline(module_ir)
        match = [f for f in new.kernels if re.sub(r"\s+", "", f.name) == want]
        if not match:
            raise error("PORT0003", f"{spelling!r} is not a kernel template specialisation of "
                        f"{self.ir.filename}", hint=f"kernels: {', '.join(self.kernels)}")
        o["instances"] = instances
        self.source_ir, self.ir = module_ir, new
        self.diagnostics = list(diagnostics)
        self._init_globals()
        for f in new.kernels:
            if f.name not in self.kernels:
                self.kernels[f.name] = Kernel(self, f)
        return self.kernels[match[0].name]

    def _global_var(self, name: str) -> ir.GlobalVar:
        for g in self.ir.globals:
            if g.name == name:
                return g
        raise error("PORT4010", f"no __device__ or __constant__ variable {name!r} in "
                    f"{self.ir.filename}", hint=f"globals: {', '.join(self.globals) or 'none'}")

    def set_constant(self, name: str, value) -> None:
        """Set a `__constant__` (or `__device__`) variable's contents, like cudaMemcpyToSymbol."""
        self._global_var(name)
        dst = self.globals[name]
        src = np.asarray(value)
        if src.dtype != dst.dtype:
            raise error("PORT4002", f"{name} has dtype {dst.dtype}, got {src.dtype}",
                        hint=f"pass an array of dtype {dst.dtype}")
        if src.size > dst.size:
            raise error("PORT4002", f"{name} holds {dst.size} elements, got {src.size}")
        dst.reshape(-1)[: src.size] = src.reshape(-1)

    def get_global(self, name: str) -> np.ndarray:
        """A copy of a module variable's current contents, like cudaMemcpyFromSymbol."""
        self._global_var(name)
        return self.globals[name].copy()


def _template_arg(a) -> str:
    if isinstance(a, bool):
        return "true" if a else "false"
    if isinstance(a, (int, np.integer)):
        return str(int(a))
    if isinstance(a, type) and issubclass(a, np.generic) or isinstance(a, np.dtype):
        return {"float32": "float", "float64": "double", "int32": "int", "uint32": "unsigned int",
                "int64": "long long", "uint64": "unsigned long long", "int16": "short",
                "uint16": "unsigned short", "int8": "signed char", "uint8": "unsigned char",
                "bool": "bool"}[np.dtype(a).name]
    if isinstance(a, str):
        return a
    raise error("PORT4008", f"template argument {a!r} must be a C++ type name, an int or a "
                "numpy dtype")


class Kernel:
    """One `__global__` function. `k[grid, block](*args)` launches it on the default backend."""

    def __init__(self, module: Module, fn: ir.Function) -> None:
        self.module = module
        self.name = fn.name
        self.ir = fn
        self.written = written(fn)
        self._compiled: dict[tuple, object] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"<portable.Kernel {self.name}>"

    def __getitem__(self, config: tuple) -> Launch:
        grid, block, shared = split_config(config)
        return Launch(self, grid, block, shared_mem=shared)

    def launch(self, grid, block, *args, backend: str | None = None, shared_mem: int = 0,
               **options) -> None:
        """Run the kernel on `backend` (default: see `portable.set_default_backend`)."""
        g, b = check_dims(grid, block)
        shared_mem = check_shared_mem(shared_mem)
        vals = check_args(self.ir, args, self.written)
        name = backend or default_backend()
        launcher = self.compile(name, **options)
        spec = LaunchSpec(self.ir, g, b, vals, shared_mem, self.module.globals, options)
        launcher(spec)

    def compile(self, backend: str, **options):
        """The backend's launcher for this kernel (compiled once per backend and options)."""
        from portable import backends

        key = (backend, tuple(sorted(options.items())))
        with self._lock:
            if key not in self._compiled:
                mod = backends.get(backend)
                why = mod.available()
                if why is not None:
                    raise error("PORT4007", f"backend {backend!r} is not available: {why}",
                                hint=f"available: {', '.join(backends.available_backends())}")
                self._compiled[key] = mod.compile(self.ir, options)
            return self._compiled[key]

    def source(self, target: str) -> str:
        """The kernel as `target` source: triton, cuda, hip, sycl, opencl or llvm."""
        from portable import backends

        if target not in backends.SOURCE_TARGETS:
            raise error("PORT4007", f"no source form for target {target!r}",
                        hint=f"targets: {', '.join(backends.SOURCE_TARGETS)}")
        mod = backends.get_source_target(target)
        return mod.source(self.ir)


class Launch:
    """A configured launch `k[grid, block]`; calling it runs the kernel. Never mutates `k`."""

    def __init__(self, kernel: Kernel, grid, block, shared_mem: int = 0) -> None:
        self.kernel = kernel
        self.grid, self.block = check_dims(grid, block)
        self.shared_mem = shared_mem

    def __call__(self, *args, **options) -> None:
        self.kernel.launch(self.grid, self.block, *args, shared_mem=self.shared_mem, **options)
