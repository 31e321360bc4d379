"""The one semantics table: what every op and intrinsic computes, with C/CUDA rules.

The numpy reference and constant folding both call these functions, so they cannot disagree.
Values are numpy arrays (or numpy scalars) already converted to the operation's type; results
have that type (compares give bool). Every departure from numpy's defaults is marked
`# C semantics:`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from portable.ir import Op
from portable.types import BOOL, F32, I32, U32, U64, Scalar, Type


def _quiet():
    return np.errstate(all="ignore")


def _arr(x, t: Scalar) -> np.ndarray:
    return np.asarray(x, dtype=t.dtype)


def _unsigned(t: Scalar) -> np.dtype:
    return np.dtype(f"uint{t.bits}")


def _div(a, b, t: Scalar):
    if t.is_float:
        return a / b
    # C semantics: integer division truncates towards zero; x/0 is unspecified in CUDA, we give 0;
    # INT_MIN / -1 wraps to INT_MIN.
    a, b = _arr(a, t), _arr(b, t)
    zero = b == 0
    if not t.is_signed:
        return np.where(zero, 0, a // np.where(zero, 1, b).astype(t.dtype)).astype(t.dtype)
    neg1 = b == -1  # a / -1 is -a, wrapping at INT_MIN (numpy's floor_divide would overflow)
    bs = np.where(zero | neg1, 1, b).astype(t.dtype)
    q = np.floor_divide(a, bs)
    r = a - q * bs
    q = np.where((r != 0) & ((a < 0) != (bs < 0)), q + 1, q)  # floor -> truncation
    return np.where(zero, 0, np.where(neg1, np.negative(a), q)).astype(t.dtype)


def _mod(a, b, t: Scalar):
    if t.is_float:
        return np.fmod(a, b)  # C semantics: fmod, sign of the dividend
    # C semantics: a % b == a - (a/b)*b, sign of the dividend; x % 0 gives 0.
    a, b = _arr(a, t), _arr(b, t)
    q = _div(a, b, t)
    return np.where(b == 0, 0, a - q * b).astype(t.dtype)


def _floordiv(a, b, t: Scalar):
    if t.is_float:
        return np.floor_divide(a, b)
    a, b = _arr(a, t), _arr(b, t)
    zero = b == 0
    q = np.floor_divide(a, np.where(zero, 1, b).astype(t.dtype))
    return np.where(zero, 0, q).astype(t.dtype)


def _floormod(a, b, t: Scalar):
    if t.is_float:
        return np.mod(a, b)
    a, b = _arr(a, t), _arr(b, t)
    zero = b == 0
    return np.where(zero, 0, np.mod(a, np.where(zero, 1, b).astype(t.dtype))).astype(t.dtype)


def _shift_count(b, t: Scalar) -> np.ndarray:
    # C semantics (as PTX shl/shr): the count is read as unsigned and clamped to the width.
    return np.minimum(_arr(b, t).astype(_unsigned(t)), t.bits).astype(np.uint64)


def _shl(a, b, t: Scalar):
    n = _shift_count(b, t)
    u = _arr(a, t).astype(_unsigned(t))
    big = n >= t.bits
    r = np.left_shift(u.astype(np.uint64), np.where(big, 0, n)).astype(_unsigned(t))
    return np.where(big, 0, r).astype(_unsigned(t)).view(t.dtype) if np.ndim(r) else \
        np.array(0 if big else r, dtype=_unsigned(t)).view(t.dtype)[()]


def _shr(a, b, t: Scalar):
    n = _shift_count(b, t)
    a = _arr(a, t)
    big = n >= t.bits
    s = np.where(big, t.bits - 1, n).astype(np.uint64)
    if t.is_signed:
        # C semantics: arithmetic shift for signed; a count >= width fills with the sign bit.
        r = np.right_shift(a.astype(np.int64), s.astype(np.int64))
        return r.astype(t.dtype)
    r = np.right_shift(a.astype(np.uint64), s)
    return np.where(big, 0, r).astype(t.dtype)


def _logic(f):
    return lambda a, b, t: f(np.asarray(a, bool), np.asarray(b, bool))


BINARY_SEM: dict[Op, Callable] = {
    Op.ADD: lambda a, b, t: np.add(a, b, dtype=t.dtype),  # C semantics: ints wrap at the width
    Op.SUB: lambda a, b, t: np.subtract(a, b, dtype=t.dtype),
    Op.MUL: lambda a, b, t: np.multiply(a, b, dtype=t.dtype),
    Op.DIV: _div,
    Op.MOD: _mod,
    Op.FLOORDIV: _floordiv,
    Op.FLOORMOD: _floormod,
    Op.SHL: _shl,
    Op.SHR: _shr,
    Op.AND: lambda a, b, t: np.bitwise_and(a, b, dtype=t.dtype),
    Op.OR: lambda a, b, t: np.bitwise_or(a, b, dtype=t.dtype),
    Op.XOR: lambda a, b, t: np.bitwise_xor(a, b, dtype=t.dtype),
    Op.LAND: _logic(np.logical_and),
    Op.LOR: _logic(np.logical_or),
}

COMPARE_SEM: dict[Op, Callable] = {
    Op.LT: np.less, Op.LE: np.less_equal, Op.GT: np.greater,
    Op.GE: np.greater_equal, Op.EQ: np.equal, Op.NE: np.not_equal,
}


def _neg(a, t):
    if t.is_bool:
        return np.asarray(a, bool)  # -true is 1 after promotion; frontends promote first
    return np.negative(_arr(a, t))  # C semantics: wraps for ints (-INT_MIN == INT_MIN)


UNARY_SEM: dict[Op, Callable] = {
    Op.NEG: _neg,
    Op.BNOT: lambda a, t: np.logical_not(a) if t.is_bool else np.invert(_arr(a, t)),
    Op.LNOT: lambda a, t: np.logical_not(a),
}


def binary(op: Op, a, b, t: Type):
    """a <op> b in type t (both operands already of type t)."""
    with _quiet():
        return BINARY_SEM[op](a, b, t)


def unary(op: Op, a, t: Type):
    with _quiet():
        return UNARY_SEM[op](a, t)


def compare(op: Op, a, b):
    with _quiet():
        return COMPARE_SEM[op](a, b)


def cast(value, src: Type, dst: Type):
    """Convert `value` of type src to dst with C semantics."""
    v = np.asarray(value)
    if not isinstance(dst, Scalar) or not isinstance(src, Scalar):
        raise TypeError(f"cast {src} -> {dst}")
    with _quiet():
        if dst.is_bool:
            return v != 0
        if src.is_float and dst.is_int:
            # C semantics (PTX cvt.rzi.sat): truncate toward zero, saturate, NaN -> 0.
            f = np.trunc(v.astype(np.float64))
            f = np.where(np.isnan(f), 0, f)
            lo, hi = dst.min, dst.max
            out = np.clip(f, lo, hi)
            if dst.bits == 64:
                # float64 cannot hold 2**63-1 exactly; saturate explicitly
                big = f >= float(hi)
                small = f <= float(lo)
                res = np.where(big | small, 0, out).astype(dst.dtype)
                res = np.where(big, np.array(hi, dst.dtype), res)
                res = np.where(small, np.array(lo, dst.dtype), res)
                return res.astype(dst.dtype)
            return out.astype(dst.dtype)
        if src.is_int or src.is_bool:
            if dst.is_int:
                # C semantics: conversion between ints keeps the low bits (two's complement).
                return v.astype(dst.dtype, casting="unsafe")
            return v.astype(dst.dtype)
        return v.astype(dst.dtype)  # float -> float: IEEE round to nearest


def bitcast(value, dst: Type):
    v = np.asarray(value)
    return v.view(dst.dtype) if v.ndim else v.reshape(1).view(dst.dtype)[0]


# ---------------------------------------------------------------- intrinsics


@dataclass(frozen=True)
class Intrinsic:
    """A math or integer intrinsic: `impl(*args, type)` on numpy arrays; `result(argtypes)`."""

    name: str
    nargs: int
    impl: Callable
    result: Callable[[tuple[Type, ...]], Type]
    kinds: str = "f"  # which argument kinds it accepts: f float, i int, fi both


def _same(ts):
    return ts[0]


def _fmath(f):
    return lambda *a: f(*a[:-1]).astype(a[-1].dtype)


def _clz(x, t):
    u = np.asarray(x).astype(_unsigned(t)).astype(np.uint64)
    n = np.zeros(u.shape, dtype=np.int64)
    for bit in range(t.bits - 1, -1, -1):  # count leading zeros from the top bit down
        clear = ((u >> np.uint64(bit)) & np.uint64(1)) == 0
        n = np.where((n == t.bits - 1 - bit) & clear, n + 1, n)
    return n.astype(np.int32)


def _popc(x, t):
    u = np.asarray(x).astype(_unsigned(t)).astype(np.uint64)
    return np.bitwise_count(u).astype(np.int32)


def _ffs(x, t):
    # CUDA __ffs: 1-based position of the least significant set bit, 0 for 0
    u = np.asarray(x).astype(_unsigned(t)).astype(np.uint64)
    low = u & (~u + np.uint64(1))
    pos = np.bitwise_count(low - np.uint64(1)).astype(np.int32) + 1
    return np.where(u == 0, 0, pos).astype(np.int32)


def _brev(x, t):
    u = np.asarray(x).astype(_unsigned(t)).astype(np.uint64)
    r = np.zeros(u.shape, np.uint64)
    for bit in range(t.bits):
        r |= ((u >> np.uint64(bit)) & np.uint64(1)) << np.uint64(t.bits - 1 - bit)
    r = r.astype(_unsigned(t))
    return r.view(t.dtype) if r.ndim else r.astype(t.dtype)


def _mulhi(a, b, t):
    if t.bits == 32:
        p = np.asarray(a).astype(np.int64) * np.asarray(b).astype(np.int64)
        return (p >> 32).astype(t.dtype)
    # 64-bit high product through Python ints, elementwise
    f = np.frompyfunc(lambda x, y: ((int(x) * int(y)) >> 64), 2, 1)
    return f(np.asarray(a), np.asarray(b)).astype(t.dtype, casting="unsafe")


def _mul24(a, b, t):
    # low 24 bits of each operand (sign-extended for __mul24), low 32 bits of the product
    m = lambda x: (np.asarray(x).astype(np.int64) << 40) >> 40 if t.is_signed else \
        np.asarray(x).astype(np.int64) & 0xFFFFFF
    return (m(a) * m(b)).astype(t.dtype, casting="unsafe")


def _imin(a, b, t):
    return np.minimum(a, b).astype(t.dtype)


def _fmin(a, b, t):
    return np.fmin(a, b).astype(t.dtype)  # C semantics: fminf ignores a NaN operand


def _iabs(a, t):
    return np.abs(np.asarray(a, t.dtype))  # C semantics: abs(INT_MIN) wraps to INT_MIN


def _rsqrt(a, t):
    return (1 / np.sqrt(np.asarray(a, t.dtype))).astype(t.dtype)


def _saturate(a, t):
    return np.clip(np.nan_to_num(np.asarray(a, t.dtype), nan=0.0), 0, 1).astype(t.dtype)


def _fma(a, b, c, t):
    if t == F32:  # one rounding: exact in float64 for float32 operands
        return (np.asarray(a, np.float64) * b + c).astype(np.float32)
    return np.asarray(a) * b + c  # float64: two roundings; within the stated tolerance


def _erf(a, t):
    import math
    f = np.frompyfunc(math.erf, 1, 1)
    return f(np.asarray(a, np.float64)).astype(t.dtype)


def _erfc(a, t):
    import math
    f = np.frompyfunc(math.erfc, 1, 1)
    return f(np.asarray(a, np.float64)).astype(t.dtype)


def _lgamma(a, t):
    import math
    f = np.frompyfunc(lambda x: math.lgamma(x) if x not in (0.0,) and not (x < 0 and x == int(x))
                      else float("inf"), 1, 1)
    return f(np.asarray(a, np.float64)).astype(t.dtype)


def _tgamma(a, t):
    import math
    def g(x):
        try:
            return math.gamma(x)
        except (ValueError, OverflowError):
            return float("nan") if x < 0 or x != x else float("inf")
    return np.frompyfunc(g, 1, 1)(np.asarray(a, np.float64)).astype(t.dtype)


def _f1(f):
    return lambda a, t: f(np.asarray(a, t.dtype)).astype(t.dtype)


def _f2(f):
    return lambda a, b, t: f(np.asarray(a, t.dtype), np.asarray(b, t.dtype)).astype(t.dtype)


def _int_result(ts):
    return I32


INTRINSICS: dict[str, Intrinsic] = {}


def _def(name: str, nargs: int, impl: Callable, result=_same, kinds: str = "f") -> None:
    INTRINSICS[name] = Intrinsic(name, nargs, impl, result, kinds)


for _n, _f in {
    "sqrt": np.sqrt, "exp": np.exp, "exp2": np.exp2, "expm1": np.expm1, "log": np.log,
    "log2": np.log2, "log10": np.log10, "log1p": np.log1p, "sin": np.sin, "cos": np.cos,
    "tan": np.tan, "asin": np.arcsin, "acos": np.arccos, "atan": np.arctan, "sinh": np.sinh,
    "cosh": np.cosh, "tanh": np.tanh, "asinh": np.arcsinh, "acosh": np.arccosh,
    "atanh": np.arctanh, "fabs": np.abs, "floor": np.floor, "ceil": np.ceil, "trunc": np.trunc,
    "round": lambda x: np.where(x >= 0, np.floor(x + 0.5), np.ceil(x - 0.5)),  # C: half away
    "rint": np.rint, "cbrt": np.cbrt, "exp10": lambda x: np.power(x.dtype.type(10), x),
}.items():
    _def(_n, 1, _f1(_f))
for _n, _f in {
    "pow": np.power, "atan2": np.arctan2, "fmod": np.fmod, "hypot": np.hypot,
    "copysign": np.copysign, "fdim": lambda a, b: np.where(a > b, a - b, 0).astype(a.dtype),
    "remainder": lambda a, b: a - b * np.rint(a / b),
}.items():
    _def(_n, 2, _f2(_f))
_def("rsqrt", 1, _rsqrt)
_def("erf", 1, _erf)
_def("erfc", 1, _erfc)
_def("lgamma", 1, _lgamma)
_def("tgamma", 1, _tgamma)
_def("saturate", 1, _saturate)
_def("fma", 3, _fma)
_def("fmin", 2, _fmin)
_def("fmax", 2, lambda a, b, t: np.fmax(a, b).astype(t.dtype))
_def("isnan", 1, lambda a, t: np.isnan(a), lambda ts: BOOL)
_def("isinf", 1, lambda a, t: np.isinf(a), lambda ts: BOOL)
_def("isfinite", 1, lambda a, t: np.isfinite(a), lambda ts: BOOL)
_def("signbit", 1, lambda a, t: np.signbit(a), lambda ts: BOOL)
_def("min", 2, _imin, kinds="i")
_def("max", 2, lambda a, b, t: np.maximum(a, b).astype(t.dtype), kinds="i")
_def("abs", 1, _iabs, kinds="i")
_def("popc", 1, _popc, _int_result, kinds="i")
_def("clz", 1, _clz, _int_result, kinds="i")
_def("ffs", 1, _ffs, _int_result, kinds="i")
_def("brev", 1, _brev, kinds="i")
_def("mulhi", 2, _mulhi, kinds="i")
_def("mul24", 2, _mul24, kinds="i")


def call(name: str, args: list, t: Type):
    """Evaluate intrinsic `name` on numpy arguments; `t` is the type of the first argument."""
    with _quiet():
        return INTRINSICS[name].impl(*args, t)


# ---------------------------------------------------------------- atomics


def atomic_update(op: Op, old, val, t: Scalar, cmp=None):
    """The value an atomic writes, given the old value (CUDA's definitions)."""
    if op is Op.ATOMIC_ADD:
        return binary(Op.ADD, old, val, t)
    if op is Op.ATOMIC_SUB:
        return binary(Op.SUB, old, val, t)
    if op is Op.ATOMIC_MIN:
        return np.minimum(old, val).astype(t.dtype)
    if op is Op.ATOMIC_MAX:
        return np.maximum(old, val).astype(t.dtype)
    if op is Op.ATOMIC_EXCH:
        return np.asarray(val, t.dtype)
    if op is Op.ATOMIC_CAS:
        return np.where(old == cmp, val, old).astype(t.dtype)
    if op is Op.ATOMIC_AND:
        return binary(Op.AND, old, val, t)
    if op is Op.ATOMIC_OR:
        return binary(Op.OR, old, val, t)
    if op is Op.ATOMIC_XOR:
        return binary(Op.XOR, old, val, t)
    if op is Op.ATOMIC_INC:
        return np.where(old >= val, 0, binary(Op.ADD, old, 1, t)).astype(t.dtype)
    if op is Op.ATOMIC_DEC:
        return np.where((old == 0) | (old > val), val, binary(Op.SUB, old, 1, t)).astype(t.dtype)
    raise KeyError(op)


WARP_SIZE = 32
FULL_MASK = 0xFFFFFFFF
BALLOT_TYPE = U32
INDEX_TYPES = (I32, U32, U64)
DEFAULT_FLOAT = F32


# ---------------------------------------------------------------- bit reinterpretations
# (__float_as_int ...; added by the CUDA frontend). The result type is fixed by the name.

from portable.types import F64 as _F64  # noqa: E402
from portable.types import I64 as _I64  # noqa: E402


def _as(dst: Scalar):
    return lambda a, t: bitcast(np.asarray(a, t.dtype), dst)


for _n, _dst in (("float_as_int", I32), ("int_as_float", F32), ("float_as_uint", U32),
                 ("uint_as_float", F32), ("double_as_longlong", _I64),
                 ("longlong_as_double", _F64)):
    _def(_n, 1, _as(_dst), (lambda d: lambda ts: d)(_dst), kinds="fi")
