"""Index arithmetic in 64 bits, so that LLVM sees addresses as affine in the thread index and
vectorises thread loops without runtime overflow checks.

CUDA code computes indices in 32-bit `int`; a sign extension of a 32-bit sum hides from LLVM's
scalar evolution that consecutive threads touch consecutive elements (it would need to know the
sum cannot wrap, and `nsw` flags do not survive reassociation). So the index of a load, store
or atomic is evaluated directly as a 64-bit value, under two rules stated here once:

- **Global thread index.** `blockIdx.d * blockDim.d` and that plus `threadIdx.d` are below
  gridDim.d * blockDim.d. The launcher compiles a specialisation with `narrow=True` only for
  grids where gridDim.d * blockDim.d <= 2**31 in every dimension, so there this value is
  computed exactly from the 64-bit block and thread counters, whatever its 32-bit type.
- **Signed index chains.** The chain of signed `+ - *` from the index down to the first other
  operation (through value-preserving integer casts and rematerialised variables) is computed
  in 64 bits: it equals the 32-bit result unless a signed operation overflows, which is
  undefined behaviour in CUDA C++ and would address far outside any array. Signed arithmetic
  anywhere else keeps the semantics table's wrap-around, as does unsigned arithmetic, so hashes
  such as `table[(k * M) % n]` are unaffected (the `%` ends the chain).
"""

from __future__ import annotations

from llvmlite import ir as L

from portable import ir
from portable.ir import Op, Sreg
from portable.types import Scalar

I64T = L.IntType(64)
_CHAIN = (Op.ADD, Op.SUB, Op.MUL)


class Indexing:
    """Mixin of `codegen.Codegen`: `index_value` (needs ex, plan, block, narrow, bid, tctx)."""

    def index_value(self, e: ir.Expr) -> L.Value:
        """The value of integer index `e` as i64 (sign- or zero-extended by its type)."""
        b = self.b
        t = e.type
        if self.narrow and isinstance(e, ir.Binary) and isinstance(t, Scalar) and t.is_int \
                and t.bits >= 32:
            d = thread_index_dim(e, self.block)
            if d is not None and (e.op is Op.MUL or self.tctx is not None):
                v = b.mul(self.bid[d], self.bdim[d], flags=["nuw", "nsw"])
                if e.op is Op.ADD:
                    v = b.add(v, self.tctx[2][d], flags=["nuw", "nsw"])
                return v
        match e:
            case ir.Binary(op, lhs, rhs, t) if op in _CHAIN and _signed(t):
                x, y = self.index_value(lhs), self.index_value(rhs)
                f = {Op.ADD: b.add, Op.SUB: b.sub, Op.MUL: b.mul}[op]
                return f(x, y, flags=["nsw"])
            case ir.Cast(value, t) if _int(t) and _int(value.type) and (
                    t.bits > value.type.bits or (t.bits == value.type.bits and _signed(t)
                                                 and _signed(value.type))):
                return self.index_value(value)  # widening (or no-op): the value is kept
            case ir.Var(name) if name in self.plan.remat:
                return self.index_value(self.plan.remat[name])
        v = self.ex(e)
        if v.type.width == 64:
            return v
        return b.sext(v, I64T) if _signed(t) else b.zext(v, I64T)


def _int(t) -> bool:
    return isinstance(t, Scalar) and t.is_int and not t.is_bool


def _signed(t) -> bool:
    return _int(t) and t.is_signed


def thread_index_dim(e: ir.Binary, block: tuple | None) -> int | None:
    """The dimension d when `e` is blockIdx.d * blockDim.d or that + threadIdx.d (either
    operand order; blockDim.d may be the specialisation's constant block extent)."""
    if e.op is Op.MUL:
        for x, y in ((e.lhs, e.rhs), (e.rhs, e.lhs)):
            a, c = _special(x, Sreg.CTAID), _special(y, Sreg.NTID)
            if a is not None and ((c is not None and c.dim == a.dim) or (
                    block is not None and isinstance(y, ir.Const) and y.value == block[a.dim])):
                return a.dim
    elif e.op is Op.ADD:
        for x, y in ((e.lhs, e.rhs), (e.rhs, e.lhs)):
            t = _special(y, Sreg.TID)
            if isinstance(x, ir.Binary) and x.op is Op.MUL and t is not None:
                if thread_index_dim(x, block) == t.dim:
                    return t.dim
    return None


def _special(e: ir.Expr, reg: Sreg) -> ir.Special | None:
    while isinstance(e, ir.Cast) and _int(e.type) and e.type.bits >= 32:
        e = e.value
    return e if isinstance(e, ir.Special) and e.reg is reg else None
