"""Every CUDA builtin function, declared once (STYLE 10): its name, its type rule and the IR it
builds. Both frontends look names up here; each target spells the resulting IR in its dialect.

    b = builtins.lookup("atomicAdd")          # -> Builtin | None
    node = b.build(args, loc, ret)            # -> ir.Expr, or ir.Stmt when b.stmt

`args` are IR expressions (any types: the builder inserts the conversions CUDA's prototype
implies); `ret` is the result type the caller's overload resolution chose, or None to let the
builtin's own rule decide (float math on int arguments computes in double, like C).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from portable import ir
from portable.errors import NOLOC, Loc, error
from portable.ir import Op
from portable.semantics import FULL_MASK, INTRINSICS
from portable.types import BOOL, F32, F64, I32, I64, U32, U64, Pointer, Scalar, Type, Vector
from portable.verify import ATOMIC_TYPES  # the IR's (op, type) table is the type rule

Args = Sequence[ir.Expr]


@dataclass(frozen=True)
class Builtin:
    """One CUDA builtin. `build(args, loc, ret)` returns its IR; `stmt` builtins have no value."""

    name: str
    kind: str  # math | int | convert | atomic | shuffle | vote | sync | vector | memory
    nargs: tuple[int, int]  # (min, max) argument count
    builder: Callable[[Args, Loc, Type | None], ir.Expr | ir.Stmt]
    doc: str = ""
    stmt: bool = False

    def build(self, args: Args, loc: Loc = NOLOC, ret: Type | None = None) -> ir.Expr | ir.Stmt:
        lo, hi = self.nargs
        if not lo <= len(args) <= hi:
            want = str(lo) if lo == hi else f"{lo} to {hi}"
            raise error("PORT2001", f"{self.name} takes {want} arguments, got {len(args)}", loc)
        return self.builder(list(args), loc, ret)


BUILTINS: dict[str, Builtin] = {}


def lookup(name: str) -> Builtin | None:
    """The builtin called `name` (CUDA spelling), or None."""
    return BUILTINS.get(name)


def names(kind: str | None = None) -> list[str]:
    """All builtin names, optionally of one kind."""
    return sorted(n for n, b in BUILTINS.items() if kind is None or b.kind == kind)


def _reg(name: str, kind: str, nargs: int | tuple[int, int], builder, doc: str = "",
         stmt: bool = False) -> None:
    n = (nargs, nargs) if isinstance(nargs, int) else nargs
    BUILTINS[name] = Builtin(name, kind, n, builder, doc, stmt)


# ---------------------------------------------------------------- conversions shared by builders


def convert(e: ir.Expr, t: Type, loc: Loc = NOLOC) -> ir.Expr:
    """`e` converted to `t` with C semantics (no node when the type already matches)."""
    if e.type == t:
        return e
    if is_null(e) and isinstance(t, Pointer):
        return ir.Const(0, t, loc=loc)
    if isinstance(e.type, Pointer) and t == BOOL:  # a pointer as a truth value: p != NULL
        return ir.Compare(ir.Op.NE, e, ir.Const(0, e.type, loc=loc), loc=loc)
    if isinstance(e, ir.Const) and isinstance(t, Scalar) and isinstance(e.type, Scalar):
        from portable import semantics

        v = semantics.cast(e.value, e.type, t)
        return ir.const(v.item() if hasattr(v, "item") else v, t, loc)
    return ir.Cast(e, t, loc=loc)


def is_null(e: ir.Expr) -> bool:
    """Is `e` the null pointer constant (`ir.Const(0, Pointer)`)?"""
    return isinstance(e, ir.Const) and isinstance(e.type, Pointer)


def to_bool(e: ir.Expr, loc: Loc = NOLOC) -> ir.Expr:
    return convert(e, BOOL, loc)


def common_type(ts: Sequence[Type]) -> Type:
    """C's usual arithmetic conversions over scalar types (integer promotion included)."""
    scal = [t for t in ts if isinstance(t, Scalar)]
    if len(scal) != len(ts) or not scal:
        return ts[0]
    floats = [t for t in scal if t.is_float]
    if floats:
        return max(floats, key=lambda t: t.bits)
    ints = [t if t.is_int and t.bits >= 32 else I32 for t in scal]
    bits = max(t.bits for t in ints)
    wide = [t for t in ints if t.bits == bits]
    return next((t for t in wide if not t.is_signed), wide[0])


def _float_type(args: Args, ret: Type | None) -> Scalar:
    if isinstance(ret, Scalar) and ret.is_float:
        return ret
    ts = [a.type for a in args]
    if ts and all(isinstance(t, Scalar) and t.is_float for t in ts):
        return max(ts, key=lambda t: t.bits)  # type: ignore[arg-type,return-value]
    return F64  # C: int arguments of the double function


def _intrinsic(fn: str, args: Args, t: Type, loc: Loc) -> ir.Call:
    args = tuple(convert(a, t, loc) for a in args)
    return ir.Call(fn, args, INTRINSICS[fn].result(tuple(a.type for a in args)), loc=loc)


def _math(fn: str, fixed: Scalar | None):
    def build(args: Args, loc: Loc, ret: Type | None) -> ir.Expr:
        return _intrinsic(fn, args, fixed or _float_type(args, ret), loc)
    return build


def _binop(op: Op, t: Scalar):
    return lambda a, loc, ret: ir.Binary(op, convert(a[0], t, loc), convert(a[1], t, loc), t,
                                         loc=loc)


def _fixed_int(fn: str, t: Scalar):
    return lambda a, loc, ret: _intrinsic(fn, a, t, loc)


# ---------------------------------------------------------------- math library

_MATH1 = ("sqrt exp exp2 exp10 expm1 log log2 log10 log1p sin cos tan asin acos atan sinh cosh "
          "tanh asinh acosh atanh fabs floor ceil trunc round rint cbrt rsqrt erf erfc lgamma "
          "tgamma").split()
_MATH2 = "pow atan2 fmod hypot copysign fdim remainder fmin fmax".split()

for _fn in _MATH1 + _MATH2 + ["fma"]:
    _n = INTRINSICS[_fn].nargs
    _reg(_fn + "f", "math", _n, _math(_fn, F32), f"{_fn} in float")
    _reg(_fn, "math", _n, _math(_fn, None), f"{_fn} (double, or float for float arguments)")
_reg("nearbyintf", "math", 1, _math("rint", F32))
_reg("nearbyint", "math", 1, _math("rint", None))
_reg("__saturatef", "math", 1, _math("saturate", F32), "clamp to [0, 1], NaN -> 0")
for _fast, _fn in (("__expf", "exp"), ("__exp10f", "exp10"), ("__logf", "log"),
                   ("__log2f", "log2"), ("__log10f", "log10"), ("__sinf", "sin"),
                   ("__cosf", "cos"), ("__tanf", "tan"), ("__powf", "pow"),
                   ("__fsqrt_rn", "sqrt"), ("__frsqrt_rn", "rsqrt"), ("__fmaf_rn", "fma"),
                   ("__fmaf_rz", "fma")):
    # the fast variants compute the accurate function (within their documented error)
    _reg(_fast, "math", INTRINSICS[_fn].nargs, _math(_fn, F32), f"fast {_fn} (float)")
_reg("__dsqrt_rn", "math", 1, _math("sqrt", F64))
_reg("__fma_rn", "math", 3, _math("fma", F64))
for _t, _p in ((F32, "f"), (F64, "d")):
    for _name, _op in (("add", Op.ADD), ("sub", Op.SUB), ("mul", Op.MUL), ("div", Op.DIV)):
        for _mode in ("rn", "rz", "ru", "rd"):  # directed rounding: within 1 ulp of rn
            _reg(f"__{_p}{_name}_{_mode}", "math", 2, _binop(_op, _t), f"{_name} in {_t}")
_reg("__fdividef", "math", 2, _binop(Op.DIV, F32), "fast float division")


def _rcp(t: Scalar):
    return lambda a, loc, ret: ir.Binary(Op.DIV, ir.const(1.0, t, loc), convert(a[0], t, loc),
                                         t, loc=loc)


_reg("__frcp_rn", "math", 1, _rcp(F32))
_reg("__drcp_rn", "math", 1, _rcp(F64))


def _pred(fn: str):
    def build(args: Args, loc: Loc, ret: Type | None) -> ir.Expr:
        c = _intrinsic(fn, args, _float_type(args, None), loc)
        return convert(c, ret if isinstance(ret, Scalar) else I32, loc)
    return build


for _n, _fn in (("isnan", "isnan"), ("isinf", "isinf"), ("isfinite", "isfinite"),
                ("signbit", "signbit"), ("__isnanf", "isnan"), ("__isinff", "isinf"),
                ("__finitef", "isfinite"), ("__isnan", "isnan"), ("__isinf", "isinf"),
                ("__finite", "isfinite")):
    _reg(_n, "math", 1, _pred(_fn), f"{_fn} as int")


# ---------------------------------------------------------------- min / max / abs


def _minmax(ifn: str, ffn: str, fixed: Scalar | None = None):
    def build(args: Args, loc: Loc, ret: Type | None) -> ir.Expr:
        t = fixed or (ret if isinstance(ret, Scalar) else common_type([a.type for a in args]))
        return _intrinsic(ffn if t.is_float else ifn, args, t, loc)  # type: ignore[union-attr]
    return build


_reg("min", "int", 2, _minmax("min", "fmin"), "min of ints (or floats: fmin)")
_reg("max", "int", 2, _minmax("max", "fmax"), "max of ints (or floats: fmax)")
for _n, _t in (("umin", U32), ("llmin", I64), ("ullmin", U64)):
    _reg(_n, "int", 2, _minmax("min", "fmin", _t))
for _n, _t in (("umax", U32), ("llmax", I64), ("ullmax", U64)):
    _reg(_n, "int", 2, _minmax("max", "fmax", _t))


def _abs(fixed: Scalar | None = None):
    def build(args: Args, loc: Loc, ret: Type | None) -> ir.Expr:
        t = fixed or (ret if isinstance(ret, Scalar) else common_type([args[0].type]))
        return _intrinsic("fabs" if t.is_float else "abs", args, t, loc)  # type: ignore
    return build


_reg("abs", "int", 1, _abs(), "abs of an int (or fabs of a float)")
_reg("labs", "int", 1, _abs(I64))
_reg("llabs", "int", 1, _abs(I64))

# ---------------------------------------------------------------- integer intrinsics

for _n, _fn, _t in (("__popc", "popc", U32), ("__popcll", "popc", U64), ("__clz", "clz", I32),
                    ("__clzll", "clz", I64), ("__ffs", "ffs", I32), ("__ffsll", "ffs", I64),
                    ("__brev", "brev", U32), ("__brevll", "brev", U64),
                    ("__mulhi", "mulhi", I32), ("__umulhi", "mulhi", U32),
                    ("__mul64hi", "mulhi", I64), ("__umul64hi", "mulhi", U64),
                    ("__mul24", "mul24", I32), ("__umul24", "mul24", U32)):
    _reg(_n, "int", INTRINSICS[_fn].nargs, _fixed_int(_fn, _t), f"{_fn} on {_t}")

# ---------------------------------------------------------------- conversions


def _round_cast(fn: str | None, src: Scalar, dst: Scalar):
    def build(args: Args, loc: Loc, ret: Type | None) -> ir.Expr:
        v = convert(args[0], src, loc)
        if fn is not None:
            v = ir.Call(fn, (v,), src, loc=loc)
        return convert(v, dst, loc)
    return build


_ROUND = {"rn": "rint", "rz": None, "rd": "floor", "ru": "ceil"}
for _pfx, _src in (("float", F32), ("double", F64)):
    for _to, _dst in (("int", I32), ("uint", U32), ("ll", I64), ("ull", U64)):
        for _mode, _fn in _ROUND.items():
            _reg(f"__{_pfx}2{_to}_{_mode}", "convert", 1, _round_cast(_fn, _src, _dst))
for _mode in _ROUND:
    _reg(f"__double2float_{_mode}", "convert", 1, _round_cast(None, F64, F32))
    for _from, _src in (("int", I32), ("uint", U32), ("ll", I64), ("ull", U64)):
        _reg(f"__{_from}2float_{_mode}", "convert", 1, _round_cast(None, _src, F32))
        _reg(f"__{_from}2double_{_mode}", "convert", 1, _round_cast(None, _src, F64))


def _bitcast(fn: str, src: Scalar):
    def build(args: Args, loc: Loc, ret: Type | None) -> ir.Expr:
        if fn not in INTRINSICS:
            raise error("PORT1002", f"bit reinterpretation {fn} is not available", loc)
        return _intrinsic(fn, args, src, loc)
    return build


for _n, _src in (("float_as_int", F32), ("int_as_float", I32), ("float_as_uint", F32),
                 ("uint_as_float", U32), ("double_as_longlong", F64),
                 ("longlong_as_double", I64)):
    _reg(f"__{_n}", "convert", 1, _bitcast(_n, _src), f"reinterpret the bits ({_n})")

# ---------------------------------------------------------------- memory: __ldg and friends


def address(p: ir.Expr, loc: Loc = NOLOC) -> tuple[ir.Expr, tuple[ir.Expr, ...]]:
    """(base, index) of the element a pointer expression points at."""
    if isinstance(p, ir.AddrOf):
        return p.base, p.index
    if isinstance(p, ir.Binary) and p.op is Op.ADD and isinstance(p.type, Pointer):
        return p.lhs, (p.rhs,)
    if not isinstance(p.type, Pointer):
        raise error("PORT1013", f"expected a pointer, got a value of type {p.type}", loc,
                    "pass the address of an element, e.g. &a[i]")
    return p, (ir.const(0, I32, loc),)


def _ldg(args: Args, loc: Loc, ret: Type | None) -> ir.Expr:
    base, index = address(args[0], loc)
    return ir.Load(base, index, args[0].type.elem, loc=loc)  # type: ignore[union-attr]


def _st(args: Args, loc: Loc, ret: Type | None) -> ir.Stmt:
    base, index = address(args[0], loc)
    return ir.Store(base, index, convert(args[1], args[0].type.elem, loc), loc=loc)  # type: ignore


for _n in ("__ldg", "__ldcg", "__ldca", "__ldcs", "__ldlu", "__ldcv"):
    _reg(_n, "memory", 1, _ldg, "a plain load (cache hints are advisory)")
for _n in ("__stwb", "__stcg", "__stcs", "__stwt"):
    _reg(_n, "memory", 2, _st, "a plain store (cache hints are advisory)", stmt=True)

# ---------------------------------------------------------------- atomics

_ATOMICS = {
    "atomicAdd": Op.ATOMIC_ADD, "atomicSub": Op.ATOMIC_SUB, "atomicMin": Op.ATOMIC_MIN,
    "atomicMax": Op.ATOMIC_MAX, "atomicExch": Op.ATOMIC_EXCH, "atomicAnd": Op.ATOMIC_AND,
    "atomicOr": Op.ATOMIC_OR, "atomicXor": Op.ATOMIC_XOR, "atomicInc": Op.ATOMIC_INC,
    "atomicDec": Op.ATOMIC_DEC, "atomicCAS": Op.ATOMIC_CAS,
}


def _atomic(op: Op):
    def build(args: Args, loc: Loc, ret: Type | None) -> ir.Expr:
        p = args[0]
        if not isinstance(p.type, Pointer):
            raise error("PORT2001", f"the first argument of an atomic must be a pointer, got "
                        f"{p.type}", loc, "pass &array[index]")
        t = p.type.elem
        if t not in ATOMIC_TYPES[op]:
            verb = op.value.replace("_", " ")
            raise error("PORT2001", f"{verb} on {t} is not available", loc,
                        f"{verb} takes {', '.join(sorted(map(str, ATOMIC_TYPES[op])))}")
        base, index = address(p, loc)
        if op is Op.ATOMIC_CAS:
            return ir.Atomic(op, base, index, convert(args[2], t, loc), t,
                             compare=convert(args[1], t, loc), loc=loc)
        return ir.Atomic(op, base, index, convert(args[1], t, loc), t, loc=loc)
    return build


for _n, _op in _ATOMICS.items():
    _k = 3 if _op is Op.ATOMIC_CAS else 2
    for _sfx in ("", "_block", "_system"):  # scopes: every backend gives device-wide atomicity
        _reg(_n + _sfx, "atomic", _k, _atomic(_op), f"{_op.value} on *addr; returns the old value")

# ---------------------------------------------------------------- warp shuffles and votes

_SHFL = {"__shfl": Op.SHFL_IDX, "__shfl_up": Op.SHFL_UP, "__shfl_down": Op.SHFL_DOWN,
         "__shfl_xor": Op.SHFL_XOR}


def _shuffle(op: Op, sync: bool):
    def build(args: Args, loc: Loc, ret: Type | None) -> ir.Expr:
        if sync:
            mask, rest = convert(args[0], U32, loc), list(args[1:])
        else:
            mask, rest = ir.const(FULL_MASK, U32, loc), list(args)
        value, lane = rest[0], convert(rest[1], I32, loc)
        width = convert(rest[2], I32, loc) if len(rest) > 2 else ir.const(32, I32, loc)
        t = ret if ret is not None else value.type
        if not isinstance(t, Scalar):
            raise error("PORT2001", f"shuffles move scalars, got {t}", loc,
                        "shuffle each field separately")
        return ir.Shuffle(op, mask, convert(value, t, loc), lane, width, t, loc=loc)
    return build


for _n, _op in _SHFL.items():
    _reg(_n + "_sync", "shuffle", (3, 4), _shuffle(_op, True), f"warp shuffle ({_op.value})")
    _reg(_n, "shuffle", (2, 3), _shuffle(_op, False), f"legacy warp shuffle ({_op.value})")


def _vote(op: Op, t: Scalar, sync: bool):
    def build(args: Args, loc: Loc, ret: Type | None) -> ir.Expr:
        mask = convert(args[0], U32, loc) if sync else ir.const(FULL_MASK, U32, loc)
        pred = to_bool(args[-1], loc)
        return ir.Vote(op, mask, pred, ret if isinstance(ret, Scalar) else t, loc=loc)
    return build


for _n, _op, _t in (("__ballot", Op.VOTE_BALLOT, U32), ("__any", Op.VOTE_ANY, I32),
                    ("__all", Op.VOTE_ALL, I32)):
    _reg(_n + "_sync", "vote", 2, _vote(_op, _t, True), f"warp vote ({_op.value})")
    _reg(_n, "vote", 1, _vote(_op, _t, False), f"legacy warp vote ({_op.value})")
_reg("__activemask", "vote", 0,
     lambda a, loc, ret: ir.Vote(Op.ACTIVEMASK, None, None, U32, loc=loc),
     "mask of the lanes executing this instruction")


def _lanemask_lt(args: Args, loc: Loc, ret: Type | None) -> ir.Expr:
    one = ir.const(1, U32)
    lane = ir.Cast(ir.Special(ir.Sreg.LANEID), U32)
    return ir.Binary(Op.SUB, ir.Binary(Op.SHL, one, lane, U32), one, U32, loc=loc)


_reg("__lanemask_lt", "vote", 0, _lanemask_lt, "mask of the lanes below this one")
for _n, _op in (("__syncthreads_count", Op.SYNC_COUNT), ("__syncthreads_and", Op.SYNC_AND),
                ("__syncthreads_or", Op.SYNC_OR)):
    _reg(_n, "vote", 1, (lambda o: lambda a, loc, ret: ir.Vote(o, None, to_bool(a[0], loc), I32,
                                                                loc=loc))(_op),
         "block barrier that also reduces a predicate")

# ---------------------------------------------------------------- barriers and fences

_reg("__syncthreads", "sync", 0, lambda a, loc, ret: ir.Barrier(Op.BARRIER_BLOCK, loc=loc),
     "block-wide barrier", stmt=True)
_reg("__syncwarp", "sync", (0, 1), lambda a, loc, ret: ir.Barrier(
    Op.BARRIER_WARP, convert(a[0], U32, loc) if a else ir.const(FULL_MASK, U32, loc), loc=loc),
     "warp barrier", stmt=True)
for _n, _op in (("__threadfence", Op.FENCE_DEVICE), ("__threadfence_block", Op.FENCE_BLOCK),
                ("__threadfence_system", Op.FENCE_SYSTEM)):
    _reg(_n, "sync", 0, (lambda o: lambda a, loc, ret: ir.Barrier(o, loc=loc))(_op),
         "memory fence", stmt=True)

# ---------------------------------------------------------------- vector constructors

_VEC_ELEMS = {"char": "i8", "uchar": "u8", "short": "i16", "ushort": "u16", "int": "i32",
              "uint": "u32", "long": "i64", "ulong": "u64", "longlong": "i64",
              "ulonglong": "u64", "float": "f32", "double": "f64"}


def _make(t: Vector):
    return lambda a, loc, ret: ir.Pack(tuple(convert(x, t.elem, loc) for x in a), t, loc=loc)


for _e, _s in _VEC_ELEMS.items():
    from portable.types import scalar as _scalar

    for _k in (1, 2, 3, 4):
        _vt = Vector(_scalar(_s), _k)
        _reg(f"make_{_e}{_k}", "vector", _k, _make(_vt), f"build a {_e}{_k}")
