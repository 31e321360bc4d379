"""The worker's scratch buffer: its layout (shared arrays, per-thread arrays of values live
across barriers, per-thread flags, dynamic shared memory), addresses into it, and alias scopes
that tell LLVM its objects never overlap. A mixin of `codegen.Codegen`."""

from __future__ import annotations

from llvmlite import ir as L

from portable import ir
from portable.errors import error
from portable.types import Array

from .exprs import I1, I8, I64T, P
from .plan import Collective


def _align(n: int, a: int) -> int:
    return (n + a - 1) // a * a


class Scratch:
    """Scratch layout and addressing (needs b, fn, plan, nmax, scratch, tid_lin, alloca)."""

    def layout(self) -> None:
        plan, fn = self.plan, self.fn
        off = 0
        self.spill: dict[str, tuple[int, int, int | None]] = {}  # name -> (off, stride, soa esize)
        based = {}
        for n in ir.walk(fn):
            if isinstance(n, (ir.Load, ir.Store, ir.Atomic)) and isinstance(n.base, ir.Var):
                based[n.base.name] = based.get(n.base.name, 0) + 1
        uses = {}
        for n in ir.walk(fn):
            if isinstance(n, ir.Var):
                uses[n.name] = uses.get(n.name, 0) + 1
        decls = {s.var.name for s in ir.walk(fn) if isinstance(s, ir.Decl)}
        for name in sorted(plan.spilled):
            t = plan.local_vars[name]
            if isinstance(t, Array):
                esize = self.sizeof(t.elem)
                soa = uses.get(name, 0) - (1 if name in decls else 0) <= based.get(name, 0)
                size = self.sizeof(t)
                off = _align(off, 64)
                if soa:  # element k of thread t at [k][t]: consecutive threads, vector loads
                    self.spill[name] = (off, 0, esize)
                else:
                    self.spill[name] = (off, _align(size, 16), None)
                off += size * self.nmax if soa else _align(size, 16) * self.nmax
            else:
                size = self.slot_ty(t).get_abi_size(self.target_data)
                off = _align(off, 64)
                self.spill[name] = (off, size, None)
                off += size * self.nmax
        self.flag_off: dict[str, int] = {}
        flags = list(plan.flags) + (["__exited"] if plan.exited else [])
        if any(isinstance(n, Collective) for n in ir.walk(fn)):
            flags += ["__wact", "__wbits"]
        for f in flags:
            off = _align(off, 64)
            self.flag_off[f] = off
            off += self.nmax * (4 if f in ("__wact", "__wbits") else 1)
        self.shared_off: dict[str, int] = {}
        for v in fn.shared:
            off = _align(off, 64)
            self.shared_off[v.name] = off
            self.arrays.append(v.name)
            off += self.sizeof(v.type)
        self.dyn_off = _align(off, 64)
        for v in fn.dynamic_shared:
            self.shared_off[v.name] = self.dyn_off
            self.arrays.append(v.name)
        self.fixed_scratch = self.dyn_off

    def scratch_name(self, name: str) -> str:
        """Dynamic shared arrays all start at the same offset: one scratch object."""
        return "dynamic shared" if self.shared_off.get(name) == self.dyn_off and any(
            v.name == name for v in self.fn.dynamic_shared) else name

    def scratch_at(self, off, obj: str | None = None) -> L.Value:
        """Address `off` bytes into this worker's scratch; `obj` names the scratch object it
        lies in (a shared array, a per-thread array, a flag array), see `scratch_scopes`."""
        if isinstance(off, int):
            off = L.Constant(I64T, off)
        g = self.b.gep(self.scratch, [off], source_etype=I8)
        if obj is not None:
            self.scratch_obj[id(g)] = obj
        return g

    def access_groups(self) -> None:
        """Thread loops are parallel: between two barriers CUDA orders no thread's memory
        accesses against another's (a program where that matters has a data race). So loads
        and stores of shared memory, per-thread arrays, flags and pointer parameters inside
        thread loops join one access group that every innermost thread loop declares
        `llvm.loop.parallel_accesses`, and the vectoriser needs no runtime alias checks (say,
        for a double-buffered scan reading buf[pin] and writing buf[pout]). Not included:
        local arrays (one stack slot shared by consecutive threads), atomics, and the per-warp
        vote words that consecutive threads update together."""
        if self.group is None:
            return
        for bb in self.func.blocks:
            if id(bb) not in self.thread_blocks:
                continue
            for ins in bb.instructions:
                if ins.opname not in ("load", "store") or id(ins) in self.ordered:
                    continue
                ptr = ins.operands[0 if ins.opname == "load" else 1]
                o = self.scratch_obj.get(id(ptr))
                if o is not None and o not in ("__wact", "__wbits"):
                    ins.set_metadata("llvm.access.group", self.group)

    def scratch_scopes(self) -> None:
        """Alias scopes for the scratch buffer: the layout gives every shared array, per-thread
        array and flag array its own bytes (dynamic shared arrays share theirs), so a load or
        store addressed directly from one of them cannot touch another. Without this LLVM sees
        one buffer indexed by thread and keeps, e.g., an accumulator in memory across a loop
        that reads a shared tile."""
        objs = sorted(set(self.scratch_obj.values()))  # ("params": all pointer parameters)
        if len(objs) < 2:
            return
        m = self.module
        dom = L.values.MDValue(m, [], name=str(len(m.metadata)))
        dom.operands = (dom, L.MetaDataString(m, self.fn.name + ".scratch"))
        scopes = {}
        for o in objs:
            sc = L.values.MDValue(m, [], name=str(len(m.metadata)))
            sc.operands = (sc, dom, L.MetaDataString(m, o))
            scopes[o] = sc

        def node(ops: list):  # (self-referential nodes cannot go through add_metadata's cache)
            md = L.values.MDValue(m, [], name=str(len(m.metadata)))
            md.operands = tuple(ops)
            return md

        own = {o: node([scopes[o]]) for o in objs}
        others = {o: node([scopes[x] for x in objs if x != o]) for o in objs}
        for bb in self.func.blocks:
            for ins in bb.instructions:
                if ins.opname == "load":
                    ptr = ins.operands[0]
                elif ins.opname == "store":
                    ptr = ins.operands[1]
                else:
                    continue
                o = self.scratch_obj.get(id(ptr))
                if o is not None:
                    ins.set_metadata("alias.scope", own[o])
                    ins.set_metadata("noalias", others[o])

    def var_ptr(self, v: ir.Var, tid: L.Value | None = None) -> L.Value:
        name = v.name
        if name in self.shared_off:
            return self.scratch_at(self.shared_off[name], self.scratch_name(name))
        if name in self.spill:
            off, stride, soa = self.spill[name]
            if soa is not None:
                return self.scratch_at(off, name)
            tid = tid if tid is not None else self.tid_lin()
            b = self.b
            return self.scratch_at(b.add(L.Constant(I64T, off),
                                         b.mul(tid, L.Constant(I64T, stride), flags=["nuw", "nsw"]),
                                         flags=["nuw", "nsw"]), name)
        return self.alloca(name, self.plan.local_vars.get(name, v.type))

    def array_bytes(self, v: ir.Var) -> L.Value:
        if v.name in self.shared_off and not v.type.shape:
            return self.dyn_size
        return L.Constant(I64T, self.sizeof(v.type))

    def array_elem(self, base: ir.Expr, flat: L.Value) -> P:
        b = self.b
        if isinstance(base, ir.Global):
            p = self.global_ptr(base)
            return P(b.gep(p.addr, [flat], source_etype=self.mem_ty(base.type.elem)),
                     p.lo, p.hi, p.aid)
        if not isinstance(base, ir.Var):
            raise error("PORT6002", "llvm backend: indexing an array-valued expression",
                        base.loc, "index the array variable itself")
        et = self.mem_ty(base.type.elem)
        spill = self.spill.get(base.name)
        if spill and spill[2] is not None:  # structure-of-arrays per-thread array
            off, _, esize = spill
            idx = b.add(b.mul(flat, L.Constant(I64T, self.nmax)), self.tid_lin())
            addr = self.scratch_at(b.add(L.Constant(I64T, off),
                                         b.mul(idx, L.Constant(I64T, esize))), base.name)
            return P(addr, *self.range_of(addr, addr, 0, base.name))
        start = self.var_ptr(base)
        addr = b.gep(start, [flat], source_etype=et)
        if id(start) in self.scratch_obj:
            self.scratch_obj[id(addr)] = self.scratch_obj[id(start)]
        return P(addr, *self.range_of(start, None, self.array_bytes(base), base.name))

    def flag_ptr(self, name: str, tid=None) -> L.Value:
        tid = tid if tid is not None else self.tid_lin()
        return self.scratch_at(self.b.add(L.Constant(I64T, self.flag_off[name]), tid,
                                          flags=["nuw", "nsw"]), name)

    def set_flag(self, name: str, value: int) -> None:
        self.b.store(L.Constant(I8, value), self.flag_ptr(name))

    def guard_ok(self, guards: list) -> L.Value:
        ok = L.Constant(I1, 1)
        for name, want in guards:
            v = self.b.load(self.flag_ptr(name), typ=I8)
            ok = self.b.and_(ok, self.b.icmp_unsigned("==", v, L.Constant(I8, want)))
        return ok
