"""Expression lowering for the Python frontend: numba's typing rules applied to Python operators."""

from __future__ import annotations

import ast
import builtins

import numpy as np
from portable.frontends.python import intrinsics, markers
from portable.frontends.python.ntypes import int_result, unify
from portable.frontends.python.values import (
    ArrayVal,
    DTypeVal,
    PyObj,
    RangeVal,
    TupleVal,
    Value,
    add,
    c_strides,
    mul,
)

from portable import ir
from portable.errors import Loc, PortError, error
from portable.types import BOOL, F64, I64, U64, Array, Scalar, Space, from_dtype

Op = ir.Op
_ARITH = {ast.Add: Op.ADD, ast.Sub: Op.SUB, ast.Mult: Op.MUL, ast.FloorDiv: Op.FLOORDIV,
          ast.Mod: Op.FLOORMOD}
_BITS = {ast.BitAnd: Op.AND, ast.BitOr: Op.OR, ast.BitXor: Op.XOR, ast.LShift: Op.SHL,
         ast.RShift: Op.SHR}
_CMP = {ast.Lt: Op.LT, ast.LtE: Op.LE, ast.Gt: Op.GT, ast.GtE: Op.GE, ast.Eq: Op.EQ,
        ast.NotEq: Op.NE}


def trivial(e: ir.Expr) -> bool:
    """Cheap and effect-free: safe to evaluate twice."""
    return isinstance(e, (ir.Const, ir.Var, ir.Param, ir.Special)) or (
        isinstance(e, ir.Cast) and isinstance(e.value, (ir.Const, ir.Var, ir.Param, ir.Special)))


class ExprMixin:
    """Expression visitors; the host class provides emit/temp/err/loc and the environment."""

    # ------------------------------------------------------------ helpers

    def err(self, code: str, message: str, node: ast.AST | None, hint: str = "") -> PortError:
        return error(code, message, self.loc(node), hint)

    def scalar(self, node: ast.AST, what: str = "a number") -> ir.Expr:
        v = self.expr(node)
        return self.as_scalar(v, node, what)

    def as_scalar(self, v: Value, node: ast.AST | None, what: str = "a number") -> ir.Expr:
        if isinstance(v, ir.Expr):
            if not isinstance(v.type, Scalar):
                raise self.err("PORT2001", f"expected {what}, got a value of type {v.type}", node)
            return v
        if isinstance(v, PyObj) and isinstance(v.obj, markers.SpecialReg) and \
                v.obj.name in ("warpsize", "laneid"):
            return self.special(v.obj.name, "", node)
        kind = {ArrayVal: "an array", TupleVal: "a tuple", RangeVal: "a range",
                DTypeVal: "a dtype"}.get(type(v), f"{getattr(v, 'obj', v)!r}")
        raise self.err("PORT2001", f"expected {what}, got {kind}", node,
                       "index arrays to get numbers; tuples and arrays are compile-time values")

    def cast(self, e: ir.Expr, t: Scalar, loc: Loc | None = None) -> ir.Expr:
        if e.type == t:
            return e
        if isinstance(e, ir.Const):
            from portable import semantics

            v = semantics.cast(np.asarray(e.value, e.type.dtype), e.type, t)[()]
            return ir.const(v.item(), t, e.loc)
        return ir.Cast(e, t, loc=loc or e.loc)

    def truth(self, e: ir.Expr, node: ast.AST | None = None) -> ir.Expr:
        if e.type == BOOL:
            return e
        if not isinstance(e.type, Scalar):
            raise self.err("PORT2001", f"a value of type {e.type} has no truth value", node)
        return ir.Compare(Op.NE, e, ir.const(0, e.type), loc=self.loc(node))

    def once(self, e: ir.Expr, hint: str = "t") -> ir.Expr:
        """`e`, or a temporary holding it when evaluating it twice would cost or repeat effects."""
        return e if trivial(e) else self.temp(e, hint)

    # ------------------------------------------------------------ dispatch

    def expr(self, node: ast.AST) -> Value:
        m = getattr(self, "visit_" + type(node).__name__, None)
        if m is None:
            raise self.err("PORT1014", f"unsupported Python expression `{_src(node)}` "
                           f"({type(node).__name__}) in a kernel", node,
                           "kernels take numbers, arrays, tuples and calls to cuda/math/numpy "
                           "functions; lists, dicts, strings, lambdas and comprehensions are not "
                           "supported")
        return m(node)

    def visit_Constant(self, node: ast.Constant) -> Value:
        return self.wrap(node.value, node)

    def wrap(self, v, node: ast.AST | None, name: str = "") -> Value:
        """A Python value seen by the kernel (literal or captured global) as a frontend value."""
        loc = self.loc(node)
        if isinstance(v, (bool, np.bool_)):
            return ir.const(bool(v), BOOL, loc)
        if isinstance(v, int):
            if not -(2**63) <= v < 2**64:
                raise self.err("PORT2001", f"integer {v} does not fit 64 bits", node)
            return ir.const(v, I64 if v < 2**63 else U64, loc)
        if isinstance(v, float):
            return ir.const(v, F64, loc)
        if isinstance(v, (np.integer, np.floating)):
            return ir.const(v.item(), from_dtype(v.dtype), loc)
        if isinstance(v, np.ndarray):
            return self.ctx.const_array(v, name or "const", self.loc(node))
        if isinstance(v, tuple):
            return TupleVal(tuple(self.wrap(x, node) for x in v))
        if isinstance(v, complex):
            raise self.err("PORT1003", "complex numbers are not supported", node)
        return PyObj(v)

    def visit_Name(self, node: ast.Name) -> Value:
        if node.id in self.env:
            return self.env[node.id]
        if node.id in self.plan.assigned and node.id not in self.loop_only:
            if self.kinds.get(node.id) == "binding" or self.attempt > 2:
                raise self.err("PORT2003", f"{node.id!r} is used before it is assigned", node,
                               "assign it before this point")
            self.dirty = True  # read textually before its first assignment: declare it earlier
            return ir.const(0, self.var_types.get(node.id, I64))
        if node.id in self.loop_only:
            raise self.err("PORT2003", f"loop variable {node.id!r} is used outside its loop", node,
                           "copy it into another variable inside the loop")
        for scope in (self.closure, self.pyglobals):
            if node.id in scope:
                return self.wrap(scope[node.id], node, node.id)
        if hasattr(builtins, node.id):
            return PyObj(getattr(builtins, node.id))
        raise self.err("PORT2003", f"name {node.id!r} is not defined", node,
                       "assign it before use, or define it at module level")

    def visit_Tuple(self, node: ast.Tuple) -> Value:
        return TupleVal(tuple(self.expr(e) for e in node.elts))

    def visit_Attribute(self, node: ast.Attribute) -> Value:
        v = self.expr(node.value)
        a = node.attr
        if isinstance(v, ArrayVal):
            if a == "shape":
                return TupleVal(self.array_shape(v, node))
            if a == "size":
                size: ir.Expr = ir.const(1, I64)
                for d in self.array_shape(v, node):
                    size = mul(size, d, self.loc(node))
                return size
            if a == "ndim":
                return ir.const(v.ndim, I64)
            if a == "dtype":
                return DTypeVal(v.dtype)
            raise self.err("PORT1014", f"arrays in kernels have no attribute {a!r}", node,
                           "use .shape, .size, .ndim or .dtype")
        if isinstance(v, PyObj):
            if isinstance(v.obj, markers.SpecialReg):
                return self.special(v.obj.name, a, node)
            try:
                obj = getattr(v.obj, a)
            except AttributeError:
                raise self.err("PORT1004", f"{_src(node.value)} has no attribute {a!r}",
                               node) from None
            if isinstance(obj, markers.SpecialReg) and obj.name in ("warpsize", "laneid"):
                return self.special(obj.name, "", node)
            return self.wrap(obj, node, a)
        if isinstance(v, DTypeVal) and a == "type":
            return v
        raise self.err("PORT1014", f"attribute {a!r} of a {type(v).__name__} is not supported",
                       node)

    def array_shape(self, v: ArrayVal, node: ast.AST) -> tuple[ir.Expr, ...]:
        if any(s is None for s in v.shape):
            raise self.err("PORT1014", "the shape of a dynamic shared array is unknown in the "
                           "kernel", node, "pass the element count as a kernel argument")
        return v.shape

    def special(self, reg: str, attr: str, node: ast.AST) -> ir.Expr:
        loc = self.loc(node)
        if reg in ("warpsize", "laneid"):
            sreg = ir.Sreg.WARPSIZE if reg == "warpsize" else ir.Sreg.LANEID
            return ir.Cast(ir.Special(sreg, 0, loc=loc), I64, loc=loc)
        if attr not in ("x", "y", "z"):
            raise self.err("PORT1004", f"cuda.{reg} has no attribute {attr!r}", node,
                           "use .x, .y or .z")
        sreg = {"threadIdx": ir.Sreg.TID, "blockIdx": ir.Sreg.CTAID, "blockDim": ir.Sreg.NTID,
                "gridDim": ir.Sreg.NCTAID}[reg]
        # numba types thread indices as integers that widen to int64 in any arithmetic
        return ir.Cast(ir.Special(sreg, "xyz".index(attr), loc=loc), I64, loc=loc)

    # ------------------------------------------------------------ operators

    def visit_BinOp(self, node: ast.BinOp) -> Value:
        a = self.scalar(node.left)
        b = self.scalar(node.right)
        return self.binop(type(node.op), a, b, node)

    def binop(self, op: type, a: ir.Expr, b: ir.Expr, node: ast.AST) -> ir.Expr:
        loc = self.loc(node)
        ta, tb = a.type, b.type
        if op in _ARITH:
            t = I64 if ta.is_bool and tb.is_bool else unify(ta, tb)
            return ir.Binary(_ARITH[op], self.cast(a, t), self.cast(b, t), t, loc=loc)
        if op is ast.Div:
            t = unify(ta, tb)
            t = t if t.is_float else F64  # true division
            return ir.Binary(Op.DIV, self.cast(a, t), self.cast(b, t), t, loc=loc)
        if op in _BITS:
            if ta.is_float or tb.is_float:
                raise self.err("PORT2001", f"bitwise operator on a float ({ta}, {tb})", node,
                               "convert with int(...) first")
            if ta.is_bool and tb.is_bool and op not in (ast.LShift, ast.RShift):
                t = BOOL
            else:
                t = int_result(ta, tb)
            return ir.Binary(_BITS[op], self.cast(a, t), self.cast(b, t), t, loc=loc)
        if op is ast.Pow:
            return self.power(a, b, node)
        raise self.err("PORT1014", f"operator {op.__name__} is not supported", node)

    def power(self, a: ir.Expr, b: ir.Expr, node: ast.AST) -> ir.Expr:
        loc = self.loc(node)
        ta, tb = a.type, b.type
        if ta.is_float and not tb.is_float:
            t = ta  # numba: float32 ** int stays float32
        elif ta.is_float or tb.is_float:
            t = unify(ta, tb)
        else:
            t = I64 if ta.is_bool and tb.is_bool else unify(ta, tb)
        if isinstance(b, ir.Const) and not tb.is_float and 0 <= b.value <= 4 or \
                isinstance(b, ir.Const) and tb.is_float and b.value in (0.0, 1.0, 2.0, 3.0):
            n = int(b.value)
            if n == 0:
                return ir.const(1, t, loc)
            base = self.once(self.cast(a, t), "base")
            r = base
            for _ in range(n - 1):
                r = ir.Binary(Op.MUL, r, base, t, loc=loc)
            return r
        if t.is_float:
            return intrinsics.build(self, node, "pow", (a, b), t)
        # integer power by squaring (numba: a negative exponent is an error; here it gives 0
        # unless the base is 1 or -1... we follow repeated squaring, which yields 1)
        r = self.temp(ir.const(1, t), "pw")
        base = self.temp(self.cast(a, t), "pb")
        e = self.temp(self.cast(b, t), "pe")
        zero = ir.const(0, t)
        body = (
            ir.If(ir.Compare(Op.NE, ir.Binary(Op.AND, e, ir.const(1, t), t), zero),
                  (ir.Assign(r, ir.Binary(Op.MUL, r, base, t)),)),
            ir.Assign(base, ir.Binary(Op.MUL, base, base, t)),
            ir.Assign(e, ir.Binary(Op.SHR, e, ir.const(1, t), t)),
        )
        self.emit(ir.While(ir.Compare(Op.GT, e, zero), body, loc=loc))
        return r

    def visit_UnaryOp(self, node: ast.UnaryOp) -> Value:
        v = self.scalar(node.operand)
        loc = self.loc(node)
        if isinstance(node.op, ast.Not):
            return ir.Unary(Op.LNOT, self.truth(v, node), BOOL, loc=loc)
        t = v.type
        if isinstance(node.op, ast.Invert) and t.is_bool:
            return ir.Unary(Op.LNOT, v, BOOL, loc=loc)
        if isinstance(node.op, ast.Invert) and t.is_float:
            raise self.err("PORT2001", "~ on a float", node)
        if not t.is_float:
            t = int_result(t, t) if not t.is_bool else I64
        v = self.cast(v, t)
        if isinstance(node.op, ast.UAdd):
            return v
        if isinstance(node.op, ast.USub) and isinstance(v, ir.Const):
            return ir.const(-v.value, t, loc)
        return ir.Unary(Op.NEG if isinstance(node.op, ast.USub) else Op.BNOT, v, t, loc=loc)

    def compare(self, op: type, a: ir.Expr, b: ir.Expr, node: ast.AST) -> ir.Expr:
        if op not in _CMP:
            raise self.err("PORT1014", f"comparison {op.__name__} is not supported", node,
                           "compare numbers with < <= > >= == !=")
        t = unify(a.type, b.type) if not (a.type.is_bool and b.type.is_bool) else BOOL
        return ir.Compare(_CMP[op], self.cast(a, t), self.cast(b, t), loc=self.loc(node))

    def visit_Compare(self, node: ast.Compare) -> Value:
        left = self.scalar(node.left)
        result: ir.Expr | None = None
        for i, (op, right_node) in enumerate(zip(node.ops, node.comparators, strict=False)):
            right = self.scalar(right_node)
            if i < len(node.ops) - 1:
                right = self.once(right, "c")
            c = self.compare(type(op), left, right, node)
            result = c if result is None else ir.Binary(Op.LAND, result, c, BOOL,
                                                        loc=self.loc(node))
            left = right
        return result

    def visit_BoolOp(self, node: ast.BoolOp) -> Value:
        land = isinstance(node.op, ast.And)
        acc = self.truth(self.scalar(node.values[0]), node)
        for v in node.values[1:]:
            rhs, pre = self.buffered(lambda v=v: self.truth(self.scalar(v), v))
            if not pre:
                acc = ir.Binary(Op.LAND if land else Op.LOR, acc, rhs, BOOL, loc=self.loc(node))
                continue
            # the right operand needs statements: evaluate them only where Python would
            r = self.temp(acc, "cond")
            test = r if land else ir.Unary(Op.LNOT, r, BOOL)
            self.emit(ir.If(test, (*pre, ir.Assign(r, rhs)), loc=self.loc(v)))
            acc = r
        return acc

    def visit_IfExp(self, node: ast.IfExp) -> Value:
        cond = self.truth(self.scalar(node.test), node.test)
        a, pre_a = self.buffered(lambda: self.expr(node.body))
        b, pre_b = self.buffered(lambda: self.expr(node.orelse))
        if isinstance(a, TupleVal) and isinstance(b, TupleVal) and \
                len(a.items) == len(b.items) and not pre_a and not pre_b:
            c = self.once(cond, "cond")  # (x, y) if c else (u, v): one select per element
            return TupleVal(tuple(self.select(c, self.as_scalar(x, node.body),
                                              self.as_scalar(y, node.orelse), node)
                                  for x, y in zip(a.items, b.items, strict=True)))
        a, b = self.as_scalar(a, node.body), self.as_scalar(b, node.orelse)
        t = unify(a.type, b.type) if a.type != b.type else a.type
        if not pre_a and not pre_b:
            return ir.Select(cond, self.cast(a, t), self.cast(b, t), t, loc=self.loc(node))
        r = self.new_temp(t, "sel")
        self.emit(ir.If(cond, (*pre_a, ir.Assign(r, self.cast(a, t))),
                        (*pre_b, ir.Assign(r, self.cast(b, t))), loc=self.loc(node)))
        return r

    def select(self, cond: ir.Expr, a: ir.Expr, b: ir.Expr, node: ast.AST) -> ir.Expr:
        t = unify(a.type, b.type) if a.type != b.type else a.type
        return ir.Select(cond, self.cast(a, t), self.cast(b, t), t, loc=self.loc(node))

    # ------------------------------------------------------------ arrays

    def visit_Subscript(self, node: ast.Subscript) -> Value:
        v = self.expr(node.value)
        if isinstance(v, TupleVal):
            i = self.expr(node.slice)
            if not (isinstance(i, ir.Const) and isinstance(i.value, int)):
                raise self.err("PORT1014", "tuples can only be indexed by constants", node.slice)
            try:
                return v.items[i.value]
            except IndexError:
                raise self.err("PORT2001", f"tuple index {i.value} out of range", node) from None
        if not isinstance(v, ArrayVal):
            raise self.err("PORT2001", f"`{_src(node.value)}` is not an array", node.value)
        r = self.index(v, node.slice, node)
        if isinstance(r, ArrayVal):
            return r
        base, idx = r
        return ir.Load(base, idx, v.dtype, loc=self.loc(node))

    def index(self, arr: ArrayVal, sl: ast.AST, node: ast.AST):
        """(base, index tuple) of an element, or a view ArrayVal for a partial index."""
        if isinstance(sl, ast.Slice) or (isinstance(sl, ast.Tuple) and
                                         any(isinstance(e, ast.Slice) for e in sl.elts)):
            raise self.err("PORT1014", "array slicing inside kernels is not supported", node,
                           "index single elements (a[i, j]); pass views from the host instead")
        iv = self.expr(sl)
        return self.index_values(arr, iv.items if isinstance(iv, TupleVal) else (iv,), node)

    def index_values(self, arr: ArrayVal, items, node: ast.AST):
        """`index` with the index values already lowered."""
        sl = node
        idx = [self.as_scalar(i, sl, "an integer index") for i in items]
        for i, e in enumerate(idx):
            if e.type.is_float:
                raise self.err("PORT2001", f"array index {i} is a float ({e.type})", sl,
                               "convert it with int(...)")
        if len(idx) > arr.ndim:
            raise self.err("PORT2001", f"{len(idx)} indices for a {arr.ndim}-d array", node)
        loc = self.loc(node)
        for d, e in enumerate(idx):
            if isinstance(e, ir.Const) and e.value < 0 and arr.shape[d] is not None:
                idx[d] = add(arr.shape[d], ir.const(e.value, I64), loc)  # Python wrap-around
        if arr.fixed:
            if len(idx) < arr.ndim:
                raise self.err("PORT1014", "partial indexing of shared/local/const arrays is "
                               "not supported", node, "index every dimension")
            return arr.base, tuple(self.cast(e, I64) if e.type.is_bool else e for e in idx)
        flat = arr.offset
        for e, s in zip(idx, arr.strides, strict=False):
            flat = add(flat, mul(self.cast(e, I64), s, loc), loc)
        if flat is None:
            flat = ir.const(0, I64)
        if len(idx) < arr.ndim:
            k = len(idx)
            return ArrayVal(arr.base, arr.dtype, arr.shape[k:], arr.strides[k:], flat,
                            layout=arr.layout)
        return arr.base, (flat,)

    def shared_array(self, shape, dtype: Scalar, space: Space, node: ast.AST) -> ArrayVal:
        dims = shape.items if isinstance(shape, TupleVal) else (shape,)
        if not all(isinstance(d, ir.Const) and not d.type.is_float for d in dims):
            raise self.err("PORT2001", "array shapes must be compile-time integer constants",
                           node, "use a literal or a module-level constant")
        sizes = tuple(int(d.value) for d in dims)
        loc = self.loc(node)
        name = self.fresh(self.name_hint or {Space.SHARED: "sm", Space.LOCAL: "lm"}[space])
        if space is Space.SHARED and sizes in ((0,), ()):
            var = ir.Var(name, Array(dtype, (), space), loc=loc)
            self.dyn_shared.append(var)
            return ArrayVal(var, dtype, (None,), (ir.const(1, I64),), fixed=True)
        if not 1 <= len(sizes) <= 3 or any(s <= 0 for s in sizes):
            raise self.err("PORT2001", f"array shape {sizes} must have 1-3 positive "
                           "dimensions", node)
        var = ir.Var(name, Array(dtype, sizes, space), loc=loc)
        if space is Space.SHARED:
            self.shared.append(var)
        else:
            self.local_decls.append(ir.Decl(var, loc=loc))
        shp = tuple(ir.const(s, I64) for s in sizes)
        return ArrayVal(var, dtype, shp, c_strides(shp, loc), fixed=True)


def _src(node: ast.AST) -> str:
    try:
        return ast.unparse(node)
    except Exception:  # noqa: BLE001 - only used in messages
        return type(node).__name__

