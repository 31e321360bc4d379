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
from portable.types import Scalar

from .exprs import I1

MAX_GUARDS = 2  # guard conditions per thread loop
MAX_COPIES = 24  # specialised thread-loop copies per kernel (compile time)


class FastPaths:
    """Guard versioning of thread loops."""

    known: dict

    def region_loop(self, stmts: list, guards: list) -> None:
        """One region's thread loop, versioned on its guards where that pays."""
        if guards:
            self.thread_loop(guards, lambda: self.tbody(stmts))
            return
        self.versioned(stmts, None, lambda: self.thread_loop([], lambda: self.tbody(stmts)))

    def versioned(self, stmts: list, must, general) -> bool:
        """Run `stmts` for every thread of the block with the guards resolved where the whole
        block agrees on them, else call `general()`. `must` (a pure condition, or None) has to
        hold for every thread before any fast copy runs. Returns False when nothing was
        versioned (only `general` was emitted)."""
        cands = self.guard_candidates(stmts)
        if not cands and must is None:
            general()
            return False
        options = [(c, (False,) if kind == "return" else (True,) if kind == "then" else
                    (True, False)) for c, kind in cands]
        while options and _count(options) > 4:
            options.pop()
        combos = list(itertools.product(*(o for _, o in options)))
        if must is None and (not options or self.copies + len(combos) > MAX_COPIES):
            general()
            return False
        if self.copies + len(combos) + 1 > MAX_COPIES:
            options, combos = [], [()]
        elif must is not None and options:
            combos.append(())  # every thread active, guards mixed: still no loop-exit flags
        self.copies += len(combos)
        conds = [c for c, _ in options] + ([must] if must is not None else [])
        alls, anys = self.block_agreement(stmts, conds)
        b, f = self.b, self.func
        end = f.append_basic_block("fp.end")
        mall = b.load(alls[-1], typ=I1) if must is not None else None
        for combo in combos:
            ok = mall if mall is not None else L.Constant(I1, 1)
            for want, a, n in zip(combo, alls, anys, strict=False):
                hit = b.load(a, typ=I1) if want else b.not_(b.load(n, typ=I1))
                ok = b.and_(ok, hit)
            go, nxt = f.append_basic_block("fp.fast"), f.append_basic_block("fp.next")
            b.cbranch(ok, go, nxt)
            b.position_at_end(go)
            saved = self.known
            self.known = {**saved, **{id(c): w for (c, _), w in zip(options, combo,
                                                                     strict=False)}}
            self.thread_loop([], lambda: self.tbody(stmts))
            self.known = saved
            b.branch(end)
            b.position_at_end(nxt)
        general()
        if not b.block.is_terminated:
            b.branch(end)
        b.position_at_end(end)
        return True

    def guard_candidates(self, stmts: list) -> list:
        """(condition, kind) for top-level guards that the pre-pass can evaluate: `return`
        (an `if (c) return;`), `then` (an if without else), `both` (if/else, or a select whose
        operands read memory)."""
        avail = self.evaluable_decls(stmts)
        out = []
        for s in stmts:
            if len(out) >= MAX_GUARDS:
                break
            if isinstance(s, ir.If):
                if id(s.cond) not in self.known and self.pre_evaluable(s.cond, avail):
                    ret = len(s.then) == 1 and isinstance(s.then[0], ir.Return) and not s.orelse
                    # a then-branch ending in return makes the rest of the region its else
                    both = s.orelse or (s.then and isinstance(s.then[-1], ir.Return))
                    out.append((s.cond, "return" if ret else "both" if both else "then"))
                continue
            for n in _exprs(s):
                if isinstance(n, ir.Select) and len(out) < MAX_GUARDS and \
                        id(n.cond) not in self.known and not (self.pure(n.a) and self.pure(n.b)) \
                        and self.pre_evaluable(n.cond, avail):
                    out.append((n.cond, "both"))
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

    def block_agreement(self, stmts: list, conds: list) -> tuple[list, list]:
        """Per condition, allocas holding whether every thread / some thread has it true."""
        b = self.b
        avail = self.evaluable_decls(stmts)
        need: set[str] = set()
        for c in conds:
            _needs(c, avail, need)
        decls = [d for d in avail.values() if d.var.name in need]
        n = len(self.allocas)
        alls = [self.alloca_raw(f"__all{n}_{i}", I1) for i in range(len(conds))]
        anys = [self.alloca_raw(f"__any{n}_{i}", I1) for i in range(len(conds))]
        for a, y in zip(alls, anys, strict=True):
            b.store(L.Constant(I1, 1), a)
            b.store(L.Constant(I1, 0), y)

        def pre() -> None:
            for d in decls:
                self.tstmt(d)
            for c, a, y in zip(conds, alls, anys, strict=True):
                v = self.truth(self.ex(c), c.type)
                b.store(b.and_(b.load(a, typ=I1), v), a)
                b.store(b.or_(b.load(y, typ=I1), v), y)

        self.thread_loop([], pre)
        return alls, anys


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
