"""Member functions declared by the prelude: cooperative groups (block sync, tiles' shuffles;
grid sync is PORT1010) and dim3's conversion to uint3."""

from __future__ import annotations

from portable import ir
from portable.ir import Op
from portable.semantics import FULL_MASK
from portable.types import BOOL, I32, U32, Scalar, Vector

from .exprs import kids, peel

_TILE_SHFL = {"shfl": Op.SHFL_IDX, "shfl_up": Op.SHFL_UP, "shfl_down": Op.SHFL_DOWN,
              "shfl_xor": Op.SHFL_XOR}


def _object(c):
    ks = kids(c)
    callee = peel(ks[0]) if ks else None
    if callee is not None and callee.kind.name == "MEMBER_REF_EXPR":
        sub = kids(callee)
        return sub[0] if sub else None
    return None


def _class(d) -> str:
    p = d.semantic_parent
    return p.spelling if p is not None else ""


def prelude_method(tr, c, d, want: bool) -> ir.Expr | None:
    loc = tr.loc(c)
    cls, name = _class(d), d.spelling
    if d.kind.name == "CONVERSION_FUNCTION":  # dim3 -> uint3: the same vector
        obj = _object(c)
        return tr.expr(obj) if obj is not None else tr.fail("PORT1002", "conversion", c)
    if cls == "grid_group" and name == "sync":
        raise tr.fail("PORT1010", "grid-wide synchronisation (cooperative groups grid.sync()) "
                      "cannot be ported", c, "split the kernel at the grid sync into two "
                      "kernels launched one after the other")
    if cls == "grid_group":
        raise tr.fail("PORT1010", f"cooperative groups grid_group::{name}", c,
                      "use blockIdx/gridDim arithmetic instead")
    if cls in ("thread_group", "coalesced_group"):
        from .rtgroups import method

        return method(tr, c, cls, name, _object(c), want)
    if cls == "thread_block":
        if name == "sync":
            tr.emit(ir.Barrier(Op.BARRIER_BLOCK, loc=loc))
            return None
        if name == "thread_rank":
            return _thread_rank(loc)
        if name in ("size", "num_threads"):
            return _block_size(loc)
        if name in _DIM3:
            sreg = _DIM3[name]
            return ir.Pack(tuple(ir.Special(sreg, i, loc=loc) for i in range(3)),
                           Vector(U32, 3), loc=loc)
    if cls == "thread_block_tile":
        n = _tile_size(d)
        if name == "sync":
            tr.emit(ir.Barrier(Op.BARRIER_WARP, ir.const(FULL_MASK, U32, loc), loc=loc))
            return None
        if name == "thread_rank":
            return ir.Binary(Op.MOD, _thread_rank(loc), ir.const(n, U32, loc), U32, loc=loc)
        if name in ("size", "num_threads"):
            return ir.const(n, U32, loc)
        if name == "meta_group_rank":
            return ir.Binary(Op.DIV, _thread_rank(loc), ir.const(n, U32, loc), U32, loc=loc)
        if name == "meta_group_size":
            size = ir.Binary(Op.ADD, _block_size(loc), ir.const(n - 1, U32, loc), U32, loc=loc)
            return ir.Binary(Op.DIV, size, ir.const(n, U32, loc), U32, loc=loc)
        if name in ("ballot", "any", "all"):
            (pred,) = tr.operands(list(c.get_arguments()))
            return tile_vote(name, pred, n, tr.type_of(c), loc)
        if name in _TILE_SHFL:
            value, lane = tr.operands(list(c.get_arguments()))
            t = tr.type_of(c)
            return ir.Shuffle(_TILE_SHFL[name], ir.const(FULL_MASK, U32, loc), value,
                              ir.Cast(lane, I32, loc=loc) if lane.type != I32 else lane,
                              ir.const(n, I32, loc), t, loc=loc)
    raise tr.fail("PORT1002", f"{cls}::{name} is not supported", c,
                  "use __syncthreads, __shfl_*_sync and threadIdx arithmetic instead")


_DIM3 = {"group_index": ir.Sreg.CTAID, "thread_index": ir.Sreg.TID,
         "group_dim": ir.Sreg.NTID, "dim_threads": ir.Sreg.NTID}
_REDUCE = {"plus": Op.ADD, "bit_and": Op.AND, "bit_or": Op.OR, "bit_xor": Op.XOR}


def _block_size(loc) -> ir.Expr:
    b = [ir.Special(ir.Sreg.NTID, i, loc=loc) for i in range(3)]
    return ir.Binary(Op.MUL, ir.Binary(Op.MUL, b[0], b[1], U32, loc=loc), b[2], U32, loc=loc)


def tile_vote(name: str, pred: ir.Expr, n: int, t, loc) -> ir.Expr:
    """A tile's ballot/any/all: the warp's ballot, shifted to this tile's bits."""
    from portable.builtins import to_bool

    full = ir.const(FULL_MASK, U32, loc)
    b = ir.Vote(Op.VOTE_BALLOT, full, to_bool(pred, loc), U32, loc=loc)
    if n < 32:
        lane = ir.Cast(ir.Special(ir.Sreg.LANEID, loc=loc), U32, loc=loc)
        shift = ir.Binary(Op.MUL, ir.Binary(Op.DIV, lane, ir.const(n, U32, loc), U32, loc=loc),
                          ir.const(n, U32, loc), U32, loc=loc)
        b = ir.Binary(Op.AND, ir.Binary(Op.SHR, b, shift, U32, loc=loc),
                      ir.const((1 << n) - 1, U32, loc), U32, loc=loc)
    if name == "ballot":
        return b if t == U32 else ir.Cast(b, t, loc=loc)
    want = ir.const(0, U32, loc) if name == "any" else ir.const((1 << n) - 1, U32, loc)
    r = ir.Compare(Op.NE if name == "any" else Op.EQ, b, want, BOOL, loc=loc)
    return ir.Cast(r, t, loc=loc) if t != BOOL else r


def _thread_rank(loc) -> ir.Expr:
    t = [ir.Special(ir.Sreg.TID, i, loc=loc) for i in range(3)]
    b = [ir.Special(ir.Sreg.NTID, i, loc=loc) for i in range(3)]
    yz = ir.Binary(Op.ADD, ir.Binary(Op.MUL, t[2], b[1], U32, loc=loc), t[1], U32, loc=loc)
    return ir.Binary(Op.ADD, ir.Binary(Op.MUL, yz, b[0], U32, loc=loc), t[0], U32, loc=loc)


def _tile_size(d) -> int:
    p = d.semantic_parent
    try:
        return int(p.type.get_template_argument_type(0).spelling)  # pragma: no cover
    except Exception:  # noqa: BLE001 - the spelling carries the size: thread_block_tile<32>
        import re

        m = re.search(r"<\s*(\d+)", p.type.spelling if p is not None else "")
        return int(m.group(1)) if m else 32


def is_group(d) -> bool:
    """Is `d` (a declaration or a class) part of the prelude's cooperative_groups?"""
    p = d
    while p is not None and p.kind.name != "TRANSLATION_UNIT":
        if p.kind.name == "NAMESPACE" and p.spelling == "cooperative_groups":
            return True
        p = p.semantic_parent
    return False


def free_function(tr, c, d, want: bool) -> ir.Expr | None:
    loc = tr.loc(c)
    name = d.spelling
    if name == "this_grid":
        raise tr.fail("PORT1010", "cooperative groups grid (this_grid) cannot be ported", c,
                      "split the kernel at the grid sync into kernels launched in sequence")
    args = list(c.get_arguments())
    if name == "sync":
        cls = args[0].type.get_canonical().spelling if args else ""
        if "grid_group" in cls:
            raise tr.fail("PORT1010", "grid-wide synchronisation cannot be ported", c,
                          "split the kernel at the grid sync into kernels launched in sequence")
        if "thread_block_tile" in cls:
            tr.emit(ir.Barrier(Op.BARRIER_WARP, ir.const(FULL_MASK, U32, loc), loc=loc))
            return None
        if "thread_group" in cls or "coalesced_group" in cls:
            from .rtgroups import sync

            (h,) = tr.operands(args[:1])
            sync(tr, "coalesced_group" if "coalesced" in cls else "thread_group", h, loc)
            return None
        tr.emit(ir.Barrier(Op.BARRIER_BLOCK, loc=loc))
        return None
    if name in ("this_thread_block", "tiled_partition", "coalesced_threads"):
        from .rtgroups import make

        return make(tr, c, name, args)  # the handle: which group (rtgroups.py)
    if name in ("reduce", "inclusive_scan", "exclusive_scan"):
        return collective(tr, c, name, args)
    raise tr.fail("PORT1002", f"cooperative_groups::{name} is not supported", c,
                  "use __syncthreads, __shfl_*_sync and threadIdx arithmetic instead")


def collective(tr, c, name: str, args) -> ir.Expr:
    """cg::reduce / inclusive_scan / exclusive_scan over a thread_block_tile<N>, as N's log2
    shuffle steps (xor butterflies for reduce, shfl_up steps for the scans)."""
    loc = tr.loc(c)
    gt = args[0].type.get_canonical().spelling
    if "thread_block_tile" not in gt:
        raise tr.fail("PORT1002", f"cooperative_groups::{name} over {gt}", c,
                      "reduce over a thread_block_tile<N> (tiled_partition<N>(block))")
    import re

    m = re.search(r"<\s*(\d+)", gt)
    n = int(m.group(1)) if m else 32
    t = tr.type_of(c)
    if not isinstance(t, Scalar):
        raise tr.fail("PORT1002", f"cooperative_groups::{name} of {t}", c,
                      "reduce a scalar value")
    opname = "plus"
    if len(args) > 2:
        sp = args[2].type.get_canonical().spelling
        opname = re.sub(r"<.*", "", sp).split("::")[-1]
    from portable.builtins import convert

    (v,) = tr.operands(args[1:2])
    v = tr.temp(convert(v, t, loc), "red", loc)

    def combine(a: ir.Expr, b: ir.Expr) -> ir.Expr:
        if opname in _REDUCE:
            return ir.Binary(_REDUCE[opname], a, b, t, loc=loc)
        if opname in ("less", "greater"):
            fn = "min" if opname == "less" else "max"
            return ir.Call("f" + fn if t.is_float else fn, (a, b), t, loc=loc)
        raise tr.fail("PORT1002", f"cooperative_groups::{name} with operator {opname!r}", c,
                      "use cg::plus, cg::less, cg::greater, cg::bit_and/or/xor")

    full = ir.const(FULL_MASK, U32, loc)
    width = ir.const(n, I32, loc)
    orig = v
    o = n // 2 if name == "reduce" else 1
    while (name == "reduce" and o >= 1) or (name != "reduce" and o < n):
        if name == "reduce":
            other = ir.Shuffle(Op.SHFL_XOR, full, v, ir.const(o, I32, loc), width, t, loc=loc)
            v = tr.temp(combine(v, other), "red", loc)
            o //= 2
        else:
            other = tr.temp(ir.Shuffle(Op.SHFL_UP, full, v, ir.const(o, I32, loc), width, t,
                                       loc=loc), "up", loc)
            rank = ir.Binary(Op.MOD, _thread_rank(loc), ir.const(n, U32, loc), U32, loc=loc)
            keep = ir.Compare(Op.GE, rank, ir.const(o, U32, loc), BOOL, loc=loc)
            v = tr.temp(ir.Select(keep, combine(v, other), v, t, loc=loc), "scan", loc)
            o *= 2
    if name == "exclusive_scan":
        if opname != "plus":
            raise tr.fail("PORT1002", "exclusive_scan with an operator other than plus", c,
                          "use inclusive_scan and shift the result")
        return ir.Binary(Op.SUB, v, orig, t, loc=loc)
    return v
