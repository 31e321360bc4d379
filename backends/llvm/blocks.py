"""Block-level structure: uniform branches and loops, the SIMT fallback (per-thread flags),
interchanged thread-strided loops, jumps and warp/block vote reductions. A mixin of
`codegen.Codegen`, which supplies thread loops, flags, storage and expressions."""

from __future__ import annotations

from llvmlite import ir as L

from portable import ir
from portable.ir import Op
from portable.types import BOOL, I32, Scalar

from .exprs import I1, I8, I32T, I64T
from .plan import WARP, Collective, _escapes

_U32 = Scalar("uint", 32)
UNROLL = 4  # iterations of a strided loop per fast thread loop
UNROLL_MAX_NODES = 80  # IR nodes of a body worth copying that often (compile time)


def _size(stmts: list) -> int:
    return sum(1 for _ in ir.walk(tuple(stmts)))


class _Subst(ir.Transformer):
    """Replaces one variable by an expression and renames others."""

    def __init__(self, name: str, value: ir.Expr, rename: dict[str, str]) -> None:
        self.name, self.value, self.rename = name, value, rename

    def visit_Var(self, v: ir.Var):
        if v.name == self.name:
            return self.value
        new = self.rename.get(v.name)
        return v if new is None else ir.Var(new, v.type, loc=v.loc)


class BlockLevel:
    """Emitters for `plan.Node` kinds (`node_<kind>`)."""

    def node_sync(self, it, guards) -> None:
        pass  # the split between two thread loops is the barrier

    def node_def(self, it, guards) -> None:
        s = it.stmt
        value = s.init if isinstance(s, ir.Decl) else s.value
        if value is not None:
            self.assign(s.var, value)

    def assign(self, var: ir.Var, value: ir.Expr) -> None:
        v = self.ex(value)
        self.b.store(self.to_slot(v, var.type), self.var_ptr(var))

    def node_if(self, it, guards) -> None:
        b, s = self.b, it.stmt
        then_bb = self.func.append_basic_block("bif.then")
        else_bb = self.func.append_basic_block("bif.else")
        end = self.func.append_basic_block("bif.end")
        if it.uniform:
            b.cbranch(self.truth(self.ex(s.cond), s.cond.type), then_bb, else_bb)
            tg = eg = guards
        else:
            flag = it.flag
            any_t, any_e = self.alloca_raw(flag + "t", I1), self.alloca_raw(flag + "e", I1)
            b.store(L.Constant(I1, 0), any_t)
            b.store(L.Constant(I1, 0), any_e)

            def cond() -> None:
                act = self.guard_ok(guards + self.base_guards())
                go, skip, join = (b.append_basic_block(n) for n in ("sif.a", "sif.n", "sif.j"))
                b.cbranch(act, go, skip)
                b.position_at_end(skip)
                self.set_flag(flag, 0)
                b.branch(join)
                b.position_at_end(go)
                c = self.truth(self.ex(s.cond), s.cond.type)
                b.store(b.select(c, L.Constant(I8, 1), L.Constant(I8, 2)), self.flag_ptr(flag))
                b.store(b.or_(b.load(any_t, typ=I1), c), any_t)
                b.store(b.or_(b.load(any_e, typ=I1), b.not_(c)), any_e)
                b.branch(join)
                b.position_at_end(join)

            self.thread_loop([], cond)
            mid = self.func.append_basic_block("sif.else?")
            b.cbranch(b.load(any_t, typ=I1), then_bb, mid)
            b.position_at_end(mid)
            b.cbranch(b.load(any_e, typ=I1), else_bb, end)
            tg, eg = guards + [(flag, 1)], guards + [(flag, 2)]
        b.position_at_end(then_bb)
        self.items(it.body, tg)
        if not b.block.is_terminated:
            if it.uniform:
                b.branch(end)
            else:
                b.cbranch(b.load(self.allocas[it.flag + "e"], typ=I1), else_bb, end)
        b.position_at_end(else_bb)
        self.items(it.orelse, eg)
        if not b.block.is_terminated:
            b.branch(end)
        b.position_at_end(end)

    def node_loop(self, it, guards) -> None:
        if it.uniform:
            self.uniform_loop(it, guards)
        else:
            self.simt_loop(it, guards)

    def uniform_loop(self, it, guards) -> None:
        b, s, f = self.b, it.stmt, self.func
        head, body, latch, exit_ = (f.append_basic_block(n) for n in
                                    ("bl.head", "bl.body", "bl.latch", "bl.exit"))
        self.loopinfo[id(it)] = {"exit": exit_, "latch": latch}
        if isinstance(s, ir.For):
            self.assign(s.var, s.start)
        b.branch(body if isinstance(s, ir.DoWhile) else head)
        b.position_at_end(head)
        if isinstance(s, ir.For):
            c = self.cmp(s.cmp, self.ex(s.var), self.ex(s.stop), s.var.type)
        else:
            c = self.truth(self.ex(s.cond), s.cond.type)
        b.cbranch(c, body, exit_)
        b.position_at_end(body)
        self.items(it.body, guards)
        if not b.block.is_terminated:
            b.branch(latch)
        b.position_at_end(latch)
        if isinstance(s, ir.For):
            self.assign(s.var, ir.Binary(Op.ADD, s.var, s.step, s.var.type))
        b.branch(head)
        b.position_at_end(exit_)

    def simt_loop(self, it, guards) -> None:
        """The always-correct path: SIMT execution with per-thread 'left' / 'continued' flags."""
        b, s, f = self.b, it.stmt, self.func
        brk, cont = it.flag, it.flag + "c"
        anyv = self.alloca_raw(brk + "any", I1)
        head, body, latch, exit_ = (f.append_basic_block(n) for n in
                                    ("sl.head", "sl.body", "sl.latch", "sl.exit"))
        self.loopinfo[id(it)] = {"exit": exit_, "latch": latch}
        outer = guards + self.base_guards()

        def init() -> None:
            act = self.guard_ok(outer)
            b.store(b.select(act, L.Constant(I8, 0), L.Constant(I8, 1)), self.flag_ptr(brk))
            if isinstance(s, ir.For):
                go, join = b.append_basic_block("sl.i"), b.append_basic_block("sl.ij")
                b.cbranch(act, go, join)
                b.position_at_end(go)
                self.assign(s.var, s.start)
                b.branch(join)
                b.position_at_end(join)

        def test(reset_cont: bool):
            def run() -> None:
                if reset_cont:
                    self.set_flag(cont, 0)
                live = b.icmp_unsigned("==", b.load(self.flag_ptr(brk), typ=I8),
                                       L.Constant(I8, 0))
                go, join = b.append_basic_block("sl.t"), b.append_basic_block("sl.tj")
                b.cbranch(live, go, join)
                b.position_at_end(go)
                if isinstance(s, ir.For):
                    c = self.cmp(s.cmp, self.ex(s.var), self.ex(s.stop), s.var.type)
                else:
                    c = self.truth(self.ex(s.cond), s.cond.type)
                b.store(b.select(c, L.Constant(I8, 0), L.Constant(I8, 1)), self.flag_ptr(brk))
                b.store(b.or_(b.load(anyv, typ=I1), c), anyv)
                b.branch(join)
                b.position_at_end(join)
            return run

        self.thread_loop([], init)
        self.simt.append(it)
        if isinstance(s, ir.DoWhile):
            b.branch(body)
        else:
            b.branch(head)
            b.position_at_end(head)
            b.store(L.Constant(I1, 0), anyv)
            self.thread_loop([], test(True))
            b.cbranch(b.load(anyv, typ=I1), body, exit_)
        b.position_at_end(body)
        if isinstance(s, ir.DoWhile):
            self.thread_loop([], lambda: self.set_flag(cont, 0))
        self.items(it.body, [(brk, 0), (cont, 0)])
        if not b.block.is_terminated:
            b.branch(latch)
        b.position_at_end(latch)
        if isinstance(s, ir.For):
            self.thread_loop([(brk, 0)], lambda: self.assign(
                s.var, ir.Binary(Op.ADD, s.var, s.step, s.var.type)))
            b.branch(head)
        elif isinstance(s, ir.DoWhile):
            b.store(L.Constant(I1, 0), anyv)
            self.thread_loop([], test(False))
            b.cbranch(b.load(anyv, typ=I1), body, exit_)
        else:
            b.branch(head)
        self.simt.pop()
        b.position_at_end(exit_)

    def node_strided(self, it, guards) -> None:
        """An interchanged thread-strided for loop (see plan._Planner.interchangeable).

        Iteration k runs `var = start + k * step` for every thread still in the loop; per-thread
        flags record which threads have left. While every thread of the block is still in the
        loop (decided per k by a pre-pass), a fast copy runs the body unmasked and without the
        flags (fastpath.FastPaths.versioned)."""
        b, s, f = self.b, it.stmt, self.func
        k = ir.Var(it.kvar, s.var.type)
        g = guards + self.base_guards()
        stmts = it.body[0].stmts
        self.b.store(L.Constant(self.slot_ty(k.type), 0), self.var_ptr(k))
        self.thread_loop(g, lambda: self.set_flag(it.flag, 0))
        anyv = self.alloca_raw(it.flag + "any", I1)
        fast = not g and self.pure(s.stop) and self.pure(s.step) and not _escapes(stmts)
        if fast:
            fastv = self.alloca_raw(it.flag + "fast", I1)
            b.store(L.Constant(I1, 1), fastv)
        kty = self.slot_ty(k.type)
        # (not for bodies with calls: libm-bound loops gain nothing, and cost compile time)
        unroll = UNROLL if fast and _size(stmts) <= UNROLL_MAX_NODES and not any(
            isinstance(n, ir.Call) for n in ir.walk(tuple(stmts))) else 1
        kinc = self.alloca_raw(it.flag + "kinc", kty)
        kstep = ir.Var(it.flag + "kinc", k.type)
        self.plan.local_vars[kstep.name] = k.type
        self.allocas[kstep.name] = kinc
        if unroll > 1:
            unrv = self.alloca_raw(it.flag + "unr", I1)
            b.store(L.Constant(I1, 1), unrv)
        head, latch = f.append_basic_block("st.head"), f.append_basic_block("st.latch")
        exit_ = f.append_basic_block("st.exit")
        b.branch(head)
        b.position_at_end(head)
        b.store(L.Constant(I1, 0), anyv)
        b.store(L.Constant(kty, 1), kinc)

        def body() -> None:
            c = self.cmp(s.cmp, self.ex(s.var), self.ex(s.stop), s.var.type)
            go, fin = b.append_basic_block("st.go"), b.append_basic_block("st.fin")
            b.cbranch(c, go, fin)
            b.position_at_end(fin)
            self.set_flag(it.flag, 1)
            b.branch(self.next_thread)
            b.position_at_end(go)
            b.store(L.Constant(I1, 1), anyv)
            brk = b.append_basic_block("st.break")  # break: this thread is done
            self.tloops.append((brk, self.next_thread))  # continue: its next iteration
            self.tbody(stmts)
            self.tloops.pop()
            if not b.block.is_terminated:
                b.branch(self.next_thread)
            b.position_at_end(brk)
            self.set_flag(it.flag, 1)
            b.branch(self.next_thread)

        def general() -> None:
            self.thread_loop(g + [(it.flag, 0)], body)

        if fast:
            fast_bb, slow_bb = f.append_basic_block("st.fast"), f.append_basic_block("st.slow")
            b.cbranch(b.load(fastv, typ=I1), fast_bb, slow_bb)
            b.position_at_end(fast_bb)
            b.store(L.Constant(I1, 1), anyv)

            def leave_fast() -> None:
                b.store(L.Constant(I1, 0), fastv)
                b.store(L.Constant(I1, 0), anyv)
                b.branch(slow_bb)  # the general loop, emitted once below
                b.position_at_end(f.append_basic_block("dead"))

            # every thread has left (decided in O(1) when monotone): no pass over the threads
            done = self.monotone_extremes(ir.Compare(s.cmp, s.var, s.stop, loc=s.loc))
            if done is not None:
                more = f.append_basic_block("st.more")
                b.store(b.not_(done[1]), anyv)
                b.cbranch(done[1], latch, more)
                b.position_at_end(more)

            def single() -> None:
                # (after an unrolled run only the last few iterations come here: one copy)
                self.versioned(stmts, ir.Compare(s.cmp, s.var, s.stop, loc=s.loc), leave_fast,
                               guards=unroll == 1)

            if unroll > 1:
                # UNROLL iterations per thread in one thread loop while every thread is in for
                # all of them: more independent memory streams in flight per pass
                u_bb, one_bb = f.append_basic_block("st.unr"), f.append_basic_block("st.one")
                b.cbranch(b.load(unrv, typ=I1), u_bb, one_bb)
                b.position_at_end(u_bb)
                b.store(L.Constant(kty, unroll), kinc)

                def fallback() -> None:
                    b.store(L.Constant(kty, 1), kinc)
                    b.store(L.Constant(I1, 0), unrv)
                    b.branch(one_bb)
                    b.position_at_end(f.append_basic_block("dead"))

                self.versioned(*self.unrolled(s, k, stmts, unroll), fallback, mixed=False)
                b.branch(latch)
                b.position_at_end(one_bb)
            single()
            b.branch(latch)
            b.position_at_end(slow_bb)
        cold, self.cold = self.cold, fast
        general()  # behind fast paths: only ragged last iterations (see loop_id)
        self.cold = cold
        b.branch(latch)
        b.position_at_end(latch)
        self.assign(k, ir.Binary(Op.ADD, k, kstep, k.type))
        b.cbranch(b.load(anyv, typ=I1), head, exit_)
        b.position_at_end(exit_)

    def unrolled(self, s: ir.For, k: ir.Var, stmts: list, n: int) -> tuple[list, ir.Expr]:
        """`n` copies of a strided loop's body for iterations k .. k+n-1 (the loop variable
        replaced by its value, the body's own variables renamed per copy), and the condition
        that every one of them runs."""
        t = s.var.type
        out: list = []
        cond = None
        for u in range(n):
            ku = ir.Binary(Op.ADD, k, ir.const(u, t), t) if u else k
            iv = ir.Binary(Op.ADD, s.start, ir.Binary(Op.MUL, ku, s.step, t), t)
            local = {n.var.name for n in ir.walk(tuple(stmts))
                     if isinstance(n, (ir.Decl, ir.For))}
            out += _Subst(s.var.name, iv, {v: f"{v}__u{u}" for v in local}).body(tuple(stmts))
            c = ir.Compare(s.cmp, iv, s.stop, loc=s.loc)
            cond = c if cond is None else ir.Binary(Op.LAND, cond, c, BOOL)
        return out, cond

    def node_jump(self, it, guards) -> None:
        b, s = self.b, it.stmt
        if isinstance(s, ir.Return):
            if it.uniform:
                b.branch(self.next_block)
            else:
                self.thread_loop(guards + self.base_guards(), self.thread_return)
            return
        info = self.loopinfo[id(it.target)]
        if it.target.uniform:
            b.branch(info["exit"] if isinstance(s, ir.Break) else info["latch"])
            return
        flag = it.target.flag + ("" if isinstance(s, ir.Break) else "c")
        self.thread_loop(guards + self.base_guards(), lambda: self.set_flag(flag, 1))

    def thread_return(self) -> None:
        if self.plan.exited:
            self.set_flag("__exited", 1)
        for lp in self.simt:
            self.set_flag(lp.flag, 1)
        self.b.branch(self.next_thread)

    def node_collective(self, it, guards) -> None:
        s: Collective = it.stmt
        b = self.b
        g = guards + self.base_guards()
        if s.op in (Op.SYNC_COUNT, Op.SYNC_AND, Op.SYNC_OR):
            acc = self.alloca_raw("__bvote", I32T)
            b.store(L.Constant(I32T, 0), acc)

            def count() -> None:
                p = self.truth(self.ex(s.pred), s.pred.type)
                b.store(b.add(b.load(acc, typ=I32T), b.zext(p, I32T)), acc)

            self.thread_loop(g, count)
            nact = self.alloca_raw("__bvote_n", I32T)
            b.store(L.Constant(I32T, 0), nact)
            self.thread_loop(g, lambda: b.store(b.add(b.load(nact, typ=I32T),
                                                      L.Constant(I32T, 1)), nact))
            n, c = b.load(nact, typ=I32T), b.load(acc, typ=I32T)
            r = {Op.SYNC_COUNT: c,
                 Op.SYNC_AND: b.zext(b.icmp_unsigned("==", c, n), I32T),
                 Op.SYNC_OR: b.zext(b.icmp_unsigned("!=", c, L.Constant(I32T, 0)), I32T)}[s.op]
            self.thread_loop(g, lambda: b.store(self.to_slot(
                self.convert(r, I32, s.dst.type), s.dst.type), self.var_ptr(s.dst)))
            return
        wact, wbits = "__wact", "__wbits"

        def wptr(name):
            w = b.lshr(self.tid_lin(), L.Constant(I64T, 5))
            addr = b.add(L.Constant(I64T, self.flag_off[name]),
                         b.mul(w, L.Constant(I64T, 4)))
            return self.scratch_at(addr, name)

        def zero() -> None:
            b.store(L.Constant(I32T, 0), wptr(wact))
            b.store(L.Constant(I32T, 0), wptr(wbits))

        def gather() -> None:
            # wact: lanes that vote (active, and named in their own mask); wbits: voters whose
            # predicate holds. ACTIVEMASK counts every active lane.
            lane = b.trunc(b.and_(self.tid_lin(), L.Constant(I64T, WARP - 1)), I32T)
            bit = b.shl(L.Constant(I32T, 1), lane)
            if s.mask is not None and s.op is not Op.ACTIVEMASK:
                m = self.convert(self.ex(s.mask), s.mask.type, _U32)
                bit = b.and_(bit, m)
            pa = wptr(wact)
            b.store(b.or_(b.load(pa, typ=I32T), bit), pa)
            if s.pred is not None:
                p = self.truth(self.ex(s.pred), s.pred.type)
                pb = wptr(wbits)
                b.store(b.or_(b.load(pb, typ=I32T), b.select(p, bit, L.Constant(I32T, 0))), pb)

        def result() -> None:
            voters = b.load(wptr(wact), typ=I32T)
            bits = b.load(wptr(wbits), typ=I32T)
            if s.op in (Op.ACTIVEMASK, Op.VOTE_BALLOT):
                r = voters if s.op is Op.ACTIVEMASK else bits
            elif s.op is Op.VOTE_ANY:
                r = b.zext(b.icmp_unsigned("!=", bits, L.Constant(I32T, 0)), I32T)
            else:  # VOTE_ALL: no voter says false
                r = b.zext(b.icmp_unsigned("==", bits, voters), I32T)
            b.store(self.to_slot(self.convert(r, _U32, s.dst.type), s.dst.type),
                    self.var_ptr(s.dst))

        self.thread_loop([], zero)
        self.thread_loop(g, gather)
        self.thread_loop(g, result)

