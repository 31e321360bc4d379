"""Legalisation before planning: every warp shuffle and vote becomes statements around a split
point (plan.py step 1), so that every synchronisation is a statement.

A shuffle becomes "copy the value into a per-thread slot; warp barrier; read the source lane's
slot" (`ShflRead`), a vote becomes "store the predicate; a block-level reduction (`Collective`);
read the result".
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from portable import ir
from portable.errors import NOLOC, Loc, error
from portable.ir import Op
from portable.types import BOOL, U32, Type

WARP = 32
LANE_TYPE = U32

# ---------------------------------------------------------------- private nodes


@dataclass(frozen=True, slots=True)
class ShflRead(ir.Expr):
    """After a warp barrier: the value `src` held in the lane a shuffle names."""

    op: Op
    src: ir.Var
    lane: ir.Expr
    width: ir.Expr
    type: Type
    loc: Loc = field(default=NOLOC, kw_only=True, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Collective(ir.Stmt):
    """Block-level reduction of a vote: reads `pred`/`mask` of every thread, writes `dst`."""

    op: Op
    pred: ir.Var | None
    mask: ir.Var | None
    dst: ir.Var
    loc: Loc = field(default=NOLOC, kw_only=True, compare=False, repr=False)


# ---------------------------------------------------------------- 1. legalisation


class _Hoister:
    def __init__(self) -> None:
        self.n = itertools.count()

    def fresh(self, t: Type, what: str) -> ir.Var:
        return ir.Var(f"__{what}{next(self.n)}", t)

    def expr(self, e: ir.Expr) -> tuple[list[ir.Stmt], ir.Expr]:
        if not _has_warp_op(e):
            return [], e
        pre: list[ir.Stmt] = []
        new = {}
        for f in e.__dataclass_fields__:
            v = getattr(e, f)
            if isinstance(v, ir.Expr):
                p, nv = self.expr(v)
                pre += p
                new[f] = nv
            elif isinstance(v, tuple) and v and isinstance(v[0], ir.Expr):
                xs = []
                for x in v:
                    p, nx = self.expr(x)
                    pre += p
                    xs.append(nx)
                new[f] = tuple(xs)
        import dataclasses

        e = dataclasses.replace(e, **new) if new else e
        if isinstance(e, ir.Shuffle):
            sv = self.fresh(e.value.type, "shfl_src")
            t = self.fresh(e.type, "shfl")
            pre += [ir.Decl(sv, e.value, loc=e.loc), ir.Barrier(Op.BARRIER_WARP, loc=e.loc),
                    ir.Decl(t, ShflRead(e.op, sv, e.lane, e.width, e.type, loc=e.loc), loc=e.loc)]
            return pre, t
        if isinstance(e, ir.Vote):
            pv = mv = None
            if e.pred is not None:
                pv = self.fresh(e.pred.type, "vote_pred")
                pre.append(ir.Decl(pv, e.pred, loc=e.loc))
            if e.mask is not None:
                mv = self.fresh(e.mask.type, "vote_mask")
                pre.append(ir.Decl(mv, e.mask, loc=e.loc))
            dst = self.fresh(e.type, "vote")
            pre += [ir.Decl(dst, None, loc=e.loc), Collective(e.op, pv, mv, dst, loc=e.loc)]
            return pre, dst
        return pre, e

    def body(self, body: ir.Body) -> ir.Body:
        out: list[ir.Stmt] = []
        for s in body:
            out += self.stmt(s)
        return tuple(out)

    def stmt(self, s: ir.Stmt) -> list[ir.Stmt]:
        import dataclasses

        match s:
            case ir.If(cond, then, orelse):
                pre, c = self.expr(cond)
                return pre + [dataclasses.replace(s, cond=c, then=self.body(then),
                                                  orelse=self.body(orelse))]
            case ir.While(cond, body):
                pre, c = self.expr(cond)
                body = self.body(body)
                if pre:  # while (c) B  ->  while (true) { pre; if (!c) break; B }
                    stop = ir.If(ir.Unary(Op.LNOT, c, BOOL), (ir.Break(loc=s.loc),), loc=s.loc)
                    return [ir.While(ir.TRUE, (*pre, stop, *body), loc=s.loc)]
                return [dataclasses.replace(s, body=body)]
            case ir.DoWhile(body, cond):
                pre, c = self.expr(cond)
                body = self.body(body)
                if pre:  # first = true; while (true) { if (!first) { pre; if (!c) break; } ... }
                    first = self.fresh(BOOL, "first")
                    stop = ir.If(ir.Unary(Op.LNOT, c, BOOL), (ir.Break(loc=s.loc),), loc=s.loc)
                    head = ir.If(ir.Unary(Op.LNOT, first, BOOL), (*pre, stop), loc=s.loc)
                    return [ir.Decl(first, ir.TRUE), ir.While(
                        ir.TRUE, (head, ir.Assign(first, ir.FALSE), *body), loc=s.loc)]
                return [dataclasses.replace(s, body=body)]
            case ir.For(_, start, stop, step, body):
                pre, st = self.expr(start)
                if _has_warp_op(stop) or _has_warp_op(step):
                    raise error("PORT6002", "llvm backend: a warp shuffle or vote in a for-loop "
                                "condition or step is not supported", s.loc,
                                "compute it into a variable inside the loop body")
                return pre + [dataclasses.replace(s, start=st, body=self.body(body))]
        pre: list[ir.Stmt] = []
        new = {}
        for f in s.__dataclass_fields__:
            v = getattr(s, f)
            if isinstance(v, ir.Expr) and not isinstance(v, ir.Var):
                p, nv = self.expr(v)
                pre += p
                new[f] = nv
            elif isinstance(v, tuple) and v and isinstance(v[0], ir.Expr):
                xs = []
                for x in v:
                    p, nx = self.expr(x)
                    pre += p
                    xs.append(nx)
                new[f] = tuple(xs)
        if not pre:
            return [s]
        return pre + [dataclasses.replace(s, **new)]


def _has_warp_op(e: ir.Node) -> bool:
    return any(isinstance(n, (ir.Shuffle, ir.Vote)) for n in ir.walk(e))


def legalize(fn: ir.Function) -> ir.Function:
    """Every shuffle and vote as split-point statements (see the module docstring)."""
    if not any(isinstance(n, (ir.Shuffle, ir.Vote)) for n in ir.walk(fn)):
        return fn
    import dataclasses

    return dataclasses.replace(fn, body=_Hoister().body(fn.body))
