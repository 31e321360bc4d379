"""Lowering rules for calls: the cuda namespace, Python builtins, `math` and numpy scalars.

Each rule is `rule(lw, node, args) -> value` where `args` are the lowered arguments bound to
the rule's parameter names (`bind`). The cuda rules build the same IR nodes the CUDA C frontend
builds for the corresponding `__builtins` (atomicAdd, __shfl_sync, __popc ...).
"""

from __future__ import annotations

import ast
import builtins
import math
from collections.abc import Callable

import numpy as np
from portable.frontends.python import markers
from portable.frontends.python.ntypes import dtype_of, unify
from portable.frontends.python.values import ArrayVal, DTypeVal, PyObj, TupleVal

from portable import ir
from portable.semantics import FULL_MASK, INTRINSICS
from portable.types import BOOL, F64, I32, I64, U32, Scalar, Space

Op = ir.Op
Rule = Callable[..., object]
CUDA: dict[str, tuple[tuple[str, ...], Rule]] = {}  # marker name -> (params, rule)
PY: dict[int, tuple[tuple[str, ...], Rule]] = {}  # id(python object) -> (params, rule)
_KEEP: list = []  # keeps the keyed objects alive


def cuda_rule(name: str, params: str = ""):
    def deco(f):
        CUDA[name] = (tuple(p for p in params.split(",") if p), f)
        return f
    return deco


def py_rule(objs, params: str = ""):
    def deco(f):
        for o in objs:
            _KEEP.append(o)
            PY[id(o)] = (tuple(p for p in params.split(",") if p), f)
        return f
    return deco


def lookup(obj) -> tuple[tuple[str, ...], Rule] | None:
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


def S(lw, node, v, what="a number") -> ir.Expr:
    return lw.as_scalar(v, node, what)


def _int(lw, node, v, what="an integer") -> ir.Expr:
    e = S(lw, node, v, what)
    if e.type.is_float:
        raise lw.err("PORT2001", f"expected {what}, got {e.type}", node)
    return e


def _dtype(lw, node, v) -> Scalar:
    if isinstance(v, DTypeVal):
        return v.type
    obj = v.obj if isinstance(v, PyObj) else None
    t = dtype_of(obj) if obj is not None else None
    if t is None:
        raise lw.err("PORT1003", "expected a dtype (np.float32, numba.int32, 'float64' ...)", node)
    return t


# ---------------------------------------------------------------- cuda: indexing

def _grid(lw, node, ndim, size: bool):
    n = ndim.value if isinstance(ndim, ir.Const) else None
    if n not in (1, 2, 3):
        raise lw.err("PORT2001", "cuda.grid/gridsize take a constant 1, 2 or 3", node)
    out = []
    for axis in "xyz"[:n]:
        if size:
            e = ir.Binary(Op.MUL, lw.special("blockDim", axis, node),
                          lw.special("gridDim", axis, node), I64)
        else:
            e = ir.Binary(Op.ADD, lw.special("threadIdx", axis, node), ir.Binary(
                Op.MUL, lw.special("blockIdx", axis, node), lw.special("blockDim", axis, node),
                I64), I64)
        out.append(e)
    return out[0] if n == 1 else TupleVal(tuple(out))


@cuda_rule("grid", "ndim")
def _r_grid(lw, node, ndim):
    return _grid(lw, node, ndim, False)


@cuda_rule("gridsize", "ndim")
def _r_gridsize(lw, node, ndim):
    return _grid(lw, node, ndim, True)


# ---------------------------------------------------------------- cuda: memory

@cuda_rule("shared.array", "shape,dtype")
def _r_shared(lw, node, shape, dtype):
    return lw.shared_array(shape, _dtype(lw, node, dtype), Space.SHARED, node)


@cuda_rule("local.array", "shape,dtype")
def _r_local(lw, node, shape, dtype):
    return lw.shared_array(shape, _dtype(lw, node, dtype), Space.LOCAL, node)


@cuda_rule("const.array_like", "ary")
def _r_const(lw, node, ary):
    if not (isinstance(ary, ArrayVal) and ary.fixed and isinstance(ary.base, ir.Global)):
        raise lw.err("PORT2001", "cuda.const.array_like takes a module-level numpy array", node)
    return ary


# ---------------------------------------------------------------- cuda: barriers and votes

def _mask(lw, node, v) -> ir.Expr:
    return lw.cast(_int(lw, node, v, "a lane mask"), U32)


@cuda_rule("syncthreads")
def _r_sync(lw, node):
    lw.emit(ir.Barrier(Op.BARRIER_BLOCK, loc=lw.loc(node)))


@cuda_rule("syncwarp", f"mask={FULL_MASK}")
def _r_syncwarp(lw, node, mask):
    lw.emit(ir.Barrier(Op.BARRIER_WARP, _mask(lw, node, mask), loc=lw.loc(node)))


for _name, _op in (("threadfence", Op.FENCE_DEVICE), ("threadfence_block", Op.FENCE_BLOCK),
                   ("threadfence_system", Op.FENCE_SYSTEM)):
    cuda_rule(_name)(lambda lw, node, _op=_op: lw.emit(ir.Barrier(_op, loc=lw.loc(node))))

for _name, _op in (("syncthreads_count", Op.SYNC_COUNT), ("syncthreads_and", Op.SYNC_AND),
                   ("syncthreads_or", Op.SYNC_OR)):
    cuda_rule(_name, "predicate")(
        lambda lw, node, predicate, _op=_op: ir.Vote(
            _op, None, lw.truth(S(lw, node, predicate), node), I32, loc=lw.loc(node)))

for _name, _op, _t in (("all_sync", Op.VOTE_ALL, BOOL), ("any_sync", Op.VOTE_ANY, BOOL),
                       ("ballot_sync", Op.VOTE_BALLOT, U32)):
    cuda_rule(_name, "mask,predicate")(
        lambda lw, node, mask, predicate, _op=_op, _t=_t: ir.Vote(
            _op, _mask(lw, node, mask), lw.truth(S(lw, node, predicate), node), _t,
            loc=lw.loc(node)))


@cuda_rule("activemask")
def _r_activemask(lw, node):
    return ir.Vote(Op.ACTIVEMASK, None, None, U32, loc=lw.loc(node))


@cuda_rule("lanemask_lt")
def _r_lanemask_lt(lw, node):
    lane = ir.Cast(ir.Special(ir.Sreg.LANEID), U32)
    one = ir.const(1, U32)
    return ir.Binary(Op.SUB, ir.Binary(Op.SHL, one, lane, U32), one, U32, loc=lw.loc(node))


for _name, _op in (("shfl_sync", Op.SHFL_IDX), ("shfl_up_sync", Op.SHFL_UP),
                   ("shfl_down_sync", Op.SHFL_DOWN), ("shfl_xor_sync", Op.SHFL_XOR)):
    def _shfl(lw, node, mask, value, lane, _op=_op):
        v = S(lw, node, value)
        if v.type.is_bool:
            v = lw.cast(v, I32)
        return ir.Shuffle(_op, _mask(lw, node, mask), v, lw.cast(_int(lw, node, lane), I32),
                          ir.const(32, I32), v.type, loc=lw.loc(node))
    cuda_rule(_name, "mask,value,lane")(_shfl)


# ---------------------------------------------------------------- cuda: atomics

_ATOMIC_OPS = {"add": Op.ATOMIC_ADD, "sub": Op.ATOMIC_SUB, "max": Op.ATOMIC_MAX,
               "min": Op.ATOMIC_MIN, "nanmax": Op.ATOMIC_MAX, "nanmin": Op.ATOMIC_MIN,
               "exch": Op.ATOMIC_EXCH, "inc": Op.ATOMIC_INC, "dec": Op.ATOMIC_DEC,
               "and_": Op.ATOMIC_AND, "or_": Op.ATOMIC_OR, "xor": Op.ATOMIC_XOR}


def _atomic_target(lw, node, ary, idx):
    if not isinstance(ary, ArrayVal):
        raise lw.err("PORT2001", "the first argument of a cuda.atomic function must be an "
                     "array", node)
    if isinstance(idx, ir.Expr) or isinstance(idx, TupleVal):
        r = lw.index_values(ary, idx.items if isinstance(idx, TupleVal) else (idx,), node)
        if isinstance(r, ArrayVal):
            raise lw.err("PORT2001", "a cuda.atomic index must address one element", node,
                         "pass one index per dimension, e.g. (i, j)")
        return r
    raise lw.err("PORT2001", "a cuda.atomic index must be an integer or a tuple", node)


for _name, _op in _ATOMIC_OPS.items():
    def _atomic(lw, node, ary, idx, val, _op=_op, _name=_name):
        base, index = _atomic_target(lw, node, ary, idx)
        t = ary.dtype
        if _op in (Op.ATOMIC_AND, Op.ATOMIC_OR, Op.ATOMIC_XOR, Op.ATOMIC_INC, Op.ATOMIC_DEC) \
                and not t.is_int:
            raise lw.err("PORT2001", f"cuda.atomic.{_name} needs an integer array, got {t}", node)
        return ir.Atomic(_op, base, index, lw.cast(S(lw, node, val), t), t, loc=lw.loc(node))
    cuda_rule(f"atomic.{_name}", "ary,idx,val")(_atomic)


@cuda_rule("atomic.cas", "ary,idx,old,val")
def _r_cas(lw, node, ary, idx, old, val):
    base, index = _atomic_target(lw, node, ary, idx)
    t = ary.dtype
    return ir.Atomic(Op.ATOMIC_CAS, base, index, lw.cast(S(lw, node, val), t), t,
                     compare=lw.cast(S(lw, node, old), t), loc=lw.loc(node))


@cuda_rule("atomic.compare_and_swap", "ary,old,val")
def _r_compare_and_swap(lw, node, ary, old, val):
    return _r_cas(lw, node, ary, ir.const(0, I64), old, val)


# ---------------------------------------------------------------- cuda: bit and math helpers

def _icall(name: str):
    def rule(lw, node, x):
        e = _int(lw, node, x)
        if e.type.is_bool:
            e = lw.cast(e, I32)
        return ir.Call(name, (e,), INTRINSICS[name].result((e.type,)), loc=lw.loc(node))
    return rule


for _name in ("popc", "clz", "ffs", "brev"):
    cuda_rule(_name, "x")(_icall(_name))


@cuda_rule("fma", "a,b,c")
def _r_fma(lw, node, a, b, c):
    xs = [S(lw, node, v) for v in (a, b, c)]
    t = _float_type(xs)
    return ir.Call("fma", tuple(lw.cast(x, t) for x in xs), t, loc=lw.loc(node))


@cuda_rule("selp", "cond,a,b")
def _r_selp(lw, node, cond, a, b):
    x, y = S(lw, node, a), S(lw, node, b)
    t = unify(x.type, y.type) if x.type != y.type else x.type
    return ir.Select(lw.truth(S(lw, node, cond), node), lw.cast(x, t), lw.cast(y, t), t,
                     loc=lw.loc(node))


def _float_type(xs) -> Scalar:
    t = xs[0].type
    for x in xs[1:]:
        t = unify(t, x.type) if t != x.type else t
    return t if t.is_float else F64


def _fcall(name: str, result: str = "", n: int = 1):
    """A float math function: float32 stays float32, integers become float64 (numba)."""
    def rule(lw, node, **args):
        xs = [S(lw, node, a) for a in args.values()]
        t = _float_type(xs)
        if name in ("isnan", "isinf") and not xs[0].type.is_float:
            return ir.const(False, BOOL)
        if name == "isfinite" and not xs[0].type.is_float:
            return ir.const(True, BOOL)
        call = ir.Call(name, tuple(lw.cast(x, t) for x in xs),
                       INTRINSICS[name].result((t,) * n), loc=lw.loc(node))
        return lw.cast(call, I64) if result == "int" else call
    return rule


cuda_rule("cbrt", "x")(_fcall("cbrt"))

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
        py_rule([getattr(math, _k)], "x")(_fcall(_v))
for _k, _v in _MATH2.items():
    py_rule([getattr(math, _k)], "x,y")(_fcall(_v, n=2))
for _k in ("floor", "ceil", "trunc"):
    py_rule([getattr(math, _k)], "x")(_fcall(_k, "int"))  # numba: math.floor returns int64


@py_rule([math.log], "x,base=None")
def _r_log(lw, node, x, base):
    r = _fcall("log")(lw, node, x=x)
    if base is None:
        return r
    b = _fcall("log")(lw, node, x=base)
    t = unify(r.type, b.type)
    return ir.Binary(Op.DIV, lw.cast(r, t), lw.cast(b, t), t, loc=lw.loc(node))


@py_rule([math.radians, math.degrees], "x")
def _r_radians(lw, node, x):
    e = S(lw, node, x)
    t = e.type if e.type.is_float else F64
    f = math.pi / 180 if node.func.attr == "radians" else 180 / math.pi  # type: ignore
    return ir.Binary(Op.MUL, lw.cast(e, t), ir.const(f, t), t, loc=lw.loc(node))


# numpy scalar functions: same as math, but floor/ceil/trunc/rint keep the float type
_NP1 = dict(_MATH1, absolute="fabs", abs="fabs", arcsin="asin", arccos="acos", arctan="atan",
            arcsinh="asinh", arccosh="acosh", arctanh="atanh", log="log", floor="floor",
            ceil="ceil", trunc="trunc", rint="rint")
for _k, _v in _NP1.items():
    if hasattr(np, _k) and _k not in ("gamma", "lgamma", "erf", "erfc"):
        py_rule([getattr(np, _k)], "x")(_fcall(_v))
py_rule([np.arctan2], "x,y")(_fcall("atan2", n=2))
py_rule([np.power], "x,y")(_fcall("pow", n=2))
py_rule([np.hypot], "x,y")(_fcall("hypot", n=2))
py_rule([np.copysign], "x,y")(_fcall("copysign", n=2))
py_rule([np.fmod], "x,y")(_fcall("fmod", n=2))


# ---------------------------------------------------------------- builtins and numpy casts

@py_rule([builtins.abs], "x")
def _r_abs(lw, node, x):
    e = S(lw, node, x)
    if e.type.is_float:
        return ir.Call("fabs", (e,), e.type, loc=lw.loc(node))
    if e.type.is_bool:
        e = lw.cast(e, I64)
    if not e.type.is_signed:
        return e
    return ir.Call("abs", (e,), e.type, loc=lw.loc(node))


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
            if t.is_bool:
                t = I64
            fn = ("f" + which) if t.is_float else which
            acc = ir.Call(fn, (lw.cast(acc, t), lw.cast(e, t)), t, loc=lw.loc(node))
        return acc
    return rule


py_rule([builtins.min, np.minimum, np.fmin], "*xs")(_minmax("min"))
py_rule([builtins.max, np.maximum, np.fmax], "*xs")(_minmax("max"))


def _caster(t: Scalar):
    def rule(lw, node, x):
        e = S(lw, node, x)
        return lw.truth(e, node) if t.is_bool else lw.cast(e, t, lw.loc(node))
    return rule


py_rule([builtins.int], "x")(_caster(I64))
py_rule([builtins.float], "x")(_caster(F64))
py_rule([builtins.bool], "x")(_caster(BOOL))
for _name in ("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
              "float16", "float32", "float64", "bool_", "intp", "uintp", "double", "single"):
    if hasattr(np, _name):
        py_rule([getattr(np, _name)], "x")(_caster(dtype_of(getattr(np, _name))))


@py_rule([builtins.round], "x,ndigits=None")
def _r_round(lw, node, x, ndigits):
    if ndigits is not None:
        raise lw.err("PORT1014", "round(x, ndigits) is not supported", node,
                     "scale, round and divide")
    e = S(lw, node, x)
    if not e.type.is_float:
        return e
    return lw.cast(ir.Call("rint", (e,), e.type, loc=lw.loc(node)), I64)  # half to even


@py_rule([builtins.len], "x")
def _r_len(lw, node, x):
    if isinstance(x, TupleVal):
        return ir.const(len(x.items), I64)
    if isinstance(x, ArrayVal):
        return lw.array_shape(x, node)[0]
    raise lw.err("PORT2001", "len() takes an array or a tuple", node,
                 "use a.shape[0], a.size or len(a) on an array argument")


@py_rule([builtins.range], "*xs")
def _r_range(lw, node, xs):
    from portable.frontends.python.values import RangeVal

    es = [_int(lw, node, v, "an integer range bound") for v in xs]
    if not 1 <= len(es) <= 3:
        raise lw.err("PORT2001", "range() takes 1 to 3 arguments", node)
    if len(es) == 1:
        es = [ir.const(0, I64), es[0]]
    if len(es) == 2:
        es.append(ir.const(1, I64))
    return RangeVal(*(lw.cast(e, I64) for e in es))


@py_rule([builtins.print], "*xs")
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
