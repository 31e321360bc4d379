"""Inlining in the frontend, for what an `ir.Call` cannot pass: reference parameters, member
functions (`this` is the caller's place) and constructors of user structs. Each parameter binds
to the caller's place (variable, element or field) or to a temporary holding the argument."""

from __future__ import annotations

from portable import ir
from portable.builtins import convert
from portable.types import Pointer, Scalar, Space, Struct, Type

from .context import LV, key, zero
from .exprs import kids
from .typemap import convert as convert_type
from .typemap import is_reference


def _body(defn):
    return next((k for k in defn.get_children() if k.kind.name == "COMPOUND_STMT"), None)


def _check_returns(tr, defn, stmts) -> None:
    for i, s in enumerate(stmts):
        for n in s.walk_preorder():
            if n.kind.name == "RETURN_STMT" and not (i == len(stmts) - 1 and n == s):
                raise tr.fail("PORT1001", f"early return in {defn.spelling!r}, which is inlined "
                              "(it takes references or is a member function)", n,
                              "return at the end only, or use a free function with pointers")


def inline(tr, c, defn, args, want: bool, this: LV | None = None,
           ctor: Type | None = None) -> ir.Expr | None:
    """Translate a call of `defn` in place. `this` binds the object of a member function;
    `ctor` is the struct type a constructor builds (the call's value)."""
    loc = tr.loc(c)
    body = _body(defn)
    if body is None:
        raise tr.fail("PORT1004", f"function {defn.spelling!r} is declared but not defined in "
                      "this file", c, "define it in the file (or an included header)")
    stmts = kids(body)
    _check_returns(tr, defn, stmts)
    module = tr.module
    k = key(defn)
    if k in module.in_progress:
        raise tr.fail("PORT1005", f"recursive call of {defn.spelling!r}", c,
                      "rewrite the recursion as a loop")
    saved_vars, saved_ret, saved_this = dict(tr.vars), tr.ret, tr.this
    result = None
    pushed = False
    try:
        binds = []
        for p, a in zip(defn.get_arguments(), args, strict=False):
            if is_reference(p.type) and tr.is_lvalue(a):
                binds.append((key(p), tr.lvalue(a)))
                continue
            v = tr.expr(a)
            t = convert_type(p.type, tr.loc(p), v.type.space if isinstance(
                v.type, Pointer) else Space.GLOBAL)
            v = convert(v, t, loc) if isinstance(t, Scalar) else v
            if key(p) in module.addressed(defn) and tr.addressable(t):
                binds.append((key(p), tr.local_place(p.spelling or "arg", t, v, loc)))
            else:
                binds.append((key(p), tr.temp(v, p.spelling or "arg", loc)))
        # the arguments are evaluated before the callee counts as in progress, so a call of
        # the same function inside an argument (`f += g(...)` in g) is not recursion
        module.in_progress.append(k)
        pushed = True
        for kk, vv in binds:
            tr.vars[kk] = vv
        if ctor is not None:
            obj = ir.Var(tr.fresh(f"{getattr(ctor, 'name', 'obj')}_obj".lower()), ctor, loc=loc)
            tr.emit(ir.Decl(obj, zero(ctor, loc), loc=loc))
            this = LV("var", ctor, var=obj)
            result = obj
            member_inits(tr, defn, this)
        tr.this = this
        rt = defn.result_type
        ret = None if ctor is not None or rt.get_canonical().kind.name == "VOID" else \
            convert_type(rt, loc, Space.GLOBAL)
        tr.ret = ret
        for s in stmts:
            if s.kind.name == "RETURN_STMT":
                rk = [x for x in kids(s) if x.kind.is_expression()]
                if rk and ret is not None:
                    v = tr.expr(rk[0])
                    result = tr.temp(convert(v, ret, loc) if isinstance(ret, Scalar) else v,
                                     defn.spelling.replace("operator", "op") + "_ret", loc)
                elif rk:
                    tr.effect(rk[0])
            else:
                tr.stmt(s)
    finally:
        if pushed:
            module.in_progress.pop()
        tr.vars.update(saved_vars)
        tr.ret, tr.this = saved_ret, saved_this
    if want:
        if result is None:
            raise tr.fail("PORT2001", f"{defn.spelling} returns no value", c)
        return result
    return None


def member_inits(tr, ctor, this: LV) -> None:
    """The constructor's member initialiser list: `: x(a), y(b)`."""
    ks = kids(ctor)
    t = this.type
    for i, k in enumerate(ks):
        if k.kind.name != "MEMBER_REF" or i + 1 >= len(ks):
            continue
        init = ks[i + 1]
        if not init.kind.is_expression():
            continue
        ft = t.field_type(k.spelling) if isinstance(t, Struct) else None
        if ft is None:
            raise tr.fail("PORT1002", f"initialiser of {k.spelling!r}", k)
        field = LV("field", ft, parent=this, name=k.spelling)
        if init.kind.name == "PAREN_LIST_EXPR" or (init.kind.name == "CALL_EXPR" and
                                                    not list(init.get_arguments())):
            tr.write(field, zero(ft, tr.loc(k)), tr.loc(k))
            continue
        tr.write(field, tr.expr(init), tr.loc(k))


def method_call(tr, c, d, want: bool) -> ir.Expr | None:
    """obj.method(args) / obj op x: inline with `this` bound to the object's place."""
    ks = kids(c)
    args = list(c.get_arguments())
    if d.spelling.startswith("operator") and len(args) == len(list(d.get_arguments())) + 1:
        obj_c, args = args[0], args[1:]
    else:
        callee = ks[0] if ks else None
        while callee is not None and callee.kind.name in ("UNEXPOSED_EXPR", "PAREN_EXPR"):
            sub = kids(callee)
            callee = sub[0] if sub else None
        if callee is None or callee.kind.name != "MEMBER_REF_EXPR":
            raise tr.fail("PORT1002", f"call of member function {d.spelling!r}", c)
        sub = kids(callee)
        obj_c = sub[0] if sub else None
    if obj_c is None or obj_c.kind.name == "CXX_THIS_EXPR":
        this = tr.this
        if this is None:
            raise tr.fail("PORT1002", f"member function {d.spelling!r} without an object", c)
    else:
        this = object_place(tr, obj_c)
    return inline(tr, c, d, args, want, this=this)


def object_place(tr, obj_c) -> LV:
    from .exprs import peel

    K = obj_c.type.get_canonical().kind
    if K.name == "POINTER":
        from portable.builtins import address

        p = tr.expr(obj_c)
        base, index = address(p, tr.loc(obj_c))
        return tr.elem_lv(base, index, obj_c)
    if tr.is_lvalue(obj_c) or peel(obj_c).kind.name == "CXX_THIS_EXPR":
        if peel(obj_c).kind.name == "CXX_THIS_EXPR":
            return tr.this
        return tr.lvalue(obj_c)
    v = tr.expr(obj_c)
    return LV("var", v.type, var=tr.temp(v, "obj", tr.loc(obj_c)))
