"""Block copies in device code: `memcpy`, `memset`, and libcu++'s `cuda::memcpy_async` with a
thread-scope `cuda::pipeline`.

A copy of n bytes becomes a counted loop over the elements of the source's type (the
destination is viewed as that type, as memcpy's bytes would land). An asynchronous copy into a
thread-scope pipeline is done at once: the thread may read the destination only after its own
`consumer_wait()`, and finishing early is one of the schedules the program must already accept,
so the pipeline's acquire/commit/wait/release have nothing left to do. Pipelines shared by a
group (`make_pipeline(group, &state)`) synchronise threads with each other and stay PORT1002.
"""

from __future__ import annotations

from portable import ir
from portable.builtins import convert
from portable.errors import Loc
from portable.ir import Op
from portable.types import U8, U64, Pointer, Scalar, Type, sizeof

PIPELINE_HINT = ("use a thread-scope pipeline (cuda::make_pipeline()), or plain loads and "
                 "stores followed by __syncthreads()")


def _view(p: ir.Expr, elem: Type, loc: Loc) -> ir.Expr:
    assert isinstance(p.type, Pointer)
    if p.type.elem == elem:
        return p
    return ir.Cast(p, Pointer(elem, p.type.space, p.type.const, p.type.restrict), loc=loc)


def copy(tr, c, dst: ir.Expr, src: ir.Expr | None, nbytes: ir.Expr, fill: ir.Expr | None = None
         ) -> None:
    """Emit `for (i = 0; i < n / sizeof(T); i++) ((T *)dst)[i] = src ? ((T *)src)[i] : fill`
    where T is the source's element type (bytes for memset)."""
    loc = tr.loc(c)
    for p in (dst, src):
        if p is not None and not isinstance(p.type, Pointer):
            raise tr.fail("PORT1013", f"copy through a value of type {p.type}", c,
                          "pass pointers to the first elements")
    elem = src.type.elem if src is not None else U8  # type: ignore[union-attr]
    if str(elem) == "void":
        elem = dst.type.elem  # type: ignore[union-attr]
    if not isinstance(elem, Scalar) and src is None:
        elem = U8
    size = sizeof(elem) if str(elem) != "void" else 1
    d = tr.temp(_view(dst, elem, loc), "cpy_dst", loc)
    s = tr.temp(_view(src, elem, loc), "cpy_src", loc) if src is not None else None
    n = tr.temp(ir.Binary(Op.DIV, convert(nbytes, U64, loc), ir.const(size, U64, loc), U64,
                          loc=loc), "cpy_n", loc)
    i = ir.Var(tr.fresh("cpy_i"), U64, loc=loc)
    value = ir.Load(s, (i,), elem, loc=loc) if s is not None else convert(fill, elem, loc)
    body = (ir.Store(d, (i,), value, loc=loc),)
    tr.emit(ir.For(i, ir.const(0, U64, loc), n, ir.const(1, U64, loc), body, Op.LT, loc=loc))


def call(tr, c, name: str, args, want: bool) -> ir.Expr | None:
    """memcpy(dst, src, n) / memset(dst, v, n) / cuda::memcpy_async(dst, src, n, pipe)."""
    if name == "memcpy_async":
        if len(args) == 5:
            raise tr.fail("PORT1002", "memcpy_async by a group (a collective copy)", c,
                          PIPELINE_HINT)
        _check_scope(tr, c, args[3].type)
        vals = tr.operands(args[:3])
        copy(tr, c, vals[0], vals[1], vals[2])
        return None
    vals = tr.operands(args[:3])
    if name == "memcpy":
        copy(tr, c, vals[0], vals[1], vals[2])
    else:  # memset: bytes of value v
        if not isinstance(vals[0].type, Pointer):
            raise tr.fail("PORT1013", "memset through a non-pointer", c)
        copy(tr, c, vals[0], None, vals[2], fill=vals[1])
    return vals[0] if want else None  # memcpy and memset return dst


def _check_scope(tr, c, t) -> None:
    spelled = t.get_canonical().spelling
    if "thread_scope_thread" not in spelled:
        raise tr.fail("PORT1002", f"a pipeline shared by threads ({spelled}): its waits "
                      "synchronise threads with each other", c, PIPELINE_HINT)


def is_pipeline(d) -> bool:
    """Is `d` a declaration of the prelude's libcu++ pipelines (namespace cuda)?"""
    p = d.semantic_parent
    while p is not None and p.kind.name not in ("TRANSLATION_UNIT", "NAMESPACE"):
        p = p.semantic_parent
    return p is not None and p.kind.name == "NAMESPACE" and p.spelling == "cuda" and \
        (d.spelling in ("make_pipeline", "memcpy_async") or
         (d.semantic_parent is not None and d.semantic_parent.spelling == "pipeline"))


def pipeline_call(tr, c, d, want: bool) -> ir.Expr | None:
    """make_pipeline(), memcpy_async(...) and the methods of a thread-scope pipeline."""
    loc = tr.loc(c)
    args = list(c.get_arguments())
    if d.spelling == "memcpy_async":
        return call(tr, c, "memcpy_async", args, want)
    if d.spelling == "make_pipeline":
        if args:
            raise tr.fail("PORT1002", "make_pipeline(group, &shared_state): a pipeline shared "
                          "by the threads of a group", c, PIPELINE_HINT)
        return ir.const(0, tr.type_of(c), loc) if want else None
    _check_scope(tr, c, d.semantic_parent.type)
    return None  # producer_acquire/commit, consumer_wait/release: the copies are done
