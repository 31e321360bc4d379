"""Uniformity (divergence) analysis and the barrier placement check.

A value is *block-uniform* when every thread of a block that evaluates it gets the same result;
control flow is uniform at a statement when either every thread of the block reaches it or none
does. Sources of divergence: `threadIdx`, `laneid`, atomics' results, shuffles, warp votes, loads
from thread-dependent addresses or from per-thread (local) memory written with divergent data,
anything data-dependent on those, and variables assigned under divergent control flow (a
divergent `if`/loop condition, or an earlier divergent `return`/`break`/`continue`).

Backends query the result: `Uniformity.is_uniform(expr)`, `.loop_is_uniform(loop)` (every thread
that enters the loop runs the same iterations), `.control(stmt)` (None when the statement is reached
by all threads of the block or by none, else the location of the divergent condition).
`check_barriers(fn)` raises PORT3001 for a `__syncthreads` or block vote under divergent control.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from portable import ir
from portable.errors import NOLOC, Loc, error
from portable.types import Array, Pointer, Space

# Special registers whose value differs between the threads of one block.
DIVERGENT_SREGS = frozenset({ir.Sreg.TID, ir.Sreg.LANEID})
# Nodes whose result is never assumed uniform: each thread gets its own old value or lane value.
_ALWAYS_DIVERGENT = (ir.Atomic, ir.Shuffle)

_LOOPS = (ir.For, ir.While, ir.DoWhile)


@dataclass
class Uniformity:
    """The analysis result for one function; node identity (`id`) keys the per-node facts."""

    fn: ir.Function
    divergent_vars: set[str] = field(default_factory=set)
    # id(loop) -> loc of the reason its iterations differ between threads
    divergent_loops: dict[int, Loc] = field(default_factory=dict)
    # id(stmt) -> loc of the divergent condition controlling it (absent/None: uniform)
    _control: dict[int, Loc | None] = field(default_factory=dict)

    def is_uniform(self, e: ir.Expr) -> bool:
        """True when `e` has the same value in every thread of the block that evaluates it."""
        return self.reason(e) is None

    def reason(self, e: ir.Expr) -> Loc | None:
        """None if `e` is block-uniform, else the loc of a divergent sub-expression."""
        for n in ir.walk(e):
            if _divergent_leaf(n, self.divergent_vars):
                return n.loc
        return None

    def var_is_uniform(self, name: str) -> bool:
        return name not in self.divergent_vars

    def loop_is_uniform(self, loop: ir.Stmt) -> bool:
        """True when every thread that enters `loop` runs the same iterations."""
        return id(loop) not in self.divergent_loops

    def control(self, stmt: ir.Stmt) -> Loc | None:
        """None when all threads of a block (or none) reach `stmt`, else the divergence's loc."""
        return self._control.get(id(stmt))

    def is_uniform_control(self, stmt: ir.Stmt) -> bool:
        return self.control(stmt) is None


def _divergent_leaf(n: ir.Node, dvars: set[str]) -> bool:
    """Whether node `n` itself introduces divergence (its operands are checked separately)."""
    if isinstance(n, ir.Special):
        return n.reg in DIVERGENT_SREGS
    if isinstance(n, ir.Var):
        return n.name in dvars
    if isinstance(n, _ALWAYS_DIVERGENT):
        return True
    if isinstance(n, ir.Vote):
        return n.op not in ir.BLOCK_VOTE  # warp votes differ between the warps of a block
    if isinstance(n, ir.Load):
        # per-thread memory reached through a pointer: unknown contents, assume divergent
        return isinstance(n.base.type, Pointer) and n.base.type.space is Space.LOCAL
    if isinstance(n, ir.Call):
        from portable.semantics import INTRINSICS

        return n.fn not in INTRINSICS  # a user call before inlining: be conservative
    return False


def _local_array(t: ir.Type) -> bool:
    return isinstance(t, Array) and t.space is Space.LOCAL


class _Walker:
    """One pass over a function; `run` repeats it until the divergent sets stop growing."""

    def __init__(self, u: Uniformity) -> None:
        self.u = u
        self.decl_depth: dict[str, int] = {}
        # per nesting level (entered If/loop): loc of its divergent condition, else None
        self.levels: list[Loc | None] = []
        # per sequence depth: loc of an earlier partial exit making the rest divergent
        self.tails: list[Loc | None] = [None]
        # per entered loop level: index into levels, for break/continue targets
        self.loop_levels: list[int] = []
        self.loop_nodes: list[ir.Stmt] = []
        self.changed = False

    # -- facts

    def div(self, e: ir.Expr | None) -> Loc | None:
        return None if e is None else self.u.reason(e)

    def cond(self, s: ir.Stmt, *es: ir.Expr) -> Loc | None:
        """Loc naming a divergent condition among `es` of statement `s`, or None."""
        for e in es:
            if self.div(e) is not None:
                return e.loc if e.loc != NOLOC else s.loc
        return None

    def mark_var(self, name: str, why: Loc | None) -> None:
        if why is not None and name not in self.u.divergent_vars:
            self.u.divergent_vars.add(name)
            self.changed = True

    def mark_loop(self, loop: ir.Stmt, why: Loc) -> None:
        if id(loop) not in self.u.divergent_loops:
            self.u.divergent_loops[id(loop)] = why
            self.changed = True

    def control(self) -> Loc | None:
        """Loc of the outermost divergence controlling the current point, or None."""
        for i, lv in enumerate(self.levels):
            if self.tails[i] is not None:
                return self.tails[i]
            if lv is not None:
                return lv
        return self.tails[len(self.levels)]

    def control_since(self, depth: int) -> Loc | None:
        """Divergence entered since the sequence at `depth` (which declared a variable)."""
        for i in range(depth, len(self.levels)):
            if self.levels[i] is not None:
                return self.levels[i]
            if self.tails[i + 1] is not None:
                return self.tails[i + 1]
        return None

    def assign(self, name: str, value_why: Loc | None, loc: Loc) -> None:
        depth = self.decl_depth.get(name, 0)
        self.mark_var(name, value_why or self.control_since(depth))

    # -- traversal

    def body(self, stmts: ir.Body) -> None:
        for s in stmts:
            self.stmt(s)

    def nested(self, why: Loc | None, stmts: ir.Body) -> None:
        self.levels.append(why)
        self.tails.append(None)
        try:
            self.body(stmts)
        finally:
            self.levels.pop()
            self.tails.pop()

    def stmt(self, s: ir.Stmt) -> None:
        self.u._control[id(s)] = self.control()
        match s:
            case ir.Decl(var, init):
                self.decl_depth[var.name] = len(self.levels)
                if init is not None:
                    self.mark_var(var.name, self.div(init))
            case ir.Assign(var, value):
                self.assign(var.name, self.div(value), s.loc)
            case ir.Store(base, index, value):
                self._store(base, index, value, s.loc)
            case ir.ExprStmt() | ir.Barrier() | ir.Print():
                pass
            case ir.If(cond, then, orelse):
                why = self.cond(s, cond)
                self.nested(why, then)
                self.nested(why, orelse)
            case ir.For(var, start, stop, step, body):
                self.decl_depth[var.name] = len(self.levels)
                # threads still in the loop have run the same iterations: the counter is
                # uniform unless its start or step is
                self.mark_var(var.name, self.div(start) or self.div(step))
                self._loop(s, self.cond(s, stop, start, step), body)
            case ir.While(cond, body):
                self._loop(s, self.cond(s, cond), body)
            case ir.DoWhile(body, cond):
                self._loop(s, self.cond(s, cond), body)
            case ir.Break() | ir.Continue():
                if self.loop_levels:
                    self._exit(s, self.loop_levels[-1] + 1)
            case ir.Return():
                self._exit(s, 0)
            case _:
                raise error("PORT2002", f"uniformity: unknown statement {type(s).__name__}",
                            s.loc)
        self._escapes(s)

    def _store(self, base: ir.Expr, index: tuple, value: ir.Expr, loc: Loc) -> None:
        if isinstance(base, ir.Var) and _local_array(base.type):
            why = self.div(value) or next((self.div(i) for i in index if self.div(i)), None)
            self.assign(base.name, why, loc)

    def _escapes(self, s: ir.Stmt) -> None:
        # a local array used other than as the base of a Load/Store (passed to a call, its
        # address taken, updated atomically) gets unknown contents: assume divergent
        direct: set[int] = set()
        for n in ir.walk(s):
            if isinstance(n, (ir.Load, ir.Store)):
                direct.add(id(n.base))
            elif isinstance(n, (ir.Decl, ir.Assign, ir.For)):
                direct.add(id(n.var))
        for n in ir.walk(s):
            if isinstance(n, ir.Var) and _local_array(n.type) and id(n) not in direct:
                self.mark_var(n.name, n.loc)

    def _loop(self, loop: ir.Stmt, why: Loc | None, body: ir.Body) -> None:
        if why is not None:
            self.mark_loop(loop, why)
        why = self.u.divergent_loops.get(id(loop))
        self.loop_levels.append(len(self.levels))
        self.loop_nodes.append(loop)
        try:
            self.nested(why, body)
        finally:
            self.loop_levels.pop()
            self.loop_nodes.pop()

    def _exit(self, s: ir.Stmt, first: int) -> None:
        """A break/continue/return leaving the sequences at depths first..current."""
        top = len(self.levels)
        # the rest of each sequence it leaves is divergent when a level entered between that
        # sequence and the exit is divergent: some threads left, the others did not
        for k in range(first, top + 1):
            why = next((lv for lv in self.levels[k:top] if lv is not None), None)
            if why is not None and self.tails[k] is None:
                self.tails[k] = why
        if isinstance(s, ir.Continue):
            return
        # a loop that only some of its threads leave runs different iterations per thread
        for lvl, loop in zip(self.loop_levels, self.loop_nodes, strict=True):
            if lvl + 1 < first:
                continue
            why = next((lv for lv in self.levels[lvl + 1:top] if lv is not None), None)
            why = why or next((t for t in self.tails[lvl + 1:top + 1] if t is not None), None)
            if why is not None:
                self.mark_loop(loop, why)


def uniformity(fn: ir.Function) -> Uniformity:
    """Analyse `fn` (normally an inlined kernel) and return the queryable result."""
    u = Uniformity(fn)
    while True:
        w = _Walker(u)
        w.body(fn.body)
        if not w.changed:
            return u


def _block_votes(e: ir.Expr, guarded: Loc | None, u: Uniformity) -> list[tuple[ir.Vote, Loc]]:
    """Block votes inside `e` evaluated under a divergent short-circuit or select."""
    out: list[tuple[ir.Vote, Loc]] = []

    def go(n: ir.Node, g: Loc | None) -> None:
        if isinstance(n, ir.Vote) and n.op in ir.BLOCK_VOTE and g is not None:
            out.append((n, g))
        if isinstance(n, ir.Binary) and n.op in ir.LOGICAL:
            go(n.lhs, g)
            go(n.rhs, g or _why(u, n.lhs, n))
            return
        if isinstance(n, ir.Select):
            go(n.cond, g)
            gg = g or _why(u, n.cond, n)
            go(n.a, gg)
            go(n.b, gg)
            return
        for c in ir.children(n):
            go(c, g)

    go(e, guarded)
    return out


def _why(u: Uniformity, cond: ir.Expr, at: ir.Node) -> Loc | None:
    if u.is_uniform(cond):
        return None
    return cond.loc if cond.loc != NOLOC else at.loc


def check_barriers(fn: ir.Function, u: Uniformity | None = None) -> Uniformity:
    """Raise PORT3001 for a block barrier or block vote under thread-divergent control flow."""
    u = u or uniformity(fn)
    for s in ir.walk(fn.body):
        if not isinstance(s, ir.Stmt):
            continue
        why = u.control(s)
        if isinstance(s, ir.Barrier) and s.op is ir.Op.BARRIER_BLOCK and why is not None:
            _report(fn, "__syncthreads()", s.loc, why)
        for c in ir.children(s):
            if isinstance(c, ir.Expr):
                for v, g in _block_votes(c, why, u):
                    _report(fn, f"block vote {v.op.value}", v.loc if v.loc != NOLOC else s.loc, g)
    return u


def _report(fn: ir.Function, what: str, loc: Loc, why: Loc) -> None:
    raise error("PORT3001", f"{what} in kernel {fn.name!r} is under thread-divergent control "
                f"flow (the condition at {why} differs between threads of a block), so some "
                "threads would wait forever", loc,
                "move the barrier out of the divergent if/loop, or make the condition depend "
                "only on blockIdx/blockDim/parameters; replace an early 'return' by an if around "
                "the work")
