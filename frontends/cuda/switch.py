"""`switch` -> an `If` chain. Each case runs its statements and falls through to the next
case's until a top-level `break` (C's semantics, by duplicating the shared tail). A `break`
nested deeper (inside an `if` in a case) leaves the switch: the chain is then wrapped in a
`do { } while (false)` so that the IR's `break` means the same thing."""

from __future__ import annotations

from portable import ir
from portable.builtins import convert
from portable.ir import Op
from portable.types import BOOL

from . import clang
from .context import Loop
from .exprs import kids


def lower_switch(tr, c) -> None:
    ks = kids(c)
    loc = tr.loc(c)
    for k in ks[:-2]:  # C++17 init-statement
        tr.stmt(k)
    cond_c, body = ks[-2], ks[-1]
    if cond_c.kind.name == "VAR_DECL":
        raise tr.fail("PORT1001", "declaration in a switch condition", cond_c,
                      "declare the variable before the switch")
    value = tr.expr(cond_c)
    if not isinstance(value, (ir.Var, ir.Param, ir.Const)):
        value = tr.temp(value, "sw", loc)

    items: list[tuple[str, object]] = []

    def flatten(s) -> None:
        k = s.kind.name
        if k == "CASE_STMT":
            ch = kids(s)
            if len(ch) > 2:
                raise tr.fail("PORT1001", "case ranges are not supported", s,
                              "list the cases one by one")
            v = clang.evaluate(ch[0])
            if v is None:
                raise tr.fail("PORT1001", "case label is not a constant", ch[0])
            items.append(("case", v))
            flatten(ch[-1])
        elif k == "DEFAULT_STMT":
            items.append(("default", None))
            flatten(kids(s)[-1])
        else:
            items.append(("stmt", s))

    for s in (kids(body) if body.kind.name == "COMPOUND_STMT" else [body]):
        flatten(s)

    stmts: list = []
    groups: list[tuple[list, int]] = []
    pending: list = []
    for kind, x in items:
        if kind == "stmt":
            if pending:
                groups.append((pending, len(stmts)))
                pending = []
            stmts.append(x)
        else:
            pending.append((kind, x))
    if pending:
        groups.append((pending, len(stmts)))

    ctx = Loop("switch")
    tr.loops.append(ctx)
    try:
        branches = []
        default_body: tuple[ir.Stmt, ...] | None = None
        for labels, start in groups:
            with tr.capture() as out:
                for s in stmts[start:]:
                    if s.kind.name == "BREAK_STMT":
                        break
                    tr.stmt(s)
            if any(kind == "default" for kind, _ in labels):
                default_body = tuple(out)
                continue
            conds = [ir.Compare(Op.EQ, value, convert(ir.const(v, value.type, loc), value.type),
                                loc=loc) for _, v in labels]
            cond = conds[0]
            for more in conds[1:]:
                cond = ir.Binary(Op.LOR, cond, more, BOOL, loc=loc)
            branches.append((cond, tuple(out)))
    finally:
        tr.loops.pop()

    chain: tuple[ir.Stmt, ...] = default_body or ()
    for cond, b in reversed(branches):
        chain = (ir.If(cond, b, chain, loc=loc),)
    if ctx.breaks:
        if ctx.continues:
            raise tr.fail("PORT1001", "a switch with both a nested break and a continue", c,
                          "move the break to the end of its case, or use if/else")
        chain = (ir.DoWhile(chain, ir.FALSE, loc=loc),)
    tr.emit(chain)
