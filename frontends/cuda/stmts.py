"""Statements: clang statement cursors -> structured IR statements.

Counted `for` loops in canonical form become `ir.For`; every other loop becomes `While`/`DoWhile`
(a `continue` first runs what C would run: the increment, or the do-while condition). `switch`
becomes an `If` chain with C's fallthrough.
"""

from __future__ import annotations

from portable import ir
from portable.builtins import convert, to_bool
from portable.ir import Op
from portable.types import BOOL, I32, Array, Pointer, Scalar, Space, Struct, Vector

from . import clang
from .assign import Assignments
from .context import LV, Loop, has_effects, key, zero
from .exprs import Exprs, kids, peel
from .typemap import is_reference

STMT_HINT = "rewrite it with if/for/while, or file an issue with the construct"
_FLIP = {Op.LT: Op.GT, Op.GT: Op.LT, Op.LE: Op.GE, Op.GE: Op.LE, Op.NE: Op.NE, Op.EQ: Op.EQ}


def assigned(c) -> set[tuple]:
    """Keys of the variables `c` assigns, increments, takes the address of or binds to a
    non-const reference parameter (a conservative set)."""
    out: set[tuple] = set()

    def target(t) -> None:
        t = peel(t)
        while t.kind.name in ("MEMBER_REF_EXPR", "ARRAY_SUBSCRIPT_EXPR"):
            ks = kids(t)
            if not ks:
                return
            K = clang.cindex().TypeKind
            if ks[0].type.get_canonical().kind == K.POINTER:
                return  # writes through a pointer leave the pointer variable unchanged
            t = peel(ks[0])
        if t.kind.name == "DECL_REF_EXPR" and t.referenced is not None:
            out.add(key(t.referenced))

    def walk(n) -> None:
        k = n.kind.name
        if k in ("BINARY_OPERATOR", "COMPOUND_ASSIGNMENT_OPERATOR"):
            op = clang.binary_op(n)
            if op.endswith("=") and op not in ("==", "!=", "<=", ">="):
                target(kids(n)[0])
        elif k == "UNARY_OPERATOR" and clang.unary_op(n) in ("pre++", "pre--", "post++",
                                                             "post--", "&"):
            target(kids(n)[0])
        elif k == "CALL_EXPR" and n.referenced is not None:
            params = list(n.referenced.get_arguments())
            for p, a in zip(params, n.get_arguments(), strict=False):
                if is_reference(p.type) and not p.type.get_pointee().is_const_qualified():
                    target(a)
            if n.referenced.kind.name == "CXX_METHOD" and kids(n):
                target(kids(n)[0])  # a member function may modify its object
        for ch in n.get_children():
            walk(ch)

    walk(c)
    return out


def for_parts(c) -> tuple:
    """(init, cond, inc, body) of a FOR_STMT; libclang omits the empty ones, so we place the
    children by the semicolons of the header."""
    toks = list(c.get_tokens())
    depth, semis, close = 0, [], None
    for t in toks:
        s = t.spelling
        if s == "(":
            depth += 1
        elif s == ")":
            depth -= 1
            if depth == 0:
                close = t.extent.start.offset
                break
        elif s == ";" and depth == 1:
            semis.append(t.extent.start.offset)
    ks = kids(c)
    body = ks[-1]
    init = cond = inc = None
    if len(semis) != 2 or close is None:
        raise ValueError("unexpected for header")
    for k in ks[:-1]:
        off = k.extent.start.offset
        if off < semis[0]:
            init = k
        elif off < semis[1]:
            cond = k
        elif off < close:
            inc = k
    return init, cond, inc, body


class Stmts(Exprs, Assignments):
    """The statement visitor: `stmt(c)` dispatches on the cursor kind (s_<KIND>)."""

    def stmt(self, c) -> None:
        m = getattr(self, "s_" + c.kind.name, None)
        if m is not None:
            m(c)
        elif c.kind.is_expression():
            self.effect(c)
        else:
            raise self.fail("PORT1001", f"unsupported statement ({c.kind.name.lower()})", c,
                            STMT_HINT)

    def block(self, c) -> tuple[ir.Stmt, ...]:
        with self.capture() as out:
            self.stmt(c)
        return tuple(out)

    def s_COMPOUND_STMT(self, c) -> None:
        for k in kids(c):
            self.stmt(k)

    def s_NULL_STMT(self, c) -> None:
        pass

    def s_UNEXPOSED_STMT(self, c) -> None:  # attributed statements: #pragma unroll ...
        ks = [k for k in kids(c) if k.kind.is_statement() or k.kind.is_expression()]
        if len(ks) != 1:
            raise self.fail("PORT1001", "unsupported statement", c, STMT_HINT)
        self.stmt(ks[0])

    def s_DECL_STMT(self, c) -> None:
        for d in kids(c):
            if d.kind.name == "VAR_DECL":
                self.var_decl(d)
            elif d.kind.name in ("TYPEDEF_DECL", "TYPE_ALIAS_DECL", "STRUCT_DECL",
                                 "CLASS_DECL", "ENUM_DECL", "STATIC_ASSERT", "USING_DIRECTIVE",
                                 "USING_DECLARATION", "NAMESPACE_ALIAS", "UNION_DECL"):
                continue
            else:
                raise self.fail("PORT1001", f"unsupported declaration ({d.kind.name.lower()})",
                                d, STMT_HINT)

    # ------------------------------------------------------------ declarations

    def var_decl(self, d) -> None:
        loc = self.loc(d)
        attrs = {k.kind.name for k in kids(d)}
        sc = d.storage_class.name
        if "CUDASHARED_ATTR" in attrs:
            return self.shared_decl(d, extern=sc == "EXTERN")
        if "CUDACONSTANT_ATTR" in attrs or "CUDADEVICE_ATTR" in attrs:
            raise self.fail("PORT1001", "__device__/__constant__ variables must be declared at "
                            "file scope", d, "move the declaration out of the function")
        init = clang.var_init(d)
        decl = d.type.get_canonical().get_declaration()
        if decl is not None and decl.kind.name != "NO_DECL_FOUND" and \
                self.module.is_prelude(decl):
            from .groups import is_group

            if is_group(decl):  # a cooperative group handle: an int that says which group
                value = convert(self.expr(init), I32, loc) if init is not None else \
                    ir.const(0, I32, loc)  # (frontends/cuda/rtgroups.py)
                from .rtgroups import reassigned

                if isinstance(value, ir.Const) and (d.semantic_parent is None or
                                                    not reassigned(d.semantic_parent, d)):
                    self.vars[key(d)] = value  # known: syncs pick their barrier now
                    return None
                var = ir.Var(self.fresh(d.spelling), I32, loc=loc)
                self.vars[key(d)] = var
                self.emit(ir.Decl(var, value, loc=loc))
                return None
        if is_reference(d.type):
            if init is None:
                raise self.fail("PORT1001", "reference without initialiser", d)
            if self.is_lvalue(init):
                self.vars[key(d)] = self.lvalue(init)
            else:
                self.vars[key(d)] = self.temp(self.expr(init), d.spelling, loc)
            return None
        if sc == "STATIC" and not d.type.is_const_qualified():
            return self.static_local(d, init)
        from .unions import declare, is_union

        if is_union(d.type):
            return declare(self, d)
        t = self.type_of(d, Space.GLOBAL)
        if isinstance(t, Array):
            if not t.shape:
                raise self.fail("PORT1003", f"local array {d.spelling!r} without a size", d)
            var = ir.Var(self.fresh(d.spelling), t, loc=loc)
            self.vars[key(d)] = var
            self.emit(ir.Decl(var, None, loc=loc))
            if init is not None:
                self.array_init(var, t, init)
            return None
        value = None
        rows = None
        if init is not None:
            value = self.expr(init)
            if isinstance(t, Pointer) and isinstance(value.type, Pointer):
                t = Pointer(t.elem, value.type.space, t.const, t.restrict)
            value = convert(value, t, loc) if isinstance(t, Scalar) else value
        if self.flat_pointer(t) is not None:  # float (*p)[2]: a pointer to the floats
            t, rows = self.flat_pointer(t)
            if value is not None:
                inner = value.value if isinstance(value, ir.Cast) else value
                value = inner if self.flat_pointer(inner.type) is None and \
                    isinstance(inner.type, Pointer) and inner.type.elem == t.elem else \
                    ir.Cast(inner, t, loc=loc)
        parent = d.semantic_parent
        if self.addressable(t) and parent is not None and \
                key(d) in self.module.addressed(parent):
            self.vars[key(d)] = self.local_place(d.spelling, t, value, loc)
            return None
        var = ir.Var(self.fresh(d.spelling), t, loc=loc)
        self.vars[key(d)] = var
        if rows is not None:
            self.rows[var.name] = rows
        self.emit(ir.Decl(var, value, loc=loc))
        return None

    def static_local(self, d, init) -> None:
        """`static T x = c;` in device code: one variable for the whole module, a hidden
        `__device__` global (its constant initialiser set once, it keeps its value across
        calls and launches)."""
        loc = self.loc(d)
        t = self.type_of(d, Space.GLOBAL)
        if not isinstance(t, (Scalar, Array)) or (isinstance(t, Array) and not t.shape):
            raise self.fail("PORT1001", f"static local variable {d.spelling!r} of type {t}", d,
                            "use a __device__ global variable, or a plain local")
        arr = Array(t.elem, t.shape, Space.GLOBAL) if isinstance(t, Array) else \
            Array(t, (1,), Space.GLOBAL)
        values = None
        if init is not None and not (init.kind.name == "CALL_EXPR" and not kids(init)):
            values = self.module.constant_init(init, arr, loc)
        g = self.module.synthesized(f"{d.semantic_parent.spelling}_{d.spelling}", arr,
                                    values, loc, key=key(d))
        self.vars[key(d)] = g if isinstance(t, Array) else \
            LV("mem", t, base=g, index=(ir.const(0, I32, loc),))

    def is_lvalue(self, c) -> bool:
        p = peel(c)
        if p.kind.name == "DECL_REF_EXPR":
            d = p.referenced
            v = self.vars.get(key(d)) if d is not None else None
            if isinstance(v, (ir.Var, LV)):
                return True
            g = self.module.global_ref(d, self) if d is not None else None
            return g is not None and g.name in self.module.scalar_globals
        return p.kind.name in ("ARRAY_SUBSCRIPT_EXPR", "MEMBER_REF_EXPR") or (
            p.kind.name == "UNARY_OPERATOR" and clang.unary_op(p) == "*")

    def shared_decl(self, d, extern: bool) -> None:
        loc = self.loc(d)
        t = self.type_of(d, Space.SHARED)
        if isinstance(t, Array):
            t = Array(t.elem, t.shape, Space.SHARED)
        else:
            t = Array(t, (1,), Space.SHARED)  # a shared scalar is a one-element array
        if extern or not t.shape:
            v = ir.Var(self.fresh(d.spelling), Array(t.elem, (), Space.SHARED), loc=loc)
            self.dynamic_shared.append(v)
            self.vars[key(d)] = v
            return
        v = ir.Var(self.fresh(d.spelling), t, loc=loc)
        self.shared.append(v)
        if isinstance(self.type_of(d, Space.SHARED), Array):
            self.vars[key(d)] = v
        else:
            self.vars[key(d)] = LV("mem", t.elem, base=v, index=(ir.const(0, I32, loc),))

    def array_init(self, var: ir.Var, t: Array, init) -> None:
        loc = self.loc(init)
        flat: list = []

        def collect(c, dims: tuple[int, ...]) -> None:
            p = peel(c)
            if not dims:
                flat.append(p)
                return
            if p.kind.name != "INIT_LIST_EXPR":
                raise self.fail("PORT1002", "array initialiser must be a brace list", c)
            items = [k for k in kids(p) if k.kind.is_expression()]
            inner = dims[1:]
            size = 1
            for n in inner:
                size *= n
            for it in items:
                collect(it, inner)
            flat.extend([None] * (size * (dims[0] - len(items))))

        collect(init, t.shape)
        for i, c in enumerate(flat):
            idx, rem = [], i
            for n in reversed(t.shape):
                idx.append(rem % n)
                rem //= n
            index = tuple(ir.const(v, I32, loc) for v in reversed(idx))
            value = zero(t.elem, loc) if c is None else self.expr(c)
            value = convert(value, t.elem, loc) if isinstance(t.elem, Scalar) else value
            self.emit(ir.Store(var, index, value, loc=loc))

    # ------------------------------------------------------------ control flow

    def s_IF_STMT(self, c) -> None:
        ks = kids(c)
        while ks and ks[0].kind.name in ("VAR_DECL", "DECL_STMT"):
            self.stmt(ks[0]) if ks[0].kind.name == "DECL_STMT" else self.var_decl(ks[0])
            ks = ks[1:]
        cond = self.cond(ks[0])
        then = self.block(ks[1])
        orelse = self.block(ks[2]) if len(ks) > 2 else ()
        self.emit(ir.If(cond, then, orelse, loc=self.loc(c)))

    def loop_body(self, c, loop: Loop) -> tuple[ir.Stmt, ...]:
        self.loops.append(loop)
        try:
            return self.block(c)
        finally:
            self.loops.pop()

    def s_WHILE_STMT(self, c) -> None:
        ks = kids(c)
        if ks[0].kind.name == "VAR_DECL":
            raise self.fail("PORT1001", "declaration in a while condition", ks[0],
                            "declare the variable before the loop")
        with self.capture() as pre:
            cond = self.cond(ks[0])
        body = self.loop_body(ks[1], Loop("loop"))
        self.emit(self.guarded_while(cond, tuple(pre), body, self.loc(c)))

    def guarded_while(self, cond, pre, body, loc) -> ir.Stmt:
        if not pre:
            return ir.While(cond, body, loc=loc)
        stop = ir.If(ir.Unary(Op.LNOT, cond, BOOL, loc=loc), (ir.Break(loc=loc),), loc=loc)
        return ir.While(ir.TRUE, pre + (stop,) + body, loc=loc)

    def s_DO_STMT(self, c) -> None:
        body_c, cond_c = kids(c)
        loc = self.loc(c)
        with self.capture() as pre:
            cond = self.cond(cond_c)
        if not pre:
            body = self.loop_body(body_c, Loop("loop"))
            self.emit(ir.DoWhile(body, cond, loc=loc))
            return

        def check() -> None:  # what `continue` and the loop end run: the condition
            with self.capture() as p:
                k = self.cond(cond_c)
            self.emit(p)
            self.emit(ir.If(ir.Unary(Op.LNOT, k, BOOL, loc=loc), (ir.Break(loc=loc),), loc=loc))

        body = self.loop_body(body_c, Loop("loop", on_continue=check))
        with self.capture() as tail:
            check()
        self.emit(ir.While(ir.TRUE, body + tuple(tail), loc=loc))

    def s_FOR_STMT(self, c) -> None:
        try:
            init, cond_c, inc, body_c = for_parts(c)
        except ValueError:
            raise self.fail("PORT1001", "unsupported for statement", c, STMT_HINT) from None
        loc = self.loc(c)
        if init is not None and cond_c is not None and inc is not None:
            if self.counted_for(init, cond_c, inc, body_c, loc):
                return
        if init is not None:
            self.stmt(init)
        with self.capture() as pre:
            cond = self.cond(cond_c) if cond_c is not None else ir.TRUE

        def step() -> None:
            if inc is not None:
                self.effect(inc)

        body = self.loop_body(body_c, Loop("loop", on_continue=step if inc is not None else None))
        with self.capture() as tail:
            step()
        self.emit(self.guarded_while(cond, tuple(pre), body + tuple(tail), loc))

    def counted_for(self, init, cond_c, inc, body_c, loc) -> bool:
        """Emits the loop and returns True when its init declares one int loop variable: an
        ir.For when the loop is canonical (`for (T i = a; i cmp b; i += s)` with `i`
        not assigned in the body, `b` and `s` free of side effects), else a while loop. False
        when the caller must translate the loop itself."""
        vds = [k for k in kids(init) if k.kind.name == "VAR_DECL"] \
            if init.kind.name == "DECL_STMT" else []
        if len(vds) != 1 or clang.var_init(vds[0]) is None or is_reference(vds[0].type):
            return False
        d = vds[0]
        t = self.type_of(d)
        if not isinstance(t, Scalar) or not t.is_int:
            return False
        k = key(d)
        if k in assigned(body_c) or k in assigned(cond_c):
            return False
        step_c = self.step_of(inc, k)
        if step_c is None:
            return False
        start = convert(self.expr(clang.var_init(d)), t, loc)
        var = ir.Var(self.fresh(d.spelling), t, loc=self.loc(d))
        self.vars[k] = var
        with self.capture() as pre:
            cond = self.expr(cond_c)
            sign, sc = step_c
            step = convert(self.expr(sc), t, loc) if sc is not None else ir.const(1, t, loc)
        if pre or not isinstance(cond, ir.Compare) or has_effects(cond) or has_effects(step):
            self.emit(ir.Decl(var, start, loc=loc))  # fall back: the variable lives on
            self.fallback_for(var, cond_c, inc, body_c, loc)
            return True
        op, lhs, rhs = cond.op, cond.lhs, cond.rhs
        if rhs == var and lhs != var:
            op, lhs, rhs = _FLIP[op], rhs, lhs
        if lhs != var or any(n == var for n in ir.walk(rhs)) or op is Op.EQ:
            self.emit(ir.Decl(var, start, loc=loc))
            self.fallback_for(var, cond_c, inc, body_c, loc)
            return True
        if sign < 0:
            step = ir.Unary(Op.NEG, step, t, loc=loc) if not isinstance(step, ir.Const) \
                else ir.const(-step.value, t, loc) if t.is_signed else \
                ir.Unary(Op.NEG, step, t, loc=loc)
        body = self.loop_body(body_c, Loop("loop"))
        self.emit(ir.For(var, start, rhs, step, body, op, loc=loc))
        return True

    def fallback_for(self, var, cond_c, inc, body_c, loc) -> None:
        with self.capture() as pre:
            cond = self.cond(cond_c)

        def step() -> None:
            self.effect(inc)

        body = self.loop_body(body_c, Loop("loop", on_continue=step))
        with self.capture() as tail:
            step()
        self.emit(self.guarded_while(cond, tuple(pre), body + tuple(tail), loc))
        return None

    def step_of(self, inc, k) -> tuple[int, object] | None:
        """(sign, step cursor or None for 1) when `inc` is i++, ++i, i--, i += s, i -= s,
        i = i + s, i = s + i or i = i - s for the variable with key `k`."""
        inc = peel(inc)

        def is_var(x) -> bool:
            x = peel(x)
            return x.kind.name == "DECL_REF_EXPR" and x.referenced is not None and \
                key(x.referenced) == k

        kind = inc.kind.name
        if kind == "UNARY_OPERATOR":
            op = clang.unary_op(inc)
            if op in ("pre++", "post++", "pre--", "post--") and is_var(kids(inc)[0]):
                return (1 if op.endswith("++") else -1), None
        elif kind == "COMPOUND_ASSIGNMENT_OPERATOR":
            op = clang.binary_op(inc)
            a, b = kids(inc)
            if op in ("+=", "-=") and is_var(a) and k not in assigned(b):
                return (1 if op == "+=" else -1), b
        elif kind == "BINARY_OPERATOR" and clang.binary_op(inc) == "=":
            a, b = kids(inc)
            b = peel(b)
            if is_var(a) and b.kind.name == "BINARY_OPERATOR" and \
                    clang.binary_op(b) in ("+", "-"):
                x, y = kids(b)
                if is_var(x) and k not in assigned(y):
                    return (1 if clang.binary_op(b) == "+" else -1), y
                if is_var(y) and clang.binary_op(b) == "+" and k not in assigned(x):
                    return 1, x
        return None

    def s_BREAK_STMT(self, c) -> None:
        if self.loops and self.loops[-1].kind == "switch":
            self.loops[-1].breaks.append(c)
        self.emit(ir.Break(loc=self.loc(c)))

    def s_CONTINUE_STMT(self, c) -> None:
        for lp in reversed(self.loops):
            if lp.kind == "switch":
                lp.continues.append(c)
                continue
            if lp.on_continue is not None:
                lp.on_continue()
            break
        self.emit(ir.Continue(loc=self.loc(c)))

    def s_RETURN_STMT(self, c) -> None:
        ks = [k for k in kids(c) if k.kind.is_expression()]
        loc = self.loc(c)
        if not ks:
            self.emit(ir.Return(loc=loc))
            return
        if self.ret is None or str(self.ret) == "void":
            self.effect(ks[0])
            self.emit(ir.Return(loc=loc))
            return
        v = self.expr(ks[0])
        self.emit(ir.Return(convert(v, self.ret, loc) if isinstance(self.ret, Scalar) else v,
                            loc=loc))

    def s_GOTO_STMT(self, c) -> None:
        raise self.fail("PORT1006", "goto is not supported", c,
                        "use structured control flow (loops with break/continue)")

    s_LABEL_STMT = s_INDIRECT_GOTO_STMT = s_GOTO_STMT

    def s_ASM_STMT(self, c) -> None:
        from .ptx import translate

        translate(self, c)  # the lane id and a few other one-instruction idioms, else PORT1011

    s_GCC_ASM_STMT = s_MS_ASM_STMT = s_ASM_STMT

    def s_SWITCH_STMT(self, c) -> None:
        from .switch import lower_switch

        lower_switch(self, c)


__all__ = ["Stmts", "assigned", "for_parts", "Vector", "Struct", "to_bool"]
