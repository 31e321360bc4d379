"""ConstantFold: evaluates operators on constants through `portable.semantics` (the functions
the numpy reference runs, so folding cannot change a result), and simplifies control flow on
constant conditions. Types and source locations are kept.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from portable import ir, semantics
from portable.types import Scalar


def _val(c: ir.Const) -> np.ndarray:
    return np.asarray(c.value, dtype=c.type.dtype)


def _const(value: object, like: ir.Expr) -> ir.Const | None:
    """A Const of `like`'s type and loc holding the numpy scalar `value`."""
    t = like.type
    v = np.asarray(value).reshape(()).astype(t.dtype)[()]
    if t.is_float:
        py: int | float | bool = float(v)
    elif t.is_bool:
        py = bool(v)
    else:
        py = int(v)
    return ir.Const(py, t, loc=like.loc)


def _scalar_consts(*es: ir.Expr | None) -> bool:
    return all(isinstance(e, ir.Const) and isinstance(e.type, Scalar) for e in es)


class _Folder(ir.Transformer):
    def visit_Unary(self, e: ir.Unary) -> ir.Expr:
        if _scalar_consts(e.value) and isinstance(e.type, Scalar):
            return _const(semantics.unary(e.op, _val(e.value), e.type), e)
        return e

    def visit_Binary(self, e: ir.Binary) -> ir.Expr:
        if e.op in ir.LOGICAL and isinstance(e.lhs, ir.Const):
            # C semantics: the right operand is evaluated only when the left does not decide
            decided = bool(e.lhs.value) == (e.op is ir.Op.LOR)
            return ir.Const(bool(e.lhs.value), e.type, loc=e.loc) if decided else e.rhs
        if _scalar_consts(e.lhs, e.rhs) and isinstance(e.type, Scalar) and \
                e.lhs.type == e.type:
            return _const(semantics.binary(e.op, _val(e.lhs), _val(e.rhs), e.type), e)
        return e

    def visit_Compare(self, e: ir.Compare) -> ir.Expr:
        if _scalar_consts(e.lhs, e.rhs):
            return _const(semantics.compare(e.op, _val(e.lhs), _val(e.rhs)), e)
        return e

    def visit_Cast(self, e: ir.Cast) -> ir.Expr:
        if _scalar_consts(e.value) and isinstance(e.type, Scalar):
            return _const(semantics.cast(_val(e.value), e.value.type, e.type), e)
        return e

    def visit_Select(self, e: ir.Select) -> ir.Expr:
        if isinstance(e.cond, ir.Const):
            return e.a if e.cond.value else e.b  # only the chosen arm is evaluated
        return e

    def visit_Call(self, e: ir.Call) -> ir.Expr:
        if e.fn in semantics.INTRINSICS and e.args and _scalar_consts(*e.args) \
                and isinstance(e.type, Scalar):
            t = e.args[0].type
            try:
                r = semantics.call(e.fn, [_val(a) for a in e.args], t)
            except (ArithmeticError, ValueError, TypeError):  # leave it to run time
                return e
            return _const(r, e)
        return e

    def visit_If(self, s: ir.If):
        if isinstance(s.cond, ir.Const):
            # the taken branch's declarations join the enclosing block; names are unique
            return tuple(s.then if s.cond.value else s.orelse)
        return s

    def visit_While(self, s: ir.While):
        if isinstance(s.cond, ir.Const) and not s.cond.value:
            return ()
        return s


class ConstantFold:
    """The constant-folding pass (STYLE 8)."""

    name = "fold"

    def run(self, m: ir.ModuleIR) -> ir.ModuleIR:
        f = _Folder()
        return dataclasses.replace(m, functions=tuple(f.function(fn) for fn in m.functions))


def fold_expr(e: ir.Expr) -> ir.Expr:
    """`e` with its constant sub-expressions folded."""
    return _Folder().visit(e)
