"""Full-block fast paths: thread loops versioned on guard conditions decided once per block.

A guarded thread loop (`if (i < n) ...`, `if (x >= nx) return;`, `c ? in[i] : 0`) vectorises
with masked loads and stores, which cost about twice the unmasked ones on streaming kernels.
Most blocks lie entirely inside the bound, so before such a loop a cheap pre-pass (pure
arithmetic, no memory reads) computes, for a few guard conditions, whether every thread of the
block or none takes them; the block then runs a copy of the loop with those guards resolved,
unmasked, and only blocks that straddle a bound run the general loop. Each thread still executes
exactly the statements it would have, in the same order, so results are unchanged bit for bit.

A mixin of `codegen.Codegen`; `known` maps a guard condition (by node identity) to the outcome
the current copy of the loop was specialised for, and `tstmt`/`ex_Select` consult it.
"""

from __future__ import annotations

import itertools

from llvmlite import ir as L

from portable import ir
from portable.ir import Op, Sreg
from portable.types import Scalar

from .exprs import I1, I32T, I64T

MAX_GUARDS = 8  # guard conditions per thread loop (at most 4 combinations of outcomes)
MAX_COPIES = 24  # specialised thread-loop copies per kernel (compile time)


class FastPaths:
    """Guard versioning of thread loops."""

    known: dict

    def region_loop(self, stmts: list, guards: list) -> None:
        """One region's thread loop, split on a threadIdx.x range and versioned on its other
        guards where that pays."""
        if guards:
            self.thread_loop(guards, lambda: self.tbody(stmts))
            return
        split = self.range_split(stmts)
        if split is None:
            self.versioned(stmts, None, lambda: self.thread_loop([], lambda: self.tbody(stmts)))
            return
        cond, pieces = split
        for xr, outcome in pieces:
            saved = self.known
            self.known = {**saved, id(cond): outcome}
            self.versioned(stmts, None, lambda xr=xr: self.thread_loop(
                [], lambda: self.tbody(stmts), xr), xr)
            self.known = saved

    def range_split(self, stmts: list):
        """(compare, [((lo, hi), outcome), ...]) for the first guard compare (in an if or
        select condition at any depth, or an operand of && || ! there) of the form
        `threadIdx.x <op> u`, u block-uniform: the x range splits into pieces where the compare
        is known, and each piece runs without it (no pre-pass needed)."""
        if self.copies + 3 > MAX_COPIES:
            return None
        for c in _guard_compares(stmts):
            if id(c) in self.known:
                continue
            form = tid_compare(c, self.plan.remat, self.plan.block_vars)
            if form is not None:
                pieces = self.x_pieces(*form)
                self.copies += len(pieces)
                return c, pieces
        return None

    def x_pieces(self, op, u: ir.Expr) -> list:
        """Pieces of [0, blockDim.x) where `threadIdx.x op u` is known (exact, in 64 bits)."""
        b = self.b
        t = u.type
        nx = self.bdim[0]
        zero, one = L.Constant(I64T, 0), L.Constant(I64T, 1)
        v = self.ex(u)
        v = v if v.type.width == 64 else (b.sext if t.is_signed else b.zext)(v, I64T)
        # first bring v into [?, nx] with the compare's own signedness, so v + 1 is exact
        big = b.icmp_signed(">", v, nx) if t.is_signed else b.icmp_unsigned(">", v, nx)
        v = b.select(big, nx, v)

        def clamp(x):
            x = b.select(b.icmp_signed("<", x, zero), zero, x)
            return b.select(b.icmp_signed(">", x, nx), nx, x)

        lo, hi = clamp(v), clamp(b.add(v, one))
        match op:
            case Op.LT:
                return [((zero, lo), True), ((lo, nx), False)]
            case Op.LE:
                return [((zero, hi), True), ((hi, nx), False)]
            case Op.GT:
                return [((zero, hi), False), ((hi, nx), True)]
            case Op.GE:
                return [((zero, lo), False), ((lo, nx), True)]
        eq = op is Op.EQ
        return [((zero, lo), not eq), ((lo, hi), eq), ((hi, nx), not eq)]

    def versioned(self, stmts: list, must, general, xrange=None, guards: bool = True,
                  mixed: bool = True) -> bool:
        """Run `stmts` for every thread of the block with the guards resolved where the whole
        block agrees on them, else call `general()`. `must` (a pure condition, or None) has to
        hold for every thread before any fast copy runs; then, with `mixed`, one more copy runs
        when it holds but the guards are mixed (`guards=False`: only that copy). Returns False
        when nothing was versioned (only `general` was emitted)."""
        cands = self.guard_candidates(stmts) if guards else []
        if not cands and must is None:
            general()
            return False
        while cands and _count(cands) > 4:
            cands.pop()
        combos = list(itertools.product(*(o for _, o in cands)))
        if must is None and (not cands or self.copies + len(combos) > MAX_COPIES):
            general()
            return False
        if self.copies + len(combos) + 1 > MAX_COPIES:
            cands, combos = [], [()]
        elif must is not None and cands and mixed:
            combos.append(())  # every thread active, guards mixed: still no loop-exit flags
        self.copies += len(combos)
        musts = _split(must, Op.LAND) if must is not None else []
        leaves = [x for ls, _ in cands for x in ls] + musts
        alls, nones = self.block_agreement(stmts, leaves, xrange)
        b, f = self.b, self.func
        end = f.append_basic_block("fp.end")
        base = L.Constant(I1, 1)
        for m in musts:
            base = b.and_(base, alls[id(m)])
        for combo in combos:
            ok = base
            known = {}
            for (ls, _), want in zip(cands, combo, strict=False):
                for x in ls:
                    ok = b.and_(ok, alls[id(x)] if want else nones[id(x)])
                    known[id(x)] = want
            go, nxt = f.append_basic_block("fp.fast"), f.append_basic_block("fp.next")
            b.cbranch(ok, go, nxt)
            b.position_at_end(go)
            saved = self.known
            self.known = {**saved, **known}
            self.thread_loop([], lambda: self.tbody(stmts), xrange)
            self.known = saved
            b.branch(end)
            b.position_at_end(nxt)
        # behind fast copies, only blocks that straddle a bound take the general copy: few of
        # them in 1-D grids, so it is not worth vectorising there (see Codegen.loop_id); in
        # 2-D and 3-D blocks whole faces of blocks straddle one, so it stays vectorised
        cold, self.cold = self.cold, self.block is not None and self.block[1:] == (1, 1)
        general()
        self.cold = cold
        if not b.block.is_terminated:
            b.branch(end)
        b.position_at_end(end)
        return True

    def guard_candidates(self, stmts: list) -> list:
        """([leaf conditions], outcomes) for top-level guards the block can agree on. An
        `if (c) return;` expects c false; an if without else, and a select whose operands read
        memory (`i < n ? in[i] : 0`), expect c true; an if/else (or one whose then-branch
        returns) expects either.
        A guard expected false that is a chain of `||` (true: of `&&`) is split into its
        operands, each then expected false (true), so that bounds like `x >= nx || y >= ny`
        are decided one compare at a time (most of them in O(1): `monotone_extremes`)."""
        avail = self.evaluable_decls(stmts)
        conds = []
        for s in stmts:
            if isinstance(s, ir.If):
                ret = len(s.then) == 1 and isinstance(s.then[0], ir.Return) and not s.orelse
                both = s.orelse or (s.then and isinstance(s.then[-1], ir.Return))
                conds.append((s.cond, (False,) if ret else (True, False) if both else (True,)))
                continue
            conds += [(n.cond, (True,)) for n in _exprs(s) if isinstance(n, ir.Select)
                      and not (self.pure(n.a) and self.pure(n.b))]
        out: list = []
        nleaves = 0
        for c, wants in conds:
            if id(c) in self.known or not self.pre_evaluable(c, avail):
                continue
            if wants == (False,) and _split(c, Op.LOR)[1:]:
                out.append((_split(c, Op.LOR), wants))
            elif wants == (True,) and _split(c, Op.LAND)[1:]:
                out.append((_split(c, Op.LAND), wants))
            elif wants == (True, False) and _split(c, Op.LOR)[1:]:
                out.append((_split(c, Op.LOR), (False,)))  # boundary tests: the interior
            elif wants == (True, False) and _split(c, Op.LAND)[1:]:
                out.append((_split(c, Op.LAND), (True,)))  # bounds tests: the interior
            else:
                out.append(([c], wants))
            nleaves += len(out[-1][0])
            if nleaves >= MAX_GUARDS:
                break
        return out

    def evaluable_decls(self, stmts: list) -> dict:
        """Top-level Decls of `stmts` whose value the pre-pass may compute: pure initialiser
        over such values, never assigned in the region."""
        assigned = {n.var.name for n in ir.walk(tuple(stmts)) if isinstance(n, ir.Assign)}
        avail: dict[str, ir.Decl] = {}
        for s in stmts:
            if isinstance(s, ir.Decl) and s.init is not None and s.var.name not in assigned \
                    and isinstance(s.var.type, Scalar) and self.pre_evaluable(s.init, avail):
                avail[s.var.name] = s
        return avail

    def pre_evaluable(self, e: ir.Expr, avail: dict) -> bool:
        if not self.pure(e):
            return False
        for n in ir.walk(e):
            if isinstance(n, ir.Var) and not (n.name in self.plan.remat or n.name in avail
                                              or n.name in self.plan.block_vars):
                return False
        return True

    def block_agreement(self, stmts: list, conds: list, xrange=None) -> tuple[dict, dict]:
        """Per condition (by id): i1 values, whether it holds for every thread of the block /
        for none. Compares monotone in one thread index take O(1) (`monotone_extremes`); the
        rest share one pre-pass loop over the threads."""
        b = self.b
        alls: dict[int, L.Value] = {}
        nones: dict[int, L.Value] = {}
        rest = []
        for c in conds:
            r = self.monotone_extremes(c, xrange)
            if r is None:
                rest.append(c)
            else:
                alls[id(c)], nones[id(c)] = r
        if not rest:
            return alls, nones
        avail = self.evaluable_decls(stmts)
        need: set[str] = set()
        for c in rest:
            _needs(c, avail, need)
        decls = [d for d in avail.values() if d.var.name in need]
        n = len(self.allocas)
        av = [self.alloca_raw(f"__all{n}_{i}", I1) for i in range(len(rest))]
        yv = [self.alloca_raw(f"__any{n}_{i}", I1) for i in range(len(rest))]
        for a, y in zip(av, yv, strict=True):
            b.store(L.Constant(I1, 1), a)
            b.store(L.Constant(I1, 0), y)

        def pre() -> None:
            for d in decls:
                self.tstmt(d)
            for c, a, y in zip(rest, av, yv, strict=True):
                v = self.truth(self.ex(c), c.type)
                b.store(b.and_(b.load(a, typ=I1), v), a)
                b.store(b.or_(b.load(y, typ=I1), v), y)

        self.thread_loop([], pre, xrange)
        for c, a, y in zip(rest, av, yv, strict=True):
            alls[id(c)] = b.load(a, typ=I1)
            nones[id(c)] = b.not_(b.load(y, typ=I1))
        return alls, nones

    def monotone_extremes(self, c: ir.Expr, xrange=None):
        """(all, none) for a compare `x op u` whose x is `threadIdx.d + v` (v block-uniform,
        through + and - of uniform values and integer casts of at least 32 bits, any of which
        may wrap) and u block-uniform: x is evaluated at the first and the last thread only.
        x(last) - x(first) == count - 1 and x(first) <= x(last) prove that no wrap-around
        happened in between (every wrap on the way moves x down by a multiple of 2**32, and
        they only accumulate as the index grows), so x grows by one per thread and its ends
        decide the whole block."""
        if _uniform(c, self.plan.block_vars):  # the same for every thread
            v = self.truth(self.ex(c), c.type)
            return v, self.b.not_(v)
        if not (isinstance(c, ir.Compare) and c.op in _FLIP):
            return None
        t = c.lhs.type
        if not (_int(t) and t.bits >= 32):
            return None
        for x, u, op in ((c.lhs, c.rhs, c.op), (c.rhs, c.lhs, _FLIP[c.op])):
            d = _tid_path(x, self.plan.remat, self.plan.block_vars)
            if d is None or not _uniform(u, self.plan.block_vars):
                continue
            b = self.b
            one = L.Constant(I64T, 1)
            first, last = (xrange[0], b.sub(xrange[1], one)) if d == 0 and xrange else (
                L.Constant(I64T, 0), b.sub(self.bdim[d], one))
            x0, x1 = self.at_thread(x, d, first), self.at_thread(x, d, last)
            uv = self.ex(u)
            if t.bits == 64:
                d64 = b.sub(x1, x0)
            else:
                ext = b.sext if t.is_signed else b.zext
                d64 = b.sub(ext(x1, I64T), ext(x0, I64T))
            # (and x0 <= x1 in the compare's order: a 64-bit wrap is invisible to d64)
            ok = b.and_(b.icmp_unsigned("==", d64, b.sub(last, first)),
                        self.cmp(Op.LE, x0, x1, t))
            c0, c1 = self.cmp(op, x0, uv, t), self.cmp(op, x1, uv, t)
            if op in (Op.LT, Op.LE):
                every, none = c1, b.not_(c0)
            elif op in (Op.GT, Op.GE):
                every, none = c0, b.not_(c1)
            else:
                inside = b.and_(self.cmp(Op.LE, x0, uv, t), self.cmp(Op.LE, uv, x1, t))
                every, none = (b.and_(c0, c1), b.not_(inside)) if op is Op.EQ else \
                    (b.not_(inside), b.and_(b.not_(c0), b.not_(c1)))
            return b.and_(ok, every), b.and_(ok, none)
        return None

    def at_thread(self, x: ir.Expr, d: int, v: L.Value) -> L.Value:
        """`x` (which reads no thread index but threadIdx.d) for threadIdx.d = v."""
        b = self.b
        zero = L.Constant(I64T, 0)
        idx = [zero, zero, zero]
        idx[d] = v
        saved = self.tctx
        self.tctx = (zero, [b.trunc(i, I32T) for i in idx], idx)
        try:
            return self.ex(x)
        finally:
            self.tctx = saved


_FLIP = {Op.LT: Op.GT, Op.LE: Op.GE, Op.GT: Op.LT, Op.GE: Op.LE, Op.EQ: Op.EQ, Op.NE: Op.NE}


def tid_compare(c: ir.Expr, remat: dict, uniform: set):
    """(op, u) when `c` is `threadIdx.x op u` (either side; threadIdx.x possibly cast to another
    integer type of at least 32 bits, or a rematerialised variable holding it) and `u` is
    block-uniform and pure; else None. (Global-index bounds such as `blockIdx.x * blockDim.x +
    threadIdx.x < n` are left to `versioned`: they hold for all or none of most blocks, and a
    split would only give the vectoriser variable trip counts.)"""
    if not (isinstance(c, ir.Compare) and c.op in _FLIP):
        return None
    for x, u, op in ((c.lhs, c.rhs, c.op), (c.rhs, c.lhs, _FLIP[c.op])):
        t = x.type
        if _int(t) and t.bits >= 32 and _uniform(u, uniform) and _is_tid_x(x, remat):
            return op, u
    return None


def _is_tid_x(x: ir.Expr, remat: dict) -> bool:
    while True:
        if isinstance(x, ir.Var) and x.name in remat:
            x = remat[x.name]
        elif isinstance(x, ir.Cast) and _int(x.type) and x.type.bits >= 32:
            x = x.value
        else:
            return isinstance(x, ir.Special) and x.reg is Sreg.TID and x.dim == 0


def _int(t) -> bool:
    return isinstance(t, Scalar) and t.is_int and not t.is_bool


def _uniform(u: ir.Expr, uniform: set) -> bool:
    for n in ir.walk(u):
        if isinstance(n, ir.Var) and n.name not in uniform:
            return False
        if isinstance(n, ir.Special) and n.reg in (Sreg.TID, Sreg.LANEID):
            return False
        if isinstance(n, (ir.Load, ir.Atomic, ir.Call, ir.Shuffle, ir.Vote, ir.Global)):
            return False
    return True


def _guard_compares(stmts: list):
    """Compares in if and select conditions of `stmts` (at any depth), through && || !."""
    for n in ir.walk(tuple(stmts)):
        if isinstance(n, (ir.If, ir.Select)):
            stack = [n.cond]
            while stack:
                c = stack.pop()
                if isinstance(c, ir.Compare):
                    yield c
                elif isinstance(c, ir.Binary) and c.op in (Op.LAND, Op.LOR):
                    stack += [c.rhs, c.lhs]
                elif isinstance(c, ir.Unary) and c.op is Op.LNOT:
                    stack.append(c.value)


def _split(c: ir.Expr, op: Op) -> list:
    """The operands of a chain of `op` (&& or ||), left to right."""
    if isinstance(c, ir.Binary) and c.op is op:
        return _split(c.lhs, op) + _split(c.rhs, op)
    return [c]


def _tid_path(x: ir.Expr, remat: dict, uniform: set) -> int | None:
    """d when `x` is threadIdx.d plus or minus block-uniform terms (see monotone_extremes)."""
    while True:
        if isinstance(x, ir.Var) and x.name in remat:
            x = remat[x.name]
        elif isinstance(x, ir.Cast) and _int(x.type) and x.type.bits >= 32 \
                and _int(x.value.type) and x.value.type.bits >= 32:
            x = x.value
        elif isinstance(x, ir.Binary) and x.op is Op.ADD and _int(x.type):
            if _uniform(x.rhs, uniform):
                x = x.lhs
            elif _uniform(x.lhs, uniform):
                x = x.rhs
            else:
                return None
        elif isinstance(x, ir.Binary) and x.op is Op.SUB and _int(x.type) \
                and _uniform(x.rhs, uniform):
            x = x.lhs
        else:
            break
    if isinstance(x, ir.Special) and x.reg is Sreg.TID:
        return x.dim
    return None


def _count(options: list) -> int:
    n = 1
    for _, o in options:
        n *= len(o)
    return n


def _needs(e: ir.Expr, avail: dict, out: set) -> None:
    for n in ir.walk(e):
        if isinstance(n, ir.Var) and n.name in avail and n.name not in out:
            out.add(n.name)
            _needs(avail[n.name].init, avail, out)


def _exprs(s: ir.Stmt):
    """Expression nodes of a simple statement (not of nested statement bodies)."""
    if isinstance(s, (ir.If, ir.For, ir.While, ir.DoWhile)):
        return
    for f in s.__dataclass_fields__:
        v = getattr(s, f)
        if isinstance(v, ir.Expr):
            yield from ir.walk(v)
        elif isinstance(v, tuple):
            for x in v:
                if isinstance(x, ir.Expr):
                    yield from ir.walk(x)
