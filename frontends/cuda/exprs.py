"""Expressions: clang expression cursors -> typed IR expressions.

Side effects inside expressions (`x++`, assignments, compound assignments) are linearised into
statements emitted before the expression; effects in conditionally evaluated operands of
`&&`, `||` and `?:` become `If`s so that they run only when C would run them.
"""

from __future__ import annotations

import numpy as np

from portable import ir
from portable.builtins import common_type, convert, is_null, to_bool
from portable.ir import Op
from portable.types import BOOL, F32, I32, Array, Pointer, Scalar, Space, Struct, Type, Vector

from . import clang
from .context import LV, Base, has_effects, key, zero
from .typemap import is_reference

ARITH = {"+": Op.ADD, "-": Op.SUB, "*": Op.MUL, "/": Op.DIV, "%": Op.MOD, "<<": Op.SHL,
         ">>": Op.SHR, "&": Op.AND, "|": Op.OR, "^": Op.XOR}
COMPARE = {"<": Op.LT, "<=": Op.LE, ">": Op.GT, ">=": Op.GE, "==": Op.EQ, "!=": Op.NE}
SPECIALS = {"threadIdx": ir.Sreg.TID, "blockIdx": ir.Sreg.CTAID, "blockDim": ir.Sreg.NTID,
            "gridDim": ir.Sreg.NCTAID}
CASTS = ("CSTYLE_CAST_EXPR", "CXX_STATIC_CAST_EXPR", "CXX_FUNCTIONAL_CAST_EXPR",
         "CXX_REINTERPRET_CAST_EXPR", "CXX_CONST_CAST_EXPR")
EXPR_HINT = "rewrite it with plain C operators, or file an issue with the construct"


def kids(c) -> list:
    return list(c.get_children())


def operand(c):
    """The expression operand of a cast cursor (the children before it are type references)."""
    ks = [k for k in kids(c) if k.kind.is_expression()]
    return ks[-1] if ks else None


def peel(c):
    """Skip parentheses and implicit casts."""
    while c.kind.name in ("PAREN_EXPR", "UNEXPOSED_EXPR"):
        ks = kids(c)
        if len(ks) != 1:
            break
        c = ks[0]
    return c


def _simple(e: ir.Expr) -> bool:
    return isinstance(e, (ir.Const, ir.Var, ir.Param, ir.Special))


class Exprs(Base):
    """The expression visitor: `expr(c)` dispatches on the cursor kind (x_<KIND>)."""

    def expr(self, c) -> ir.Expr:
        m = getattr(self, "x_" + c.kind.name, None)
        if m is None:
            raise self.fail("PORT1002", f"unsupported expression ({c.kind.name.lower()}"
                            f"{' ' + repr(c.spelling) if c.spelling else ''})", c, EXPR_HINT)
        return m(c)

    def cond(self, c) -> ir.Expr:
        return to_bool(self.expr(c), self.loc(c))

    def operands(self, cursors) -> list[ir.Expr]:
        """Translate operands left to right; an operand whose translation emits statements
        first pins earlier operands that have effects in temporaries (C's order)."""
        out: list[ir.Expr] = []
        for c in cursors:
            with self.capture() as pre:
                e = self.expr(c)
            if pre:
                out = [self.temp(x, "arg") if has_effects(x) else x for x in out]
                self.emit(pre)
            out.append(e)
        return out

    # ------------------------------------------------------------ leaves

    def constant(self, c) -> ir.Expr:
        v = clang.evaluate(c)
        if v is None:
            raise self.fail("PORT1002", f"cannot evaluate the constant {c.spelling!r}", c)
        t = self.type_of(c)
        if isinstance(t, Scalar) and t.is_float:
            v = float(np.float32(v)) if t == F32 else float(v)
        return ir.const(v, t, self.loc(c))

    x_INTEGER_LITERAL = x_FLOATING_LITERAL = x_CXX_BOOL_LITERAL_EXPR = constant
    x_CHARACTER_LITERAL = x_UNARY_EXPR = x_CXX_UNARY_EXPR = constant

    def x_CXX_NULL_PTR_LITERAL_EXPR(self, c) -> ir.Expr:
        return ir.const(0, I32, self.loc(c))  # converted to the null of a pointer type

    x_GNU_NULL_EXPR = x_CXX_NULL_PTR_LITERAL_EXPR

    def x_PAREN_EXPR(self, c) -> ir.Expr:
        return self.expr(kids(c)[0])

    def x_UNEXPOSED_EXPR(self, c) -> ir.Expr:
        ks = kids(c)
        if len(ks) == 1 and ks[0].kind.is_expression():
            return self.coerce(ks[0], c)
        if not ks and clang.evaluate(c) is not None:  # a default argument
            return self.constant(c)
        if len(ks) == 1 and ks[0].kind.name == "TYPE_REF":  # T() value-initialisation
            return zero(self.type_of(c), self.loc(c))
        raise self.fail("PORT1002", "unsupported expression", c, EXPR_HINT)

    def coerce(self, inner, c) -> ir.Expr:
        """Translate `inner` and convert it to the type of `c` (an implicit or explicit cast)."""
        K = clang.cindex().TypeKind
        ct = c.type.get_canonical()
        loc = self.loc(c)
        if ct.kind == K.VOID:
            self.effect(inner)
            return ir.const(0, I32, loc)
        it = inner.type.get_canonical()
        if ct.kind == K.POINTER and it.kind in (K.CONSTANTARRAY, K.INCOMPLETEARRAY):
            return self.decay(inner)
        if ct.kind in (K.FUNCTIONPROTO, K.POINTER) and it.kind == K.FUNCTIONPROTO:
            raise self.fail("PORT1002", "function pointers are not supported", c,
                            "call the function directly")
        e = self.expr(inner)
        if is_reference(c.type):
            return e
        if ct.kind == K.POINTER:
            if not isinstance(e.type, Pointer):
                if isinstance(e, ir.Const) and e.value == 0:  # NULL, nullptr, 0
                    t = self.type_of(c)
                    return ir.Const(0, t if isinstance(t, Pointer) else Pointer(I32), loc=loc)
                raise self.fail("PORT1013", f"cannot convert {e.type} to a pointer", c,
                                "keep integer indices into an array instead")
            if is_null(e):
                return e
            t = self.type_of(c, e.type.space)
            assert isinstance(t, Pointer)
            flat = self.flat_pointer(t)
            if flat is not None:  # pointers to arrays are pointers to their elements
                t = flat[0]
            if t.elem == e.type.elem or str(t.elem) == "void":
                return e
            return ir.Cast(e, Pointer(t.elem, e.type.space, t.const, e.type.restrict), loc=loc)
        t = self.type_of(c)
        if t == e.type:
            return e
        if isinstance(t, Scalar) and isinstance(e.type, Scalar):
            return convert(e, t, loc)
        if t == BOOL and isinstance(e.type, Pointer):  # if (p), !p, p && ...
            return to_bool(e, loc)
        if isinstance(t, Scalar) and isinstance(e.type, Pointer):
            raise self.fail("PORT1013", "a pointer used as a number", c,
                            "compare an index or a flag instead")
        if isinstance(t, Array) and isinstance(e.type, Pointer):  # an array parameter
            return e
        if isinstance(t, Vector) and isinstance(e.type, Vector) and t.n == e.type.n:
            return ir.Pack(tuple(convert(ir.Field(e, f, e.type.elem, loc=loc), t.elem, loc)
                                 for f in "xyzw"[: t.n]), t, loc=loc)
        raise self.fail("PORT2001", f"cannot convert {e.type} to {t}", c)

    def decay(self, c) -> ir.Expr:
        """An array-typed expression used as a pointer: the address of its first element."""
        base, index = self.array_place(c)
        t = base.type
        if isinstance(t, Pointer):  # an array parameter: already the pointer
            return self.row_address(base, index, c)
        assert isinstance(t, Array)
        index = index + tuple(ir.const(0, I32, self.loc(c)) for _ in t.shape[len(index):])
        if not t.shape and not index:
            index = (ir.const(0, I32, self.loc(c)),)
        return ir.AddrOf(base, index, Pointer(t.elem, t.space), loc=self.loc(c))

    def row_address(self, base: ir.Expr, index: tuple[ir.Expr, ...], c) -> ir.Expr:
        """&p[i][j] of a pointer to rows (`float (*p)[4][2]`) indexed by fewer than all of
        its dimensions: the address of that row's first element."""
        if not index:
            return base
        rows = self.rows.get(base.name, ()) if isinstance(base, (ir.Var, ir.Param)) else ()
        if len(index) > len(rows):
            raise self.fail("PORT1013", f"cannot index {base.type} that deep", c)
        loc = self.loc(c)
        it = common_type([i.type for i in index])
        lin = None
        for k, i in enumerate(index):
            size = 1
            for n in rows[k:]:
                size *= n
            term = ir.Binary(Op.MUL, convert(i, it, loc), ir.const(size, it, loc), it, loc=loc)
            lin = term if lin is None else ir.Binary(Op.ADD, lin, term, it, loc=loc)
        return ir.AddrOf(base, (lin,), base.type, loc=loc)

    def array_place(self, c) -> tuple[ir.Expr, tuple[ir.Expr, ...]]:
        """(array base, leading indices) of an array-typed expression like `s` or `s[i]`."""
        c = peel(c)
        if c.kind.name == "ARRAY_SUBSCRIPT_EXPR":
            b, i = kids(c)
            base, index = self.array_place(b)
            return base, index + (self.expr(i),)
        e = self.expr(c)
        if isinstance(e.type, Pointer):  # an array parameter (float3 c[16], float (*p)[2])
            return e, ()
        if not isinstance(e.type, Array):
            raise self.fail("PORT1013", f"expected an array, got {e.type}", c)
        return e, ()

    def x_DECL_REF_EXPR(self, c) -> ir.Expr:
        d = c.referenced
        loc = self.loc(c)
        if d is None or d.kind.name == "NON_TYPE_TEMPLATE_PARAMETER" or any(
                k.kind.is_expression() for k in kids(c)):  # a substituted template argument
            if clang.evaluate(c) is not None:
                return self.constant(c)
            raise self.fail("PORT1002", f"unresolved name {c.spelling!r}", c)
        kind = d.kind.name
        if kind == "ENUM_CONSTANT_DECL":
            return ir.const(d.enum_value, self.type_of(c), loc)
        if kind in ("FUNCTION_DECL", "CXX_METHOD", "FUNCTION_TEMPLATE"):
            raise self.fail("PORT1002", f"function {c.spelling!r} used as a value", c,
                            "call it instead; function pointers are not supported")
        v = self.vars.get(key(d))
        if isinstance(v, LV):
            return self.read(v, loc)
        if v is not None:
            return v
        if d.spelling == "warpSize" and self.module.is_prelude(d):
            return ir.Special(ir.Sreg.WARPSIZE, 0, I32, loc=loc)
        if d.spelling in SPECIALS and self.module.is_prelude(d):
            reg = SPECIALS[d.spelling]
            return ir.Pack(tuple(ir.Special(reg, i, loc=loc) for i in range(3)),
                           self.type_of(c), loc=loc)
        g = self.module.global_ref(d, self)
        if g is not None:
            if g.name in self.module.scalar_globals:
                return ir.Load(g, (ir.const(0, I32, loc),), g.type.elem, loc=loc)
            return g
        if clang.evaluate(c) is not None:  # const/constexpr variables with constant values
            return self.constant(c)
        raise self.fail("PORT2003", f"use of {c.spelling!r}, which is not a local variable, "
                        "parameter or __device__/__constant__ variable", c,
                        "declare it in the kernel or as a __device__/__constant__ variable")

    def x_MEMBER_REF_EXPR(self, c) -> ir.Expr:
        from .unions import member

        ks = kids(c)
        loc = self.loc(c)
        u = member(self, c)
        if u is not None:
            return self.read(u, loc)
        if not ks or peel(ks[0]).kind.name == "CXX_THIS_EXPR":
            return self.read(self.lvalue(c), loc)
        b = peel(ks[0])
        if b.kind.name == "DECL_REF_EXPR" and b.referenced is not None and \
                b.referenced.spelling in SPECIALS and self.module.is_prelude(b.referenced):
            return ir.Special(SPECIALS[b.referenced.spelling], "xyz".index(c.spelling), loc=loc)
        return self.read(self.lvalue(c), loc) if self.is_place(c) else ir.Field(
            self.expr(ks[0]), c.spelling, self.type_of(c), loc=loc)

    def is_place(self, c) -> bool:
        c = peel(c)
        k = c.kind.name
        if k == "MEMBER_REF_EXPR":
            ks = kids(c)
            if not ks or peel(ks[0]).kind.name == "CXX_THIS_EXPR":
                return True
            K = clang.cindex().TypeKind
            return ks[0].type.get_canonical().kind == K.POINTER or self.is_place(ks[0])
        return k in ("ARRAY_SUBSCRIPT_EXPR",) or (k == "UNARY_OPERATOR" and
                                                  clang.unary_op(c) == "*")

    def x_ARRAY_SUBSCRIPT_EXPR(self, c) -> ir.Expr:
        return self.read(self.lvalue(c), self.loc(c))

    # ------------------------------------------------------------ operators

    def x_UNARY_OPERATOR(self, c) -> ir.Expr:
        op = clang.unary_op(c)
        (a,) = kids(c)
        loc = self.loc(c)
        if op in ("+", "__extension__"):
            return self.expr(a)
        if op in ("-", "~"):
            v = self.expr(a)
            return ir.Unary(Op.NEG if op == "-" else Op.BNOT, v, v.type, loc=loc)
        if op == "!":
            return ir.Unary(Op.LNOT, self.cond(a), BOOL, loc=loc)
        if op == "*":
            return self.read(self.lvalue(c), loc)
        if op == "&":
            return self.address_of(a, c)
        if op in ("pre++", "pre--", "post++", "post--"):
            return self.incdec(c, op, want=True)
        raise self.fail("PORT1002", f"unsupported unary operator {op}", c, EXPR_HINT)

    def address_of(self, a, c) -> ir.Expr:
        loc = self.loc(c)
        p = peel(a)
        k = p.kind.name
        if k == "ARRAY_SUBSCRIPT_EXPR" or (k == "UNARY_OPERATOR" and clang.unary_op(p) == "*"):
            lv = self.lvalue(p)
            return ir.AddrOf(lv.base, lv.index, Pointer(lv.type, self.space_of(lv.base)), loc=loc)
        if k == "DECL_REF_EXPR" and p.referenced is not None:
            g = self.module.global_ref(p.referenced, self)
            if g is not None and g.name in self.module.scalar_globals:
                return ir.AddrOf(g, (ir.const(0, I32, loc),), Pointer(
                    g.type.elem, self.module.global_space(g.name)), loc=loc)
            if g is not None:
                return self.decay(p)
            v = self.vars.get(key(p.referenced))
            if isinstance(v, LV) and v.kind == "mem":
                return ir.AddrOf(v.base, v.index, Pointer(v.type, self.space_of(v.base)),
                                 loc=loc)
            if isinstance(v, ir.Var) and isinstance(v.type, Array):
                return self.decay(p)
        raise self.fail("PORT1013", f"taking the address of {p.spelling or 'this value'!r} "
                        "is not supported", c, "index an array instead (&a[i]), or return the "
                        "value from the function")

    def space_of(self, base: ir.Expr) -> Space:
        t = base.type
        if isinstance(t, (Pointer, Array)):
            return t.space
        if isinstance(base, ir.Global):
            return self.module.global_space(base.name)
        return Space.LOCAL

    def x_BINARY_OPERATOR(self, c) -> ir.Expr:
        op = clang.binary_op(c)
        a, b = kids(c)
        loc = self.loc(c)
        if op == "=":
            return self.assign(c, want=True)
        if op == ",":
            self.effect(a)
            return self.expr(b)
        if op in ("&&", "||"):
            return self.logical(c, op, a, b)
        x, y = self.operands([a, b])
        if op in COMPARE:
            if isinstance(x.type, Pointer) or isinstance(y.type, Pointer):
                if not (isinstance(x.type, Pointer) and isinstance(y.type, Pointer)):
                    raise self.fail("PORT1013", "comparing a pointer with a number", c)
                if is_null(x) or is_null(y):  # p == NULL: the null of p's type
                    x, y = convert(x, y.type, loc), convert(y, x.type, loc)
                    if op not in ("==", "!="):
                        raise self.fail("PORT1013", f"ordering a pointer and NULL ({op})", c,
                                        "test p != NULL instead")
                return ir.Compare(COMPARE[op], x, y, loc=loc)
            t = common_type([x.type, y.type])
            return ir.Compare(COMPARE[op], convert(x, t, loc), convert(y, t, loc), loc=loc)
        if op not in ARITH:
            raise self.fail("PORT1002", f"unsupported binary operator {op}", c, EXPR_HINT)
        return self.arith(ARITH[op], x, y, self.type_of(c) if not isinstance(
            x.type, Pointer) and not isinstance(y.type, Pointer) else None, c)

    def arith(self, op: Op, x: ir.Expr, y: ir.Expr, t: Type | None, c) -> ir.Expr:
        loc = self.loc(c)
        if isinstance(y.type, Pointer) and op is Op.ADD:
            x, y = y, x
        if isinstance(x.type, Pointer):
            if isinstance(y.type, Pointer) or op not in (Op.ADD, Op.SUB):
                raise self.fail("PORT1013", "pointer difference or arithmetic beyond p + n and "
                                "p - n", c, "keep integer indices and subtract those")
            return ir.Binary(op, x, y, x.type, loc=loc)
        if op in (Op.SHL, Op.SHR):
            return ir.Binary(op, x, convert(y, x.type, loc), x.type, loc=loc)
        t = t or common_type([x.type, y.type])
        return ir.Binary(op, convert(x, t, loc), convert(y, t, loc), t, loc=loc)

    def logical(self, c, op: str, a, b) -> ir.Expr:
        loc = self.loc(c)
        x = self.cond(a)
        with self.capture() as pre:
            y = self.cond(b)
        if not pre:
            return ir.Binary(Op.LAND if op == "&&" else Op.LOR, x, y, BOOL, loc=loc)
        # C evaluates the right operand (and its side effects) only when needed
        t = self.temp(x, "sc", loc)
        guard = t if op == "&&" else ir.Unary(Op.LNOT, t, BOOL, loc=loc)
        self.emit(ir.If(guard, tuple(pre) + (ir.Assign(t, y, loc=loc),), loc=loc))
        return t

    def x_CONDITIONAL_OPERATOR(self, c) -> ir.Expr:
        k, a, b = kids(c)
        loc = self.loc(c)
        cond = self.cond(k)
        with self.capture() as pa:
            x = self.expr(a)
        with self.capture() as pb:
            y = self.expr(b)
        t = self.type_of(c) if not isinstance(x.type, Pointer) else \
            y.type if is_null(x) else x.type
        x, y = convert(x, t, loc), convert(y, t, loc)
        if not pa and not pb:
            if has_effects(cond) and (has_effects(x) or has_effects(y)):
                cond = self.temp(cond, "c", loc)
            return ir.Select(cond, x, y, t, loc=loc)
        v = ir.Var(self.fresh("sel"), t, loc=loc)
        self.emit(ir.Decl(v, None, loc=loc))
        self.emit(ir.If(cond, tuple(pa) + (ir.Assign(v, x, loc=loc),),
                        tuple(pb) + (ir.Assign(v, y, loc=loc),), loc=loc))
        return v

    def cast(self, c) -> ir.Expr:
        inner = operand(c)
        if inner is None:
            return zero(self.type_of(c), self.loc(c))  # T() value-initialisation
        return self.coerce(inner, c)

    x_CSTYLE_CAST_EXPR = x_CXX_STATIC_CAST_EXPR = x_CXX_FUNCTIONAL_CAST_EXPR = cast
    x_CXX_REINTERPRET_CAST_EXPR = x_CXX_CONST_CAST_EXPR = cast

    # ------------------------------------------------------------ calls

    def x_CALL_EXPR(self, c) -> ir.Expr:
        e = self.call(c, want=True)
        assert e is not None
        return e

    def call(self, c, want: bool) -> ir.Expr | None:
        from .calls import translate_call

        return translate_call(self, c, want)

    def x_INIT_LIST_EXPR(self, c) -> ir.Expr:
        t = self.type_of(c)
        loc = self.loc(c)
        vals = self.operands([k for k in kids(c) if k.kind.is_expression()])
        if isinstance(t, Vector):
            vals += [ir.const(0, t.elem, loc)] * (t.n - len(vals))
            return ir.Pack(tuple(convert(v, t.elem, loc) for v in vals), t, loc=loc)
        if isinstance(t, Struct):
            vals += [zero(ft, loc) for _, ft in t.fields[len(vals):]]
            return ir.Pack(tuple(convert(v, ft, loc) if isinstance(ft, Scalar) else v
                                 for v, (_, ft) in zip(vals, t.fields, strict=False)), t, loc=loc)
        if isinstance(t, Scalar) and len(vals) <= 1:
            return convert(vals[0], t, loc) if vals else zero(t, loc)
        raise self.fail("PORT1002", f"initializer list for {t}", c)
