"""Lowering rules for calls in kernels: the registry, argument binding, and Python's own functions.

A rule is `impl(lw, node, **args) -> value`, with the call's lowered arguments bound to its
parameter names (`bind`). Every CUDA builtin a rule builds is declared once, in
`portable.builtins` (STYLE 10): a rule names those declarations in `uses` and builds them with
`build`, after adapting numba's conventions (arrays and index tuples instead of pointers, numba's
typing). A rule that builds none says in `why` what it builds instead. The rules live in
`cudacalls` (the `cuda.*` namespace), `mathcalls` (`math`, numpy and Python's numeric
functions) and here (conversions, `len`, `range`, `print`).
"""

from __future__ import annotations

import ast
import builtins
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from portable.frontends.python import markers
from portable.frontends.python.ntypes import dtype_of
from portable.frontends.python.values import ArrayVal, DTypeVal, PyObj, RangeVal, TupleVal

from portable import builtins as declared
from portable import ir
from portable.types import BOOL, F64, I64, Scalar, Type


@dataclass(frozen=True)
class Rule:
    """How one callable lowers: its parameters ("x=default", "*xs"), its implementation, and the
    `portable.builtins` declarations it builds (`uses`) or, for none, what it builds (`why`)."""

    params: tuple[str, ...]
    impl: Callable[..., object]
    uses: tuple[str, ...] = ()
    why: str = ""


CUDA: dict[str, Rule] = {}  # marker name ("atomic.add") -> rule
PY: dict[int, Rule] = {}  # id(python object) -> rule
_KEEP: list = []  # keeps the keyed objects alive


def _rule(params: str, impl, uses: str, why: str) -> Rule:
    names = tuple(uses.split())
    missing = [n for n in names if declared.lookup(n) is None]
    if missing or bool(names) == bool(why):
        raise AssertionError(f"rule {impl.__name__}: name the builtins it uses or why it uses "
                             f"none (undeclared: {missing})")
    return Rule(tuple(p for p in params.split(",") if p), impl, names, why)


def cuda_rule(name: str, params: str = "", uses: str = "", why: str = ""):
    """Register the rule of `cuda.<name>` (a `markers.Intrinsic`)."""
    def deco(f):
        CUDA[name] = _rule(params, f, uses, why)
        return f
    return deco


def py_rule(objs, params: str = "", uses: str = "", why: str = ""):
    """Register one rule for Python objects (math.sqrt, np.float32, min ...), keyed by identity."""
    def deco(f):
        rule = _rule(params, f, uses, why)
        for o in objs:
            _KEEP.append(o)
            PY[id(o)] = rule
        return f
    return deco


def lookup(obj) -> Rule | None:
    """The rule of a callable seen in a kernel, or None."""
    if isinstance(obj, markers.Intrinsic):
        return CUDA.get(obj.name)
    return PY.get(id(obj))


def bind(lw, node: ast.Call, params: tuple[str, ...], name: str) -> dict:
    """Lower the call's arguments and bind them to `params` ("x=default" marks optional ones;
    "*xs" collects the rest)."""
    out: dict = {}
    pos = [lw.expr(a) for a in node.args if not isinstance(a, ast.Starred)]
    if any(isinstance(a, ast.Starred) for a in node.args):
        raise lw.err("PORT1014", "*args in a kernel call", node)
    kws = {k.arg: lw.expr(k.value) for k in node.keywords}
    for p in params:
        if p.startswith("*"):
            out[p[1:]] = pos
            pos = []
            continue
        pname, _, default = p.partition("=")
        if pos:
            out[pname] = pos.pop(0)
        elif pname in kws:
            out[pname] = kws.pop(pname)
        elif default:
            out[pname] = None if default == "None" else lw.wrap(eval(default), node)
        else:
            raise lw.err("PORT2001", f"{name}() is missing argument {pname!r}", node)
    if pos or kws:
        raise lw.err("PORT2001", f"{name}() takes {len(params)} arguments", node,
                     f"parameters: {', '.join(params) or 'none'}")
    return out


def build(lw, node: ast.AST, name: str, args: Sequence[ir.Expr], ret: Type | None = None):
    """The IR of CUDA builtin `name` (declared in portable.builtins) on lowered arguments, with
    `ret` the result type numba's typing chose; a statement builtin is emitted (gives None)."""
    b = declared.lookup(name)
    out = b.build(args, lw.loc(node), ret)
    if b.stmt:
        lw.emit(out)
        return None
    return out


def S(lw, node, v, what="a number") -> ir.Expr:
    return lw.as_scalar(v, node, what)


def integer(lw, node, v, what="an integer") -> ir.Expr:
    e = S(lw, node, v, what)
    if e.type.is_float:
        raise lw.err("PORT2001", f"expected {what}, got {e.type}", node)
    return e


def dtype_arg(lw, node, v) -> Scalar:
    if isinstance(v, DTypeVal):
        return v.type
    obj = v.obj if isinstance(v, PyObj) else None
    t = dtype_of(obj) if obj is not None else None
    if t is None:
        raise lw.err("PORT1003", "expected a dtype (np.float32, numba.int32, 'float64' ...)", node)
    return t


# ---------------------------------------------------------------- conversions, len, range, print

def _caster(t: Scalar):
    def rule(lw, node, x):
        e = S(lw, node, x)
        return lw.truth(e, node) if t.is_bool else lw.cast(e, t, lw.loc(node))
    return rule


_CONVERSION = "a conversion (Cast)"
py_rule([builtins.int], "x", why=_CONVERSION)(_caster(I64))
py_rule([builtins.float], "x", why=_CONVERSION)(_caster(F64))
py_rule([builtins.bool], "x", why=_CONVERSION)(_caster(BOOL))
for _name in ("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
              "float16", "float32", "float64", "bool_", "intp", "uintp", "double", "single"):
    if hasattr(np, _name):
        py_rule([getattr(np, _name)], "x", why=_CONVERSION)(_caster(dtype_of(getattr(np, _name))))


@py_rule([builtins.len], "x", why="a compile-time length or an array extent")
def _r_len(lw, node, x):
    if isinstance(x, TupleVal):
        return ir.const(len(x.items), I64)
    if isinstance(x, ArrayVal):
        return lw.array_shape(x, node)[0]
    raise lw.err("PORT2001", "len() takes an array or a tuple", node,
                 "use a.shape[0], a.size or len(a) on an array argument")


@py_rule([builtins.range], "*xs", why="the bounds of a counted loop")
def _r_range(lw, node, xs):
    es = [integer(lw, node, v, "an integer range bound") for v in xs]
    if not 1 <= len(es) <= 3:
        raise lw.err("PORT2001", "range() takes 1 to 3 arguments", node)
    if len(es) == 1:
        es = [ir.const(0, I64), es[0]]
    if len(es) == 2:
        es.append(ir.const(1, I64))
    return RangeVal(*(lw.cast(e, I64) for e in es))


@py_rule([builtins.print], "*xs", why="a Print statement (printf)")
def _r_print(lw, node, xs):
    fmt, args = [], []
    for v in xs:
        if isinstance(v, PyObj) and isinstance(v.obj, str):
            fmt.append(v.obj.replace("%", "%%"))
            continue
        e = S(lw, node, v)
        if e.type.is_float:
            fmt.append("%f")
            e = lw.cast(e, F64)
        elif e.type.is_bool or e.type.is_signed:
            fmt.append("%lld")
            e = lw.cast(e, I64)
        else:
            fmt.append("%llu")
        args.append(e)
    lw.emit(ir.Print(" ".join(fmt) + "\n", tuple(args), loc=lw.loc(node)))


from portable.frontends.python import cudacalls, mathcalls  # noqa: E402, F401  (register rules)
