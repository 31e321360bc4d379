"""Statement lowering: one Python function (kernel or device function) to one `ir.Function`.

Parameters. A scalar argument is one parameter of its numba type. An array argument `a` of
`ndim` dimensions becomes these parameters, in this order (the *mangling*):

    a             ptr<dtype, global>   the data (for strided views: the lowest-addressed element)
    a_shape0 ...  i64                  one extent per dimension
    a_stride0 ... i64                  element strides, only for non-C-contiguous ("A") arrays
    a_offset      i64                  element offset of a[0, ...], only for "A" arrays

C-contiguous arrays index as `a[(i * a_shape1) + j]`; "A" arrays as
`a[a_offset + i * a_stride0 + j * a_stride1]`. A mangled name that collides with a user name
gets a numeric suffix.

Typing. Variables are typed by unifying every value assigned to them (numba's rule); lowering
runs again until no variable changes type (a few rounds at most).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from portable.frontends.python import intrinsics, scopes
from portable.frontends.python.exprs import ExprMixin, trivial
from portable.frontends.python.ntypes import unify_var
from portable.frontends.python.source import Source, get_source
from portable.frontends.python.values import ArrayVal, PyObj, RangeVal, TupleVal, Value, c_strides

from portable import ir
from portable.errors import Loc
from portable.types import BOOL, I64, Array, Pointer, Scalar, Space, Type, Void

RESERVED = frozenset("""int float double char long short unsigned signed void struct union static
const volatile register extern auto switch case default do goto sizeof typedef enum restrict inline
kernel global local constant private half bool true false main min max abs sqrt exp log pow sin
cos tan floor ceil fabs printf""".split())


@dataclass(frozen=True)
class ArrSpec:
    """How an array reaches a function: kernels get global arrays; device functions may also get
    shared/local/constant ones, whose shape is then a compile-time constant."""

    dtype: Scalar
    ndim: int
    layout: str = "C"
    space: Space = Space.GLOBAL
    shape: tuple[int, ...] | None = None


Spec = Scalar | ArrSpec


_POSITIVE_SREGS = (ir.Sreg.NTID, ir.Sreg.NCTAID, ir.Sreg.WARPSIZE)


def known_positive(e: ir.Expr) -> bool:
    """True when `e` is > 0 whatever the launch (constants, blockDim, gridDim and products)."""
    if isinstance(e, ir.Const):
        return e.value > 0
    if isinstance(e, ir.Cast):
        return isinstance(e.value, ir.Special) and e.value.reg in _POSITIVE_SREGS
    if isinstance(e, ir.Binary) and e.op in (ir.Op.MUL, ir.Op.ADD):
        return known_positive(e.lhs) and known_positive(e.rhs)
    return False


class Lowerer(ExprMixin):
    def __init__(self, ctx, pyfunc, name: str, specs: tuple[Spec, ...], kernel: bool,
                 var_types: dict[str, Type], kinds: dict[str, str], attempt: int = 0) -> None:
        self.ctx = ctx
        self.attempt = attempt
        self.pyfunc = pyfunc
        self.src: Source = get_source(pyfunc)
        self.tree = self.src.tree
        self.name = name
        self.specs = specs
        self.kernel = kernel
        self.var_types = var_types
        self.kinds = kinds
        self.dirty = False
        self.pyglobals = pyfunc.__globals__
        code = pyfunc.__code__
        self.closure = {n: c.cell_contents for n, c in
                        zip(code.co_freevars, pyfunc.__closure__ or (), strict=False)}
        self.env: dict[str, Value] = {}
        self.names: set[str] = set()
        self.out: list[ir.Stmt] = []
        self.shared: list[ir.Var] = []
        self.dyn_shared: list[ir.Var] = []
        self.local_decls: list[ir.Stmt] = []
        self.loops = 0
        self.ctrl = 0
        self.init_here: set[str] = set()
        self.name_hint = ""
        argnames = [a.arg for a in self.tree.args.args]
        self.plan = scopes.plan(self.tree, set(argnames))
        self.loop_only = self.plan.loop_vars

    # ------------------------------------------------------------ infrastructure

    def loc(self, node: ast.AST | None) -> Loc:
        return self.src.loc(node)

    def fresh(self, base: str) -> str:
        base = base + "_" if base in RESERVED else base
        name, k = base, 1
        while name in self.names:
            name, k = f"{base}_{k}", k + 1
        self.names.add(name)
        return name

    def emit(self, s: ir.Stmt) -> None:
        self.out.append(s)

    def new_temp(self, t: Type, hint: str) -> ir.Var:
        v = ir.Var(self.fresh(hint), t)
        self.emit(ir.Decl(v))
        return v

    def temp(self, e: ir.Expr, hint: str = "t") -> ir.Var:
        v = ir.Var(self.fresh(hint), e.type, loc=e.loc)
        self.emit(ir.Decl(v, e, loc=e.loc))
        return v

    def buffered(self, f):
        """Run `f` with a fresh statement buffer; returns (its value, the statements)."""
        saved, self.out = self.out, []
        try:
            return f(), tuple(self.out)
        finally:
            self.out = saved

    # ------------------------------------------------------------ function

    def lower(self) -> tuple[ir.Function, Type]:
        t = self.tree
        a = t.args
        if a.vararg or a.kwarg or a.kwonlyargs or a.posonlyargs or a.defaults:
            raise self.err("PORT1014", "kernels take plain positional parameters", t,
                           "remove *args, **kwargs, keyword-only parameters and defaults")
        names = [x.arg for x in a.args]
        if len(names) != len(self.specs):
            raise self.err("PORT4001", f"{t.name} takes {len(names)} arguments, got "
                           f"{len(self.specs)}", t)
        params: list[ir.Param] = []
        prologue: list[ir.Stmt] = []
        for pname in names:
            self.names.add(pname)
        for pname, spec in zip(names, self.specs, strict=False):
            params += self.param(pname, spec, prologue)
        body = self.block(t.body, top=True)
        ret = self.var_types.get("<return>", Void())
        body = tuple(prologue) + tuple(self.local_decls) + body
        fn = ir.Function(self.name, tuple(params), body, ret=ret if not self.kernel else Void(),
                         kernel=self.kernel, shared=tuple(self.shared),
                         dynamic_shared=tuple(self.dyn_shared), loc=self.loc(t))
        return fn, ret

    def param(self, pname: str, spec: Spec, prologue: list) -> list[ir.Param]:
        loc = self.loc(self.tree)
        if isinstance(spec, Scalar):
            p = ir.Param(pname, spec, loc=loc)
            if pname in self.plan.assigned:
                t = self.var_types.setdefault(pname, spec)
                v = ir.Var(self.fresh(pname), t, loc=loc)
                prologue.append(ir.Decl(v, self.cast(p, t), loc=loc))
                self.env[pname] = v
                self.kinds[pname] = "scalar"
            else:
                self.env[pname] = p
            return [p]
        ptr = ir.Param(pname, Pointer(spec.dtype, spec.space, const=spec.space is Space.CONSTANT),
                       loc=loc)
        out = [ptr]
        if spec.shape is not None:
            shape = tuple(ir.const(n, I64) for n in spec.shape)
        else:
            shape = tuple(ir.Param(self.fresh(f"{pname}_shape{d}"), I64, loc=loc)
                          for d in range(spec.ndim))
            out += shape
        offset = None
        if spec.layout == "A":
            strides = tuple(ir.Param(self.fresh(f"{pname}_stride{d}"), I64, loc=loc)
                            for d in range(spec.ndim))
            offset = ir.Param(self.fresh(f"{pname}_offset"), I64, loc=loc)
            out += [*strides, offset]
        else:
            strides = c_strides(shape, loc)
        self.env[pname] = ArrayVal(ptr, spec.dtype, shape, strides, offset, layout=spec.layout)
        self.kinds[pname] = "binding"
        return out

    # ------------------------------------------------------------ statements

    def block(self, stmts: list[ast.stmt], top: bool = False) -> ir.Body:
        saved, self.out = self.out, []
        bid = id(stmts)
        for i, s in enumerate(stmts):
            if top:
                for name in sorted(self.plan.top_at.get(i, ())):
                    self.declare_top(name, s)
            self.init_here = self.plan.init_at.get((bid, i), set())
            m = getattr(self, "stmt_" + type(s).__name__, None)
            if m is None:
                raise self.unsupported(s)
            m(s)
        body, self.out = tuple(self.out), saved
        return body

    def unsupported(self, s: ast.stmt):
        hints = {
            "Raise": "exceptions cannot be raised in kernels; write an error flag to an array",
            "Try": "exceptions are not supported in kernels",
            "FunctionDef": "define helpers at module level with @cuda.jit(device=True)",
            "ClassDef": "classes are not supported in kernels",
            "Import": "import modules at module level",
            "ImportFrom": "import modules at module level",
            "Global": "module-level names are read-only in kernels; pass arrays instead",
            "Nonlocal": "closures are read-only in kernels",
            "With": "with-blocks are not supported in kernels",
            "Delete": "del is not supported in kernels",
            "Match": "use if/elif/else",
        }
        kind = type(s).__name__
        return self.err("PORT1014", f"unsupported Python statement ({kind}) in a kernel", s,
                        hints.get(kind, "see the list of supported constructs in the docs"))

    def declare_top(self, name: str, node: ast.stmt) -> None:
        if self.kinds.get(name) == "scalar" and name in self.var_types:
            v = ir.Var(self.fresh(name), self.var_types[name], loc=self.loc(node))
            self.env[name] = v
            self.emit(ir.Decl(v, loc=self.loc(node)))
        elif name not in self.kinds:
            self.dirty = True  # unknown until its first assignment is lowered

    def stmt_Pass(self, s: ast.Pass) -> None:
        pass

    def stmt_Assert(self, s: ast.Assert) -> None:
        pass  # numba compiles assertions out of kernels unless debug=True and opt=False

    def stmt_Expr(self, s: ast.Expr) -> None:
        if isinstance(s.value, ast.Constant):
            return  # docstring or bare constant
        v = self.expr(s.value)
        if isinstance(v, ir.Expr) and not trivial(v):
            self.emit(ir.ExprStmt(v, loc=self.loc(s)))

    def stmt_Assign(self, s: ast.Assign) -> None:
        t0 = s.targets[0]
        self.name_hint = t0.id if isinstance(t0, ast.Name) else ""
        if len(s.targets) > 1:  # a = b = value
            v = self.expr(s.value)
            if isinstance(v, ir.Expr) and not trivial(v):
                v = self.temp(v, "v")
            for t in s.targets:
                self.assign(t, v, s)
            return
        target = s.targets[0]
        if isinstance(target, ast.Tuple) and isinstance(s.value, ast.Tuple):
            if len(target.elts) != len(s.value.elts):
                raise self.err("PORT2001", "tuple assignment with mismatched lengths", s)
            vals = [self.expr(e) for e in s.value.elts]
            written = {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
            reads = {n.id for e in s.value.elts for n in ast.walk(e) if isinstance(n, ast.Name)}
            if written & reads:  # a, b = b, a: evaluate every value first
                vals = [self.temp(v, "v") if isinstance(v, ir.Expr) and not
                        isinstance(v, ir.Const) else v for v in vals]
            for t, v in zip(target.elts, vals, strict=False):
                self.assign(t, v, s)
            return
        self.assign(target, self.expr(s.value), s)

    def stmt_AnnAssign(self, s: ast.AnnAssign) -> None:
        if s.value is not None:
            self.assign(s.target, self.expr(s.value), s)

    def stmt_AugAssign(self, s: ast.AugAssign) -> None:
        op = type(s.op)
        if isinstance(s.target, ast.Name):
            cur = self.as_scalar(self.visit_Name(ast.Name(s.target.id, ast.Load(),
                                                          lineno=s.lineno,
                                                          col_offset=s.col_offset)), s)
            self.assign(s.target, self.binop(op, cur, self.scalar(s.value), s), s)
            return
        if isinstance(s.target, ast.Subscript):
            arr = self.expr(s.target.value)
            if not isinstance(arr, ArrayVal):
                raise self.err("PORT2001", "augmented assignment to an element of a non-array", s)
            r = self.index(arr, s.target.slice, s.target)
            if isinstance(r, ArrayVal):
                raise self.err("PORT1014", "augmented assignment to an array view", s)
            base, idx = r
            idx = tuple(self.once(i, "i") for i in idx)
            cur = ir.Load(base, idx, arr.dtype, loc=self.loc(s.target))
            val = self.binop(op, cur, self.scalar(s.value), s)
            self.emit(ir.Store(base, idx, self.cast(val, arr.dtype), loc=self.loc(s)))
            return
        raise self.err("PORT1014", "unsupported augmented assignment target", s)

    def assign(self, target: ast.AST, value: Value, s: ast.stmt) -> None:
        loc = self.loc(target)
        if isinstance(target, ast.Name):
            self.assign_name(target.id, value, target)
        elif isinstance(target, ast.Subscript):
            arr = self.expr(target.value)
            if not isinstance(arr, ArrayVal):
                raise self.err("PORT2001", f"cannot assign to an element of "
                               f"`{ast.unparse(target.value)}`", target,
                               "only arrays can be assigned to by index")
            r = self.index(arr, target.slice, target)
            if isinstance(r, ArrayVal):
                raise self.err("PORT1014", "assignment to an array view (a[i] = ... on a 2-d "
                               "array)", target, "index every dimension")
            base, idx = r
            val = self.cast(self.as_scalar(value, s), arr.dtype)
            self.emit(ir.Store(base, idx, val, loc=loc))
        elif isinstance(target, (ast.Tuple, ast.List)):
            if not isinstance(value, TupleVal) or len(value.items) != len(target.elts):
                raise self.err("PORT2001", "cannot unpack this value into "
                               f"{len(target.elts)} names", target,
                               "unpack tuples of the same length")
            for t, v in zip(target.elts, value.items, strict=False):
                self.assign(t, v, s)
        else:
            raise self.err("PORT1014", f"cannot assign to {type(target).__name__}", target)

    def assign_name(self, name: str, value: Value, node: ast.AST) -> None:
        loc = self.loc(node)
        if not isinstance(value, ir.Expr):
            if isinstance(value, PyObj) and hasattr(value.obj, "name") and \
                    type(value.obj).__name__ == "SpecialReg":
                value = self.as_scalar(value, node)
            else:
                return self.bind_name(name, value, node)
        if not isinstance(value.type, Scalar):
            raise self.err("PORT2001", f"cannot assign a value of type {value.type}", node)
        if self.kinds.get(name) == "binding":
            raise self.err("PORT2001", f"{name!r} holds an array or tuple elsewhere and a number "
                           "here", node, "use a different variable name")
        self.kinds[name] = "scalar"
        old = self.var_types.get(name)
        new = value.type if old is None else unify_var(old, value.type)
        if new != old:
            self.var_types[name] = new
            if old is not None:
                self.dirty = True
        var = self.env.get(name)
        if not isinstance(var, ir.Var):
            var = ir.Var(self.fresh(name), new, loc=loc)
            self.env[name] = var
            self.emit(ir.Decl(var, self.cast(value, new), loc=loc))
            if name not in self.init_here:
                self.dirty = True  # the plan wanted it declared earlier; now its type is known
            return
        self.emit(ir.Assign(var, self.cast(value, var.type), loc=loc))

    def bind_name(self, name: str, value: Value, node: ast.AST) -> None:
        if self.kinds.get(name) == "scalar":
            raise self.err("PORT2001", f"{name!r} holds a number elsewhere and an array or tuple "
                           "here", node, "use a different variable name")
        if self.ctrl and name in self.env and self.env[name] is not value:
            raise self.err("PORT1014", f"{name!r} is rebound to another array or tuple inside "
                           "a branch or loop", node,
                           "arrays and tuples are compile-time values; rebind them only in "
                           "straight-line code")
        if isinstance(value, TupleVal):  # snapshot the elements: later writes must not show
            value = TupleVal(tuple(self.temp(v, f"{name}_{i}") if isinstance(v, ir.Expr) and
                                   not isinstance(v, ir.Const) else v
                                   for i, v in enumerate(value.items)))
        self.kinds[name] = "binding"
        self.env[name] = value

    # ------------------------------------------------------------ control flow

    def stmt_If(self, s: ast.If) -> None:
        cond = self.truth(self.scalar(s.test), s.test)
        if isinstance(cond, ir.Const):  # compile-time branch (module-level flags)
            for st in self.block(s.body if cond.value else s.orelse):
                self.emit(st)
            return
        self.ctrl += 1
        then = self.block(s.body)
        orelse = self.block(s.orelse)
        self.ctrl -= 1
        self.emit(ir.If(cond, then, orelse, loc=self.loc(s)))

    def stmt_While(self, s: ast.While) -> None:
        if s.orelse:
            raise self.err("PORT1014", "while ... else is not supported", s,
                           "use a flag variable")
        cond, pre = self.buffered(lambda: self.truth(self.scalar(s.test), s.test))
        self.ctrl += 1
        self.loops += 1
        body = self.block(s.body)
        self.loops -= 1
        self.ctrl -= 1
        if pre:  # the condition needs statements: run them at the top of every iteration
            exit_ = ir.If(ir.Unary(ir.Op.LNOT, cond, BOOL), (ir.Break(),))
            self.emit(ir.While(ir.TRUE, (*pre, exit_, *body), loc=self.loc(s)))
        else:
            self.emit(ir.While(cond, body, loc=self.loc(s)))

    def stmt_Break(self, s: ast.Break) -> None:
        self.emit(ir.Break(loc=self.loc(s)))

    def stmt_Continue(self, s: ast.Continue) -> None:
        self.emit(ir.Continue(loc=self.loc(s)))

    def stmt_Return(self, s: ast.Return) -> None:
        loc = self.loc(s)
        if s.value is None or (isinstance(s.value, ast.Constant) and s.value.value is None):
            if not self.kernel and self.var_types.get("<return>", Void()) != Void():
                raise self.err("PORT2001", "a device function returns a value on some paths "
                               "and nothing on others", s)
            self.var_types.setdefault("<return>", Void())
            self.emit(ir.Return(loc=loc))
            return
        if self.kernel:
            raise self.err("PORT2001", "a kernel cannot return a value", s,
                           "write results to an output array")
        v = self.expr(s.value)
        if not isinstance(v, ir.Expr):
            raise self.err("PORT1014", "device functions can only return a single number", s,
                           "return one scalar, or write results to an array argument")
        old = self.var_types.get("<return>")
        if old == Void():
            raise self.err("PORT2001", "a device function returns a value on some paths and "
                           "nothing on others", s)
        new = v.type if old is None else unify_var(old, v.type)
        if new != old:
            self.var_types["<return>"] = new
            self.dirty = self.dirty or old is not None
        self.emit(ir.Return(self.cast(v, new), loc=loc))

    def stmt_For(self, s: ast.For) -> None:
        loc = self.loc(s)
        if s.orelse:
            raise self.err("PORT1014", "for ... else is not supported", s, "use a flag variable")
        rng = self.expr(s.iter)
        if isinstance(rng, TupleVal):
            return self.tuple_loop(rng, s)
        if not isinstance(rng, RangeVal):
            raise self.err("PORT1014", "kernels can only loop over range(...)", s.iter,
                           "write `for i in range(len(a))` and index the array")
        if not isinstance(s.target, ast.Name):
            raise self.err("PORT1014", "the loop target must be a single name", s.target)
        name = s.target.id
        assigned_in_body = {n.id for st in s.body for n in ast.walk(st)
                            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}

        def invariant(e: ir.Expr) -> ir.Expr:
            vars_ = {n.name for n in ir.walk(e) if isinstance(n, ir.Var)}
            loads = any(isinstance(n, (ir.Load, ir.Call, ir.Atomic, ir.Shuffle, ir.Vote))
                        for n in ir.walk(e))
            pynames = {k for k, v in self.env.items() if isinstance(v, ir.Var) and v.name in vars_}
            if loads or pynames & assigned_in_body or (vars_ and not trivial(e)):
                return self.temp(e, "stop")  # range() evaluates its bounds once
            return e

        start, stop, step = rng.start, invariant(rng.stop), rng.step
        positive = known_positive(step)
        if not isinstance(step, ir.Const):
            step = invariant(step)
            if not positive and not trivial(step):
                step = self.temp(step, "step")
        loop_var = name in self.loop_only
        saved = self.env.get(name)
        self.ctrl += 1
        self.loops += 1
        if isinstance(step, ir.Const) or positive:
            if isinstance(step, ir.Const) and step.value == 0:
                raise self.err("PORT2001", "range() step must not be zero", s.iter)
            var = ir.Var(self.fresh(name if loop_var else name + "_it"), I64, loc=loc)
            cmp = ir.Op.LT if positive else ir.Op.GT
            if loop_var:
                self.env[name] = var
            pre = () if loop_var else self.assign_buffered(name, var, s.target)
            body = pre + self.block(s.body)
            stmt = ir.For(var, start, stop, step, body, cmp, loc=loc)
        else:  # step of unknown sign: count iterations as Python's range does
            st = self.temp(start, "start") if not trivial(start) else start
            sign = ir.Compare(ir.Op.GT, step, ir.const(0, I64))
            one = ir.const(1, I64)
            up = ir.Binary(ir.Op.FLOORDIV, ir.Binary(ir.Op.ADD, ir.Binary(
                ir.Op.SUB, stop, st, I64), ir.Binary(ir.Op.SUB, step, one, I64), I64), step, I64)
            down = ir.Binary(ir.Op.FLOORDIV, ir.Binary(ir.Op.SUB, ir.Binary(
                ir.Op.SUB, st, stop, I64), ir.Binary(ir.Op.ADD, step, one, I64), I64),
                ir.Unary(ir.Op.NEG, step, I64), I64)
            n = self.temp(ir.Select(sign, up, down, I64), "trips")
            k = ir.Var(self.fresh("k"), I64, loc=loc)
            value = ir.Binary(ir.Op.ADD, st, ir.Binary(ir.Op.MUL, k, step, I64), I64)
            if loop_var:
                var = ir.Var(self.fresh(name), I64, loc=loc)
                self.env[name] = var
                pre = (ir.Decl(var, value, loc=loc),)
            else:
                pre = self.assign_buffered(name, value, s.target)
            body = pre + self.block(s.body)
            stmt = ir.For(k, ir.const(0, I64), n, one, body, ir.Op.LT, loc=loc)
        self.loops -= 1
        self.ctrl -= 1
        if loop_var:
            if saved is None:
                self.env.pop(name, None)
            else:
                self.env[name] = saved
        self.emit(stmt)

    def tuple_loop(self, tup: TupleVal, s: ast.For) -> None:
        """`for v in (a, b, c)`: the (homogeneous) tuple becomes a local array walked by a
        hidden counter; the target is assigned from it at the top of each iteration."""
        items = [self.as_scalar(v, s.iter, "a number (loops run over tuples of numbers)")
                 for v in tup.items]
        if not items or not isinstance(s.target, ast.Name) or s.orelse:
            raise self.err("PORT1014", "loops over tuples need a non-empty tuple, one target "
                           "name and no else", s)
        loc = self.loc(s)
        t = items[0].type
        for e in items[1:]:
            t = unify_var(t, e.type)
        var = ir.Var(self.fresh("items"), Array(t, (len(items),), Space.LOCAL), loc=loc)
        self.local_decls.append(ir.Decl(var, loc=loc))
        for k, e in enumerate(items):
            self.emit(ir.Store(var, (ir.const(k, I64),), self.cast(e, t), loc=loc))
        k = ir.Var(self.fresh("k"), I64, loc=loc)
        self.ctrl += 1
        self.loops += 1
        pre = self.assign_buffered(s.target.id, ir.Load(var, (k,), t, loc=loc), s.target)
        body = pre + self.block(s.body)
        self.loops -= 1
        self.ctrl -= 1
        self.emit(ir.For(k, ir.const(0, I64), ir.const(len(items), I64), ir.const(1, I64), body,
                         loc=loc))

    def assign_buffered(self, name: str, value: ir.Expr, node: ast.AST) -> ir.Body:
        saved_init = self.init_here
        self.init_here = set()
        _, pre = self.buffered(lambda: self.assign_name(name, value, node))
        self.init_here = saved_init
        return pre

    # ------------------------------------------------------------ calls

    def visit_Call(self, node: ast.Call) -> Value:
        f = self.expr(node.func)
        if not isinstance(f, PyObj):
            raise self.err("PORT1004", f"`{ast.unparse(node.func)}` is not callable", node)
        rule = intrinsics.lookup(f.obj)
        if rule is not None:
            args = intrinsics.bind(self, node, rule.params, ast.unparse(node.func))
            r = rule.impl(self, node, **args)
            return PyObj(None) if r is None else r
        from portable.frontends.python.dispatch import Dispatcher

        if isinstance(f.obj, Dispatcher):
            if not f.obj.device:
                raise self.err("PORT1009", f"kernel {f.obj.__name__} launched from a kernel", node,
                               "dynamic parallelism is not supported; make it "
                               "@cuda.jit(device=True) or launch it from the host")
            if node.keywords:
                raise self.err("PORT1014", "keyword arguments to device functions", node)
            args = [self.expr(a) for a in node.args]
            return self.ctx.device_call(self, f.obj, args, node)
        name = getattr(f.obj, "__name__", repr(f.obj))
        hint = ("kernels call cuda.*, math.*, numpy scalar functions, abs/min/max/int/float/"
                "bool/round/len/range/print and @cuda.jit(device=True) functions")
        if callable(f.obj) and getattr(f.obj, "__module__", "") not in ("builtins", "numpy"):
            hint = f"decorate {name} with @cuda.jit(device=True)"
        raise self.err("PORT1004", f"call to {name}, which kernels cannot call", node, hint)
