"""Warp and block collectives and printf for the numpy reference.

Lanes are laid out block-major: lane = block_in_batch * T + tid, where tid is the linear thread id
in the block (x fastest) and T the threads per block. A warp is 32 consecutive tids of one block
(`laneid = tid % 32`); the last warp of a block is partial when T is not a multiple of 32, and its
missing lanes neither vote nor can be read by a shuffle.
"""

from __future__ import annotations

import re

import numpy as np

from portable import ir
from portable.semantics import WARP_SIZE


class Lanes:
    """Where each lane sits: its block in the batch, its linear thread id, its warp."""

    def __init__(self, nblocks: int, T: int) -> None:
        self.nblocks, self.T = nblocks, T  # T: threads per block
        self.n = nblocks * T
        lane = np.arange(self.n, dtype=np.int64)
        self.blk, self.tid = lane // T, lane % T
        self.laneid = self.tid % WARP_SIZE
        self.warps_per_block = -(-T // WARP_SIZE)
        self.warp = self.blk * self.warps_per_block + self.tid // WARP_SIZE  # among the batch's


def shuffle(op: ir.Op, lanes: Lanes, value, src, width) -> np.ndarray:
    """__shfl*_sync as PTX `shfl.sync` defines it (clamp value and segment mask from `width`).

    A lane whose source is outside its width-segment reads its own value (CUDA's rule); so does
    a lane whose source does not exist (past the end of a partial warp). A source lane that exists
    but is not active gives its current value (undefined in CUDA; deterministic here).
    """
    n = lanes.n
    value = np.broadcast_to(value, (n,))
    lane = lanes.laneid
    w = np.broadcast_to(np.asarray(width, np.int64), (n,))
    b = np.broadcast_to(np.asarray(src).astype(np.int64), (n,)) & 31
    segmask = (WARP_SIZE - w) & 31
    clamp = 0 if op is ir.Op.SHFL_UP else 31
    max_lane = (lane & segmask) | (clamp & ~segmask)
    min_lane = lane & segmask
    if op is ir.Op.SHFL_UP:
        j = lane - b
        ok = j >= max_lane
    elif op is ir.Op.SHFL_DOWN:
        j = lane + b
        ok = j <= max_lane
    elif op is ir.Op.SHFL_XOR:
        j = lane ^ b
        ok = j <= max_lane
    else:  # SHFL_IDX
        j = min_lane | (b & ~segmask)
        ok = j <= max_lane
    j = np.where(ok, j, lane)
    src_tid = lanes.tid - lane + j
    src_tid = np.where(src_tid < lanes.T, src_tid, lanes.tid)  # missing lane of a partial warp
    return value[lanes.blk * lanes.T + src_tid]


def _per_warp_bits(lanes: Lanes, on: np.ndarray) -> np.ndarray:
    """For every warp, the 32-bit mask of its lanes where `on` holds (bit = laneid)."""
    bits = np.where(on, np.left_shift(np.uint64(1), lanes.laneid.astype(np.uint64)), 0)
    return np.bincount(lanes.warp, weights=bits.astype(np.float64),  # exact: distinct bits < 2**32
                       minlength=lanes.nblocks * lanes.warps_per_block).astype(np.uint64)


def vote(op: ir.Op, lanes: Lanes, active: np.ndarray, mask, pred) -> np.ndarray:
    """Warp votes. Only active lanes named in `mask` vote; every lane gets its warp's result."""
    voters = active
    if mask is not None and op is not ir.Op.ACTIVEMASK:
        m = np.broadcast_to(np.asarray(mask).astype(np.uint64), (lanes.n,))
        voters = active & (((m >> lanes.laneid.astype(np.uint64)) & np.uint64(1)) == 1)
    p = np.broadcast_to(np.asarray(pred, bool), (lanes.n,)) if pred is not None else voters
    if op is ir.Op.ACTIVEMASK:
        r = _per_warp_bits(lanes, active)
    elif op is ir.Op.VOTE_BALLOT:
        r = _per_warp_bits(lanes, voters & p)
    elif op is ir.Op.VOTE_ANY:
        r = _per_warp_bits(lanes, voters & p) != 0
    else:  # VOTE_ALL: no voter says false
        r = _per_warp_bits(lanes, voters & ~p) == 0
    return r[lanes.warp]


def block_vote(op: ir.Op, lanes: Lanes, reached: np.ndarray, pred) -> np.ndarray:
    """__syncthreads_count/and/or over the threads of each block that reached it."""
    p = np.broadcast_to(np.asarray(pred, bool), (lanes.n,)) & reached
    count = np.bincount(lanes.blk, weights=p, minlength=lanes.nblocks).astype(np.int64)
    if op is ir.Op.SYNC_COUNT:
        r = count
    else:
        voters = np.bincount(lanes.blk, weights=reached, minlength=lanes.nblocks)
        r = (count == voters) if op is ir.Op.SYNC_AND else (count > 0)
    return r[lanes.blk]


# ---------------------------------------------------------------- printf

_SPEC = re.compile(r"%([-+ #0]*)(\d+|\*)?(?:\.(\d+|\*))?(hh|h|ll|l|z|j|t|L)?([diouxXeEfFgGaAcsp%])")


def format_c(fmt: str, args: list) -> str:
    """printf's output for one thread: `args` are numpy scalars of their C types."""
    vals = iter(args)
    out = []
    pos = 0
    for mt in _SPEC.finditer(fmt):
        out.append(fmt[pos:mt.start()])
        pos = mt.end()
        flags, width, prec, _, conv = mt.groups()
        if conv == "%":
            out.append("%")
            continue
        if width == "*":
            width = str(int(next(vals)))
        if prec == "*":
            prec = str(int(next(vals)))
        v = next(vals, None)
        if v is None:
            out.append(mt.group(0))
            continue
        spec = "%" + flags + (width or "") + (f".{prec}" if prec is not None else "")
        if conv in "uxXo":  # C semantics: printed as the unsigned value of its width
            bits = np.asarray(v).dtype.itemsize * 8
            v = int(v) & ((1 << bits) - 1)
            conv = "d" if conv == "u" else conv
        elif conv == "p":
            v, conv = int(v), "#x"
        elif conv == "c":
            v = chr(int(v) & 0xFF)
        elif conv in "aA":
            conv = "e"
        elif conv == "s":
            v = str(v)
        out.append((spec + conv) % (v.item() if isinstance(v, np.generic) else v))
    out.append(fmt[pos:])
    return "".join(out)
