"""Atomics (real atomic instructions for global memory, cmpxchg loops for float min/max),
math and integer intrinsics with the semantics table's rules, and warp shuffle reads.
A mixin of `codegen.Codegen`."""

from __future__ import annotations

from llvmlite import ir as L

from portable import ir
from portable.errors import error
from portable.ir import Op
from portable.semantics import INTRINSICS
from portable.types import I32, Array, Pointer, Scalar, Space, Type

from .exprs import _LIBM, _LLVM_MATH, I1, I32T, I64T, _fname, _name
from .plan import WARP, ShflRead


class Intrinsics:
    """Atomic, Call and ShflRead expressions."""

    def space_of(self, base: ir.Expr) -> Space:
        t = base.type
        return t.space if isinstance(t, (Pointer, Array)) else Space.GLOBAL

    def ex_Atomic(self, e: ir.Atomic):
        b = self.b
        p, flat = self.address(e.base, e.index, e.loc)
        t: Scalar = e.type
        val = self.ex(e.value)
        self.check(p, flat, self.array_nelem(e.base) if flat is not None else None, t, e.loc, 2,
                   _name(e.base))
        cmpv = self.ex(e.compare) if e.compare is not None else None
        if self.space_of(e.base) in (Space.SHARED, Space.LOCAL):
            # a block runs on one OS thread: its shared memory needs no atomic instructions
            old = b.load(p.addr, typ=self.mem_ty(t))
            st = b.store(self.atomic_new(e.op, old, val, t, cmpv), p.addr)
            self.ordered.update((id(old), id(st)))  # never in a parallel access group
            return old
        if e.op is Op.ATOMIC_CAS:
            it = L.IntType(t.bits)
            x, c = val, cmpv
            if t.is_float:
                x, c = b.bitcast(val, it), b.bitcast(cmpv, it)
            r = b.extract_value(b.cmpxchg(p.addr, c, x, "monotonic", "monotonic"), 0)
            return b.bitcast(r, val.type) if t.is_float else r
        name = _RMW.get((e.op, "f" if t.is_float else "s" if t.is_signed else "u"))
        if name:
            return b.atomic_rmw(name, p.addr, val, "monotonic")
        return self.cas_loop(p.addr, e.op, val, t)

    def atomic_new(self, op: Op, old, val, t: Scalar, cmpv):
        b = self.b
        match op:
            case Op.ATOMIC_ADD:
                return self.binop(Op.ADD, old, val, t)
            case Op.ATOMIC_SUB:
                return self.binop(Op.SUB, old, val, t)
            case Op.ATOMIC_AND:
                return b.and_(old, val)
            case Op.ATOMIC_OR:
                return b.or_(old, val)
            case Op.ATOMIC_XOR:
                return b.xor(old, val)
            case Op.ATOMIC_EXCH:
                return val
            case Op.ATOMIC_CAS:
                return b.select(self.cmp(Op.EQ, old, cmpv, t), val, old)
            case Op.ATOMIC_MIN | Op.ATOMIC_MAX:
                lt = self.cmp(Op.LT if op is Op.ATOMIC_MIN else Op.GT, old, val, t)
                r = b.select(lt, old, val)
                if t.is_float:  # np.minimum/maximum: NaN wins
                    nan = b.fcmp_unordered("uno", old, val)
                    r = b.select(nan, b.fadd(old, val), r)
                return r
            case Op.ATOMIC_INC:  # CUDA: old >= val ? 0 : old + 1
                return b.select(self.cmp(Op.GE, old, val, t), L.Constant(old.type, 0),
                                b.add(old, L.Constant(old.type, 1)))
            case Op.ATOMIC_DEC:  # CUDA: old == 0 || old > val ? val : old - 1
                z = b.icmp_unsigned("==", old, L.Constant(old.type, 0))
                return b.select(b.or_(z, self.cmp(Op.GT, old, val, t)), val,
                                b.sub(old, L.Constant(old.type, 1)))
        raise error("PORT6002", f"llvm backend: atomic {op.name}")

    def cas_loop(self, addr, op: Op, val, t: Scalar):
        b = self.b
        it = L.IntType(t.bits)
        start = b.block
        init = b.load(addr, typ=self.mem_ty(t))
        loop = b.append_basic_block("cas.loop")
        done = b.append_basic_block("cas.done")
        b.branch(loop)
        b.position_at_end(loop)
        old = b.phi(init.type)
        old.add_incoming(init, start)
        new = self.atomic_new(op, old, val, t, None)
        oi, ni = (b.bitcast(old, it), b.bitcast(new, it)) if t.is_float else (old, new)
        r = b.cmpxchg(addr, oi, ni, "monotonic", "monotonic")
        seen = b.extract_value(r, 0)
        seen = b.bitcast(seen, init.type) if t.is_float else seen
        old.add_incoming(seen, b.block)
        b.cbranch(b.extract_value(r, 1), done, loop)
        b.position_at_end(done)
        return old

    # ------------------------------------------------------------ calls
    def declare(self, name: str, ret: L.Type, args: list[L.Type]) -> L.Function:
        fn = self.module.globals.get(name)
        if fn is None:
            fn = L.Function(self.module, L.FunctionType(ret, args), name)
        return fn

    def intrinsic(self, name: str, args: list):
        ty = args[0].type
        fn = self.declare(f"{name}.{_fname(ty)}", ty, [a.type for a in args])
        return self.b.call(fn, args)

    def ex_Call(self, e: ir.Call):
        if e.fn not in INTRINSICS:
            raise error("PORT6002", f"llvm backend: call to {e.fn!r} (not inlined)", e.loc)
        args = [self.ex(a) for a in e.args]
        t: Scalar = e.args[0].type
        return self.call(e.fn, args, t, e.type, e.loc)

    def call(self, name: str, args: list, t: Scalar, rt: Type, loc):
        b = self.b
        if t.is_float:
            ty = args[0].type
            zero = L.Constant(ty, 0.0)
            match name:
                case "rsqrt":
                    return b.fdiv(L.Constant(ty, 1.0), self.intrinsic("llvm.sqrt", args))
                case "saturate":
                    x = b.select(b.fcmp_unordered("uno", args[0], args[0]), zero, args[0])
                    x = self.intrinsic("llvm.maxnum", [x, zero])
                    return self.intrinsic("llvm.minnum", [x, L.Constant(ty, 1.0)])
                case "fdim":
                    x, y = args
                    return b.select(b.fcmp_ordered(">", x, y), b.fsub(x, y), zero)
                case "fmod":
                    return b.frem(*args)
                case "isnan":
                    return b.fcmp_unordered("uno", args[0], args[0])
                case "isinf":
                    return b.fcmp_ordered("==", self.intrinsic("llvm.fabs", args),
                                          L.Constant(ty, float("inf")))
                case "isfinite":
                    return b.fcmp_ordered("<", self.intrinsic("llvm.fabs", args),
                                          L.Constant(ty, float("inf")))
                case "signbit":
                    it = L.IntType(t.bits)
                    return b.icmp_signed("<", b.bitcast(args[0], it), L.Constant(it, 0))
            if name in _LLVM_MATH and _LLVM_MATH[name]:
                return self.intrinsic("llvm." + _LLVM_MATH[name], args)
            if name in _LIBM:
                cname = name + ("f" if t.bits == 32 else "")
                if t.bits == 16:
                    raise error("PORT6002", f"llvm backend: {name} on half", loc)
                fn = self.declare(cname, args[0].type, [a.type for a in args])
                return b.call(fn, args)
        else:
            it = args[0].type
            signed = t.is_signed
            match name:
                case "min" | "max":
                    x, y = args
                    op = ("<" if name == "min" else ">")
                    c = b.icmp_signed(op, x, y) if signed else b.icmp_unsigned(op, x, y)
                    return b.select(c, x, y)
                case "abs":  # C semantics: abs(INT_MIN) wraps
                    neg = b.icmp_signed("<", args[0], L.Constant(it, 0))
                    return b.select(neg, b.sub(L.Constant(it, 0), args[0]), args[0])
                case "popc":
                    return self.to_i32(self.intrinsic("llvm.ctpop", args))
                case "clz":
                    fn = self.declare(f"llvm.ctlz.{_fname(it)}", it, [it, I1])
                    return self.to_i32(b.call(fn, [args[0], L.Constant(I1, 0)]))
                case "ffs":
                    fn = self.declare(f"llvm.cttz.{_fname(it)}", it, [it, I1])
                    tz = self.to_i32(b.call(fn, [args[0], L.Constant(I1, 0)]))
                    z = b.icmp_unsigned("==", args[0], L.Constant(it, 0))
                    return b.select(z, L.Constant(I32T, 0), b.add(tz, L.Constant(I32T, 1)))
                case "brev":
                    return self.intrinsic("llvm.bitreverse", args)
                case "mulhi":
                    wide = L.IntType(2 * t.bits)
                    ext = b.sext if signed else b.zext
                    p = b.mul(ext(args[0], wide), ext(args[1], wide))
                    return b.trunc(b.lshr(p, L.Constant(wide, t.bits)), it)
                case "mul24":
                    def low24(x):
                        x64 = b.zext(x, I64T) if x.type.width < 64 else x
                        if signed:
                            x64 = b.sext(x, I64T) if x.type.width < 64 else x
                            return b.ashr(b.shl(x64, L.Constant(I64T, 40)), L.Constant(I64T, 40))
                        return b.and_(x64, L.Constant(I64T, 0xFFFFFF))
                    p = b.mul(low24(args[0]), low24(args[1]))
                    return b.trunc(p, it) if it.width < 64 else p
        raise error("PORT6002", f"llvm backend: intrinsic {name} on {t}", loc)

    def to_i32(self, v):
        if v.type.width > 32:
            return self.b.trunc(v, I32T)
        if v.type.width < 32:
            return self.b.zext(v, I32T)
        return v

    # ------------------------------------------------------------ warps
    def ex_ShflRead(self, e: ShflRead):
        b = self.b
        tid = self.tid_lin()
        n = self.nthreads_value()
        lane32 = b.trunc(b.and_(tid, L.Constant(I64T, WARP - 1)), I32T)
        warp_base = b.and_(tid, L.Constant(I64T, ~(WARP - 1)))
        # PTX shfl.sync: b = source & 31, segment mask from the width, clamp to the segment end
        # (start for up); an out-of-segment source reads the caller's own value.
        c = lambda v: L.Constant(I32T, v)  # noqa: E731
        arg = b.and_(self.convert(self.ex(e.lane), e.lane.type, I32), c(31))
        w = self.convert(self.ex(e.width), e.width.type, I32)
        segmask = b.and_(b.sub(c(WARP), w), c(31))
        lo = b.and_(lane32, segmask)
        if e.op is Op.SHFL_UP:
            src = b.sub(lane32, arg)
            ok = b.icmp_signed(">=", src, lo)
        else:
            hi = b.or_(lo, b.and_(c(31), b.not_(segmask)))
            if e.op is Op.SHFL_DOWN:
                src = b.add(lane32, arg)
            elif e.op is Op.SHFL_XOR:
                src = b.xor(lane32, arg)
            elif e.op is Op.SHFL_IDX:
                src = b.or_(lo, b.and_(arg, b.not_(segmask)))
            else:
                raise error("PORT6002", f"llvm backend: {e.op}", e.loc)
            ok = b.icmp_signed("<=", src, hi)
        src = b.select(ok, src, lane32)
        src_tid = b.add(warp_base, b.zext(src, I64T))
        src_tid = b.select(b.icmp_unsigned("<", src_tid, n), src_tid, tid)  # partial warp
        v = b.load(self.var_ptr(e.src, src_tid), typ=self.slot_ty(e.src.type))
        return self.from_slot(v, e.type)



_RMW = {
    (Op.ATOMIC_ADD, "s"): "add", (Op.ATOMIC_ADD, "u"): "add", (Op.ATOMIC_ADD, "f"): "fadd",
    (Op.ATOMIC_SUB, "s"): "sub", (Op.ATOMIC_SUB, "u"): "sub", (Op.ATOMIC_SUB, "f"): "fsub",
    (Op.ATOMIC_MIN, "s"): "min", (Op.ATOMIC_MIN, "u"): "umin",
    (Op.ATOMIC_MAX, "s"): "max", (Op.ATOMIC_MAX, "u"): "umax",
    (Op.ATOMIC_EXCH, "s"): "xchg", (Op.ATOMIC_EXCH, "u"): "xchg", (Op.ATOMIC_EXCH, "f"): "xchg",
    (Op.ATOMIC_AND, "s"): "and", (Op.ATOMIC_AND, "u"): "and",
    (Op.ATOMIC_OR, "s"): "or", (Op.ATOMIC_OR, "u"): "or",
    (Op.ATOMIC_XOR, "s"): "xor", (Op.ATOMIC_XOR, "u"): "xor",
    (Op.ATOMIC_INC, "u"): "uinc_wrap", (Op.ATOMIC_DEC, "u"): "udec_wrap",
}


