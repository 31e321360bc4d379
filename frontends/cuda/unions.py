"""Local variables of union type (dct8x8's `union { struct { short lo, hi; }; unsigned w; }`):
the variable is its bytes, a local byte array, and each member is a typed view at the member's
offset, so writing one member and reading another reinterprets the bytes as C does. Unions
elsewhere (parameters, globals, pointers, whole-union copies) stay PORT1003."""

from __future__ import annotations

from portable import ir
from portable.types import I32, U8, U16, U32, U64, Array, Pointer, Scalar, Space, Vector, sizeof

from .context import LV, key
from .exprs import kids, peel


def is_union(t) -> bool:
    d = t.get_canonical().get_declaration()
    return d is not None and d.kind.name == "UNION_DECL"


def declare(tr, d) -> None:
    """A local union: `size` bytes of local memory (an initialiser is PORT1003)."""
    loc = tr.loc(d)
    from . import clang

    init = clang.var_init(d)
    if init is not None and not (init.kind.name == "CALL_EXPR" and not kids(init)):
        # (an implicit default construction is no initialiser)
        raise tr.fail("PORT1003", f"initialiser of union {d.spelling!r}", d,
                      "assign a member after the declaration")
    ut = d.type.get_canonical()
    # words of the union's alignment, so that every member's view is aligned on any target
    word = {1: U8, 2: U16, 4: U32}.get(ut.get_align(), U64)
    n = max(-(-ut.get_size() // sizeof(word)), 1)
    arr = ir.Var(tr.fresh(d.spelling), Array(word, (n,), Space.LOCAL), loc=loc)
    tr.emit(ir.Decl(arr, None, loc=loc))
    tr.unions[key(d)] = (arr, d.type.get_canonical())


def member(tr, c) -> LV | None:
    """The place of `u.m` (through anonymous members too) when `u` is a local union."""
    if not getattr(tr, "unions", None):
        return None
    root = c
    while root.kind.name == "MEMBER_REF_EXPR":
        ks = kids(root)
        if not ks:
            return None
        root = peel(ks[0])
    if root.kind.name != "DECL_REF_EXPR" or root.referenced is None or \
            key(root.referenced) not in tr.unions:
        return None
    arr, ut = tr.unions[key(root.referenced)]
    loc = tr.loc(c)
    bits = ut.get_offset(c.spelling)
    t = tr.type_of(c, Space.LOCAL)
    if bits < 0 or not isinstance(t, (Scalar, Vector)):
        raise tr.fail("PORT1003", f"member {c.spelling!r} of union {ut.spelling!r}", c,
                      "use the union's scalar members")
    off = bits // 8
    if off % sizeof(t):
        raise tr.fail("PORT1003", f"member {c.spelling!r} at a misaligned offset", c)
    first = ir.AddrOf(arr, (ir.const(0, I32, loc),), Pointer(arr.type.elem, Space.LOCAL), loc=loc)
    view = first if t == arr.type.elem else ir.Cast(first, Pointer(t, Space.LOCAL), loc=loc)
    return LV("mem", t, base=view, index=(ir.const(off // sizeof(t), I32, loc),))
