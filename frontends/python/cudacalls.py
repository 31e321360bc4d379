"""The `cuda.*` functions inside kernels: numba's names mapped onto the CUDA builtins declared in
`portable.builtins` (STYLE 10), so both frontends build the same IR for the same operation.

Each rule adapts numba's conventions and leaves the type rule and the IR to the declaration:
an array and an index (or index tuple) become the element's address (`atomicAdd(&a[i, j], v)`),
and numba's typing picks the declaration and the result type (`cuda.popc` of an int64 is
`__popcll`; `cuda.all_sync` gives a bool where CUDA's `__all_sync` gives an int). The rules that
build no builtin say why: index arithmetic (`grid`), array declarations, the conditional operator
(`selp`), a zero-length sleep.
"""

from __future__ import annotations

from portable.frontends.python.intrinsics import S, build, cuda_rule, dtype_arg, integer
from portable.frontends.python.mathcalls import fcall, numba_float
from portable.frontends.python.values import ArrayVal, TupleVal

from portable import ir
from portable.semantics import FULL_MASK
from portable.types import BOOL, F32, I32, I64, U32, Array, Pointer, Scalar, Space

Op = ir.Op

# ---------------------------------------------------------------- indexing and arrays


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


@cuda_rule("grid", "ndim", why="threadIdx + blockIdx * blockDim per axis")
def _r_grid(lw, node, ndim):
    return _grid(lw, node, ndim, False)


@cuda_rule("gridsize", "ndim", why="blockDim * gridDim per axis")
def _r_gridsize(lw, node, ndim):
    return _grid(lw, node, ndim, True)


@cuda_rule("shared.array", "shape,dtype", why="a __shared__ array declaration")
def _r_shared(lw, node, shape, dtype):
    return lw.shared_array(shape, dtype_arg(lw, node, dtype), Space.SHARED, node)


@cuda_rule("local.array", "shape,dtype", why="a local array declaration")
def _r_local(lw, node, shape, dtype):
    return lw.shared_array(shape, dtype_arg(lw, node, dtype), Space.LOCAL, node)


@cuda_rule("const.array_like", "ary", why="a __constant__ array (captured at compile time)")
def _r_const(lw, node, ary):
    if not (isinstance(ary, ArrayVal) and ary.fixed and isinstance(ary.base, ir.Global)):
        raise lw.err("PORT2001", "cuda.const.array_like takes a module-level numpy array", node)
    return ary


# ---------------------------------------------------------------- barriers, fences, votes

def _mask(lw, node, v) -> ir.Expr:
    return lw.cast(integer(lw, node, v, "a lane mask"), U32)


def _pred(lw, node, v) -> ir.Expr:
    return lw.truth(S(lw, node, v), node)


for _name in ("syncthreads", "threadfence", "threadfence_block", "threadfence_system",
              "activemask", "lanemask_lt"):
    cuda_rule(_name, uses="__" + _name)(
        lambda lw, node, _b="__" + _name: build(lw, node, _b, ()))


@cuda_rule("syncwarp", f"mask={FULL_MASK}", uses="__syncwarp")
def _r_syncwarp(lw, node, mask):
    build(lw, node, "__syncwarp", [_mask(lw, node, mask)])


for _name in ("syncthreads_count", "syncthreads_and", "syncthreads_or"):
    cuda_rule(_name, "predicate", uses="__" + _name)(
        lambda lw, node, predicate, _b="__" + _name: build(lw, node, _b,
                                                          [_pred(lw, node, predicate)]))

for _name, _t in (("all_sync", BOOL), ("any_sync", BOOL), ("ballot_sync", U32)):
    cuda_rule(_name, "mask,predicate", uses="__" + _name)(
        lambda lw, node, mask, predicate, _b="__" + _name, _t=_t: build(
            lw, node, _b, [_mask(lw, node, mask), _pred(lw, node, predicate)], _t))


@cuda_rule("eq_sync", "mask,predicate", uses="__all_sync __any_sync")
def _r_eq_sync(lw, node, mask, predicate):
    # the predicate is the same on every lane of the mask when "all" and "any" agree
    m, p = lw.once(_mask(lw, node, mask), "mask"), lw.once(_pred(lw, node, predicate), "pred")
    votes = [build(lw, node, b, [m, p], BOOL) for b in ("__all_sync", "__any_sync")]
    return ir.Compare(Op.EQ, *votes, loc=lw.loc(node))


for _name in ("shfl_sync", "shfl_up_sync", "shfl_down_sync", "shfl_xor_sync"):
    def _shfl(lw, node, mask, value, lane, _b="__" + _name):
        v = S(lw, node, value)
        if v.type.is_bool:
            v = lw.cast(v, I32)
        lane = lw.cast(integer(lw, node, lane), I32)
        return build(lw, node, _b, [_mask(lw, node, mask), v, lane], v.type)
    cuda_rule(_name, "mask,value,lane", uses="__" + _name)(_shfl)


def _match_key(lw, node, value) -> ir.Expr:
    """The value match_*_sync compares (numba: 32- and 64-bit integers and floats)."""
    v = S(lw, node, value)
    if v.type.is_bool or v.type.bits < 32:
        v = lw.cast(v, F32 if v.type.is_float else I32)
    return lw.once(v, "key")


def _same(lw, node, a: ir.Expr, b: ir.Expr) -> ir.Expr:
    """`a` and `b` (variables) hold the same bits, as match.sync compares them: floats are equal
    with the same sign (0.0 and -0.0 differ) or are both NaN."""
    if not a.type.is_float:
        return ir.Compare(Op.EQ, a, b)
    sign, nan = ([build(lw, node, f, [x], BOOL) for x in (a, b)] for f in ("signbit", "isnan"))
    equal = ir.Binary(Op.LAND, ir.Compare(Op.EQ, a, b), ir.Compare(Op.EQ, *sign), BOOL)
    return ir.Binary(Op.LOR, equal, ir.Binary(Op.LAND, *nan, BOOL), BOOL)


@cuda_rule("match_any_sync", "mask,value", uses="__shfl_sync signbit isnan")
def _r_match_any(lw, node, mask, value):
    # lane j's bit is set where lane j of the mask holds the same key: one shuffle per lane
    loc = lw.loc(node)
    m, key = lw.once(_mask(lw, node, mask), "mask"), _match_key(lw, node, value)
    out = lw.temp(ir.const(0, U32, loc), "match")
    j = ir.Var(lw.fresh("lane"), I32, loc=loc)
    bit = ir.Binary(Op.SHL, ir.const(1, U32), ir.Cast(j, U32), U32)

    def body() -> None:
        other = lw.temp(build(lw, node, "__shfl_sync", [m, key, j], key.type), "other")
        hit = ir.Binary(Op.LAND, ir.Compare(Op.NE, ir.Binary(Op.AND, m, bit, U32),
                                            ir.const(0, U32)), _same(lw, node, other, key), BOOL)
        lw.emit(ir.Assign(out, ir.Binary(Op.OR, out, ir.Select(hit, bit, ir.const(0, U32), U32),
                                         U32), loc=loc))
    _, stmts = lw.buffered(body)
    lw.emit(ir.For(j, ir.const(0, I32), ir.const(32, I32), ir.const(1, I32), stmts, loc=loc))
    return out


@cuda_rule("match_all_sync", "mask,value", uses="__ffs __shfl_sync __all_sync signbit isnan")
def _r_match_all(lw, node, mask, value):
    # every lane of the mask holds the key of its lowest lane: (mask, True), else (0, False)
    m, key = lw.once(_mask(lw, node, mask), "mask"), _match_key(lw, node, value)
    first = ir.Binary(Op.SUB, build(lw, node, "__ffs", [m]), ir.const(1, I32), I32)
    lowest = lw.temp(build(lw, node, "__shfl_sync", [m, key, first], key.type), "lowest")
    same = lw.temp(build(lw, node, "__all_sync", [m, _same(lw, node, lowest, key)], BOOL),
                   "same")
    return TupleVal((ir.Select(same, m, ir.const(0, U32), U32, loc=lw.loc(node)), same))


@cuda_rule("nanosleep", "ns", why="nothing: CUDA allows any sleep from 0 to twice the request")
def _r_nanosleep(lw, node, ns):
    e = integer(lw, node, ns, "a number of nanoseconds")
    if isinstance(e, (ir.Atomic, ir.Call, ir.Shuffle, ir.Vote)):
        lw.emit(ir.ExprStmt(e, loc=lw.loc(node)))  # keep the argument's effects


@cuda_rule("cg.this_grid", why="PORT1010: grid-wide synchronisation cannot be ported")
def _r_this_grid(lw, node):
    raise lw.err("PORT1010", "cooperative groups grid synchronisation (cuda.cg.this_grid()) "
                 "cannot be ported", node, "split the kernel at grid.sync() into two kernels "
                 "launched one after the other")


# ---------------------------------------------------------------- atomics

_ATOMICS = {"add": "atomicAdd", "sub": "atomicSub", "max": "atomicMax", "min": "atomicMin",
            "nanmax": "atomicMax", "nanmin": "atomicMin", "exch": "atomicExch",
            "inc": "atomicInc", "dec": "atomicDec", "and_": "atomicAnd", "or_": "atomicOr",
            "xor": "atomicXor"}


def _element(lw, node, ary, idx) -> ir.Expr:
    """The address of `ary[idx]` (numba passes an array and an index; CUDA a pointer)."""
    if not isinstance(ary, ArrayVal):
        raise lw.err("PORT2001", "the first argument of a cuda.atomic function must be an "
                     "array", node)
    if not isinstance(idx, (ir.Expr, TupleVal)):
        raise lw.err("PORT2001", "a cuda.atomic index must be an integer or a tuple", node)
    r = lw.index_values(ary, idx.items if isinstance(idx, TupleVal) else (idx,), node)
    if isinstance(r, ArrayVal):
        raise lw.err("PORT2001", "a cuda.atomic index must address one element", node,
                     "pass one index per dimension, e.g. (i, j)")
    base, index = r
    space = base.type.space if isinstance(base.type, (Array, Pointer)) else Space.GLOBAL
    return ir.AddrOf(base, index, Pointer(ary.dtype, space), loc=lw.loc(node))


for _name, _b in _ATOMICS.items():
    cuda_rule(f"atomic.{_name}", "ary,idx,val", uses=_b)(
        lambda lw, node, ary, idx, val, _b=_b: build(
            lw, node, _b, [_element(lw, node, ary, idx), S(lw, node, val)]))


@cuda_rule("atomic.cas", "ary,idx,old,val", uses="atomicCAS")
def _r_cas(lw, node, ary, idx, old, val):
    return build(lw, node, "atomicCAS", [_element(lw, node, ary, idx), S(lw, node, old),
                                         S(lw, node, val)])


@cuda_rule("atomic.compare_and_swap", "ary,old,val", uses="atomicCAS")
def _r_compare_and_swap(lw, node, ary, old, val):
    return _r_cas(lw, node, ary, ir.const(0, I64), old, val)


# ---------------------------------------------------------------- bits, fma, cbrt, selp

def _bits(fn: str):
    """cuda.popc/clz/ffs/brev: `__<fn>` up to 32 bits, `__<fn>ll` for 64; a narrower integer
    is zero-extended and the count or reversal corrected to its own width (numba's)."""
    def rule(lw, node, x):
        e = integer(lw, node, x)
        t = I32 if e.type.is_bool else e.type
        e = lw.cast(e, t)
        narrow = 32 - t.bits if t.bits < 32 else 0
        if narrow:
            e = lw.cast(lw.cast(e, Scalar("uint", t.bits)), U32)
        r = build(lw, node, f"__{fn}ll" if t.bits == 64 else f"__{fn}", [e])
        if narrow and fn in ("clz", "brev"):
            op, rt = (Op.SUB, I32) if fn == "clz" else (Op.SHR, U32)
            r = ir.Binary(op, r, ir.const(narrow, rt), rt, loc=r.loc)
        return lw.cast(r, t) if fn == "brev" else r
    return rule


for _fn in ("popc", "clz", "ffs", "brev"):
    cuda_rule(_fn, "x", uses=f"__{_fn} __{_fn}ll")(_bits(_fn))


@cuda_rule("fma", "a,b,c", uses="fma")
def _r_fma(lw, node, a, b, c):
    xs = [S(lw, node, v) for v in (a, b, c)]
    return build(lw, node, "fma", xs, numba_float(xs))


cuda_rule("cbrt", "x", uses="cbrt")(fcall("cbrt"))


@cuda_rule("selp", "cond,a,b", why="the conditional operator (Select)")
def _r_selp(lw, node, cond, a, b):
    return lw.select(_pred(lw, node, cond), S(lw, node, a), S(lw, node, b), node)
