"""The warp-width portability lint: CUDA code that silently assumes 32-lane warps.

CUDA fixes the warp at 32 lanes; the targets `portable` ports to do not. AMD GCN/CDNA GPUs run
HIP in 64-lane wavefronts (`warpSize` is 64 there), SYCL sub-groups are 8, 16 or 32 work-items
as the compiler chooses, and CPU backends map lanes onto 4-16-wide vector units. Code that spells
the warp size as a literal computes the wrong lane ids, leaves half a wavefront out of a mask, or
drops half a ballot -- with no compile error. `lint(kernel)` finds those spellings in the IR:

| code     | finds                                         | write instead                     |
| -------- | --------------------------------------------- | --------------------------------- |
| PORT7001 | `% 32`, `/ 32`, `& 31`, `>> 5` on thread ids  | `% warpSize`, `/ warpSize`        |
| PORT7002 | a full mask written `0xffffffff` (shuffle,    | a 64-bit mask (`~0ull`) or        |
|          | vote, `__syncwarp`)                           | cooperative-groups tiles          |
| PORT7003 | a ballot or `__activemask()` kept in 32 bits  | `unsigned long long`, `__popcll`  |
| PORT7004 | a whole-warp shuffle (no `width`) whose lane  | offsets from `warpSize / 2`, or   |
|          | or offset is 16/31/32, or a loop variable     | an explicit `width` of 32         |
|          | starting at 16 or bounded by 32               |                                   |
| PORT7005 | a thread id compared with 32 or 31 in a       | compare with `warpSize`           |
|          | kernel that uses warp operations              |                                   |

Every finding is a *warning* (the kernel still translates and runs correctly on 32-lane
targets); each names the targets it breaks on. `warpSize` itself is never reported: portable
emits it as the target's width where the target has one. The library kernels that use warp
operations carry such warnings on purpose: they are CUDA-idiomatic code written for 32 lanes
(tests/test_lint.py lists them); every other library kernel is clean.

`portable report` runs `lint` on every kernel that reaches IR.
"""

from __future__ import annotations

from portable import ir
from portable.errors import Diagnostic, Loc

__all__ = ["TARGETS", "lint"]

HIP = "HIP on AMD GCN/CDNA GPUs (64-lane wavefronts)"
SYCL = "SYCL sub-groups (8, 16 or 32 work-items, chosen by the compiler)"
CPU = "CPU vector lanes (4-16 wide)"
TARGETS = {"PORT7001": (HIP, SYCL, CPU), "PORT7002": (HIP, SYCL), "PORT7003": (HIP, SYCL),
           "PORT7004": (HIP, SYCL), "PORT7005": (HIP, SYCL, CPU)}
_FULL32 = 0xFFFFFFFF
_LANE_SRC = frozenset({ir.Sreg.TID, ir.Sreg.LANEID})


def lint(target) -> list[Diagnostic]:
    """Warp-width findings for a kernel: an `ir.Function`, a `portable.Kernel`, a `Module`, an
    `ir.ModuleIR` or a `@cuda.jit` dispatcher (its latest specialisation). Sorted by location."""
    fns = _functions(target)
    out: list[Diagnostic] = []
    for fn in fns:
        out += _Lint(fn).run()
    return sorted(out, key=lambda d: (d.loc.file, d.loc.line, d.loc.col, d.code))


def _functions(target) -> list[ir.Function]:
    if isinstance(target, ir.Function):
        return [target] if target.kernel else []
    if isinstance(target, ir.ModuleIR):
        return list(target.kernels)
    if hasattr(target, "kernels") and isinstance(getattr(target, "ir", None), ir.ModuleIR):
        return list(target.ir.kernels)  # portable.Module
    fn = getattr(target, "ir", None)
    if isinstance(fn, ir.Function):
        return [fn]
    raise TypeError(f"lint() takes a kernel, module or ir.Function, got {type(target).__name__}")


def _strip(e: ir.Expr) -> ir.Expr:
    while isinstance(e, ir.Cast):
        e = e.value
    return e


def _const(e: ir.Expr) -> int | None:
    e = _strip(e)
    if isinstance(e, ir.Const) and not isinstance(e.value, float):
        return int(e.value)
    return None


def _targets(code: str) -> str:
    return "; ".join(TARGETS[code])


class _Lint:
    def __init__(self, fn: ir.Function) -> None:
        self.fn = fn
        self.out: list[Diagnostic] = []
        self.seen: set[tuple[str, Loc]] = set()
        self.defs: dict[str, list[ir.Expr]] = {}
        for n in ir.walk(fn.body):
            if isinstance(n, ir.Decl) and n.init is not None:
                self.defs.setdefault(n.var.name, []).append(n.init)
            elif isinstance(n, ir.Assign):
                self.defs.setdefault(n.var.name, []).append(n.value)
            elif isinstance(n, ir.For):
                self.defs.setdefault(n.var.name, []).append(n.start)
        self.lane_vars = self._lane_vars()
        self.bounded32 = {  # variables compared with 32 (`for (o = 1; o < 32; o *= 2)`)
            _strip(c.lhs).name for c in ir.walk(fn.body)
            if isinstance(c, ir.Compare) and _const(c.rhs) == 32 and isinstance(
                _strip(c.lhs), ir.Var)}
        self.warp_ops = any(isinstance(n, (ir.Shuffle, ir.Vote)) and n.op not in ir.BLOCK_VOTE
                            or isinstance(n, ir.Barrier) and n.op is ir.Op.BARRIER_WARP
                            for n in ir.walk(fn.body))

    def _lane_vars(self) -> set[str]:
        """Variables whose value derives from threadIdx or the lane id."""
        found: set[str] = set()
        changed = True
        while changed:
            changed = False
            for name, values in self.defs.items():
                if name not in found and any(self.from_tid(v, found) for v in values):
                    found.add(name)
                    changed = True
        return found

    @staticmethod
    def from_tid(e: ir.Expr, vars_: set[str]) -> bool:
        return any(isinstance(n, ir.Special) and n.reg in _LANE_SRC
                   or isinstance(n, ir.Var) and n.name in vars_ for n in ir.walk(e))

    def add(self, code: str, loc: Loc, message: str, hint: str) -> None:
        if (code, loc) in self.seen:
            return
        self.seen.add((code, loc))
        self.out.append(Diagnostic(code, f"kernel {self.fn.name!r}: {message}; breaks on "
                                   f"{_targets(code)}", loc, hint))

    def run(self) -> list[Diagnostic]:
        parents: dict[int, ir.Node] = {}
        for n in ir.walk(self.fn.body):
            for c in ir.children(n):
                parents[id(c)] = n
        for n in ir.walk(self.fn.body):
            if isinstance(n, ir.Binary):
                self.binary(n)
            elif isinstance(n, ir.Compare) and self.warp_ops:
                self.compare(n)
            elif isinstance(n, ir.Shuffle):
                self.mask(n, n.mask)
                self.shuffle(n)
            elif isinstance(n, ir.Vote) and n.op in ir.WARP_VOTE:
                if n.mask is not None:
                    self.mask(n, n.mask)
                if n.op in (ir.Op.VOTE_BALLOT, ir.Op.ACTIVEMASK):
                    self.ballot(n, parents.get(id(n)))
            elif isinstance(n, ir.Barrier) and n.op is ir.Op.BARRIER_WARP and n.mask is not None:
                self.mask(n, n.mask)
        return self.out

    # ---------------------------------------------------------------- rules

    def binary(self, e: ir.Binary) -> None:
        c = _const(e.rhs)
        spelled = {ir.Op.MOD: (32, "% 32", "% warpSize"), ir.Op.FLOORMOD: (32, "% 32",
                   "% warpSize"), ir.Op.DIV: (32, "/ 32", "/ warpSize"),
                   ir.Op.FLOORDIV: (32, "// 32", "// warpsize"), ir.Op.AND: (31, "& 31",
                   "% warpSize (or & (warpSize - 1))"), ir.Op.SHR: (5, ">> 5", "/ warpSize")}
        if e.op not in spelled or c != spelled[e.op][0]:
            return
        if not self.from_tid(e.lhs, self.lane_vars):
            return
        _, text, instead = spelled[e.op]
        what = "lane" if e.op in (ir.Op.MOD, ir.Op.FLOORMOD, ir.Op.AND) else "warp"
        self.add("PORT7001", e.loc, f"`{text}` on a thread index computes the {what} id of a "
                 "32-lane warp", f"write `{instead}`; the lane and warp ids then follow the "
                 "target's width")

    def compare(self, e: ir.Compare) -> None:
        for a, b in ((e.lhs, e.rhs), (e.rhs, e.lhs)):
            if _const(b) in (31, 32) and self.from_tid(a, self.lane_vars) \
                    and not (isinstance(_strip(a), ir.Var) and _strip(a).name in self.bounded32
                             and _strip(a).name not in self.lane_vars):
                self.add("PORT7005", e.loc, f"a thread index compared with {_const(b)} picks "
                         "the first warp or its last lane assuming 32 lanes",
                         "compare with `warpSize` (or `warpSize - 1`)")
                return

    def mask(self, node: ir.Node, mask: ir.Expr) -> None:
        m = _strip(mask)
        # a mask the frontend supplied (legacy __shfl/__any without _sync) carries the call's
        # loc; only a literal the user wrote is reported
        if _const(m) == _FULL32 and m.loc != node.loc:
            self.add("PORT7002", m.loc if m.loc.line else node.loc,
                     "full-warp mask written as the 32-bit literal 0xffffffff: on a 64-lane "
                     "wavefront it leaves lanes 32-63 out",
                     "pass a 64-bit full mask on HIP (`~0ull`, e.g. through a FULL_MASK macro "
                     "per platform), or use cooperative_groups::tiled_partition<32>, whose "
                     "collectives take no mask")

    def ballot(self, v: ir.Vote, parent: ir.Node | None) -> None:
        if isinstance(parent, ir.Cast) and getattr(parent.type, "bits", 0) == 64:
            return
        if isinstance(parent, (ir.Shuffle, ir.Vote, ir.Barrier)) and parent.mask is v:
            return  # passed straight on as a mask: HIP's 64-bit masks flow through
        name = "__ballot_sync" if v.op is ir.Op.VOTE_BALLOT else "__activemask()"
        self.add("PORT7003", v.loc, f"the result of {name} is kept in 32 bits: on a 64-lane "
                 "wavefront the ballot of lanes 32-63 is lost",
                 "store it in an `unsigned long long` and count with __popcll/__ffsll")

    def shuffle(self, s: ir.Shuffle) -> None:
        if not (isinstance(s.width, ir.Const) and s.width.loc.line == 0):
            return  # an explicit width keeps its segments on every target
        lane = _strip(s.lane)
        c = _const(lane)
        bad = c in (16, 31, 32)
        if isinstance(lane, ir.Var):
            starts = [_const(v) for v in self.defs.get(lane.name, [])]
            bad |= 16 in starts or lane.name in self.bounded32
        if bad:
            what = "lane" if s.op is ir.Op.SHFL_IDX else "offset"
            self.add("PORT7004", s.loc, f"whole-warp {s.op.value} with a {what} computed for 32 "
                     "lanes: on a 64-lane wavefront it reduces or scans only part of the warp",
                     "derive offsets from warpSize (`for (int o = warpSize / 2; o > 0; o /= 2)`)"
                     ", or pass width 32 explicitly to keep 32-lane segments")
