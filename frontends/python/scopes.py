"""Where each local variable of a Python kernel is declared in the IR.

Python has function scope; the IR (and the C it becomes) has block scope. A pre-pass records every
occurrence of every name with the path of statement lists leading to it, then:

- a name whose every store is a `for ... in range` target and whose every load sits inside such
  a loop is a *loop variable*: the IR `For` declares it;
- otherwise the declaration goes into the innermost block holding every occurrence, at the
  statement where the name first occurs, with that statement's value as initialiser when the
  statement is a plain assignment directly in the block (so every execution of the block defines
  the name before any use, even inside a loop);
- failing that, an uninitialised declaration goes at the top level, just before the top-level
  statement that first mentions the name, outside every loop.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

Path = tuple[tuple[int, int], ...]  # ((id of the statement list, index in it), ...)


@dataclass
class Occurrence:
    store: bool
    path: Path
    for_target: bool
    simple_def: bool  # a plain `name = value` (or tuple unpacking) statement
    loops: tuple[int, ...]  # ids of enclosing `for` statements whose target is this name


@dataclass
class Plan:
    """How the lowerer declares each name."""

    loop_vars: set[str] = field(default_factory=set)
    init_at: dict[tuple[int, int], set[str]] = field(default_factory=dict)  # (block, idx) -> names
    top_at: dict[int, set[str]] = field(default_factory=dict)  # top-level index -> names
    assigned: set[str] = field(default_factory=set)  # names stored anywhere


def _names(node: ast.AST | None):
    if node is None:
        return
    for n in ast.walk(node):
        if isinstance(n, ast.Name):
            yield n


def _targets_simple(stmt: ast.stmt) -> set[str]:
    """Names a statement defines unconditionally without reading them first."""
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
        t = stmt.targets[0]
        reads = {n.id for n in _names(stmt.value)}
        if isinstance(t, ast.Name):
            return {t.id} - reads
        if isinstance(t, ast.Tuple) and all(isinstance(e, ast.Name) for e in t.elts):
            return {e.id for e in t.elts} - reads  # type: ignore[attr-defined]
    if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value:
        return {stmt.target.id} - {n.id for n in _names(stmt.value)}
    return set()


class _Collector:
    def __init__(self) -> None:
        self.occ: dict[str, list[Occurrence]] = {}

    def block(self, stmts: list[ast.stmt], path: Path, loops: dict[str, tuple[int, ...]]) -> None:
        bid = id(stmts)
        for i, s in enumerate(stmts):
            self.stmt(s, path + ((bid, i),), loops)

    def add(self, name: str, store: bool, path: Path, simple: bool, loops,
            for_target: bool = False) -> None:
        self.occ.setdefault(name, []).append(
            Occurrence(store, path, for_target, simple, loops.get(name, ())))

    def exprs(self, nodes, path: Path, loops, simple: set[str] = frozenset()) -> None:
        for node in nodes:
            for n in _names(node):
                store = isinstance(n.ctx, ast.Store)
                self.add(n.id, store, path, store and n.id in simple, loops)

    def stmt(self, s: ast.stmt, path: Path, loops) -> None:
        if isinstance(s, ast.For):
            rng = isinstance(s.iter, ast.Call) and isinstance(s.iter.func, ast.Name) and \
                s.iter.func.id == "range" and isinstance(s.target, ast.Name)
            self.exprs([s.iter], path, loops)
            inner = dict(loops)
            if rng:
                name = s.target.id  # type: ignore[attr-defined]
                self.add(name, True, path, False, {name: (id(s),)}, for_target=True)
                inner[name] = loops.get(name, ()) + (id(s),)
            else:
                self.exprs([s.target], path, loops)
            self.block(s.body, path, inner)
            self.block(s.orelse, path, loops)
        elif isinstance(s, (ast.While, ast.If)):
            self.exprs([s.test], path, loops)
            self.block(s.body, path, loops)
            self.block(s.orelse, path, loops)
        elif isinstance(s, ast.With):
            self.exprs([i.context_expr for i in s.items], path, loops)
            self.block(s.body, path, loops)
        elif isinstance(s, (ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)):
            return  # rejected by the lowerer
        else:
            self.exprs([s], path, loops, _targets_simple(s))


def plan(fn: ast.FunctionDef, params: set[str]) -> Plan:
    """The declaration plan of `fn`'s locals (parameters are declared by the function)."""
    c = _Collector()
    c.block(fn.body, (), {})
    out = Plan()
    for name, occs in c.occ.items():
        stores = [o for o in occs if o.store]
        if not stores:
            continue  # a global, builtin or parameter
        out.assigned.add(name)
        if name in params:
            continue
        if all(o.for_target for o in stores) and all(o.loops for o in occs):
            out.loop_vars.add(name)
            continue
        depth = 0
        while all(len(o.path) > depth + 1 for o in occs) and \
                len({o.path[depth] for o in occs}) == 1 and \
                len({o.path[depth + 1][0] for o in occs}) == 1:
            depth += 1
        first_idx = min(o.path[depth][1] for o in occs)
        first = [o for o in occs if o.path[depth][1] == first_idx]
        block = occs[0].path[depth][0]
        if all(len(o.path) == depth + 1 and o.store and o.simple_def for o in first):
            out.init_at.setdefault((block, first_idx), set()).add(name)
        else:
            top = min(o.path[0][1] for o in occs)
            out.top_at.setdefault(top, set()).add(name)
    return out
