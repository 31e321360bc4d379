"""Memory of the numpy reference: byte buffers, pointers as (buffer, byte offset) per lane.

Every memory object -- a pointer argument, a module global, a block's shared array, a lane's local
array -- is one `Buffer` of bytes holding `instances` copies (one for global memory, one per block
of the batch for shared memory, one per lane for local memory). A pointer value is `Ptr(bid, off)`:
the buffer id and the byte offset, each a scalar (uniform) or one value per lane. Byte addressing
makes `reinterpret_cast`, `extern __shared__` views of different types and pointer arithmetic the
plain C model. Every access is bounds- and alignment-checked against the buffer's declared size;
a bad access raises PORT5001 naming kernel, array, index, block and thread of the first offending
lane. Arguments are copied in and written back only by `Memory.commit` after a successful launch.
"""

from __future__ import annotations

import ctypes
import functools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from portable import ir, semantics
from portable.errors import error
from portable.types import Scalar

ALIGN = 16  # instance strides are padded to this, so typed views of a buffer line up
NULL = -1  # buffer id of the null pointer


@dataclass(frozen=True, slots=True)
class Ptr:
    """A pointer value: buffer id and byte offset, each a scalar or an array over lanes."""

    bid: np.ndarray | int
    off: np.ndarray | int


def at(v, lanes: np.ndarray) -> np.ndarray:
    """`v` (a scalar or a per-lane array) restricted to `lanes`."""
    v = np.asarray(v)
    if not v.ndim:
        return np.broadcast_to(v, lanes.shape)
    # `lanes` is sorted and unique, so as many lanes as `v` has means all of them
    return v if lanes.size == v.size else v[lanes]


class Buffer:
    """One memory object: `instances` copies of `nbytes` bytes, `stride` bytes apart."""

    def __init__(self, name: str, space: str, nbytes: int, instances: int = 1,
                 shape: tuple[int, ...] | None = None, elem: np.dtype | None = None) -> None:
        self.name, self.space, self.nbytes = name, space, nbytes
        self.shape, self.elem = shape, elem  # the declared array, for messages
        self.stride = -(-nbytes // ALIGN) * ALIGN
        self.data = np.zeros(max(self.stride * instances, ALIGN), np.uint8)
        self.dirty = False
        self.commit: Callable[[], None] | None = None  # copies the bytes back to their owner

    def gather(self, pos: np.ndarray, dtype: np.dtype) -> np.ndarray:
        """Values of `dtype` at absolute byte positions `pos`."""
        n = dtype.itemsize
        if _whole(dtype, pos):
            return self.data.view(dtype)[pos // n]
        return self.data[pos[:, None] + np.arange(n)].view(dtype).reshape(-1)

    def scatter(self, pos: np.ndarray, vals: np.ndarray, dtype: np.dtype) -> None:
        """Write `vals` at byte positions `pos`; for a repeated position the last lane wins."""
        n = dtype.itemsize
        self.dirty = True
        vals = np.ascontiguousarray(vals, dtype)
        if _whole(dtype, pos):
            self.data.view(dtype)[pos // n] = vals
        else:
            self.data[pos[:, None] + np.arange(n)] = vals.view(np.uint8).reshape(-1, n)


def argument_buffers(names: list[str], arrays: list[np.ndarray]) -> list[tuple[Buffer, int]]:
    """Buffers for the pointer arguments: copies, written back by `commit`.

    Arguments that overlap in memory (the same array passed twice, or views of one array) share
    one buffer, so a kernel sees its own writes through either name, as on a device.
    Returns (buffer, byte offset of the argument in it) per argument.
    """
    spans = sorted(range(len(arrays)), key=lambda i: arrays[i].ctypes.data)
    groups: list[list[int]] = []
    end = -1
    for i in spans:
        start, size = arrays[i].ctypes.data, arrays[i].nbytes
        if groups and size and start < end:
            groups[-1].append(i)
            end = max(end, start + size)
        else:
            groups.append([i])
            end = start + size
    out: list[tuple[Buffer, int] | None] = [None] * len(arrays)
    for g in groups:
        start = min(arrays[i].ctypes.data for i in g)
        stop = max(arrays[i].ctypes.data + arrays[i].nbytes for i in g)
        name = "/".join(names[i] for i in sorted(g))
        first = arrays[g[0]]
        buf = Buffer(name, "global", stop - start, shape=first.shape if len(g) == 1 else None,
                     elem=first.dtype)
        if len(g) == 1:
            raw = first.reshape(-1).view(np.uint8)
        else:  # the union of overlapping arrays, as the bytes they share
            raw = np.ctypeslib.as_array((ctypes.c_uint8 * (stop - start)).from_address(start))
        buf.data[: raw.size] = raw
        buf.commit = lambda raw=raw, buf=buf: raw.__setitem__(slice(None), buf.data[: raw.size])
        for i in g:
            out[i] = (buf, arrays[i].ctypes.data - start)
    return out  # type: ignore[return-value]


def global_buffer(name: str, array: np.ndarray) -> Buffer:
    """A buffer for a module `__device__`/`__constant__` variable, written back by `commit`."""
    buf = Buffer(name, "global", array.nbytes, shape=array.shape, elem=array.dtype)
    raw = array.reshape(-1).view(np.uint8)
    buf.data[: raw.size] = raw
    buf.commit = lambda: raw.__setitem__(slice(None), buf.data[: raw.size])
    return buf


# ufuncs whose `.at` applies the update in index order exactly as `semantics.atomic_update` does
# one update after another (tests check the two agree); used when the old value is not needed.
_UFUNC_AT = {
    ir.Op.ATOMIC_ADD: np.add, ir.Op.ATOMIC_SUB: np.subtract, ir.Op.ATOMIC_MIN: np.minimum,
    ir.Op.ATOMIC_MAX: np.maximum, ir.Op.ATOMIC_AND: np.bitwise_and,
    ir.Op.ATOMIC_OR: np.bitwise_or, ir.Op.ATOMIC_XOR: np.bitwise_xor,
}


class Memory:
    """All buffers of one batch of blocks, and the checked accesses through pointers."""

    def __init__(self, kernel: str, nlanes: int, block_of_lane: np.ndarray,
                 describe: Callable[[int], str]) -> None:
        self.kernel = kernel
        self.nlanes = nlanes
        self.block_of_lane = block_of_lane  # block-in-batch of every lane
        self.describe = describe  # lane -> "block (x, y, z) thread (x, y, z)"
        self.buffers: list[Buffer] = []
        self.serial_atomics = False  # tests: force the one-at-a-time path for every atomic

    def add(self, buf: Buffer) -> int:
        self.buffers.append(buf)
        return len(self.buffers) - 1

    # ---------------------------------------------------------------- addressing

    def _positions(self, ptr: Ptr, lanes: np.ndarray, dtype: np.dtype, node: ir.Node,
                   what: str) -> list[tuple[Buffer, np.ndarray, np.ndarray]]:
        """Per buffer touched: (buffer, its lanes, absolute byte positions); checks bounds."""
        off = at(ptr.off, lanes).astype(np.int64)
        if np.ndim(ptr.bid) == 0:  # the usual case: one buffer for every lane
            groups = [(int(ptr.bid), lanes, off)]
        else:
            bid = ptr.bid[lanes]
            groups = [(int(b), lanes[bid == b], off[bid == b]) for b in np.unique(bid)]
        out = []
        for b, lb, ob in groups:
            if not 0 <= b < len(self.buffers):
                self._fail(node, what, None, int(lb[0]),
                           "through a null pointer" if b == NULL else "through an invalid pointer")
            buf = self.buffers[b]
            size = dtype.itemsize
            bad = (ob < 0) | (ob + size > buf.nbytes) | (ob % _align(dtype) != 0)
            if bad.any():
                k = int(np.argmax(bad))
                self._fail(node, what, buf, int(lb[k]), int(ob[k]), size)
            if buf.space == "global":
                pos = ob
            elif buf.space == "shared":
                pos = self.block_of_lane[lb] * buf.stride + ob
            else:  # local: one instance per lane
                pos = lb.astype(np.int64) * buf.stride + ob
            out.append((buf, lb, pos))
        return out

    def _fail(self, node: ir.Node, what: str, buf: Buffer | None, lane: int,
              off: int | str, size: int = 1) -> None:
        who = self.describe(lane)
        if buf is None:
            raise error("PORT5001", f"kernel {self.kernel!r}: {what} {off} by {who}", node.loc,
                        "check the pointer is set before it is used")
        n = buf.nbytes // size if size else 0
        if isinstance(off, int) and off % size:
            idx = f"byte offset {off} (not aligned to {size} bytes)"
        else:
            idx = f"index {off // size}" if isinstance(off, int) else str(off)
        extent = f"shape {list(buf.shape)}" if buf.shape is not None else f"{n} elements"
        raise error("PORT5001", f"kernel {self.kernel!r}: out-of-bounds {what} of {buf.name!r} "
                    f"at {idx} ({buf.space} array of {extent}) by {who}", node.loc,
                    "guard the access (e.g. `if (i < n)`) or launch fewer threads")

    def check_dims(self, name: str, shape: tuple[int, ...], idx: list, m: np.ndarray,
                   node: ir.Node, what: str, space: str) -> None:
        """Per-dimension bounds of a declared array access name[i][j]...; first bad lane."""
        lanes = np.flatnonzero(m)
        bad, vals = dims_violated(shape, idx, lanes)
        if bad.any():
            k = int(np.argmax(bad))
            where = "".join(f"[{int(v[k])}]" for v in vals)
            dims = "".join(f"[{n}]" for n in shape)
            raise error("PORT5001", f"kernel {self.kernel!r}: out-of-bounds {what} of "
                        f"{name!r} at {name}{where} ({space} array {name}{dims}) by "
                        f"{self.describe(int(lanes[k]))}", node.loc,
                        "guard the access or enlarge the array")

    # ---------------------------------------------------------------- accesses

    def load(self, ptr: Ptr, dtype: np.dtype, m: np.ndarray, node: ir.Node) -> np.ndarray:
        """The value at `ptr` for the lanes in `m`; zeros in the others (never read)."""
        lanes = np.flatnonzero(m)
        groups = self._positions(ptr, lanes, dtype, node, "load") if lanes.size else []
        if len(groups) == 1 and lanes.size == self.nlanes:  # every lane, one buffer
            return groups[0][0].gather(groups[0][2], dtype)
        out = np.zeros(self.nlanes, dtype)
        for buf, lb, pos in groups:
            out[lb] = buf.gather(pos, dtype)
        return out

    def store(self, ptr: Ptr, value, dtype: np.dtype, m: np.ndarray, node: ir.Node) -> None:
        lanes = np.flatnonzero(m)
        if lanes.size:
            for buf, lb, pos in self._positions(ptr, lanes, dtype, node, "store"):
                buf.scatter(pos, at(value, lb), dtype)

    def atomic(self, op: ir.Op, ptr: Ptr, value, cmp, t: Scalar, m: np.ndarray,
               node: ir.Node, want_old: bool) -> np.ndarray | None:
        """An atomic read-modify-write by every lane in `m`, as if one lane after another in
        lane order (block-in-batch, then thread); returns each lane's old value if wanted."""
        dtype = t.dtype
        old = np.zeros(self.nlanes, dtype) if want_old else None
        lanes = np.flatnonzero(m)
        if not lanes.size:
            return old
        for buf, lb, pos in self._positions(ptr, lanes, dtype, node, "atomic"):
            buf.dirty = True
            view = buf.data.view(dtype)
            idx = pos // dtype.itemsize  # atomics are naturally aligned: checked above
            val = np.asarray(at(value, lb), dtype)
            c = None if cmp is None else np.asarray(at(cmp, lb), dtype)
            if not want_old and op in _UFUNC_AT and not self.serial_atomics:
                with np.errstate(all="ignore"):  # C semantics: integer atomics wrap
                    _UFUNC_AT[op].at(view, idx, val)
                continue
            o = _serial(op, view, idx, val, c, t, prefix=not self.serial_atomics)
            if old is not None:
                old[lb] = o
        return old


def _whole(dtype: np.dtype, pos: np.ndarray) -> bool:
    """Whether every position is a whole element of a typed view of the data (else bytes)."""
    n = dtype.itemsize
    if _align(dtype) == n:  # positions were checked to be multiples of the alignment
        return True
    return n in (2, 4, 8, 16) and not np.any(pos % n)  # e.g. a float4 at a 16-byte boundary


@functools.cache
def _align(dtype: np.dtype) -> int:
    """Natural alignment of a (possibly structured) element: 1, 2, 4, 8 or 16, which divides
    every instance stride (ALIGN), so an aligned position is a whole element of a typed view."""
    if dtype.fields:
        return max(_align(f[0]) for f in dtype.fields.values())
    return dtype.itemsize if dtype.itemsize in (1, 2, 4, 8, 16) else dtype.alignment


def _serial(op: ir.Op, view: np.ndarray, idx: np.ndarray, val: np.ndarray, cmp, t: Scalar,
            prefix: bool = True):
    """Apply the updates one lane after another; returns the old value each lane saw.

    Lanes hitting distinct addresses are independent, so round r applies, at once, the r-th
    update of every address (the rank of a lane among the lanes sharing its address).
    """
    order = np.argsort(idx, kind="stable")
    s = idx[order]
    first = np.r_[True, s[1:] != s[:-1]]
    starts = np.flatnonzero(first)
    rank = np.empty(idx.size, np.int64)
    rank[order] = np.arange(idx.size) - np.repeat(starts, np.diff(np.r_[starts, idx.size]))
    old = np.empty(idx.size, view.dtype)
    if prefix and op in (ir.Op.ATOMIC_ADD, ir.Op.ATOMIC_SUB) and t.is_int:
        # Integer add is associative modulo 2**bits, so the serial result is a prefix sum per
        # address (cumsum wraps like C): the common `slot = atomicAdd(&count, 1)` stays fast.
        binop = ir.Op.ADD if op is ir.Op.ATOMIC_ADD else ir.Op.SUB
        with np.errstate(all="ignore"):
            v = val[order]
            excl = np.cumsum(v, dtype=view.dtype) - v  # before each lane, from the first lane
            sizes = np.diff(np.r_[starts, idx.size])
            before = excl - np.repeat(excl[starts], sizes)  # ... from its address's first lane
            init = view[s]
            old[order] = semantics.binary(binop, init, before, t)
            total = np.add.reduceat(v, starts, dtype=view.dtype)
            view[s[starts]] = semantics.binary(binop, init[starts], total, t)
        return old
    for r in range(int(rank.max()) + 1):
        sel = np.flatnonzero(rank == r)
        o = view[idx[sel]]
        old[sel] = o
        view[idx[sel]] = semantics.atomic_update(op, o, val[sel], t,
                                                 None if cmp is None else cmp[sel])
    return old


def dims_violated(shape: tuple[int, ...], idx: list, lanes: np.ndarray) -> tuple[np.ndarray, list]:
    """For each of `lanes`: whether any index of name[i][j]... is outside its dimension; and the
    index values per dimension."""
    vals = [at(i, lanes).astype(np.int64) for i in idx]
    bad = np.zeros(lanes.size, bool)
    for v, n in zip(vals, shape, strict=True):
        bad |= (v < 0) | (v >= n)
    return bad, vals
