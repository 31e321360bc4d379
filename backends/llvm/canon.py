"""Canonicalisation before planning: counted `while` loops become `for` loops, and variables
re-assigned at the top level get one name per assignment.

CUDA's grid-stride idiom is often written as

    unsigned i = blockIdx.x * blockDim.x + threadIdx.x;   // thread-dependent start
    ...                                                    // nothing that touches i
    while (i < n) { body; i += stride; }                   // i used nowhere else

The planner interchanges thread-strided `for` loops (see plan._Planner.interchangeable), so that
consecutive threads touch consecutive elements inside a vectorisable thread loop; this pass lets
the `while` spelling get the same treatment. It is exact: the rewritten loop evaluates the same
start once, the same condition before every iteration and the same increment after it.
"""

from __future__ import annotations

import dataclasses

from portable import ir
from portable.ir import Op
from portable.semantics import INTRINSICS
from portable.types import Scalar

_CMPS = (Op.LT, Op.LE, Op.GT, Op.GE, Op.NE)


def split_versions(fn: ir.Function) -> ir.Function:
    """A variable whose every definition is a statement of the kernel's top-level body (say
    `x = ...` again after a barrier) gets a fresh name at each re-definition, so each version has
    one definition: the planner can then recompute it from the thread index in every region
    instead of keeping it in a per-thread array (plan._Planner.rematerialisable)."""
    defs: dict[str, list] = {}
    for n in ir.walk(fn):
        if isinstance(n, (ir.Decl, ir.Assign, ir.For)):
            defs.setdefault(n.var.name, []).append(n)
        elif isinstance(n, ir.AddrOf) and isinstance(n.base, ir.Var):
            defs.setdefault(n.base.name, []).append(n)  # never a candidate
    top = {id(s) for s in fn.body}
    cands = {v for v, ds in defs.items() if len(ds) > 1 and isinstance(ds[0], ir.Decl)
             and all(isinstance(d, (ir.Decl, ir.Assign)) and id(d) in top for d in ds)
             and isinstance(ds[0].var.type, Scalar)}
    if not cands:
        return fn
    names = {n.name for n in ir.walk(fn) if isinstance(n, ir.Var)}
    current: dict[str, str] = {}
    count: dict[str, int] = {}
    ren = _Rename(current)
    out = []
    for s in fn.body:
        if isinstance(s, (ir.Decl, ir.Assign)) and s.var.name in cands:
            value = s.init if isinstance(s, ir.Decl) else s.value
            value = ren.visit(value) if value is not None else None
            v = s.var.name
            k = count[v] = count.get(v, -1) + 1
            new = v
            while k and new in names:
                new = f"{v}__v{k}"
                k += 1
            names.add(new)
            current[v] = new
            out.append(ir.Decl(ir.Var(new, s.var.type, loc=s.var.loc), value, loc=s.loc))
        else:
            out.append(ren.visit(s))
    return dataclasses.replace(fn, body=tuple(out))


class _Rename(ir.Transformer):
    def __init__(self, current: dict[str, str]) -> None:
        self.current = current

    def visit_Var(self, v: ir.Var) -> ir.Var:
        new = self.current.get(v.name)
        return v if new is None or new == v.name else dataclasses.replace(v, name=new)


def while_to_for(fn: ir.Function) -> ir.Function:
    """`fn` with every counted while loop of the form above written as a `for` loop."""
    if not any(isinstance(n, ir.While) for n in ir.walk(fn)):
        return fn
    body = _body(fn.body)
    return fn if body is fn.body else dataclasses.replace(fn, body=body)


def _body(body: ir.Body) -> ir.Body:
    out = [_stmt(s) for s in body]
    changed = any(a is not b for a, b in zip(out, body, strict=True))
    i = 0
    while i < len(out):
        s = out[i]
        if isinstance(s, ir.Decl) and s.init is not None:
            j = _rewrite_at(out, i)
            if j is not None:
                changed = True
                continue
        i += 1
    return tuple(out) if changed else body


def _stmt(s: ir.Stmt) -> ir.Stmt:
    match s:
        case ir.If(_, then, orelse):
            t, e = _body(then), _body(orelse)
            return s if (t is then and e is orelse) else dataclasses.replace(s, then=t, orelse=e)
        case ir.For() | ir.While() | ir.DoWhile():
            b = _body(s.body)
            return s if b is s.body else dataclasses.replace(s, body=b)
    return s


def _rewrite_at(out: list, i: int) -> int | None:
    """Rewrite the while loop that counts with the variable declared at out[i], in place."""
    d: ir.Decl = out[i]
    v = d.var
    if not (isinstance(v.type, Scalar) and v.type.is_int) or not _pure(d.init):
        return None
    reads = {n.name for n in ir.walk(d.init) if isinstance(n, ir.Var)}
    for j in range(i + 1, len(out)):
        s = out[j]
        if isinstance(s, ir.While) and _counted(s, v):
            if any(_mentions(x, {v.name}) for x in out[j + 1:]):
                return None
            inc = s.body[-1]
            f = ir.For(v, d.init, s.cond.rhs, inc.value.rhs, s.body[:-1], s.cond.op, loc=s.loc)
            out[j] = f
            del out[i]
            return j - 1
        if _mentions(s, {v.name}) or _assigns(s, reads):
            return None
    return None


def _counted(w: ir.While, v: ir.Var) -> bool:
    c = w.cond
    if not (isinstance(c, ir.Compare) and c.op in _CMPS and c.lhs == v):
        return False
    if not w.body or _mentions(c.rhs, {v.name}) or _warp(c.rhs):
        return False
    inc = w.body[-1]
    if not (isinstance(inc, ir.Assign) and inc.var == v and isinstance(inc.value, ir.Binary)
            and inc.value.op is Op.ADD and inc.value.lhs == v and inc.value.type == v.type
            and not _mentions(inc.value.rhs, {v.name}) and not _warp(inc.value.rhs)):
        return False
    rest = w.body[:-1]
    if any(_assigns(s, {v.name}) for s in rest) or any(
            isinstance(n, ir.AddrOf) and n.base == v for n in ir.walk(rest)):
        return False
    return not _continues(rest)


def _continues(body: ir.Body) -> bool:
    """A `continue` aimed at the loop whose body this is (it would skip the increment)."""
    for s in body:
        match s:
            case ir.Continue():
                return True
            case ir.If(_, then, orelse):
                if _continues(then) or _continues(orelse):
                    return True
    return False


def _pure(e: ir.Expr) -> bool:
    for n in ir.walk(e):
        if isinstance(n, (ir.Load, ir.Atomic, ir.Shuffle, ir.Vote, ir.Global)):
            return False
        if isinstance(n, ir.Call) and n.fn not in INTRINSICS:
            return False
    return True


def _warp(e: ir.Expr) -> bool:
    return any(isinstance(n, (ir.Shuffle, ir.Vote)) for n in ir.walk(e))


def _mentions(x: ir.Node, names: set[str]) -> bool:
    return any(isinstance(n, ir.Var) and n.name in names for n in ir.walk(x))


def _assigns(x: ir.Node, names: set[str]) -> bool:
    for n in ir.walk(x):
        if isinstance(n, (ir.Decl, ir.Assign, ir.For)) and n.var.name in names:
            return True
        if isinstance(n, ir.AddrOf) and isinstance(n.base, ir.Var) and n.base.name in names:
            return True
    return False
