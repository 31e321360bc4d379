"""Compile one kernel specialisation: the kernel, the device functions it calls (one IR function
per argument-type signature) and the constant arrays it captures, as one `ir.ModuleIR`."""

from __future__ import annotations

import ast

import numpy as np
from portable.frontends.python.lower import ArrSpec, Lowerer, Spec
from portable.frontends.python.ntypes import ArrayType
from portable.frontends.python.source import get_source
from portable.frontends.python.values import ArrayVal, PyObj, TupleVal, Value, c_strides

from portable import ir
from portable.errors import Loc, error
from portable.types import I64, Array, Pointer, Scalar, Space, Type, Void, from_dtype

MAX_ROUNDS = 8


def lower_function(ctx: ModuleContext, pyfunc, name: str, specs: tuple[Spec, ...],
                   kernel: bool) -> tuple[ir.Function, Type]:
    """Lower `pyfunc` for `specs`, re-running until every variable's type is settled."""
    var_types: dict[str, Type] = {}
    kinds: dict[str, str] = {}
    for attempt in range(MAX_ROUNDS):
        lw = Lowerer(ctx, pyfunc, name, specs, kernel, var_types, kinds, attempt)
        fn, ret = lw.lower()
        if not lw.dirty:
            return fn, ret
    raise error("PORT2001", f"the variable types of {pyfunc.__name__} do not settle",
                get_source(pyfunc).loc(None), "give each variable one type")


class ModuleContext:
    """What one kernel specialisation collects while it is lowered."""

    def __init__(self) -> None:
        self.functions: list[ir.Function] = []  # device functions, callees first
        self.globals: list[ir.GlobalVar] = []
        self._consts: dict[int, tuple[np.ndarray, ArrayVal]] = {}
        self._device: dict[tuple, tuple[str, Type]] = {}
        self._stack: list[tuple] = []
        self._names: set[str] = set()

    def unique(self, base: str) -> str:
        name, k = base, 2
        while name in self._names:
            name, k = f"{base}_{k}", k + 1
        self._names.add(name)
        return name

    def const_array(self, arr: np.ndarray, name: str, loc: Loc) -> ArrayVal:
        """A captured numpy array: numba freezes it into the kernel as a constant array."""
        if id(arr) in self._consts:
            return self._consts[id(arr)][1]
        if not 1 <= arr.ndim <= 3:
            raise error("PORT1003", f"captured array {name!r} has {arr.ndim} dimensions", loc,
                        "capture arrays of 1-3 dimensions")
        try:
            dt = from_dtype(arr.dtype)
        except KeyError:
            raise error("PORT1003", f"captured array {name!r} has dtype {arr.dtype}", loc) from None
        gname = self.unique(name if name.isidentifier() else "const")
        t = Array(dt, tuple(int(n) for n in arr.shape), Space.CONSTANT)
        self.globals.append(ir.GlobalVar(gname, t, Space.CONSTANT,
                                         tuple(np.ascontiguousarray(arr).reshape(-1).tolist()),
                                         loc=loc))
        shape = tuple(ir.const(n, I64) for n in arr.shape)
        val = ArrayVal(ir.Global(gname, t, loc=loc), dt, shape, c_strides(shape, loc), fixed=True)
        self._consts[id(arr)] = (arr, val)
        return val

    def device_call(self, lw: Lowerer, disp, args: list[Value], node: ast.Call) -> Value:
        loc = lw.loc(node)
        specs: list[Spec] = []
        call_args: list[ir.Expr] = []
        for i, v in enumerate(args):
            if isinstance(v, ir.Expr) and isinstance(v.type, Scalar):
                specs.append(v.type)
                call_args.append(v)
            elif isinstance(v, ArrayVal) and v.fixed:
                if any(s is None for s in v.shape):
                    raise lw.err("PORT1014", "dynamic shared arrays cannot be passed to device "
                                 "functions", node.args[i], "index it in the kernel")
                space = v.base.type.space
                specs.append(ArrSpec(v.dtype, v.ndim, "C", space,
                                     tuple(int(s.value) for s in v.shape)))
                ptr = Pointer(v.dtype, space, const=space is Space.CONSTANT)
                zero = tuple(ir.const(0, I64) for _ in v.shape)
                call_args.append(ir.AddrOf(v.base, zero, ptr, loc=loc))
            elif isinstance(v, ArrayVal):
                layout = "A" if v.layout == "A" or v.offset is not None else "C"
                specs.append(ArrSpec(v.dtype, v.ndim, layout, v.base.type.space))
                call_args += [v.base, *v.shape]
                if layout == "A":
                    call_args += [*v.strides, v.offset if v.offset is not None
                                  else ir.const(0, I64)]
            else:
                what = "tuples" if isinstance(v, TupleVal) else type(v).__name__
                raise lw.err("PORT1014", f"{what} cannot be passed to device functions",
                             node.args[i], "pass numbers and arrays")
        key = (disp.py_func, tuple(specs))
        if key in self._stack:
            raise lw.err("PORT1005", f"{disp.__name__} calls itself", node,
                         "rewrite the recursion as a loop")
        if key not in self._device:
            self._stack.append(key)
            try:
                name = self.unique(disp.__name__)
                fn, ret = lower_function(self, disp.py_func, name, tuple(specs), kernel=False)
            finally:
                self._stack.pop()
            self.functions.append(fn)
            self._device[key] = (name, ret)
        name, ret = self._device[key]
        call = ir.Call(name, tuple(call_args), ret, loc=loc)
        if ret == Void():
            lw.emit(ir.ExprStmt(call, loc=loc))
            return PyObj(None)
        return call


def kernel_specs(argtypes: tuple) -> tuple[Spec, ...]:
    return tuple(ArrSpec(t.dtype, t.ndim, t.layout) if isinstance(t, ArrayType) else t
                 for t in argtypes)


def compile_kernel(pyfunc, argtypes: tuple) -> ir.ModuleIR:
    """The IR module of `pyfunc` specialised for `argtypes` (numba argument types)."""
    ctx = ModuleContext()
    ctx._names.add(pyfunc.__name__)
    fn, _ = lower_function(ctx, pyfunc, pyfunc.__name__, kernel_specs(argtypes), kernel=True)
    return ir.ModuleIR(tuple(ctx.functions) + (fn,), tuple(ctx.globals),
                       filename=get_source(pyfunc).filename)
