"""Per-function translation state shared by the expression and statement visitors: unique local
names, the statement list being built, lvalues, temporaries and diagnostics."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from portable import ir
from portable.builtins import common_type, convert
from portable.errors import Loc, PortError, error
from portable.types import I32, Array, Pointer, Scalar, Space, Struct, Type, Vector

from . import clang
from .typemap import convert as convert_type


def key(c) -> tuple:
    """A stable identity for a declaration cursor within one translation unit."""
    sl = c.location
    k = (c.spelling, sl.file.name if sl.file else "", sl.line, sl.column, c.kind.value)
    if c.kind.name in ("FUNCTION_DECL", "CXX_METHOD", "CONSTRUCTOR"):
        k += (c.type.spelling, template_name(c))  # specialisations share a location
    return k


def template_name(d) -> str:
    """The C++ spelling of a function template specialisation: `k<float, 256>`."""
    n = d.get_num_template_arguments()
    if n <= 0:
        return d.spelling
    args = []
    for i in range(n):
        kind = d.get_template_argument_kind(i).name
        if kind == "INTEGRAL":
            args.append(str(d.get_template_argument_value(i)))
        else:
            args.append(d.get_template_argument_type(i).spelling)
    return f"{d.spelling}<{', '.join(args)}>"


@dataclass
class LV:
    """An assignable place: a local variable, a memory element, or a field of another place."""

    kind: str  # "var" | "mem" | "field"
    type: Type
    var: ir.Var | None = None
    base: ir.Expr | None = None
    index: tuple[ir.Expr, ...] = ()
    parent: LV | None = None
    name: str = ""


@dataclass
class Loop:
    """An enclosing loop or switch: what `break`/`continue` mean inside it."""

    kind: str  # "loop" | "switch"
    on_continue: object = None  # callable emitting the statements a `continue` must run first
    breaks: list = field(default_factory=list)  # switch: nested breaks seen
    continues: list = field(default_factory=list)


EFFECT_NODES = (ir.Atomic, ir.Shuffle, ir.Vote)


def has_effects(e: ir.Expr) -> bool:
    """True when evaluating `e` changes state or depends on evaluation order (calls, atomics)."""
    from portable.semantics import INTRINSICS

    for n in ir.walk(e):
        if isinstance(n, EFFECT_NODES) or (isinstance(n, ir.Call) and n.fn not in INTRINSICS):
            return True
    return False


class Base:
    """Helpers every visitor uses. Subclasses provide `expr(c)` and `stmt(c)`."""

    def __init__(self, module, filename: str) -> None:
        self.module = module  # the module driver (device functions, globals, diagnostics)
        self.filename = filename
        self.names: set[str] = set()
        self.vars: dict[tuple, ir.Expr | LV] = {}
        self.shared: list[ir.Var] = []
        self.dynamic_shared: list[ir.Var] = []
        self.out: list[ir.Stmt] = []
        self.loops: list[Loop] = []
        self.ret: Type | None = None
        self.this: LV | None = None  # the object of an inlined member function
        self.unions: dict[tuple, tuple] = {}  # local unions: key -> (byte array, clang type)
        self.rows: dict[str, tuple[int, ...]] = {}  # pointers to arrays: name -> rows' shape

    # ------------------------------------------------------------ diagnostics and types

    def loc(self, c) -> Loc:
        return clang.loc(c, self.filename)

    def fail(self, code: str, message: str, c, hint: str = "") -> PortError:
        return error(code, message, self.loc(c) if c is not None else Loc(self.filename), hint)

    def type_of(self, c, space: Space = Space.GLOBAL, t=None) -> Type:
        return convert_type(c.type if t is None else t, self.loc(c), space)

    # ------------------------------------------------------------ names and statements

    def fresh(self, name: str) -> str:
        base = re.sub(r"\W+", "_", name.replace("operator", "op")).strip("_") or "tmp"
        if base[0].isdigit():
            base = "v" + base
        n, i = base, 0
        while n in self.names or n in self.module.reserved:
            i += 1
            n = f"{base}_{i}"
        self.names.add(n)
        return n

    def emit(self, s: ir.Stmt | tuple | list) -> None:
        if isinstance(s, (tuple, list)):
            self.out.extend(s)
        else:
            self.out.append(s)

    @contextlib.contextmanager
    def capture(self) -> Iterator[list[ir.Stmt]]:
        """Collect the statements emitted inside the block into a new list."""
        saved, self.out = self.out, []
        try:
            yield self.out
        finally:
            self.out = saved

    def temp(self, value: ir.Expr, hint: str = "t", loc: Loc | None = None) -> ir.Var:
        v = ir.Var(self.fresh(hint), value.type, loc=loc or value.loc)
        self.emit(ir.Decl(v, value, loc=loc or value.loc))
        return v

    def stable(self, e: ir.Expr, hint: str = "t") -> ir.Expr:
        """`e`, or a temporary holding it when re-evaluating it would repeat effects."""
        return self.temp(e, hint) if has_effects(e) else e

    # ------------------------------------------------------------ lvalues

    @staticmethod
    def addressable(t: Type) -> bool:
        """Can a variable of type `t` live in a one-element local array (for `&x`)?"""
        return isinstance(t, (Scalar, Vector, Struct))

    def local_place(self, name: str, t: Type, value: ir.Expr | None, loc: Loc) -> LV:
        """A variable whose address is taken: element 0 of a one-element local array, so
        `&x` is a pointer to local memory that helpers can read and write through."""
        arr = ir.Var(self.fresh(name), Array(t, (1,), Space.LOCAL), loc=loc)
        self.emit(ir.Decl(arr, None, loc=loc))
        lv = LV("mem", t, base=arr, index=(ir.const(0, I32, loc),))
        if value is not None:
            self.write(lv, value, loc)
        return lv

    def read(self, lv: LV, loc: Loc) -> ir.Expr:
        if lv.kind == "var":
            assert lv.var is not None
            return lv.var
        if lv.kind == "mem":
            return ir.Load(lv.base, lv.index, lv.type, loc=loc)
        assert lv.parent is not None
        return ir.Field(self.read(lv.parent, loc), lv.name, lv.type, loc=loc)

    def write(self, lv: LV, value: ir.Expr, loc: Loc) -> None:
        value = convert(value, lv.type, loc)
        if lv.kind == "var":
            assert lv.var is not None
            self.emit(ir.Assign(lv.var, value, loc=loc))
        elif lv.kind == "mem":
            self.emit(ir.Store(lv.base, lv.index, value, loc=loc))
        else:
            # a field store rebuilds the whole aggregate (the IR stores whole values)
            assert lv.parent is not None
            pt = lv.parent.type
            old = self.read(lv.parent, loc)
            if has_effects(old):
                old = self.temp(old, "agg", loc)
            names = [n for n, _ in pt.fields] if isinstance(pt, Struct) else \
                list("xyzw"[: pt.n]) if isinstance(pt, Vector) else []
            types = dict(pt.fields) if isinstance(pt, Struct) else {}
            vals = tuple(value if n == lv.name else
                         ir.Field(old, n, types.get(n, getattr(pt, "elem", None)), loc=loc)
                         for n in names)
            self.write(lv.parent, ir.Pack(vals, pt, loc=loc), loc)

    @staticmethod
    def flat_pointer(t: Type) -> tuple[Pointer, tuple[int, ...]] | None:
        """A pointer to arrays (`float (*p)[2]`) as the IR holds it: a pointer to the
        elements, and the rows' shape that indexing multiplies out."""
        if isinstance(t, Pointer) and isinstance(t.elem, Array) and t.elem.shape:
            return Pointer(t.elem.elem, t.space, t.const, t.restrict), t.elem.shape
        return None

    def elem_lv(self, base: ir.Expr, index: tuple[ir.Expr, ...], c) -> LV:
        t = base.type
        rows = self.rows.get(base.name) if isinstance(base, (ir.Var, ir.Param)) else None
        if rows is not None and len(index) == 1 + len(rows):
            # p[i][j] with p a pointer to rows of 2 (float (*p)[2]): p[i * 2 + j]
            it = common_type([i.type for i in index])
            lin = convert(index[0], it, self.loc(c))
            for n, i in zip(rows, index[1:], strict=True):
                lin = ir.Binary(ir.Op.ADD, ir.Binary(ir.Op.MUL, lin, ir.const(n, it), it),
                                convert(i, it, self.loc(c)), it)
            index = (lin,)
        if isinstance(t, Pointer):
            if len(index) != 1:
                raise self.fail("PORT1013", "a pointer takes one index", c)
            et = t.elem
        elif isinstance(t, Array) and not t.shape:  # extern __shared__ x[]: one index
            if len(index) != 1:
                raise self.fail("PORT1013", f"{t} takes one index", c)
            et = t.elem
        elif isinstance(t, Array):
            if len(index) > len(t.shape):
                raise self.fail("PORT1013", f"too many indices for {t}", c)
            if len(index) < len(t.shape):
                raise self.fail("PORT1013", "partial indexing of a multi-dimensional array "
                                "used as a value", c, "index every dimension")
            et = t.elem
        else:
            raise self.fail("PORT1013", f"cannot index a value of type {t}", c)
        index = tuple(self.stable(i, "idx") for i in index)
        return LV("mem", et, base=self.stable(base, "ptr") if not isinstance(
            base, (ir.Var, ir.Param, ir.Global)) else base, index=index)


def zero(t: Type, loc: Loc) -> ir.Expr:
    """The zero value of a scalar, vector or struct type."""
    if isinstance(t, Scalar):
        return ir.const(0, t, loc)
    if isinstance(t, Vector):
        return ir.Pack(tuple(ir.const(0, t.elem, loc) for _ in range(t.n)), t, loc=loc)
    if isinstance(t, Struct):
        return ir.Pack(tuple(zero(ft, loc) for _, ft in t.fields), t, loc=loc)
    return ir.const(0, I32, loc)
