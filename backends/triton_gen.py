"""IR -> readable Triton source: one Triton program per CUDA block.

The block's threads are the lanes of `tl.arange(0, BLOCK)`. Block-uniform values stay scalars;
a value that differs between threads is a [BLOCK] tensor. Thread-divergent `if`s, loops with
per-thread trip counts, `break`, `continue` and early `return` become lane masks (a masked loop
runs while any lane is still in it); uniform ones stay real Triton `if`/`while`/`for`.
`__shared__` and local arrays live in per-program scratch regions of global buffers, and each
`__syncthreads` is a `tl.debug_barrier()`.

Which variables are tensors is decided by a fixpoint over the generator itself: a variable is
varying when it is assigned a varying value, or assigned under a narrower lane mask than the
one it was declared under. Generating with the varying set of the previous round until nothing
changes keeps the analysis and the emitted code in exact agreement.
"""

from __future__ import annotations

import keyword
import re
import textwrap
from contextlib import contextmanager
from dataclasses import dataclass, field

from portable import ir
from portable.errors import error
from portable.types import Array, Pointer, Scalar, Space, sizeof

from .triton_expr import SIG, ExprEmitter, V, literal, mem_type, tl_type
from .triton_prelude import HEADER, helpers_for
from .triton_sync import SyncEmitter

_RESERVED = {"tl", "triton", "libdevice", "range", "min", "max", "float", "int", "BLOCK", "BDX",
             "BDY", "BDZ", "NW", "WL", "SMEM", "print", "len", "abs"}


@dataclass
class Translation:
    """A kernel's Triton program and what its launcher must pass."""

    name: str
    source: str
    params: list[tuple[str, str]]  # (IR parameter name, Triton signature type)
    globals: list[tuple[str, str]] = field(default_factory=list)  # (name, sig): _g_<name>
    smem_static: int = 0  # bytes of static __shared__ per block (0 and no _smem: none)
    uses_smem: bool = False
    lmem_bytes: int = 0  # bytes of local arrays per thread (0: no _lmem)


@dataclass
class _Loop:
    lm: str  # lanes still in the loop
    it: str  # lanes still in this iteration


def _escapes(node: ir.Stmt | ir.Body, loop_depth: int = 0) -> bool:
    """Does `node` contain a return, or a break/continue leaving the enclosing loop?"""
    if isinstance(node, tuple):
        return any(_escapes(s, loop_depth) for s in node)
    if isinstance(node, ir.Return):
        return True
    if isinstance(node, (ir.Break, ir.Continue)):
        return loop_depth == 0
    if isinstance(node, ir.If):
        return _escapes(node.then, loop_depth) or _escapes(node.orelse, loop_depth)
    if isinstance(node, (ir.For, ir.While, ir.DoWhile)):
        return _escapes(node.body, loop_depth + 1)
    return False


def _assigned(body: ir.Body) -> set[str]:
    return {n.var.name for n in ir.walk(body) if isinstance(n, (ir.Assign, ir.Decl))}


class Generator(ExprEmitter, SyncEmitter):
    """One round of translation of `fn` with the given set of varying variables."""

    def __init__(self, fn: ir.Function, varying: set[str]) -> None:
        self.fn = fn
        self.varying = set(varying)
        self.want = set(varying)
        self.lines: list[str] = []
        self.ind = 1
        self.level = 0
        self.decl_level: dict[str, int] = {}
        self.mask: V | None = None  # None: every thread of the block (level 0)
        self.loops: list[_Loop] = []
        self.specials: dict[str, str] = {}
        self.globals_used: dict[str, str] = {}
        self.arrays: dict[str, V] = {}
        self.counter = 0
        self.uses_dummy = False
        self.has_return = any(isinstance(n, ir.Return) for n in ir.walk(fn.body))
        self.names = {p.name for p in fn.params} | {n.var.name for n in ir.walk(fn.body)
                                                     if isinstance(n, ir.Decl)}
        self.lmem = 0

    # ------------------------------------------------------------ text
    def line(self, text: str) -> None:
        self.lines.append("    " * self.ind + text)

    def fresh(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    def name(self, n: str) -> str:
        if n in _RESERVED or keyword.iskeyword(n) or n.startswith("_") or \
                re.fullmatch(r"[A-Za-z_]\w*", n) is None:
            return "v_" + re.sub(r"\W", "_", n)
        return n

    def vmask(self) -> str:
        """The current lane mask as a [BLOCK] tensor."""
        if self.mask is None:
            return "_act"
        return self.mask.code if self.mask.vary else f"(_act & {self.mask.code})"

    @contextmanager
    def narrowed(self, cond: V):
        saved = self.mask
        if self.mask is None:
            self.mask = cond
        else:
            self.mask = V(f"({self.mask.code} & {cond.code})", self.mask.vary or cond.vary)
        try:
            yield
        finally:
            self.mask = saved

    def set_mask(self, code: str) -> None:
        name = self.fresh("_m")
        self.line(f"{name} = {code}")
        self.mask = V(name, True)
        self.level += 1

    def probe(self, e: ir.Expr) -> V:
        """Translate `e` without keeping its text (to learn whether it varies)."""
        n, c = len(self.lines), self.counter
        v = self.emit(e)
        del self.lines[n:]
        self.counter = c
        return v

    # ------------------------------------------------------------ statements
    def body(self, stmts: ir.Body) -> None:
        for s in stmts:
            self.stmt(s)
            if isinstance(s, (ir.Return, ir.Break, ir.Continue)):
                return  # every lane that reached it has left: the rest is dead
            if _escapes(s):
                ref = self.loops[-1].it if self.loops else "_alive"
                self.set_mask(f"{self.vmask()} & {ref}")

    def block(self, stmts: ir.Body) -> None:
        n = len(self.lines)
        self.ind += 1
        self.body(stmts)
        if len(self.lines) == n:
            self.line("pass")
        self.ind -= 1

    def stmt(self, s: ir.Stmt) -> None:
        m = getattr(self, "s_" + type(s).__name__, None)
        if m is None:
            raise error("PORT6002", f"the triton backend does not translate "
                        f"{type(s).__name__} statements", s.loc)
        m(s)

    def s_Decl(self, s: ir.Decl) -> None:
        var = s.var
        if isinstance(var.type, Array):
            if var.type.space is Space.SHARED:
                return  # hoisted into fn.shared
            if s.init is not None:
                raise error("PORT6002", "initialised local array", s.loc,
                            "assign the elements one by one")
            off = -(-self.lmem // 16) * 16
            self.lmem = off + sizeof(var.type)
            name = self.name(var.name)
            self.line(f"{name} = (_lbase + {off}).to(tl.pointer_type("
                      f"{mem_type(var.type.elem, s.loc)}))  # local array, per thread")
            self.arrays[var.name] = V(name, True)
            return
        self.decl_level[var.name] = self.level
        if s.init is None:
            value = literal(0, var.type) if isinstance(var.type, Scalar) else None
            if value is None:
                raise error("PORT6002", f"uninitialised {var.type} variable {var.name!r}", s.loc,
                            "initialise it where it is declared")
        else:
            value = self.emit(s.init)
        self.write(var, value, decl=True)

    def s_Assign(self, s: ir.Assign) -> None:
        if s.var.name in self.arrays:
            raise error("PORT6002", f"assignment to array {s.var.name!r}", s.loc)
        self.write(s.var, self.emit(s.value))

    def write(self, var: ir.Var, value: V, decl: bool = False) -> None:
        n, t = self.name(var.name), var.type
        narrower = self.level > self.decl_level.get(var.name, 0)
        if value.vary or narrower:
            self.want.add(var.name)
        if var.name not in self.varying:
            self.line(f"{n} = {self.typed(value, t)}")
        elif narrower and not decl:
            self.line(f"{n} = tl.where({self.vmask()}, {value.code}, {n})")
        else:
            self.line(f"{n} = {self.lanes(value, t)}")

    def s_Store(self, s: ir.Store) -> None:
        t = s.value.type
        if not isinstance(t, Scalar):
            raise error("PORT6002", f"store of a {t} value", s.loc, "store the fields one by one")
        p = self.address(s.base, s.index, s.loc)
        v = self.emit(s.value)
        code = v.code
        if t.is_bool:
            code = ("1" if v.code == "True" else "0") if v.lit else f"{v.code}.to(tl.uint8)"
        if not p.vary and not v.vary and self.mask is None:
            self.line(f"tl.store({p.code}, {code})")
        elif not p.vary and not v.vary and not self.mask.vary:
            self.line(f"tl.store({p.code}, {code}, mask={self.mask.code})")
        else:
            ptr = p.code if p.vary else f"{p.code} + _zi"
            self.line(f"tl.store({ptr}, {code}, mask={self.vmask()})")

    def s_ExprStmt(self, s: ir.ExprStmt) -> None:
        self.emit(s.expr)  # effects (atomics, votes) bind temporaries; pure values are dropped

    def s_Barrier(self, s: ir.Barrier) -> None:
        if s.op in ir.BARRIER:
            self.line("tl.debug_barrier()")
        else:
            # a program's lanes run in lock-step and the barrier orders its memory
            self.line(f"pass  # {s.op.value}: ordered by the program's barriers")

    def s_Print(self, s: ir.Print) -> None:
        raise error("PORT6002", "printf in a kernel is not translated to Triton", s.loc,
                    "remove the printf, or run on the numpy backend to debug")

    def s_Return(self, s: ir.Return) -> None:
        if s.value is not None:
            raise error("PORT6002", "return with a value in a kernel", s.loc)
        m = self.vmask()
        self.line(f"_alive = _alive & ~{m}")
        for lp in self.loops:
            self.line(f"{lp.lm} = {lp.lm} & ~{m}")
            self.line(f"{lp.it} = {lp.it} & ~{m}")

    def s_Break(self, s: ir.Break) -> None:
        if not self.loops:
            raise error("PORT6002", "break outside a loop", s.loc)
        lp, m = self.loops[-1], self.vmask()
        self.line(f"{lp.lm} = {lp.lm} & ~{m}")
        self.line(f"{lp.it} = {lp.it} & ~{m}")

    def s_Continue(self, s: ir.Continue) -> None:
        if not self.loops:
            raise error("PORT6002", "continue outside a loop", s.loc)
        lp = self.loops[-1]
        self.line(f"{lp.it} = {lp.it} & ~{self.vmask()}")

    def s_If(self, s: ir.If) -> None:
        c = self.emit(s.cond)
        if c.lit:
            self.body(s.then if c.code == "True" else s.orelse)
            return
        if not c.vary and not _escapes(s):
            self.line(f"if {c.code}:")
            self.block(s.then)
            if s.orelse:
                self.line("else:")
                self.block(s.orelse)
            return
        saved, level = self.mask, self.level
        base = self.vmask()
        cond = self.fresh("_c")
        self.line(f"{cond} = {c.code}")
        for branch, sel in ((s.then, cond), (s.orelse, f"~{cond}")):
            if branch:
                self.set_mask(f"{base} & {sel}")
                self.body(branch)
                self.mask, self.level = saved, level

    # ------------------------------------------------------------ loops
    def s_For(self, s: ir.For) -> None:
        self.decl_level[s.var.name] = self.level
        start = self.emit(s.start)
        if self.simple_range(s, start):
            stop, step = self.emit(s.stop), self.emit(s.step)
            it = self.fresh("_r")
            self.line(f"for {it} in range({start.code}, {stop.code}, {step.code}):")
            # the interpreter iterates Python ints: make the induction variable an int32 value
            self.ind += 1
            self.line(f"{self.name(s.var.name)} = tl.cast({it}, tl.int32)")
            self.ind -= 1
            self.block(s.body)
            return
        self.write(s.var, start, decl=True)
        var = ir.Var(s.var.name, s.var.type, loc=s.loc)
        cond = ir.Compare(s.cmp, var, s.stop, loc=s.loc)
        step = ir.Assign(s.var, ir.Binary(ir.Op.ADD, var, s.step, s.var.type, loc=s.loc))
        self.loop(cond, s.body, step, first=True)

    def simple_range(self, s: ir.For, start: V) -> bool:
        if s.var.name in self.varying or s.var.type != ir.I32 or s.cmp is not ir.Op.LT:
            return False
        if not isinstance(s.step, ir.Const) or s.step.value <= 0 or _escapes(s.body):
            return False
        inside = _assigned(s.body)
        for n in ir.walk(s.stop):
            if isinstance(n, (ir.Load, ir.Atomic, ir.Call, ir.Vote, ir.Shuffle)) or \
                    isinstance(n, ir.Var) and n.name in inside:
                return False
        return not start.vary and not self.probe(s.stop).vary

    def s_While(self, s: ir.While) -> None:
        self.loop(s.cond, s.body, None, first=True)

    def s_DoWhile(self, s: ir.DoWhile) -> None:
        self.loop(s.cond, s.body, None, first=False)

    def loop(self, cond: ir.Expr, body: ir.Body, step: ir.Stmt | None, first: bool) -> None:
        """A loop; `first`: test the condition before the first iteration."""
        if not self.probe(cond).vary and not _escapes(body):
            c = self.fresh("_go")
            go = self.emit(cond) if first else literal(True, ir.BOOL)
            self.line(f"{c} = {self.typed(go, ir.BOOL)}")
            self.line(f"while {c}:")
            self.ind += 1
            self.body(body)
            if step is not None:
                self.stmt(step)
            self.line(f"{c} = {self.typed(self.emit(cond), ir.BOOL)}")
            self.ind -= 1
            return
        saved, level = self.mask, self.level
        lp = _Loop(self.fresh("_lm"), self.fresh("_it"))
        self.line(f"{lp.lm} = {self.vmask()}")
        self.mask = V(lp.lm, True)
        self.level += 1
        if first:
            self.line(f"{lp.lm} = {lp.lm} & {self.emit(cond).code}")
        self.line(f"while _any({lp.lm}):")
        self.ind += 1
        self.line(f"{lp.it} = {lp.lm}")
        self.loops.append(lp)
        self.mask = V(lp.it, True)
        self.body(body)
        self.loops.pop()
        self.mask = V(lp.lm, True)  # continue'd lanes still step and test
        if step is not None:
            self.stmt(step)
        self.line(f"{lp.lm} = {lp.lm} & {self.emit(cond).code}")
        self.ind -= 1
        self.mask, self.level = saved, level

    # ------------------------------------------------------------ function
    def function(self) -> Translation:
        fn = self.fn
        if not fn.kernel:
            raise error("PORT6002", f"{fn.name} is not a kernel", fn.loc)
        for p in fn.params:
            if not isinstance(p.type, (Pointer, Scalar)):
                raise error("PORT6002", f"parameter {p.name!r} of type {p.type}", p.loc,
                            "pass scalars and pointers to scalars")
            if isinstance(p.type, Pointer):
                mem_type(p.type.elem, p.loc)  # rejects pointers to vectors/structs
        smem = 16  # a private slot for masked-off compare-and-swap lanes
        shared_lines = []
        for v in fn.shared:
            smem = -(-smem // 16) * 16
            shared_lines.append((v, smem))
            smem += sizeof(v.type)
        smem = -(-smem // 16) * 16
        for v in fn.dynamic_shared:
            shared_lines.append((v, smem))
        for v, _ in shared_lines:
            self.arrays[v.name] = V(self.name(v.name), False)
        self.body(fn.body)
        body, self.lines = self.lines, []
        text = "\n".join(body)

        def used(n: str) -> bool:
            return re.search(rf"\b{n}\b", text) is not None

        pro = ["_tid = tl.arange(0, BLOCK)", "_act = _tid < BDX * BDY * BDZ"]
        uses_smem = bool(shared_lines) or self.uses_dummy
        if uses_smem or self.lmem:
            pro.append("_pid = (tl.program_id(0) + tl.num_programs(0) * (tl.program_id(1) + "
                       "tl.num_programs(1) * tl.program_id(2))).to(tl.int64)")
        if uses_smem:
            pro.append("_sbase = _smem + _pid * SMEM  # this block's __shared__ memory")
            if self.uses_dummy:
                pro.append("_dummy = _sbase")
        for v, off in shared_lines:
            if used(self.name(v.name)):
                elem = v.type.elem
                pro.append(f"{self.name(v.name)} = (_sbase + {off}).to(tl.pointer_type("
                           f"{mem_type(elem, v.loc)}))  # __shared__ {v.type}")
        if self.lmem:
            pro.append(f"_lbase = _lmem + (_pid * BLOCK + _tid) * {self.lmem}")
        if used("_zi"):
            pro.append("_zi = tl.full([BLOCK], 0, tl.int32)")
        if used("_lane") or any("_lane" in s for s in self.specials.values()):
            pro.append("_lane = _tid % 32")
        for n, src in self.specials.items():
            pro.append(f"{n} = {src}")
        if self.has_return:
            pro.append("_alive = _act")
        params, sig, nospec = [], [], []
        for p in fn.params:
            if isinstance(p.type, Pointer):
                params.append(self.name(p.name))
                elem = SIG[str(p.type.elem)]
                sig.append((p.name, "*" + elem))
            else:
                params.append(f"{self.name(p.name)}: {tl_type(p.type)}")
                sig.append((p.name, SIG[str(p.type)] if not p.type.is_bool else "i1"))
                nospec.append(repr(self.name(p.name)))
        gl = sorted(self.globals_used.items())
        params += [f"_g_{g}" for g, _ in gl]
        if uses_smem:
            params.append("_smem")
        if self.lmem:
            params.append("_lmem")
        params += [f"{c}: tl.constexpr" for c in ("BDX", "BDY", "BDZ", "BLOCK", "NW", "WL",
                                                   "SMEM")]
        deco = f"@triton.jit(do_not_specialize=[{', '.join(nospec)}])" if nospec else \
            "@triton.jit"
        out = [HEADER.format(filename=fn.loc.file if fn.loc.line else "<ir>"), "",
               deco] + textwrap.wrap(f"def {self.name(fn.name)}({', '.join(params)}):", 99,
                                     subsequent_indent=" " * 8, break_long_words=False)
        out += ["    " + x for x in pro]
        out.append(text if body else "    pass")
        helpers = helpers_for("\n".join(out))
        if helpers:
            out += ["", "", "# C semantics and warp operations used above", "", "", helpers]
        return Translation(self.name(fn.name), "\n".join(out) + "\n", sig, gl,
                           smem if uses_smem else 0, uses_smem, self.lmem)


def translate(fn: ir.Function) -> Translation:
    """Translate kernel `fn` (iterating the varying-variable fixpoint)."""
    varying: set[str] = set()
    for _ in range(64):
        g = Generator(fn, varying)
        t = g.function()
        if g.want <= varying:
            return t
        varying |= g.want
    raise error("PORT6001", f"triton translation of {fn.name} did not settle")
