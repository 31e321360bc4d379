"""Math functions with an out-pointer or an exponent argument, lowered to IR that every backend
already has (comparisons, selects, multiplications by powers of two, which are exact):
frexp, ldexp/scalbn and modf.

    m = frexp(x, &e)    x = m * 2^e, 0.5 <= |m| < 1; x = 0: m = x, e = 0; inf/nan: m = x, e = 0
    y = ldexp(x, e)     x * 2^e, rounded once (as musl's scalbn)
    f = modf(x, &i)     i = trunc(x), f = x - i with the sign of x; x = +-inf: f = +-0

frexp scales |x| into [0.5, 1) by a binary search over the exponent: each step multiplies by
2^k or 2^-k when |m| is beyond it, so the result is exact for every input, subnormals included.
"""

from __future__ import annotations

from portable import ir
from portable.builtins import convert
from portable.errors import Loc
from portable.ir import Op
from portable.types import BOOL, F32, F64, I32, Scalar

# float type -> (binary-search steps over the normal exponents, steps up for frexp (subnormals
# reach further))
_STEPS = {
    F32: ((64, 32, 16, 8, 4, 2, 1), (64, 64, 32, 16, 8, 4, 2, 1)),
    F64: ((512, 256, 128, 64, 32, 16, 8, 4, 2, 1), (512, 512, 256, 128, 64, 32, 16, 8, 4, 2, 1)),
}


def _c(v, t: Scalar, loc: Loc) -> ir.Expr:
    return ir.const(v, t, loc)


def _sel(cond: ir.Expr, a: ir.Expr, b: ir.Expr, loc: Loc) -> ir.Expr:
    return ir.Select(cond, a, b, a.type, loc=loc)


def frexp(tr, x: ir.Expr, t: Scalar, loc: Loc) -> tuple[ir.Expr, ir.Expr]:
    """(mantissa, exponent as int) of `x` of float type `t`; emits its temporaries."""
    x = tr.temp(convert(x, t, loc), "fx", loc)
    special = tr.temp(ir.Binary(Op.LOR, ir.Compare(Op.EQ, x, _c(0.0, t, loc), loc=loc),
                                ir.Unary(Op.LNOT, ir.Call("isfinite", (x,), BOOL, loc=loc),
                                         BOOL, loc=loc), BOOL, loc=loc), "fspecial", loc)
    # 0, inf and nan go through as 1 (and come out unchanged below)
    m = tr.temp(_sel(special, _c(1.0, t, loc), x, loc), "fm", loc)
    e: ir.Expr = _c(0, I32, loc)
    for k in _STEPS[t][0]:  # |m| >= 2^k: scale down; the result stays >= 1, so exact
        big = tr.temp(ir.Compare(Op.GE, ir.Call("fabs", (m,), t, loc=loc),
                                 _c(float(2.0 ** k), t, loc), loc=loc), "fbig", loc)
        m = tr.temp(_sel(big, ir.Binary(Op.MUL, m, _c(float(2.0 ** -k), t, loc), t, loc=loc),
                         m, loc), "fm", loc)
        e = tr.temp(_sel(big, ir.Binary(Op.ADD, e, _c(k, I32, loc), I32, loc=loc), e, loc),
                    "fe", loc)
    for k in _STEPS[t][1]:  # |m| < 2^-k: scale up, always exact
        small = tr.temp(ir.Compare(Op.LT, ir.Call("fabs", (m,), t, loc=loc),
                                   _c(float(2.0 ** -k), t, loc), loc=loc), "fsmall", loc)
        m = tr.temp(_sel(small, ir.Binary(Op.MUL, m, _c(float(2.0 ** k), t, loc), t, loc=loc),
                         m, loc), "fm", loc)
        e = tr.temp(_sel(small, ir.Binary(Op.SUB, e, _c(k, I32, loc), I32, loc=loc), e, loc),
                    "fe", loc)
    # now 2^-1 <= |m| < 2^1: one more halving when |m| >= 1
    one = tr.temp(ir.Compare(Op.GE, ir.Call("fabs", (m,), t, loc=loc), _c(1.0, t, loc),
                             loc=loc), "fone", loc)
    m = _sel(one, ir.Binary(Op.MUL, m, _c(0.5, t, loc), t, loc=loc), m, loc)
    e = _sel(one, ir.Binary(Op.ADD, e, _c(1, I32, loc), I32, loc=loc), e, loc)
    return _sel(special, x, m, loc), _sel(special, _c(0, I32, loc), e, loc)


def ldexp(tr, x: ir.Expr, e: ir.Expr, t: Scalar, loc: Loc) -> ir.Expr:
    """x * 2^e with one rounding, as musl's scalbn: an exponent beyond the normal range is
    brought in by up to two exact pre-scalings (towards zero by 2^(emin + precision), so that
    a subnormal intermediate is followed only by a step to zero); then x times 2^e, a normal
    power of two built exactly in steps."""
    emax, emin, prec = (127, -126, 24) if t == F32 else (1023, -1022, 53)
    e = tr.temp(convert(e, I32, loc), "le", loc)
    y: ir.Expr = tr.temp(convert(x, t, loc), "ly", loc)
    for _ in range(2):
        hi = tr.temp(ir.Compare(Op.GT, e, _c(emax, I32, loc), loc=loc), "lhi", loc)
        lo = tr.temp(ir.Compare(Op.LT, e, _c(emin, I32, loc), loc=loc), "llo", loc)
        y = tr.temp(_sel(hi, ir.Binary(Op.MUL, y, _c(float(2.0 ** emax), t, loc), t, loc=loc),
                         _sel(lo, ir.Binary(Op.MUL, y, _c(float(2.0 ** (emin + prec)), t, loc),
                                            t, loc=loc), y, loc), loc), "ly", loc)
        e = tr.temp(_sel(hi, ir.Binary(Op.SUB, e, _c(emax, I32, loc), I32, loc=loc),
                         _sel(lo, ir.Binary(Op.SUB, e, _c(emin + prec, I32, loc), I32, loc=loc),
                              e, loc), loc), "le", loc)
    e = tr.temp(ir.Call("max", (ir.Call("min", (e, _c(emax, I32, loc)), I32, loc=loc),
                                _c(emin, I32, loc)), I32, loc=loc), "le", loc)
    neg = tr.temp(ir.Compare(Op.LT, e, _c(0, I32, loc), loc=loc), "lneg", loc)
    rem: ir.Expr = tr.temp(ir.Call("abs", (e,), I32, loc=loc), "lrem", loc)
    p: ir.Expr = _c(1.0, t, loc)
    for k in _STEPS[t][0]:
        take = tr.temp(ir.Compare(Op.GE, rem, _c(k, I32, loc), loc=loc), "ltake", loc)
        f = _sel(neg, _c(float(2.0 ** -k), t, loc), _c(float(2.0 ** k), t, loc), loc)
        p = tr.temp(_sel(take, ir.Binary(Op.MUL, p, f, t, loc=loc), p, loc), "lp", loc)
        rem = tr.temp(_sel(take, ir.Binary(Op.SUB, rem, _c(k, I32, loc), I32, loc=loc), rem,
                           loc), "lrem", loc)
    return ir.Binary(Op.MUL, y, p, t, loc=loc)


def modf(tr, x: ir.Expr, t: Scalar, loc: Loc) -> tuple[ir.Expr, ir.Expr]:
    """(fractional part, integral part) of `x`."""
    x = tr.temp(convert(x, t, loc), "mx", loc)
    whole = tr.temp(ir.Call("trunc", (x,), t, loc=loc), "mint", loc)
    frac = ir.Select(ir.Call("isinf", (x,), BOOL, loc=loc), _c(0.0, t, loc),
                     ir.Binary(Op.SUB, x, whole, t, loc=loc), t, loc=loc)
    return ir.Call("copysign", (frac, x), t, loc=loc), whole


NAMES = {"frexp": None, "frexpf": F32, "ldexp": None, "ldexpf": F32, "scalbn": None,
         "scalbnf": F32, "modf": None, "modff": F32}


def call(tr, c, name: str, args, want: bool) -> ir.Expr | None:
    """A call of one of NAMES; out-pointer results are written through the pointer."""
    from .calls import out_place

    loc = tr.loc(c)
    t = NAMES[name] or tr.type_of(args[0])
    if t not in _STEPS:
        t = F64
    x = tr.expr(args[0])
    if name.startswith(("ldexp", "scalbn")):
        result = ldexp(tr, x, tr.expr(args[1]), t, loc)
    else:
        value, out = (frexp if name.startswith("frexp") else modf)(tr, x, t, loc)
        result = tr.temp(value, name, loc)
        tr.write(out_place(tr, args[1]), out, loc)
    if not want:
        return None
    return result
