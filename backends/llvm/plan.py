"""Planning: how a kernel's structured IR becomes work-item loops (the MCUDA / PoCL technique).

Three steps, all IR-level and independent of LLVM:

1. `legalize` (legalize.py) hoists warp shuffles and votes out of expressions into statements
   around a split point, so that every synchronisation is a statement.
2. `plan` classifies statements. A control statement that contains a split point (barrier, shuffle,
   vote) or a `break`/`continue` aimed at such a loop is *block-level*: it runs once per block, with
   thread loops inside it. Everything else is *thread code*, grouped into maximal runs (regions)
   that become one loop over the block's threads each. Block-level control whose condition is the
   same for every thread (*uniform*: it depends only on parameters, blockIdx, blockDim, gridDim,
   constants and uniform variables) is a plain branch or loop; otherwise the slower always-correct
   path runs it SIMT-style with per-thread flags (which threads took the branch, left the loop,
   continued).
3. Variables referenced in more than one region live in per-thread arrays ("spilled"); uniform
   variables defined only at block level are block scalars; the rest stay registers.

The uniformity check here is local (a greatest fixpoint over variables whose every definition is
block-level and uniform, with the same sources of divergence as portable/analysis/uniformity.py,
which has already rejected barriers under divergent control before a kernel gets here); it never
needs to be right about divergence to be correct, only to be fast.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from portable import ir
from portable.ir import Op, Sreg
from portable.semantics import INTRINSICS
from portable.types import Array, Pointer, Scalar, Space, Type

from .legalize import LANE_TYPE, WARP, Collective, ShflRead, legalize

__all__ = ["LANE_TYPE", "WARP", "Collective", "ShflRead", "legalize", "plan", "Plan", "Region",
           "Node"]

# ---------------------------------------------------------------- 2. the block-level plan


def is_split(s: ir.Stmt) -> bool:
    return isinstance(s, Collective) or (isinstance(s, ir.Barrier) and s.op in ir.BARRIER)


def contains_split(s: ir.Node) -> bool:
    return any(isinstance(n, ir.Stmt) and is_split(n) for n in ir.walk(s))


def _escapes(body: ir.Body) -> bool:
    """Does `body` hold a break/continue aimed at a loop enclosing it?"""
    for s in body:
        match s:
            case ir.Break() | ir.Continue():
                return True
            case ir.If(_, then, orelse):
                if _escapes(then) or _escapes(orelse):
                    return True
    return False


LOOPS = (ir.For, ir.While, ir.DoWhile)


@dataclass
class Region:
    """A run of thread code: one loop over the block's threads."""

    stmts: list
    id: int


@dataclass
class Node:
    """A block-level statement. kind: def, if, loop, jump, sync, collective, tcond."""

    kind: str
    stmt: ir.Stmt
    uniform: bool = True
    body: list = field(default_factory=list)
    orelse: list = field(default_factory=list)
    regions: dict = field(default_factory=dict)  # role -> region id for per-thread evaluations
    target: Node | None = None  # jump: the loop it leaves
    loops: tuple = ()  # jump return: the SIMT loops it leaves
    flag: str = ""
    kvar: str = ""  # strided: the block-level iteration counter


@dataclass
class Plan:
    fn: ir.Function
    body: list  # of Region | Node
    block_vars: set[str]
    spilled: set[str]
    local_vars: dict[str, Type]  # every variable's type
    exited: bool  # some thread may return while others go on past a split point
    flags: list[str]  # per-thread byte flags (SIMT ifs and loops)
    nregions: int
    has_split: bool
    remat: dict[str, ir.Expr] = field(default_factory=dict)  # recomputed, never stored


def _evaluable(e: ir.Expr, uni: set[str]) -> bool:
    """Can `e` be computed once per block (no thread index, no memory read, no effect)?"""
    match e:
        case ir.Const() | ir.Param():
            return True
        case ir.Global():
            return isinstance(e.type, Array)
        case ir.Special():
            return e.reg not in (Sreg.TID, Sreg.LANEID)
        case ir.Var():
            return e.name in uni or (isinstance(e.type, Array) and e.type.space == Space.SHARED)
        case ir.Unary() | ir.Binary() | ir.Compare() | ir.Select() | ir.Cast() | ir.Field() \
                | ir.Pack() | ir.AddrOf():
            return all(_evaluable(c, uni) for c in ir.children(e) if isinstance(c, ir.Expr))
        case ir.Call():
            return e.fn in INTRINSICS and all(_evaluable(a, uni) for a in e.args)
        case ir.Load():
            # a load at a block-uniform address, as analysis/uniformity.py treats it (other
            # threads' writes are ordered before it only by a barrier, which ends a region)
            b = e.base.type
            return (isinstance(b, Pointer) or (isinstance(b, Array) and b.space != Space.LOCAL)) \
                and all(_evaluable(c, uni) for c in (e.base, *e.index))
    return False


class _Planner:
    def __init__(self, fn: ir.Function) -> None:
        self.fn = fn
        self.types: dict[str, Type] = {}
        for n in ir.walk(fn):
            if isinstance(n, ir.Var):
                self.types.setdefault(n.name, n.type)
        for v in fn.shared + fn.dynamic_shared:
            self.types[v.name] = v.type
        self.forced: set[str] = set()  # must be per-thread arrays (read across lanes)
        for n in ir.walk(fn):
            if isinstance(n, ShflRead):
                self.forced.add(n.src.name)
            elif isinstance(n, Collective):
                self.forced |= {v.name for v in (n.pred, n.mask, n.dst) if v is not None}
        self.nreg = 0

    # -- block-level classification (needs no uniformity) --
    def blevel(self, s: ir.Stmt, loop_is_block: bool) -> bool:
        if not isinstance(s, (ir.If, *LOOPS)):
            return False
        if contains_split(s):
            return True
        return isinstance(s, ir.If) and loop_is_block and (_escapes(s.then) or _escapes(s.orelse))

    # -- uniformity: collect definition sites, then a greatest fixpoint --
    def collect(self, body: ir.Body, ctx: tuple, block_pos: bool, loop_is_block: bool,
                sites: list, breaks: dict, loop_stack: tuple) -> None:
        for s in body:
            bl = block_pos and self.blevel(s, loop_is_block)
            match s:
                case ir.Decl(var, init):
                    self.decl_depth[var.name] = len(ctx)
                    sites.append((var.name, [init] if init is not None else [], block_pos, ctx))
                case ir.Assign(var, value):
                    sites.append((var.name, [value], block_pos, ctx))
                case ir.Break() | ir.Continue():
                    if loop_stack and block_pos:
                        loop, ifs = loop_stack[-1]
                        breaks.setdefault(id(loop), []).append(ifs)
                    elif loop_stack:
                        breaks.setdefault(id(loop_stack[-1][0]), []).append(None)
                case ir.If(cond, then, orelse):
                    c2 = ctx + (s,) if bl else ctx
                    ls = loop_stack
                    if loop_stack:
                        loop, ifs = loop_stack[-1]
                        ls = loop_stack[:-1] + ((loop, ifs + (cond,)),)
                    for b in (then, orelse):
                        self.collect(b, c2, bl, loop_is_block, sites, breaks, ls)
                case ir.For(var, start, _, step, fbody):
                    c2 = ctx + (s,) if bl else ctx
                    self.decl_depth[var.name] = len(ctx)
                    sites.append((var.name, [start, step], bl, c2))
                    self.collect(fbody, c2, bl, bl, sites, breaks, loop_stack + ((s, ()),))
                case ir.While(_, wbody) | ir.DoWhile(wbody, _):
                    c2 = ctx + (s,) if bl else ctx
                    self.collect(wbody, c2, bl, bl, sites, breaks, loop_stack + ((s, ()),))

    def uniform_ctrl(self, s: ir.Stmt, uni: set[str], breaks: dict) -> bool:
        match s:
            case ir.If(cond):
                return _evaluable(cond, uni)
            case ir.For(_, start, stop, step):
                ok = all(_evaluable(x, uni) for x in (start, stop, step))
            case ir.While(cond) | ir.DoWhile(_, cond):
                ok = _evaluable(cond, uni)
            case _:
                return False
        for ifs in breaks.get(id(s), []):
            if ifs is None or not all(_evaluable(c, uni) for c in ifs):
                return False
        return ok

    def uniformity(self) -> tuple[set[str], dict]:
        # Only constructs inside a variable's scope matter: a thread that skips one of them can
        # never read the variable afterwards (C scoping), so a uniform variable may live in a
        # divergent branch and still be a block scalar there.
        self.decl_depth: dict[str, int] = {}
        sites: list = []
        breaks: dict = {}
        self.collect(self.fn.body, (), True, False, sites, breaks, ())
        uni = {name for name, t in self.types.items()
               if isinstance(t, (Scalar, Pointer)) and name not in self.forced}
        for name, _, block_pos, _ in sites:
            if not block_pos:
                uni.discard(name)
        changed = True
        while changed:
            changed = False
            for name, values, _, ctx in sites:
                inner = ctx[self.decl_depth.get(name, 0):]
                if name in uni and not (all(_evaluable(v, uni) for v in values) and all(
                        self.uniform_ctrl(c, uni, breaks) for c in inner)):
                    uni.discard(name)
                    changed = True
        self.breaks = breaks
        return uni, breaks

    # -- building the block-level tree --
    def region(self, stmts: list) -> Region:
        self.nreg += 1
        return Region(stmts, self.nreg - 1)

    def build(self, body: ir.Body, uniform_ctx: bool, loop_is_block: bool,
              loops: list) -> list:
        out: list = []
        run: list = []

        def flush() -> None:
            if run:
                out.append(self.region(list(run)))
                run.clear()

        for s in body:
            if isinstance(s, (ir.Decl, ir.Assign)) and s.var.name in self.uni:
                # A uniform definition runs once per block; hoist it above the pending thread
                # code unless that code reads the variable (then the region must end here).
                # A load must also see this thread's own earlier stores.
                value = s.init if isinstance(s, ir.Decl) else s.value
                name = s.var.name
                if any(isinstance(n, ir.Var) and n.name == name for n in ir.walk(tuple(run))) \
                        or (value is not None and any(isinstance(n, ir.Load)
                                                      for n in ir.walk(value))):
                    flush()
                out.append(Node("def", s))
            elif is_split(s):
                flush()
                out.append(Node("collective" if isinstance(s, Collective) else "sync", s))
            elif isinstance(s, (ir.Break, ir.Continue)) and loop_is_block:
                flush()
                target = loops[-1]
                out.append(Node("jump", s, uniform=target.uniform, target=target))
            elif isinstance(s, ir.Return) and (self.has_split and (
                    uniform_ctx or any(not lp.uniform for lp in loops))):
                flush()
                simt = tuple(lp for lp in loops if not lp.uniform)
                out.append(Node("jump", s, uniform=uniform_ctx, loops=simt))
            elif uniform_ctx and self.has_split and isinstance(s, ir.If) and not s.orelse \
                    and len(s.then) == 1 and isinstance(s.then[0], ir.Return) \
                    and _evaluable(s.cond, self.uni):
                # `if (blockIdx.x >= n) return;`: the whole block leaves, so no thread needs
                # an exit flag and later thread loops stay unguarded
                flush()
                node = Node("if", s, uniform=True)
                node.body = self.build(s.then, True, loop_is_block, loops)
                out.append(node)
            elif self.blevel(s, loop_is_block):
                flush()
                uniform = self.uniform_ctrl(s, self.uni, self.breaks) and (
                    not isinstance(s, ir.For) or s.var.name in self.uni)
                node = Node("if" if isinstance(s, ir.If) else "loop", s, uniform=uniform)
                if not uniform:
                    node.flag = f"__flag{len(self.flags)}"
                    self.flags.append(node.flag)
                    if isinstance(s, ir.If):
                        node.regions["cond"] = self.region([]).id
                    else:
                        node.regions.update(init=self.region([]).id, cond=self.region([]).id,
                                            step=self.region([]).id)
                        self.flags.append(node.flag + "c")
                inner_uni = uniform_ctx and uniform
                if uniform and isinstance(s, ir.For):
                    self.block_for_vars.add(s.var.name)
                if isinstance(s, ir.If):
                    node.body = self.build(s.then, inner_uni, loop_is_block, loops)
                    node.orelse = self.build(s.orelse, inner_uni, loop_is_block, loops)
                else:
                    node.body = self.build(s.body, inner_uni, True, loops + [node])
                out.append(node)
            elif isinstance(s, ir.For) and self.interchangeable(s):
                # for (j = f(thread); j < uniform; j += uniform): iterate k at block level with
                # the thread loop inside and j = start + k*step, so consecutive threads touch
                # consecutive elements (the loop vectorises) instead of one thread striding.
                flush()
                node = Node("strided", s, flag=f"__flag{len(self.flags)}",
                            kvar=f"__k{len(self.flags)}")
                self.flags.append(node.flag)
                self.types[node.kvar] = s.var.type
                self.uni.add(node.kvar)
                k = ir.Var(node.kvar, s.var.type)
                self.remat[s.var.name] = ir.Binary(
                    Op.ADD, s.start, ir.Binary(Op.MUL, k, s.step, s.var.type), s.var.type)
                node.body = [self.region(list(s.body))]
                out.append(node)
            else:
                run.append(s)
        flush()
        return out

    def interchangeable(self, s: ir.For) -> bool:
        # Also without barriers: threads are independent, so any order of their iterations
        # is one CUDA allows, and the interchanged loop vectorises across threads.
        t = s.var.type
        if not (isinstance(t, Scalar) and t.is_int):
            return False
        if not (_evaluable(s.stop, self.uni) and _evaluable(s.step, self.uni)):
            return False
        if _evaluable(s.start, self.uni):  # every thread runs the same iterations: leave it
            return False
        if any(isinstance(n, ir.Var) and n.name not in self.remat and n.name not in self.stable
               for n in ir.walk(s.start)) or not self.pure_thread(s.start):
            return False
        if any(isinstance(n, ir.Return) for n in ir.walk(s.body)):
            return False
        return not any(isinstance(n, (ir.Shuffle, ir.Vote)) for n in ir.walk(s))

    @staticmethod
    def pure_thread(e: ir.Expr) -> bool:
        for n in ir.walk(e):
            if isinstance(n, (ir.Load, ir.Atomic, ir.Shuffle, ir.Vote, ShflRead, ir.Global)):
                return False
            if isinstance(n, ir.Call) and n.fn not in INTRINSICS:
                return False
        return True

    def run(self) -> Plan:
        self.has_split = contains_split(self.fn)
        # Without barriers the whole kernel is one thread loop; LLVM hoists invariants itself.
        self.uni = self.uniformity()[0] if self.has_split else set()
        self.breaks = getattr(self, "breaks", {})
        self.flags: list[str] = []
        self.block_for_vars: set[str] = set()
        self.remat = self.rematerialisable()
        body = self.build(self.fn.body, True, False, [])
        exited = _thread_returns(body)
        spilled = set(self.forced) | self.spills(body)
        for v in self.fn.shared + self.fn.dynamic_shared:
            spilled.discard(v.name)
        remat = self.remat
        return Plan(self.fn, body, self.uni, spilled - set(remat), self.types, exited,
                    self.flags, self.nreg, self.has_split, remat)

    def rematerialisable(self) -> dict[str, ir.Expr]:
        """Spilled variables cheaper to recompute at each use than to keep per thread: one
        definition (a block-level Decl), never assigned, whose value is a pure function of thread
        and block indices, parameters and values that cannot change while it is in scope
        (single-definition uniform variables, block-level loop counters, other such variables).
        Keeping `tx`, `row`, `i = blockIdx.x * blockDim.x + threadIdx.x` as expressions keeps
        addresses affine in the thread index, which is what makes thread loops vectorise."""
        defs: dict[str, int] = {}
        init: dict[str, ir.Expr] = {}
        for n in ir.walk(self.fn):
            if isinstance(n, (ir.Decl, ir.Assign)):
                defs[n.var.name] = defs.get(n.var.name, 0) + 1
                if isinstance(n, ir.Decl) and n.init is not None:
                    init[n.var.name] = n.init
            elif isinstance(n, ir.For):
                defs[n.var.name] = defs.get(n.var.name, 0) + 2
        # values fixed while in scope: single-definition uniform variables and the counters of
        # block-level for loops (a For var is uniform only when its loop is block-level)
        fors = {n.var.name for n in ir.walk(self.fn) if isinstance(n, ir.For)}
        stable = {v for v in self.uni if defs.get(v) == 1 or (v in fors and defs.get(v) == 2)}
        self.stable = stable
        top = self.top_decls(self.fn.body)
        cand = {v for v in self.types if defs.get(v) == 1 and v in init and v in top
                and v not in self.uni
                and v not in self.forced and isinstance(self.types.get(v), Scalar)}

        def ok(e: ir.Expr, c: set[str]) -> bool:
            for n in ir.walk(e):
                if isinstance(n, (ir.Load, ir.Atomic, ir.Shuffle, ir.Vote, ShflRead)):
                    return False
                if isinstance(n, ir.Global) or (isinstance(n, ir.Call)
                                                and n.fn not in INTRINSICS):
                    return False
                if isinstance(n, ir.Var) and n.name not in c and n.name not in stable:
                    return False
            return True

        changed = True
        while changed:
            changed = False
            for v in sorted(cand):
                if not ok(init[v], cand):
                    cand.discard(v)
                    changed = True
        return {v: init[v] for v in cand}

    def top_decls(self, body: ir.Body) -> set[str]:
        """Variables declared at block-level positions (their Decl dominates later regions)."""
        out: set[str] = set()
        for s in body:
            if isinstance(s, ir.Decl):
                out.add(s.var.name)
            elif isinstance(s, (ir.If, *LOOPS)) and self.blevel(s, True):
                for b in ((s.then, s.orelse) if isinstance(s, ir.If) else (s.body,)):
                    out |= self.top_decls(b)
        return out

    def spills(self, body: list) -> set[str]:
        seen: dict[str, set[int]] = {}

        def note(x: ir.Node | list | tuple, rid: int) -> None:
            nodes = ir.walk(tuple(x)) if isinstance(x, (list, tuple)) else ir.walk(x)
            for n in nodes:
                if isinstance(n, ir.Var) and n.name not in self.uni:
                    seen.setdefault(n.name, set()).add(rid)
                elif isinstance(n, ShflRead):
                    seen.setdefault(n.src.name, set()).add(rid)

        def visit(items: list) -> None:
            for it in items:
                if isinstance(it, Region):
                    note(it.stmts, it.id)
                    continue
                s = it.stmt
                if it.kind in ("if", "loop") and not it.uniform:
                    match s:
                        case ir.If(cond):
                            note(cond, it.regions["cond"])
                        case ir.For(var, start, stop, step):
                            note((ir.Assign(var, start),), it.regions["init"])
                            note((ir.Assign(var, stop),), it.regions["cond"])
                            note((ir.Assign(var, step),), it.regions["step"])
                        case ir.While(cond) | ir.DoWhile(_, cond):
                            note(cond, it.regions["cond"])
                visit(it.body)
                visit(it.orelse)

        visit(body)
        return {name for name, rs in seen.items() if len(rs) > 1}


def _thread_returns(items: list, top: bool = True) -> bool:
    """Can some threads return while others go on into a later thread loop? (A return in
    thread code, or a non-uniform block-level return.) When the whole kernel is one region,
    nothing comes after it, so no exit flags are needed."""
    if top and len(items) == 1 and isinstance(items[0], Region):
        return False
    for it in items:
        if isinstance(it, Region):
            if any(isinstance(n, ir.Return) for n in ir.walk(tuple(it.stmts))):
                return True
        elif it.kind == "jump" and isinstance(it.stmt, ir.Return) and not it.uniform:
            return True
        elif _thread_returns(it.body, False) or _thread_returns(it.orelse, False):
            return True
    return False


def plan(fn: ir.Function) -> Plan:
    """The work-item-loop plan of a legalised kernel."""
    return _Planner(fn).run()


