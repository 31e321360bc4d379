"""The IR verifier: a rule table, one check per node class and op kind (STYLE 2).

`verify_module(m, stage)` runs on a frontend's output and after every pass; the first broken
rule raises PortError PORT2002 naming the stage, the node's loc and the rule. A node class or op
without a rule fails: a new node must come with its checks.
"""

from __future__ import annotations

from collections.abc import Callable

from portable import ir
from portable.errors import NOLOC, Loc, error
from portable.semantics import INTRINSICS
from portable.types import BOOL, U32, Array, Pointer, Scalar, Space, Struct, Type, Vector, Void

# CUDA's atomic functions by element type (signed 64-bit rides on the unsigned long long
# instruction: same bits; float min/max as numba.cuda offers them, lowered with CAS loops).
_I32, _U32, _I64, _U64 = Scalar("int", 32), Scalar("uint", 32), Scalar("int", 64), \
    Scalar("uint", 64)
_F32, _F64 = Scalar("float", 32), Scalar("float", 64)
ATOMIC_TYPES: dict[ir.Op, frozenset[Type]] = {
    ir.Op.ATOMIC_ADD: frozenset({_I32, _U32, _I64, _U64, _F32, _F64}),
    ir.Op.ATOMIC_SUB: frozenset({_I32, _U32}),
    ir.Op.ATOMIC_EXCH: frozenset({_I32, _U32, _I64, _U64, _F32, _F64}),
    ir.Op.ATOMIC_MIN: frozenset({_I32, _U32, _I64, _U64, _F32, _F64}),
    ir.Op.ATOMIC_MAX: frozenset({_I32, _U32, _I64, _U64, _F32, _F64}),
    ir.Op.ATOMIC_CAS: frozenset({_I32, _U32, _I64, _U64}),
    ir.Op.ATOMIC_AND: frozenset({_I32, _U32, _I64, _U64}),
    ir.Op.ATOMIC_OR: frozenset({_I32, _U32, _I64, _U64}),
    ir.Op.ATOMIC_XOR: frozenset({_I32, _U32, _I64, _U64}),
    ir.Op.ATOMIC_INC: frozenset({_U32}),
    ir.Op.ATOMIC_DEC: frozenset({_U32}),
}


class VerifyError(Exception):
    """Internal: one broken rule (turned into PortError PORT2002 by `verify_module`)."""

    def __init__(self, rule: str, node: object) -> None:
        super().__init__(rule)
        self.rule = rule
        self.node = node


def _need(ok: bool, rule: str, node: object) -> None:
    if not ok:
        raise VerifyError(rule, node)


def _is_int(t: Type) -> bool:
    return isinstance(t, Scalar) and t.is_int


def _is_num(t: Type) -> bool:
    return isinstance(t, Scalar) and not t.is_bool


def _num_or_vec(t: Type) -> bool:
    return _is_num(t) or isinstance(t, Vector)


def _same_pointee(a: Type, b: Type) -> bool:
    """Pointers/arrays reaching the same elements (qualifiers and extents may differ)."""
    return isinstance(a, (Pointer, Array)) and isinstance(b, (Pointer, Array)) and \
        a.elem == b.elem and a.space == b.space


def assignable(dst: Type, src: Type) -> bool:
    """Whether a value of type `src` may initialise or be passed as `dst` without a Cast:
    equal types, or pointers differing only in qualifiers, or an array for a pointer/array
    parameter of the same element type (C passes arrays by address)."""
    if dst == src:
        return True
    if isinstance(dst, Pointer) and isinstance(src, Pointer):
        return _same_pointee(dst, src) and (dst.const or not src.const)
    return isinstance(dst, (Pointer, Array)) and _same_pointee(dst, src)


def passable(param: Type, arg: Type) -> bool:
    """Whether `arg` may be passed for a device function's parameter: as `assignable`, but
    pointers are generic (CUDA): any address space may be passed for a pointer parameter."""
    if isinstance(param, Array) and isinstance(arg, (Pointer, Array)):
        return param.elem == arg.elem  # an array parameter is a pointer in C
    if isinstance(param, Pointer) and isinstance(arg, (Pointer, Array)):
        return param.elem == arg.elem and (param.const or not getattr(arg, "const", False))
    return assignable(param, arg)


class Verifier:
    """Checks one function of a module; `rules` maps node class -> check."""

    def __init__(self, m: ir.ModuleIR, fn: ir.Function, barrier_ok: bool) -> None:
        self.m = m
        self.fn = fn
        self.barrier_ok = barrier_ok
        self.params = {p.name: p.type for p in fn.params}
        self.globals = {g.name: g for g in m.globals}
        self.functions = {f.name: f for f in m.functions}
        self.declared: dict[str, Type] = {}  # every local name declared so far (unique)
        self.scopes: list[set[str]] = []
        self.loop_depth = 0
        self.for_vars: list[str] = []
        self.rules: dict[type, Callable] = {
            ir.Const: self.const, ir.Var: self.var, ir.Param: self.param, ir.Global: self.glob,
            ir.Special: self.special, ir.Unary: self.unary, ir.Binary: self.binary,
            ir.Compare: self.compare, ir.Select: self.select, ir.Cast: self.cast,
            ir.Load: self.load, ir.AddrOf: self.addrof, ir.Call: self.call,
            ir.Atomic: self.atomic, ir.Shuffle: self.shuffle, ir.Vote: self.vote,
            ir.Field: self.field, ir.Pack: self.pack,
            ir.Decl: self.decl, ir.Assign: self.assign, ir.Store: self.store,
            ir.ExprStmt: self.exprstmt, ir.If: self.if_, ir.For: self.for_,
            ir.While: self.while_, ir.DoWhile: self.dowhile, ir.Break: self.jump,
            ir.Continue: self.jump, ir.Return: self.ret, ir.Barrier: self.barrier,
            ir.Print: self.print_,
        }

    # ------------------------------------------------------------ dispatch

    def check(self, node: ir.Node) -> None:
        rule = self.rules.get(type(node))
        _need(rule is not None, f"unknown node class {type(node).__name__}", node)
        rule(node)

    def expr(self, e: object) -> None:
        _need(isinstance(e, ir.Expr), f"expected an expression, got {type(e).__name__}", e)
        _need(isinstance(e.type, Type), "expression without a type", e)
        self.check(e)

    def body(self, stmts: ir.Body) -> None:
        _need(isinstance(stmts, tuple), "a body must be a tuple of statements", stmts)
        self.scopes.append(set())
        try:
            for s in stmts:
                _need(isinstance(s, ir.Stmt), f"expected a statement, got {type(s).__name__}", s)
                self.check(s)
        finally:
            self.scopes.pop()

    def function(self) -> None:
        fn = self.fn
        names = [p.name for p in fn.params]
        _need(len(set(names)) == len(names), "parameter names must be unique", fn)
        for p in fn.params:
            _need(isinstance(p, ir.Param) and not isinstance(p.type, Void),
                  f"parameter {p.name} must be a Param with a value type", fn)
        _need(not fn.kernel or isinstance(fn.ret, Void), "a kernel returns void", fn)
        self.scopes.append(set())
        for v in fn.shared:
            _need(isinstance(v.type, Array) and v.type.space is Space.SHARED and v.type.shape,
                  f"shared {v.name} must be a fixed-size shared array", fn)
            self.define(v, fn)
        for v in fn.dynamic_shared:
            _need(isinstance(v.type, Array) and v.type.space is Space.SHARED
                  and v.type.shape == (), f"extern shared {v.name} must be a shared []", fn)
            self.define(v, fn)
        self.body(fn.body)

    def define(self, v: ir.Var, at: object) -> None:
        _need(v.name not in self.declared,
              f"local name {v.name!r} declared twice (names are unique per function)", at)
        self.declared[v.name] = v.type
        self.scopes[-1].add(v.name)

    # ------------------------------------------------------------ leaves

    def const(self, e: ir.Const) -> None:
        t = e.type
        if isinstance(t, Pointer):  # the null pointer: the only pointer constant
            _need(e.value == 0 and isinstance(e.value, int), f"pointer constant {e.value!r}", e)
            return
        _need(isinstance(t, Scalar), f"constant of non-scalar type {t}", e)
        v = e.value
        if t.is_bool:
            _need(isinstance(v, bool), f"bool constant holds {v!r}", e)
        elif t.is_int:
            _need(isinstance(v, int) and not isinstance(v, bool),
                  f"{t} constant holds {type(v).__name__}", e)
            _need(t.min <= v <= t.max, f"constant {v} does not fit {t}", e)
        else:
            _need(isinstance(v, float), f"{t} constant holds {type(v).__name__}", e)

    def var(self, e: ir.Var) -> None:
        _need(e.name in self.declared, f"variable {e.name!r} used before its declaration", e)
        _need(any(e.name in s for s in self.scopes),
              f"variable {e.name!r} used outside the block that declares it", e)
        _need(self.declared[e.name] == e.type,
              f"variable {e.name!r} used as {e.type}, declared {self.declared[e.name]}", e)

    def param(self, e: ir.Param) -> None:
        _need(e.name in self.params, f"unknown parameter %{e.name}", e)
        _need(self.params[e.name] == e.type, f"parameter %{e.name} used as {e.type}, "
              f"declared {self.params[e.name]}", e)

    def glob(self, e: ir.Global) -> None:
        g = self.globals.get(e.name)
        _need(g is not None, f"unknown module variable @{e.name}", e)
        _need(g.type == e.type, f"@{e.name} used as {e.type}, declared {g.type}", e)

    def special(self, e: ir.Special) -> None:
        _need(isinstance(e.reg, ir.Sreg), f"unknown special register {e.reg!r}", e)
        scalar = e.reg in (ir.Sreg.WARPSIZE, ir.Sreg.LANEID)
        _need(e.dim == 0 if scalar else e.dim in (0, 1, 2), f"bad dimension {e.dim}", e)
        _need(_is_int(e.type), f"{e.reg.value} must have an integer type", e)

    # ------------------------------------------------------------ operators

    def unary(self, e: ir.Unary) -> None:
        self.expr(e.value)
        t, vt = e.type, e.value.type
        _need(e.op in ir.UNARY, f"unknown unary op {e.op}", e)
        if e.op is ir.Op.LNOT:
            _need(t == BOOL and vt == BOOL, "! takes and gives bool", e)
        elif e.op is ir.Op.NEG:
            _need(_num_or_vec(t) and vt == t, "- needs a numeric operand of the result type", e)
        else:
            _need(_is_int(t) and vt == t, "~ needs an integer operand of the result type", e)

    def binary(self, e: ir.Binary) -> None:
        self.expr(e.lhs)
        self.expr(e.rhs)
        op, t, lt, rt = e.op, e.type, e.lhs.type, e.rhs.type
        _need(op in ir.BINARY, f"unknown binary op {op}", e)
        if op in ir.LOGICAL:
            _need(t == BOOL and lt == BOOL and rt == BOOL, f"{op.value} takes and gives bool", e)
        elif op in (ir.Op.ADD, ir.Op.SUB) and isinstance(lt, Pointer):
            _need(_is_int(rt) and t == lt, "pointer arithmetic is pointer +/- integer", e)
        elif op in ir.ARITH:
            _need(_num_or_vec(t) and lt == t and rt == t,
                  f"{op.value} needs numeric operands of the result type ({lt}, {rt} -> {t})", e)
        elif op in (ir.Op.SHL, ir.Op.SHR):
            _need(_is_int(t) and lt == t and rt == t,
                  f"{op.value} needs integer operands of the result type ({lt}, {rt} -> {t})", e)
        else:
            _need(isinstance(t, Scalar) and not t.is_float and lt == t and rt == t,
                  f"{op.value} needs integer/bool operands of the result type "
                  f"({lt}, {rt} -> {t})", e)

    def compare(self, e: ir.Compare) -> None:
        self.expr(e.lhs)
        self.expr(e.rhs)
        _need(e.op in ir.COMPARE, f"unknown compare op {e.op}", e)
        _need(e.type == BOOL, "a comparison gives bool", e)
        lt, rt = e.lhs.type, e.rhs.type
        ok = lt == rt and isinstance(lt, Scalar)
        ok = ok or (isinstance(lt, Pointer) and _same_pointee(lt, rt))
        _need(ok, f"{e.op.value} needs operands of one scalar type ({lt}, {rt})", e)

    def select(self, e: ir.Select) -> None:
        for x in (e.cond, e.a, e.b):
            self.expr(x)
        _need(e.cond.type == BOOL, "a select condition is bool", e)
        _need(e.a.type == e.type and e.b.type == e.type,
              f"select arms ({e.a.type}, {e.b.type}) must have the result type {e.type}", e)

    def cast(self, e: ir.Cast) -> None:
        self.expr(e.value)
        src, dst = e.value.type, e.type
        ok = isinstance(src, Scalar) and isinstance(dst, Scalar)
        # qualifier changes and array decay are the only pointer conversions
        ok = ok or (isinstance(dst, Pointer) and _same_pointee(dst, src))
        # reinterpret_cast<float4 *>(p): a pointer to other elements in the same space
        ok = ok or (isinstance(dst, Pointer) and isinstance(src, Pointer) and
                    dst.space == src.space)
        _need(ok, f"cast {src} -> {dst}: only scalar<->scalar conversions", e)

    # ------------------------------------------------------------ memory

    def _address(self, node: ir.Node, base: ir.Expr, index: tuple) -> Type:
        self.expr(base)
        bt = base.type
        _need(isinstance(bt, (Pointer, Array)), f"base of type {bt} is not a pointer or array",
              node)
        _need(isinstance(index, tuple), "index must be a tuple", node)
        want = len(bt.shape) if isinstance(bt, Array) and bt.shape else 1
        _need(len(index) == want, f"{len(index)} indices for a base of type {bt} "
              f"(needs {want})", node)
        for i in index:
            self.expr(i)
            _need(_is_int(i.type), f"index of type {i.type} (needs an integer)", node)
        return bt.elem

    def load(self, e: ir.Load) -> None:
        elem = self._address(e, e.base, e.index)
        _need(e.type == elem, f"load of {elem} typed {e.type}", e)

    def addrof(self, e: ir.AddrOf) -> None:
        elem = self._address(e, e.base, e.index)
        t = e.type
        _need(isinstance(t, Pointer) and t.elem == elem and t.space == e.base.type.space,
              f"address of a {elem} element typed {t}", e)

    def _writable(self, node: ir.Node, base: ir.Expr) -> None:
        bt = base.type
        _need(not (isinstance(bt, Pointer) and bt.const), "store through a const pointer", node)
        _need(bt.space is not Space.CONSTANT, "store into __constant__ memory", node)

    def atomic(self, e: ir.Atomic) -> None:
        elem = self._address(e, e.base, e.index)
        self._writable(e, e.base)
        self.expr(e.value)
        _need(e.op in ir.ATOMIC, f"unknown atomic op {e.op}", e)
        _need(e.base.type.space in (Space.GLOBAL, Space.SHARED),
              f"atomic on {e.base.type.space.value} memory (global or shared only)", e)
        _need(e.type == elem and e.value.type == elem,
              f"atomic on {elem} with value {e.value.type} typed {e.type}", e)
        _need(elem in ATOMIC_TYPES[e.op], f"CUDA has no {e.op.value} on {elem}", e)
        if e.op is ir.Op.ATOMIC_CAS:
            _need(e.compare is not None, "atomic_cas needs a compare value", e)
            self.expr(e.compare)
            _need(e.compare.type == elem, "atomic_cas compare value has the element type", e)
        else:
            _need(e.compare is None, f"{e.op.value} takes no compare value", e)

    # ------------------------------------------------------------ calls and warps

    def call(self, e: ir.Call) -> None:
        for a in e.args:
            self.expr(a)
        ts = tuple(a.type for a in e.args)
        if e.fn in INTRINSICS:
            intr = INTRINSICS[e.fn]
            _need(len(ts) == intr.nargs, f"{e.fn} takes {intr.nargs} arguments", e)
            _need(all(isinstance(t, Scalar) and t == ts[0] for t in ts),
                  f"{e.fn} arguments must share one scalar type ({', '.join(map(str, ts))})", e)
            kind = "f" if ts[0].is_float else "i" if ts[0].is_int else "b"
            _need(kind in intr.kinds, f"{e.fn} does not take {ts[0]}", e)
            _need(e.type == intr.result(ts), f"{e.fn}({ts[0]}) gives {intr.result(ts)}", e)
            return
        f = self.functions.get(e.fn)
        _need(f is not None, f"call to unknown function {e.fn!r}", e)
        _need(not f.kernel, f"call to the kernel {e.fn!r} (dynamic parallelism)", e)
        _need(len(ts) == len(f.params), f"{e.fn} takes {len(f.params)} arguments", e)
        for p, t in zip(f.params, ts, strict=True):
            _need(passable(p.type, t), f"argument {p.name} of {e.fn}: {t} for {p.type}", e)
        _need(e.type == f.ret, f"{e.fn} returns {f.ret}, call typed {e.type}", e)

    def shuffle(self, e: ir.Shuffle) -> None:
        for x in (e.mask, e.value, e.lane, e.width):
            self.expr(x)
        _need(e.op in ir.SHUFFLE, f"unknown shuffle op {e.op}", e)
        _need(_is_int(e.mask.type) and _is_int(e.lane.type) and _is_int(e.width.type),
              "shuffle mask, lane and width are integers", e)
        _need(isinstance(e.type, Scalar) and e.value.type == e.type,
              "a shuffle gives its value's scalar type", e)

    def vote(self, e: ir.Vote) -> None:
        _need(e.op in ir.VOTE, f"unknown vote op {e.op}", e)
        if e.mask is not None:
            self.expr(e.mask)
            _need(_is_int(e.mask.type), "vote mask is an integer", e)
        if e.op is ir.Op.ACTIVEMASK:
            _need(e.pred is None, "activemask takes no predicate", e)
        else:
            _need(e.pred is not None, f"{e.op.value} needs a predicate", e)
            self.expr(e.pred)
            _need(isinstance(e.pred.type, Scalar), "vote predicate is a scalar", e)
        if e.op in (ir.Op.VOTE_BALLOT, ir.Op.ACTIVEMASK):
            _need(e.type == U32, f"{e.op.value} gives u32", e)
        else:
            _need(isinstance(e.type, Scalar) and not e.type.is_float,
                  f"{e.op.value} gives an integer or bool", e)

    def field(self, e: ir.Field) -> None:
        self.expr(e.value)
        vt = e.value.type
        if isinstance(vt, Vector):
            _need(e.name in "xyzw"[:vt.n] and len(e.name) == 1 and e.type == vt.elem,
                  f"no field {e.name} of type {e.type} in {vt}", e)
        else:
            _need(isinstance(vt, Struct) and e.name in dict(vt.fields),
                  f"no field {e.name} in {vt}", e)
            _need(vt.field_type(e.name) == e.type, f"field {e.name} typed {e.type}", e)

    def pack(self, e: ir.Pack) -> None:
        for v in e.values:
            self.expr(v)
        t = e.type
        want = [t.elem] * t.n if isinstance(t, Vector) else \
            [ft for _, ft in t.fields] if isinstance(t, Struct) else None
        _need(want is not None, f"pack of non-aggregate type {t}", e)
        _need([v.type for v in e.values] == want, f"pack values do not match {t}", e)

    # ------------------------------------------------------------ statements

    def decl(self, s: ir.Decl) -> None:
        _need(isinstance(s.var, ir.Var), "declares a Var", s)
        _need(not isinstance(s.var.type, Void), "variable of type void", s)
        if s.init is not None:
            self.expr(s.init)
            _need(not isinstance(s.var.type, Array), "an array declaration has no initialiser", s)
            _need(assignable(s.var.type, s.init.type),
                  f"{s.var.name}: {s.var.type} initialised with {s.init.type}", s)
        if isinstance(s.var.type, Array):
            _need(s.var.type.space is Space.LOCAL and s.var.type.shape,
                  "a declared array is a fixed-size local array (shared ones are hoisted)", s)
        self.define(s.var, s)

    def assign(self, s: ir.Assign) -> None:
        self.expr(s.value)
        self.expr(s.var)
        _need(s.var.name not in self.for_vars, f"loop counter {s.var.name} assigned in the "
              "body of its for loop", s)
        _need(not isinstance(s.var.type, Array), f"assignment to array {s.var.name}", s)
        _need(assignable(s.var.type, s.value.type),
              f"{s.var.name}: {s.var.type} assigned {s.value.type}", s)

    def store(self, s: ir.Store) -> None:
        elem = self._address(s, s.base, s.index)
        self._writable(s, s.base)
        self.expr(s.value)
        _need(assignable(elem, s.value.type), f"store of {s.value.type} into {elem}", s)

    def exprstmt(self, s: ir.ExprStmt) -> None:
        self.expr(s.expr)

    def _cond(self, s: ir.Stmt, c: ir.Expr) -> None:
        self.expr(c)
        _need(c.type == BOOL, f"condition of type {c.type} (needs bool)", s)

    def if_(self, s: ir.If) -> None:
        self._cond(s, s.cond)
        self.body(s.then)
        self.body(s.orelse)

    def _loop_body(self, body: ir.Body) -> None:
        self.loop_depth += 1
        try:
            self.body(body)
        finally:
            self.loop_depth -= 1

    def for_(self, s: ir.For) -> None:
        self.expr(s.start)
        _need(_is_int(s.var.type), f"for counter {s.var.name} has an integer type", s)
        _need(s.start.type == s.var.type, f"for start {s.start.type} for {s.var.type}", s)
        self.scopes.append(set())
        try:
            self.define(s.var, s)
            for x in (s.stop, s.step):
                self.expr(x)
                _need(x.type == s.var.type, f"for bound {x.type} for {s.var.type}", s)
            _need(s.cmp in ir.COMPARE, f"for comparison {s.cmp} is not a compare op", s)
            self.for_vars.append(s.var.name)
            try:
                self._loop_body(s.body)
            finally:
                self.for_vars.pop()
        finally:
            self.scopes.pop()

    def while_(self, s: ir.While) -> None:
        self._cond(s, s.cond)
        self._loop_body(s.body)

    def dowhile(self, s: ir.DoWhile) -> None:
        # the condition is evaluated after the body, but only sees names declared outside it
        self._loop_body(s.body)
        self._cond(s, s.cond)

    def jump(self, s: ir.Stmt) -> None:
        _need(self.loop_depth > 0, f"{type(s).__name__.lower()} outside a loop", s)

    def ret(self, s: ir.Return) -> None:
        if isinstance(self.fn.ret, Void):
            _need(s.value is None, f"return with a value in void function {self.fn.name}", s)
            return
        _need(s.value is not None, f"return without a value in {self.fn.name}", s)
        self.expr(s.value)
        _need(assignable(self.fn.ret, s.value.type),
              f"return of {s.value.type} from {self.fn.name} returning {self.fn.ret}", s)

    def barrier(self, s: ir.Barrier) -> None:
        _need(s.op in ir.SYNC, f"unknown barrier op {s.op}", s)
        if s.op is ir.Op.BARRIER_BLOCK:
            _need(self.barrier_ok, f"__syncthreads in {self.fn.name}, which no kernel calls", s)
        if s.mask is not None:
            _need(s.op is ir.Op.BARRIER_WARP, f"{s.op.value} takes no mask", s)
            self.expr(s.mask)
            _need(_is_int(s.mask.type), "barrier mask is an integer", s)

    def print_(self, s: ir.Print) -> None:
        _need(isinstance(s.fmt, str), "printf format is a string", s)
        for a in s.args:
            self.expr(a)
            _need(isinstance(a.type, (Scalar, Pointer)), f"printf argument of type {a.type}", s)


def _reachable_from_kernels(m: ir.ModuleIR) -> set[str]:
    names = {f.name for f in m.functions}
    seen = {f.name for f in m.kernels}
    todo = list(m.kernels)
    while todo:
        f = todo.pop()
        for n in ir.walk(f):
            if isinstance(n, ir.Call) and n.fn in names and n.fn not in seen:
                seen.add(n.fn)
                todo.append(m.function(n.fn))
    return seen


def verify_function(m: ir.ModuleIR, fn: ir.Function, stage: str = "",
                    barrier_ok: bool = True) -> None:
    """Check one function of `m`; raise PortError (PORT2002) at the first broken rule."""
    try:
        Verifier(m, fn, barrier_ok).function()
    except VerifyError as e:
        loc = getattr(e.node, "loc", NOLOC)
        if not isinstance(loc, Loc) or loc == NOLOC:
            loc = fn.loc
        what = type(e.node).__name__
        after = f"after {stage}" if stage else "in"
        raise error("PORT2002", f"IR verification failed {after} ({fn.name}, {what} at {loc}): "
                    f"{e.rule}", loc, "this is a bug in portable (the frontend or pass named); "
                    "please report it with the kernel source") from None


def verify_module(m: ir.ModuleIR, stage: str = "") -> None:
    """Raise PortError (PORT2002) when `m` breaks an IR rule; `stage` names the producer."""
    names = [f.name for f in m.functions]
    if len(set(names)) != len(names):
        raise error("PORT2002", f"IR verification failed after {stage}: duplicate function "
                    "names")
    gnames = [g.name for g in m.globals]
    if len(set(gnames)) != len(gnames):
        raise error("PORT2002", f"IR verification failed after {stage}: duplicate global names")
    reach = _reachable_from_kernels(m)
    for fn in m.functions:
        verify_function(m, fn, stage, barrier_ok=fn.kernel or fn.name in reach)
