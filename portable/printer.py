"""One canonical text form of the IR: `str(kernel.ir)`. Deterministic; golden files compare it."""

from __future__ import annotations

from portable import ir
from portable.types import Scalar


def expr(e: ir.Expr) -> str:
    """An expression as one line."""
    m = _EXPR.get(type(e))
    if m is None:
        raise TypeError(f"printer: unknown expression {type(e).__name__}")
    return m(e)


def _const(e: ir.Const) -> str:
    v = e.value
    if isinstance(e.type, Scalar) and e.type.is_float:
        v = repr(float(v))
    elif isinstance(v, bool):
        v = "true" if v else "false"
    return f"{v}:{e.type}"


def _idx(index: tuple[ir.Expr, ...]) -> str:
    return "".join(f"[{expr(i)}]" for i in index)


def _args(*xs: ir.Expr | None) -> str:
    return ", ".join(expr(x) for x in xs if x is not None)


_EXPR = {
    ir.Const: _const,
    ir.Var: lambda e: e.name,
    ir.Param: lambda e: f"%{e.name}",
    ir.Global: lambda e: f"@{e.name}",
    ir.Special: lambda e: e.reg.value + ("" if e.reg in (ir.Sreg.WARPSIZE, ir.Sreg.LANEID)
                                         else "." + "xyz"[e.dim]),
    ir.Unary: lambda e: f"({e.op.symbol}{expr(e.value)})",
    ir.Binary: lambda e: f"({expr(e.lhs)} {e.op.value} {expr(e.rhs)})",
    ir.Compare: lambda e: f"({expr(e.lhs)} {e.op.value} {expr(e.rhs)})",
    ir.Select: lambda e: f"({expr(e.cond)} ? {expr(e.a)} : {expr(e.b)})",
    ir.Cast: lambda e: f"{e.type}({expr(e.value)})",
    ir.Load: lambda e: f"{expr(e.base)}{_idx(e.index)}",
    ir.AddrOf: lambda e: f"&{expr(e.base)}{_idx(e.index)}",
    ir.Call: lambda e: f"{e.fn}:{e.type}({_args(*e.args)})",
    ir.Atomic: lambda e: f"{e.op.value}:{e.type}(&{expr(e.base)}{_idx(e.index)}, "
                         f"{_args(e.compare, e.value)})",
    ir.Shuffle: lambda e: f"{e.op.value}:{e.type}({_args(e.mask, e.value, e.lane, e.width)})",
    ir.Vote: lambda e: f"{e.op.value}:{e.type}({_args(e.mask, e.pred)})",
    ir.Field: lambda e: f"{expr(e.value)}.{e.name}",
    ir.Pack: lambda e: f"{e.type}{{{_args(*e.values)}}}",
}


def stmts(body: ir.Body, depth: int = 1) -> list[str]:
    out: list[str] = []
    for s in body:
        out.extend(stmt(s, depth))
    return out


def _block(head: str, body: ir.Body, depth: int, tail: str = "}") -> list[str]:
    pad = "  " * depth
    return [f"{pad}{head} {{", *stmts(body, depth + 1), f"{pad}{tail}"]


def stmt(s: ir.Stmt, depth: int = 1) -> list[str]:
    """A statement as indented lines."""
    pad = "  " * depth
    match s:
        case ir.Decl(var, init):
            rhs = f" = {expr(init)}" if init is not None else ""
            return [f"{pad}var {var.name}: {var.type}{rhs}"]
        case ir.Assign(var, value):
            return [f"{pad}{var.name} = {expr(value)}"]
        case ir.Store(base, index, value):
            return [f"{pad}{expr(base)}{_idx(index)} = {expr(value)}"]
        case ir.ExprStmt(e):
            return [f"{pad}{expr(e)}"]
        case ir.If(cond, then, orelse):
            lines = _block(f"if {expr(cond)}", then, depth)
            if orelse:
                lines[-1:] = _block("} else", orelse, depth)
            return lines
        case ir.For(var, start, stop, step, body, cmp):
            head = (f"for {var.name}: {var.type} = {expr(start)}; {var.name} {cmp.value} "
                    f"{expr(stop)}; += {expr(step)}")
            return _block(head, body, depth)
        case ir.While(cond, body):
            return _block(f"while {expr(cond)}", body, depth)
        case ir.DoWhile(body, cond):
            return _block("do", body, depth, f"}} while {expr(cond)}")
        case ir.Break():
            return [f"{pad}break"]
        case ir.Continue():
            return [f"{pad}continue"]
        case ir.Return(value):
            return [f"{pad}return" + (f" {expr(value)}" if value is not None else "")]
        case ir.Barrier(op, mask):
            return [f"{pad}{op.value}" + (f"({expr(mask)})" if mask is not None else "")]
        case ir.Print(fmt, args):
            return [f"{pad}printf({fmt!r}{''.join(', ' + expr(a) for a in args)})"]
    raise TypeError(f"printer: unknown statement {type(s).__name__}")


def function(fn: ir.Function) -> str:
    """A whole function: signature, shared arrays, body."""
    kind = "kernel" if fn.kernel else f"device {fn.ret}"
    params = ", ".join(f"%{p.name}: {p.type}" for p in fn.params)
    lines = [f"{kind} {fn.name}({params}) {{"]
    lines += [f"  shared {v.name}: {v.type}" for v in fn.shared]
    lines += [f"  extern shared {v.name}: {v.type}" for v in fn.dynamic_shared]
    lines += stmts(fn.body)
    lines.append("}")
    return "\n".join(lines)


def module(m: ir.ModuleIR) -> str:
    out = []
    for g in m.globals:
        init = f" = {list(g.init)}" if g.init is not None else ""
        out.append(f"{g.space.value} @{g.name}: {g.type}{init}")
    out.extend(function(f) for f in m.functions)
    return "\n\n".join(out) + "\n"
