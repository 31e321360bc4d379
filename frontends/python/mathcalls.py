"""`math`, numpy scalar functions and Python's abs/min/max/round in kernels, built from the CUDA
math builtins of `portable.builtins` with numba's typing: float32 stays float32, integers
compute in float64, `math.floor/ceil/trunc` give int64 (numpy's keep the float type), and
`isnan/isinf/isfinite` of an integer are constants.
"""

from __future__ import annotations

import builtins
import math

import numpy as np
from portable.frontends.python.intrinsics import S, build, py_rule
from portable.frontends.python.ntypes import unify
from portable.frontends.python.values import TupleVal

from portable import ir
from portable.types import BOOL, F64, I64, Scalar

Op = ir.Op


def numba_float(xs: list[ir.Expr]) -> Scalar:
    """The type a float function of `xs` computes in (numba: numpy's promotion, ints -> f64)."""
    t = xs[0].type
    for x in xs[1:]:
        t = unify(t, x.type) if t != x.type else t
    return t if t.is_float else F64


def fcall(name: str, to_int: bool = False):
    """The rule of float function `name` (a portable.builtins declaration)."""
    def rule(lw, node, **args):
        xs = [S(lw, node, a) for a in args.values()]
        if name in ("isnan", "isinf", "isfinite"):
            if not xs[0].type.is_float:  # numba: an integer is finite
                return ir.const(name == "isfinite", BOOL)
            return build(lw, node, name, xs, BOOL)
        r = build(lw, node, name, xs, numba_float(xs))
        return lw.cast(r, I64) if to_int else r
    return rule


_MATH1 = {"sqrt": "sqrt", "exp": "exp", "expm1": "expm1", "log2": "log2", "log10": "log10",
          "log1p": "log1p", "sin": "sin", "cos": "cos", "tan": "tan", "asin": "asin",
          "acos": "acos", "atan": "atan", "sinh": "sinh", "cosh": "cosh", "tanh": "tanh",
          "asinh": "asinh", "acosh": "acosh", "atanh": "atanh", "fabs": "fabs", "erf": "erf",
          "erfc": "erfc", "gamma": "tgamma", "lgamma": "lgamma", "isnan": "isnan",
          "isinf": "isinf", "isfinite": "isfinite", "cbrt": "cbrt", "exp2": "exp2"}
_MATH2 = {"pow": "pow", "atan2": "atan2", "hypot": "hypot", "copysign": "copysign",
          "fmod": "fmod", "remainder": "remainder"}
for _k, _v in _MATH1.items():
    if hasattr(math, _k):
        py_rule([getattr(math, _k)], "x", uses=_v)(fcall(_v))
for _k, _v in _MATH2.items():
    py_rule([getattr(math, _k)], "x,y", uses=_v)(fcall(_v))
for _k in ("floor", "ceil", "trunc"):
    py_rule([getattr(math, _k)], "x", uses=_k)(fcall(_k, to_int=True))  # numba: int64


@py_rule([math.log], "x,base=None", uses="log")
def _r_log(lw, node, x, base):
    r = fcall("log")(lw, node, x=x)
    if base is None:
        return r
    b = fcall("log")(lw, node, x=base)
    t = unify(r.type, b.type)
    return ir.Binary(Op.DIV, lw.cast(r, t), lw.cast(b, t), t, loc=lw.loc(node))


@py_rule([math.radians, math.degrees], "x", why="a multiplication by a constant")
def _r_radians(lw, node, x):
    e = S(lw, node, x)
    t = e.type if e.type.is_float else F64
    f = math.pi / 180 if node.func.attr == "radians" else 180 / math.pi  # type: ignore
    return ir.Binary(Op.MUL, lw.cast(e, t), ir.const(f, t), t, loc=lw.loc(node))


# numpy scalar functions: as math, but floor/ceil/trunc/rint keep the float type
_NP1 = dict(_MATH1, absolute="fabs", abs="fabs", arcsin="asin", arccos="acos", arctan="atan",
            arcsinh="asinh", arccosh="acosh", arctanh="atanh", log="log", floor="floor",
            ceil="ceil", trunc="trunc", rint="rint")
for _k, _v in _NP1.items():
    if hasattr(np, _k) and _k not in ("gamma", "lgamma", "erf", "erfc"):
        py_rule([getattr(np, _k)], "x", uses=_v)(fcall(_v))
for _k, _v in {"arctan2": "atan2", "power": "pow", "hypot": "hypot", "copysign": "copysign",
               "fmod": "fmod"}.items():
    py_rule([getattr(np, _k)], "x,y", uses=_v)(fcall(_v))


@py_rule([builtins.abs], "x", uses="abs")
def _r_abs(lw, node, x):
    e = S(lw, node, x)
    if e.type.is_bool:
        e = lw.cast(e, I64)
    if not e.type.is_float and not e.type.is_signed:
        return e
    return build(lw, node, "abs", [e], e.type)


def _minmax(which: str):
    def rule(lw, node, xs):
        if len(xs) == 1 and isinstance(xs[0], TupleVal):
            xs = list(xs[0].items)
        if len(xs) < 2:
            raise lw.err("PORT1014", f"{which}() of one value or an array is not supported",
                         node, f"write {which}(a, b, ...)")
        es = [S(lw, node, v) for v in xs]
        acc = es[0]
        for e in es[1:]:
            t = unify(acc.type, e.type) if acc.type != e.type else acc.type
            acc = build(lw, node, which, [acc, e], I64 if t.is_bool else t)
        return acc
    return rule


py_rule([builtins.min, np.minimum, np.fmin], "*xs", uses="min")(_minmax("min"))
py_rule([builtins.max, np.maximum, np.fmax], "*xs", uses="max")(_minmax("max"))


@py_rule([builtins.round], "x,ndigits=None", uses="rint")
def _r_round(lw, node, x, ndigits):
    if ndigits is not None:
        raise lw.err("PORT1014", "round(x, ndigits) is not supported", node,
                     "scale, round and divide")
    e = S(lw, node, x)
    if not e.type.is_float:
        return e
    return lw.cast(build(lw, node, "rint", [e], e.type), I64)  # half to even
