"""Expressions to LLVM IR: types, C-semantics arithmetic, memory with optional bounds checks,
atomics and math intrinsics. `codegen.Codegen` mixes this in and supplies the statement layer.

Floating point: float32 stays float32. FMA policy: like nvcc's default (`--fmad=true`), a
multiply feeding an add may be contracted into one fused multiply-add (LLVM `contract` flags);
pass `fma=False` to forbid it. Library tolerances assume contraction may happen.
"""

from __future__ import annotations

from dataclasses import dataclass

from llvmlite import ir as L

from portable import ir
from portable.errors import error
from portable.ir import Op, Sreg
from portable.semantics import INTRINSICS
from portable.types import (
    BOOL,
    I32,
    I64,
    Array,
    Pointer,
    Scalar,
    Struct,
    Type,
    Vector,
)

from .plan import ShflRead

I1, I8, I32T, I64T = L.IntType(1), L.IntType(8), L.IntType(32), L.IntType(64)
PTR = L.PointerType()
FAT = L.LiteralStructType([PTR, PTR, PTR, I32T])  # address, low bound, high bound, array id
UNKNOWN_HI = 0xFFFFFFFFFFFFFFFF


@dataclass
class P:
    """A pointer value; lo/hi/aid are the bounds (checks mode only) and the array's id."""

    addr: L.Value
    lo: L.Value | None = None
    hi: L.Value | None = None
    aid: L.Value | None = None


def _sconst(t: L.IntType, v: int) -> L.Constant:
    v &= (1 << t.width) - 1
    if v >= 1 << (t.width - 1):
        v -= 1 << t.width
    return L.Constant(t, v)


_FLOAT = {16: L.HalfType(), 32: L.FloatType(), 64: L.DoubleType()}
# libm names of intrinsics without an LLVM intrinsic (float32 gets the "f" suffix)
_LIBM = {"tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh",
         "expm1", "log1p", "cbrt", "erf", "erfc", "lgamma", "tgamma", "atan2", "hypot",
         "remainder", "exp10"}
_LLVM_MATH = {"sqrt": "sqrt", "exp": "exp", "exp2": "exp2", "log": "log", "log2": "log2",
              "log10": "log10", "sin": "sin", "cos": "cos", "fabs": "fabs", "floor": "floor",
              "ceil": "ceil", "trunc": "trunc", "round": "round", "rint": "rint",
              "pow": "pow", "copysign": "copysign", "fma": "fma", "fmin": "minnum",
              "fmax": "maxnum", "fmod": None}


class ExprEmitter:
    """Mixin: needs self.b (IRBuilder), self.module, self.checks, self.contract, and the
    storage hooks var_ptr / var_value / special / param_value / global_ptr / record_error."""

    b: L.IRBuilder
    module: L.Module
    checks: bool
    contract: bool

    # ------------------------------------------------------------ types
    def mem_ty(self, t: Type) -> L.Type:
        if isinstance(t, Scalar):
            if t.is_bool:
                return I8
            return _FLOAT[t.bits] if t.is_float else L.IntType(t.bits)
        if isinstance(t, Pointer):
            return PTR
        if isinstance(t, Vector):
            return L.LiteralStructType([self.mem_ty(t.elem)] * t.n)
        if isinstance(t, Struct):
            return L.LiteralStructType([self.mem_ty(ft) for _, ft in t.fields])
        if isinstance(t, Array):
            return L.ArrayType(self.mem_ty(t.elem), max(t.size, 1))
        raise error("PORT6002", f"llvm backend: no LLVM type for {t}")

    def val_ty(self, t: Type) -> L.Type:
        """Type of a value in registers and in variable storage."""
        if isinstance(t, Scalar) and t.is_bool:
            return I1
        if isinstance(t, Pointer) and self.checks:
            return FAT
        return self.mem_ty(t)

    def slot_ty(self, t: Type) -> L.Type:
        """Type of a variable's storage (bools as bytes, pointers fat in checks mode)."""
        if isinstance(t, Pointer) and self.checks:
            return FAT
        return self.mem_ty(t)

    def to_mem(self, v, t: Type) -> L.Value:
        if isinstance(t, Scalar) and t.is_bool:
            return self.b.zext(v, I8)
        if isinstance(v, P):
            return v.addr
        return v

    def from_mem(self, v: L.Value, t: Type):
        if isinstance(t, Scalar) and t.is_bool:
            return self.b.icmp_unsigned("!=", v, L.Constant(I8, 0))
        if isinstance(t, Pointer):
            return self.unknown_ptr(v)
        return v

    def to_slot(self, v, t: Type) -> L.Value:
        if isinstance(v, P) and self.checks:
            s = L.Constant(FAT, None)
            for i, x in enumerate((v.addr, v.lo, v.hi, v.aid)):
                s = self.b.insert_value(s, x, i)
            return s
        return self.to_mem(v, t)

    def from_slot(self, v: L.Value, t: Type):
        if isinstance(t, Pointer):
            if self.checks:
                return P(*(self.b.extract_value(v, i) for i in range(4)))
            return P(v)
        return self.from_mem(v, t)

    def unknown_ptr(self, addr: L.Value) -> P:
        if not self.checks:
            return P(addr)
        return P(addr, L.Constant(PTR, None), self.b.inttoptr(L.Constant(I64T, UNKNOWN_HI), PTR),
                 L.Constant(I32T, -1))

    # ------------------------------------------------------------ expressions
    def ex(self, e: ir.Expr):
        if id(e) in self.known:  # a condition this copy of a thread loop is specialised on
            return L.Constant(I1, int(self.known[id(e)]))
        m = getattr(self, "ex_" + type(e).__name__, None)
        if m is None:
            raise error("PORT6002", f"llvm backend: unsupported expression {type(e).__name__}",
                        e.loc)
        return m(e)

    def ex_Const(self, e: ir.Const):
        t = e.type
        if isinstance(t, Scalar):
            if t.is_bool:
                return L.Constant(I1, int(bool(e.value)))
            if t.is_float:
                return L.Constant(_FLOAT[t.bits], float(e.value))
            return _sconst(L.IntType(t.bits), int(e.value))
        if isinstance(t, Pointer):  # the null pointer
            return self.unknown_ptr(L.Constant(PTR, None))
        raise error("PORT6002", f"llvm backend: constant of type {t}", e.loc)

    def ex_Var(self, e: ir.Var):
        remat = self.plan.remat.get(e.name)
        if remat is not None:
            return self.ex(remat)
        if isinstance(e.type, Array):  # an array used as a value decays to a pointer
            return self.array_ptr(e)
        return self.from_slot(self.b.load(self.var_ptr(e), typ=self.slot_ty(e.type)), e.type)

    def ex_Param(self, e: ir.Param):
        return self.param_value(e)

    def ex_Global(self, e: ir.Global):
        p = self.global_ptr(e)
        if isinstance(e.type, Array):
            return p
        return self.load(p, e.type, e, None)

    def ex_Special(self, e: ir.Special):
        v = self.special(e.reg, e.dim)
        return self.int_cast(v, I32, e.type)

    def ex_Unary(self, e: ir.Unary):
        v = self.ex(e.value)
        t = e.value.type
        b = self.b
        if e.op is Op.LNOT:
            return b.not_(self.truth(v, t))
        if e.op is Op.BNOT:
            return b.not_(v)
        if e.op is Op.NEG:
            if t.is_float:
                return b.fneg(v)
            return b.sub(L.Constant(v.type, 0), v)
        raise error("PORT6002", f"llvm backend: unary {e.op}", e.loc)

    def truth(self, v, t: Type) -> L.Value:
        if isinstance(t, Scalar) and t.is_bool:
            return v
        if isinstance(t, Scalar) and t.is_float:
            return self.b.fcmp_unordered("!=", v, L.Constant(v.type, 0.0))
        if isinstance(v, P):
            return self.b.icmp_unsigned("!=", self.b.ptrtoint(v.addr, I64T), L.Constant(I64T, 0))
        return self.b.icmp_unsigned("!=", v, L.Constant(v.type, 0))

    def fflags(self) -> list[str]:
        return ["contract"] if self.contract else []

    def ex_Binary(self, e: ir.Binary):
        op, _b = e.op, self.b
        if op in (Op.LAND, Op.LOR):
            return self.logical(e)
        if isinstance(e.lhs.type, (Pointer, Array)) or isinstance(e.rhs.type, (Pointer, Array)):
            return self.ptr_arith(e)
        x, y = self.ex(e.lhs), self.ex(e.rhs)
        return self.binop(op, x, y, e.type, e.loc)

    def binop(self, op: Op, x, y, t: Scalar, loc=None):
        b = self.b
        if t.is_float:
            f = self.fflags()
            match op:
                case Op.ADD:
                    return b.fadd(x, y, flags=f)
                case Op.SUB:
                    return b.fsub(x, y, flags=f)
                case Op.MUL:
                    return b.fmul(x, y, flags=f)
                case Op.DIV:
                    return b.fdiv(x, y)
                case Op.MOD:
                    return b.frem(x, y)  # C semantics: fmod, sign of the dividend
                case Op.FLOORDIV:
                    return self.intrinsic("llvm.floor", [b.fdiv(x, y)])
                case Op.FLOORMOD:  # Python semantics: r = fmod(x, y); fix the sign to y's
                    r = b.frem(x, y)
                    zero = L.Constant(x.type, 0.0)
                    fix = b.and_(b.fcmp_ordered("!=", r, zero),
                                 b.xor(b.fcmp_ordered("<", r, zero), b.fcmp_ordered("<", y, zero)))
                    return b.select(fix, b.fadd(r, y), r)
            raise error("PORT6002", f"llvm backend: {op.name} on {t}", loc)
        signed = t.is_signed
        zero, one = L.Constant(x.type, 0), L.Constant(x.type, 1)
        match op:
            case Op.ADD:
                return b.add(x, y)  # C semantics: wraps (no nsw; but see indexing.py)
            case Op.SUB:
                return b.sub(x, y)
            case Op.MUL:
                return b.mul(x, y)
            case Op.AND:
                return b.and_(x, y)
            case Op.OR:
                return b.or_(x, y)
            case Op.XOR:
                return b.xor(x, y)
            case Op.SHL | Op.SHR:
                # C semantics (PTX): the count is unsigned and clamped to the width.
                w = L.Constant(x.type, t.bits)
                big = b.icmp_unsigned(">=", y, w)
                n = b.select(big, L.Constant(x.type, t.bits - 1), y)
                if op is Op.SHL:
                    return b.select(big, zero, b.shl(x, n))
                if signed:
                    return b.ashr(x, n)  # a count >= width fills with the sign bit
                return b.select(big, zero, b.lshr(x, n))
            case Op.DIV | Op.MOD | Op.FLOORDIV | Op.FLOORMOD:
                if t.is_bool:
                    x, y = b.zext(x, I8), b.zext(y, I8)
                    zero, one = L.Constant(I8, 0), L.Constant(I8, 1)
                # C semantics: x/0 gives 0 and INT_MIN/-1 wraps; neither may trap on x86.
                yz = b.icmp_unsigned("==", y, zero)
                if signed:
                    m1 = b.icmp_signed("==", y, L.Constant(x.type, -1))
                    safe = b.select(b.or_(yz, m1), one, y)
                    q = b.select(m1, b.sub(zero, x), b.sdiv(x, safe))
                    r = b.select(m1, zero, b.srem(x, safe))
                    if op in (Op.FLOORDIV, Op.FLOORMOD):  # Python: round towards -inf
                        fix = b.and_(b.icmp_signed("!=", r, zero),
                                     b.xor(b.icmp_signed("<", r, zero),
                                           b.icmp_signed("<", y, zero)))
                        q = b.select(fix, b.sub(q, one), q)
                        r = b.select(fix, b.add(r, y), r)
                else:
                    safe = b.select(yz, one, y)
                    q, r = b.udiv(x, safe), b.urem(x, safe)
                res = q if op in (Op.DIV, Op.FLOORDIV) else r
                res = b.select(yz, zero, res)
                return b.trunc(res, I1) if t.is_bool else res
        raise error("PORT6002", f"llvm backend: {op.name} on {t}", loc)

    def pure(self, e: ir.Expr) -> bool:
        """No effects and no memory reads that could fault: safe to evaluate unconditionally."""
        for n in ir.walk(e):
            if isinstance(n, (ir.Load, ir.Atomic, ir.Shuffle, ir.Vote, ShflRead)):
                return False
            if isinstance(n, ir.Global) and not isinstance(n.type, Array):
                return False
            if isinstance(n, ir.Call) and n.fn not in INTRINSICS:
                return False
        return True

    def logical(self, e: ir.Binary):
        b = self.b
        x = self.truth(self.ex(e.lhs), e.lhs.type)
        if self.pure(e.rhs):
            y = self.truth(self.ex(e.rhs), e.rhs.type)
            return b.and_(x, y) if e.op is Op.LAND else b.or_(x, y)
        start = b.block
        rhs_bb = b.append_basic_block("sc.rhs")
        end = b.append_basic_block("sc.end")
        if e.op is Op.LAND:
            b.cbranch(x, rhs_bb, end)
        else:
            b.cbranch(x, end, rhs_bb)
        b.position_at_end(rhs_bb)
        y = self.truth(self.ex(e.rhs), e.rhs.type)
        rhs_end = b.block
        b.branch(end)
        b.position_at_end(end)
        phi = b.phi(I1)
        phi.add_incoming(L.Constant(I1, 0 if e.op is Op.LAND else 1), start)
        phi.add_incoming(y, rhs_end)
        return phi

    def ptr_arith(self, e: ir.Binary):
        b = self.b
        lt, rt = e.lhs.type, e.rhs.type
        if isinstance(lt, (Pointer, Array)) and isinstance(rt, (Pointer, Array)):
            x, y = self.ex(e.lhs), self.ex(e.rhs)
            d = b.sub(b.ptrtoint(x.addr, I64T), b.ptrtoint(y.addr, I64T))
            size = self.sizeof(lt.elem)
            d = b.sdiv(d, L.Constant(I64T, size))
            return self.int_cast(d, I64, e.type)
        pe, ie = (e.lhs, e.rhs) if isinstance(lt, (Pointer, Array)) else (e.rhs, e.lhs)
        p, i = self.ex(pe), self.index_value(ie)
        if e.op is Op.SUB:
            i = b.sub(L.Constant(I64T, 0), i)
        elem = pe.type.elem
        return P(b.gep(p.addr, [i], source_etype=self.mem_ty(elem)), p.lo, p.hi, p.aid)

    def sizeof(self, t: Type) -> int:
        return self.mem_ty(t).get_abi_size(self.target_data)

    def index64(self, v: L.Value, t: Type) -> L.Value:
        if v.type.width == 64:
            return v
        if isinstance(t, Scalar) and t.is_signed:
            return self.b.sext(v, I64T)
        return self.b.zext(v, I64T)

    def ex_Compare(self, e: ir.Compare):
        t = e.lhs.type
        x, y = self.ex(e.lhs), self.ex(e.rhs)
        return self.cmp(e.op, x, y, t)

    def cmp(self, op: Op, x, y, t: Type) -> L.Value:
        b = self.b
        sym = op.value
        if isinstance(x, P):
            return b.icmp_unsigned(sym, b.ptrtoint(x.addr, I64T), b.ptrtoint(y.addr, I64T))
        if t.is_float:
            if op is Op.NE:
                return b.fcmp_unordered("!=", x, y)  # NaN != x is true
            return b.fcmp_ordered(sym, x, y)
        if t.is_signed:
            return b.icmp_signed(sym, x, y)
        return b.icmp_unsigned(sym, x, y)

    def ex_Select(self, e: ir.Select):
        b = self.b
        if id(e.cond) in self.known:  # a fast copy where the whole block agrees on it
            return self.ex(e.a if self.known[id(e.cond)] else e.b)
        c = self.truth(self.ex(e.cond), e.cond.type)
        if self.pure(e.a) and self.pure(e.b):
            x, y = self.ex(e.a), self.ex(e.b)
            return self.select(c, x, y)
        then_bb, else_bb = b.append_basic_block("sel.a"), b.append_basic_block("sel.b")
        end = b.append_basic_block("sel.end")
        b.cbranch(c, then_bb, else_bb)
        b.position_at_end(then_bb)
        x = self.to_slot(self.ex(e.a), e.type)
        xb = b.block
        b.branch(end)
        b.position_at_end(else_bb)
        y = self.to_slot(self.ex(e.b), e.type)
        yb = b.block
        b.branch(end)
        b.position_at_end(end)
        phi = b.phi(x.type)
        phi.add_incoming(x, xb)
        phi.add_incoming(y, yb)
        return self.from_slot(phi, e.type) if not (isinstance(e.type, Scalar)
                                                   and e.type.is_bool) else phi

    def select(self, c, x, y):
        if isinstance(x, P):
            parts = [self.b.select(c, u, v) if u is not None else None
                     for u, v in zip((x.addr, x.lo, x.hi, x.aid), (y.addr, y.lo, y.hi, y.aid),
                                     strict=True)]
            return P(*parts)
        return self.b.select(c, x, y)

    def int_cast(self, v: L.Value, src: Scalar, dst: Type) -> L.Value:
        return self.convert(v, src, dst)

    def convert(self, v, src: Type, dst: Type):
        b = self.b
        if src == dst:
            return v
        if isinstance(dst, Pointer):
            if isinstance(v, P):
                return v
            return self.unknown_ptr(b.inttoptr(self.index64(v, src), PTR))
        if isinstance(src, (Pointer, Array)):
            if isinstance(dst, Scalar) and dst.is_bool:
                return self.truth(v, src)
            return b.trunc(b.ptrtoint(v.addr, I64T), L.IntType(dst.bits)) if dst.bits < 64 \
                else b.ptrtoint(v.addr, I64T)
        if not (isinstance(src, Scalar) and isinstance(dst, Scalar)):
            raise error("PORT6002", f"llvm backend: conversion {src} -> {dst}")
        if dst.is_bool:
            return self.truth(v, src)
        dt = self.val_ty(dst)
        if src.is_bool:
            return b.uitofp(v, dt) if dst.is_float else b.zext(v, dt)
        if src.is_float and dst.is_float:
            return b.fpext(v, dt) if dst.bits > src.bits else b.fptrunc(v, dt)
        if src.is_float:
            # C semantics (PTX cvt.rzi.sat): truncate, saturate, NaN -> 0
            name = "llvm.fptosi.sat" if dst.is_signed else "llvm.fptoui.sat"
            fn = self.declare(f"{name}.i{dst.bits}.{_fname(v.type)}", dt, [v.type])
            return b.call(fn, [v])
        if dst.is_float:
            return b.sitofp(v, dt) if src.is_signed else b.uitofp(v, dt)
        if dst.bits < src.bits:
            return b.trunc(v, dt)
        if dst.bits > src.bits:
            return b.sext(v, dt) if src.is_signed else b.zext(v, dt)
        return v

    def ex_Cast(self, e: ir.Cast):
        return self.convert(self.ex(e.value), e.value.type, e.type)

    def ex_Field(self, e: ir.Field):
        t = e.value.type
        v = self.ex(e.value)
        if isinstance(t, Vector):
            i = "xyzw".index(e.name)
        elif isinstance(t, Struct):
            i = [n for n, _ in t.fields].index(e.name)
        else:
            raise error("PORT6002", f"llvm backend: field {e.name} of {t}", e.loc)
        return self.from_mem(self.b.extract_value(v, i), e.type)

    def ex_Pack(self, e: ir.Pack):
        ty = self.mem_ty(e.type)
        s = L.Constant(ty, None)
        for i, x in enumerate(e.values):
            s = self.b.insert_value(s, self.to_mem(self.ex(x), x.type), i)
        return s

    # ------------------------------------------------------------ memory
    def address(self, base: ir.Expr, index: tuple, loc) -> tuple[P, L.Value | None]:
        """Element address and, for arrays, the flat index (for index-based checks)."""
        bt = base.type
        b = self.b
        if isinstance(bt, Pointer):
            p = self.ex(base)
            if not index:
                return p, None
            i = self.index_value(index[0])
            addr = b.gep(p.addr, [i], source_etype=self.mem_ty(bt.elem))
            if isinstance(base, ir.Param):  # (scratch.py: alias scopes, access groups)
                self.scratch_obj[id(addr)] = "params"
            return P(addr, p.lo, p.hi, p.aid), None
        if isinstance(bt, Array):
            flat = L.Constant(I64T, 0)
            shape = bt.shape or (0,)
            for k, (ix, n) in enumerate(zip(index, shape, strict=False)):
                v = self.index_value(ix)
                flat = b.add(b.mul(flat, L.Constant(I64T, n), flags=["nsw"]), v,
                             flags=["nsw"]) if k else v
            return self.array_elem(base, flat), flat
        if isinstance(base, ir.Global):  # a scalar __device__ variable
            return self.global_ptr(base), None
        raise error("PORT6002", f"llvm backend: cannot address {bt}", loc)

    def check(self, p: P, flat: L.Value | None, nelem: int | None, t: Type, loc, kind: int,
              name: str) -> None:
        if not self.checks:
            return
        b = self.b
        if flat is not None and nelem is not None:
            ok = b.icmp_unsigned("<", flat, L.Constant(I64T, nelem))
            index = flat
        else:
            if p.lo is None:
                return
            a = b.ptrtoint(p.addr, I64T)
            lo, hi = b.ptrtoint(p.lo, I64T), b.ptrtoint(p.hi, I64T)
            size = self.sizeof(t)
            end = b.add(a, L.Constant(I64T, size))
            ok = b.and_(b.icmp_unsigned(">=", a, lo), b.icmp_unsigned("<=", end, hi))
            ok = b.and_(ok, b.icmp_unsigned(">=", end, a))
            index = b.sdiv(b.sub(a, lo), L.Constant(I64T, size))
        bad = b.append_basic_block("oob")
        good = b.append_basic_block("inb")
        b.cbranch(ok, good, bad, )
        b.position_at_end(bad)
        self.record_error(p.aid if flat is None else None, name, index, loc, kind)
        b.position_at_end(good)

    def array_nelem(self, base: ir.Expr) -> int | None:
        t = base.type
        if isinstance(t, Array) and t.shape:
            return t.size
        return None

    def load(self, p: P, t: Type, base: ir.Expr, flat, loc=None):
        self.check(p, flat, self.array_nelem(base) if flat is not None else None, t, loc, 0,
                   _name(base))
        return self.from_mem(self.b.load(p.addr, typ=self.mem_ty(t)), t)

    def ex_Load(self, e: ir.Load):
        p, flat = self.address(e.base, e.index, e.loc)
        self.check(p, flat, self.array_nelem(e.base) if flat is not None else None, e.type,
                   e.loc, 0, _name(e.base))
        return self.from_mem(self.b.load(p.addr, typ=self.mem_ty(e.type)), e.type)

    def store(self, s: ir.Store) -> None:
        p, flat = self.address(s.base, s.index, s.loc)
        v = self.ex(s.value)
        t = s.value.type
        self.check(p, flat, self.array_nelem(s.base) if flat is not None else None, t, s.loc, 1,
                   _name(s.base))
        self.b.store(self.to_mem(v, t), p.addr)

    def ex_AddrOf(self, e: ir.AddrOf):
        p, flat = self.address(e.base, e.index, e.loc)
        return p

def _fname(t: L.Type) -> str:
    if isinstance(t, L.FloatType):
        return "f32"
    if isinstance(t, L.DoubleType):
        return "f64"
    if isinstance(t, L.HalfType):
        return "f16"
    return f"i{t.width}"


def _name(base: ir.Expr) -> str:
    for n in ir.walk(base):
        if isinstance(n, (ir.Param, ir.Var, ir.Global)):
            return n.name
    return "?"


__all__ = ["ExprEmitter", "P", "BOOL", "I64", "Sreg"]
