"""Memory-effect summary: which pointer parameters a kernel reads, writes or updates atomically."""

from __future__ import annotations

from portable import ir
from portable.types import Pointer


def _roots(e: ir.Expr, alias: dict[str, set[str]]) -> set[str]:
    """Pointer parameters that the pointer-valued expression `e` may point into."""
    out: set[str] = set()
    for n in ir.walk(e):
        if isinstance(n, ir.Param) and isinstance(n.type, Pointer):
            out.add(n.name)
        elif isinstance(n, ir.Var) and n.name in alias:
            out |= alias[n.name]
    return out


def effects(fn: ir.Function) -> dict[str, set[str]]:
    """{param name: subset of {"read", "write", "atomic"}} for every pointer parameter."""
    alias: dict[str, set[str]] = {}
    nodes = list(ir.walk(fn))
    # pointer-typed locals alias the parameters they are computed from (iterate to a fixpoint)
    changed = True
    while changed:
        changed = False
        for n in nodes:
            if isinstance(n, (ir.Decl, ir.Assign)) and isinstance(n.var.type, Pointer):
                value = n.init if isinstance(n, ir.Decl) else n.value
                if value is None:
                    continue
                r = _roots(value, alias)
                if not r <= alias.get(n.var.name, set()):
                    alias.setdefault(n.var.name, set()).update(r)
                    changed = True
    out = {p.name: set() for p in fn.params if isinstance(p.type, Pointer)}
    for n in nodes:
        kind = {ir.Load: "read", ir.Store: "write", ir.Atomic: "atomic"}.get(type(n))
        if kind:
            for r in _roots(n.base, alias):
                out[r].add(kind)
    return out


def written(fn: ir.Function) -> set[str]:
    """Pointer parameters stored to or atomically updated."""
    return {p for p, k in effects(fn).items() if k & {"write", "atomic"}}
