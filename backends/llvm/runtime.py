"""Compiling specialisations (with the memory + disk cache) and running them on all cores."""

from __future__ import annotations

import ctypes
import json
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from portable import cache, config, ir, printer
from portable.errors import error
from portable.launch import LaunchSpec

from . import jit
from .canon import split_versions, while_to_for
from .codegen import ERR_FIELDS, Codegen
from .plan import legalize, plan


def _code_version() -> str:
    """A digest of this backend's sources: any change to the code generator misses the cache."""
    here = os.path.dirname(os.path.abspath(__file__))
    parts = []
    for name in sorted(os.listdir(here)):
        if name.endswith(".py"):
            with open(os.path.join(here, name), "rb") as f:
                parts.append(f.read())
    return cache.key(*parts)


CODE_VERSION = _code_version()
DISK = cache.Cache("llvm")
_MEM: dict[str, Compiled] = {}
_MEM_LOCK = threading.Lock()
_CFUNC = ctypes.CFUNCTYPE(None, *([ctypes.c_void_p] * 5), *([ctypes.c_int64] * 8))
STATS = {"compiles": 0, "disk_hits": 0, "memory_hits": 0, "compile_s": 0.0}


@dataclass
class Compiled:
    """A loaded native specialisation and what the launcher needs to call it."""

    name: str
    func: object
    engine: object
    fixed_scratch: int
    slot_names: list
    arrays: list
    sites: list


def build(fn: ir.Function, block, checks: bool, contract: bool, narrow: bool = True):
    """LLVM module (unoptimised) and metadata for one specialisation."""
    lfn = legalize(while_to_for(split_versions(fn)))
    p = plan(lfn)
    cg = Codegen(lfn, p, block, checks, contract, jit.state()["data"], narrow)
    module = cg.emit()
    meta = {"fixed_scratch": cg.fixed_scratch, "slot_names": cg.slot_names,
            "arrays": cg.arrays, "sites": cg.sites}
    return module, meta


def optimised_ir(fn: ir.Function, block=None, checks: bool = False, contract: bool = True) -> str:
    """The optimised LLVM IR of `fn` (for any block shape unless `block` is given)."""
    module, _ = build(fn, block, checks, contract)
    return str(jit.optimise(str(module), fn.name))


def assembly(fn: ir.Function, block=None, checks: bool = False, contract: bool = True) -> str:
    module, _ = build(fn, block, checks, contract)
    return jit.emit_assembly(jit.optimise(str(module), fn.name))


def spec_key(fn: ir.Function, block, checks: bool, contract: bool, narrow: bool = True) -> str:
    s = jit.state()
    return cache.key(CODE_VERSION, printer.function(fn), block, checks, contract, narrow,
                     s["version"], s["cpu"], s["features"], s["triple"])


def compiled(fn: ir.Function, block, checks: bool, contract: bool,
             narrow: bool = True) -> Compiled:
    """The specialisation for `block`, from memory, from disk, or freshly compiled. `narrow`:
    for grids with gridDim.d * blockDim.d <= 2**31 in every dimension (indexing.py)."""
    k = spec_key(fn, block, checks, contract, narrow)
    with _MEM_LOCK:
        c = _MEM.get(k)
    if c is not None:
        STATS["memory_hits"] += 1
        return c
    t0 = time.perf_counter()
    blob = DISK.get(k)
    meta = obj = None
    if blob is not None:
        try:
            n = int.from_bytes(blob[:8], "little")
            meta, obj = json.loads(blob[8:8 + n]), blob[8 + n:]
            STATS["disk_hits"] += 1
        except (ValueError, UnicodeDecodeError):
            meta = obj = None
    if obj is None:
        module, meta = build(fn, block, checks, contract, narrow)
        try:
            mod = jit.optimise(str(module), fn.name)
        except RuntimeError as e:
            raise error("PORT6001", f"llvm backend: LLVM rejected kernel {fn.name!r}: {e}",
                        fn.loc) from None
        obj = jit.emit_object(mod)
        head = json.dumps(meta).encode()
        DISK.put(k, len(head).to_bytes(8, "little") + head + obj)
        STATS["compiles"] += 1
    engine, addr = jit.load(obj, fn.name)
    c = Compiled(fn.name, _CFUNC(addr), engine, meta["fixed_scratch"], meta["slot_names"],
                 meta["arrays"], [tuple(s) for s in meta["sites"]])
    STATS["compile_s"] += time.perf_counter() - t0
    with _MEM_LOCK:
        _MEM[k] = c
    return c


# ---------------------------------------------------------------- running

_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()
_local = threading.local()


def _workers() -> ThreadPoolExecutor | None:
    global _pool
    n = config.num_threads()
    if n <= 1:
        return None
    with _pool_lock:
        if _pool is None or _pool._max_workers != n - 1:
            _pool = ThreadPoolExecutor(max_workers=n - 1, thread_name_prefix="portable-llvm")
        return _pool


def _scratch(size: int) -> int:
    """This OS thread's scratch buffer (grow-only, 64-byte aligned)."""
    buf = getattr(_local, "buf", None)
    if buf is None or buf.size < size + 64:
        buf = np.empty(max(size + 64, 4096), np.uint8)
        _local.buf = buf
    addr = buf.ctypes.data
    return (addr + 63) // 64 * 64


MIN_PARALLEL_WORK = 1 << 14  # thread-iterations below which one core is faster


class Launcher:
    """`launcher(spec)` for one kernel: specialises per block shape and runs on all cores."""

    def __init__(self, fn: ir.Function, options: dict) -> None:
        self.fn = fn
        self.checks = bool(options.get("checks", config.checks()))
        self.contract = bool(options.get("fma", True))
        self.specs: dict[tuple, Compiled] = {}  # block shape -> specialisation (no re-hashing)

    def __call__(self, spec: LaunchSpec) -> None:
        narrow = all(g * b <= 1 << 31 for g, b in zip(spec.grid, spec.block, strict=True))
        c = self.specs.get((spec.block, narrow))
        if c is None:
            c = self.specs[spec.block, narrow] = compiled(self.fn, spec.block, self.checks,
                                                          self.contract, narrow)
        run(c, spec)


def run(c: Compiled, spec: LaunchSpec) -> None:
    fn = spec.fn
    keep = []
    ptrs, lens = [], []
    nparams = len(fn.params)
    for i, name in enumerate(c.slot_names):
        if i < nparams:
            a = spec.args[i]
            if not isinstance(a, np.ndarray):
                a = np.array(a)
        else:
            a = spec.globals.get(name)
            if a is None:
                raise error("PORT4010", f"kernel {fn.name!r} uses module variable {name!r} "
                            "but the launch provides no storage for it")
        keep.append(a)
        ptrs.append(a.ctypes.data)
        lens.append(a.nbytes)
    argv = (ctypes.c_void_p * max(len(ptrs), 1))(*ptrs)
    lenv = np.array(lens or [0], np.int64)
    err = np.zeros(ERR_FIELDS, np.int64)
    counter = np.zeros(1, np.int64)
    nblocks = spec.nblocks
    pool = _workers()
    nw = 1 if pool is None else min(config.num_threads(), nblocks)
    if nblocks * spec.nthreads < MIN_PARALLEL_WORK:
        nw = 1
    # claims of max(least, remaining / share) blocks (codegen.py: guided self-scheduling)
    least = nblocks if nw == 1 else max(1, nblocks // (nw * 64))
    chunk = (2 * nw) << 32 | least
    size = c.fixed_scratch + spec.shared_mem
    g, b = spec.grid, spec.block

    def call() -> None:
        c.func(ctypes.addressof(argv), lenv.ctypes.data, _scratch(size), counter.ctypes.data,
               err.ctypes.data, g[0], g[1], g[2], chunk, spec.shared_mem, b[0], b[1], b[2])

    if nw == 1:
        call()
    else:
        futures = [pool.submit(call) for _ in range(nw - 1)]
        call()
        for f in futures:
            f.result()
    if err[0]:
        raise _oob(c, spec, err)


def _oob(c: Compiled, spec: LaunchSpec, err: np.ndarray):
    aid, index, bx, by, bz, tx, ty, tz, site, kind = (int(v) for v in err[1:11])
    where, _, name = c.sites[site] if 0 <= site < len(c.sites) else ("", 0, "?")
    array = c.arrays[aid] if 0 <= aid < len(c.arrays) else name
    what = ("read", "write", "atomic update")[kind] if 0 <= kind < 3 else "access"
    thread = f"thread ({tx}, {ty}, {tz})" if tx >= 0 else "block-level code"
    msg = (f"out-of-bounds {what} of {array!r} at index {index} in kernel {spec.fn.name!r}, "
           f"block ({bx}, {by}, {bz}), {thread}")
    from portable.errors import Diagnostic, Loc, PortError

    loc = Loc()
    if where and where.count(":") >= 2:
        f, line, col = where.rsplit(":", 2)
        try:
            loc = Loc(f, int(line), int(col))
        except ValueError:
            pass
    return PortError(Diagnostic("PORT5001", msg, loc,
                                "check the index arithmetic and the launch's grid and sizes"))


def clear_memory_cache() -> None:
    """Forget loaded specialisations (the disk cache stays): for warm-start measurements."""
    with _MEM_LOCK:
        _MEM.clear()
    DISK.clear_memory()


__all__ = ["Launcher", "compiled", "optimised_ir", "assembly", "STATS", "clear_memory_cache",
           "os"]
