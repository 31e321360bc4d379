"""The one C-style renderer: prints legalised IR through a dialect table (STYLE 6).

The renderer is a printer: it never changes meaning. Everything a dialect cannot say has been
rewritten by `legalize` into IR the dialect can say (mostly calls of `port_*` helpers whose C text
the dialect supplies in its prelude). Expressions are printed with C precedence, so the output
carries the parentheses a person would write and no more.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from portable import ir
from portable.ir import Op
from portable.types import Array, Pointer, Scalar, Space

if TYPE_CHECKING:
    from portable.backends.cfamily.dialect import Dialect
    from portable.backends.cfamily.legalize import Legal

# C precedence, higher binds tighter
PREC = {
    Op.MUL: 13, Op.DIV: 13, Op.MOD: 13, Op.ADD: 12, Op.SUB: 12, Op.SHL: 11, Op.SHR: 11,
    Op.LT: 10, Op.LE: 10, Op.GT: 10, Op.GE: 10, Op.EQ: 9, Op.NE: 9, Op.AND: 8, Op.XOR: 7,
    Op.OR: 6, Op.LAND: 5, Op.LOR: 4,
}
ATOM, UNARY_PREC, TERNARY = 16, 15, 3
# operands of these ops get parentheses even where precedence makes them redundant, as a
# reader (and -Wparentheses) expects: a & (b + c), (a << 2) | b, (a && b) || c
_CLARIFY = {Op.AND, Op.OR, Op.XOR, Op.SHL, Op.SHR, Op.LOR}


class Renderer:
    """Renders one legalised kernel with `dialect`."""

    def __init__(self, dialect: Dialect, legal: Legal) -> None:
        self.d = dialect
        self.legal = legal
        self.indent = dialect.indent

    # ------------------------------------------------------------ expressions

    def expr(self, e: ir.Expr, need: int = 0) -> str:
        text, prec = self._expr(e)
        return f"({text})" if prec < need else text

    def _expr(self, e: ir.Expr) -> tuple[str, int]:
        d = self.d
        match e:
            case ir.Const():
                text = d.const(e.value, e.type)
                return text, (UNARY_PREC if text.startswith("-") else ATOM)
            case ir.Var() | ir.Param():
                return d.ident(e.name), ATOM
            case ir.Global():
                return d.ident(e.name), ATOM
            case ir.Special():
                text = d.special(e.reg, e.dim, e.type)
                return text, (UNARY_PREC if text.startswith("(") else ATOM)
            case ir.Unary():
                inner = self.expr(e.value, UNARY_PREC)
                if e.op is Op.NEG and inner.startswith("-"):
                    inner = f"({inner})"
                return d.narrow(f"{e.op.symbol}{inner}", e.type), UNARY_PREC
            case ir.Binary():
                return self._binary(e)
            case ir.Compare():
                p = PREC[e.op]
                return f"{self.expr(e.lhs, p)} {e.op.value} {self.expr(e.rhs, p + 1)}", p
            case ir.Select():
                c = self.expr(e.cond, TERNARY + 1)
                return f"{c} ? {self.expr(e.a, TERNARY)} : {self.expr(e.b, TERNARY)}", TERNARY
            case ir.Cast():
                return self._cast(e)
            case ir.Load():
                return self._access(e.base, e.index), ATOM
            case ir.AddrOf():
                if not e.index:
                    return f"&{self.expr(e.base, UNARY_PREC)}", UNARY_PREC
                return f"&{self._access(e.base, e.index)}", UNARY_PREC
            case ir.Call():
                args = [self.expr(a) for a in e.args]
                if e.fn.startswith("port_"):
                    return f"{e.fn}({', '.join(args)})", ATOM
                return d.call(e.fn, args, tuple(a.type for a in e.args), e.type), ATOM
            case ir.Atomic():
                addr = f"&{self._access(e.base, e.index)}"
                cmp = self.expr(e.compare) if e.compare is not None else None
                return d.atomic(e.op, addr, self.expr(e.value), cmp, e.type,
                                self._access(e.base, e.index)), ATOM
            case ir.Shuffle():
                return d.shuffle(e.op, self.expr(e.mask), self.expr(e.value),
                                 self.expr(e.lane), self._width(e.width), e.type), ATOM
            case ir.Vote():
                mask = self.expr(e.mask) if e.mask is not None else None
                pred = self.expr(e.pred) if e.pred is not None else None
                return d.vote(e.op, mask, pred, e.type), ATOM
            case ir.Field():
                return d.field(self.expr(e.value, ATOM), e.name), ATOM
            case ir.Pack():
                return d.pack(e.type, [self.expr(v) for v in e.values]), ATOM
        raise TypeError(f"cfamily renderer: unknown expression {type(e).__name__}")

    def _width(self, w: ir.Expr) -> str | None:
        """None for the default full-warp width, so the output omits it."""
        if isinstance(w, ir.Const) and w.value == 32:
            return None
        return self.expr(w)

    def _binary(self, e: ir.Binary) -> tuple[str, int]:
        op, p = e.op, PREC[e.op]
        lhs, lp = self._expr(e.lhs)
        rhs, rp = self._expr(e.rhs)
        lneed = p + (1 if op in _CLARIFY and lp != p else 0)
        if op in _CLARIFY and isinstance(e.lhs, ir.Binary) and e.lhs.op is not op:
            lneed = max(lneed, ATOM)
        rneed = p + 1
        if op in _CLARIFY and isinstance(e.rhs, ir.Binary):
            rneed = ATOM
        if op is Op.LOR and isinstance(e.lhs, ir.Binary) and e.lhs.op is Op.LAND:
            lneed = ATOM
        lhs = f"({lhs})" if lp < lneed else lhs
        rhs = f"({rhs})" if rp < rneed else rhs
        text = f"{lhs} {op.value} {rhs}"
        narrowed = self.d.narrow(text, e.type)
        return narrowed, (p if narrowed is text else ATOM)

    def _cast(self, e: ir.Cast) -> tuple[str, int]:
        src, dst = e.value.type, e.type
        if src == dst:
            return self._expr(e.value)
        if isinstance(e.value, ir.Special) and self.d.typed_specials and \
                isinstance(dst, Scalar) and dst.is_int:
            # get_local_id(0) is a size_t: one cast to the wanted type, not two
            return self.d.special(e.value.reg, e.value.dim, dst), UNARY_PREC
        text = self.d.cast(self.expr(e.value, UNARY_PREC), self.expr(e.value), src, dst)
        return text, (UNARY_PREC if text.startswith("(") and not _wrapped(text) else ATOM)

    def _access(self, base: ir.Expr, index: tuple[ir.Expr, ...]) -> str:
        b = self.expr(base, ATOM)
        if not index:
            return b if not isinstance(base.type, Pointer) else f"*{b}"
        return b + "".join(f"[{self.expr(i)}]" for i in index)

    # ------------------------------------------------------------ statements

    def body(self, stmts: ir.Body, depth: int) -> list[str]:
        out: list[str] = []
        for s in stmts:
            out.extend(self.stmt(s, depth))
        return out

    def _notes(self, s: ir.Stmt, pad: str) -> list[str]:
        """A comment above each statement that uses an emulated construct, naming its code."""
        out = []
        for n in shallow(s):
            if isinstance(n, ir.Call) and n.fn in self.legal.notes:
                line = f"{pad}// {self.legal.notes[n.fn]}"
                if line not in out:
                    out.append(line)
        return out

    def stmt(self, s: ir.Stmt, depth: int) -> list[str]:
        pad = self.indent * depth
        notes = self._notes(s, pad)
        return notes + self._stmt(s, depth, pad)

    def _block(self, head: str, body: ir.Body, depth: int, tail: str = "}") -> list[str]:
        pad = self.indent * depth
        return [f"{pad}{head} {{", *self.body(body, depth + 1), f"{pad}{tail}"]

    def _stmt(self, s: ir.Stmt, depth: int, pad: str) -> list[str]:
        d = self.d
        match s:
            case ir.Decl(var, init):
                text = d.declare(var.name, var.type, _space(var.type))
                if init is not None:
                    text += f" = {self.expr(init, TERNARY)}"
                return [f"{pad}{text};"]
            case ir.Assign(var, value):
                return [f"{pad}{self._assign(d.ident(var.name), var, value)};"]
            case ir.Store(base, index, value):
                return [f"{pad}{self._access(base, index)} = {self.expr(value, TERNARY)};"]
            case ir.ExprStmt(e):
                return [f"{pad}{self.expr(e)};"]
            case ir.If(cond, then, orelse):
                lines = self._block(f"if ({self.expr(cond)})", then, depth)
                while orelse:
                    if len(orelse) == 1 and isinstance(orelse[0], ir.If) and \
                            not self._notes(orelse[0], ""):
                        inner = orelse[0]
                        lines[-1] = f"{pad}}} else if ({self.expr(inner.cond)}) {{"
                        lines += [*self.body(inner.then, depth + 1), f"{pad}}}"]
                        orelse = inner.orelse
                        continue
                    lines[-1] = f"{pad}}} else {{"
                    lines += [*self.body(orelse, depth + 1), f"{pad}}}"]
                    break
                return lines
            case ir.For(var, start, stop, step, body, cmp):
                v = d.ident(var.name)
                head = (f"for ({d.declare(var.name, var.type, None)} = {self.expr(start)}; "
                        f"{v} {cmp.value} {self.expr(stop, PREC[cmp] + 1)}; "
                        f"{self._step(v, var, step)})")
                return self._block(head, body, depth)
            case ir.While(cond, body):
                return self._block(f"while ({self.expr(cond)})", body, depth)
            case ir.DoWhile(body, cond):
                return self._block("do", body, depth, f"}} while ({self.expr(cond)});")
            case ir.Break():
                return [f"{pad}break;"]
            case ir.Continue():
                return [f"{pad}continue;"]
            case ir.Return(value):
                return [f"{pad}return" + (f" {self.expr(value)}" if value is not None else "")
                        + ";"]
            case ir.Barrier(op, mask):
                m = self.expr(mask) if mask is not None else None
                return [f"{pad}{line};" for line in d.barrier(op, m)]
            case ir.Print(fmt, args):
                return [f"{pad}{d.printf(fmt, [self.expr(a) for a in args])};"]
        raise TypeError(f"cfamily renderer: unknown statement {type(s).__name__}")

    def _assign(self, name: str, var: ir.Var, value: ir.Expr) -> str:
        """x = x + 1 prints as x += 1 (or x++), as a person writes it."""
        if isinstance(value, ir.Binary) and value.lhs == var and \
                value.op in (Op.ADD, Op.SUB, Op.MUL, Op.DIV, Op.MOD, Op.AND, Op.OR, Op.XOR,
                             Op.SHL, Op.SHR) and self.d.narrow("x", var.type) == "x":
            r = value.rhs
            if isinstance(r, ir.Const) and r.value == 1 and value.op in (Op.ADD, Op.SUB) \
                    and isinstance(var.type, Scalar) and var.type.is_int:
                return f"{name}{value.op.value * 2}"
            return f"{name} {value.op.value}= {self.expr(r, TERNARY)}"
        return f"{name} = {self.expr(value, TERNARY)}"

    def _step(self, v: str, var: ir.Var, step: ir.Expr) -> str:
        if isinstance(step, ir.Const) and step.value == 1:
            return f"{v}++"
        if isinstance(step, ir.Const) and isinstance(step.value, int) and step.value < 0:
            return f"{v} -= {-step.value}" if step.value != -1 else f"{v}--"
        return f"{v} += {self.expr(step, TERNARY)}"

    # ------------------------------------------------------------ the kernel

    def kernel(self, fn: ir.Function) -> str:
        """The kernel's full text (signature, kernel-scope declarations, body)."""
        d = self.d
        lines = list(d.kernel_open(fn, self.legal))
        depth = d.body_depth
        pad = self.indent * depth
        for v in fn.shared:
            lines.append(f"{pad}{d.shared_decl(v.name, v.type)};")
        for v in fn.dynamic_shared:
            lines.append(f"{pad}{d.dynamic_shared_decl(v.name, v.type)};")
        for line in d.kernel_scope(self.legal):
            lines.append(f"{pad}{line}")
        lines += self.body(fn.body, depth)
        lines += d.kernel_close(fn, self.legal)
        return "\n".join(lines) + "\n"


def _wrapped(text: str) -> bool:
    """True when the first "(" of `text` closes at its last character: (a != 0), not (int)a."""
    depth = 0
    for i, ch in enumerate(text):
        depth += ch == "("
        depth -= ch == ")"
        if depth == 0:
            return i == len(text) - 1
    return False


def _space(t) -> Space | None:
    return t.space if isinstance(t, Array) else None


def shallow(s: ir.Stmt):
    """The expression nodes of `s` itself, not those of nested statements."""
    for c in ir.children(s):
        if isinstance(c, ir.Expr):
            yield from ir.walk(c)
