"""The numpy reference backend: the executable definition of what a kernel computes.

Every thread is a *lane*; lanes run in lock-step as numpy vectors, one vector for a batch of whole
blocks (lane = block_in_batch * T + tid, tid the linear thread id with x fastest). A kernel without
shared memory or barriers thus runs its whole grid as one vector, chunked only to bound memory;
other kernels run batches of blocks with one shared-memory instance per block.

Control flow is a lane mask. `if` runs both branches under complementary masks; loops run while
any lane is active; `break`, `continue` and `return` remove lanes from the mask of what follows
(until the end of the iteration, the loop, or the kernel). A statement that no lane reaches is
skipped, so a masked-off lane never loads, stores or divides. `&&`, `||` and `?:` evaluate their
lazy operand only under the lanes that need it. `__syncthreads` is free in lock-step; it checks
that every thread of a block that has not returned reaches it (else PORT5002).

Every operation goes through `portable.semantics` (the one table constant folding also uses).
Memory, pointers and atomics are in `reference_memory`, warp collectives and printf in
`reference_warp`. Arrays are worked on as copies and written back only after the whole launch
succeeded: an out-of-bounds access (PORT5001) or a runaway loop (PORT5003) leaves them untouched.

Deterministic choices where CUDA leaves the order open: atomics apply one lane after another in
lane order; racing stores keep the last lane's value; printf output is sorted by (linear block id,
thread id), program order within a thread; uninitialised locals and shared memory read as zero.

Cost is full width: every statement costs the batch's lanes, even when few are active (a loop runs
as long as its longest thread), and a compare-and-swap retry loop with every lane on one address
lets one lane through per iteration. The llvm backend is the fast one; this one is the definition.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

import numpy as np

from portable import ir, semantics
from portable.errors import PortError, error
from portable.launch import LaunchSpec, elem_dtype
from portable.types import BOOL, Array, Pointer, Scalar, Space, Struct, Type, Vector, sizeof

from .reference_memory import NULL, Buffer, Memory, Ptr, argument_buffers, global_buffer
from .reference_warp import Lanes, block_vote, format_c, shuffle, vote

NAME = "numpy"
DEVICE = "cpu"

MAX_ITERATIONS = 1 << 20  # per loop execution; option `max_iterations`
MAX_LANES = 1 << 17  # lanes per batch; option `max_lanes`
MAX_BATCH_BYTES = 1 << 28  # shared + local memory per batch
_ADDR_BITS = 40  # a pointer cast to an integer is (buffer id + 1) << 40 | byte offset


def available() -> None:
    """Always available: numpy is a core dependency."""
    return None


def compile(fn: ir.Function, options: dict) -> Callable[[LaunchSpec], None]:
    """A launcher that interprets `fn`. Options: `max_iterations`, `max_lanes`,
    `batch_blocks` (blocks per lock-step batch; 1 runs block by block) and `serial_atomics`
    (apply even unused-result atomics one lane at a time through `semantics.atomic_update`).
    `sanitize=True` runs the checking interpreter of `reference_sanitize` instead (races,
    uninitialised shared reads, out-of-bounds accesses, barriers, warp masks; PORT8xxx)."""
    if options.get("sanitize"):
        from .reference_sanitize import SanitizingProgram

        return SanitizingProgram(fn, dict(options)).launch
    return _Program(fn, dict(options)).launch


def _dtype(t: Type) -> np.dtype:
    if isinstance(t, (Scalar, Vector, Struct)):
        return elem_dtype(t)
    raise error("PORT6002", f"the numpy reference cannot hold a value of type {t} in memory")


def _address(p: Ptr) -> np.ndarray:
    """A pointer as an integer (for casts and %p): 0 for null, else (buffer id + 1, offset)."""
    bid = np.asarray(p.bid)
    return np.where(bid == NULL, 0, ((bid + 1) << _ADDR_BITS) + p.off).astype(np.int64)


def merge(m: np.ndarray, new, old):
    """`new` where the mask is set, `old` elsewhere (values, structs or pointers)."""
    if isinstance(new, Ptr):
        return Ptr(np.where(m, new.bid, old.bid), np.where(m, new.off, old.off))
    old = np.asarray(old)
    if old.dtype.fields:  # structured (vector/struct) values: np.where cannot select them
        out = np.array(np.broadcast_to(old, m.shape))
        out[m] = np.broadcast_to(np.asarray(new, old.dtype), m.shape)[m]
        return out
    return np.where(m, new, old).astype(old.dtype, copy=False)


def assign(dst, new, m: np.ndarray) -> None:
    """dst[m] = new[m], in place: `dst` is a variable's own array (or pair, for a pointer)."""
    if isinstance(dst, Ptr):
        np.copyto(dst.bid, new.bid, where=m)
        np.copyto(dst.off, new.off, where=m)
    else:
        np.copyto(dst, new, where=m, casting="unsafe")


class _Program:
    """What is known before a launch: the function, its arrays, the options."""

    def __init__(self, fn: ir.Function, options: dict) -> None:
        self.fn = fn
        self.max_iterations = int(options.get("max_iterations", MAX_ITERATIONS))
        self.max_lanes = int(options.get("max_lanes", MAX_LANES))
        self.batch_blocks = options.get("batch_blocks")
        self.serial_atomics = bool(options.get("serial_atomics", False))  # tests: no ufunc.at
        decls = [n.var for n in ir.walk(fn) if isinstance(n, ir.Decl)
                 and isinstance(n.var.type, Array)]
        self.local = [v for v in decls if v.type.space is not Space.SHARED]
        self.shared = list(fn.shared) + [v for v in decls if v.type.space is Space.SHARED]

    def launch(self, spec: LaunchSpec) -> None:
        fn, T = self.fn, spec.nthreads
        per_block = sum(sizeof(v.type) for v in self.shared) + spec.shared_mem \
            + T * sum(sizeof(v.type) for v in self.local)
        batch = self.batch_blocks or max(1, min(self.max_lanes // T,
                                               MAX_BATCH_BYTES // max(per_block, 1)))
        batch = max(1, min(int(batch), spec.nblocks))
        # Copies of every array the kernel can reach; the caller's arrays change only at the end.
        # They keep their buffer ids (their index in `owned`) in every batch.
        ptr_params = [(p.name, a) for p, a in zip(fn.params, spec.args, strict=True)
                      if isinstance(p.type, Pointer)]
        placed = argument_buffers([n for n, _ in ptr_params], [a for _, a in ptr_params])
        owned = list(dict.fromkeys(b for b, _ in placed))
        owned_ids = {id(b): i for i, b in enumerate(owned)}
        ptrs = {n: Ptr(owned_ids[id(b)], off)
                for (n, _), (b, off) in zip(ptr_params, placed, strict=True)}
        globals_ = {}
        for name, array in spec.globals.items():
            globals_[name] = len(owned)
            owned.append(global_buffer(name, array))
        prints: list[tuple[int, int, int, str]] = []
        try:
            with np.errstate(all="ignore"):  # C semantics: overflow and inf/NaN are values
                for first in range(0, spec.nblocks, batch):
                    n = min(batch, spec.nblocks - first)
                    self.batch_class(self, spec, first, n, owned, ptrs, globals_, prints).run()
            self.commit(owned)
        finally:
            if prints:
                prints.sort(key=lambda p: p[:3])
                sys.stdout.write("".join(p[3] for p in prints))
                sys.stdout.flush()


    def commit(self, owned: list[Buffer]) -> None:
        """Write the launch's results back to the caller's arrays."""
        for b in owned:
            if b.dirty and b.commit is not None:
                b.commit()


class _Batch:
    """Runs `n` blocks from linear block id `first` as one lock-step vector of lanes."""

    memory_class = Memory  # the sanitizer substitutes a checking subclass of each
    stmt_table: dict = {}  # set below

    def __init__(self, prog: _Program, spec: LaunchSpec, first: int, n: int,
                 owned: list[Buffer], ptrs: dict[str, Ptr], globals_: dict[str, int],
                 prints: list) -> None:
        self.prog, self.spec, self.first = prog, spec, first
        self.fn = prog.fn
        self.lanes = Lanes(n, spec.nthreads)
        L = self.L = self.lanes.n
        self.mem = self.memory_class(self.fn.name, L, self.lanes.blk, self.describe)
        self.mem.serial_atomics = prog.serial_atomics
        for b in owned:  # ids 0.. as the launch numbered them
            self.mem.add(b)
        self.params = {p.name: ptrs[p.name] if p.name in ptrs else a
                       for p, a in zip(self.fn.params, spec.args, strict=True)}
        self.globals = globals_
        self.arrays: dict[str, int] = {}  # array-typed locals and shared arrays -> buffer id
        for v in prog.shared:
            self.arrays[v.name] = self._new_array(v, "shared", n)
        for v in prog.local:
            self.arrays[v.name] = self._new_array(v, "local", L)
        if self.fn.dynamic_shared:  # every extern __shared__ view aliases one byte buffer
            dyn = self.mem.add(Buffer("extern __shared__", "shared", spec.shared_mem, n))
            for v in self.fn.dynamic_shared:
                self.arrays[v.name] = dyn
        self.vars: dict[str, object] = {}
        self.ret = np.zeros(L, bool)  # lanes that have returned
        self.loops: list[list[np.ndarray]] = []  # [break mask, continue mask] per open loop
        self.prints = prints
        self.specials: dict[tuple, np.ndarray] = {}

    def _new_array(self, v: ir.Var, space: str, instances: int) -> int:
        t = v.type
        return self.mem.add(Buffer(v.name, space, sizeof(t), instances, t.shape, _dtype(t.elem)))

    def describe(self, lane: int) -> str:
        g, b = self.spec.grid, self.spec.block
        bl, tid = self.first + lane // self.lanes.T, lane % self.lanes.T
        blk = (bl % g[0], bl // g[0] % g[1], bl // (g[0] * g[1]))
        thr = (tid % b[0], tid // b[0] % b[1], tid // (b[0] * b[1]))
        return f"block {blk} thread {thr}"

    def run(self) -> None:
        self.body(self.fn.body, np.ones(self.L, bool))

    # ---------------------------------------------------------------- statements

    def body(self, stmts: ir.Body, mask: np.ndarray) -> None:
        for s in stmts:
            live = mask & ~self.ret
            if self.loops:
                brk, cont = self.loops[-1]
                live &= ~(brk | cont)
            if not live.any():
                return
            method = self.stmt_table.get(type(s))
            if method is None:
                raise error("PORT6002", f"the numpy reference cannot run {type(s).__name__}",
                            s.loc)
            try:
                method(self, s, live)
            except (PortError, MemoryError):
                raise
            except Exception as e:  # a bug here, or IR no rule forbids: report where, not how
                raise error("PORT6002", f"the numpy reference failed on kernel "
                            f"{self.fn.name!r}: {type(e).__name__}: {e}", s.loc,
                            "this is a bug in portable; please report it with the kernel") from e

    def s_decl(self, s: ir.Decl, m: np.ndarray) -> None:
        t = s.var.type
        if isinstance(t, Array):  # storage is allocated per batch (and has no initialiser)
            return
        if s.var.name not in self.vars:  # each variable owns its arrays; values are copied in
            self.vars[s.var.name] = Ptr(np.full(self.L, NULL), np.zeros(self.L, np.int64)) \
                if isinstance(t, Pointer) else np.zeros(self.L, _dtype(t))
        if s.init is not None:
            assign(self.vars[s.var.name], self.ev(s.init, m), m)

    def s_assign(self, s: ir.Assign, m: np.ndarray) -> None:
        if s.var.name not in self.vars:
            raise error("PORT2003", f"assignment to undeclared variable {s.var.name!r}", s.loc)
        assign(self.vars[s.var.name], self.ev(s.value, m), m)

    def s_store(self, s: ir.Store, m: np.ndarray) -> None:
        ptr, dtype = self.address(s.base, s.index, m, s)
        self.mem.store(ptr, self.ev(s.value, m), dtype, m, s)

    def s_expr(self, s: ir.ExprStmt, m: np.ndarray) -> None:
        if isinstance(s.expr, ir.Atomic):
            self.atomic(s.expr, m, want_old=False)
        else:
            self.ev(s.expr, m)

    def s_if(self, s: ir.If, m: np.ndarray) -> None:
        c = np.asarray(self.ev(s.cond, m), bool)
        self.body(s.then, m & c)
        if s.orelse:
            self.body(s.orelse, m & ~c)

    def _loop(self, s: ir.Stmt, m: np.ndarray, cond, body, step, test_first: bool) -> None:
        """The one loop: `while any lane runs: [test] body step [test]`."""
        self.loops.append([np.zeros(self.L, bool), np.zeros(self.L, bool)])
        act = m.copy()
        for _ in range(self.prog.max_iterations):
            if test_first:
                act &= np.asarray(cond(act), bool)
            if not act.any():
                break
            self.body(body, act)
            brk, cont = self.loops[-1]
            act &= ~(self.ret | brk)  # continued lanes go on to the step and the test
            cont[:] = False
            if step is not None and act.any():
                step(act)
            if not test_first:
                act &= np.asarray(cond(act), bool)
        else:
            if act.any():
                raise error("PORT5003", f"kernel {self.fn.name!r}: a loop ran more than "
                            f"{self.prog.max_iterations} iterations (still running for "
                            f"{self.describe(int(np.argmax(act)))})", s.loc,
                            "check the loop condition, or pass max_iterations= to the launch")
        self.loops.pop()

    def s_while(self, s: ir.While, m: np.ndarray) -> None:
        self._loop(s, m, lambda a: self.ev(s.cond, a), s.body, None, True)

    def s_dowhile(self, s: ir.DoWhile, m: np.ndarray) -> None:
        self._loop(s, m, lambda a: self.ev(s.cond, a), s.body, None, False)

    def s_for(self, s: ir.For, m: np.ndarray) -> None:
        v = s.var
        self.s_decl(ir.Decl(v, s.start), m)

        def cond(a):
            return self._compare(s.cmp, self.vars[v.name], self.ev(s.stop, a), v.type)

        def step(a):
            new = self._binary(ir.Op.ADD, self.vars[v.name], self.ev(s.step, a), v.type,
                               s.step.type, v.type)
            assign(self.vars[v.name], new, a)

        self._loop(s, m, cond, s.body, step, True)

    def s_break(self, s: ir.Break, m: np.ndarray) -> None:
        self.loops[-1][0] |= m

    def s_continue(self, s: ir.Continue, m: np.ndarray) -> None:
        self.loops[-1][1] |= m

    def s_return(self, s: ir.Return, m: np.ndarray) -> None:
        self.ret |= m

    def s_barrier(self, s: ir.Barrier, m: np.ndarray) -> None:
        if s.mask is not None:
            self.ev(s.mask, m)
        if s.op is ir.Op.BARRIER_BLOCK:
            self.check_barrier(m, s, "__syncthreads()")
        # __syncwarp and fences order nothing in lock-step: every earlier statement is done

    def check_barrier(self, m: np.ndarray, node: ir.Node, what: str) -> None:
        """Every thread of a block that has not returned must reach a block barrier."""
        T = self.lanes.T
        reached = m.reshape(-1, T)
        missing = (~self.ret).reshape(-1, T) & ~reached
        bad = reached.any(1) & missing.any(1)
        if bad.any():
            b = int(np.argmax(bad))
            lane = b * T + int(np.argmax(missing[b]))
            raise error("PORT5002", f"kernel {self.fn.name!r}: {what} reached by "
                        f"{int(reached[b].sum())} of the {int((~self.ret).reshape(-1, T)[b].sum())}"
                        f" running threads of its block; {self.describe(lane)} did not reach it",
                        node.loc, "make the barrier unconditional, or its condition the same for "
                        "every thread of the block")

    def s_print(self, s: ir.Print, m: np.ndarray) -> None:
        args = [self.ev(a, m) for a in s.args]
        args = [np.asarray(_address(a) if isinstance(a, Ptr) else a) for a in args]
        T = self.lanes.T
        for lane in np.flatnonzero(m):
            vals = [a[lane] if a.ndim else a[()] for a in args]
            self.prints.append((self.first + lane // T, lane % T, len(self.prints),
                                format_c(s.fmt, vals)))

    # ---------------------------------------------------------------- expressions

    def ev(self, e: ir.Expr, m: np.ndarray):
        """The value of `e` for the lanes in `m` (other lanes hold unspecified values)."""
        method = _EXPR.get(type(e))
        if method is None:
            raise error("PORT6002", f"the numpy reference cannot evaluate {type(e).__name__}",
                        e.loc)
        return method(self, e, m)

    def e_const(self, e: ir.Const, m):
        if isinstance(e.type, Pointer):  # nullptr
            return Ptr(NULL, 0)
        return np.asarray(e.value).astype(e.type.dtype)[()]

    def e_var(self, e: ir.Var, m):
        if isinstance(e.type, Array):  # an array decays to a pointer to its first element
            return Ptr(self.arrays[e.name], 0)
        try:
            return self.vars[e.name]
        except KeyError:
            raise error("PORT2003", f"use of undeclared variable {e.name!r}", e.loc) from None

    def e_param(self, e: ir.Param, m):
        return self.params[e.name]

    def e_global(self, e: ir.Global, m):
        if isinstance(e.type, Array):
            return Ptr(self._global_id(e), 0)
        return self.mem.load(Ptr(self._global_id(e), 0), _dtype(e.type), m, e)

    def _global_id(self, e: ir.Global) -> int:
        if e.name not in self.globals:
            raise error("PORT4010", f"module global {e.name!r} has no storage in this launch",
                        e.loc, "launch the kernel through its Module")
        return self.globals[e.name]

    def e_special(self, e: ir.Special, m):
        key = (e.reg, e.dim, e.type)
        if key not in self.specials:
            self.specials[key] = np.asarray(self._special(e.reg, e.dim)).astype(e.type.dtype)
        return self.specials[key]

    def _special(self, reg: ir.Sreg, d: int):
        g, b, lanes = self.spec.grid, self.spec.block, self.lanes
        if reg is ir.Sreg.TID:
            return (lanes.tid // (1, b[0], b[0] * b[1])[d]) % b[d]
        if reg is ir.Sreg.CTAID:
            return ((self.first + lanes.blk) // (1, g[0], g[0] * g[1])[d]) % g[d]
        if reg is ir.Sreg.NTID:
            return b[d]
        if reg is ir.Sreg.NCTAID:
            return g[d]
        if reg is ir.Sreg.LANEID:
            return lanes.laneid
        return semantics.WARP_SIZE

    def e_unary(self, e: ir.Unary, m):
        v = self.ev(e.value, m)
        if isinstance(v, Ptr):  # !p
            return np.asarray(v.bid) == NULL
        if isinstance(e.type, Vector):
            return self._per_field(e.type, lambda f: semantics.unary(e.op, v[f], e.type.elem))
        return semantics.unary(e.op, v, e.value.type)

    def e_binary(self, e: ir.Binary, m):
        a = self.ev(e.lhs, m)
        if e.op in ir.LOGICAL:  # the right operand only where it decides the result
            a = np.asarray(a, bool)
            need = m & (a if e.op is ir.Op.LAND else ~a)
            b = self.ev(e.rhs, need) if need.any() else np.False_
            return semantics.binary(e.op, a, np.where(need, b, False), BOOL)
        return self._binary(e.op, a, self.ev(e.rhs, m), e.lhs.type, e.rhs.type, e.type)

    def _binary(self, op: ir.Op, a, b, ta: Type, tb: Type, t: Type):
        if isinstance(a, Ptr) and isinstance(b, Ptr) and op is ir.Op.SUB:  # p - q, in elements
            return np.asarray((np.asarray(a.off) - b.off) // sizeof(ta.elem)).astype(t.dtype)
        if isinstance(b, Ptr) and op is ir.Op.ADD:  # n + p
            a, b, ta, tb = b, a, tb, ta
        if isinstance(a, Ptr):  # p + n, p - n: C scales by the element size
            n = np.asarray(b).astype(np.int64) * sizeof(ta.elem)
            return Ptr(a.bid, a.off + n if op is ir.Op.ADD else a.off - n)
        if isinstance(t, Vector):  # vector arithmetic is per component
            return self._per_field(t, lambda f: semantics.binary(op, a[f], b[f], t.elem))
        return semantics.binary(op, a, b, t)

    def _per_field(self, t: Vector, f: Callable[[str], np.ndarray]) -> np.ndarray:
        dtype = _dtype(t)
        out = np.zeros(self.L, dtype)
        for name in dtype.names:
            out[name] = f(name)
        return out

    def e_compare(self, e: ir.Compare, m):
        return self._compare(e.op, self.ev(e.lhs, m), self.ev(e.rhs, m), e.lhs.type)

    def _compare(self, op: ir.Op, a, b, t: Type):
        if isinstance(a, Ptr) or isinstance(b, Ptr):
            a, b = self._ptr(a), self._ptr(b)
            if op in (ir.Op.EQ, ir.Op.NE):
                same = (np.asarray(a.bid) == b.bid) & (np.asarray(a.off) == b.off)
                return same if op is ir.Op.EQ else ~same
            return semantics.compare(op, np.asarray(a.off), np.asarray(b.off))
        return semantics.compare(op, a, b)

    @staticmethod
    def _ptr(v) -> Ptr:
        return v if isinstance(v, Ptr) else Ptr(NULL, 0)  # comparing with 0 is with null

    def e_select(self, e: ir.Select, m):
        c = np.asarray(self.ev(e.cond, m), bool)
        ma, mb = m & c, m & ~c
        a = self.ev(e.a, ma) if ma.any() else None
        b = self.ev(e.b, mb) if mb.any() else None
        if a is None or b is None:
            return a if b is None else b
        return merge(c, a, b)

    def e_cast(self, e: ir.Cast, m):
        v = self.ev(e.value, m)
        src, dst = e.value.type, e.type
        if isinstance(dst, Pointer):
            if isinstance(v, Ptr):  # reinterpret_cast: same bytes, new element type
                return v
            a = np.asarray(v).astype(np.int64)  # an integer address, or 0 for null
            return Ptr(np.where(a == 0, NULL, (a >> _ADDR_BITS) - 1),
                       np.where(a == 0, 0, a & ((1 << _ADDR_BITS) - 1)))
        if isinstance(v, Ptr):
            if dst == BOOL:
                return np.asarray(v.bid) != NULL
            return semantics.cast(_address(v), scalar_i64, dst)
        if src == dst:
            return v
        if not isinstance(dst, Scalar) or not isinstance(src, Scalar):
            raise error("PORT6002", f"cast from {src} to {dst} in the numpy reference", e.loc)
        return semantics.cast(v, src, dst)

    def address(self, base: ir.Expr, index: tuple[ir.Expr, ...], m: np.ndarray,
                node: ir.Node) -> tuple[Ptr, np.dtype]:
        """Where base[index...] is, and the dtype of what is there."""
        t = base.type
        what = {ir.Load: "load", ir.Store: "store", ir.Atomic: "atomic"}.get(type(node), "address")
        if isinstance(t, Array):
            if isinstance(base, ir.Global):
                bid, space = self._global_id(base), "global"
            elif isinstance(base, ir.Var) and base.name in self.arrays:
                bid, space = self.arrays[base.name], t.space.value
            else:
                raise error("PORT6002", f"indexing {type(base).__name__} of array type in the "
                            "numpy reference", node.loc)
            idx = [np.asarray(self.ev(i, m)).astype(np.int64) for i in index]
            if t.shape and idx:
                self.mem.check_dims(getattr(base, "name", "?"), t.shape[: len(idx)], idx, m,
                                    node, what, space)
            strides = [int(np.prod(t.shape[k + 1:], dtype=np.int64)) for k in range(len(idx))]
            flat = sum((i * s for i, s in zip(idx, strides, strict=True)), np.int64(0))
            return Ptr(bid, flat * sizeof(t.elem)), _dtype(t.elem)
        if isinstance(t, Pointer):
            p = self.ev(base, m)
            if not index:
                return p, _dtype(t.elem)
            i = np.asarray(self.ev(index[0], m)).astype(np.int64)
            return Ptr(p.bid, p.off + i * sizeof(t.elem)), _dtype(t.elem)
        if isinstance(base, ir.Global) and not index:  # a scalar __device__ variable
            return Ptr(self._global_id(base), 0), _dtype(t)
        raise error("PORT6002", f"memory access through a {t} in the numpy reference", node.loc)

    def e_load(self, e: ir.Load, m):
        ptr, dtype = self.address(e.base, e.index, m, e)
        return self.mem.load(ptr, dtype, m, e)

    def e_addrof(self, e: ir.AddrOf, m):
        return self.address(e.base, e.index, m, e)[0]

    def e_call(self, e: ir.Call, m):
        if e.fn not in semantics.INTRINSICS:
            raise error("PORT6002", f"call to {e.fn!r}, which is not an intrinsic (device "
                        "functions must be inlined before the numpy reference runs)", e.loc)
        args = [self.ev(a, m) for a in e.args]
        r = semantics.call(e.fn, args, e.args[0].type if e.args else e.type)
        return np.asarray(r).astype(e.type.dtype, copy=False)

    def atomic(self, e: ir.Atomic, m: np.ndarray, want_old: bool):
        ptr, _ = self.address(e.base, e.index, m, e)
        val = self.ev(e.value, m)
        cmp = self.ev(e.compare, m) if e.compare is not None else None
        return self.mem.atomic(e.op, ptr, val, cmp, e.type, m, e, want_old)

    def e_atomic(self, e: ir.Atomic, m):
        return self.atomic(e, m, want_old=True)

    def e_shuffle(self, e: ir.Shuffle, m):
        self.ev(e.mask, m)
        value, lane, width = self.ev(e.value, m), self.ev(e.lane, m), self.ev(e.width, m)
        return shuffle(e.op, self.lanes, value, lane, width)

    def e_vote(self, e: ir.Vote, m):
        mask = self.ev(e.mask, m) if e.mask is not None else None
        pred = self.ev(e.pred, m) if e.pred is not None else None
        if e.op in ir.BLOCK_VOTE:
            self.check_barrier(m, e, f"__{e.op.value}()")
            r = block_vote(e.op, self.lanes, m, pred)
        else:
            r = vote(e.op, self.lanes, m, mask, pred)
        return np.asarray(r).astype(e.type.dtype)

    def e_field(self, e: ir.Field, m):
        return np.ascontiguousarray(np.asarray(self.ev(e.value, m))[e.name])

    def e_pack(self, e: ir.Pack, m):
        dtype = _dtype(e.type)
        vals = [self.ev(v, m) for v in e.values]
        out = np.zeros(self.L, dtype)
        for name, v in zip(dtype.names, vals, strict=True):
            out[name] = v
        return out


scalar_i64 = Scalar("int", 64)

_STMT = {
    ir.Decl: _Batch.s_decl, ir.Assign: _Batch.s_assign, ir.Store: _Batch.s_store,
    ir.ExprStmt: _Batch.s_expr, ir.If: _Batch.s_if, ir.For: _Batch.s_for,
    ir.While: _Batch.s_while, ir.DoWhile: _Batch.s_dowhile, ir.Break: _Batch.s_break,
    ir.Continue: _Batch.s_continue, ir.Return: _Batch.s_return, ir.Barrier: _Batch.s_barrier,
    ir.Print: _Batch.s_print,
}
_Batch.stmt_table = _STMT
_Program.batch_class = _Batch
_EXPR = {
    ir.Const: _Batch.e_const, ir.Var: _Batch.e_var, ir.Param: _Batch.e_param,
    ir.Global: _Batch.e_global, ir.Special: _Batch.e_special, ir.Unary: _Batch.e_unary,
    ir.Binary: _Batch.e_binary, ir.Compare: _Batch.e_compare, ir.Select: _Batch.e_select,
    ir.Cast: _Batch.e_cast, ir.Load: _Batch.e_load, ir.AddrOf: _Batch.e_addrof,
    ir.Call: _Batch.e_call, ir.Atomic: _Batch.e_atomic, ir.Shuffle: _Batch.e_shuffle,
    ir.Vote: _Batch.e_vote, ir.Field: _Batch.e_field, ir.Pack: _Batch.e_pack,
}
