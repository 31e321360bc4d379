"""Atomics, warp shuffles and votes of the Triton translation (mixed into the generator).

Atomics always act per lane: a uniform `atomicAdd(&count, 1)` executed by every thread adds
once per active thread, so the address is broadcast to [BLOCK] and masked. Warp operations see
the block as [NW, WL] (warps x lanes) via reshapes, and shuffles read other lanes through
`tl.gather`.
"""

from __future__ import annotations

from portable import ir
from portable.errors import error
from portable.types import Scalar

from .triton_expr import V, tl_type

_ATOMIC = {
    ir.Op.ATOMIC_ADD: "tl.atomic_add", ir.Op.ATOMIC_SUB: "tl.atomic_add",
    ir.Op.ATOMIC_MIN: "tl.atomic_min", ir.Op.ATOMIC_MAX: "tl.atomic_max",
    ir.Op.ATOMIC_EXCH: "tl.atomic_xchg", ir.Op.ATOMIC_AND: "tl.atomic_and",
    ir.Op.ATOMIC_OR: "tl.atomic_or", ir.Op.ATOMIC_XOR: "tl.atomic_xor",
}
_SHFL = {ir.Op.SHFL_IDX: 0, ir.Op.SHFL_UP: 1, ir.Op.SHFL_DOWN: 2, ir.Op.SHFL_XOR: 3}


class SyncEmitter:
    def e_Atomic(self, e: ir.Atomic) -> V:
        t = e.type
        if not isinstance(t, Scalar) or t.bits < 32 and not (t.is_float and t.bits == 16):
            raise error("PORT6002", f"{e.op.value} on {t}: Triton atomics take 32- and 64-bit "
                        "values", e.loc, "use an int or unsigned int counter")
        p = self.address(e.base, e.index, e.loc)
        ptr = p.code if p.vary else f"({p.code} + _zi)"
        val = self.emit(e.value)
        v = self.typed(val, t)
        m = self.vmask()
        if e.op is ir.Op.ATOMIC_CAS:
            # tl.atomic_cas does not broadcast: compare and value must be [BLOCK] like the pointer
            cmp = self.lanes(self.emit(e.compare), t)
            v = self.lanes(val, t)
            # tl.atomic_cas has no mask: inactive lanes compare-and-swap a private dummy slot
            dummy = f"_dummy.to(tl.pointer_type({tl_type(t)}))"
            self.uses_dummy = True
            code = f"tl.atomic_cas(tl.where({m}, {ptr}, {dummy}), {cmp}, {v}, sem='relaxed')"
            return self.tmp(code, True)
        if e.op in (ir.Op.ATOMIC_INC, ir.Op.ATOMIC_DEC):
            return self.cas_loop(e, ptr, v, m, t)
        if e.op not in _ATOMIC:
            raise error("PORT6002", f"{e.op.value} has no Triton atomic", e.loc,
                        "write it as an atomicCAS loop")
        if e.op is ir.Op.ATOMIC_SUB:
            v = f"(-{v})" if not val.lit else f"(0 - {v})"
        code = f"{_ATOMIC[e.op]}({ptr}, {v}, mask={m}, sem='relaxed')"
        return self.tmp(code, True)

    def cas_loop(self, e: ir.Atomic, ptr: str, v: str, m: str, t: Scalar) -> V:
        """atomicInc/atomicDec as a compare-and-swap loop (each lane retries until its swap
        lands); the result is the old value, as CUDA's."""
        self.uses_dummy = True
        dummy = f"_dummy.to(tl.pointer_type({tl_type(t)}))"
        old, todo, seen = self.fresh("_old"), self.fresh("_todo"), self.fresh("_seen")
        if e.op is ir.Op.ATOMIC_INC:
            new = f"tl.where({old} >= {v}, 0, {old} + 1)"
        else:
            new = f"tl.where(({old} == 0) | ({old} > {v}), {v}, {old} - 1)"
        self.line(f"{todo} = {m}")
        self.line(f"{old} = tl.load({ptr}, mask={todo}, other=0)")
        self.line(f"while _any({todo}):")
        self.ind += 1
        self.line(f"{seen} = tl.atomic_cas(tl.where({todo}, {ptr}, {dummy}), {old}, {new}, "
                  "sem='relaxed')")
        self.line(f"{todo} = {todo} & ({seen} != {old})")
        self.line(f"{old} = tl.where({todo}, {seen}, {old})")
        self.ind -= 1
        return V(old, True)

    def e_Shuffle(self, e: ir.Shuffle) -> V:
        v = self.emit(e.value)
        if not v.vary:
            # every lane holds the same value, so every source lane gives it
            self.emit(e.lane)
            return v
        t = e.type
        if not isinstance(t, Scalar) or t.is_bool:
            raise error("PORT6002", f"shuffle of a {t} value", e.loc)
        lane = self.typed(self.emit(e.lane), e.lane.type)
        width = self.typed(self.emit(e.width), e.width.type)
        src = f"_shfl_lane({_SHFL[e.op]}, _lane, {lane}.to(tl.int32), {width}.to(tl.int32))"
        return self.tmp(f"_shfl({v.code}, {src}, _tid, _lane, BLOCK)", True)

    def e_Vote(self, e: ir.Vote) -> V:
        m = self.vmask()
        op = e.op
        if op is ir.Op.ACTIVEMASK:
            return self.tmp(f"_warp_ballot({m}, _lane, NW, WL)", True)
        p = self.emit(e.pred)
        pred = p.code if p.vary else self.lanes(p, e.pred.type)
        if op in ir.BLOCK_VOTE:
            self.line("tl.debug_barrier()  # __syncthreads_count/and/or is also a barrier")
            n = f"_sum(({pred} & {m}).to(tl.int32), 0)"
            code = {ir.Op.SYNC_COUNT: n,
                    ir.Op.SYNC_AND: f"({n} == _sum({m}.to(tl.int32), 0))",
                    ir.Op.SYNC_OR: f"({n} != 0)"}[op]
            return self.tmp(f"({code}).to({tl_type(e.type)})", False)
        if op is ir.Op.VOTE_ALL:
            code = f"_warp_all({pred} | ~{m}, NW, WL)"
        elif op is ir.Op.VOTE_ANY:
            code = f"_warp_any({pred} & {m}, NW, WL)"
        else:
            code = f"_warp_ballot({pred} & {m}, _lane, NW, WL)"
        if str(e.type) not in ("bool", "u32"):
            code = f"({code}).to({tl_type(e.type)})"
        return self.tmp(code, True)
