"""Inline: expands every call of a `__device__` function into the kernels, then drops them.

Device functions are inlined bottom-up (callees first; a cycle is recursion, PORT1005), then
into each kernel. Calls inside expressions are lifted into statements in evaluation order;
calls in conditionally evaluated positions (the right of && and ||, select arms, loop
conditions and steps) become if/while structure so each call still runs lazily and exactly
once (`portable.passes.lift`). At each call site the callee's locals are renamed to stay unique,
parameters are bound to the arguments (arrays by address, as C passes them), returns become
assignments to a result variable (an if/else restructuring, or a flag when a return sits in a
loop or on some paths only), and its `__shared__` arrays are hoisted into the kernel, one
allocation per array per kernel however many call sites reach it.
"""

from __future__ import annotations

import dataclasses

from portable import ir
from portable.errors import error
from portable.passes.lift import Lifter
from portable.passes.returns import lower_returns
from portable.types import Array, Pointer, Scalar

Origin = tuple[str, str]  # (function that declared a __shared__ array, its name there)


class Inline:
    """The inlining pass (STYLE 8): `run(module) -> module` with kernels only."""

    name = "inline"

    def run(self, m: ir.ModuleIR) -> ir.ModuleIR:
        device = {f.name: f for f in m.functions if not f.kernel}
        if not device:
            return m
        done: dict[str, ir.Function] = {}
        origins: dict[str, dict[str, Origin]] = {}
        for name in _bottom_up(m, device):
            fi = _FunctionInliner(device[name], device, done, origins)
            done[name] = fi.run()
            origins[name] = fi.origins
        kernels = tuple(_FunctionInliner(k, device, done, origins).run() for k in m.kernels)
        return dataclasses.replace(m, functions=kernels)


def _calls(fn: ir.Function, device: dict[str, ir.Function]) -> list[ir.Call]:
    return [n for n in ir.walk(fn) if isinstance(n, ir.Call) and n.fn in device]


def _bottom_up(m: ir.ModuleIR, device: dict[str, ir.Function]) -> list[str]:
    """Device functions, callees before callers; recursion raises PORT1005."""
    order: list[str] = []
    state: dict[str, int] = {}  # 1 visiting, 2 done

    def visit(name: str, path: list[tuple[str, ir.Call]]) -> None:
        if state.get(name) == 2:
            return
        if state.get(name) == 1:
            chain = [c for c, _ in path[[c for c, _ in path].index(name):]] + [name]
            call = path[-1][1]
            raise error("PORT1005", f"recursive call {' -> '.join(chain)}: GPUs have no call "
                        "stack for recursion here", call.loc,
                        "rewrite the recursion as a loop (with an explicit local-array stack "
                        "if needed)")
        state[name] = 1
        for c in _calls(device[name], device):
            visit(c.fn, path + [(name, c)])
        state[name] = 2
        order.append(name)

    for f in m.functions:
        if f.kernel:
            for c in _calls(f, device):
                visit(c.fn, [(f.name, c)])
    for name in device:
        visit(name, [])
    return order


class _FunctionInliner:
    """Inlines the (already call-free) device functions into one function."""

    def __init__(self, fn: ir.Function, device: dict[str, ir.Function],
                 done: dict[str, ir.Function], origins: dict[str, dict[str, Origin]]) -> None:
        self.fn = fn
        self.device = device
        self.done = done
        self.callee_origins = origins
        self.taken: set[str] = {p.name for p in fn.params}
        for n in ir.walk(fn):
            if isinstance(n, ir.Var):
                self.taken.add(n.name)
        self.shared = list(fn.shared)
        self.dynamic = list(fn.dynamic_shared)
        self.taken |= {v.name for v in self.shared + self.dynamic}
        self.origins: dict[str, Origin] = {v.name: (fn.name, v.name)
                                           for v in self.shared + self.dynamic}
        self.by_origin: dict[Origin, str] = {o: n for n, o in self.origins.items()}

    def fresh(self, base: str) -> str:
        """A local name not used in the function yet (`base`, else base_2, base_3 ...)."""
        name, k = base, 1
        while name in self.taken:
            k += 1
            name = f"{base}_{k}"
        self.taken.add(name)
        return name

    def run(self) -> ir.Function:
        lifter = Lifter(self)
        body = lifter.body(self.fn.body)
        return dataclasses.replace(self.fn, body=body, shared=tuple(self.shared),
                                   dynamic_shared=tuple(self.dynamic))

    def is_user_call(self, e: ir.Node) -> bool:
        return isinstance(e, ir.Call) and e.fn in self.device

    # ------------------------------------------------------------ one call site

    def expand(self, call: ir.Call, args: list[ir.Expr], out: list[ir.Stmt],
               want_result: bool) -> ir.Expr | None:
        """Append the callee's inlined body to `out`; return the call's value (a Var/Const)."""
        callee = self.done[call.fn]
        binds: dict[str, ir.Expr] = {}
        flatten: dict[str, tuple[int, ...]] = {}
        for p, a in zip(callee.params, args, strict=True):
            binds[p.name] = self._bind(callee, p, a, call, out, flatten)
        rename: dict[str, str] = {}
        for n in ir.walk(callee.body):
            if isinstance(n, (ir.Decl, ir.For)) and n.var.name not in rename:
                rename[n.var.name] = self.fresh(n.var.name)
        rename.update(self._hoist(callee))
        body = _respace(_Subst(binds, rename, flatten).body(callee.body), call)
        stmts, result = lower_returns(body, callee, self.fresh, call, want_result)
        out.extend(stmts)
        return result

    def _bind(self, callee: ir.Function, p: ir.Param, a: ir.Expr, call: ir.Call,
              out: list[ir.Stmt], flatten: dict[str, tuple[int, ...]]) -> ir.Expr:
        pt, at = p.type, a.type
        if isinstance(pt, Array):
            if isinstance(at, Array) and len(at.shape) == len(pt.shape) or len(pt.shape) <= 1:
                return a if _leaf(a) else self._temp(f"{callee.name}_{p.name}", a, at, out)
            if isinstance(at, Pointer):
                flatten[p.name] = pt.shape
                return a if _leaf(a) else self._temp(f"{callee.name}_{p.name}", a, at, out)
            raise error("PORT1013", f"argument {p.name} of {callee.name}: a {at} passed for "
                        f"a {pt} parameter", call.loc, "pass an array of the parameter's shape")
        if isinstance(pt, Pointer) and isinstance(at, Array):
            if len(at.shape) <= 1 and _only_base(callee, p.name):
                return a  # index the caller's array directly
            ptr = ir.AddrOf(a, tuple(ir.const(0, ir.I32) for _ in at.shape or (0,)),
                            Pointer(at.elem, at.space), loc=call.loc)
            t = Pointer(pt.elem, at.space, pt.const, pt.restrict)
            return self._temp(f"{callee.name}_{p.name}", ptr, t, out)
        if isinstance(pt, Pointer) and isinstance(at, Pointer):
            # CUDA pointers are generic: the argument's address space flows into the callee
            # (`_respace` retypes the callee's pointers derived from it)
            if _leaf(a):
                return a
            t = Pointer(pt.elem, at.space, pt.const, pt.restrict)
            return self._temp(f"{callee.name}_{p.name}", a, t, out)
        if at == pt and _leaf(a):
            return a
        return self._temp(f"{callee.name}_{p.name}", a, pt, out)

    def _temp(self, base: str, value: ir.Expr, t: ir.Type, out: list[ir.Stmt]) -> ir.Var:
        v = ir.Var(self.fresh(base), t, loc=value.loc)
        out.append(ir.Decl(v, value, loc=value.loc))
        return v

    def _hoist(self, callee: ir.Function) -> dict[str, str]:
        """Map the callee's shared arrays to the kernel's (one per origin), adding new ones."""
        rename: dict[str, str] = {}
        corigins = self.callee_origins.get(callee.name, {})
        for dyn, vs in ((False, callee.shared), (True, callee.dynamic_shared)):
            for v in vs:
                origin = corigins.get(v.name, (callee.name, v.name))
                name = self.by_origin.get(origin)
                if name is None:
                    name = self.fresh(v.name if origin[0] == self.fn.name else
                                      f"{origin[0]}_{origin[1]}")
                    self.by_origin[origin] = name
                    self.origins[name] = origin
                    (self.dynamic if dyn else self.shared).append(dataclasses.replace(v, name=name))
                rename[v.name] = name
        return rename


def _leaf(e: ir.Expr) -> bool:
    """Arguments bound by substitution: they cannot change while the callee runs."""
    if isinstance(e, ir.Global):
        return isinstance(e.type, Array)
    return isinstance(e, (ir.Const, ir.Var, ir.Param, ir.Special))


def _only_base(fn: ir.Function, pname: str) -> bool:
    """Whether parameter `pname` is used only as the base of loads/stores/atomics/addresses."""
    bases: set[int] = set()
    for n in ir.walk(fn.body):
        if isinstance(n, (ir.Load, ir.Store, ir.Atomic, ir.AddrOf)):
            bases.add(id(n.base))
    return all(id(n) in bases for n in ir.walk(fn.body)
               if isinstance(n, ir.Param) and n.name == pname)


class _Subst(ir.Transformer):
    """Binds parameters, renames locals and shared arrays, flattens 2-D array parameters."""

    def __init__(self, binds: dict[str, ir.Expr], rename: dict[str, str],
                 flatten: dict[str, tuple[int, ...]]) -> None:
        self.binds = binds
        self.rename = rename
        self.flatten = flatten

    def visit(self, node: ir.Node):
        if isinstance(node, (ir.Load, ir.Store, ir.Atomic, ir.AddrOf)) and \
                isinstance(node.base, ir.Param) and node.base.name in self.flatten \
                and len(node.index) > 1:
            node = dataclasses.replace(node, index=(_flat(node.index,
                                                          self.flatten[node.base.name]),))
        return ir.Transformer.visit(self, node)

    def visit_Param(self, e: ir.Param) -> ir.Expr:
        return self.binds.get(e.name, e)

    def visit_Var(self, e: ir.Var) -> ir.Var:
        name = self.rename.get(e.name)
        return e if name is None else dataclasses.replace(e, name=name)


def _flat(index: tuple[ir.Expr, ...], shape: tuple[int, ...]) -> ir.Expr:
    """Row-major linear index of `index` into an array of `shape`."""
    t = index[0].type
    assert isinstance(t, Scalar)
    flat = index[0]
    for i, n in zip(index[1:], shape[1:], strict=True):
        i = i if i.type == t else ir.Cast(i, t, loc=i.loc)
        flat = ir.Binary(ir.Op.ADD, ir.Binary(ir.Op.MUL, flat, ir.const(n, t), t, loc=i.loc),
                         i, t, loc=i.loc)
    return flat



class _Retype(ir.Transformer):
    """Gives pointer variables the address space of what they hold; rebuilds derived types."""

    def __init__(self, types: dict[str, ir.Type]) -> None:
        self.types = types

    def visit_Var(self, e: ir.Var) -> ir.Var:
        t = self.types.get(e.name)
        return e if t is None or t == e.type else dataclasses.replace(e, type=t)

    def visit_Binary(self, e: ir.Binary) -> ir.Binary:
        if isinstance(e.lhs.type, Pointer) and e.type != e.lhs.type:
            return dataclasses.replace(e, type=e.lhs.type)
        return e

    def visit_AddrOf(self, e: ir.AddrOf) -> ir.AddrOf:
        t = e.type
        space = e.base.type.space
        if isinstance(t, Pointer) and t.space != space:
            return dataclasses.replace(e, type=dataclasses.replace(t, space=space))
        return e

    def visit_Cast(self, e: ir.Cast) -> ir.Cast:
        t, src = e.type, e.value.type
        if isinstance(t, Pointer) and isinstance(src, (Pointer, Array)) and t.space != src.space:
            return dataclasses.replace(e, type=dataclasses.replace(t, space=src.space))
        return e


def _respace(body: ir.Body, call: ir.Call) -> ir.Body:
    """Retype the inlined callee's pointer locals to the address spaces of their values."""
    types: dict[str, ir.Type] = {}
    while True:
        body = _Retype(types).body(body)
        new: dict[str, ir.Type] = {}
        for n in ir.walk(body):
            value = n.init if isinstance(n, ir.Decl) else \
                n.value if isinstance(n, ir.Assign) else None
            if value is None or not isinstance(n.var.type, Pointer):
                continue
            vt = value.type
            if isinstance(vt, (Pointer, Array)) and vt.space != n.var.type.space:
                t = dataclasses.replace(n.var.type, space=vt.space)
                if new.get(n.var.name, t) != t or types.get(n.var.name, t) != t:
                    raise error("PORT1013", f"pointer {n.var.name} would point into several "
                                "address spaces after inlining", call.loc,
                                "use one pointer variable per address space")
                new[n.var.name] = t
        if not new:
            return body
        types.update(new)
