"""Lowering a callee's `return`s for inlining: the body becomes straight-line structure that
assigns a result variable and falls off its end.

Outside loops, an `if` whose branch always returns takes the rest of the sequence into its
other branch (`if (c) return a; return b;` -> `if (c) r = a; else r = b;`). A return inside a loop
sets a `done` flag and breaks; after such a loop (or an `if` that returns on some paths only)
the rest is guarded by `if (!done)`, or by `if (done) break;` inside an enclosing loop. The flag
is removed when no guard reads it.
"""

from __future__ import annotations

from collections.abc import Callable

from portable import ir
from portable.types import BOOL, Void

_LOOPS = (ir.For, ir.While, ir.DoWhile)


def has_return(s: ir.Stmt | ir.Body) -> bool:
    return any(isinstance(n, ir.Return) for n in ir.walk(s))


def always_returns(stmts: ir.Body) -> bool:
    """Every path through `stmts` ends in a return (loops are assumed to fall through)."""
    for s in stmts:
        if isinstance(s, ir.Return):
            return True
        if isinstance(s, ir.If) and always_returns(s.then) and always_returns(s.orelse):
            return True
    return False


def _simple(e: ir.Expr) -> bool:
    return isinstance(e, (ir.Const, ir.Var, ir.Param, ir.Special))


def _effects(e: ir.Expr) -> bool:
    return any(isinstance(n, (ir.Atomic, ir.Shuffle, ir.Vote, ir.Call)) for n in ir.walk(e))


class _Lowering:
    def __init__(self, result: ir.Var | None, done: ir.Var) -> None:
        self.result = result
        self.done = done
        self.read_done = False

    def ret(self, s: ir.Return, in_loop: bool) -> list[ir.Stmt]:
        out: list[ir.Stmt] = []
        if s.value is not None:
            if self.result is not None:
                out.append(ir.Assign(self.result, s.value, loc=s.loc))
            elif _effects(s.value):
                out.append(ir.ExprStmt(s.value, loc=s.loc))
        out.append(ir.Assign(self.done, ir.TRUE, loc=s.loc))
        if in_loop:
            out.append(ir.Break(loc=s.loc))
        return out

    def seq(self, stmts: ir.Body, in_loop: bool) -> tuple[ir.Stmt, ...]:
        out: list[ir.Stmt] = []
        for i, s in enumerate(stmts):
            rest = stmts[i + 1:]
            if isinstance(s, ir.Return):
                out += self.ret(s, in_loop)
                return tuple(out)  # the rest is unreachable
            if not has_return(s):
                out.append(s)
                continue
            if isinstance(s, ir.If):
                t, e = always_returns(s.then), always_returns(s.orelse)
                if not in_loop and (t or e):
                    then = s.then if t else s.then + rest
                    orelse = s.orelse if e else s.orelse + rest
                    out.append(ir.If(s.cond, self.seq(then, False), self.seq(orelse, False),
                                     loc=s.loc))
                    return tuple(out)
                out.append(ir.If(s.cond, self.seq(s.then, in_loop), self.seq(s.orelse, in_loop),
                                 loc=s.loc))
            elif isinstance(s, ir.For):
                out.append(ir.For(s.var, s.start, s.stop, s.step, self.seq(s.body, True), s.cmp,
                                  loc=s.loc))
            elif isinstance(s, ir.While):
                out.append(ir.While(s.cond, self.seq(s.body, True), loc=s.loc))
            elif isinstance(s, ir.DoWhile):
                out.append(ir.DoWhile(self.seq(s.body, True), s.cond, loc=s.loc))
            else:  # pragma: no cover - only compound statements hold returns
                raise AssertionError(type(s).__name__)
            if not rest or (in_loop and isinstance(s, ir.If)):
                continue  # a return inside an if in a loop has already left the loop
            self.read_done = True
            if in_loop:
                out.append(ir.If(self.done, (ir.Break(loc=s.loc),), loc=s.loc))
            else:
                guard = ir.Unary(ir.Op.LNOT, self.done, BOOL, loc=s.loc)
                out.append(ir.If(guard, self.seq(rest, False), loc=s.loc))
                return tuple(out)
        return tuple(out)


class _DropFlag(ir.Transformer):
    def __init__(self, name: str) -> None:
        self.name = name

    def visit_Assign(self, s: ir.Assign):
        return () if s.var.name == self.name else s

    def visit_If(self, s: ir.If):
        if s.then or not s.orelse:
            return s if s.then or s.orelse or _effects(s.cond) else ()
        return ir.If(ir.Unary(ir.Op.LNOT, s.cond, BOOL, loc=s.cond.loc), s.orelse, loc=s.loc)


def lower_returns(body: ir.Body, callee: ir.Function, fresh: Callable[[str], str],
                  call: ir.Call, want_result: bool) -> tuple[list[ir.Stmt], ir.Expr | None]:
    """`body` (renamed, parameters bound) as statements without returns, and the call's value.

    The value is an expression that stays valid after the statements (a Var or a constant),
    or None for a void callee or when the value is unused."""
    void = isinstance(callee.ret, Void)
    rets = [n for n in ir.walk(body) if isinstance(n, ir.Return)]
    if not rets:
        return list(body), None
    last = body[-1] if body else None
    if len(rets) == 1 and rets[0] is last:
        stmts = list(body[:-1])
        v = last.value
        if v is None or void:
            return stmts, None
        if not want_result:
            if _effects(v):
                stmts.append(ir.ExprStmt(v, loc=last.loc))
            return stmts, None
        if _simple(v):
            return stmts, v
        r = ir.Var(fresh(f"{callee.name}_result"), callee.ret, loc=call.loc)
        return stmts + [ir.Decl(r, v, loc=last.loc)], r
    result = None if void else ir.Var(fresh(f"{callee.name}_result"), callee.ret, loc=call.loc)
    done = ir.Var(fresh(f"{callee.name}_done"), BOOL, loc=call.loc)
    low = _Lowering(result, done)
    lowered = low.seq(body, False)
    out: list[ir.Stmt] = []
    if result is not None:
        out.append(ir.Decl(result, loc=call.loc))
    if low.read_done:
        out.append(ir.Decl(done, ir.FALSE, loc=call.loc))
    else:
        lowered = _DropFlag(done.name).body(lowered)
    out.extend(lowered)
    return out, result if want_result else None
