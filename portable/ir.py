"""The kernel IR: few, frozen, typed nodes with source locations.

Structured control flow (no CFG). Op kinds are one enum grouped into category sets that passes,
the reference and the renderers use instead of isinstance chains. Conventions every frontend
must meet and every backend may rely on:

- operands of `Binary` and `Compare` have the same type (frontends insert `Cast`s for C's usual
  arithmetic conversions and integer promotion); LAND/LOR take and give `bool`;
- `Binary` on pointers (ADD/SUB with an integer) is pointer arithmetic in elements;
- local variable names are unique within a function (frontends rename shadowed and inlined ones);
- `Load`/`Store`/`Atomic` take a base (pointer or array-typed expression) and one index per array
  dimension (one for a pointer), in elements;
- `Atomic`, `Shuffle`, `Vote` and `Call` of user functions are the only expressions with effects;
  each expression node is evaluated at most once, left to right.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from portable.errors import NOLOC, Loc
from portable.types import BOOL, I32, U32, Array, Pointer, Scalar, Space, Type, Void


class Op(Enum):
    """Every op kind. Values are unique names; `symbol` is the C spelling where there is one."""

    # unary
    NEG = "neg"
    BNOT = "~"
    LNOT = "!"
    # binary arithmetic and bitwise
    ADD = "+"
    SUB = "-"
    MUL = "*"
    DIV = "/"  # C semantics: truncates towards zero on integers
    MOD = "%"  # C semantics: sign of the dividend
    FLOORDIV = "//"  # Python semantics (python frontend)
    FLOORMOD = "%%"  # Python semantics: sign of the divisor
    SHL = "<<"
    SHR = ">>"
    AND = "&"
    OR = "|"
    XOR = "^"
    # logical (short-circuit: the right operand is evaluated only where needed)
    LAND = "&&"
    LOR = "||"
    # comparisons (result bool)
    LT = "<"
    LE = "<="
    GT = ">"
    GE = ">="
    EQ = "=="
    NE = "!="
    # atomics (result: the old value)
    ATOMIC_ADD = "atomic_add"
    ATOMIC_SUB = "atomic_sub"
    ATOMIC_MIN = "atomic_min"
    ATOMIC_MAX = "atomic_max"
    ATOMIC_EXCH = "atomic_exch"
    ATOMIC_CAS = "atomic_cas"
    ATOMIC_AND = "atomic_and"
    ATOMIC_OR = "atomic_or"
    ATOMIC_XOR = "atomic_xor"
    ATOMIC_INC = "atomic_inc"  # CUDA: old >= val ? 0 : old + 1
    ATOMIC_DEC = "atomic_dec"  # CUDA: old == 0 || old > val ? val : old - 1
    # warp shuffles
    SHFL_IDX = "shfl_idx"
    SHFL_UP = "shfl_up"
    SHFL_DOWN = "shfl_down"
    SHFL_XOR = "shfl_xor"
    # votes (warp scope) and barrier-votes (block scope)
    VOTE_ALL = "vote_all"
    VOTE_ANY = "vote_any"
    VOTE_BALLOT = "vote_ballot"
    ACTIVEMASK = "activemask"
    SYNC_COUNT = "syncthreads_count"
    SYNC_AND = "syncthreads_and"
    SYNC_OR = "syncthreads_or"
    # barriers and fences (statements)
    BARRIER_BLOCK = "syncthreads"
    BARRIER_WARP = "syncwarp"
    FENCE_BLOCK = "threadfence_block"
    FENCE_DEVICE = "threadfence"
    FENCE_SYSTEM = "threadfence_system"


def _symbol(self: Op) -> str:
    return "-" if self is Op.NEG else self.value


Op.symbol = property(_symbol)  # type: ignore[attr-defined]

UNARY = frozenset({Op.NEG, Op.BNOT, Op.LNOT})
ARITH = frozenset({Op.ADD, Op.SUB, Op.MUL, Op.DIV, Op.MOD, Op.FLOORDIV, Op.FLOORMOD})
BITWISE = frozenset({Op.SHL, Op.SHR, Op.AND, Op.OR, Op.XOR})
LOGICAL = frozenset({Op.LAND, Op.LOR})
BINARY = ARITH | BITWISE | LOGICAL
COMPARE = frozenset({Op.LT, Op.LE, Op.GT, Op.GE, Op.EQ, Op.NE})
ATOMIC = frozenset(o for o in Op if o.name.startswith("ATOMIC_"))
SHUFFLE = frozenset({Op.SHFL_IDX, Op.SHFL_UP, Op.SHFL_DOWN, Op.SHFL_XOR})
WARP_VOTE = frozenset({Op.VOTE_ALL, Op.VOTE_ANY, Op.VOTE_BALLOT, Op.ACTIVEMASK})
BLOCK_VOTE = frozenset({Op.SYNC_COUNT, Op.SYNC_AND, Op.SYNC_OR})
VOTE = WARP_VOTE | BLOCK_VOTE
BARRIER = frozenset({Op.BARRIER_BLOCK, Op.BARRIER_WARP})
FENCE = frozenset({Op.FENCE_BLOCK, Op.FENCE_DEVICE, Op.FENCE_SYSTEM})
SYNC = BARRIER | FENCE


class Sreg(Enum):
    """CUDA's special registers."""

    TID = "threadIdx"
    NTID = "blockDim"
    CTAID = "blockIdx"
    NCTAID = "gridDim"
    WARPSIZE = "warpSize"
    LANEID = "laneid"


def _loc() -> Any:
    return field(default=NOLOC, kw_only=True, compare=False, repr=False)


class Node:
    """Base of every IR node."""

    __slots__ = ()
    loc: Loc


class Expr(Node):
    __slots__ = ()
    type: Type


class Stmt(Node):
    __slots__ = ()


Body = tuple[Stmt, ...]

# ---------------------------------------------------------------- expressions


@dataclass(frozen=True, slots=True)
class Const(Expr):
    value: int | float | bool
    type: Type
    loc: Loc = _loc()


@dataclass(frozen=True, slots=True)
class Var(Expr):
    """A local variable (scalar, vector, struct, pointer, or a local/shared array)."""

    name: str
    type: Type
    loc: Loc = _loc()


@dataclass(frozen=True, slots=True)
class Param(Expr):
    """A function parameter; read-only (frontends copy an assigned parameter into a Var)."""

    name: str
    type: Type
    loc: Loc = _loc()


@dataclass(frozen=True, slots=True)
class Global(Expr):
    """A module-level `__device__` or `__constant__` variable (array-typed, or a scalar)."""

    name: str
    type: Type
    loc: Loc = _loc()


@dataclass(frozen=True, slots=True)
class Special(Expr):
    """threadIdx.x, blockDim.y, warpSize ...; dim is 0, 1, 2 (x, y, z) or 0 for scalars."""

    reg: Sreg
    dim: int = 0
    type: Type = U32
    loc: Loc = _loc()


@dataclass(frozen=True, slots=True)
class Unary(Expr):
    op: Op
    value: Expr
    type: Type
    loc: Loc = _loc()


@dataclass(frozen=True, slots=True)
class Binary(Expr):
    op: Op
    lhs: Expr
    rhs: Expr
    type: Type
    loc: Loc = _loc()


@dataclass(frozen=True, slots=True)
class Compare(Expr):
    op: Op
    lhs: Expr
    rhs: Expr
    type: Type = BOOL
    loc: Loc = _loc()


@dataclass(frozen=True, slots=True)
class Select(Expr):
    """cond ? a : b, evaluating only the chosen operand."""

    cond: Expr
    a: Expr
    b: Expr
    type: Type
    loc: Loc = _loc()


@dataclass(frozen=True, slots=True)
class Cast(Expr):
    """A value conversion with C semantics (float->int truncates and saturates; ints wrap)."""

    value: Expr
    type: Type
    loc: Loc = _loc()


@dataclass(frozen=True, slots=True)
class Load(Expr):
    base: Expr
    index: tuple[Expr, ...]
    type: Type
    loc: Loc = _loc()


@dataclass(frozen=True, slots=True)
class AddrOf(Expr):
    """&base[index...]: a pointer to an element (of an array, a pointer or a global)."""

    base: Expr
    index: tuple[Expr, ...]
    type: Type
    loc: Loc = _loc()


@dataclass(frozen=True, slots=True)
class Call(Expr):
    """A math/integer intrinsic from the semantics table, or (before inlining) a user function."""

    fn: str
    args: tuple[Expr, ...]
    type: Type
    loc: Loc = _loc()


@dataclass(frozen=True, slots=True)
class Atomic(Expr):
    """An atomic read-modify-write of base[index]; evaluates to the old value."""

    op: Op
    base: Expr
    index: tuple[Expr, ...]
    value: Expr
    type: Type
    compare: Expr | None = None  # ATOMIC_CAS only
    loc: Loc = _loc()


@dataclass(frozen=True, slots=True)
class Shuffle(Expr):
    """__shfl*_sync: `lane` is the source lane, delta or xor mask; width divides the warp."""

    op: Op
    mask: Expr
    value: Expr
    lane: Expr
    width: Expr
    type: Type
    loc: Loc = _loc()


@dataclass(frozen=True, slots=True)
class Vote(Expr):
    """Warp votes (all/any/ballot/activemask) and block barrier-votes (__syncthreads_count ...)."""

    op: Op
    mask: Expr | None
    pred: Expr | None
    type: Type
    loc: Loc = _loc()


@dataclass(frozen=True, slots=True)
class Field(Expr):
    """value.name of a vector (x, y, z, w) or struct."""

    value: Expr
    name: str
    type: Type
    loc: Loc = _loc()


@dataclass(frozen=True, slots=True)
class Pack(Expr):
    """A vector or struct value built from its fields in order (make_float4 ...)."""

    values: tuple[Expr, ...]
    type: Type
    loc: Loc = _loc()


# ---------------------------------------------------------------- statements


@dataclass(frozen=True, slots=True)
class Decl(Stmt):
    """Declares a local variable (scalar or local array); init None leaves it undefined."""

    var: Var
    init: Expr | None = None
    loc: Loc = _loc()


@dataclass(frozen=True, slots=True)
class Assign(Stmt):
    var: Var
    value: Expr
    loc: Loc = _loc()


@dataclass(frozen=True, slots=True)
class Store(Stmt):
    base: Expr
    index: tuple[Expr, ...]
    value: Expr
    loc: Loc = _loc()


@dataclass(frozen=True, slots=True)
class ExprStmt(Stmt):
    expr: Expr
    loc: Loc = _loc()


@dataclass(frozen=True, slots=True)
class If(Stmt):
    cond: Expr
    then: Body
    orelse: Body = ()
    loc: Loc = _loc()


@dataclass(frozen=True, slots=True)
class For(Stmt):
    """for (var = start; var <cmp> stop; var += step) body. `var` is declared by the loop and
    not assigned in the body; start, stop and step are evaluated as C does (stop and step on
    every iteration)."""

    var: Var
    start: Expr
    stop: Expr
    step: Expr
    body: Body
    cmp: Op = Op.LT
    loc: Loc = _loc()


@dataclass(frozen=True, slots=True)
class While(Stmt):
    cond: Expr
    body: Body
    loc: Loc = _loc()


@dataclass(frozen=True, slots=True)
class DoWhile(Stmt):
    body: Body
    cond: Expr
    loc: Loc = _loc()


@dataclass(frozen=True, slots=True)
class Break(Stmt):
    loc: Loc = _loc()


@dataclass(frozen=True, slots=True)
class Continue(Stmt):
    loc: Loc = _loc()


@dataclass(frozen=True, slots=True)
class Return(Stmt):
    value: Expr | None = None
    loc: Loc = _loc()


@dataclass(frozen=True, slots=True)
class Barrier(Stmt):
    """__syncthreads (BARRIER_BLOCK), __syncwarp(mask) (BARRIER_WARP), or a fence."""

    op: Op = Op.BARRIER_BLOCK
    mask: Expr | None = None
    loc: Loc = _loc()


@dataclass(frozen=True, slots=True)
class Print(Stmt):
    """printf(fmt, args...) in a kernel."""

    fmt: str
    args: tuple[Expr, ...]
    loc: Loc = _loc()


# ---------------------------------------------------------------- functions and modules


@dataclass(frozen=True, slots=True)
class Function:
    """A `__global__` kernel (ret void) or a `__device__` helper.

    `shared` lists the block's static `__shared__` arrays (hoisted from wherever the source
    declared them) and `dynamic_shared` the `extern __shared__` views (Array with shape ()),
    all of which alias one buffer sized at launch.
    """

    name: str
    params: tuple[Param, ...]
    body: Body
    ret: Type = Void()
    kernel: bool = True
    shared: tuple[Var, ...] = ()
    dynamic_shared: tuple[Var, ...] = ()
    loc: Loc = _loc()


@dataclass(frozen=True, slots=True)
class GlobalVar:
    """A `__device__` (space GLOBAL) or `__constant__` (space CONSTANT) module variable."""

    name: str
    type: Type  # Array for arrays, Scalar/Vector/Struct otherwise
    space: Space
    init: tuple[int | float, ...] | None = None  # flattened initialiser, zero-filled
    loc: Loc = _loc()


@dataclass(frozen=True, slots=True)
class ModuleIR:
    functions: tuple[Function, ...]
    globals: tuple[GlobalVar, ...] = ()
    filename: str = "<string>"

    @property
    def kernels(self) -> tuple[Function, ...]:
        return tuple(f for f in self.functions if f.kernel)

    def function(self, name: str) -> Function:
        for f in self.functions:
            if f.name == name:
                return f
        raise KeyError(name)


# ---------------------------------------------------------------- traversal


def children(node: Node) -> Iterator[Node]:
    """Direct child nodes, in field (= evaluation) order."""
    for f in dataclasses.fields(node):  # type: ignore[arg-type]
        v = getattr(node, f.name)
        if isinstance(v, Node):
            yield v
        elif isinstance(v, tuple):
            for x in v:
                if isinstance(x, Node):
                    yield x


def walk(node: Node | Function | tuple) -> Iterator[Node]:
    """Every node under `node` (pre-order), including `node` itself."""
    if isinstance(node, Function):
        yield from node.params
        for s in node.body:
            yield from walk(s)
        return
    if isinstance(node, tuple):
        for s in node:
            yield from walk(s)
        return
    yield node
    for c in children(node):
        yield from walk(c)


class Transformer:
    """Rebuilds a tree bottom-up; override `visit_<Class>` to replace nodes.

    A visit method receives the node with its children already transformed. Statement visits
    may return a tuple of statements to splice several into the enclosing body.
    """

    def visit(self, node: Node) -> Any:
        new = {}
        changed = False
        for f in dataclasses.fields(node):  # type: ignore[arg-type]
            v = getattr(node, f.name)
            if isinstance(v, Node):
                nv = self.visit(v)
            elif isinstance(v, tuple) and v and isinstance(v[0], Stmt):
                nv = self.body(v)
            elif isinstance(v, tuple) and v and isinstance(v[0], Expr):
                nv = tuple(self.visit(x) for x in v)
            else:
                continue
            if nv is not v:
                new[f.name] = nv
                changed = True
        if changed:
            node = dataclasses.replace(node, **new)  # type: ignore[type-var]
        method = getattr(self, "visit_" + type(node).__name__, None)
        return method(node) if method else node

    def body(self, stmts: Body) -> Body:
        out: list[Stmt] = []
        changed = False
        for s in stmts:
            r = self.visit(s)
            if isinstance(r, tuple):
                out.extend(r)
                changed = True
            else:
                out.append(r)
                changed |= r is not s
        return tuple(out) if changed else stmts

    def function(self, fn: Function) -> Function:
        body = self.body(fn.body)
        return fn if body is fn.body else dataclasses.replace(fn, body=body)


def is_pointerish(t: Type) -> bool:
    return isinstance(t, (Pointer, Array))


def elem_type(t: Type) -> Type:
    """Element type addressed through a pointer or array."""
    if isinstance(t, (Pointer, Array)):
        return t.elem
    raise TypeError(f"{t} is not a pointer or array")


def const(value: int | float | bool, type: Type = I32, loc: Loc = NOLOC) -> Const:
    """A constant of `type`, with `value` normalised to that type's Python kind."""
    if isinstance(type, Scalar):
        value = bool(value) if type.is_bool else float(value) if type.is_float else int(value)
    return Const(value, type, loc=loc)


TRUE = Const(True, BOOL)
FALSE = Const(False, BOOL)


def _function_str(self: Function) -> str:
    from portable import printer

    return printer.function(self)


def _module_str(self: ModuleIR) -> str:
    from portable import printer

    return printer.module(self)


Function.__str__ = _function_str  # type: ignore[method-assign]
ModuleIR.__str__ = _module_str  # type: ignore[method-assign]
