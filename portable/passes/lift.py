"""Lifting user calls out of expressions, keeping C's evaluation order and laziness.

`Lifter.body` rewrites a body so that every call of a device function is expanded (through the
inliner's `expand`) into statements placed before the expression that used it, and the call is
replaced by its value. Operands evaluated before a call that could observe its effects (loads,
atomics, warp operations) are saved into temporaries first. A call in a conditionally evaluated
position keeps its laziness: the right of `&&`/`||` and the arms of a select become ifs, a
`while`/`do-while` condition is re-evaluated where C would (including at each `continue`), and a
`for` loop whose bound or step contains a call becomes a `while` loop.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Protocol

from portable import ir
from portable.types import BOOL, Type


class _Inliner(Protocol):
    def is_user_call(self, e: ir.Node) -> bool: ...
    def expand(self, call: ir.Call, args: list[ir.Expr], out: list[ir.Stmt],
               want_result: bool) -> ir.Expr | None: ...
    def fresh(self, base: str) -> str: ...


_OBSERVING = (ir.Load, ir.Atomic, ir.Shuffle, ir.Vote, ir.Call)


def _not(e: ir.Expr) -> ir.Expr:
    return ir.Unary(ir.Op.LNOT, e, BOOL, loc=e.loc)


class Lifter:
    """Rewrites bodies of one function; `inl` expands each call site."""

    def __init__(self, inl: _Inliner) -> None:
        self.inl = inl

    def has_call(self, e: ir.Node | None) -> bool:
        return e is not None and any(self.inl.is_user_call(n) for n in ir.walk(e))

    def temp(self, base: str, t: Type, value: ir.Expr | None, out: list[ir.Stmt]) -> ir.Var:
        v = ir.Var(self.inl.fresh(base), t, loc=value.loc if value is not None else ir.NOLOC)
        out.append(ir.Decl(v, value, loc=v.loc))
        return v

    # ------------------------------------------------------------ expressions

    def expr(self, e: ir.Expr, out: list[ir.Stmt]) -> ir.Expr:
        """`e` without user calls; the statements computing them are appended to `out`."""
        if not self.has_call(e):
            return e
        if self.inl.is_user_call(e):
            args = self.operands(list(e.args), out)
            r = self.inl.expand(e, args, out, want_result=True)
            assert r is not None, "a call used as a value returns one"
            return r
        if isinstance(e, ir.Binary) and e.op in ir.LOGICAL and self.has_call(e.rhs):
            t = self.temp("cond", BOOL, self.expr(e.lhs, out), out)
            inner: list[ir.Stmt] = []
            inner.append(ir.Assign(t, self.expr(e.rhs, inner), loc=e.loc))
            guard = t if e.op is ir.Op.LAND else _not(t)
            out.append(ir.If(guard, tuple(inner), loc=e.loc))
            return t
        if isinstance(e, ir.Select) and (self.has_call(e.a) or self.has_call(e.b)):
            cond = self.expr(e.cond, out)
            t = self.temp("sel", e.type, None, out)
            arms = []
            for arm in (e.a, e.b):
                inner = []
                inner.append(ir.Assign(t, self.expr(arm, inner), loc=arm.loc))
                arms.append(tuple(inner))
            out.append(ir.If(cond, arms[0], arms[1], loc=e.loc))
            return t
        return self.rebuild(e, out)

    def operands(self, xs: list[ir.Expr], out: list[ir.Stmt]) -> list[ir.Expr]:
        """Lift `xs` left to right; operands before the last call that a call could change are
        saved first, so they keep their value from before the call (C's left-to-right)."""
        last = max((i for i, x in enumerate(xs) if self.has_call(x)), default=-1)
        res = []
        for i, x in enumerate(xs):
            x = self.expr(x, out)
            if i < last and any(isinstance(n, _OBSERVING) for n in ir.walk(x)):
                x = self.temp("tmp", x.type, x, out)
            res.append(x)
        return res

    def rebuild(self, e: ir.Node, out: list[ir.Stmt]) -> ir.Node:
        """Node `e` with each expression field lifted, in field (= evaluation) order."""
        slots: list[tuple[str, int | None]] = []
        xs: list[ir.Expr] = []
        for f in dataclasses.fields(e):  # type: ignore[arg-type]
            v = getattr(e, f.name)
            if isinstance(v, ir.Expr):
                slots.append((f.name, None))
                xs.append(v)
            elif isinstance(v, tuple) and v and isinstance(v[0], ir.Expr):
                for k, x in enumerate(v):
                    slots.append((f.name, k))
                    xs.append(x)
        new = self.operands(xs, out)
        changes: dict[str, object] = {}
        for (name, k), x in zip(slots, new, strict=True):
            if k is None:
                changes[name] = x
            else:
                cur = list(changes.get(name, getattr(e, name)))  # type: ignore[arg-type]
                cur[k] = x
                changes[name] = tuple(cur)
        return dataclasses.replace(e, **changes)  # type: ignore[type-var]

    # ------------------------------------------------------------ statements

    def body(self, stmts: ir.Body) -> ir.Body:
        out: list[ir.Stmt] = []
        for s in stmts:
            self.stmt(s, out)
        return tuple(out)

    def stmt(self, s: ir.Stmt, out: list[ir.Stmt]) -> None:
        match s:
            case ir.ExprStmt(e) if self.inl.is_user_call(e):
                args = self.operands(list(e.args), out)
                self.inl.expand(e, args, out, want_result=False)
            case ir.If(cond, then, orelse):
                out.append(ir.If(self.expr(cond, out), self.body(then), self.body(orelse),
                                 loc=s.loc))
            case ir.While(cond, body) if self.has_call(cond):
                pre: list[ir.Stmt] = []
                c = self.expr(cond, pre)
                exit_ = ir.If(_not(c), (ir.Break(loc=s.loc),), loc=s.loc)
                out.append(ir.While(ir.TRUE, (*pre, exit_, *self.body(body)), loc=s.loc))
            case ir.While(cond, body):
                out.append(ir.While(cond, self.body(body), loc=s.loc))
            case ir.DoWhile(body, cond) if self.has_call(cond):
                flag = self.temp("again", BOOL, None, out)

                def again() -> tuple[ir.Stmt, ...]:
                    pre: list[ir.Stmt] = []
                    pre.append(ir.Assign(flag, self.expr(cond, pre), loc=cond.loc))
                    return tuple(pre)

                new = _before_continue(self.body(body), again) + again()
                out.append(ir.DoWhile(new, flag, loc=s.loc))
            case ir.DoWhile(body, cond):
                out.append(ir.DoWhile(self.body(body), cond, loc=s.loc))
            case ir.For() if self.has_call(s.stop) or self.has_call(s.step):
                self.for_as_while(s, out)
            case ir.For():
                start = self.expr(s.start, out)
                out.append(dataclasses.replace(s, start=start, body=self.body(s.body)))
            case _ if any(self.has_call(c) for c in ir.children(s) if isinstance(c, ir.Expr)):
                out.append(self.rebuild(s, out))
            case _:
                out.append(s)

    def for_as_while(self, s: ir.For, out: list[ir.Stmt]) -> None:
        """for (v = a; v < f(); v += g()) body -> v = a; while (true) { if (!(v < f())) break;
        body; v += g(); } with each `continue` of the body running the increment first."""
        v = s.var
        out.append(ir.Decl(v, self.expr(s.start, out), loc=s.loc))

        def step() -> tuple[ir.Stmt, ...]:
            pre: list[ir.Stmt] = []
            inc = ir.Binary(ir.Op.ADD, v, self.expr(s.step, pre), v.type, loc=s.step.loc)
            pre.append(ir.Assign(v, inc, loc=s.loc))
            return tuple(pre)

        pre: list[ir.Stmt] = []
        test = ir.Compare(s.cmp, v, self.expr(s.stop, pre), loc=s.stop.loc)
        exit_ = ir.If(_not(test), (ir.Break(loc=s.loc),), loc=s.loc)
        body = _before_continue(self.body(s.body), step)
        out.append(ir.While(ir.TRUE, (*pre, exit_, *body, *step()), loc=s.loc))


def _before_continue(stmts: ir.Body, make: Callable[[], tuple[ir.Stmt, ...]]) -> ir.Body:
    """`stmts` with `make()` inserted before each `continue` of this loop (not inner loops)."""
    out: list[ir.Stmt] = []
    for s in stmts:
        if isinstance(s, ir.Continue):
            out += [*make(), s]
        elif isinstance(s, ir.If):
            out.append(ir.If(s.cond, _before_continue(s.then, make),
                             _before_continue(s.orelse, make), loc=s.loc))
        else:
            out.append(s)
    return tuple(out)
