"""Expressions of the Triton translation: IR expression -> Triton Python text.

A translated value is a `V`: its text, whether it differs between the lanes of a block (a
[BLOCK] tensor) or is block-uniform (a scalar), and whether it is a bare Python literal (which
Triton types weakly, after the other operand). `ExprEmitter` is mixed into the statement
generator in `triton_gen`, which owns the lane mask that loads, atomics and votes obey.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from portable import ir, semantics
from portable.errors import error
from portable.types import F32, Array, Pointer, Scalar, Space, Type

_TL = {
    "bool": "tl.int1", "i8": "tl.int8", "i16": "tl.int16", "i32": "tl.int32", "i64": "tl.int64",
    "u8": "tl.uint8", "u16": "tl.uint16", "u32": "tl.uint32", "u64": "tl.uint64",
    "f16": "tl.float16", "f32": "tl.float32", "f64": "tl.float64",
}
# memory element types as Triton signature strings (bool lives in memory as one byte)
SIG = {
    "bool": "u8", "i8": "i8", "i16": "i16", "i32": "i32", "i64": "i64", "u8": "u8",
    "u16": "u16", "u32": "u32", "u64": "u64", "f16": "fp16", "f32": "fp32", "f64": "fp64",
}


@dataclass(frozen=True)
class V:
    code: str
    vary: bool
    lit: bool = False


def tl_type(t: Type, loc=None) -> str:
    """The Triton dtype spelling of an IR scalar type."""
    if isinstance(t, Scalar):
        return _TL[str(t)]
    if isinstance(t, Pointer):
        return f"tl.pointer_type({mem_type(t.elem, loc)})"
    raise error("PORT6002", f"the triton backend cannot hold a value of type {t}", loc,
                "use scalars and pointers to scalars (vector and struct values are not "
                "translated yet)")


def mem_type(t: Type, loc=None) -> str:
    """The Triton dtype of `t` as it sits in memory (bool is one byte)."""
    if isinstance(t, Scalar) and t.is_bool:
        return "tl.uint8"
    return tl_type(t, loc)


def literal(value, t: Scalar) -> V:
    """A constant: a bare literal when Triton reads it exactly, else a typed scalar."""
    if t.is_bool:
        return V("True" if value else "False", False, True)
    if t.is_float:
        f = float(value)
        if math.isfinite(f):
            return V(repr(f), False, True)
        text = "float('nan')" if math.isnan(f) else f"float('{'-' if f < 0 else ''}inf')"
        return V(f"tl.full([], {text}, {tl_type(t)})", False)
    v = int(value)
    if -(2**31) <= v < 2**31:
        return V(str(v), False, True)
    return V(f"tl.full([], {v}, {tl_type(t)})", False)


# intrinsics spelled directly in tl (the rest go through libdevice, which the interpreter
# backend binds to portable.semantics)
_TL_CALL = {"floor": "tl.floor", "ceil": "tl.ceil", "fabs": "tl.abs",
            "abs": "tl.abs", "fma": "tl.fma", "min": "tl.minimum", "max": "tl.maximum",
            "fmin": "_fmin", "fmax": "_fmax", "cbrt": "_cbrt"}
LIBDEVICE = frozenset({
    "exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sin", "cos", "tan", "asin",
    "acos", "atan", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh", "trunc", "round",
    "rint", "exp10", "pow", "atan2", "fmod", "hypot", "copysign", "remainder", "rsqrt",
    "erf", "erfc", "lgamma", "tgamma", "popc", "clz", "ffs", "brev", "mulhi",
})


class ExprEmitter:
    """Expression half of the generator (see `triton_gen.Generator` for the state it uses)."""

    # ------------------------------------------------------------ helpers
    def typed(self, v: V, t: Type) -> str:
        """`v` as a typed Triton value (wraps bare literals)."""
        if v.lit:
            return f"tl.full([], {v.code}, {tl_type(t)})"
        return v.code

    def lanes(self, v: V, t: Type) -> str:
        """`v` as a [BLOCK] tensor."""
        if v.vary:
            return v.code
        if v.lit:
            return f"tl.full([BLOCK], {v.code}, {tl_type(t)})"
        if isinstance(t, Scalar) and t.is_bool:
            return f"(_act | True) & {v.code}"
        return f"tl.broadcast_to({v.code}, [BLOCK])"

    def emit(self, e: ir.Expr) -> V:
        m = getattr(self, "e_" + type(e).__name__, None)
        if m is None:
            raise error("PORT6002", f"the triton backend does not translate "
                        f"{type(e).__name__} expressions", e.loc)
        return m(e)

    def tmp(self, code: str, vary: bool) -> V:
        """Bind `code` to a fresh temporary (keeps lines short and evaluates once)."""
        name = self.fresh("_t")
        self.line(f"{name} = {code}")
        return V(name, vary)

    # ------------------------------------------------------------ leaves
    def e_Const(self, e: ir.Const) -> V:
        if not isinstance(e.type, Scalar):
            raise error("PORT6002", f"constant of type {e.type}", e.loc)
        return literal(e.value, e.type)

    def e_Var(self, e: ir.Var) -> V:
        if e.name in self.arrays:
            return self.arrays[e.name]
        return V(self.name(e.name), e.name in self.varying)

    def e_Param(self, e: ir.Param) -> V:
        return V(self.name(e.name), False)

    def e_Global(self, e: ir.Global) -> V:
        elem = e.type.elem if isinstance(e.type, Array) else e.type
        self.globals_used[e.name] = _sig(elem, e.loc)
        if isinstance(e.type, Array):
            return V(f"_g_{e.name}", False)
        return V(f"tl.load(_g_{e.name})", False)

    def e_Special(self, e: ir.Special) -> V:
        r = e.reg
        t = tl_type(e.type, e.loc)
        ax = "xyz"[e.dim]
        if r is ir.Sreg.TID:
            src, vary = ("_tid % BDX", "_tid // BDX % BDY", "_tid // (BDX * BDY)")[e.dim], True
        elif r is ir.Sreg.NTID:
            src, vary = f"tl.full([], BD{ax.upper()}, {t})", False
        elif r is ir.Sreg.CTAID:
            src, vary = f"tl.program_id({e.dim})", False
        elif r is ir.Sreg.NCTAID:
            src, vary = f"tl.num_programs({e.dim})", False
        elif r is ir.Sreg.WARPSIZE:
            src, vary = f"tl.full([], 32, {t})", False
        else:
            src, vary = "_lane", True
        name = f"{r.value}_{ax}" if r not in (ir.Sreg.WARPSIZE, ir.Sreg.LANEID) else r.value
        if str(e.type) != "u32":
            name += "_" + str(e.type)
        if not src.startswith("tl.full"):
            src = f"{src}.to({t})" if src.startswith("tl.") else f"({src}).to({t})"
        self.specials[name] = src
        return V(name, vary)

    # ------------------------------------------------------------ arithmetic
    def e_Unary(self, e: ir.Unary) -> V:
        a = self.emit(e.value)
        t = e.type
        if a.lit:
            return literal(semantics.unary(e.op, np.asarray(_lit(a, t), t.dtype), t)[()], t)
        if e.op is ir.Op.NEG:
            return V(f"(-{a.code})", a.vary)
        if e.op is ir.Op.BNOT:
            return V(f"(~{a.code})", a.vary)
        if isinstance(e.value.type, Scalar) and e.value.type.is_bool:
            return V(f"(~{a.code})", a.vary)
        return V(f"({a.code} == 0)", a.vary)

    def e_Binary(self, e: ir.Binary) -> V:
        op, t = e.op, e.type
        if op in ir.LOGICAL:
            return self._logical(e)
        a = self.emit(e.lhs)
        b = self.emit(e.rhs)
        vary = a.vary or b.vary
        if isinstance(e.lhs.type, Pointer) or isinstance(e.lhs.type, Array):
            if op in (ir.Op.ADD, ir.Op.SUB) and isinstance(e.rhs.type, Scalar):
                return V(f"({a.code} {op.value} {b.code})", vary)
            raise error("PORT6002", f"pointer operation {op.value!r} on {e.lhs.type}", e.loc,
                        "index the pointer instead")
        if a.lit and b.lit:
            r = semantics.binary(op, np.asarray(_lit(a, t), t.dtype),
                                 np.asarray(_lit(b, t), t.dtype), t)
            return literal(np.asarray(r)[()], t)
        assert isinstance(t, Scalar)
        x, y = a.code, b.code
        if op in (ir.Op.DIV, ir.Op.MOD) and t.is_int:
            if b.lit and int(b.code) not in (0, -1):
                return V(f"({x} {'//' if op is ir.Op.DIV else '%'} {y})", vary)
            fn = ("_div_" if op is ir.Op.DIV else "_mod_") + ("s" if t.is_signed else "u")
            return V(f"{fn}({self.typed(a, t)}, {y})", vary)
        if op in (ir.Op.FLOORDIV, ir.Op.FLOORMOD):
            if t.is_float:
                f = "libdevice.floor(" if op is ir.Op.FLOORDIV else ""
                if op is ir.Op.FLOORDIV:
                    return V(f"{f}{x} / {y})", vary)
                return V(f"({x} - {y} * libdevice.floor({x} / {y}))", vary)
            fn = "_floordiv" if op is ir.Op.FLOORDIV else "_floormod"
            return V(f"{fn}({self.typed(a, t)}, {y})", vary)
        if op in (ir.Op.SHL, ir.Op.SHR):
            if b.lit and 0 <= int(b.code) < t.bits:
                return V(f"({self.typed(a, t) if a.lit else x} {op.value} {y})", vary)
            fn = "_shl" if op is ir.Op.SHL else "_shr"
            return V(f"{fn}({self.typed(a, t)}, {self.typed(b, t)}, {t.bits})", vary)
        if op is ir.Op.DIV:
            if t.bits == 32:  # CUDA's float division is IEEE round-to-nearest
                return V(f"tl.div_rn({self.typed(a, t)}, {self.typed(b, t)})", vary)
            if t.bits == 16:
                return V(f"({self.typed(a, t)}.to(tl.float32) / {y}).to(tl.float16)", vary)
            return V(f"({x} / {y})", vary)
        if op is ir.Op.MOD:
            return V(f"libdevice.fmod({self.typed(a, t)}, {self.typed(b, t)})", vary)
        if a.lit:
            x = self.typed(a, t)
        return V(f"({x} {op.value} {y})", vary)

    def _logical(self, e: ir.Binary) -> V:
        # the right operand is evaluated only where needed: its loads see a narrowed mask
        a = self.emit(e.lhs)
        cond = a if e.op is ir.Op.LAND else V(f"(~{a.code})", a.vary)
        with self.narrowed(cond):
            b = self.emit(e.rhs)
        if a.lit and b.lit:
            return literal(bool(a.code == "True") and bool(b.code == "True") if e.op is ir.Op.LAND
                           else a.code == "True" or b.code == "True", e.type)
        x = self.typed(a, e.type)
        return V(f"({x} {'&' if e.op is ir.Op.LAND else '|'} {b.code})", a.vary or b.vary)

    def e_Compare(self, e: ir.Compare) -> V:
        a = self.emit(e.lhs)
        b = self.emit(e.rhs)
        if a.lit and b.lit:
            t = e.lhs.type
            return literal(bool(semantics.compare(e.op, np.asarray(_lit(a, t), t.dtype),
                                                  np.asarray(_lit(b, t), t.dtype))), e.type)
        x = self.typed(a, e.lhs.type) if a.lit else a.code
        return V(f"({x} {e.op.value} {b.code})", a.vary or b.vary)

    def e_Select(self, e: ir.Select) -> V:
        c = self.emit(e.cond)
        with self.narrowed(c):
            a = self.emit(e.a)
        with self.narrowed(V(f"(~{c.code})", c.vary)):
            b = self.emit(e.b)
        if not isinstance(e.type, Scalar):
            return V(f"tl.where({c.code}, {a.code}, {b.code})", c.vary or a.vary or b.vary)
        x = self.typed(a, e.type) if a.lit and b.lit else a.code
        return V(f"tl.where({c.code}, {x}, {b.code})", c.vary or a.vary or b.vary)

    def e_Cast(self, e: ir.Cast) -> V:
        src, dst = e.value.type, e.type
        a = self.emit(e.value)
        if isinstance(dst, Pointer):
            if isinstance(src, (Pointer, Array)):
                return V(f"{a.code}.to({tl_type(dst, e.loc)})", a.vary)
            raise error("PORT6002", f"cast of {src} to a pointer", e.loc)
        if not isinstance(src, Scalar) or not isinstance(dst, Scalar):
            raise error("PORT6002", f"cast {src} -> {dst}", e.loc)
        if a.lit:
            r = semantics.cast(np.asarray(_lit(a, src), src.dtype), src, dst)
            return literal(np.asarray(r)[()], dst)
        if src == dst:
            return a
        if dst.is_bool:
            return V(f"({a.code} != 0)", a.vary)
        if src.is_float and dst.is_int:
            lo, hi = dst.min, dst.max
            if dst.bits == 64:  # 2**63 does not fit the constexpr compare; NaN still gives 0
                return V(f"tl.where({a.code} != {a.code}, 0.0, {a.code}).to({tl_type(dst)})",
                         a.vary)
            return V(f"_f2i({a.code}, {tl_type(dst)}, {lo}, {hi})", a.vary)
        return V(f"{a.code}.to({tl_type(dst)})", a.vary)

    def e_Call(self, e: ir.Call) -> V:
        args = [self.emit(x) for x in e.args]
        t = e.args[0].type if e.args else e.type
        vary = any(a.vary for a in args)
        if e.fn not in semantics.INTRINSICS:
            raise error("PORT1004", f"call to {e.fn!r} is not an intrinsic (inline it first)",
                        e.loc)
        xs = [self.typed(a, t) for a in args]
        f = e.fn
        if isinstance(t, Scalar) and t.is_float and t.bits == 16:
            # Triton's math takes fp32/fp64: compute half precision in fp32, round once
            wide = ir.Call(f, tuple(ir.Cast(x, F32) for x in e.args), F32 if e.type == t
                           else e.type, loc=e.loc)
            r = self.emit(wide)
            return V(f"{r.code}.to(tl.float16)", r.vary) if e.type == t else r
        if f == "sqrt":
            return V(f"{'tl.sqrt_rn' if t.bits == 32 else 'tl.sqrt'}({xs[0]})", vary)
        if f in ("isnan",):
            return V(f"({xs[0]} != {xs[0]})", vary)
        if f in ("isinf", "isfinite"):
            op = "==" if f == "isinf" else "<"
            return V(f"(tl.abs({xs[0]}) {op} float('inf'))", vary)
        if f == "signbit":
            it = "tl.int64" if t.bits == 64 else "tl.int32" if t.bits == 32 else "tl.int16"
            return V(f"({xs[0]}.to({it}, bitcast=True) < 0)", vary)
        if f == "saturate":
            return V(f"tl.where({xs[0]} != {xs[0]}, 0.0, tl.clamp({xs[0]}, 0.0, 1.0))", vary)
        if f == "fdim":
            return V(f"tl.where({xs[0]} > {xs[1]}, {xs[0]} - {xs[1]}, 0.0)", vary)
        if f == "mul24":
            if t.is_signed:
                m = [f"(({x} << 8) >> 8)" for x in xs]
            else:
                m = [f"({x} & 0xFFFFFF)" for x in xs]
            return V(f"({m[0]} * {m[1]})", vary)
        if f == "mulhi" and t.bits == 32:
            wide = "tl.int64" if t.is_signed else "tl.uint64"
            return V(f"(({xs[0]}.to({wide}) * {xs[1]}.to({wide})) >> 32).to({tl_type(t)})",
                     vary)
        if f in ("popc", "clz", "ffs", "brev"):
            # libdevice takes signed words; the bits are what count
            sw = f"tl.int{t.bits}"
            x = f"{xs[0]}.to({sw}, bitcast=True)" if not t.is_signed else xs[0]
            if f == "ffs":
                return V(f"tl.where({x} == 0, 0, libdevice.popc(({x} & -{x}) - 1) + 1)", vary)
            if f == "brev" and t.bits == 32:
                return V(f"_brev32({xs[0]}.to(tl.uint32, bitcast=True)).to({tl_type(t)}, "
                         "bitcast=True)", vary)
            code = f"libdevice.{f}({x})"
            if f == "brev" and not t.is_signed:
                code += f".to({tl_type(t)}, bitcast=True)"
            return V(code, vary)
        if f in _TL_CALL:
            return V(f"{_TL_CALL[f]}({', '.join(xs)})", vary)
        if f in LIBDEVICE:
            return V(f"libdevice.{f}({', '.join(xs)})", vary)
        raise error("PORT6002", f"intrinsic {f!r} has no triton spelling", e.loc)

    # ------------------------------------------------------------ memory
    def address(self, base: ir.Expr, index: tuple[ir.Expr, ...], loc) -> V:
        """Pointer (scalar or [BLOCK]) to base[index...]."""
        t = base.type
        if isinstance(base, ir.Global) and not isinstance(t, Array) and not index:
            self.emit(base)
            return V(f"_g_{base.name}", False)
        b = self.emit(base)
        if isinstance(t, Array):
            shape = t.shape or (0,)
            if len(index) != len(shape):
                raise error("PORT6002", f"{len(index)} indices into {t}", loc)
            parts, vary = [], b.vary
            for k, ix in enumerate(index):
                v = self.emit(ix)
                vary |= v.vary
                stride = int(np.prod(shape[k + 1:], dtype=np.int64)) if k + 1 < len(shape) else 1
                parts.append(v.code if stride == 1 else f"{v.code} * {stride}")
            return V(f"({b.code} + {' + '.join(parts)})", vary)
        if isinstance(t, Pointer):
            if len(index) != 1:
                raise error("PORT6002", f"{len(index)} indices into a pointer", loc)
            v = self.emit(index[0])
            if v.lit and v.code == "0":
                return b
            return V(f"({b.code} + {v.code})", b.vary or v.vary)
        raise error("PORT6002", f"memory access through a {t}", loc)

    def e_AddrOf(self, e: ir.AddrOf) -> V:
        return self.address(e.base, e.index, e.loc)

    def e_Load(self, e: ir.Load) -> V:
        t = e.type
        if not isinstance(t, Scalar):
            raise error("PORT6002", f"load of a {t} value", e.loc,
                        "load the scalar fields one by one")
        p = self.address(e.base, e.index, e.loc)
        if not p.vary and self.mask is None:
            code = f"tl.load({p.code})"
        elif not p.vary and not self.mask.vary:
            code = f"tl.load({p.code}, mask={self.mask.code}, other=0)"
        else:
            ptr = p.code if p.vary else f"({p.code} + _zi)"
            code = f"tl.load({ptr}, mask={self.vmask()}, other=0)"
        vary = p.vary or (self.mask is not None and self.mask.vary)
        if t.is_bool:
            code = f"({code} != 0)"
        return V(code, vary)


def _sig(t: Type, loc) -> str:
    if not isinstance(t, Scalar):
        raise error("PORT6002", f"module variable of type {t}", loc)
    return SIG[str(t)]


def _lit(v: V, t: Type):
    """The Python value of a bare literal."""
    if v.code in ("True", "False"):
        return v.code == "True"
    return float(v.code) if isinstance(t, Scalar) and t.is_float else int(v.code)


def is_shared(t: Type) -> bool:
    return isinstance(t, (Array, Pointer)) and t.space is Space.SHARED
