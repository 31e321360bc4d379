"""Calls: CUDA builtins (looked up in portable.builtins), printf, `__device__` functions,
constructors of vector types and structs, and the diagnostics for what cannot be ported."""

from __future__ import annotations

import codecs

from portable import builtins, ir
from portable.builtins import convert
from portable.types import I32, U32, U64, Array, Space, Struct, Vector

from . import clang
from .context import LV, has_effects, zero
from .typemap import is_reference

UNPORTABLE = {
    # name prefix -> (code, what, hint)
    "tex": ("PORT1008", "texture fetch", "read the data through a plain pointer instead"),
    "surf": ("PORT1008", "surface access", "write the data through a plain pointer instead"),
    "cudaLaunch": ("PORT1009", "dynamic parallelism (a launch from device code)",
                   "launch the child kernel from the host after this one finishes"),
    "cudaDeviceSynchronize": ("PORT1009", "dynamic parallelism (device-side synchronise)",
                              "synchronise on the host"),
    "cudaMalloc": ("PORT1009", "device-side allocation", "allocate on the host"),
    "cudaFree": ("PORT1009", "device-side deallocation", "free on the host"),
    "__nanosleep": ("PORT1002", "__nanosleep", "remove the sleep"),
    "__trap": ("PORT1002", "__trap", "report errors through an output flag array"),
    "__assert_fail": ("PORT1002", "assert", "report errors through an output flag array"),
}
SINCOS = {"sincosf": ("sin", "cos", "f32"), "sincos": ("sin", "cos", None),
          "__sincosf": ("sin", "cos", "f32")}


def _args(c) -> list:
    return list(c.get_arguments())


def _string(c) -> str | None:
    from .exprs import peel

    c = peel(c)
    if c.kind.name != "STRING_LITERAL":
        return None
    parts = [t.spelling for t in c.get_tokens() if t.spelling.startswith(('"', 'u8"', 'L"'))]
    text = "".join(p[p.index('"') + 1:-1] for p in parts) if parts else c.spelling[1:-1]
    return codecs.decode(text.encode("latin-1", "backslashreplace"), "unicode_escape")


def translate_call(tr, c, want: bool) -> ir.Expr | None:
    """The IR of a CALL_EXPR; statement-like builtins are emitted and return None."""
    tr.loc(c)
    d = c.referenced
    name = c.spelling
    if d is None:
        raise tr.fail("PORT1004", f"call to {name or 'an unknown function'!r} that clang could "
                      "not resolve", c, "call a __device__ function or a CUDA builtin directly")
    kind = d.kind.name
    if kind == "CONSTRUCTOR":
        return construct(tr, c, d)
    if d.spelling == "operator=" and (d.is_default_method() or not any(
            k.kind.name == "COMPOUND_STMT" for k in d.get_children())):
        return copy_assign(tr, c, want)  # the implicit (trivial) copy/move assignment
    if tr.module.is_prelude(d):
        from .groups import free_function, is_group

        if is_group(d) and kind == "FUNCTION_DECL":
            return free_function(tr, c, d, want)
    if tr.module.is_prelude(d):
        from .copies import is_pipeline, pipeline_call

        if is_pipeline(d):
            return pipeline_call(tr, c, d, want)
    if kind in ("CXX_METHOD", "CONVERSION_FUNCTION") and tr.module.is_prelude(d):
        from .groups import prelude_method

        return prelude_method(tr, c, d, want)
    if kind in ("CXX_METHOD", "CONVERSION_FUNCTION"):
        from .inline import method_call

        return method_call(tr, c, d, want)
    if name in ("clock", "clock64") and tr.module.is_prelude(d):
        return clock(tr, c, want)
    if name == "cudaGraphSetConditional" and tr.module.is_prelude(d):
        return graph_conditional(tr, c)
    for prefix, (code, what, hint) in UNPORTABLE.items():
        if name.startswith(prefix) and (tr.module.is_prelude(d) or prefix.startswith("tex")
                                        or prefix.startswith("surf")):
            raise tr.fail(code, f"{what} ({name}) cannot be ported", c, hint)
    if tr.module.is_prelude(d) and (builtins.lookup(name) is not None or not _defined(d)):
        return builtin(tr, c, name, want)
    if name.startswith(("tex1D", "tex2D", "tex3D", "surf")):
        raise tr.fail("PORT1008", f"texture fetch ({name}) cannot be ported", c,
                      UNPORTABLE["tex"][2])
    if tr.module.is_kernel(d):
        raise tr.fail("PORT1009", f"dynamic parallelism: kernel {name!r} launched or called "
                      "from device code", c, "launch it from the host")
    return tr.module.call_device(tr, c, d, want)


def builtin(tr, c, name: str, want: bool) -> ir.Expr | None:
    loc = tr.loc(c)
    args = _args(c)
    if name == "printf":
        fmt = _string(args[0]) if args else None
        if fmt is None:
            raise tr.fail("PORT1002", "printf needs a string literal format", c)
        vals = tr.operands(args[1:])
        tr.emit(ir.Print(fmt, tuple(vals), loc=loc))
        return ir.const(0, I32, loc) if want else None
    if name in SINCOS:
        return sincos(tr, c, name, args)
    from . import mathx

    if name in mathx.NAMES:
        return mathx.call(tr, c, name, args, want)
    if name in ("memcpy", "memset"):
        from .copies import call as copy_call

        return copy_call(tr, c, name, args, want)
    b = builtins.lookup(name)
    if b is None:
        raise tr.fail("PORT1004", f"CUDA function {name!r} is not supported", c,
                      "write it with supported math, or file an issue")
    vals = tr.operands(args)
    ret = tr.type_of(c) if c.type.get_canonical().kind.name != "VOID" else None
    node = b.build(vals, loc, ret)
    if b.stmt:
        tr.emit(node)
        if want:
            raise tr.fail("PORT1002", f"{name} has no value", c)
        return None
    if not want:
        if has_effects(node):
            tr.emit(ir.ExprStmt(node, loc=loc))
        return None
    return node


def sincos(tr, c, name: str, args) -> None:
    """sincosf(x, &s, &c): two assignments through the out-pointers."""

    loc = tr.loc(c)
    x = tr.expr(args[0])
    s_fn, c_fn, fixed = SINCOS[name]
    t = x.type if fixed is None else tr.type_of(args[0])
    x = tr.stable(x, "x") if not isinstance(x, (ir.Var, ir.Param, ir.Const)) else x
    for fn, out in ((s_fn, args[1]), (c_fn, args[2])):
        val = ir.Call(fn, (convert(x, t, loc),), t, loc=loc)
        tr.write(out_place(tr, out), val, loc)
    return None


def out_place(tr, out) -> LV:
    """The place an out-pointer argument (`&v`, `p`, `&a[i]`) of a math function names."""
    from .exprs import peel

    p = peel(out)
    if p.kind.name == "UNARY_OPERATOR" and clang.unary_op(p) == "&":
        return tr.lvalue(list(p.get_children())[0])
    ptr = tr.expr(out)
    base, index = builtins.address(ptr, tr.loc(out))
    return LV("mem", ptr.type.elem, base=base, index=index)


def clock(tr, c, want: bool) -> ir.Expr | None:
    """clock()/clock64(): an atomic increment of the module's counter (`portable_clock`).

    Every read, by any thread of any launch of the module, adds one, so the values a thread
    reads increase strictly and differences count clock reads, not cycles: timing code runs
    and busy-wait loops (`while (clock64() - t0 < n)`) end after n reads in all. Kernels
    cannot tell time from it; time them from the host (`portable bench`)."""
    loc = tr.loc(c)
    g = tr.module.clock_counter(loc)
    node = ir.Atomic(ir.Op.ATOMIC_ADD, g, (ir.const(0, I32, loc),), ir.const(1, U64, loc), U64,
                     loc=loc)
    if not want:
        tr.emit(ir.ExprStmt(node, loc=loc))
        return None
    return convert(node, tr.type_of(c), loc)


GRAPH_CONDITIONS = 64


def graph_conditional(tr, c) -> None:
    """cudaGraphSetConditional(handle, value): portable has no CUDA graphs, so the value goes
    where the host reads it: `portable_graph_conditions[handle % 64]`, a module variable
    (`mod.get_global("portable_graph_conditions")`) from which the host decides what to
    launch next."""
    loc = tr.loc(c)
    handle, value = tr.operands(_args(c))
    g = tr.module.synthesized("portable_graph_conditions",
                              Array(U32, (GRAPH_CONDITIONS,), Space.GLOBAL), None, loc)
    slot = ir.Binary(ir.Op.AND, convert(handle, U64, loc), ir.const(GRAPH_CONDITIONS - 1, U64,
                                                                       loc), U64, loc=loc)
    tr.emit(ir.Store(g, (slot,), convert(value, U32, loc), loc=loc))
    return None


def copy_assign(tr, c, want: bool) -> ir.Expr | None:
    dst, src = _args(c)
    v = tr.expr(src)
    lv = tr.lvalue(dst)
    if want:
        v = tr.stable(v, "v")
    tr.write(lv, v, tr.loc(c))
    return v if want else None


def construct(tr, c, d) -> ir.Expr:
    """A constructor call: vector and trivial structs build a Pack from the arguments."""
    loc = tr.loc(c)
    t = tr.type_of(c)
    args = _args(c)
    if len(args) == 1 and (is_copy(d) or d.is_default_method()) and tr.type_of(args[0]) == t:
        return tr.expr(args[0])
    if isinstance(t, Vector) and tr.module.is_prelude(d):
        vals = tr.operands(args)
        if t == Vector(t.elem, 3) and len(vals) == 1 and isinstance(vals[0].type, Vector):
            return vals[0]
        # dim3's missing components are 1; other vector types value-initialise to 0
        fill = 1 if c.type.get_canonical().spelling.endswith("dim3") else 0
        vals += [ir.const(fill, t.elem, loc)] * (t.n - len(vals))
        return ir.Pack(tuple(convert(v, t.elem, loc) for v in vals), t, loc=loc)
    if not args and isinstance(t, (Struct, Vector)) and not _has_body(d):
        return zero(t, loc)
    if isinstance(t, Struct) and not tr.module.is_prelude(d):
        from .inline import inline

        return inline(tr, c, d, args, True, ctor=t)
    raise tr.fail("PORT1002", f"constructor of {t}", c, "initialise the fields one by one")


def _defined(d) -> bool:
    """Does the (prelude) function have a body, like cuRAND's generator in curand_kernel.h?
    Then it is translated like a user's device function."""
    defn = d.get_definition()
    return defn is not None and any(k.kind.name == "COMPOUND_STMT" for k in defn.get_children())


def is_copy(d) -> bool:
    ps = list(d.get_arguments())
    return len(ps) == 1 and is_reference(ps[0].type)


def _has_body(d) -> bool:
    return any(k.kind.name == "COMPOUND_STMT" and any(True for _ in k.get_children())
               for k in d.get_children())

