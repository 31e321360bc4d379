"""Differential checks of your own kernels: every backend against the numpy reference.

    from portable.testing import compare
    r = compare(k, grid, block, x, y, n)          # k: portable.Kernel or a @cuda.jit kernel
    assert r.ok, r                                 # str(r): one line per backend and output
    r.raise_for_mismatch()                         # the same, as an AssertionError

`compare` copies the arguments once per backend, so every run starts from the same inputs (your
arrays are not modified). It runs the numpy reference -- recording which (block, thread) last
wrote every byte of global memory -- and then each backend in `backends` (default: every
available backend but numpy). For each output array (the pointer arguments the kernel writes)
it reports the maximum absolute and relative error, the number of mismatching elements, and the
first mismatch with the (block, thread) that wrote it on the reference. A backend that fails to
compile or run the kernel is reported as failed, with its error.

Default tolerances, per dtype (an element passes when |got - want| <= atol + rtol * |want|; NaN
matches NaN, infinities must match; pass `rtol`/`atol` to override):

| dtype            | rtol   | atol   | why                                                       |
| ---------------- | ------ | ------ | --------------------------------------------------------- |
| integers, bool   | 0      | 0      | exact: C integer semantics are the same on every backend  |
| float16          | 1e-2   | 1e-3   | ~10 ulp                                                   |
| float32          | 1e-5   | 1e-6   | ~80 ulp: FMA contraction (1 ulp per fused op), 1-2 ulp    |
|                  |        |        | math functions, float atomics summed in another order     |
| float64          | 1e-12  | 1e-14  | the same reasons, in double precision                     |

Reductions with long chains of float atomics or heavy cancellation need a tolerance of their
own (the error grows with the chain length): pass it. Vector and struct elements (float4 ...)
are compared field by field with their field type's tolerance.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from portable.errors import PortError
from portable.kernel import Kernel

__all__ = ["TOLERANCES", "ArrayCheck", "Comparison", "compare", "tolerance"]

TOLERANCES: dict[str, tuple[float, float]] = {
    "float16": (1e-2, 1e-3), "float32": (1e-5, 1e-6), "float64": (1e-12, 1e-14),
}


def tolerance(dtype, rtol: float | None = None, atol: float | None = None
              ) -> tuple[float, float]:
    """(rtol, atol) for elements of `dtype`: the defaults above, overridden where given.
    Integers and bools are always exact."""
    dt = np.dtype(dtype)
    if dt.kind in "iub":
        return 0.0, 0.0
    r, a = TOLERANCES.get(dt.name, TOLERANCES["float64"])
    return (r if rtol is None else rtol), (a if atol is None else atol)


@dataclass
class ArrayCheck:
    """One output array on one backend."""

    backend: str
    name: str
    size: int
    mismatches: int = 0
    max_abs_error: float = 0.0
    max_rel_error: float = 0.0
    rtol: float = 0.0
    atol: float = 0.0
    first: tuple[int, ...] | None = None  # index of the first mismatching element
    got: object = None
    expected: object = None
    writer: tuple | None = None  # ((block), (thread)) that wrote `first` on the reference

    @property
    def ok(self) -> bool:
        return self.mismatches == 0

    def __str__(self) -> str:
        head = f"{self.backend:>16} {self.name}: "
        err = f"max abs error {self.max_abs_error:.3g}, max rel error {self.max_rel_error:.3g}"
        if self.ok:
            return head + f"ok ({err}; rtol {self.rtol:g}, atol {self.atol:g})"
        idx = "[" + ", ".join(map(str, self.first or ())) + "]"
        who = (f", written by block {self.writer[0]} thread {self.writer[1]}" if self.writer
               else "")
        return (head + f"{self.mismatches}/{self.size} elements differ ({err}; rtol "
                f"{self.rtol:g}, atol {self.atol:g}); first at {self.name}{idx}: got "
                f"{self.got!r}, expected {self.expected!r}{who}")


@dataclass
class Comparison:
    """The outcome of `compare`: per backend and output array an `ArrayCheck`, and the
    backends that failed to run (name -> error)."""

    kernel: str
    backends: list[str]
    outputs: list[str]
    checks: list[ArrayCheck] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors and all(c.ok for c in self.checks)

    def __str__(self) -> str:
        lines = [f"portable.testing.compare: kernel {self.kernel!r} against the numpy reference"
                 f" on {', '.join(self.backends) or 'no other backend'}: "
                 + ("ok" if self.ok else "MISMATCH")]
        lines += [str(c) for c in self.checks]
        lines += [f"{b:>16} failed: {e}" for b, e in self.errors.items()]
        return "\n".join(lines)

    def raise_for_mismatch(self) -> None:
        """AssertionError with the report when any backend differs or failed."""
        if not self.ok:
            raise AssertionError(str(self))


def _kernel(kernel, args: tuple) -> Kernel:
    if isinstance(kernel, Kernel):
        return kernel
    if hasattr(kernel, "specialize"):
        return kernel.specialize(*args)
    raise PortError(f"compare() takes a portable Kernel or a @cuda.jit kernel, got "
                    f"{type(kernel).__name__}", code="PORT4008")


def _names(kernel, k: Kernel, n: int) -> list[str]:
    if isinstance(kernel, Kernel):
        return [p.name for p in k.ir.params]
    code = kernel.py_func.__code__
    return list(code.co_varnames[:code.co_argcount])[:n]


def _copy(args: tuple) -> list:
    return [a.copy() if isinstance(a, np.ndarray) else a for a in args]


def _flat_fields(a: np.ndarray) -> np.ndarray:
    """Vector/struct elements as their fields (all of one type), else the array itself."""
    if a.dtype.names:
        from numpy.lib.recfunctions import structured_to_unstructured

        return structured_to_unstructured(a)
    return a


def compare(kernel, grid, block, *args, backends: list[str] | None = None,
            rtol: float | None = None, atol: float | None = None, shared_mem: int = 0
            ) -> Comparison:
    """Run `kernel` on the reference and on each backend from copies of `args`; compare every
    output array (see the module docstring for tolerances). Never modifies `args`."""
    from portable import available_backends

    k = _kernel(kernel, args)
    names = _names(kernel, k, len(args))
    chosen = [b for b in (backends if backends is not None else available_backends())
              if b != "numpy"]
    ref = _copy(args)
    kernel.launch(grid, block, *ref, backend="numpy", shared_mem=shared_mem, sanitize="writers")
    prog = k.compile("numpy", sanitize="writers").__self__
    spec = prog.spec
    written = {id(a) for p, a in zip(k.ir.params, spec.args, strict=True)
               if p.name in k.written}
    written_addrs = {a.ctypes.data for a in spec.args if id(a) in written}
    outputs = [i for i, a in enumerate(ref) if isinstance(a, np.ndarray)
               and a.size and a.ctypes.data in written_addrs]
    result = Comparison(k.name, chosen, [names[i] for i in outputs])
    for b in chosen:
        got = _copy(args)
        try:
            kernel.launch(grid, block, *got, backend=b, shared_mem=shared_mem)
        except PortError as e:
            result.errors[b] = str(e).splitlines()[0]
            continue
        for i in outputs:
            result.checks.append(_check(b, names[i], got[i], ref[i], prog, rtol, atol))
    return result


def _check(backend: str, name: str, got: np.ndarray, want: np.ndarray, prog, rtol, atol
           ) -> ArrayCheck:
    g, w = _flat_fields(got), _flat_fields(want)
    r, a = tolerance(w.dtype, rtol, atol)
    c = ArrayCheck(backend, name, int(want.size), rtol=r, atol=a)
    if w.dtype.kind in "iub":
        bad = g != w
        diff = np.abs(g.astype(np.float64) - w.astype(np.float64))
        rel = diff / np.maximum(np.abs(w.astype(np.float64)), 1)
    else:
        g64, w64 = g.astype(np.float64), w.astype(np.float64)
        with np.errstate(invalid="ignore", over="ignore"):
            diff = np.abs(g64 - w64)
            same = (g64 == w64) | (np.isnan(g64) & np.isnan(w64))
            bad = ~same & ~(diff <= a + r * np.abs(w64))
            diff = np.where(same, 0.0, diff)
            rel = diff / np.where(w64 == 0, 1.0, np.abs(w64))
    if w.ndim > want.ndim:  # fields of vector elements: an element is bad if any field is
        bad, diff, rel = bad.any(-1), diff.max(-1), rel.max(-1)
    finite = np.isfinite(diff)
    c.max_abs_error = float(diff[finite].max()) if finite.any() else float("inf")
    c.max_rel_error = float(rel[np.isfinite(rel)].max()) if np.isfinite(rel).any() else 0.0
    if (~finite).any():
        c.max_abs_error = float("inf")
    c.mismatches = int(bad.sum())
    if c.mismatches:
        flat = int(np.argmax(bad.reshape(-1)))
        idx = np.unravel_index(flat, want.shape)
        c.first = tuple(int(i) for i in idx)
        c.got, c.expected = got[idx].tolist(), want[idx].tolist()
        addr = want.ctypes.data + int(np.dot(idx, want.strides)) if want.ndim else \
            want.ctypes.data
        c.writer = prog.writer_at(addr, want.itemsize)
    return c
