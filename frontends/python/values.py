"""What a Python expression denotes while a kernel is lowered.

Scalars are IR expressions. Everything else is known at compile time and lives only in the
frontend: arrays (a base pointer or fixed array plus shape and stride expressions), tuples,
Python objects captured from the kernel's globals (modules, functions, dtypes, constants) and
range objects.

Array parameters are mangled into scalar parameters (documented in `lower.py`).
"""

from __future__ import annotations

from dataclasses import dataclass

from portable import ir
from portable.errors import Loc
from portable.types import I64, Scalar


@dataclass(frozen=True)
class ArrayVal:
    """An array: element `dtype`, a base expression and i64 shape/stride expressions.

    `fixed` arrays (shared, local and constant arrays) have an Array-typed base indexed with
    one index per dimension; the others have a pointer base indexed with one flat element
    index `offset + sum(index[d] * strides[d])`.
    """

    base: ir.Expr
    dtype: Scalar
    shape: tuple[ir.Expr, ...]
    strides: tuple[ir.Expr, ...]
    offset: ir.Expr | None = None
    fixed: bool = False
    layout: str = "C"

    @property
    def ndim(self) -> int:
        return len(self.shape)


@dataclass(frozen=True)
class TupleVal:
    items: tuple  # of values (ir.Expr, ArrayVal, TupleVal ...)


@dataclass(frozen=True)
class PyObj:
    """A Python object known at compile time (a module, function, dtype, marker ...)."""

    obj: object


@dataclass(frozen=True)
class RangeVal:
    start: ir.Expr
    stop: ir.Expr
    step: ir.Expr


@dataclass(frozen=True)
class DTypeVal:
    """A dtype written in the kernel (`np.float32` when used as a type, `a.dtype`)."""

    type: Scalar


Value = ir.Expr | ArrayVal | TupleVal | PyObj | RangeVal | DTypeVal


def c_strides(shape: tuple[ir.Expr, ...], loc: Loc) -> tuple[ir.Expr, ...]:
    """Row-major element strides for `shape` (as i64 expressions)."""
    out: list[ir.Expr] = []
    acc: ir.Expr = ir.const(1, I64, loc)
    for d in reversed(shape):
        out.append(acc)
        acc = mul(acc, d, loc)
    return tuple(reversed(out))


def mul(a: ir.Expr, b: ir.Expr, loc: Loc) -> ir.Expr:
    """a * b in i64, skipping multiplications by the constant 1."""
    if isinstance(a, ir.Const) and a.value == 1:
        return b
    if isinstance(b, ir.Const) and b.value == 1:
        return a
    if isinstance(a, ir.Const) and isinstance(b, ir.Const):
        return ir.const(int(a.value) * int(b.value), I64, loc)
    return ir.Binary(ir.Op.MUL, a, b, I64, loc=loc)


def add(a: ir.Expr | None, b: ir.Expr, loc: Loc) -> ir.Expr:
    if a is None or (isinstance(a, ir.Const) and a.value == 0):
        return b
    if isinstance(b, ir.Const) and b.value == 0:
        return a
    return ir.Binary(ir.Op.ADD, a, b, I64, loc=loc)
