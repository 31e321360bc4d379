"""Unit tier: the semantics table against C rules written out independently in Python ints."""

from __future__ import annotations

import math

import numpy as np
import pytest

from portable import ir, semantics
from portable.passes.fold import fold_expr
from portable.types import BOOL, F32, F64, I8, I16, I32, I64, U8, U32, U64, Scalar

rng = np.random.default_rng()


def wrap(v: int, t: Scalar) -> int:
    """Two's-complement wrap of a Python int to type t (the C rule, written independently)."""
    v &= (1 << t.bits) - 1
    if t.is_signed and v >= 1 << (t.bits - 1):
        v -= 1 << t.bits
    return v


def c_div(a: int, b: int) -> int:
    if b == 0:
        return 0
    q = abs(a) // abs(b)
    return q if (a < 0) == (b < 0) else -q


def c_mod(a: int, b: int) -> int:
    return 0 if b == 0 else a - c_div(a, b) * b


def rand_ints(t: Scalar, n: int = 200, edges: bool = True) -> np.ndarray:
    info = np.iinfo(t.dtype)
    x = rng.integers(info.min, info.max, n, dtype=t.dtype, endpoint=True)
    if edges:
        x[:4] = [info.min, info.max, 0 if info.min == 0 else -1, 1]  # the edges, always
    return x


@pytest.mark.parametrize("a,b,q,r", [(-7, 2, -3, -1), (7, -2, -3, 1), (-7, -2, 3, -1),
                                     (7, 2, 3, 1)])
def test_truncating_division_and_remainder(a, b, q, r):
    A, B = np.int32(a), np.int32(b)
    assert semantics.binary(ir.Op.DIV, A, B, I32) == q
    assert semantics.binary(ir.Op.MOD, A, B, I32) == r
    # Python's floor semantics are the other ops
    assert semantics.binary(ir.Op.FLOORDIV, A, B, I32) == a // b
    assert semantics.binary(ir.Op.FLOORMOD, A, B, I32) == a % b


@pytest.mark.parametrize("t", [I8, I16, I32, I64, U8, U32, U64], ids=str)
def test_division_random_matches_c(t):
    a, b = rand_ints(t), rand_ints(t)
    b[5] = 0
    q = semantics.binary(ir.Op.DIV, a, b, t)
    r = semantics.binary(ir.Op.MOD, a, b, t)
    assert q.dtype == t.dtype and r.dtype == t.dtype
    for x, y, qq, rr in zip(a.tolist(), b.tolist(), q.tolist(), r.tolist(), strict=True):
        assert qq == wrap(c_div(x, y), t), (x, y)
        assert rr == wrap(c_mod(x, y), t), (x, y)


def test_int_min_divided_by_minus_one_wraps():
    assert semantics.binary(ir.Op.DIV, np.int32(-2**31), np.int32(-1), I32) == -2**31
    assert semantics.binary(ir.Op.MOD, np.int32(-2**31), np.int32(-1), I32) == 0
    assert semantics.binary(ir.Op.DIV, np.int64(-2**63), np.int64(-1), I64) == -2**63


@pytest.mark.parametrize("t", [I8, I32, I64, U8, U32, U64], ids=str)
@pytest.mark.parametrize("op,f", [(ir.Op.ADD, lambda a, b: a + b), (ir.Op.SUB, lambda a, b: a - b),
                                  (ir.Op.MUL, lambda a, b: a * b)])
def test_wraparound_arithmetic(t, op, f):
    a, b = rand_ints(t), rand_ints(t)
    got = semantics.binary(op, a, b, t)
    assert got.dtype == t.dtype
    assert got.tolist() == [wrap(f(x, y), t) for x, y in zip(a.tolist(), b.tolist(), strict=True)]


def test_unsigned_wrap_edges():
    assert semantics.binary(ir.Op.SUB, np.uint32(0), np.uint32(1), U32) == 2**32 - 1
    assert semantics.binary(ir.Op.ADD, np.uint32(2**32 - 1), np.uint32(1), U32) == 0
    assert semantics.unary(ir.Op.NEG, np.int32(-2**31), I32) == -2**31
    assert semantics.unary(ir.Op.NEG, np.uint32(1), U32) == 2**32 - 1


@pytest.mark.parametrize("t", [I32, U32, I64, U64], ids=str)
def test_shift_counts(t):
    a = rand_ints(t, 50)
    for n in (0, 1, t.bits - 1, t.bits, t.bits + 5, -1):
        cnt = np.full(a.shape, n).astype(t.dtype) if n >= 0 else np.full(a.shape, -1, t.dtype) \
            if t.is_signed else np.full(a.shape, t.max, t.dtype)
        eff = min(n if n >= 0 else 1 << 70, t.bits)  # read as unsigned, clamped to the width
        shl = semantics.binary(ir.Op.SHL, a, cnt, t)
        shr = semantics.binary(ir.Op.SHR, a, cnt, t)
        for x, l, r in zip(a.tolist(), shl.tolist(), shr.tolist(), strict=True):
            assert l == (0 if eff >= t.bits else wrap(x << eff, t)), (x, n)
            if t.is_signed:  # arithmetic shift; >= width fills with the sign
                assert r == x >> min(eff, t.bits - 1), (x, n)
            else:
                assert r == (0 if eff >= t.bits else x >> eff), (x, n)


def test_mixed_signed_unsigned_compare_after_conversion():
    # C: -1 < 1u converts -1 to unsigned (4294967295), so the comparison is false
    minus1 = semantics.cast(np.int32(-1), I32, U32)
    assert minus1 == 2**32 - 1
    assert not semantics.compare(ir.Op.LT, minus1, np.uint32(1))
    # and with the same types in signed it is true
    assert semantics.compare(ir.Op.LT, np.int32(-1), np.int32(1))
    # int64 vs uint32: uint32 converts to int64, values preserved
    a = semantics.cast(np.uint32(4000000000), U32, I64)
    assert semantics.compare(ir.Op.GT, a, np.int64(-1))


@pytest.mark.parametrize("src", [F32, F64], ids=str)
@pytest.mark.parametrize("dst", [I8, I32, I64, U8, U32, U64], ids=str)
def test_float_to_int_truncates_and_saturates(src, dst):
    vals = np.concatenate([rng.uniform(-1e3, 1e3, 50), [2.5, -2.5, 0.99, -0.99, 1e30, -1e30,
                                                         np.inf, -np.inf, np.nan]])
    x = vals.astype(src.dtype)
    got = semantics.cast(x, src, dst)
    assert got.dtype == dst.dtype
    for v, g in zip(x.tolist(), got.tolist(), strict=True):
        want = 0 if math.isnan(v) else max(dst.min, min(dst.max, math.trunc(v))) \
            if math.isfinite(v) else (dst.max if v > 0 else dst.min)
        assert g == want, (v, g)


def test_int_to_int_conversion_keeps_low_bits():
    x = rand_ints(I64)
    got = semantics.cast(x, I64, I8)
    assert got.tolist() == [wrap(v, I8) for v in x.tolist()]
    assert semantics.cast(np.int32(-1), I32, U64) == 2**64 - 1  # sign-extends first
    assert semantics.cast(np.uint32(2**32 - 1), U32, I64) == 2**32 - 1
    assert semantics.cast(np.int32(5), I32, BOOL) == np.True_


def test_float32_stays_float32():
    a = rng.uniform(-10, 10, 100).astype(np.float32)
    b = rng.uniform(0.5, 10, 100).astype(np.float32)
    for op in (ir.Op.ADD, ir.Op.SUB, ir.Op.MUL, ir.Op.DIV):
        r = semantics.binary(op, a, b, F32)
        assert r.dtype == np.float32
    r = semantics.binary(ir.Op.DIV, a, b, F32)
    np.testing.assert_array_equal(r, (a / b).astype(np.float32))
    # an f32 sum is rounded at each step, unlike a float64 one
    s = semantics.binary(ir.Op.ADD, np.float32(16777216), np.float32(1), F32)
    assert s == np.float32(16777216)
    for name in ("sqrt", "exp", "sin", "tanh"):
        assert semantics.call(name, [np.abs(a)], F32).dtype == np.float32


def test_folded_constants_overflow_like_c():
    # INT_MAX + 1 in int wraps (what nvcc's constant folder computes for the int expression)
    e = ir.Binary(ir.Op.ADD, ir.const(2**31 - 1), ir.const(1), I32)
    assert fold_expr(e) == ir.const(-2**31)
    # 1 << 31 in int is INT_MIN; (unsigned)-1 is UINT_MAX
    assert fold_expr(ir.Binary(ir.Op.SHL, ir.const(1), ir.const(31), I32)).value == -2**31
    assert fold_expr(ir.Cast(ir.const(-1), U32)).value == 2**32 - 1
    assert fold_expr(ir.Cast(ir.const(3.99, F64), I32)).value == 3
    assert fold_expr(ir.Cast(ir.const(-3.99, F32), I32)).value == -3


def test_fold_matches_semantics_on_random_operands():
    for t in (I32, U32, I64, F32, F64):
        for op in (ir.Op.ADD, ir.Op.SUB, ir.Op.MUL, ir.Op.DIV, ir.Op.MOD):
            if t.is_int:
                x, y = (int(v) for v in rand_ints(t, 2, edges=False))
            else:
                x, y = (float(np.asarray(v, t.dtype)) for v in rng.uniform(-100, 100, 2))
            got = fold_expr(ir.Binary(op, ir.const(x, t), ir.const(y, t), t))
            want = semantics.binary(op, np.asarray(x, t.dtype), np.asarray(y, t.dtype), t)
            assert isinstance(got, ir.Const) and got.type == t
            np.testing.assert_array_equal(np.asarray(got.value, t.dtype), want)


def test_integer_intrinsics():
    x = rand_ints(U32, 64)
    assert semantics.call("popc", [x], U32).tolist() == [bin(v).count("1") for v in x.tolist()]
    clz = semantics.call("clz", [x], U32).tolist()
    assert clz == [32 - v.bit_length() for v in x.tolist()]
    ffs = semantics.call("ffs", [x], U32).tolist()
    assert ffs == [(v & -v).bit_length() for v in x.tolist()]
    brev = semantics.call("brev", [x], U32).tolist()
    assert brev == [int(f"{v:032b}"[::-1], 2) for v in x.tolist()]
    a, b = rand_ints(I32, 64), rand_ints(I32, 64)
    hi = semantics.call("mulhi", [a, b], I32).tolist()
    assert hi == [(p * q) >> 32 for p, q in zip(a.tolist(), b.tolist(), strict=True)]


def test_atomic_inc_dec_follow_cuda():
    old = np.array([0, 3, 5, 9], np.uint32)
    val = np.uint32(5)
    inc = semantics.atomic_update(ir.Op.ATOMIC_INC, old, val, U32)
    dec = semantics.atomic_update(ir.Op.ATOMIC_DEC, old, val, U32)
    assert inc.tolist() == [(0 if o >= 5 else o + 1) for o in old.tolist()]
    assert dec.tolist() == [(5 if o == 0 or o > 5 else o - 1) for o in old.tolist()]


def test_bool_logic():
    a = rng.integers(0, 2, 32).astype(bool)
    b = rng.integers(0, 2, 32).astype(bool)
    assert semantics.binary(ir.Op.LAND, a, b, BOOL).tolist() == (a & b).tolist()
    assert semantics.binary(ir.Op.LOR, a, b, BOOL).tolist() == (a | b).tolist()
    assert semantics.unary(ir.Op.LNOT, a, BOOL).tolist() == (~a).tolist()


@pytest.mark.parametrize("t", [I8, I16, I32, I64], ids=str)
def test_truncating_division_at_every_width_edge(t):
    # C semantics checked against exact Python-int arithmetic, INT_MIN and INT_MIN / -1 included
    info = np.iinfo(t.dtype)
    vals = [info.min, info.min + 1, -7, -2, -1, 0, 1, 2, 7, info.max - 1, info.max]

    def wrap(v):
        return (v - info.min) % (1 << t.bits) + info.min

    for a in vals:
        for b in vals:
            q = semantics.binary(ir.Op.DIV, np.array([a], t.dtype), np.array([b], t.dtype), t)[0]
            r = semantics.binary(ir.Op.MOD, np.array([a], t.dtype), np.array([b], t.dtype), t)[0]
            if b == 0:
                want = (0, 0)  # unspecified in CUDA; portable defines 0
            else:
                eq = abs(a) // abs(b) * (1 if (a < 0) == (b < 0) else -1)
                want = (wrap(eq), wrap(a - eq * b))
            assert (int(q), int(r)) == want, (a, b)
