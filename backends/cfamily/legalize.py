"""IR-to-IR legalisation before rendering: what a dialect cannot say becomes IR it can.

Each rewrite either keeps C's meaning explicit (integer division by zero, shift counts at or past
the width: `portable/semantics.py` defines them, C leaves them undefined) or emulates a construct
the target lacks (float atomics through compare-and-swap loops, warp shuffles and votes through
local memory, module globals as kernel arguments). Rewritten constructs become calls of `port_*`
helpers whose text the dialect supplies; an emulated one carries a note naming its diagnostic code,
which the renderer prints as a comment where it is used and the migration report lists.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from portable.backends.cfamily.render import shallow

from portable import ir
from portable.errors import Diagnostic, error
from portable.ir import Op, Sreg
from portable.types import I32, Array, Pointer, Scalar, Space, Type

NOTES = {
    "PORT6101": "emulated with a compare-and-swap loop",
    "PORT6102": "emulated through local memory and work-group barriers",
    "PORT6103": "CUDA warps are 32 lanes; 64-lane wavefronts are split in halves",
    "PORT6104": "module variable passed as a kernel argument",
}


@dataclass(frozen=True)
class Helper:
    """A `port_*` helper function: what it does, on which type, through which address space."""

    kind: str  # "div", "shl", "atomic_max", "shfl_xor", "ballot", "lane_id" ...
    type: Scalar = I32
    space: Space | None = None

    @property
    def name(self) -> str:
        sp = f"_{self.space.value}" if self.space is not None else ""
        ty = f"_{self.type}" if self.kind not in _UNTYPED else ""
        return f"port_{self.kind}{ty}{sp}"


_UNTYPED = {"lane_id", "thread_id", "ballot", "all", "any", "activemask", "syncwarp",
            "syncthreads_count", "syncthreads_and", "syncthreads_or", "ballot32", "vec3"}


@dataclass
class Legal:
    """A legalised kernel and what its text needs."""

    fn: ir.Function
    helpers: dict[str, Helper] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)  # helper name -> comment text
    diagnostics: list[Diagnostic] = field(default_factory=list)
    scratch: dict[str, Scalar] = field(default_factory=dict)  # exchange arrays (name -> type)
    globals: dict[str, Type] = field(default_factory=dict)  # module variables used
    global_params: tuple[ir.Param, ...] = ()


class _Legalise(ir.Transformer):
    def __init__(self, dialect, legal: Legal) -> None:
        self.d = dialect
        self.legal = legal

    def helper(self, h: Helper, code: str | None = None, what: str = "",
               loc=None) -> str:
        if h.name not in self.legal.helpers:
            for dep in self.d.helper_deps(h):
                self.helper(dep)
            self.legal.helpers[h.name] = h
            if code is not None:
                text = f"{code}: {what} {NOTES[code]}"
                self.legal.notes[h.name] = text
        if code is not None and loc is not None:
            self.legal.diagnostics.append(Diagnostic(code, f"{what} {NOTES[code]}", loc,
                                                     severity="note"))
        return h.name

    def call(self, h: Helper, args, t: Type, loc, code: str | None = None, what: str = ""):
        return ir.Call(self.helper(h, code, what, loc), tuple(args), t, loc=loc)

    # -------------------------------------------------------- C semantics made explicit

    def visit_Binary(self, e: ir.Binary):
        t = e.type
        if not isinstance(t, Scalar):
            return e
        if e.op in (Op.FLOORDIV, Op.FLOORMOD):
            kind = "floordiv" if e.op is Op.FLOORDIV else "floormod"
            return self.call(Helper(kind, t), (e.lhs, e.rhs), t, e.loc)
        if t.is_float and e.op is Op.MOD:
            return ir.Call("fmod", (e.lhs, e.rhs), t, loc=e.loc)
        if not t.is_int:
            return e
        if e.op in (Op.DIV, Op.MOD) and not _safe_divisor(e.rhs):
            kind = "div" if e.op is Op.DIV else "mod"
            return self.call(Helper(kind, t), (e.lhs, e.rhs), t, e.loc)
        if e.op in (Op.SHL, Op.SHR) and not _safe_shift(e.rhs, t):
            kind = "shl" if e.op is Op.SHL else "shr"
            return self.call(Helper(kind, t), (e.lhs, e.rhs), t, e.loc)
        return e

    def visit_Call(self, e: ir.Call):
        if e.fn in self.d.helper_calls and e.args and isinstance(e.args[0].type, Scalar):
            return self.call(Helper(e.fn, e.args[0].type), e.args, e.type, e.loc)
        return e

    def visit_Special(self, e: ir.Special):
        if e.reg is Sreg.WARPSIZE and self.d.warp_size_literal:
            return ir.const(32, e.type, e.loc)  # CUDA code means 32; lets x / warpSize fold
        if e.reg is Sreg.LANEID:
            return self.call(Helper("lane_id"), (), e.type, e.loc)
        return e

    # -------------------------------------------------------- atomics

    def visit_Atomic(self, e: ir.Atomic):
        base, index = self._flat(e.base, e.index)
        if base is not e.base:
            e = replace(e, base=base, index=index)
        t = e.type
        space = _space_of(e.base)
        if not isinstance(t, Scalar) or t.bits < 32:
            raise error("PORT6002", f"{self.d.name} has no {e.op.value} on {t}", e.loc,
                        "use a 32- or 64-bit type for atomics")
        if self.d.atomic_native(e.op, t, space):
            return e
        addr = ir.AddrOf(e.base, e.index, Pointer(t, space), loc=e.loc)
        args = (addr, e.compare, e.value) if e.compare is not None else (addr, e.value)
        what = f"{e.op.value} on {t}"
        return self.call(Helper(e.op.name.lower(), t, space), args, t, e.loc, "PORT6101", what)

    # -------------------------------------------------------- warp operations

    def visit_Shuffle(self, e: ir.Shuffle):
        kind = e.op.value
        if self.d.warp_scratch:
            t = e.type
            xchg = self._scratch(t)
            return self.call(Helper(kind, t), (xchg, e.value, e.lane, e.width), t, e.loc,
                             "PORT6102", kind)
        return e

    def visit_Vote(self, e: ir.Vote):
        kind = {Op.VOTE_ALL: "all", Op.VOTE_ANY: "any", Op.VOTE_BALLOT: "ballot",
                Op.ACTIVEMASK: "activemask", Op.SYNC_COUNT: "syncthreads_count",
                Op.SYNC_AND: "syncthreads_and", Op.SYNC_OR: "syncthreads_or"}[e.op]
        pred = () if e.pred is None else (e.pred,)
        if self.d.warp_scratch:
            args = (self._scratch(I32), *pred)
            return self.call(Helper(kind), args, e.type, e.loc, "PORT6102", kind)
        if getattr(self.d, "wave64", False) and e.op in (Op.VOTE_ALL, Op.VOTE_ANY,
                                                          Op.VOTE_BALLOT, Op.ACTIVEMASK):
            return self.call(Helper(kind), pred, e.type, e.loc, "PORT6103", kind)
        return e

    def visit_Barrier(self, s: ir.Barrier):
        if s.op is Op.BARRIER_WARP and self.d.warp_scratch:
            c = self.call(Helper("syncwarp"), (), I32, s.loc, "PORT6102", "__syncwarp")
            return ir.ExprStmt(c, loc=s.loc)
        return s

    def _scratch(self, t: Scalar) -> ir.Var:
        name = f"port_xchg_{t}"
        self.legal.scratch[name] = t
        return ir.Var(name, Array(t, (1,), Space.SHARED))

    # -------------------------------------------------------- module variables

    def visit_Global(self, e: ir.Global):
        self.legal.globals[e.name] = e.type
        if not self.d.globals_as_params:
            return e
        t = e.type
        space = t.space if isinstance(t, Array) and t.space is Space.CONSTANT else Space.GLOBAL
        elem = t.elem if isinstance(t, Array) else t
        p = ir.Param(e.name, Pointer(elem, space, const=space is Space.CONSTANT), loc=e.loc)
        if not isinstance(t, Array):  # a scalar variable reads through its one-element buffer
            return ir.Load(p, (ir.const(0),), t, loc=e.loc)
        return p

    def _flat(self, base: ir.Expr, index: tuple[ir.Expr, ...]):
        """Rebase an access of a module variable (now a pointer parameter) on one flat index."""
        if not self.d.globals_as_params:
            return base, index
        if isinstance(base, ir.Load) and isinstance(base.base, ir.Param) and \
                base.base.name in self.legal.globals and not index:
            return base.base, base.index
        if isinstance(base, ir.Param) and base.name in self.legal.globals:
            t = self.legal.globals[base.name]
            if isinstance(t, Array) and len(index) > 1:
                flat = index[0]
                for dim, i in zip(t.shape[1:], index[1:], strict=True):
                    it = flat.type
                    flat = ir.Binary(Op.ADD, ir.Binary(Op.MUL, flat, ir.const(dim, it), it),
                                     _as(i, it), it)
                return base, (flat,)
        return base, index

    def visit_Load(self, e: ir.Load):
        base, index = self._flat(e.base, e.index)
        return e if base is e.base and index is e.index else replace(e, base=base, index=index)

    visit_AddrOf = visit_Load

    def visit_Store(self, s: ir.Store):
        base, index = self._flat(s.base, s.index)
        return s if base is s.base and index is s.index else replace(s, base=base, index=index)


def _as(e: ir.Expr, t: Type) -> ir.Expr:
    return e if e.type == t else ir.Cast(e, t, loc=e.loc)


def _safe_divisor(e: ir.Expr) -> bool:
    # a constant other than 0 and -1 cannot divide by zero nor overflow
    return isinstance(e, ir.Const) and e.value not in (0, -1)


def _safe_shift(e: ir.Expr, t: Scalar) -> bool:
    return isinstance(e, ir.Const) and 0 <= int(e.value) < t.bits


def _space_of(base: ir.Expr) -> Space:
    t = base.type
    if isinstance(t, (Pointer, Array)):
        return t.space if t.space is not Space.LOCAL else Space.LOCAL
    return Space.GLOBAL


def check_warp_ops(fn: ir.Function, target: str) -> None:
    """Local-memory emulation of a warp operation needs the whole block to reach it."""
    from portable.analysis.uniformity import uniformity

    u = uniformity(fn)
    for s in ir.walk(fn.body):
        if not isinstance(s, ir.Stmt):
            continue
        why = u.control(s)
        if why is None:
            continue
        ops = [n for n in shallow(s) if isinstance(n, (ir.Shuffle, ir.Vote))]
        if isinstance(s, ir.Barrier) and s.op is Op.BARRIER_WARP:
            ops.append(s)
        if ops:
            what = getattr(ops[0], "op", Op.BARRIER_WARP).value
            raise error("PORT6002", f"{target}: {what} in kernel {fn.name!r} is under "
                        f"thread-divergent control flow (the condition at {why}); {target} "
                        "emulates warp operations with work-group barriers, which every thread "
                        "of the block must reach", ops[0].loc if ops[0].loc.line else s.loc,
                        "let every thread of the block execute the warp operation and guard "
                        "only the use of its result")


def legalise(fn: ir.Function, dialect) -> Legal:
    """Rewrite `fn` into IR that `dialect` can print; PortError (PORT6002) where it cannot."""
    if dialect.warp_scratch:
        from portable.backends.cfamily.predicate import predicate

        fn = predicate(fn)
        check_warp_ops(fn, dialect.name)
    legal = Legal(fn)
    t = _Legalise(dialect, legal)
    body = t.body(fn.body)
    params = fn.params
    if dialect.globals_as_params and legal.globals:
        extra = []
        for name, gt in legal.globals.items():
            space = gt.space if isinstance(gt, Array) and gt.space is Space.CONSTANT \
                else Space.GLOBAL
            elem = gt.elem if isinstance(gt, Array) else gt
            extra.append(ir.Param(name, Pointer(elem, space, const=space is Space.CONSTANT)))
            legal.diagnostics.append(Diagnostic(
                "PORT6104", f"__{'constant' if space is Space.CONSTANT else 'device'}__ "
                f"variable {name!r} {NOTES['PORT6104']}", fn.loc, severity="note"))
        legal.global_params = tuple(extra)
        params = params + legal.global_params
    legal.fn = replace(fn, body=body, params=params)
    if dialect.packed_vec3:
        from portable.backends.cfamily import vec3

        legal.fn, note = vec3.pack_vec3(legal.fn, dialect.name)
        legal.global_params = legal.fn.params[len(fn.params):]
        if note is not None:
            legal.diagnostics.append(note)
            legal.helpers["port_vec3"] = Helper("vec3")
    return legal

