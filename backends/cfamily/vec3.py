"""3-element vectors in memory, legalised to CUDA's layout (PORT6105).

CUDA's float3 is 12 bytes aligned to 4; OpenCL's float3 (and SYCL's vec<float, 3>) is 16 bytes
aligned to 16, so `__global float3 *p` would stride 16 bytes through an array the host packed
at 12, and `p[i]` would read the wrong elements. This pass keeps every 3-vector in memory packed:
a pointer to a 3-vector becomes a pointer to its element type, an array of 3-vectors an array of
elements with its last extent tripled, loads and stores become `vload3(i, p)` and
`vstore3(v, i, p)`, and address arithmetic steps three elements per vector. Registers keep the
native 3-vector type. A struct holding a 3-vector cannot be laid out as CUDA lays it out; where
its layout is shared with the host (a kernel argument or a pointer) the translation stops with
PORT6002.
"""

from __future__ import annotations

import dataclasses

from portable import ir
from portable.errors import Diagnostic, error
from portable.ir import Op
from portable.types import I64, Array, Pointer, Scalar, Struct, Type, Vector, Void

NOTE = "3-element vectors in memory packed as in CUDA (12-byte float3): vload3/vstore3"


def is_vec3(t: Type) -> bool:
    return isinstance(t, Vector) and t.n == 3


def packed(t: Type) -> Type:
    """`t` with every 3-vector reached through a pointer or array stored as its elements."""
    if isinstance(t, Pointer):
        elem = t.elem.elem if is_vec3(t.elem) else packed(t.elem)
        return t if elem is t.elem else dataclasses.replace(t, elem=elem)
    if isinstance(t, Array):
        if is_vec3(t.elem):
            shape = t.shape[:-1] + (t.shape[-1] * 3,) if t.shape else ()
            return Array(t.elem.elem, shape, t.space)
        elem = packed(t.elem)
        return t if elem is t.elem else dataclasses.replace(t, elem=elem)
    return t


def _vec3_ptr(t: Type) -> bool:
    return isinstance(t, Pointer) and is_vec3(t.elem)


def _holds_vec3(t: Type, seen: frozenset[str] = frozenset()) -> bool:
    if is_vec3(t):
        return True
    if isinstance(t, (Pointer, Array)):
        return _holds_vec3(t.elem, seen)
    if isinstance(t, Struct) and t.name not in seen:
        return any(_holds_vec3(ft, seen | {t.name}) for _, ft in t.fields)
    return False


def _host_struct(t: Type) -> Struct | None:
    """A struct with a 3-vector inside whose layout the host sees through `t`."""
    while isinstance(t, (Pointer, Array)):
        t = t.elem
    return t if isinstance(t, Struct) and _holds_vec3(t) else None


def _times3(i: ir.Expr) -> ir.Expr:
    if isinstance(i, ir.Const):
        return ir.const(int(i.value) * 3, i.type, i.loc)
    if isinstance(i.type, Scalar) and i.type.bits < 64:
        i = ir.Cast(i, I64, loc=i.loc)  # 3 * i in 32 bits would overflow past 715M vectors
    return ir.Binary(Op.MUL, i, ir.const(3, i.type), i.type, loc=i.loc)


class _Pack3(ir.Transformer):
    def __init__(self) -> None:
        self.used = False

    def visit(self, node: ir.Node):
        node = super().visit(node)
        t = getattr(node, "type", None)
        if isinstance(node, ir.Expr) and t is not None:
            p = packed(t)
            if p is not t:
                node = dataclasses.replace(node, type=p)
        return node

    def _row(self, base: ir.Expr, index: tuple[ir.Expr, ...]) -> tuple[ir.Expr, ir.Expr]:
        """(pointer to the start of the innermost row, index of the vector in that row)."""
        if len(index) <= 1:
            return base, (index[0] if index else ir.const(0))
        t = base.type
        assert isinstance(t, Array)
        row = ir.AddrOf(base, (*index[:-1], ir.const(0)), Pointer(t.elem, t.space),
                        loc=base.loc)
        return row, index[-1]

    def visit_Load(self, e: ir.Load):
        if not is_vec3(e.type):
            return e
        self.used = True
        ptr, i = self._row(e.base, e.index)
        return ir.Call("vload3", (i, ptr), e.type, loc=e.loc)

    def visit_Store(self, s: ir.Store):
        if not is_vec3(s.value.type):
            return s
        self.used = True
        ptr, i = self._row(s.base, s.index)
        return ir.ExprStmt(ir.Call("vstore3", (s.value, i, ptr), Void(), loc=s.loc), loc=s.loc)

    def visit_AddrOf(self, e: ir.AddrOf):
        if not _vec3_ptr(e.type):
            return e
        if not e.index:  # &v of a register: its first three lanes are the packed vector
            return ir.Cast(e, packed(e.type), loc=e.loc)
        return dataclasses.replace(e, index=(*e.index[:-1], _times3(e.index[-1])))

    def visit_Binary(self, e: ir.Binary):
        if not _vec3_ptr(e.type):
            return e
        # pointer +- integer steps whole vectors (frontends reject pointer - pointer)
        if isinstance(e.rhs.type, Scalar):
            return dataclasses.replace(e, rhs=_times3(e.rhs))
        return dataclasses.replace(e, lhs=_times3(e.lhs))


def pack_vec3(fn: ir.Function, target: str) -> tuple[ir.Function, Diagnostic | None]:
    """`fn` with 3-vectors in memory packed, and a note (PORT6105) when anything changed."""
    for p in fn.params:
        s = _host_struct(p.type)
        if s is not None:
            raise error("PORT6002", f"{target}: struct {s.name} (parameter {p.name!r}) holds a "
                        f"3-element vector, which {target} lays out in 16 bytes where CUDA uses "
                        "12: the host's data would not match", p.loc or fn.loc,
                        "give the struct x, y, z scalar fields (or a 4-element vector)")
    t = _Pack3()
    body = t.body(fn.body)
    params = tuple(dataclasses.replace(p, type=packed(p.type)) for p in fn.params)
    changed = [p.name for p, q in zip(fn.params, params, strict=True) if q.type is not p.type]
    if not t.used and not changed:
        return fn, None
    shared = tuple(dataclasses.replace(v, type=packed(v.type)) for v in fn.shared)
    dyn = tuple(dataclasses.replace(v, type=packed(v.type)) for v in fn.dynamic_shared)
    names = ", ".join(changed)
    what = f"; {names} point{'s' if len(changed) == 1 else ''} to elements" if changed else ""
    note = Diagnostic("PORT6105", f"{NOTE}{what}", fn.loc, severity="note")
    return dataclasses.replace(fn, params=params, body=body, shared=shared,
                               dynamic_shared=dyn), note
