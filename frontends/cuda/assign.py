"""Assignments inside expressions: `=`, compound assignments, `++`/`--`, and the places
(lvalues) they write. Each is linearised into statements emitted before the expression that
uses its value (see exprs.py)."""

from __future__ import annotations

from portable import ir
from portable.builtins import address, common_type, convert
from portable.ir import Op
from portable.types import I32, Pointer, Scalar, Struct, Vector

from . import clang
from .context import LV, Base, has_effects, key
from .exprs import ARITH, CASTS, _simple, kids, operand, peel


class Assignments(Base):
    """The writing half of expression translation; mixed into Stmts beside Exprs."""

    def assign(self, c, want: bool) -> ir.Expr | None:
        a, b = kids(c)
        loc = self.loc(c)
        v = self.expr(b)  # C++17: the right operand is sequenced before the left
        lv = self.lvalue(a)
        v = convert(v, lv.type, loc) if isinstance(lv.type, Scalar) else v
        if want and not _simple(v):
            v = self.temp(v, "v", loc)
        self.write(lv, v, loc)
        return v if want else None

    def compound(self, c, want: bool) -> ir.Expr | None:
        op = clang.binary_op(c)[:-1]
        a, b = kids(c)
        loc = self.loc(c)
        y = self.expr(b)
        lv = self.lvalue(a)
        cur = self.read(lv, loc)
        if isinstance(lv.type, Pointer):
            new = self.arith(ARITH[op], cur, y, None, c)
        elif op in ("<<", ">>"):
            t = common_type([lv.type])
            new = ir.Binary(ARITH[op], convert(cur, t, loc), convert(y, t, loc), t, loc=loc)
        else:
            t = common_type([lv.type, y.type])
            new = ir.Binary(ARITH[op], convert(cur, t, loc), convert(y, t, loc), t, loc=loc)
        new = convert(new, lv.type, loc)
        if want and lv.kind != "var":
            new = self.temp(new, "v", loc)
        self.write(lv, new, loc)
        return (new if lv.kind != "var" else lv.var) if want else None

    x_COMPOUND_ASSIGNMENT_OPERATOR = lambda self, c: self.compound(c, want=True)  # noqa: E731

    def incdec(self, c, op: str, want: bool) -> ir.Expr | None:
        (a,) = kids(c)
        loc = self.loc(c)
        lv = self.lvalue(a)
        t = lv.type
        bop = Op.ADD if op.endswith("++") else Op.SUB
        if isinstance(t, Scalar) and t.is_bool:
            raise self.fail("PORT1002", "++/-- on a bool", c, "assign true/false instead")
        if not isinstance(t, (Scalar, Pointer)):
            raise self.fail("PORT1002", f"++/-- on a value of type {t}", c)
        one = ir.const(1, I32 if isinstance(t, Pointer) else t, loc)
        cur = self.read(lv, loc)
        if want and op.startswith("post"):
            old = self.temp(cur, "old", loc)
            self.write(lv, ir.Binary(bop, old, one, t, loc=loc), loc)
            return old
        new = ir.Binary(bop, cur, one, t, loc=loc)
        if want and lv.kind != "var":
            new = self.temp(new, "v", loc)
        self.write(lv, new, loc)
        if want:
            return new if lv.kind != "var" else lv.var
        return None

    def effect(self, c) -> None:
        """Translate an expression whose value is discarded (an expression statement)."""
        k = c.kind.name
        if k in ("PAREN_EXPR", "UNEXPOSED_EXPR") and len(kids(c)) == 1:
            return self.effect(kids(c)[0])
        if k == "BINARY_OPERATOR":
            op = clang.binary_op(c)
            if op == "=":
                self.assign(c, want=False)
                return None
            if op == ",":
                a, b = kids(c)
                self.effect(a)
                self.effect(b)
                return None
        if k == "COMPOUND_ASSIGNMENT_OPERATOR":
            self.compound(c, want=False)
            return None
        if k == "UNARY_OPERATOR" and clang.unary_op(c) in ("pre++", "pre--", "post++",
                                                           "post--"):
            self.incdec(c, clang.unary_op(c), want=False)
            return None
        if k == "CALL_EXPR":
            self.call(c, want=False)
            return None
        if k in CASTS and c.type.get_canonical().kind == clang.cindex().TypeKind.VOID:
            inner = operand(c)
            if inner is not None:
                self.effect(inner)
            return None
        e = self.expr(c)
        if has_effects(e):
            self.emit(ir.ExprStmt(e, loc=self.loc(c)))
        return None

    # ------------------------------------------------------------ places

    def lvalue(self, c) -> LV:
        k = c.kind.name
        loc = self.loc(c)
        if k in ("PAREN_EXPR", "UNEXPOSED_EXPR") and len(kids(c)) == 1:
            return self.lvalue(kids(c)[0])
        if k == "DECL_REF_EXPR" and c.referenced is not None:
            d = c.referenced
            v = self.vars.get(key(d))
            if isinstance(v, LV):
                return v
            if isinstance(v, ir.Var):
                return LV("var", v.type, var=v)
            if isinstance(v, ir.Param):
                raise self.fail("PORT2004", f"assignment to parameter {v.name!r} was not "
                                "expected here", c, "copy the parameter into a local first")
            g = self.module.global_ref(d, self)
            if g is not None and g.name in self.module.scalar_globals:
                return LV("mem", g.type.elem, base=g, index=(ir.const(0, I32, loc),))
            raise self.fail("PORT2004", f"{c.spelling!r} cannot be assigned", c)
        if k == "ARRAY_SUBSCRIPT_EXPR":
            b, i = kids(c)
            K = clang.cindex().TypeKind
            if peel(b).type.get_canonical().kind in (K.CONSTANTARRAY, K.INCOMPLETEARRAY):
                base, index = self.array_place(b)
                idx = self.expr(i)
                return self.elem_lv(base, index + (idx,), c)
            p, idx = self.operands([b, i])
            if isinstance(idx.type, Pointer):  # i[p]
                p, idx = idx, p
            return self.elem_lv(p, (idx,), c)
        if k == "UNARY_OPERATOR" and clang.unary_op(c) == "*":
            p = self.expr(kids(c)[0])
            base, index = address(p, loc)
            return self.elem_lv(base, index, c) if index else LV(
                "mem", p.type.elem, base=base, index=())  # type: ignore[union-attr]
        if k == "MEMBER_REF_EXPR":
            from .unions import member

            u = member(self, c)
            if u is not None:
                return u
            ks = kids(c)
            K = clang.cindex().TypeKind
            if not ks or peel(ks[0]).kind.name == "CXX_THIS_EXPR":
                if self.this is None:
                    raise self.fail("PORT1002", f"member {c.spelling!r} outside a member "
                                    "function", c)
                parent = self.this
            elif ks[0].type.get_canonical().kind == K.POINTER:
                p = self.expr(ks[0])
                base, index = address(p, loc)
                parent = self.elem_lv(base, index, c)
            else:
                parent = self.lvalue(ks[0])
            pt = parent.type
            if isinstance(pt, Struct) and c.spelling not in dict(pt.fields):
                raise self.fail("PORT1003", f"member {c.spelling!r} of {pt} (a static or "
                                "anonymous member)", c, "use a named data member")
            if isinstance(pt, Struct):
                ft = pt.field_type(c.spelling)
            elif isinstance(pt, Vector):
                ft = pt.elem
            else:
                raise self.fail("PORT1002", f"member {c.spelling!r} of {pt}", c)
            return LV("field", ft, parent=parent, name=c.spelling)
        raise self.fail("PORT2004", "this expression cannot be assigned to", c,
                        "assign to a variable, an array element or a struct field")
