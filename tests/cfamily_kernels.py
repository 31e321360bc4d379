"""Hand-built IR kernels shared by test_cfamily.py and test_opencl.py (no frontend needed)."""

from __future__ import annotations

from portable import ir
from portable.ir import Op, Sreg
from portable.types import F32, F64, I32, I64, U32, U64, Array, Pointer, Scalar, Space

TID = ir.Special(Sreg.TID, 0)
BID = ir.Special(Sreg.CTAID, 0)
NTID = ir.Special(Sreg.NTID, 0)
I = ir.Var("i", I32)


def ptr(t: Scalar, restrict: bool = False) -> Pointer:
    return Pointer(t, Space.GLOBAL, restrict=restrict)


def gid() -> ir.Decl:
    """int i = blockIdx.x * blockDim.x + threadIdx.x;"""
    return ir.Decl(I, ir.Cast(ir.Binary(Op.ADD, ir.Binary(Op.MUL, BID, NTID, U32), TID, U32),
                              I32))


def ld(p: ir.Expr, i: ir.Expr = I) -> ir.Load:
    return ir.Load(p, (i,), p.type.elem)


def binop(op: Op, t: Scalar) -> ir.Function:
    """out[i] = a[i] <op> b[i] for every i < n."""
    a, b, out = (ir.Param(n, ptr(t)) for n in ("a", "b", "out"))
    n = ir.Param("n", I32)
    body = (gid(), ir.If(ir.Compare(Op.LT, I, n), (
        ir.Store(out, (I,), ir.Binary(op, ld(a), ld(b), t)),)))
    return ir.Function(f"{op.name.lower()}_{t}", (a, b, out, n), body)


def convert(src: Scalar, dst: Scalar) -> ir.Function:
    """out[i] = (dst)x[i]."""
    x, out, n = ir.Param("x", ptr(src)), ir.Param("out", ptr(dst)), ir.Param("n", I32)
    body = (gid(), ir.If(ir.Compare(Op.LT, I, n), (
        ir.Store(out, (I,), ir.Cast(ld(x), dst)),)))
    return ir.Function(f"convert_{src}_{dst}", (x, out, n), body)


def block_sum() -> ir.Function:
    """A shared-memory tree reduction per block: out[blockIdx.x] = sum of its x."""
    x, out = ir.Param("x", ptr(F32, True)), ir.Param("out", ptr(F32, True))
    tile = ir.Var("tile", Array(F32, (128,), Space.SHARED))
    tid = ir.Var("tid", I32)
    s = ir.Var("s", I32)
    step = ir.If(ir.Compare(Op.LT, tid, s), (
        ir.Store(tile, (tid,), ir.Binary(
            Op.ADD, ir.Load(tile, (tid,), F32),
            ir.Load(tile, (ir.Binary(Op.ADD, tid, s, I32),), F32), F32)),))
    body = (
        gid(), ir.Decl(tid, ir.Cast(TID, I32)),
        ir.Store(tile, (tid,), ld(x)),
        ir.Barrier(),
        ir.Decl(s, ir.const(64)),
        ir.While(ir.Compare(Op.GT, s, ir.const(0)), (
            step, ir.Barrier(), ir.Assign(s, ir.Binary(Op.SHR, s, ir.const(1), I32)))),
        ir.If(ir.Compare(Op.EQ, tid, ir.const(0)), (
            ir.Store(out, (ir.Cast(BID, I32),), ir.Load(tile, (ir.const(0),), F32)),)),
    )
    return ir.Function("block_sum", (x, out), body, shared=(tile,))


def atomics(t: Scalar) -> ir.Function:
    """acc[0] += x[i]; acc[1] = max; acc[2] = min (as atomics); old values to olds[i]."""
    x, acc, olds = ir.Param("x", ptr(t)), ir.Param("acc", ptr(t)), ir.Param("olds", ptr(t))
    body = (gid(),
            ir.Store(olds, (I,), ir.Atomic(Op.ATOMIC_ADD, acc, (ir.const(0),), ld(x), t)),
            ir.ExprStmt(ir.Atomic(Op.ATOMIC_MAX, acc, (ir.const(1),), ld(x), t)),
            ir.ExprStmt(ir.Atomic(Op.ATOMIC_MIN, acc, (ir.const(2),), ld(x), t)))
    return ir.Function(f"atomics_{t}", (x, acc, olds), body)


def atomic_inc() -> ir.Function:
    """CUDA atomicInc wraps at the bound: counter[0] = atomicInc(counter, bound)."""
    c, bound = ir.Param("counter", ptr(U32)), ir.Param("bound", U32)
    return ir.Function("atomic_inc", (c, bound), (
        ir.ExprStmt(ir.Atomic(Op.ATOMIC_INC, c, (ir.const(0),), bound, U32)),))


def shuffles(t: Scalar = F32) -> ir.Function:
    """Each warp op's result per thread: xor-butterfly sum, up/down by 3 and idx, width 16."""
    x = ir.Param("x", ptr(t))
    outs = tuple(ir.Param(n, ptr(t)) for n in ("xsum", "up", "down", "idx"))
    ballot, votes = ir.Param("ballot", ptr(U32)), ir.Param("votes", ptr(I32))
    full = ir.const(0xFFFFFFFF, U32)
    v = ir.Var("v", t)
    m = ir.Var("m", I32)

    def shfl(op, val, lane, width=32):
        return ir.Shuffle(op, full, val, ir.const(lane), ir.const(width), t)
    pred = ir.Compare(Op.GT, ld(x), ir.const(0.5 if t.is_float else 50, t))
    body = (gid(), ir.Decl(v, ld(x)), ir.Decl(m, ir.const(1)),
            ir.While(ir.Compare(Op.LT, m, ir.const(32)), (
                ir.Assign(v, ir.Binary(Op.ADD, v, ir.Shuffle(Op.SHFL_XOR, full, v, m,
                                                             ir.const(32), t), t)),
                ir.Assign(m, ir.Binary(Op.MUL, m, ir.const(2), I32)))),
            ir.Store(outs[0], (I,), v),
            ir.Store(outs[1], (I,), shfl(Op.SHFL_UP, ld(x), 3, 16)),
            ir.Store(outs[2], (I,), shfl(Op.SHFL_DOWN, ld(x), 3, 16)),
            ir.Store(outs[3], (I,), shfl(Op.SHFL_IDX, ld(x), 21, 16)),
            ir.Store(ballot, (I,), ir.Vote(Op.VOTE_BALLOT, full, pred, U32)),
            ir.Store(votes, (ir.Binary(Op.MUL, I, ir.const(3), I32),),
                     ir.Vote(Op.VOTE_ALL, full, pred, I32)),
            ir.Store(votes, (ir.Binary(Op.ADD, ir.Binary(Op.MUL, I, ir.const(3), I32),
                                       ir.const(1), I32),),
                     ir.Vote(Op.VOTE_ANY, full, pred, I32)),
            ir.Store(votes, (ir.Binary(Op.ADD, ir.Binary(Op.MUL, I, ir.const(3), I32),
                                       ir.const(2), I32),),
                     ir.Vote(Op.SYNC_COUNT, None, pred, I32)))
    return ir.Function(f"shuffles_{t}", (x, *outs, ballot, votes), body)


def globals_kernel() -> ir.Function:
    """out[i] = table[i % 4][1] * scale + counter; counter is a __device__ scalar (atomicAdd)."""
    table = ir.Global("table", Array(F32, (4, 2), Space.CONSTANT))
    counter = ir.Global("counter", Array(I32, (1,), Space.GLOBAL))
    out = ir.Param("out", ptr(F32))
    r = ir.Binary(Op.MOD, I, ir.const(4), I32)
    body = (gid(),
            ir.Store(out, (I,), ir.Binary(Op.MUL, ir.Load(table, (r, ir.const(1)), F32),
                                          ir.const(2.0, F32), F32)),
            ir.ExprStmt(ir.Atomic(Op.ATOMIC_ADD, counter, (ir.const(0),), ir.const(1), I32)))
    return ir.Function("use_globals", (out,), body)


def dynamic_shared() -> ir.Function:
    """Reverse each block's slice through dynamic shared memory."""
    x, out = ir.Param("x", ptr(F64)), ir.Param("out", ptr(F64))
    s = ir.Var("buf", Array(F64, (), Space.SHARED))
    tid = ir.Var("tid", I32)
    last = ir.Binary(Op.SUB, ir.Binary(Op.SUB, ir.Cast(NTID, I32), ir.const(1), I32), tid, I32)
    body = (gid(), ir.Decl(tid, ir.Cast(TID, I32)), ir.Store(s, (tid,), ld(x)), ir.Barrier(),
            ir.Store(out, (I,), ir.Load(s, (last,), F64)))
    return ir.Function("reverse_blocks", (x, out), body, dynamic_shared=(s,))


GLOBALS = (ir.GlobalVar("table", Array(F32, (4, 2), Space.CONSTANT), Space.CONSTANT),
           ir.GlobalVar("counter", Array(I32, (1,), Space.GLOBAL), Space.GLOBAL))


def all_kernels() -> list[ir.Function]:
    """Every hand-built kernel, for the compile checks."""
    fns = [binop(op, t) for op in (Op.DIV, Op.MOD, Op.SHL, Op.SHR) for t in (I32, U32, I64)]
    fns += [binop(Op.ADD, F64), binop(Op.MOD, F32), binop(Op.FLOORDIV, I32),
            binop(Op.FLOORMOD, F32)]
    fns += [convert(F32, I32), convert(F64, U32), convert(F32, I64)]
    fns += [block_sum(), atomics(F32), atomics(I32), atomics(U64), atomics(F64), atomic_inc(),
            shuffles(F32), shuffles(I32), globals_kernel(), dynamic_shared()]
    return fns


# CUDA C with float3 in global and shared memory, pointer arithmetic and a by-value float3
VEC3 = r"""
__global__ void vec3_mix(const float3 *a, float3 *b, float *s, float3 w, int n)
{
    __shared__ float3 tile[2][64];
    int t = threadIdx.x;
    int i = blockIdx.x * blockDim.x + t;
    float3 v = i < n ? a[i] : make_float3(0.0f, 0.0f, 0.0f);
    tile[t & 1][t >> 1] = v;
    __syncthreads();
    if (i < n) {
        float3 u = tile[(t ^ 1) & 1][(t ^ 1) >> 1];
        float3 *q = b + i;
        q->x = v.x * w.x + u.y;
        b[i].y = (a + (i + 2) - 2)->z - v.z + (float)i;
        b[i].z = v.z + w.z;
        s[i] = u.x + v.y * w.y;
    }
}
"""
