"""Predication of warp operations out of thread-divergent `if`s (for barrier-based emulation).

CUDA lets a subset of a block's warps shuffle (`if (warp == 0) val = warpReduce(val);`); a
work-group barrier must be reached by every thread. So an `if` with a divergent condition that
contains warp operations becomes a predicate variable, the plain statements are guarded by it,
and each warp operation runs for every thread with its operands guarded: inactive threads
contribute a neutral value and ignore the result, exactly what CUDA's inactive lanes do.
"""

from __future__ import annotations

import itertools
from dataclasses import replace

from portable import ir
from portable.errors import error
from portable.ir import Op
from portable.types import BOOL, Scalar


def _has_warp(node) -> bool:
    return any(isinstance(n, (ir.Shuffle, ir.Vote)) or
               (isinstance(n, ir.Barrier) and n.op is Op.BARRIER_WARP) for n in ir.walk(node))


class _Predicator:
    def __init__(self, fn: ir.Function) -> None:
        from portable.analysis.uniformity import uniformity

        self.fn = fn
        self.u = uniformity(fn)
        self.ids = itertools.count()

    def fresh(self, stem: str, t) -> ir.Var:
        return ir.Var(f"port_{stem}_{next(self.ids)}", t)

    def body(self, stmts: ir.Body) -> ir.Body:
        out: list[ir.Stmt] = []
        for s in stmts:
            if isinstance(s, ir.If) and _has_warp(s) and not self.u.is_uniform(s.cond):
                p = self.fresh("active", BOOL)
                out.append(ir.Decl(p, s.cond, loc=s.loc))
                out += self.guard(s.then, p)
                if s.orelse:
                    q = self.fresh("active", BOOL)
                    out.append(ir.Decl(q, ir.Unary(Op.LNOT, p, BOOL), loc=s.loc))
                    out += self.guard(s.orelse, q)
            elif isinstance(s, (ir.If, ir.For, ir.While, ir.DoWhile)) and _has_warp(s):
                out.append(self._nested(s, self.body))
            else:
                out.append(s)
        return tuple(out)

    def _nested(self, s, fix):
        if isinstance(s, ir.If):
            return replace(s, then=fix(s.then), orelse=fix(s.orelse))
        return replace(s, body=fix(s.body))

    def guard(self, stmts: ir.Body, p: ir.Var, outer: frozenset[str] = frozenset()
              ) -> list[ir.Stmt]:
        """`stmts` for the threads where p holds; warp operations for every thread."""
        out: list[ir.Stmt] = []
        run: list[ir.Stmt] = []

        def flush():
            if run:
                out.append(ir.If(p, tuple(run)))
                run.clear()

        control = (_loop_control_vars(stmts) if _has_warp(stmts) else set()) | outer
        for s in stmts:
            if isinstance(s, (ir.Decl, ir.Assign)) and s.var.name in control and \
                    _pure(s.init if isinstance(s, ir.Decl) else s.value):
                # a loop around a warp operation must run in every thread: its counter too
                flush()
                out.append(s)
                continue
            if isinstance(s, ir.Decl):  # keep the variable visible to the following pieces
                # zero, not undefined: the warp operations below read it in inactive threads
                # too, and C's undefined read let clang assume every thread active (PoCL then
                # stored through inactive threads' indices, past buffers: a "double free")
                t = s.var.type
                zero = ir.const(0, t) if isinstance(t, Scalar) else None
                out.append(ir.Decl(s.var, zero, loc=s.loc))
                if s.init is None:
                    continue
                s = ir.Assign(s.var, s.init, loc=s.loc)
            if not _has_warp(s):
                run.append(s)
                continue
            flush()
            if isinstance(s, ir.If):
                q = self.fresh("active", BOOL)
                out.append(ir.Decl(q, ir.Binary(Op.LAND, p, s.cond, BOOL), loc=s.loc))
                out += self.guard(s.then, q, outer)
                if s.orelse:
                    r = self.fresh("active", BOOL)
                    out.append(ir.Decl(r, ir.Binary(Op.LAND, p, ir.Unary(Op.LNOT, s.cond, BOOL),
                                                    BOOL), loc=s.loc))
                    out += self.guard(s.orelse, r, outer)
            elif isinstance(s, (ir.For, ir.While, ir.DoWhile)):
                # the loop's own uniformity is checked on the result (check_warp_ops)
                if any(isinstance(n, (ir.Break, ir.Continue, ir.Return))
                       for n in ir.walk(s.body)):
                    self._fail(s)
                heads = _loop_control_vars((s,))
                out.append(replace(s, body=tuple(self.guard(s.body, p, outer | heads))))
            elif isinstance(s, (ir.Assign, ir.Store, ir.ExprStmt)):
                pre, s2 = self.hoist(s, p)
                out += pre
                out.append(ir.If(p, (s2,)))
            elif isinstance(s, ir.Barrier):  # __syncwarp: every thread reaches it
                out.append(s)
            else:
                self._fail(s)
        flush()
        return out

    def hoist(self, s: ir.Stmt, p: ir.Var) -> tuple[list[ir.Stmt], ir.Stmt]:
        """Warp operations of `s` into temporaries computed by every thread."""
        pre: list[ir.Stmt] = []

        def go(e: ir.Expr) -> ir.Expr:
            if isinstance(e, ir.Select) and (_has_warp(e.a) or _has_warp(e.b)) or \
                    isinstance(e, ir.Binary) and e.op in ir.LOGICAL and _has_warp(e.rhs):
                self._fail(s)
            if isinstance(e, ir.Shuffle):
                t = e.type
                zero = ir.const(0, t) if isinstance(t, Scalar) else None
                value = go(e.value)
                if zero is not None and not isinstance(value, ir.Const):
                    value = ir.Select(p, value, zero, t)  # inactive lanes load nothing
                tmp = self.fresh("shfl", t)
                pre.append(ir.Decl(tmp, replace(e, value=value, lane=go(e.lane)), loc=e.loc))
                return tmp
            if isinstance(e, ir.Vote) and e.op is Op.ACTIVEMASK:
                # the lanes active here are those where p holds: a ballot of p (the
                # unpredicated helper would report every lane of the warp)
                tmp = self.fresh("vote", e.type)
                pre.append(ir.Decl(tmp, ir.Vote(Op.VOTE_BALLOT, e.mask, p, e.type, loc=e.loc),
                                   loc=e.loc))
                return tmp
            if isinstance(e, ir.Vote):
                pred = go(e.pred) if e.pred is not None else None
                if pred is not None:  # inactive lanes vote false (true for all)
                    pb = pred if pred.type == BOOL else ir.Compare(
                        Op.NE, pred, ir.const(0, pred.type), BOOL)
                    pred = ir.Binary(Op.LOR, ir.Unary(Op.LNOT, p, BOOL), pb, BOOL) \
                        if e.op is Op.VOTE_ALL else ir.Binary(Op.LAND, p, pb, BOOL)
                tmp = self.fresh("vote", e.type)
                pre.append(ir.Decl(tmp, replace(e, pred=pred), loc=e.loc))
                return tmp
            return _map_children(e, go)

        return pre, _map_children(s, go)

    def _fail(self, s: ir.Stmt):
        raise error("PORT6002", f"warp operation in kernel {self.fn.name!r} under "
                    "thread-divergent control flow that cannot be predicated (a divergent loop, "
                    "break/continue/return, or a conditionally evaluated operand)", s.loc,
                    "let every thread of the block execute the warp operation and guard only "
                    "the use of its result")


def _loop_control_vars(stmts: ir.Body) -> set[str]:
    """Variables read by the conditions and bounds of loops in `stmts` (at any depth)."""
    out: set[str] = set()
    for n in ir.walk(stmts):
        heads = [n.start, n.stop, n.step] if isinstance(n, ir.For) else \
            [n.cond] if isinstance(n, (ir.While, ir.DoWhile)) else []
        for h in heads:
            out |= {v.name for v in ir.walk(h) if isinstance(v, ir.Var)}
    return out


def _pure(e: ir.Expr | None) -> bool:
    return e is not None and not any(
        isinstance(n, (ir.Load, ir.Atomic, ir.Shuffle, ir.Vote)) for n in ir.walk(e))


def _map_children(node, f):
    import dataclasses

    new = {}
    for fl in dataclasses.fields(node):
        v = getattr(node, fl.name)
        if isinstance(v, ir.Expr):
            nv = f(v)
        elif isinstance(v, tuple) and v and isinstance(v[0], ir.Expr):
            nv = tuple(f(x) for x in v)
        else:
            continue
        if nv is not v:
            new[fl.name] = nv
    return dataclasses.replace(node, **new) if new else node


def predicate(fn: ir.Function) -> ir.Function:
    """`fn` with warp operations lifted out of divergent ifs; unchanged when there are none."""
    if not _has_warp(fn.body):
        return fn
    return replace(fn, body=_Predicator(fn).body(fn.body))
