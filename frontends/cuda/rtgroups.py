"""Cooperative groups whose size is a value: `thread_group` and `coalesced_group`.

A group handle is an int in the IR. For a `thread_group` it says which group it is: 0 is the
thread block (`this_thread_block()`), n > 0 a tile of n consecutive threads of the block
(`tiled_partition(block, n)`, or a `thread_block_tile<n>` converted to `thread_group`):

    thread_rank()  rank_in_block % size          size()  n, or the block's size for 0
    sync()         n == 0 or n > 32: __syncthreads(); else __syncwarp() (a tile lies in a warp)

A `coalesced_group` (`coalesced_threads()`) holds the mask of the lanes active where it was
made: thread_rank() counts the members below this lane, size() the members, shfl(v, 0) reads
the lowest member's v, any/all vote over the members, sync() is __syncwarp(mask).
"""

from __future__ import annotations

from portable import ir
from portable.builtins import convert, to_bool
from portable.ir import Op
from portable.semantics import FULL_MASK
from portable.types import BOOL, I32, U32

HINT = ("use thread_block, or a thread_block_tile<N> from tiled_partition<N>(block) whose "
        "size is a constant")


def _u(v: int, loc) -> ir.Expr:
    return ir.const(v, U32, loc)


def _rank(loc) -> ir.Expr:
    from .groups import _thread_rank

    return _thread_rank(loc)


def _block(loc) -> ir.Expr:
    from .groups import _block_size

    return _block_size(loc)


def _lane(loc) -> ir.Expr:
    return ir.Cast(ir.Special(ir.Sreg.LANEID, loc=loc), U32, loc=loc)


def _size(tr, h: ir.Expr, loc) -> ir.Expr:
    h = tr.stable(convert(h, U32, loc), "grp")
    return ir.Select(ir.Compare(Op.EQ, h, _u(0, loc), loc=loc), _block(loc), h, U32, loc=loc)


def sync(tr, cls: str, h: ir.Expr, loc) -> None:
    """The barrier of a run-time group (statements)."""
    if cls == "coalesced_group":
        tr.emit(ir.Barrier(Op.BARRIER_WARP, convert(h, U32, loc), loc=loc))
        return
    h = tr.stable(convert(h, U32, loc), "grp")
    if isinstance(h, ir.Const):  # a group known here: only its barrier
        tr.emit(ir.Barrier(Op.BARRIER_BLOCK, loc=loc) if h.value == 0 or h.value > 32 else
                ir.Barrier(Op.BARRIER_WARP, _u(FULL_MASK, loc), loc=loc))
        return
    whole = ir.Binary(Op.LOR, ir.Compare(Op.EQ, h, _u(0, loc), loc=loc),
                      ir.Compare(Op.GT, h, _u(32, loc), loc=loc), BOOL, loc=loc)
    tr.emit(ir.If(whole, (ir.Barrier(Op.BARRIER_BLOCK, loc=loc),),
                  (ir.Barrier(Op.BARRIER_WARP, _u(FULL_MASK, loc), loc=loc),), loc=loc))


def method(tr, c, cls: str, name: str, obj, want: bool) -> ir.Expr | None:
    """g.name(args) for a thread_group or coalesced_group handle `obj` (a cursor)."""
    loc = tr.loc(c)
    if obj is None:
        raise tr.fail("PORT1002", f"cooperative_groups::{cls}::{name} without an object", c,
                      HINT)
    h = tr.stable(tr.expr(obj), "grp")
    if name == "sync":
        sync(tr, cls, h, loc)
        return None
    t = tr.type_of(c)
    if cls == "thread_group":
        size = _size(tr, h, loc)
        if name == "thread_rank":
            return convert(ir.Binary(Op.MOD, _rank(loc), size, U32, loc=loc), t, loc)
        if name in ("size", "num_threads"):
            return convert(size, t, loc)
        if name == "meta_group_rank":
            return convert(ir.Binary(Op.DIV, _rank(loc), size, U32, loc=loc), t, loc)
        if name == "meta_group_size":
            s = tr.stable(size, "grp")
            up = ir.Binary(Op.SUB, ir.Binary(Op.ADD, _block(loc), s, U32, loc=loc), _u(1, loc),
                           U32, loc=loc)
            return convert(ir.Binary(Op.DIV, up, s, U32, loc=loc), t, loc)
    else:  # coalesced_group: h holds the member mask
        m = tr.stable(convert(h, U32, loc), "members")
        if name == "thread_rank":
            below = ir.Binary(Op.SUB, ir.Binary(Op.SHL, _u(1, loc), _lane(loc), U32, loc=loc),
                              _u(1, loc), U32, loc=loc)
            return convert(ir.Call("popc", (ir.Binary(Op.AND, m, below, U32, loc=loc),), I32,
                                   loc=loc), t, loc)
        if name in ("size", "num_threads"):
            return convert(ir.Call("popc", (m,), I32, loc=loc), t, loc)
        args = list(c.get_arguments())
        if name == "shfl":
            value, rank = tr.operands(args)
            if not (isinstance(rank, ir.Const) and rank.value == 0):
                raise tr.fail("PORT1002", "coalesced_group::shfl from a member other than the "
                              "first (rank 0)", c, "broadcast from rank 0, or use __shfl_sync "
                              "with a lane computed from the mask")
            leader = ir.Binary(Op.SUB, ir.Call("ffs", (m,), I32, loc=loc),
                               ir.const(1, I32, loc), I32, loc=loc)
            return ir.Shuffle(Op.SHFL_IDX, m, convert(value, t, loc), leader,
                              ir.const(32, I32, loc), t, loc=loc)
        if name in ("any", "all"):
            (pred,) = tr.operands(args)
            b = tr.stable(ir.Vote(Op.VOTE_BALLOT, m, to_bool(pred, loc), U32, loc=loc), "vote")
            r = ir.Compare(Op.NE, b, _u(0, loc), loc=loc) if name == "any" else \
                ir.Compare(Op.EQ, b, m, loc=loc)
            return convert(r, t, loc)
    raise tr.fail("PORT1002", f"cooperative_groups::{cls}::{name} is not supported", c, HINT)


def make(tr, c, name: str, args) -> ir.Expr:
    """The handle of a new group: this_thread_block() 0, tiled_partition<N>(g) N,
    tiled_partition(g, n) n, coalesced_threads() the active mask."""
    loc = tr.loc(c)
    if name == "coalesced_threads":
        return ir.Cast(ir.Vote(Op.ACTIVEMASK, None, None, U32, loc=loc), I32, loc=loc)
    if name == "tiled_partition" and len(args) == 2:
        (n,) = tr.operands(args[1:])
        return convert(n, I32, loc)
    if name == "tiled_partition":
        import re

        m = re.search(r"<\s*(\d+)", c.type.get_canonical().spelling)
        return ir.const(int(m.group(1)) if m else 32, I32, loc)
    return ir.const(0, I32, loc)


def reassigned(fn, d) -> bool:
    """Is group handle `d` assigned anywhere in function `fn`? (Its methods are const:
    calling them leaves it unchanged.)"""
    from . import clang
    from .context import key
    from .exprs import peel

    for n in fn.walk_preorder():
        if n.kind.name == "BINARY_OPERATOR" and clang.binary_op(n) == "=":
            target = next(iter(n.get_children()), None)
        elif n.kind.name == "CALL_EXPR" and n.spelling == "operator=":
            target = next(iter(n.get_arguments()), None)
        else:
            continue
        t = peel(target) if target is not None else None
        if t is not None and t.kind.name == "DECL_REF_EXPR" and t.referenced is not None and \
                key(t.referenced) == key(d):
            return True
    return False
