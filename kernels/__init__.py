"""The built-in kernel library: one registry used by `portable check`, `portable bench`, the
tests and the README demo.

Each entry is a `Spec`: a source (a .cu file under kernels/cuda/, or a Python module of
numba.cuda-style kernels), sizes, a seeded input generator (never all zeros; output buffers start
as garbage), the launch list, an independent numpy reference written from the maths, a tolerance,
and byte and flop counts.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np

HERE = Path(__file__).parent


@dataclass(frozen=True)
class Run:
    """One kernel launch: kernel name, grid, block, argument names (keys of the inputs dict)."""

    kernel: str
    grid: int | tuple
    block: int | tuple
    args: tuple[str, ...]
    shared_mem: int = 0


@dataclass(frozen=True)
class Spec:
    """A library kernel. Callables take the size parameters as keyword arguments."""

    name: str
    source: str  # "name.cu" under kernels/cuda/, or "py:module" under kernels/
    sizes: dict[str, dict]  # {"small": {...}, "large": {...}}
    inputs: Callable[..., dict]  # inputs(rng, **size) -> {arg name: array or scalar}
    launches: Callable[..., list[Run]]  # launches(**size) -> [Run, ...]
    reference: Callable[..., dict]  # reference(inputs, **size) -> {output name: expected}
    bytes: Callable[..., int]  # bytes moved to/from global memory, for GB/s
    flops: Callable[..., int]  # floating-point (or integer) operations, for GFLOP/s
    rtol: float = 1e-5
    atol: float = 1e-6
    tags: tuple[str, ...] = ()  # e.g. ("memory-bound",), ("shared", "atomic")
    defines: dict = field(default_factory=dict)


def cdiv(a: int, b: int) -> int:
    return -(-a // b)


@cache
def load_module(source: str, defines: tuple = ()):
    """The portable Module of a library source (parsed once per process)."""
    import portable

    if source.startswith("py:"):
        mod = importlib.import_module(f"portable.kernels.{source[3:]}")
        if hasattr(mod, "module"):
            return mod.module()
        from portable.cuda import module_of  # numba.cuda-style programs: their @cuda.jit kernels

        return module_of(mod)
    path = HERE / "cuda" / source
    return portable.parse_cuda(path.read_text(), filename=str(path), defines=dict(defines))


def registry() -> dict[str, Spec]:
    """Every library kernel by name, in a stable order."""
    specs: dict[str, Spec] = {}
    for info in sorted(pkgutil.iter_modules([str(HERE)]), key=lambda i: i.name):
        if info.name.startswith("lib_"):
            mod = importlib.import_module(f"portable.kernels.{info.name}")
            for s in mod.SPECS:
                if s.name in specs:
                    raise ValueError(f"duplicate kernel name {s.name}")
                specs[s.name] = s
    return specs


def run(spec: Spec, backend: str, size: str = "small", seed: int = 0,
        inputs: dict | None = None) -> dict[str, np.ndarray]:
    """Launch `spec` on `backend`; returns the final value of every argument array."""
    params = spec.sizes[size]
    if inputs is None:
        inputs = spec.inputs(np.random.default_rng(seed), **params)
    args = {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in inputs.items()}
    mod = load_module(spec.source, tuple(sorted(spec.defines.items())))
    for r in spec.launches(**params):
        mod[r.kernel].launch(r.grid, r.block, *(args[a] for a in r.args), backend=backend,
                             shared_mem=r.shared_mem)
    return args


def check(spec: Spec, backend: str, size: str = "small", seed: int = 0) -> list[str]:
    """Run `spec` on `backend` and compare with its reference; returns the mismatches."""
    params = spec.sizes[size]
    inputs = spec.inputs(np.random.default_rng(seed), **params)
    expected = spec.reference({k: (v.copy() if isinstance(v, np.ndarray) else v)
                               for k, v in inputs.items()}, **params)
    got = run(spec, backend, size, seed, inputs)
    return compare_outputs(got, expected, spec.rtol, spec.atol)


def compare_outputs(got: dict, expected: dict, rtol: float, atol: float) -> list[str]:
    problems = []
    for name, want in expected.items():
        have = np.asarray(got[name])
        want = np.asarray(want)
        if have.shape != want.shape:
            have = have.reshape(want.shape) if have.size == want.size else have
        if want.dtype.kind in "iub":
            bad = np.flatnonzero((have != want).reshape(-1))
        else:
            bad = np.flatnonzero(~np.isclose(have, want, rtol=rtol, atol=atol, equal_nan=True)
                                 .reshape(-1))
        if bad.size:
            i = int(bad[0])
            problems.append(f"{name}: {bad.size}/{want.size} elements differ; first at flat "
                            f"index {i}: got {have.reshape(-1)[i]!r}, expected "
                            f"{want.reshape(-1)[i]!r}")
    return problems


# ---------------------------------------------------------------- helpers for the lib_* modules

EPS32 = float(np.finfo(np.float32).eps)  # 2^-23: one unit of float32 rounding, relative
EPS64 = float(np.finfo(np.float64).eps)


def uniform(rng: np.random.Generator, shape, lo: float = -1.0, hi: float = 1.0,
            dtype=np.float32) -> np.ndarray:
    """Uniform random floats in [lo, hi) of `dtype`."""
    return rng.uniform(lo, hi, size=shape).astype(dtype)


def garbage(rng: np.random.Generator, shape, dtype) -> np.ndarray:
    """An output buffer's initial contents: random junk, so a kernel that skips a write fails."""
    dtype = np.dtype(dtype)
    if dtype.kind == "f":
        return (rng.standard_normal(size=shape) * 1e3).astype(dtype)
    info = np.iinfo(dtype)
    return rng.integers(info.min, info.max, size=shape, endpoint=True, dtype=dtype)


def f64(a) -> np.ndarray:
    """`a` widened to float64: references compute in double and round once at the end."""
    return np.asarray(a, dtype=np.float64)
