"""The module driver: finds kernels, `__device__` functions and module variables in a
translation unit and translates each function once (per pointer address-space signature)."""

from __future__ import annotations

import os

from portable import ir
from portable.builtins import convert
from portable.errors import Diagnostic, Loc, PortError, error
from portable.types import I32, U32, U64, Array, Pointer, Scalar, Space, Type, Void

from . import clang, curand
from .context import LV, key, template_name
from .stmts import Stmts, assigned
from .typemap import convert as convert_type
from .typemap import is_reference

_INCLUDE = os.path.realpath(str(clang.INCLUDE))


def attrs(d) -> set[str]:
    return {k.kind.name for k in d.get_children()}


class FunctionTranslator(Stmts):
    """Translates one function body."""

    def function(self, d, name: str, kernel: bool,
                 spaces: tuple[Space | None, ...] = ()) -> ir.Function:
        loc = self.loc(d)
        body = next((k for k in d.get_children() if k.kind.name == "COMPOUND_STMT"), None)
        if body is None:
            raise self.fail("PORT1004", f"function {d.spelling!r} has no body here", d)
        rt = d.result_type
        self.ret = Void() if rt.get_canonical().kind.name == "VOID" else \
            convert_type(rt, loc, Space.GLOBAL, f" (return type of {d.spelling})")
        if kernel and not isinstance(self.ret, Void):
            raise self.fail("PORT2001", "a __global__ function must return void", d)
        changed = assigned(body)
        params, entry = [], []
        for i, p in enumerate(d.get_arguments()):
            given = spaces[i] if i < len(spaces) else None
            space = given if isinstance(given, Space) else Space.GLOBAL
            t = convert_type(p.type, self.loc(p), space, f" (parameter {p.spelling!r})")
            if is_reference(p.type):
                raise self.fail("PORT1003", f"reference parameter {p.spelling!r}", p,
                                "pass by value or through a pointer")
            if isinstance(t, Array):  # an array parameter is a pointer
                t = Pointer(t.elem, space)
            flat = self.flat_pointer(t)
            pname = self.fresh(p.spelling or f"arg{i}")
            if flat is not None:  # float (*p)[2]: a pointer to the floats
                t, self.rows[pname] = flat
            param = ir.Param(pname, t, loc=self.loc(p))
            params.append(param)
            if isinstance(given, tuple):  # a group handle known at every call
                self.vars[key(p)] = ir.const(given[1], I32, self.loc(p))
            elif key(p) in self.module.addressed(d) and self.addressable(t):
                with self.capture() as decl:
                    self.vars[key(p)] = self.local_place(pname + "_", t, param, self.loc(p))
                entry.extend(decl)
            elif key(p) in changed:
                var = ir.Var(self.fresh(pname + "_v" if False else pname + "_"), t,
                             loc=self.loc(p))
                entry.append(ir.Decl(var, param, loc=self.loc(p)))
                self.vars[key(p)] = var
            else:
                self.vars[key(p)] = param
        self.out = list(entry)
        self.stmt(body)
        return ir.Function(name, tuple(params), tuple(self.out), self.ret, kernel,
                           tuple(self.shared), tuple(self.dynamic_shared), loc=loc)


class ModuleTranslator:
    """State of one translation unit: functions done or in progress, module variables."""

    def __init__(self, tu, filename: str, tolerant: bool = False) -> None:
        self.tu = tu
        # tolerant: a kernel that fails is recorded in `failures` and the others go on
        self.tolerant = tolerant
        self.failures: list[tuple[str, object, PortError]] = []
        self.kernel_cursors: dict[str, object] = {}
        self.filename = filename
        self.functions: dict[tuple, ir.Function] = {}
        self.names: dict[tuple, str] = {}
        self.used_names: set[str] = set()
        self.in_progress: list[tuple] = []
        self.globals: dict[tuple, ir.GlobalVar] = {}
        self.global_spaces: dict[str, Space] = {}
        self.scalar_globals: set[str] = set()
        self.reserved: set[str] = set()
        self.diagnostics: list[Diagnostic] = []
        self._addressed: dict[tuple, set[tuple]] = {}

    # ------------------------------------------------------------ queries

    def is_prelude(self, d) -> bool:
        f = d.location.file
        return f is not None and os.path.realpath(f.name).startswith(_INCLUDE)

    def is_kernel(self, d) -> bool:
        return "CUDAGLOBAL_ATTR" in attrs(d)

    def loc(self, c) -> Loc:
        return clang.loc(c, self.filename)

    def unique(self, name: str) -> str:
        n, i = name, 0
        while n in self.used_names:
            i += 1
            n = f"{name}_{i}"
        self.used_names.add(n)
        self.reserved.add(n)
        return n

    # ------------------------------------------------------------ module variables

    def global_ref(self, d, tr) -> ir.Global | None:
        """The Global for a `__device__`/`__constant__`/`__managed__` variable, else None."""
        if d.kind.name != "VAR_DECL":
            return None
        a = attrs(d)
        if d.spelling == curand.NAME and self.is_prelude(d):
            return self.synthesized(d.spelling, Array(U32, (len(curand.table()),), Space.GLOBAL),
                                    curand.table(), tr.loc(d) if tr else self.loc(d))
        if not a & {"CUDADEVICE_ATTR", "CUDACONSTANT_ATTR"} or self.is_prelude(d):
            return None
        k = key(d)
        if k not in self.globals:
            self.add_global(d, a)
        g = self.globals[k]
        return ir.Global(g.name, g.type, loc=tr.loc(d) if tr else self.loc(d))

    def add_global(self, d, a: set[str]) -> None:
        loc = self.loc(d)
        space = Space.CONSTANT if "CUDACONSTANT_ATTR" in a else Space.GLOBAL
        # pointers stored in a module variable (or its struct fields) point to global memory
        t = convert_type(d.type, loc, Space.GLOBAL, f" (variable {d.spelling!r})")
        if isinstance(t, Array):
            t = Array(t.elem, t.shape, space)
        else:  # a scalar module variable is a one-element array in the IR
            t = Array(t, (1,), space)
            self.scalar_globals.add(d.spelling)
        init = None
        ini = clang.var_init(d)
        if ini is not None and ini.kind.name == "CALL_EXPR" and \
                not list(ini.get_arguments()) and not list(ini.get_children()):
            ini = None  # the implicit default construction of a struct: zero-filled
        if ini is not None:
            init = self.constant_init(ini, t, loc)
        name = self.unique(d.spelling)
        if d.spelling in self.scalar_globals:
            self.scalar_globals.add(name)
        self.global_spaces[name] = space
        self.globals[key(d)] = ir.GlobalVar(name, t, space, init, loc=loc)

    def constant_init(self, c, t: Type, loc: Loc) -> tuple:
        from .exprs import kids, peel

        vals: list = []

        def collect(c) -> None:
            p = peel(c)
            if p.kind.name == "INIT_LIST_EXPR":
                for k in kids(p):
                    if k.kind.is_expression():
                        collect(k)
                return
            v = clang.evaluate(p)
            if v is None:
                raise error("PORT1002", "initialiser of a module variable must be constant",
                            self.loc(p), "use literal values or constexpr expressions")
            vals.append(v)

        collect(c)
        return tuple(vals)

    def addressed(self, fn) -> set[tuple]:
        """Keys of the parameters and local variables of function cursor `fn` whose address
        the body takes (`&x`): they live in one-element local arrays, so `&x` is a pointer."""
        from .exprs import kids, peel

        k = key(fn)
        if k not in self._addressed:
            out: set[tuple] = set()
            for n in fn.walk_preorder():
                if n.kind.name == "UNARY_OPERATOR" and clang.unary_op(n) == "&":
                    t = peel(kids(n)[0])
                    if t.kind.name == "DECL_REF_EXPR" and t.referenced is not None and \
                            t.referenced.kind.name in ("VAR_DECL", "PARM_DECL"):
                        out.add(key(t.referenced))
            self._addressed[k] = out
        return self._addressed[k]

    def synthesized(self, name: str, t: Array, init: tuple | None, loc: Loc,
                    key: tuple | None = None) -> ir.Global:
        """A module variable the frontend adds (created on first use): the clock counter,
        cuRAND's jump table, static locals (`key` tells them apart)."""
        k = ("<synthesized>", name) if key is None else key
        if k not in self.globals:
            unique = self.unique(name)
            self.global_spaces[unique] = t.space
            self.globals[k] = ir.GlobalVar(unique, t, t.space, init, loc=loc)
        g = self.globals[k]
        return ir.Global(g.name, g.type, loc=loc)

    def clock_counter(self, loc: Loc) -> ir.Global:
        """The module's clock: a hidden `__device__ unsigned long long` that clock() and
        clock64() increment atomically (created on first use)."""
        return self.synthesized("portable_clock", Array(U64, (1,), Space.GLOBAL), None, loc)

    def global_space(self, name: str) -> Space:
        return self.global_spaces.get(name, Space.GLOBAL)

    # ------------------------------------------------------------ functions

    def kernel(self, d, spelling: str | None = None) -> None:
        name = self.unique(spelling or d.spelling)
        self.kernel_cursors[name] = d
        if not self.tolerant:
            self.translate(d, name, kernel=True, spaces=())
            return
        try:
            self.translate(d, name, kernel=True, spaces=())
        except PortError as e:
            self.failures.append((name, d, e))
        except RecursionError:
            self.failures.append((name, d, error("PORT1002", "expression nesting too deep",
                                                 self.loc(d))))

    def translate(self, d, name: str, kernel: bool, spaces: tuple) -> None:
        k = (key(d), spaces)
        self.in_progress.append(k)
        try:
            fn = FunctionTranslator(self, self.filename).function(d, name, kernel, spaces)
        finally:
            self.in_progress.pop()
        self.functions[k] = fn

    def call_device(self, tr, c, d, want: bool) -> ir.Expr | None:
        """A call of a user `__device__` function: ir.Call(name, args)."""
        loc = tr.loc(c)
        defn = d.get_definition() or d
        if not any(k.kind.name == "COMPOUND_STMT" for k in defn.get_children()):
            raise tr.fail("PORT1004", f"function {d.spelling!r} is declared but not defined in "
                          "this file", c, "define it in the file (or an included header)")
        params = list(defn.get_arguments())
        args = list(c.get_arguments())
        if any(is_reference(p.type) for p in params):
            return self.inline_call(tr, c, defn, params, args, want)
        vals = tr.operands(args)
        spaces = tuple(v.type.space if isinstance(v.type, Pointer) else None for v in vals)
        spaces = tuple(None if s is Space.GLOBAL else s for s in spaces)
        # a cooperative group handle known at the call (which tile) specialises the callee,
        # so its syncs are the barrier of that group (frontends/cuda/rtgroups.py)
        spaces = tuple(("group", v.value) if isinstance(v, ir.Const) and _is_group(p.type)
                       else s for s, v, p in zip(spaces, vals, params, strict=False))
        fk = (key(defn), spaces)
        if fk in self.in_progress:
            raise tr.fail("PORT1005", f"recursive call of {d.spelling!r}", c,
                          "rewrite the recursion as a loop")
        if fk not in self.functions:
            base = self.names.get(key(defn)) or ident(template_name(defn))
            suffix = "".join(f"_g{s[1]}" if isinstance(s, tuple) else f"_{s.value}"
                             for s in spaces if s is not None)
            name = self.unique(base + suffix)
            self.names.setdefault(key(defn), base)
            self.translate(defn, name, kernel=False, spaces=spaces)
        fn = self.functions[fk]
        vals = [convert(v, p.type, loc) if isinstance(p.type, Scalar) else v
                for v, p in zip(vals, fn.params, strict=False)]
        call = ir.Call(fn.name, tuple(vals), fn.ret, loc=loc)
        if isinstance(fn.ret, Void):
            if want:
                raise tr.fail("PORT2001", f"{d.spelling} returns void", c)
            tr.emit(ir.ExprStmt(call, loc=loc))
            return None
        if not want:
            tr.emit(ir.ExprStmt(call, loc=loc))
            return None
        return call

    def inline_call(self, tr, c, defn, params, args, want: bool) -> ir.Expr | None:
        from .inline import inline

        return inline(tr, c, defn, args, want)

    # ------------------------------------------------------------ the whole unit

    def run(self) -> ir.ModuleIR:
        for d in self.top_level(self.tu.cursor):
            kind = d.kind.name
            if kind == "FUNCTION_DECL" and d.is_definition() and self.is_kernel(d):
                self.kernel(d)
            elif kind == "FUNCTION_DECL" and d.is_definition() and not attrs(d) & {
                    "CUDADEVICE_ATTR", "CUDAGLOBAL_ATTR"} and \
                    not d.spelling.startswith("__portable_instance_"):
                self.diagnostics.append(Diagnostic(
                    "PORT0005", f"host function {d.spelling!r} skipped", self.loc(d),
                    "portable runs kernels from Python: launch them with k[grid, block](...)"))
            elif kind == "VAR_DECL" and attrs(d) & {"CUDADEVICE_ATTR", "CUDACONSTANT_ATTR"}:
                try:
                    self.global_ref(d, None)
                except PortError as e:
                    if not self.tolerant:
                        raise
                    # a kernel that uses the variable fails when it reaches it
                    self.diagnostics.extend(e.diagnostics)
        for d in self.template_kernels():
            self.kernel(d, template_name(d))
        if not any(f.kernel for f in self.functions.values()) and not self.failures:
            hint = "mark the kernel functions __global__"
            if any(d.kind.name == "FUNCTION_TEMPLATE" and self.is_kernel(d)
                   for d in self.top_level(self.tu.cursor)):
                hint = ("instantiate the kernel template, e.g. `template __global__ void "
                        "k<float>(float *);`, or pass instances=['k<float>']")
            raise error("PORT0002", f"no __global__ kernel found in {self.filename}",
                        Loc(self.filename, 1, 1), hint)
        fns = list(self.functions.values())
        kernels = [f for f in fns if f.kernel]
        others = [f for f in fns if not f.kernel]
        return ir.ModuleIR(tuple(others + kernels), tuple(self.globals.values()),
                           self.filename)

    def template_kernels(self) -> list:
        """Specialisations of kernel templates that the file instantiates or launches."""
        seen, out = set(), []
        for n in self.tu.cursor.walk_preorder():
            if n.kind.name != "DECL_REF_EXPR":
                continue
            r = n.referenced
            if r is None or r.kind.name != "FUNCTION_DECL" or not self.is_kernel(r) or \
                    r.get_num_template_arguments() <= 0 or self.is_prelude(r):
                continue
            k = key(r) + (template_name(r),)
            if k not in seen:
                seen.add(k)
                out.append(r)
        return out

    def top_level(self, cursor):
        for d in cursor.get_children():
            if self.is_prelude(d):
                continue
            kind = d.kind.name
            if kind in ("NAMESPACE", "LINKAGE_SPEC", "UNEXPOSED_DECL"):
                yield from self.top_level(d)
            else:
                yield d


def _is_group(t) -> bool:
    from .groups import is_group

    d = t.get_canonical().get_declaration()
    return d is not None and d.kind.name != "NO_DECL_FOUND" and is_group(d)


def ident(name: str) -> str:
    """An identifier for a device function: `sq<float, 3>` -> `sq_float_3`."""
    import re

    return re.sub(r"\W+", "_", name.replace("operator", "op")).strip("_") or "fn"


def translate_tolerant(tu, filename: str) -> ModuleTranslator:
    """Translate kernel by kernel: the driver's `functions` hold what translated,
    `failures` the (name, cursor, PortError) of each kernel that did not."""
    m = ModuleTranslator(tu, filename, tolerant=True)
    try:
        m.run()
    except PortError as e:
        if e.code != "PORT0002":
            raise
        m.diagnostics.extend(e.diagnostics)
    return m


def translate(tu, filename: str) -> tuple[ir.ModuleIR, list[Diagnostic]]:
    m = ModuleTranslator(tu, filename)
    try:
        mod = m.run()
    except PortError:
        raise
    except RecursionError:
        raise error("PORT1002", "expression nesting too deep", Loc(filename)) from None
    return mod, m.diagnostics


__all__ = ["LV", "ModuleTranslator", "translate", "translate_tolerant"]
