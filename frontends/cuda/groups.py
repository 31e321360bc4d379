"""Member functions declared by the prelude: cooperative groups (block sync, tiles' shuffles;
grid sync is PORT1010) and dim3's conversion to uint3."""

from __future__ import annotations

from portable import ir
from portable.ir import Op
from portable.semantics import FULL_MASK
from portable.types import I32, U32

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
    if cls == "thread_block":
        if name == "sync":
            tr.emit(ir.Barrier(Op.BARRIER_BLOCK, loc=loc))
            return None
        if name == "thread_rank":
            return _thread_rank(loc)
        if name == "size":
            b = [ir.Special(ir.Sreg.NTID, i, loc=loc) for i in range(3)]
            return ir.Binary(Op.MUL, ir.Binary(Op.MUL, b[0], b[1], U32, loc=loc), b[2], U32,
                             loc=loc)
    if cls == "thread_block_tile":
        n = _tile_size(d)
        if name == "sync":
            tr.emit(ir.Barrier(Op.BARRIER_WARP, ir.const(FULL_MASK, U32, loc), loc=loc))
            return None
        if name == "thread_rank":
            return ir.Binary(Op.MOD, _thread_rank(loc), ir.const(n, U32, loc), U32, loc=loc)
        if name == "size":
            return ir.const(n, U32, loc)
        if name in _TILE_SHFL:
            value, lane = tr.operands(list(c.get_arguments()))
            t = tr.type_of(c)
            return ir.Shuffle(_TILE_SHFL[name], ir.const(FULL_MASK, U32, loc), value,
                              ir.Cast(lane, I32, loc=loc) if lane.type != I32 else lane,
                              ir.const(n, I32, loc), t, loc=loc)
    raise tr.fail("PORT1002", f"{cls}::{name} is not supported", c,
                  "use __syncthreads, __shfl_*_sync and threadIdx arithmetic instead")


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
    if name == "sync":
        args = list(c.get_arguments())
        cls = args[0].type.get_canonical().spelling if args else ""
        if "grid_group" in cls:
            raise tr.fail("PORT1010", "grid-wide synchronisation cannot be ported", c,
                          "split the kernel at the grid sync into kernels launched in sequence")
        tr.emit(ir.Barrier(Op.BARRIER_BLOCK, loc=loc))
        return None
    if name in ("this_thread_block", "tiled_partition"):
        return ir.const(0, I32, loc)  # a group handle carries no data; its methods are mapped
    raise tr.fail("PORT1002", f"cooperative_groups::{name} is not supported", c,
                  "use __syncthreads, __shfl_*_sync and threadIdx arithmetic instead")
