"""The `opencl` backend: the emitted OpenCL C run through pyopencl (PoCL on a CPU, or any device).

`pip install 'portable[opencl]'` (pyopencl + pocl-binary-distribution) gives a CPU device with no
system packages. A GPU platform, when one is installed, is preferred over a CPU one.
"""

from __future__ import annotations

import threading
from functools import cache

import numpy as np

from portable import ir
from portable.analysis.effects import written
from portable.errors import error
from portable.launch import LaunchSpec, elem_dtype
from portable.types import Pointer, Scalar, Vector

NAME = "opencl"
DEVICE = "any"


@cache
def _device():
    """(context, queue) on the preferred device, or the reason there is none."""
    try:
        import pyopencl as cl
    except ImportError as e:
        return f"pyopencl is not installed ({e}); pip install 'portable[opencl]'"
    try:
        devices = [d for p in cl.get_platforms() for d in p.get_devices()]
    except cl.Error as e:
        return f"no OpenCL platform ({e}); pip install pocl-binary-distribution"
    if not devices:
        return "no OpenCL device; pip install pocl-binary-distribution"
    devices.sort(key=lambda d: 0 if d.type & cl.device_type.GPU else 1)
    failures = []
    for dev in devices:
        # Some OpenCL compilers fail on every program (e.g. PoCL linked with an LLVM that does
        # not know the host CPU: "unknown target CPU 'generic'"); use the first that builds.
        ctx = cl.Context([dev])
        try:
            cl.Program(ctx, "__kernel void probe(__global int *x) { x[0] = 1; }").build()
        except cl.Error as e:
            failures.append(f"{dev.platform.version.strip()}: {str(e).splitlines()[-1][:200]}")
            continue
        return ctx, cl.CommandQueue(ctx)
    return ("no OpenCL device builds a program (" + "; ".join(failures) + "); install a "
            "working platform, e.g. apt-get install pocl-opencl-icd")


def available() -> str | None:
    """None when an OpenCL device is usable, else why not."""
    dev = _device()
    return dev if isinstance(dev, str) else None


def device_name() -> str:
    dev = _device()
    return dev if isinstance(dev, str) else dev[0].devices[0].name


def source(fn: ir.Function) -> str:
    """The OpenCL C this backend runs."""
    from portable.backends.cfamily import opencl

    return opencl.source(fn)


class _Launcher:
    """Builds the program once per block size (the exchange arrays are sized by it)."""

    def __init__(self, fn: ir.Function) -> None:
        from portable.backends.cfamily import _assemble, opencl, translate

        self.tr = translate(fn, opencl.DIALECT)
        self.text = _assemble([self.tr], opencl.DIALECT)
        self.ident = opencl.DIALECT.ident(fn.name)
        self.fn = self.tr.legal.fn
        self.written = written(fn) | set(self.tr.legal.globals)
        self.programs: dict[int, object] = {}
        self.lock = threading.Lock()

    def program(self, nthreads: int):
        import pyopencl as cl

        key = nthreads  # one build per block size: the exchange arrays and helpers use it
        with self.lock:
            if key not in self.programs:
                ctx, _ = _device()
                opts = [f"-DPORT_BLOCK_THREADS={key}", "-DPORT_EXACT_BLOCK_THREADS"]
                try:
                    prg = cl.Program(ctx, self.text).build(options=opts)
                except cl.Error as e:
                    raise error("PORT6001", f"OpenCL build of kernel {self.fn.name!r} failed:\n"
                                f"{e}", self.fn.loc, "report this with the kernel's source "
                                "(portable port FILE.cu --to opencl)") from None
                self.programs[key] = getattr(prg, self.ident)
            return self.programs[key]

    def __call__(self, spec: LaunchSpec) -> None:
        import pyopencl as cl

        ctx, queue = _device()
        kernel = self.program(spec.nthreads)
        values = list(spec.args)
        for p in self.tr.legal.global_params:
            values.append(spec.globals[p.name].reshape(-1))
        buffers: dict[tuple, tuple] = {}
        args = []
        mf = cl.mem_flags
        for p, v in zip(self.fn.params, values, strict=True):
            if isinstance(p.type, Pointer):
                a = np.ascontiguousarray(v)
                key = (a.__array_interface__["data"][0], a.nbytes)
                if key not in buffers:
                    host = a if a.nbytes else np.zeros(1, np.uint8)
                    buf = cl.Buffer(ctx, mf.READ_WRITE | mf.COPY_HOST_PTR, hostbuf=host)
                    buffers[key] = (buf, v, p.name in self.written)
                args.append(buffers[key][0])
            elif isinstance(p.type, Scalar):
                dt = np.uint8 if p.type.is_bool else p.type.dtype
                args.append(np.asarray(v).astype(dt)[()])
            elif isinstance(p.type, Vector) and p.type.n == 3:
                # OpenCL's 3-vectors are 16 bytes, like 4-vectors: pad CUDA's 12-byte value
                v = np.asarray(v, elem_dtype(p.type))
                args.append(np.array([v[f] for f in "xyz"] + [0], p.type.elem.dtype))
            else:
                args.append(np.asarray(v, elem_dtype(p.type))[()])
        if self.fn.dynamic_shared:
            args.append(cl.LocalMemory(max(1, spec.shared_mem)))
        local = spec.block
        gsize = tuple(g * b for g, b in zip(spec.grid, spec.block, strict=True))
        with self.lock:  # a pyopencl Kernel holds its arguments: one launch sets them at a time
            kernel(queue, gsize, local, *args)
        for buf, host, changed in buffers.values():
            if changed and host.nbytes:
                cl.enqueue_copy(queue, host, buf)
        queue.finish()


def compile(fn: ir.Function, options: dict) -> _Launcher:
    """A launcher running `fn` as OpenCL C on the preferred device."""
    return _Launcher(fn)
