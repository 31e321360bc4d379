"""Loading, launching and ahead-of-time compiling the generated Triton programs.

The generated source is written once to the cache directory (Triton reads a kernel's source
from its file) and imported from there. For the interpreter the same module is loaded with
its `@triton.jit` functions rebound to Triton's `InterpretedFunction` and `libdevice` bound to
`portable.semantics`, and numpy arrays are handed over through a small torch-like adapter, so
neither a GPU nor torch is needed.
"""

from __future__ import annotations

import hashlib
import importlib.util
import threading
from functools import lru_cache
from types import ModuleType, SimpleNamespace

import numpy as np

from portable import config, ir, semantics
from portable.errors import PortError, error
from portable.launch import LaunchSpec
from portable.types import Pointer, from_dtype

from .triton_gen import Translation, translate

_lock = threading.Lock()  # the interpreter keeps its grid state in module globals


@lru_cache(maxsize=256)
def translation(fn: ir.Function) -> Translation:
    """The kernel's Triton program (generated once per kernel IR)."""
    return translate(fn)


def source_path(t: Translation):
    digest = hashlib.sha256(t.source.encode()).hexdigest()[:16]
    d = config.cache_dir() / "triton"
    path = d / f"{t.name}_{digest}.py"
    if not path.exists():
        d.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{threading.get_ident()}.tmp")
        tmp.write_text(t.source)
        tmp.replace(path)
    return path


def load(t: Translation, interpret: bool) -> ModuleType:
    """Import the generated module; `interpret` rebinds it to Triton's interpreter."""
    path = source_path(t)
    spec = importlib.util.spec_from_file_location(f"portable_triton_{path.stem}", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    if interpret:
        from triton.runtime.interpreter import InterpretedFunction

        _fix_interpreter()
        from triton.runtime.jit import JITFunction

        for k, v in list(vars(mod).items()):
            if isinstance(v, JITFunction):
                f = InterpretedFunction(v.fn)
                setattr(mod, k, f if k == t.name else _Helper(f))
        mod.libdevice = _NumpyLibdevice()
    return mod


# ---------------------------------------------------------------- interpreter adapters

_fixed = False


def _fix_interpreter() -> None:
    """Comparisons in Triton's interpreter (3.x) label their bool result with the operands'
    dtype, so broadcasting a scalar comparison gives int32 lanes that loads then reject as a
    mask. Relabel the results int1, as compiled Triton types them."""
    global _fixed
    if _fixed:
        return
    import triton.language as tl
    from triton.runtime.interpreter import InterpreterBuilder, TensorHandle

    def relabel(f):
        def g(self, lhs, rhs):
            r = f(self, lhs, rhs)
            return TensorHandle(np.asarray(r.data, dtype=np.bool_), tl.int1)
        return g

    for name in dir(InterpreterBuilder):
        if name.startswith(("create_icmp", "create_fcmp")):
            setattr(InterpreterBuilder, name, relabel(getattr(InterpreterBuilder, name)))
    _fixed = True



class _Helper:
    """A helper called from an interpreted kernel. Triton's InterpretedFunction re-patches
    triton.language on every device call (most of the interpreter's time in helper-heavy
    kernels); the kernel's launch has already patched it, so call the rewritten function."""

    def __init__(self, f) -> None:
        self.f = f
        self.fn = None

    def __call__(self, *args, **kwargs):
        if self.fn is None:
            self.fn = self.f.rewrite()
        return self.fn(*args, **kwargs)


class _NumpyLibdevice:
    """`libdevice` for the interpreter: each function is the semantics table's intrinsic."""

    def __getattr__(self, name: str):
        if name not in semantics.INTRINSICS:
            raise AttributeError(name)

        def f(*args):
            import triton.language as tl
            from triton.runtime.interpreter import TensorHandle

            first = args[0]
            arrays = [np.asarray(a.handle.data) for a in args]
            t = from_dtype(arrays[0].dtype)
            out = np.asarray(semantics.call(name, arrays, t))
            rt = semantics.INTRINSICS[name].result(tuple(from_dtype(a.dtype) for a in arrays))
            out = out.astype(rt.dtype).reshape(arrays[0].shape)
            dt = _TL_OF[str(rt)]()
            ty = tl.block_type(dt, first.type.shape) if first.type.is_block() else dt
            return tl.tensor(TensorHandle(out, dt), ty)

        return f


def _tl(name: str):
    return lambda: getattr(__import__("triton.language", fromlist=["x"]), name)


_TL_OF = {"bool": _tl("int1"), "i8": _tl("int8"), "i16": _tl("int16"), "i32": _tl("int32"),
          "i64": _tl("int64"), "u8": _tl("uint8"), "u16": _tl("uint16"), "u32": _tl("uint32"),
          "u64": _tl("uint64"), "f16": _tl("float16"), "f32": _tl("float32"),
          "f64": _tl("float64")}


class _Storage:
    def __init__(self, a: np.ndarray) -> None:
        self.a = a

    def data_ptr(self) -> int:
        return self.a.ctypes.data

    def cpu(self):
        return self  # already host memory: nothing to copy

    def copy_(self, other) -> None:
        pass


class NumpyTensor:
    """The part of torch.Tensor that Triton's interpreter uses, over a numpy array."""

    def __init__(self, a: np.ndarray, dtype) -> None:
        self.a = a
        self.dtype = dtype

    def data_ptr(self) -> int:
        return self.a.ctypes.data

    def untyped_storage(self) -> _Storage:
        return _Storage(self.a)

    def new_empty(self, *args, **kwargs):
        return self

    def set_(self, *args):
        return self

    def storage_offset(self) -> int:
        return 0

    def size(self):
        return self.a.shape

    def stride(self):
        return (1,)

    def copy_(self, other) -> None:
        pass


def _mem_view(a: np.ndarray, elem) -> tuple[np.ndarray, str]:
    """The array as Triton sees its memory (bool as bytes)."""
    if a.dtype == np.bool_:
        return a.view(np.uint8), "u8"
    return a, str(from_dtype(a.dtype))


def launch_config(t: Translation, spec: LaunchSpec) -> dict:
    bx, by, bz = spec.block
    nt = bx * by * bz
    block = 1 << max(nt - 1, 0).bit_length()
    wl = min(block, 32)
    smem = -(-(t.smem_static + spec.shared_mem) // 16) * 16
    return {"BDX": bx, "BDY": by, "BDZ": bz, "BLOCK": block, "NW": block // wl, "WL": wl,
            "SMEM": smem}


def interpret_launcher(fn: ir.Function):
    """A launcher running `fn` through Triton's interpreter on numpy arrays."""
    import triton.language as tl
    from triton.runtime.interpreter import TensorHandle

    t = translation(fn)
    mod = load(t, interpret=True)
    kern = getattr(mod, t.name)

    def scalar(v, ptype):
        dt = _TL_OF[str(ptype)]()
        return tl.tensor(TensorHandle(np.array([v], dtype=ptype.dtype), dt), dt)

    def ptr(a: np.ndarray):
        a, name = _mem_view(a, None)
        return NumpyTensor(a, _TL_OF[name]())

    def launcher(spec: LaunchSpec) -> None:
        cfg = launch_config(t, spec)
        args = [ptr(a) if isinstance(p.type, Pointer) else scalar(a, p.type)
                for p, a in zip(fn.params, spec.args, strict=True)]
        keep = []
        for g, _ in t.globals:
            args.append(ptr(spec.globals[g]))
        if t.uses_smem:
            keep.append(np.zeros(spec.nblocks * cfg["SMEM"] + 16, np.uint8))
            args.append(NumpyTensor(keep[-1], tl.uint8))
        if t.lmem_bytes:
            keep.append(np.zeros(spec.nblocks * cfg["BLOCK"] * t.lmem_bytes + 16, np.uint8))
            args.append(NumpyTensor(keep[-1], tl.uint8))
        with _lock:
            try:
                kern[spec.grid](*args, **cfg)
            except PortError:
                raise
            except Exception as e:  # noqa: BLE001 - any interpreter failure is reported as ours
                raise error("PORT6001", f"triton interpreter failed on kernel {fn.name!r}: "
                            f"{_short(e)}", fn.loc,
                            "run it on the numpy backend to compare; report the generated "
                            "source (k.source('triton'))") from e

    return launcher


def _short(e: Exception) -> str:
    text = str(e).strip().splitlines()
    return text[-1][:300] if text else type(e).__name__


# ---------------------------------------------------------------- ahead-of-time compilation


def aot_compile(fn: ir.Function, target: str, block=(128, 1, 1), shared_mem: int = 0):
    """Compile `fn`'s program for `target` ("cuda": sm_90, "hip": gfx942) without a GPU.

    Returns Triton's CompiledKernel (`.asm` holds ptx/cubin or amdgcn/hsaco).
    """
    import triton
    from triton.backends.compiler import GPUTarget
    from triton.compiler import ASTSource

    t = translation(fn)
    mod = load(t, interpret=False)
    kern = getattr(mod, t.name)
    sig = {}
    for _, s in t.params:
        sig[kern.arg_names[len(sig)]] = s
    for g, s in t.globals:
        sig[f"_g_{g}"] = "*" + s
    if t.uses_smem:
        sig["_smem"] = "*u8"
    if t.lmem_bytes:
        sig["_lmem"] = "*u8"
    spec = SimpleNamespace(block=tuple(block) + (1,) * (3 - len(block)), shared_mem=shared_mem)
    cfg = launch_config(t, spec)  # type: ignore[arg-type]
    for k in cfg:
        sig[k] = "constexpr"
    tgt = GPUTarget("cuda", 90, 32) if target == "cuda" else GPUTarget("hip", "gfx942", 64)
    try:
        return triton.compile(ASTSource(fn=kern, signature=sig, constexprs=cfg), target=tgt,
                              options={"enable_fp_fusion": True})
    except Exception as e:  # noqa: BLE001
        raise error("PORT6001", f"triton could not compile kernel {fn.name!r} for {target}: "
                    f"{_short(e)}", fn.loc) from e

