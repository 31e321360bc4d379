"""The sanitizer: the numpy reference with every memory access, barrier and warp mask checked.

`k.launch(grid, block, *args, backend="numpy", sanitize=True)` runs the kernel through
`SanitizingProgram`, which subclasses the reference's program, batch and memory and changes
nothing of what a correct kernel computes. Instead of stopping at the first bad access it keeps
going (the offending lanes skip that access; a skipped load reads 0) and collects *findings*, one
per (kind, source line, other line):

| code     | kind            | what                                                              |
| -------- | --------------- | ----------------------------------------------------------------- |
| PORT8001 | race            | two threads of a block touch the same shared byte between two      |
|          |                 | barriers, one of them writing (atomic-atomic pairs excepted)       |
| PORT8002 | global-race     | the same for global memory: threads of one block with no barrier   |
|          |                 | between them, or of two blocks (no __threadfence in the first)     |
| PORT8003 | uninitialised   | a read of shared memory no thread of the block has written         |
| PORT8004 | out-of-bounds   | a global, shared or local access outside its array, or through a   |
|          |                 | null or invalid pointer                                            |
| PORT8005 | barrier         | __syncthreads (or a block vote) reached by only some of the         |
|          |                 | running threads of a block                                         |
| PORT8006 | warp-mask       | a lane runs a *_sync warp operation whose mask lacks its own bit   |
| PORT8007 | warp-mask       | the mask names a lane that exists, has not exited, and does not    |
|          |                 | run the operation                                                  |

Happens-before is tracked per byte (last writer; the reader, or "several", since the last write)
with a barrier epoch per block and a sync count per warp: `__syncthreads` orders everything in the
block, `__syncwarp` orders the lanes of one warp, and an access is always ordered with the same
thread's own accesses. Two blocks are never ordered, except that a write followed by a
`__threadfence()` in its block counts as published (the "last block" reduction pattern).
Lock-step execution does not hide races: the model is CUDA's, not the interpreter's.

Findings are `Finding`s; `launch` raises `PortError` with one PORT8xxx diagnostic per finding (and
leaves the arrays untouched), `SanitizingProgram.run(spec)` returns them (arrays updated).
With `sanitize="writers"` nothing is checked; the program only records which (block, thread)
last wrote each byte of global memory (for `portable.testing.compare`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from portable import ir
from portable.analysis.effects import written
from portable.errors import Diagnostic, Loc, PortError
from portable.launch import LaunchSpec
from portable.semantics import WARP_SIZE

from .reference import _STMT, _Batch, _Program
from .reference_memory import NULL, Buffer, Memory, Ptr, _align, at, dims_violated

KIND = {"PORT8001": "race", "PORT8002": "global-race", "PORT8003": "uninitialised",
        "PORT8004": "out-of-bounds", "PORT8005": "barrier", "PORT8006": "warp-mask",
        "PORT8007": "warp-mask"}
HINTS = {
    "PORT8001": "put a __syncthreads() between the two accesses (or __syncwarp() within a warp)",
    "PORT8002": "make each element owned by one thread, use atomics, or split the kernel in two "
                "launches",
    "PORT8003": "write the shared array (every element read) before the barrier that precedes "
                "the read",
    "PORT8004": "guard the access (e.g. `if (i < n)`) or size the array for every thread",
    "PORT8005": "make the barrier unconditional, or its condition the same for every thread of "
                "the block",
    "PORT8006": "include the calling lane in the mask, e.g. __activemask() or a mask built from "
                "the branch's condition with __ballot_sync",
    "PORT8007": "pass the mask of the lanes that really take part (__ballot_sync(FULL, cond) "
                "before the branch), or move the operation out of the divergent branch",
}


@dataclass
class Finding:
    """One sanitizer report: where, who, what; `count` accesses (lanes) had the same cause."""

    code: str
    kernel: str
    loc: Loc
    message: str
    block: tuple[int, int, int]
    threads: tuple[tuple[int, int, int], ...]
    where: str  # the array element, pointer or mask involved
    other_loc: Loc | None = None  # the conflicting access (races)
    count: int = 1

    @property
    def kind(self) -> str:
        return KIND[self.code]

    def diagnostic(self) -> Diagnostic:
        more = f" ({self.count} occurrences)" if self.count > 1 else ""
        return Diagnostic(self.code, self.message + more, self.loc, HINTS[self.code])

    def __str__(self) -> str:
        return str(self.diagnostic())


class _Shadow:
    """Per-byte access history of one buffer (all its instances).

    w_*: the last write (thread id = linear block * T + tid, or -1), the block's barrier epoch and
    the warp's sync count then, the fence count of its block, whether it was atomic, its loc.
    r_*: the reads since: a thread id or -2 for several, a warp id or -2, a block id or -2, the
    latest epoch and warp count, a loc. `init`: written at least once (shared memory)."""

    def __init__(self, nbytes: int) -> None:
        self.init = np.zeros(nbytes, bool)
        self.w_thr = np.full(nbytes, -1, np.int64)
        self.w_epoch = np.zeros(nbytes, np.int64)
        self.w_wep = np.zeros(nbytes, np.int64)
        self.w_fence = np.zeros(nbytes, np.int64)
        self.w_atomic = np.zeros(nbytes, bool)
        self.w_loc = np.zeros(nbytes, np.int32)
        self.r_thr = np.full(nbytes, -1, np.int64)
        self.r_warp = np.full(nbytes, -1, np.int64)
        self.r_blk = np.full(nbytes, -1, np.int64)
        self.r_epoch = np.zeros(nbytes, np.int64)
        self.r_wep = np.zeros(nbytes, np.int64)
        self.r_loc = np.zeros(nbytes, np.int32)


class SanitizingProgram(_Program):
    """The reference program with the checks; `run(spec)` returns the findings."""

    def __init__(self, fn: ir.Function, options: dict) -> None:
        super().__init__(fn, options)
        self.writers_only = options.get("sanitize") == "writers"
        self.written_params = written(fn)
        self.raise_findings = True
        self.batch_class = _SanBatch
        # the shadow state costs ~100 bytes per byte of shared memory: smaller batches
        self.max_lanes = int(options.get("max_lanes", 1 << 14))

    def run(self, spec: LaunchSpec) -> list[Finding]:
        """Launch under the sanitizer; the findings, first seen first (never raises them)."""
        self.raise_findings = False
        try:
            self.launch(spec)
        finally:
            self.raise_findings = True
        return list(self.findings.values())

    def launch(self, spec: LaunchSpec) -> None:
        T, nb = spec.nthreads, spec.nblocks
        self.wpb = -(-T // WARP_SIZE)
        self.block_epoch = np.zeros(nb, np.int64)
        self.fence_count = np.zeros(nb, np.int64)
        self.warp_count = np.zeros(nb * self.wpb, np.int64)
        self.shadows: dict[int, _Shadow] = {}  # global buffers by id, for the whole launch
        self.tracked: set[int] | None = None  # global buffer ids that need tracking
        self.findings: dict[tuple, Finding] = {}
        self.locs: list[Loc] = [Loc()]
        self.loc_ids: dict[Loc, int] = {}
        self.ptrs: dict[str, Ptr] = {}
        self.owned: list[Buffer] = []
        self.spec = spec
        super().launch(spec)

    def commit(self, owned: list[Buffer]) -> None:
        if self.findings and self.raise_findings:
            raise PortError([f.diagnostic() for f in self.findings.values()])
        super().commit(owned)

    def loc_id(self, loc: Loc) -> int:
        if loc not in self.loc_ids:
            self.loc_ids[loc] = len(self.locs)
            self.locs.append(loc)
        return self.loc_ids[loc]

    def report(self, code: str, loc: Loc, message: str, block, threads, where: str,
               other: Loc | None = None, count: int = 1) -> None:
        key = (code, loc, other)
        if key in self.findings:
            self.findings[key].count += count
            return
        self.findings[key] = Finding(code, self.fn.name, loc, message, block, tuple(threads),
                                     where, other, count)

    def writer_at(self, address: int, itemsize: int):
        """((block), (thread)) coordinates of the thread that last wrote (any byte of) the
        `itemsize` bytes at host `address` of an array passed to the last launch, or None."""
        for p, a in zip(self.fn.params, self.spec.args, strict=True):
            ptr = self.ptrs.get(p.name)
            if ptr is None or not isinstance(a, np.ndarray) or int(ptr.bid) not in self.shadows:
                continue
            start = address - a.ctypes.data
            if 0 <= start and start + itemsize <= a.nbytes:
                w = self.shadows[int(ptr.bid)].w_thr[int(ptr.off) + start:][:itemsize]
                w = w[w >= 0]
                if not w.size:
                    return None
                g, (gd, bd), T = int(w[-1]), (self.spec.grid, self.spec.block), \
                    self.spec.nthreads
                bl, tid = g // T, g % T
                return ((bl % gd[0], bl // gd[0] % gd[1], bl // (gd[0] * gd[1])),
                        (tid % bd[0], tid // bd[0] % bd[1], tid // (bd[0] * bd[1])))
        return None


class _SanMemory(Memory):
    """Memory whose accesses are checked: bad lanes are reported and skipped."""

    batch: _SanBatch

    def check_dims(self, name, shape, idx, m, node, what, space) -> None:
        if self.batch.prog.writers_only:
            return super().check_dims(name, shape, idx, m, node, what, space)
        if what == "address":  # &a[i] is not an access; what is done with it is checked later
            return
        lanes = np.flatnonzero(m)
        bad, vals = dims_violated(shape, idx, lanes)
        if bad.any():
            k = int(np.argmax(bad))
            where = name + "".join(f"[{int(v[k])}]" for v in vals)
            dims = "".join(f"[{n}]" for n in shape)
            self.batch.oob(node, what, int(lanes[k]), f"{where} ({space} array {name}{dims})",
                           int(bad.sum()))
            self.suppress = (node, lanes[bad])

    def _positions(self, ptr, lanes, dtype, node, what):
        prog = self.batch.prog
        if prog.writers_only:
            out = super()._positions(ptr, lanes, dtype, node, what)
            if what != "load":
                for buf, lb, pos in out:
                    self.batch.record_writer(buf, lb, pos, dtype.itemsize)
            return out
        supp = getattr(self, "suppress", None)
        if supp is not None:
            self.suppress = None
            if supp[0] is node:
                lanes = lanes[~np.isin(lanes, supp[1])]
        off = at(ptr.off, lanes).astype(np.int64)
        if np.ndim(ptr.bid) == 0:
            groups = [(int(ptr.bid), lanes, off)]
        else:
            bid = np.asarray(ptr.bid)[lanes]
            groups = [(int(b), lanes[bid == b], off[bid == b]) for b in np.unique(bid)]
        out = []
        size = dtype.itemsize
        for b, lb, ob in groups:
            if not lb.size:
                continue
            if not 0 <= b < len(self.buffers):
                why = "through a null pointer" if b == NULL else "through an invalid pointer"
                self.batch.oob(node, what, int(lb[0]), why, lb.size, null=True)
                continue
            buf = self.buffers[b]
            bad = (ob < 0) | (ob + size > buf.nbytes) | (ob % _align(dtype) != 0)
            if bad.any():
                k = int(np.argmax(bad))
                o = int(ob[k])
                idx = f"byte offset {o} (not aligned)" if o % _align(dtype) else \
                    f"index {o // size}"
                extent = f"shape {list(buf.shape)}" if buf.shape is not None else \
                    f"{buf.nbytes // size} elements"
                self.batch.oob(node, what, int(lb[k]), f"{buf.name!r} at {idx} ({buf.space} "
                               f"array of {extent})", int(bad.sum()))
                lb, ob = lb[~bad], ob[~bad]
                if not lb.size:
                    continue
            if buf.space == "global":
                pos = ob
            elif buf.space == "shared":
                pos = self.block_of_lane[lb] * buf.stride + ob
            else:
                pos = lb.astype(np.int64) * buf.stride + ob
            if buf.space != "local":
                self.batch.access(b, buf, lb, pos, size, what, node)
            out.append((buf, lb, pos))
        return out

    def load(self, ptr: Ptr, dtype: np.dtype, m: np.ndarray, node: ir.Node) -> np.ndarray:
        out = np.zeros(self.nlanes, dtype)
        lanes = np.flatnonzero(m)
        if lanes.size:
            for buf, lb, pos in self._positions(ptr, lanes, dtype, node, "load"):
                out[lb] = buf.gather(pos, dtype)
        return out


class _SanBatch(_Batch):
    """A batch whose barriers, warp operations and accesses feed the sanitizer."""

    memory_class = _SanMemory
    prog: SanitizingProgram

    def __init__(self, prog: SanitizingProgram, spec, first, n, owned, ptrs, globals_,
                 prints) -> None:
        super().__init__(prog, spec, first, n, owned, ptrs, globals_, prints)
        self.mem.batch = self
        self.n_owned = len(owned)
        prog.ptrs, prog.owned = ptrs, owned
        if prog.tracked is None:  # global buffers some thread may write: arguments and globals
            ids = {int(p.bid) for name, p in ptrs.items() if name in prog.written_params}
            prog.tracked = ids | set(globals_.values())
        self.local_shadows: dict[int, _Shadow] = {}
        T, L = self.lanes.T, self.lanes
        self.gblock = first + L.blk  # linear block id of each lane
        self.gthr = self.gblock * T + L.tid
        self.gwarp = self.gblock * prog.wpb + L.tid // WARP_SIZE

    # ---------------------------------------------------------------- reports

    def coords(self, g: int) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
        """(block, thread) coordinates of linear thread id `g`."""
        gd, bd, T = self.spec.grid, self.spec.block, self.lanes.T
        bl, tid = g // T, g % T
        return ((bl % gd[0], bl // gd[0] % gd[1], bl // (gd[0] * gd[1])),
                (tid % bd[0], tid // bd[0] % bd[1], tid // (bd[0] * bd[1])))

    def oob(self, node: ir.Node, what: str, lane: int, where: str, count: int,
            null: bool = False) -> None:
        blk, thr = self.coords(int(self.gthr[lane]))
        msg = (f"kernel {self.fn.name!r}: {what} {where} by block {blk} thread {thr}" if null
               else f"kernel {self.fn.name!r}: out-of-bounds {what} of {where} by block {blk} "
               f"thread {thr}")
        self.prog.report("PORT8004", node.loc, msg, blk, [thr], where, count=count)

    def element(self, buf: Buffer, pos: int, size: int) -> str:
        """`name[i]` (or name[i][j]) for byte position `pos` of `buf`."""
        off = pos % buf.stride if buf.space != "global" else pos
        isz = buf.elem.itemsize if buf.elem is not None else size
        i = off // isz
        if buf.shape is not None and len(buf.shape) > 1 and i < int(np.prod(buf.shape)):
            return buf.name + "".join(f"[{int(k)}]" for k in np.unravel_index(i, buf.shape))
        return f"{buf.name}[{i}]"

    # ---------------------------------------------------------------- accesses

    def shadow(self, bid: int, buf: Buffer) -> _Shadow | None:
        if buf.space == "global":
            if bid >= self.n_owned or bid not in self.prog.tracked:
                return None
            if bid not in self.prog.shadows:
                self.prog.shadows[bid] = _Shadow(buf.data.size)
            return self.prog.shadows[bid]
        if bid not in self.local_shadows:
            self.local_shadows[bid] = _Shadow(buf.data.size)
        return self.local_shadows[bid]

    def record_writer(self, buf: Buffer, lb: np.ndarray, pos: np.ndarray, size: int) -> None:
        if buf.space != "global":
            return
        bid = self.mem.buffers.index(buf)
        if bid >= self.n_owned:
            return
        sh = self.prog.shadows.get(bid) or self.prog.shadows.setdefault(
            bid, _Shadow(buf.data.size))
        P = (pos[:, None] + np.arange(size)).reshape(-1)
        sh.w_thr[P] = np.repeat(self.gthr[lb], size)

    def access(self, bid: int, buf: Buffer, lb: np.ndarray, pos: np.ndarray, size: int,
               what: str, node: ir.Node) -> None:
        """Check and record one access (load, store or atomic) by lanes `lb` at byte `pos`."""
        sh = self.shadow(bid, buf)
        if sh is None:
            return
        prog = self.prog
        P = (pos[:, None] + np.arange(size)).reshape(-1)
        lane = np.repeat(lb, size)
        g, blk, warp = self.gthr[lane], self.gblock[lane], self.gwarp[lane]
        E, C = prog.block_epoch[blk], prog.warp_count[warp]
        T = self.lanes.T
        shared = buf.space == "shared"
        code = "PORT8001" if shared else "PORT8002"
        here = prog.loc_id(node.loc)
        if shared and what != "store":  # loads and atomics read the old value
            bad = ~sh.init[P]
            if bad.any():
                k = int(np.argmax(bad))
                b, t = self.coords(int(g[k]))
                where = self.element(buf, int(P[k]), size)
                self.prog.report("PORT8003", node.loc, f"kernel {self.fn.name!r}: {what} of "
                                 f"uninitialised shared memory {where} by block {b} thread {t}; "
                                 "no thread of the block has written it", b, [t], where,
                                 count=int(np.unique(lane[bad]).size))
        # the last write against this access (atomic-atomic pairs excepted)
        w = sh.w_thr[P]
        wblk = w // T
        ordered = (w < 0) | (w == g) | ((wblk == blk) & (sh.w_epoch[P] < E)) \
            | ((wblk == blk) & (w // T * prog.wpb + w % T // WARP_SIZE == warp)
               & (sh.w_wep[P] < C))
        if not shared:  # a fence after the write in its block publishes it to other blocks
            ordered |= (wblk != blk) & (prog.fence_count[np.maximum(wblk, 0)] > sh.w_fence[P])
        if what == "atomic":
            ordered |= sh.w_atomic[P]
        self._race(~ordered, code, node, buf, P, g, w, sh.w_loc[P], what,
                   np.where(sh.w_atomic[P], "atomically update", "write"), size, lane)
        if what != "load":  # the reads since the last write against this write
            r = sh.r_thr[P]
            rb, rw = sh.r_blk[P], sh.r_warp[P]
            ordered = (r == -1) | (r == g) | ((rb == blk) & (sh.r_epoch[P] < E)) \
                | ((rb == blk) & (rw == warp) & (sh.r_wep[P] < C))
            self._race(~ordered, code, node, buf, P, g, r, sh.r_loc[P], what, "read", size,
                       lane)
            if what == "store":  # two lanes of this very store on one byte
                order = np.argsort(P, kind="stable")
                Ps, gs = P[order], g[order]
                dup = np.r_[False, (Ps[1:] == Ps[:-1]) & (gs[1:] != gs[:-1])]
                if dup.any():
                    k = int(np.argmax(dup))
                    ko = order[k]
                    self._race(np.eye(1, P.size, ko, dtype=bool)[0], code, node, buf, P, g,
                               np.full(P.size, gs[k - 1]), np.full(P.size, here), what, "write",
                               size, lane)
            # C semantics of the store: the last lane wins; so does its record
            sh.w_thr[P] = g
            sh.w_epoch[P] = E
            sh.w_wep[P] = C
            sh.w_fence[P] = prog.fence_count[blk]
            sh.w_atomic[P] = what == "atomic"
            sh.w_loc[P] = here
            sh.init[P] = True
            return
        # record the reads: per byte, one reader or "several"
        u, first, inv = np.unique(P, return_index=True, return_inverse=True)
        gmin = np.full(u.size, np.iinfo(np.int64).max)
        gmax = np.full(u.size, -1)
        np.minimum.at(gmin, inv, g)
        np.maximum.at(gmax, inv, g)
        wmin = np.full(u.size, np.iinfo(np.int64).max)
        wmax = np.full(u.size, -1)
        np.minimum.at(wmin, inv, warp)
        np.maximum.at(wmax, inv, warp)
        nthr = np.where(gmin == gmax, gmin, -2)
        nwarp = np.where(wmin == wmax, wmin, -2)
        nblk = np.where(gmin // T == gmax // T, gmin // T, -2)
        ub, uE, uC = blk[first], E[first], C[first]
        r, rb, rw = sh.r_thr[u], sh.r_blk[u], sh.r_warp[u]
        stale = (r == -1) | ((rb == ub) & (sh.r_epoch[u] < uE))
        sh.r_thr[u] = np.where(stale | (r == nthr), nthr, -2)
        sh.r_warp[u] = np.where(stale | (rw == nwarp), nwarp, -2)
        sh.r_blk[u] = np.where(stale | (rb == nblk), nblk, -2)
        sh.r_epoch[u] = np.where(stale, uE, np.maximum(sh.r_epoch[u], uE))
        sh.r_wep[u] = np.where(stale, uC, np.maximum(sh.r_wep[u], uC))
        sh.r_loc[u] = here

    def _race(self, bad: np.ndarray, code: str, node: ir.Node, buf: Buffer, P: np.ndarray,
              g: np.ndarray, other: np.ndarray, other_loc: np.ndarray, what: str,
              other_what, size: int, lane: np.ndarray) -> None:
        if not bad.any():
            return
        k = int(np.argmax(bad))
        b, t = self.coords(int(g[k]))
        o = int(other[k])
        where = self.element(buf, int(P[k]), size)
        oloc = self.prog.locs[int(other_loc[k])]
        if o >= 0:
            ob, ot = self.coords(o)
            who = f"thread {ot}" + (f" of block {ob}" if ob != b else "")
            threads = [t, ot]
        else:
            who, threads = "several threads", [t]
        other_what = other_what if isinstance(other_what, str) else str(other_what[k])
        verb = {"load": "reads", "store": "writes", "atomic": "atomically updates"}[what]
        scope = "in the same barrier interval" if code == "PORT8001" or o < 0 or \
            o // self.lanes.T == int(g[k]) // self.lanes.T else "with no ordering between blocks"
        msg = (f"kernel {self.fn.name!r}: data race on {buf.space} {where}: block {b} thread {t} "
               f"{verb} it at line {node.loc.line} while {who} {other_what}s it at line "
               f"{oloc.line}, {scope}")
        self.prog.report(code, node.loc, msg, b, threads, where, oloc,
                         count=int(np.unique(lane[bad]).size))

    # ---------------------------------------------------------------- barriers and warps

    def check_barrier(self, m: np.ndarray, node: ir.Node, what: str) -> None:
        if self.prog.writers_only:
            return super().check_barrier(m, node, what)
        T = self.lanes.T
        reached = m.reshape(-1, T)
        running = (~self.ret).reshape(-1, T)
        missing = running & ~reached
        bad = reached.any(1) & missing.any(1)
        for b in np.flatnonzero(bad)[:1]:
            lane = int(b) * T + int(np.argmax(missing[b]))
            blk, thr = self.coords(int(self.gthr[lane]))
            firsts = int(b) * T + int(np.argmax(reached[b]))
            self.prog.report(
                "PORT8005", node.loc, f"kernel {self.fn.name!r}: {what} reached by "
                f"{int(reached[b].sum())} of the {int(running[b].sum())} running threads of "
                f"block {blk}; thread {thr} did not reach it (thread "
                f"{self.coords(int(self.gthr[firsts]))[1]} did)", blk, [thr], what,
                count=int(bad.sum()))
        hit = np.flatnonzero(reached.any(1)) + self.first
        self.prog.block_epoch[hit] += 1
        wpb = self.prog.wpb
        self.prog.warp_count[(hit[:, None] * wpb + np.arange(wpb)).reshape(-1)] += 1

    def s_barrier(self, s: ir.Barrier, m: np.ndarray) -> None:
        if self.prog.writers_only:
            return _Batch.s_barrier(self, s, m)
        if s.op is ir.Op.BARRIER_BLOCK:
            return self.check_barrier(m, s, "__syncthreads()")
        if s.op is ir.Op.BARRIER_WARP:
            mask = self.ev(s.mask, m) if s.mask is not None else None
            if mask is not None:
                self.check_mask(mask, m, s, "__syncwarp")
            self.prog.warp_count[np.unique(self.gwarp[m])] += 1
        elif s.op in (ir.Op.FENCE_DEVICE, ir.Op.FENCE_SYSTEM):
            self.prog.fence_count[np.unique(self.gblock[m])] += 1

    def ev(self, e: ir.Expr, m: np.ndarray):
        if not self.prog.writers_only:
            if isinstance(e, ir.Shuffle):
                mask = self.ev(e.mask, m)
                self.check_mask(mask, m, e, f"__{e.op.value}_sync")
                value, lane, width = self.ev(e.value, m), self.ev(e.lane, m), self.ev(e.width, m)
                from .reference_warp import shuffle

                return shuffle(e.op, self.lanes, value, lane, width)
            if isinstance(e, ir.Vote) and e.op in ir.WARP_VOTE and e.mask is not None:
                from .reference_warp import vote

                mask = self.ev(e.mask, m)
                self.check_mask(mask, m, e, f"__{e.op.value.replace('vote_', '')}_sync")
                pred = self.ev(e.pred, m) if e.pred is not None else None
                return np.asarray(vote(e.op, self.lanes, m, mask, pred)).astype(e.type.dtype)
        return super().ev(e, m)

    def check_mask(self, mask, m: np.ndarray, node: ir.Node, what: str) -> None:
        """Every lane running a *_sync warp operation is in its mask, and every existing,
        not exited lane its warp's masks name runs it."""
        L = self.lanes
        bits = np.broadcast_to(np.asarray(mask).astype(np.uint64), (L.n,))
        lane_bit = np.left_shift(np.uint64(1), L.laneid.astype(np.uint64))
        own = (bits & lane_bit) != 0
        bad = m & ~own
        if bad.any():
            k = int(np.argmax(bad))
            b, t = self.coords(int(self.gthr[k]))
            self.prog.report("PORT8006", node.loc, f"kernel {self.fn.name!r}: {what} with mask "
                             f"{int(bits[k]):#010x} run by block {b} thread {t} (lane "
                             f"{int(L.laneid[k])}), which is not in the mask", b, [t],
                             f"{int(bits[k]):#010x}", count=int(bad.sum()))
        named = np.zeros(L.nblocks * L.warps_per_block, np.uint64)
        np.bitwise_or.at(named, L.warp[m], bits[m])
        absent = ((named[L.warp] & lane_bit) != 0) & ~m & ~self.ret
        if absent.any():
            k = int(np.argmax(absent))
            b, t = self.coords(int(self.gthr[k]))
            w = L.warp[k]
            caller = int(np.flatnonzero(m & (L.warp == w))[0])
            ct = self.coords(int(self.gthr[caller]))[1]
            self.prog.report("PORT8007", node.loc, f"kernel {self.fn.name!r}: {what} with mask "
                             f"{int(named[w]):#010x} in block {b}: the mask names lane "
                             f"{int(L.laneid[k])} (thread {t}), which does not run it (thread "
                             f"{ct} does); on a GPU the warp waits for it or reads garbage", b,
                             [t, ct], f"{int(named[w]):#010x}", count=int(absent.sum()))


_SanBatch.stmt_table = {**_STMT, ir.Barrier: _SanBatch.s_barrier}
