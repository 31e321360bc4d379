"""LLVM IR for one kernel: the function shell, the block scheduler, thread loops and the
block-level structure of `plan.Plan`.

The native function is

    void kernel(ptr argv, ptr lens, ptr scratch, ptr counter, ptr err,
                i64 gx, i64 gy, i64 gz, i64 chunk, i64 dyn_shared, i64 bx, i64 by, i64 bz)

Every worker thread calls it with its own `scratch` (shared memory and the per-thread arrays of
values live across barriers); it claims blocks from the shared `counter` (a compare-and-swap),
max(chunk & 0xFFFFFFFF, remaining / (chunk >> 32)) at a time (guided self-scheduling), so
blocks spread over all cores dynamically. With checks on, the first
out-of-bounds access writes `err` and makes every worker stop.
"""

from __future__ import annotations

from llvmlite import ir as L

from portable import ir
from portable.errors import error
from portable.ir import Op, Sreg
from portable.types import Array, Pointer, Scalar, Space, Type

from .blocks import BlockLevel
from .exprs import FAT, I1, I8, I32T, I64T, PTR, ExprEmitter, P, _sconst
from .fastpath import FastPaths
from .indexing import Indexing
from .intrinsics import Intrinsics
from .plan import WARP, Plan, Region
from .scratch import Scratch

ERR_FIELDS = 12  # flag, array id, index, block xyz, thread xyz, site, kind, spare
MAX_THREADS = 1024


class Codegen(Scratch, BlockLevel, FastPaths, Indexing, Intrinsics, ExprEmitter):
    """Builds the LLVM module of one kernel for one block shape (or any, when block is None)."""

    def __init__(self, fn: ir.Function, plan: Plan, block: tuple[int, int, int] | None,
                 checks: bool, contract: bool, target_data, narrow: bool = True) -> None:
        self.fn, self.plan, self.block = fn, plan, block
        self.narrow = narrow  # gridDim.d * blockDim.d <= 2**31 (indexing.py)
        self.checks, self.contract, self.target_data = checks, contract, target_data
        self.nmax = block[0] * block[1] * block[2] if block else MAX_THREADS
        self.module = L.Module(name=fn.name)
        self.globals_order = sorted({n.name for n in ir.walk(fn) if isinstance(n, ir.Global)})
        self.slot_names = [p.name for p in fn.params] + self.globals_order
        self.arrays: list[str] = list(self.slot_names)
        self.sites: list[tuple[str, int, str]] = []
        self.allocas: dict[str, L.Value] = {}
        self.tctx = None
        self.simt: list = []  # enclosing SIMT loop nodes
        self.loopinfo: dict[int, dict] = {}
        self.tloops: list[tuple[L.Block, L.Block]] = []  # thread-level (break, continue)
        self.known: dict[int, bool] = {}  # guard outcomes of the current fast copy
        self.cold = False  # emitting a general copy behind fast ones (see loop_id)
        self.scratch_obj: dict[int, str] = {}  # id(address) -> scratch object (scratch_scopes)
        self.thread_blocks: set[int] = set()  # ids of basic blocks inside thread loops
        self.group = None  # the access group of thread-loop memory accesses (access_groups)
        self.ordered: set[int] = set()  # ids of loads/stores kept out of it (shared atomics)
        self.copies = 0
        self.layout()

    # ------------------------------------------------------------ function shell
    def emit(self) -> L.Module:
        # The exported shell loads the pointer parameters and calls the always-inlined body,
        # whose `noalias` arguments (the kernel's __restrict__ pointers) LLVM turns into
        # scoped alias metadata when inlining: vector loops without runtime alias checks.
        ptrs = [i for i, p in enumerate(self.fn.params) if isinstance(p.type, Pointer)]
        shell_ty = [PTR] * 5 + [I64T] * 8
        shell = L.Function(self.module, L.FunctionType(L.VoidType(), shell_ty), name=self.fn.name)
        f = L.Function(self.module, L.FunctionType(L.VoidType(), shell_ty + [PTR] * len(ptrs)),
                       name=self.fn.name + ".body")
        f.linkage = "internal"
        f.attributes.add("alwaysinline")
        sb = L.IRBuilder(shell.append_basic_block("entry"))
        loaded = [sb.load(sb.gep(shell.args[0], [L.Constant(I64T, i)], source_etype=PTR), typ=PTR)
                  for i in ptrs]
        sb.call(f, [*shell.args, *loaded])
        sb.ret_void()
        self.func = f
        (argv, lens, scratch, counter, err, gx, gy, gz, chunk, dyn, bx, by, bz) = f.args[:13]
        self.ptr_args = dict(zip(ptrs, f.args[13:], strict=False))
        for i, a in self.ptr_args.items():
            if self.fn.params[i].type.restrict:
                a.add_attribute("noalias")
        for a in (argv, lens, scratch):
            a.add_attribute("noalias")
        self.scratch, self.err, self.dyn_size = scratch, err, dyn
        ab = f.append_basic_block("allocas")
        entry = f.append_basic_block("entry")
        self.b = L.IRBuilder(ab)
        self.alloca_jump = self.b.branch(entry)
        self.b.position_at_end(entry)
        b = self.b
        self.bdim = [L.Constant(I64T, n) for n in self.block] if self.block else [bx, by, bz]
        self.gdim = [gx, gy, gz]
        # parameters and globals: argv holds data pointers (arrays) or pointers to values
        self.params: dict[str, object] = {}
        self.gptrs: dict[str, P] = {}
        for i, name in enumerate(self.slot_names):
            slot = self.ptr_args.get(i) if not self.checks else None
            if slot is None:
                slot = b.load(b.gep(argv, [L.Constant(I64T, i)], source_etype=PTR), typ=PTR)
            p = self.fn.params[i] if i < len(self.fn.params) else None
            ptr = self.bounded(slot, lens, i)
            if p is None:
                self.gptrs[name] = ptr
            elif isinstance(p.type, Pointer):
                self.params[name] = ptr
            else:
                self.params[name] = self.from_mem(b.load(slot, typ=self.mem_ty(p.type)), p.type)
        nblocks = b.mul(b.mul(gx, gy), gz)
        # guided self-scheduling: claim max(least, remaining / share) blocks at a time, so
        # the last claims are small and a worker the OS delays holds up little work
        least = b.and_(chunk, L.Constant(I64T, 0xFFFFFFFF))
        share = b.lshr(chunk, L.Constant(I64T, 32))
        fetch = f.append_basic_block("fetch")
        b.branch(fetch)
        b.position_at_end(fetch)
        seen = b.load_atomic(counter, "monotonic", 8, typ=I64T)
        claim = f.append_basic_block("claim")
        b.branch(claim)
        b.position_at_end(claim)
        start = b.phi(I64T)
        start.add_incoming(seen, fetch)
        done = f.append_basic_block("done")
        run = f.append_basic_block("run")
        take = f.append_basic_block("take")
        b.cbranch(b.icmp_unsigned(">=", start, nblocks), done, take)
        b.position_at_end(done)
        b.ret_void()
        b.position_at_end(take)
        n = b.udiv(b.sub(nblocks, start), share)
        n = b.select(b.icmp_unsigned("<", n, least), least, n)
        end = b.add(start, n)
        end = b.select(b.icmp_unsigned("<", end, nblocks), end, nblocks)
        got = b.cmpxchg(counter, start, end, "monotonic", "monotonic")
        start.add_incoming(b.extract_value(got, 0), take)
        b.cbranch(b.extract_value(got, 1), run, claim)
        b.position_at_end(run)
        blk = f.append_basic_block("block")
        b.branch(blk)
        b.position_at_end(blk)
        bid = b.phi(I64T)
        bid.add_incoming(start, run)
        self.next_block = f.append_basic_block("next_block")
        if self.checks:
            ok = f.append_basic_block("no_error")
            b.cbranch(b.icmp_unsigned("!=", b.load(err, typ=I64T), L.Constant(I64T, 0)), done, ok)
            b.position_at_end(ok)
        x = b.urem(bid, gx)
        rest = b.udiv(bid, gx)
        self.bid = [x, b.urem(rest, gy), b.udiv(rest, gy)]
        self.bid32 = [b.trunc(v, I32T) for v in self.bid]
        if self.plan.exited:
            self.thread_loop([], lambda: self.set_flag("__exited", 0))
        self.items(self.plan.body, [])
        if not b.block.is_terminated:
            b.branch(self.next_block)
        b.position_at_end(self.next_block)
        nxt = b.add(bid, L.Constant(I64T, 1))
        bid.add_incoming(nxt, self.next_block)
        b.cbranch(b.icmp_unsigned("<", nxt, end), blk, fetch)
        self.scratch_scopes()
        self.access_groups()
        return self.module

    def bounded(self, addr: L.Value, lens: L.Value, i: int) -> P:
        if not self.checks:
            return P(addr)
        b = self.b
        n = b.load(b.gep(lens, [L.Constant(I64T, i)], source_etype=I64T), typ=I64T)
        return P(addr, addr, b.gep(addr, [n], source_etype=I8), L.Constant(I32T, i))

    # ------------------------------------------------------------ storage hooks
    def alloca(self, name: str, t: Type) -> L.Value:
        if name not in self.allocas:
            b = L.IRBuilder(self.alloca_jump.parent)
            b.position_before(self.alloca_jump)
            ty = self.mem_ty(t) if isinstance(t, Array) else self.slot_ty(t)
            # llvmlite types alloca pointers; GEPs need the opaque `ptr` everything else uses
            a = b.alloca(ty, name=name)
            a.type = PTR
            self.allocas[name] = a
        return self.allocas[name]

    def alloca_raw(self, name: str, ty: L.Type) -> L.Value:
        if name not in self.allocas:
            b = L.IRBuilder(self.alloca_jump.parent)
            b.position_before(self.alloca_jump)
            a = b.alloca(ty, name=name)
            a.type = PTR
            self.allocas[name] = a
        return self.allocas[name]

    def range_of(self, start, _unused, nbytes, name):
        if not self.checks:
            return None, None, None
        if isinstance(nbytes, int):
            nbytes = L.Constant(I64T, nbytes)
        hi = self.b.gep(start, [nbytes], source_etype=I8)
        return start, hi, L.Constant(I32T, self.array_id(name))

    def array_ptr(self, v: ir.Var) -> P:
        return self.array_elem(v, L.Constant(I64T, 0))

    def array_id(self, name: str) -> int:
        if name not in self.arrays:
            self.arrays.append(name)
        return self.arrays.index(name)

    def param_value(self, p: ir.Param):
        return self.params[p.name]

    def global_ptr(self, g: ir.Global) -> P:
        return self.gptrs[g.name]

    def special(self, reg: Sreg, dim: int) -> L.Value:
        b = self.b
        if reg is Sreg.TID or reg is Sreg.LANEID:
            if self.tctx is None:
                raise error("PORT6002", "llvm backend: thread index outside a thread loop")
            if reg is Sreg.LANEID:
                return b.trunc(b.and_(self.tid_lin(), L.Constant(I64T, WARP - 1)), I32T)
            return self.tctx[1][dim]
        if reg is Sreg.NTID:
            return b.trunc(self.bdim[dim], I32T)
        if reg is Sreg.CTAID:
            return self.bid32[dim]
        if reg is Sreg.NCTAID:
            return b.trunc(self.gdim[dim], I32T)
        return L.Constant(I32T, WARP)

    def tid_lin(self) -> L.Value:
        if self.tctx is None:
            raise error("PORT6002", "llvm backend: thread index outside a thread loop")
        return self.tctx[0]

    def nthreads_value(self) -> L.Value:
        b = self.b
        return b.mul(b.mul(self.bdim[0], self.bdim[1]), self.bdim[2])

    def record_error(self, aid, name: str, index, loc, kind: int) -> None:
        b = self.b
        site = len(self.sites)
        self.sites.append((str(loc) if loc is not None else "", kind, name))
        if aid is None:
            aid = L.Constant(I32T, self.array_id(name))
        won = b.extract_value(b.cmpxchg(self.err, L.Constant(I64T, 0), L.Constant(I64T, 1),
                                        "monotonic", "monotonic"), 1)
        fill = b.append_basic_block("oob.fill")
        out = b.append_basic_block("oob.ret")
        b.cbranch(won, fill, out)
        b.position_at_end(fill)
        vals = [b.sext(aid, I64T), index, *self.bid]
        if self.tctx is not None:
            vals += [b.zext(v, I64T) for v in self.tctx[1]]
        else:
            vals += [L.Constant(I64T, -1)] * 3
        vals += [L.Constant(I64T, site), L.Constant(I64T, kind)]
        for i, v in enumerate(vals, start=1):
            b.store(v, b.gep(self.err, [L.Constant(I64T, i)], source_etype=I64T))
        b.branch(out)
        b.position_at_end(out)
        b.ret_void()

    def base_guards(self) -> list:
        return [("__exited", 0)] if self.plan.exited else []

    # ------------------------------------------------------------ thread loops
    def thread_loop(self, guards: list, body, xrange=None) -> None:
        """A loop over the block's threads running `body`; `xrange` = (lo, hi) limits
        threadIdx.x to [lo, hi) (i64 values; the loop runs no thread when lo >= hi)."""
        b = self.b
        zero = L.Constant(I64T, 0)
        idx = [zero, zero, zero]
        loops = []
        skip = None
        if xrange is not None:
            skip = b.append_basic_block("trange.skip")
            go = b.append_basic_block("trange")
            b.cbranch(b.icmp_unsigned("<", xrange[0], xrange[1]), go, skip)
            b.position_at_end(go)
        first = len(self.func.blocks)
        for d in (2, 1, 0):
            ext = self.bdim[d] if d or xrange is None else xrange[1]
            if isinstance(ext, L.Constant) and ext.constant == 1 and (d or xrange is None):
                continue
            pre = b.block
            head = b.append_basic_block(f"tloop{'xyz'[d]}")
            b.branch(head)
            b.position_at_end(head)
            phi = b.phi(I64T)
            phi.add_incoming(zero if d or xrange is None else xrange[0], pre)
            idx[d] = phi
            loops.append((d, ext, phi, head))
        tid = b.add(b.mul(b.add(b.mul(idx[2], self.bdim[1], flags=["nuw", "nsw"]), idx[1],
                                flags=["nuw", "nsw"]), self.bdim[0], flags=["nuw", "nsw"]),
                    idx[0], flags=["nuw", "nsw"])
        saved = (self.tctx, self.next_thread if hasattr(self, "next_thread") else None)
        self.tctx = (tid, [b.trunc(v, I32T) for v in idx], idx)
        latch = b.append_basic_block("tnext")
        self.next_thread = latch
        if guards:
            go = b.append_basic_block("tbody")
            b.cbranch(self.guard_ok(guards), go, latch)
            b.position_at_end(go)
        body()
        if not b.block.is_terminated:
            b.branch(latch)
        b.position_at_end(latch)
        for n, (d, ext, phi, head) in enumerate(reversed(loops)):
            nxt = b.add(phi, L.Constant(I64T, 1), flags=["nuw", "nsw"])
            out = b.append_basic_block(f"tdone{'xyz'[d]}")
            br = b.cbranch(b.icmp_unsigned("<", nxt, ext), head, out)
            props = []
            if n == 0 and isinstance(ext, L.Constant) and ext.constant <= 64:
                props.append("llvm.loop.unroll.disable")
            if self.cold:
                props = ["llvm.loop.unroll.disable", "llvm.loop.vectorize.enable"]
            if n == 0:
                props.append("llvm.loop.parallel_accesses")
            br.set_metadata("llvm.loop", self.loop_id(tuple(props)))
            phi.add_incoming(nxt, b.block)
            b.position_at_end(out)
        self.thread_blocks.update(id(bb) for bb in self.func.blocks[first:])
        if skip is not None:
            b.branch(skip)
            b.position_at_end(skip)
        self.tctx, self.next_thread = saved

    def loop_id(self, props: tuple):
        """Loop metadata. A short innermost thread loop gets no unrolling, since a constant
        8-64 thread extent would otherwise be unrolled fully before the loop vectoriser runs,
        which would then pick the outer thread loop, with gathers and scatters (longer loops
        keep LLVM's unrolling: it pays on scalar bodies such as libm calls). A cold loop (the
        general copy behind fast copies, run only by blocks that straddle a bound) is neither
        unrolled nor vectorised: it would only cost compile time."""
        m = self.module
        ops = []
        for p in props:
            if p == "llvm.loop.vectorize.enable":
                ops.append(m.add_metadata([L.MetaDataString(m, p), L.Constant(I1, 0)]))
            elif p == "llvm.loop.parallel_accesses":
                if self.group is None:
                    self.group = _Distinct(m, [], name=str(len(m.metadata)))
                ops.append(_node(m, [L.MetaDataString(m, p), self.group]))
            else:
                ops.append(m.add_metadata([L.MetaDataString(m, p)]))
        md = L.values.MDValue(m, [], name=str(len(m.metadata)))
        md.operands = (md, *ops)
        return md

    # ------------------------------------------------------------ block-level structure
    def items(self, items: list, guards: list) -> None:
        for it in items:
            if self.b.block.is_terminated:
                self.b.position_at_end(self.func.append_basic_block("dead"))
            if isinstance(it, Region):
                self.region_loop(it.stmts, guards + self.base_guards())
            else:
                getattr(self, "node_" + it.kind)(it, guards)

    # ------------------------------------------------------------ thread code
    def tbody(self, stmts) -> None:
        for s in stmts:
            if self.b.block.is_terminated:
                self.b.position_at_end(self.func.append_basic_block("dead"))
            self.tstmt(s)

    def tstmt(self, s: ir.Stmt) -> None:
        b, f = self.b, self.func
        match s:
            case ir.Decl(var, init):
                if var.name in self.plan.remat:
                    pass  # recomputed at every use
                elif init is not None:
                    self.assign(var, init)
                elif isinstance(var.type, Scalar) and var.name not in self.spill:
                    ptr = self.var_ptr(var)
                    b.store(L.Constant(self.slot_ty(var.type), L.Undefined), ptr)
            case ir.Assign(var, value):
                self.assign(var, value)
            case ir.Store():
                self.store(s)
            case ir.ExprStmt(e):
                self.ex(e)
            case ir.If(cond, then, orelse) if id(cond) in self.known:
                self.tbody(then if self.known[id(cond)] else orelse)
            case ir.If(cond, then, orelse):
                c = self.truth(self.ex(cond), cond.type)
                t_bb, e_bb, end = (f.append_basic_block(n) for n in ("if.then", "if.else",
                                                                      "if.end"))
                b.cbranch(c, t_bb, e_bb if orelse else end)
                b.position_at_end(t_bb)
                self.tbody(then)
                if not b.block.is_terminated:
                    b.branch(end)
                b.position_at_end(e_bb)
                if orelse:
                    self.tbody(orelse)
                if not b.block.is_terminated:
                    b.branch(end)
                b.position_at_end(end)
            case ir.For(var, start, stop, step, body, cmp):
                head, bb, latch, out = (f.append_basic_block(n) for n in
                                        ("for.head", "for.body", "for.latch", "for.end"))
                self.assign(var, start)
                b.branch(head)
                b.position_at_end(head)
                b.cbranch(self.cmp(cmp, self.ex(var), self.ex(stop), var.type), bb, out)
                self.loop_body(bb, body, out, latch)
                b.position_at_end(latch)
                self.assign(var, ir.Binary(Op.ADD, var, step, var.type))
                b.branch(head)
                b.position_at_end(out)
            case ir.While(cond, body):
                head, bb, out = (f.append_basic_block(n) for n in ("wh.head", "wh.body",
                                                                    "wh.end"))
                b.branch(head)
                b.position_at_end(head)
                b.cbranch(self.truth(self.ex(cond), cond.type), bb, out)
                self.loop_body(bb, body, out, head)
                b.position_at_end(out)
            case ir.DoWhile(body, cond):
                bb, test, out = (f.append_basic_block(n) for n in ("do.body", "do.test",
                                                                    "do.end"))
                b.branch(bb)
                self.loop_body(bb, body, out, test)
                b.position_at_end(test)
                b.cbranch(self.truth(self.ex(cond), cond.type), bb, out)
                b.position_at_end(out)
            case ir.Break():
                b.branch(self.tloops[-1][0])
            case ir.Continue():
                b.branch(self.tloops[-1][1])
            case ir.Return():
                self.thread_return()
            case ir.Barrier(op):
                if op in (Op.FENCE_DEVICE, Op.FENCE_SYSTEM):
                    b.fence("seq_cst")
                elif op is not Op.FENCE_BLOCK:
                    raise error("PORT6002", "llvm backend: barrier inside thread code", s.loc)
            case ir.Print(fmt, args):
                self.printf(fmt, args)
            case _:
                raise error("PORT6002", f"llvm backend: unsupported statement "
                            f"{type(s).__name__}", s.loc)

    def loop_body(self, bb, body, brk, cont) -> None:
        b = self.b
        b.position_at_end(bb)
        self.tloops.append((brk, cont))
        self.tbody(body)
        self.tloops.pop()
        if not b.block.is_terminated:
            b.branch(cont)

    def printf(self, fmt: str, args) -> None:
        b = self.b
        data = bytearray(fmt.encode()) + b"\0"
        name = f"fmt{len(self.module.globals)}"
        g = L.GlobalVariable(self.module, L.ArrayType(I8, len(data)), name)
        g.initializer = L.Constant(L.ArrayType(I8, len(data)), data)
        g.global_constant = True
        vals = [g]
        for a in args:
            v = self.ex(a)
            t = a.type
            if isinstance(v, P):
                v = v.addr
            elif isinstance(t, Scalar) and t.is_float:
                v = b.fpext(v, L.DoubleType()) if t.bits < 64 else v
            elif isinstance(t, Scalar) and t.bits < 32:
                v = (b.sext if t.is_signed else b.zext)(v, I32T)
            vals.append(v)
        fn = self.module.globals.get("printf") or L.Function(
            self.module, L.FunctionType(I32T, [PTR], var_arg=True), "printf")
        b.call(fn, vals)


class _Distinct(L.values.MDValue):
    """`distinct !{}`: an access group (llvmlite writes no distinct tuples)."""

    def descr(self, buf):
        buf += ("distinct !{}", "\n")

    def __hash__(self):
        return id(self)

    def __eq__(self, other):
        return self is other


def _node(m: L.Module, ops: list):
    """A metadata tuple outside add_metadata's cache (whose hashing recurses into operands)."""
    md = L.values.MDValue(m, [], name=str(len(m.metadata)))
    md.operands = tuple(ops)
    return md


_B = Scalar("bool", 8)
_U32 = Scalar("uint", 32)
__all__ = ["Codegen", "ERR_FIELDS", "FAT", "_sconst", "Space"]
