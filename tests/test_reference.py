"""The numpy reference backend on hand-built IR (and on CUDA C once the frontend parses it).

Every test uses fresh random inputs and an independent numpy/Python computation: integers are
compared exactly, floats with the tolerance stated at the comparison.
"""

from __future__ import annotations

import numpy as np
import pytest
from portable.backends import reference

from portable import ir
from portable.analysis.effects import written
from portable.errors import PortError
from portable.launch import LaunchSpec, check_args, check_dims
from portable.types import BOOL, F32, I32, U32, U64, Array, Pointer, Scalar, Space, Vector
from portable.verify import verify_function

Op = ir.Op

# ---------------------------------------------------------------- a tiny IR builder


def C(v, t: Scalar = I32) -> ir.Const:
    return ir.const(v, t)


def bop(op: Op, a: ir.Expr, b: ir.Expr) -> ir.Binary:
    return ir.Binary(op, a, b, a.type)


def add(a, b):
    return bop(Op.ADD, a, b)


def mul(a, b):
    return bop(Op.MUL, a, b)


def cmp(op: Op, a, b) -> ir.Compare:
    return ir.Compare(op, a, b)


def cast(e: ir.Expr, t) -> ir.Cast:
    return ir.Cast(e, t)


def ld(base: ir.Expr, *idx: ir.Expr) -> ir.Load:
    return ir.Load(base, idx, ir.elem_type(base.type))


def st(base: ir.Expr, idx, value: ir.Expr) -> ir.Store:
    return ir.Store(base, idx if isinstance(idx, tuple) else (idx,), value)


def P(name: str, t) -> ir.Param:
    return ir.Param(name, t)


def ptr(t, space: Space = Space.GLOBAL) -> Pointer:
    return Pointer(t, space)


def V(name: str, t) -> ir.Var:
    return ir.Var(name, t)


def special(reg: ir.Sreg, dim: int = 0) -> ir.Cast:
    return cast(ir.Special(reg, dim), I32)


TID, BID, BDIM = special(ir.Sreg.TID), special(ir.Sreg.CTAID), special(ir.Sreg.NTID)
GID = add(mul(BID, BDIM), TID)
i = V("i", I32)
DECL_I = ir.Decl(i, GID)


def kernel(name: str, params, *body, shared=(), dyn=(), verify: bool = True) -> ir.Function:
    fn = ir.Function(name, tuple(params), tuple(body), shared=tuple(shared),
                     dynamic_shared=tuple(dyn))
    if verify:  # hand-built IR must meet the same rules as a frontend's
        verify_function(ir.ModuleIR((fn,)), fn)
    return fn


def launch(fn: ir.Function, grid, block, *args, shared_mem: int = 0, globals=None, **options):
    g, b = check_dims(grid, block)
    vals = check_args(fn, args, written(fn))
    spec = LaunchSpec(fn, g, b, vals, shared_mem, globals if globals is not None else {})
    reference.compile(fn, options)(spec)


@pytest.fixture
def rng():
    return np.random.default_rng()


BATCHINGS = [{}, {"batch_blocks": 1}, {"batch_blocks": 3}, {"max_lanes": 64}]

# ---------------------------------------------------------------- elementwise, C semantics


def saxpy() -> ir.Function:
    x, y, a, n = P("x", ptr(F32)), P("y", ptr(F32)), P("a", F32), P("n", I32)
    return kernel("saxpy", (a, x, y, n), DECL_I,
                  ir.If(cmp(Op.GE, i, n), (ir.Return(),)),
                  st(y, i, add(mul(a, ld(x, i)), ld(y, i))))


@pytest.mark.parametrize("opts", BATCHINGS)
def test_saxpy_early_return_all_batchings(rng, opts):
    n = 1000
    x = rng.standard_normal(n).astype(np.float32)
    y = rng.standard_normal(n + 24).astype(np.float32)  # the tail must stay untouched
    want = y.copy()
    want[:n] = np.float32(1.5) * x + y[:n]  # float32 arithmetic, as C does it
    launch(saxpy(), 8, 128, 1.5, x, y, n, **opts)
    np.testing.assert_array_equal(y, want)


def test_c_integer_semantics(rng):
    a, b, f = P("a", ptr(I32)), P("b", ptr(I32)), P("f", ptr(F32))
    outs = [P(f"o{k}", ptr(I32)) for k in range(5)]
    u = P("u", ptr(U32))
    ai, bi = ld(a, i), ld(b, i)
    sh = bop(Op.AND, bi, C(31))
    fn = kernel("csem", (a, b, f, *outs, u), DECL_I,
                st(outs[0], i, bop(Op.DIV, ai, bi)),
                st(outs[1], i, bop(Op.MOD, ai, bi)),
                st(outs[2], i, bop(Op.SHR, ai, sh)),
                st(outs[3], i, cast(ld(f, i), I32)),
                # mixed signed/unsigned compare: C converts a to unsigned
                st(outs[4], i, cast(cmp(Op.LT, cast(ai, U32), C(5, U32)), I32)),
                st(u, i, add(mul(cast(ai, U32), C(3, U32)), C(0xFFFFFFF0, U32))))
    n = 256
    av = rng.integers(-2**31, 2**31, n, dtype=np.int64).astype(np.int32)
    av[:4] = [-7, 7, -7, 3]
    bv = rng.integers(-1000, 1000, n).astype(np.int32)
    bv[bv == 0] = 3
    bv[:4] = [2, -2, -2, 5]
    fv = rng.uniform(-1e6, 1e6, n).astype(np.float32)
    o = [np.full(n, -99, np.int32) for _ in range(5)]
    uo = np.zeros(n, np.uint32)
    launch(fn, 2, 128, av, bv, fv, *o, uo)
    q = [(1 if (x < 0) == (y < 0) else -1) * (abs(int(x)) // abs(int(y)))
         for x, y in zip(av, bv, strict=True)]
    np.testing.assert_array_equal(o[0], q)  # truncates towards zero: -7/2 == -3
    pairs = list(zip(av.tolist(), bv.tolist(), strict=True))
    np.testing.assert_array_equal(o[1], [x - qq * y for (x, y), qq in zip(pairs, q, strict=True)])
    assert o[0][0] == -3 and o[1][0] == -1 and o[1][1] == 1
    np.testing.assert_array_equal(o[2], [x >> (y & 31) for x, y in pairs])
    np.testing.assert_array_equal(o[3], np.trunc(fv.astype(np.float64)).astype(np.int64))
    np.testing.assert_array_equal(o[4], [(int(x) % 2**32) < 5 for x in av])
    np.testing.assert_array_equal(uo, [(int(x) % 2**32 * 3 + 0xFFFFFFF0) % 2**32 for x in av])


def test_intrinsics_through_semantics(rng):
    x, o, m = P("x", ptr(F32)), P("o", ptr(F32)), P("m", ptr(I32))
    xi = ld(x, i)
    fn = kernel("intr", (x, o, m), DECL_I,
                st(o, i, ir.Call("sqrt", (ir.Call("fabs", (xi,), F32),), F32)),
                st(m, i, ir.Call("min", (TID, C(40)), I32)))
    xv = rng.standard_normal(64).astype(np.float32)
    ov, mv = np.zeros(64, np.float32), np.zeros(64, np.int32)
    launch(fn, 1, 64, xv, ov, mv)
    np.testing.assert_allclose(ov, np.sqrt(np.abs(xv)), rtol=1e-6)  # float32 sqrt, 1e-6
    np.testing.assert_array_equal(mv, np.minimum(np.arange(64), 40))


def test_3d_grid_and_block_indices():
    o = P("o", ptr(I32))
    comps = [special(r, d) for r in (ir.Sreg.TID, ir.Sreg.CTAID) for d in range(3)]
    code = C(0)
    for c in comps:
        code = add(mul(code, C(8)), c)
    lin = C(0)  # linear global thread id with x fastest
    gdim = [special(ir.Sreg.NCTAID, d) for d in range(3)]
    bdim = [special(ir.Sreg.NTID, d) for d in range(3)]
    blin = add(mul(add(mul(comps[5], gdim[1]), comps[4]), gdim[0]), comps[3])
    tlin = add(mul(add(mul(comps[2], bdim[1]), comps[1]), bdim[0]), comps[0])
    lin = add(mul(blin, mul(mul(bdim[0], bdim[1]), bdim[2])), tlin)
    fn = kernel("idx3", (o,), st(o, lin, code))
    grid, block = (3, 2, 2), (4, 3, 2)
    out = np.full(12 * 24, -1, np.int32)
    launch(fn, grid, block, out)
    want = []
    for bz in range(2):
        for by in range(2):
            for bx in range(3):
                for tz in range(2):
                    for ty in range(3):
                        for tx in range(4):
                            c = 0
                            for v in (tx, ty, tz, bx, by, bz):
                                c = c * 8 + v
                            want.append(c)
    np.testing.assert_array_equal(out, want)


# ---------------------------------------------------------------- masks and control flow


def test_divergent_while_with_break_continue(rng):
    """Each thread counts to its own trip count, skipping multiples of 3, stopping past lim."""
    t, o, lim = P("t", ptr(I32)), P("o", ptr(I32)), P("lim", I32)
    k, acc = V("k", I32), V("acc", I32)
    fn = kernel("divloop", (t, o, lim), DECL_I, ir.Decl(k, C(0)), ir.Decl(acc, C(0)),
                ir.While(cmp(Op.LT, k, ld(t, i)), (
                    ir.Assign(k, add(k, C(1))),
                    ir.If(cmp(Op.EQ, bop(Op.MOD, k, C(3)), C(0)), (ir.Continue(),)),
                    ir.Assign(acc, add(acc, k)),
                    ir.If(cmp(Op.GT, acc, lim), (ir.Break(),)),
                )),
                st(o, i, add(mul(acc, C(1000)), k)))
    n = 200
    tv = rng.integers(0, 40, n).astype(np.int32)
    ov = np.zeros(n, np.int32)
    launch(fn, 4, 50, tv, ov, 150)
    want = []
    for trip in tv:
        kk = a = 0
        while kk < trip:
            kk += 1
            if kk % 3 == 0:
                continue
            a += kk
            if a > 150:
                break
        want.append(a * 1000 + kk)
    np.testing.assert_array_equal(ov, want)


def test_for_dowhile_and_return_inside_loop(rng):
    t, o = P("t", ptr(I32)), P("o", ptr(I32))
    j, s, d = V("j", I32), V("s", I32), V("d", I32)
    fn = kernel("forret", (t, o), DECL_I, ir.Decl(s, C(0)), ir.Decl(d, C(0)),
                ir.DoWhile((ir.Assign(d, add(d, C(2))),), cmp(Op.LT, d, ld(t, i))),
                ir.For(j, C(0), ld(t, i), C(1), (
                    ir.If(cmp(Op.EQ, j, C(13)), (st(o, i, C(-13)), ir.Return())),
                    ir.Assign(s, add(s, mul(j, j))),
                )),
                st(o, i, add(mul(s, C(100)), d)))
    tv = rng.integers(0, 30, 96).astype(np.int32)
    ov = np.zeros(96, np.int32)
    launch(fn, 3, 32, tv, ov)
    want = []
    for trip in tv:
        dd = 0
        while True:
            dd += 2
            if not dd < trip:
                break
        want.append(-13 if trip > 13 else sum(x * x for x in range(trip)) * 100 + dd)
    np.testing.assert_array_equal(ov, want)


def test_lazy_and_select_never_load_out_of_bounds(rng):
    a, o, n = P("a", ptr(I32)), P("o", ptr(I32)), P("n", I32)
    inb = cmp(Op.LT, i, n)
    pos = ir.Binary(Op.LAND, inb, cmp(Op.GT, ld(a, i), C(0)), BOOL)
    neg = ir.Binary(Op.LOR, cmp(Op.GE, i, n), cmp(Op.LE, ld(a, i), C(0)), BOOL)
    sel = ir.Select(inb, ld(a, i), C(-1), I32)
    fn = kernel("lazy", (a, o, n), DECL_I,
                st(o, i, add(add(mul(cast(pos, I32), C(10)), mul(cast(neg, I32), C(100))), sel)))
    av = rng.integers(-5, 5, 50).astype(np.int32)
    ov = np.zeros(64, np.int32)
    launch(fn, 2, 32, av, ov, 50)
    full = np.r_[av, np.zeros(14, np.int32)]
    inside = np.arange(64) < 50
    want = 10 * (inside & (full > 0)) + 100 * (~inside | (full <= 0)) + np.where(inside, full, -1)
    np.testing.assert_array_equal(ov, want)


def test_runaway_loop_is_port5003():
    o = P("o", ptr(I32))
    fn = kernel("spin", (o,), ir.While(ir.TRUE, (st(o, C(0), C(1)),)))
    out = np.zeros(1, np.int32)
    with pytest.raises(PortError) as e:
        launch(fn, 1, 32, out, max_iterations=50)
    assert e.value.code == "PORT5003" and "spin" in str(e.value)
    assert out[0] == 0  # untouched


# ---------------------------------------------------------------- shared memory and barriers


def block_sum(bs: int) -> ir.Function:
    x, o = P("x", ptr(I32)), P("o", ptr(I32))
    sh = V("sh", Array(I32, (bs,), Space.SHARED))
    tid, s = V("tid", I32), V("stride", I32)
    return kernel("block_sum", (x, o), DECL_I, ir.Decl(tid, TID),
                  st(sh, tid, ld(x, i)), ir.Barrier(),
                  ir.Decl(s, bop(Op.SHR, BDIM, C(1))),
                  ir.While(cmp(Op.GT, s, C(0)), (
                      ir.If(cmp(Op.LT, tid, s),
                            (st(sh, tid, add(ld(sh, tid), ld(sh, add(tid, s)))),)),
                      ir.Barrier(),
                      ir.Assign(s, bop(Op.SHR, s, C(1))),
                  )),
                  ir.If(cmp(Op.EQ, tid, C(0)), (st(o, BID, ld(sh, C(0))),)),
                  shared=(sh,))


@pytest.mark.parametrize("opts", BATCHINGS)
def test_shared_memory_tree_reduction(rng, opts):
    xv = rng.integers(-1000, 1000, 7 * 64).astype(np.int32)
    ov = np.zeros(7, np.int32)
    launch(block_sum(64), 7, 64, xv, ov, **opts)
    np.testing.assert_array_equal(ov, xv.reshape(7, 64).sum(1))


def test_barrier_reached_by_some_threads_is_port5002():
    o = P("o", ptr(I32))
    fn = kernel("badsync", (o,), ir.If(cmp(Op.LT, TID, C(5)), (ir.Barrier(),)),
                st(o, TID, C(1)), verify=False)
    out = np.zeros(32, np.int32)
    with pytest.raises(PortError) as e:
        launch(fn, 2, 32, out)
    assert e.value.code == "PORT5002"
    assert "block (0, 0, 0)" in str(e.value) and "thread (5, 0, 0)" in str(e.value)
    assert not out.any()


def test_barrier_after_early_return_of_some_threads_is_allowed(rng):
    """Threads that returned no longer take part in __syncthreads (as on current GPUs)."""
    x, o, n = P("x", ptr(I32)), P("o", ptr(I32)), P("n", I32)
    sh = V("sh", Array(I32, (32,), Space.SHARED))
    fn = kernel("retsync", (x, o, n), DECL_I, ir.If(cmp(Op.GE, i, n), (ir.Return(),)),
                st(sh, TID, ld(x, i)), ir.Barrier(),
                st(o, i, ld(sh, bop(Op.XOR, TID, C(1)))), shared=(sh,))
    xv = rng.integers(0, 100, 64).astype(np.int32)
    ov = np.zeros(64, np.int32)
    launch(fn, 2, 32, xv, ov, 64)
    np.testing.assert_array_equal(ov, xv[np.arange(64) ^ 1])


def test_dynamic_shared_views_alias_one_buffer(rng):
    """Two `extern __shared__` views (float and int) see the same bytes."""
    x, o = P("x", ptr(F32)), P("o", ptr(I32))
    fv, iv = V("fbuf", Array(F32, (), Space.SHARED)), V("ibuf", Array(I32, (), Space.SHARED))
    fn = kernel("alias", (x, o), DECL_I, st(fv, TID, ld(x, i)), ir.Barrier(),
                st(o, i, ld(iv, bop(Op.SUB, add(BDIM, C(-1)), TID))), dyn=(fv, iv))
    xv = rng.standard_normal(128).astype(np.float32)
    ov = np.zeros(128, np.int32)
    launch(fn, 2, 64, xv, ov, shared_mem=64 * 4)
    np.testing.assert_array_equal(ov, xv.view(np.int32).reshape(2, 64)[:, ::-1].reshape(-1))
    with pytest.raises(PortError) as e:  # too little dynamic shared memory
        launch(fn, 2, 64, xv, ov, shared_mem=63 * 4)
    assert e.value.code == "PORT5001" and "extern __shared__" in str(e.value)


# ---------------------------------------------------------------- out-of-bounds accesses


def test_out_of_bounds_store_leaves_arrays_untouched(rng):
    a, o, n = P("a", ptr(F32)), P("o", ptr(F32)), P("n", I32)
    fn = kernel("oob", (a, o, n), DECL_I, st(o, i, C(5.0, F32)),
                ir.If(cmp(Op.EQ, i, C(77)), (st(a, add(n, C(3)), C(1.0, F32)),)))
    av = rng.standard_normal(100).astype(np.float32)
    ov = rng.standard_normal(128).astype(np.float32)
    a0, o0 = av.copy(), ov.copy()
    with pytest.raises(PortError) as e:
        launch(fn, 4, 32, av, ov, 100)
    msg = str(e.value)
    assert e.value.code == "PORT5001"
    for part in ("'oob'", "'a'", "index 103", "block (2, 0, 0)", "thread (13, 0, 0)", "store"):
        assert part in msg, (part, msg)
    np.testing.assert_array_equal(av, a0)
    np.testing.assert_array_equal(ov, o0)  # the in-bounds stores were not copied back either


def test_out_of_bounds_2d_shared_names_each_index():
    o = P("o", ptr(I32))
    tile = V("tile", Array(I32, (4, 8), Space.SHARED))
    fn = kernel("oob2", (o,), st(tile, (bop(Op.SHR, TID, C(3)), bop(Op.AND, TID, C(7))), TID),
                ir.Barrier(), st(o, TID, ld(tile, bop(Op.AND, TID, C(3)), TID)), shared=(tile,))
    out = np.zeros(32, np.int32)
    with pytest.raises(PortError) as e:
        launch(fn, 1, 32, out)
    assert "tile[0][8]" in str(e.value) and "thread (8, 0, 0)" in str(e.value)


# ---------------------------------------------------------------- atomics


def test_histogram_atomics_shared_then_global(rng):
    x, h = P("x", ptr(I32)), P("h", ptr(U32))
    nb = 16
    sh = V("hs", Array(U32, (nb,), Space.SHARED))
    tid = V("t", I32)
    fn = kernel("hist", (x, h), DECL_I, ir.Decl(tid, TID),
                ir.If(cmp(Op.LT, tid, C(nb)), (st(sh, tid, C(0, U32)),)), ir.Barrier(),
                ir.ExprStmt(ir.Atomic(Op.ATOMIC_ADD, sh, (ld(x, i),), C(1, U32), U32)),
                ir.Barrier(),
                ir.If(cmp(Op.LT, tid, C(nb)), (ir.ExprStmt(
                    ir.Atomic(Op.ATOMIC_ADD, h, (tid,), ld(sh, tid), U32)),)),
                shared=(sh,))
    xv = rng.integers(0, nb, 5 * 96).astype(np.int32)
    for opts in BATCHINGS:
        hv = np.zeros(nb, np.uint32)
        launch(fn, 5, 96, xv, hv, **opts)
        np.testing.assert_array_equal(hv, np.bincount(xv, minlength=nb))


def test_float_atomic_add_is_the_serial_sum_in_lane_order(rng):
    x, s = P("x", ptr(F32)), P("s", ptr(F32))
    fn = kernel("fsum", (x, s), DECL_I,
                ir.ExprStmt(ir.Atomic(Op.ATOMIC_ADD, s, (C(0),), ld(x, i), F32)))
    xv = rng.standard_normal(640).astype(np.float32)
    for opts in ({}, {"batch_blocks": 1}, {"serial_atomics": True}):
        sv = np.array([0.25], np.float32)
        launch(fn, 5, 128, xv, sv, **opts)
        serial = np.float32(0.25)
        for v in xv:
            serial = np.float32(serial + v)
        assert sv[0] == serial  # exact: lane order is the documented order
        np.testing.assert_allclose(sv[0], 0.25 + xv.astype(np.float64).sum(), atol=1e-3)


def test_atomic_add_return_value_is_lane_order_ticket(rng):
    c, o = P("c", ptr(I32)), P("o", ptr(I32))
    slot = V("slot", I32)
    fn = kernel("ticket", (c, o), DECL_I,
                ir.Decl(slot, ir.Atomic(Op.ATOMIC_ADD, c, (bop(Op.AND, i, C(3)),), C(1), I32)),
                st(o, i, slot))
    for opts in ({}, {"serial_atomics": True}, {"batch_blocks": 1}):
        cv = rng.integers(0, 100, 4).astype(np.int32)
        c0 = cv.copy()
        ov = np.zeros(300, np.int32)
        launch(fn, 3, 100, cv, ov, **opts)
        np.testing.assert_array_equal(ov, c0[np.arange(300) % 4] + np.arange(300) // 4)
        np.testing.assert_array_equal(cv, c0 + 75)


def _cuda_atomic(op: Op, old: int, val: int, cmpv: int, bits: int = 32) -> int:
    """CUDA's definitions, written out independently of portable.semantics (u32/i32)."""
    m = (1 << bits) - 1
    return {
        Op.ATOMIC_SUB: lambda: old - val, Op.ATOMIC_MIN: lambda: min(old, val),
        Op.ATOMIC_MAX: lambda: max(old, val), Op.ATOMIC_EXCH: lambda: val,
        Op.ATOMIC_AND: lambda: old & val, Op.ATOMIC_OR: lambda: old | val,
        Op.ATOMIC_XOR: lambda: old ^ val, Op.ATOMIC_ADD: lambda: old + val,
        Op.ATOMIC_INC: lambda: 0 if old >= val else old + 1,
        Op.ATOMIC_DEC: lambda: val if old == 0 or old > val else old - 1,
        Op.ATOMIC_CAS: lambda: val if old == cmpv else old,
    }[op]() & m


@pytest.mark.parametrize("op", [Op.ATOMIC_SUB, Op.ATOMIC_MIN, Op.ATOMIC_MAX, Op.ATOMIC_EXCH,
                                Op.ATOMIC_AND, Op.ATOMIC_OR, Op.ATOMIC_XOR, Op.ATOMIC_INC,
                                Op.ATOMIC_DEC, Op.ATOMIC_CAS, Op.ATOMIC_ADD])
def test_atomics_used_and_unused_follow_cuda_in_lane_order(rng, op):
    t = U32
    mem, v, o = P("mem", ptr(t)), P("v", ptr(t)), P("o", ptr(t))
    addr = (bop(Op.MOD, i, C(3)),)
    cmpv = bop(Op.AND, ld(v, i), C(3, t)) if op is Op.ATOMIC_CAS else None
    val = bop(Op.AND, ld(v, i), C(7, t)) if op is Op.ATOMIC_CAS else ld(v, i)
    used = kernel("used", (mem, v, o), DECL_I,
                  st(o, i, ir.Atomic(op, mem, addr, val, t, compare=cmpv)))
    unused = kernel("unused", (mem, v, o), DECL_I,
                    ir.ExprStmt(ir.Atomic(op, mem, addr, val, t, compare=cmpv)))
    n = 150
    hi = 20 if op in (Op.ATOMIC_INC, Op.ATOMIC_DEC, Op.ATOMIC_CAS) else 2**32
    vv = rng.integers(0, hi, n, dtype=np.uint64).astype(np.uint32)
    m0 = rng.integers(0, 8, 3, dtype=np.uint64).astype(np.uint32)
    want_mem, want_old = [int(x) for x in m0], []
    for k in range(n):  # one thread after another, in thread order
        cv = int(vv[k]) & 3
        x = int(vv[k]) & 7 if op is Op.ATOMIC_CAS else int(vv[k])
        want_old.append(want_mem[k % 3])
        want_mem[k % 3] = _cuda_atomic(op, want_mem[k % 3], x, cv)
    mv, ov = m0.copy(), np.zeros(n, np.uint32)
    launch(used, 3, 50, mv, vv, ov)
    np.testing.assert_array_equal(ov, want_old)
    np.testing.assert_array_equal(mv, want_mem)
    for opts in ({}, {"serial_atomics": True}):
        mv = m0.copy()
        launch(unused, 3, 50, mv, vv, ov, **opts)
        np.testing.assert_array_equal(mv, want_mem)


# ---------------------------------------------------------------- warp collectives


def _shfl_ref(op: Op, vals: np.ndarray, T: int, arg: int, w: int) -> np.ndarray:
    """CUDA's documented shuffle results per thread; a missing source lane keeps its value."""
    out = vals.copy()
    for b in range(len(vals) // T):
        for t in range(T):
            lane, base = t % 32, t - t % 32
            if op is Op.SHFL_IDX:
                src = lane // w * w + arg % w
            elif op is Op.SHFL_UP:
                src = lane - arg if lane % w >= arg else lane
            elif op is Op.SHFL_DOWN:
                src = lane + arg if lane % w + arg < w else lane
            else:
                src = lane ^ arg
            if base + src < T:
                out[b * T + t] = vals[b * T + base + src]
    return out


@pytest.mark.parametrize("op", [Op.SHFL_IDX, Op.SHFL_UP, Op.SHFL_DOWN, Op.SHFL_XOR])
@pytest.mark.parametrize("width", [32, 16, 4])
def test_shuffles_across_a_partial_warp(rng, op, width):
    x, o, arg = P("x", ptr(I32)), P("o", ptr(I32)), P("arg", I32)
    fn = kernel("shfl", (x, o, arg), DECL_I,
                st(o, i, ir.Shuffle(op, C(0xFFFFFFFF, U32), ld(x, i), arg, C(width), I32)))
    T = 48  # the second warp of each block has 16 threads
    xv = rng.integers(-10**6, 10**6, 3 * T).astype(np.int32)
    for a in (1, 3, width - 1, 2) if op is not Op.SHFL_IDX else (0, 5, 17, 31):
        ov = np.zeros(3 * T, np.int32)
        launch(fn, 3, T, xv, ov, a)
        np.testing.assert_array_equal(ov, _shfl_ref(op, xv, T, a, width), err_msg=f"arg {a}")


def test_votes_partial_warp_and_divergence(rng):
    x, o = P("x", ptr(I32)), P("o", ptr(U32))
    full = C(0xFFFFFFFF, U32)
    p = cmp(Op.GT, ld(x, i), C(0))
    j = mul(i, C(5))

    def vote(op, pred, mask=full):
        return ir.Vote(op, mask, pred, U32 if op in (Op.VOTE_BALLOT, Op.ACTIVEMASK) else I32)

    fn = kernel("votes", (x, o), DECL_I,
                st(o, j, vote(Op.VOTE_BALLOT, p)),
                st(o, add(j, C(1)), cast(vote(Op.VOTE_ANY, p), U32)),
                st(o, add(j, C(2)), cast(vote(Op.VOTE_ALL, p), U32)),
                ir.If(cmp(Op.EQ, bop(Op.MOD, TID, C(3)), C(0)),
                      (st(o, add(j, C(3)), vote(Op.ACTIVEMASK, None, None)),),
                      (st(o, add(j, C(3)), C(7, U32)),)),
                st(o, add(j, C(4)), cast(ir.Vote(Op.SYNC_COUNT, None, p, I32), U32)))
    T, nb = 40, 2
    xv = rng.integers(-3, 10, nb * T).astype(np.int32)
    xv[32:40] = 1  # the partial warp of block 0 all true
    ov = np.zeros(nb * T * 5, np.uint32)
    launch(fn, nb, T, xv, ov)
    got = ov.reshape(-1, 5)
    for g in range(nb * T):
        b, t = divmod(g, T)
        w0 = b * T + t - t % 32
        lanes = range(w0, min(w0 + 32, b * T + T))
        ballot = sum(1 << (k - w0) for k in lanes if xv[k] > 0)
        assert got[g, 0] == ballot
        assert got[g, 1] == (ballot != 0)
        assert got[g, 2] == all(xv[k] > 0 for k in lanes)
        act = sum(1 << (k - w0) for k in lanes if (k - b * T) % 3 == 0)
        assert got[g, 3] == (act if t % 3 == 0 else 7)
        assert got[g, 4] == (xv[b * T:b * T + T] > 0).sum()
    assert got[32, 2] == 1  # the 8-thread partial warp votes among its own threads


# ---------------------------------------------------------------- pointers, locals, globals


def test_local_arrays_pointer_locals_and_arithmetic(rng):
    a, b, o = P("a", ptr(I32)), P("b", ptr(I32)), P("o", ptr(I32))
    arr = V("arr", Array(I32, (4,), Space.LOCAL))
    j = V("j", I32)
    q, r = V("q", Pointer(I32, Space.LOCAL)), V("r", Pointer(I32))
    fn = kernel("ptrs", (a, b, o), DECL_I, ir.Decl(arr),
                ir.For(j, C(0), C(4), C(1), (st(arr, j, mul(ld(a, i), add(j, C(1)))),)),
                ir.Decl(q, ir.AddrOf(arr, (C(1),), Pointer(I32, Space.LOCAL))),
                ir.Assign(q, add(q, C(2))),  # &arr[3]
                # a per-lane choice between two arguments, then pointer arithmetic on it
                ir.Decl(r, ir.Select(cmp(Op.EQ, bop(Op.AND, i, C(1)), C(0)), a, b, Pointer(I32))),
                ir.Assign(r, add(r, i)),
                st(o, i, add(ld(q, C(-1)), mul(ld(r, C(0)), C(1000)))))
    av = rng.integers(-100, 100, 64).astype(np.int32)
    bv = rng.integers(-100, 100, 64).astype(np.int32)
    ov = np.zeros(64, np.int32)
    launch(fn, 2, 32, av, bv, ov)
    np.testing.assert_array_equal(ov, 3 * av + 1000 * np.where(np.arange(64) % 2 == 0, av, bv))


def test_same_array_passed_twice_is_one_buffer(rng):
    a, b = P("a", ptr(I32)), P("b", ptr(I32))
    fn = kernel("inplace", (a, b), DECL_I, st(b, i, add(ld(a, i), C(1))),
                st(a, i, mul(ld(b, i), C(2))))
    x = rng.integers(-1000, 1000, 64).astype(np.int32)
    want = (x + 1) * 2
    launch(fn, 2, 32, x, x)
    np.testing.assert_array_equal(x, want)
    y = rng.integers(-1000, 1000, 65).astype(np.int32)  # overlapping views, one element apart
    want = y.copy()
    want[1:] = y[:-1] + 1  # b[i] = a[i] + 1: every lane reads before any writes (lock-step)
    want[:-1] = want[1:] * 2  # a[i] = b[i] * 2 sees those writes through the other name
    launch(fn, 2, 32, y[:-1], y[1:])
    np.testing.assert_array_equal(y, want)


def test_module_globals_update_in_place_only_on_success(rng):
    coef = ir.Global("coef", Array(F32, (4,), Space.CONSTANT))
    bias = ir.Global("bias", F32)  # a scalar __device__ variable read as a value
    count = ir.Global("count", Array(U32, (1,), Space.GLOBAL))
    x, o = P("x", ptr(F32)), P("o", ptr(F32))
    gvars = (ir.GlobalVar("coef", coef.type, Space.CONSTANT),
             ir.GlobalVar("bias", F32, Space.GLOBAL),
             ir.GlobalVar("count", count.type, Space.GLOBAL))
    fn = ir.Function("g", (x, o), (DECL_I,
                     st(o, i, add(mul(ld(x, i), ld(coef, bop(Op.AND, i, C(3)))), bias)),
                     ir.ExprStmt(ir.Atomic(Op.ATOMIC_ADD, count, (C(0),), C(1, U32), U32))))
    verify_function(ir.ModuleIR((fn,), gvars), fn)
    g = {"coef": rng.standard_normal(4).astype(np.float32), "count": np.array([5], np.uint32),
         "bias": np.array(rng.standard_normal(), np.float32)}
    xv, ov = rng.standard_normal(64).astype(np.float32), np.zeros(64, np.float32)
    launch(fn, 2, 32, xv, ov, globals=g)
    np.testing.assert_array_equal(ov, xv * g["coef"][np.arange(64) % 4] + g["bias"])  # f32 ops
    assert g["count"][0] == 69
    with pytest.raises(PortError):  # out of bounds on x: nothing is written back
        launch(fn, 3, 32, xv, np.zeros(96, np.float32), globals=g)
    assert g["count"][0] == 69


def test_vectors_pack_and_field(rng):
    f4 = Vector(F32, 4)
    v, o = P("v", ptr(f4)), P("o", ptr(Vector(F32, 2)))
    e = V("e", f4)
    fld = lambda n: ir.Field(e, n, F32)  # noqa: E731
    fn = kernel("vec", (v, o), DECL_I, ir.Decl(e, ld(v, i)),
                ir.Assign(e, add(e, e)),  # vector arithmetic is per component
                st(o, i, ir.Pack((add(fld("x"), fld("y")), mul(fld("z"), fld("w"))),
                                 Vector(F32, 2))))
    from portable.launch import elem_dtype

    vv = rng.standard_normal((64, 4)).astype(np.float32).view(elem_dtype(f4)).reshape(-1)
    ov = np.zeros(64, elem_dtype(Vector(F32, 2)))
    launch(fn, 2, 32, vv, ov)
    np.testing.assert_array_equal(ov["x"], 2 * vv["x"] + 2 * vv["y"])  # exact: doubling
    np.testing.assert_array_equal(ov["y"], (2 * vv["z"]) * (2 * vv["w"]))


def test_printf_in_thread_order(capfd):
    o = P("o", ptr(I32))
    fn = kernel("pr", (o,), ir.If(cmp(Op.LT, TID, C(2)), (
        ir.Print("a %d.%d\n", (BID, TID)), ir.Print("b %u %x\n", (C(-1), C(255))),)))
    launch(fn, 2, 8, np.zeros(1, np.int32), batch_blocks=2)
    out = capfd.readouterr().out.splitlines()
    want = []
    for b in range(2):
        for t in range(2):
            want += [f"a {b}.{t}", "b 4294967295 ff"]
    assert out == want


def test_u64_and_bool_types(rng):
    x, o = P("x", ptr(U64)), P("o", ptr(BOOL))
    fn = kernel("u64", (x, o), DECL_I,
                st(o, i, cmp(Op.GT, bop(Op.SHL, ld(x, i), C(1, U64)), ld(x, i))))
    xv = rng.integers(0, 2**64, 64, dtype=np.uint64)
    ov = np.zeros(64, bool)
    launch(fn, 1, 64, xv, ov)
    np.testing.assert_array_equal(ov, [(int(v) << 1) % 2**64 > int(v) for v in xv])


# ---------------------------------------------------------------- CUDA C, end to end


def cuda(src: str, scope: str = "core"):
    """Parse CUDA C; skip while the frontend has not landed (or, for scope "later", while it
    does not yet support the construct under test)."""
    try:
        from portable.frontends.cuda import parse  # noqa: F401
    except ImportError:
        pytest.skip("the CUDA C frontend has not landed yet")
    import portable

    try:
        return portable.parse_cuda(src, filename="t.cu")
    except PortError as e:
        if scope == "later" and e.code.startswith("PORT1"):
            pytest.skip(f"frontend does not support this yet: {e}")
        raise


CSEM = r"""
__global__ void csem(const int* a, const int* b, const float* f, int* q, int* r,
                     unsigned* u, int* sh, int* fi, int* cm, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    q[i] = a[i] / b[i];
    r[i] = a[i] % b[i];
    u[i] = (unsigned)a[i] * 3u + 0xFFFFFFF0u;
    sh[i] = (a[i] >> (b[i] & 31)) ^ (int)((unsigned)a[i] << 3);
    fi[i] = (int)f[i];
    cm[i] = (a[i] < 5u) + 2 * (-1 < (unsigned)b[i]) + 4 * ((short)a[i] < 0);
}
"""


def test_cuda_c_semantics_edge_cases(rng):
    k = cuda(CSEM)["csem"]
    n = 300
    a = rng.integers(-2**31, 2**31, n, dtype=np.int64).astype(np.int32)
    b = rng.integers(-1000, 1000, n).astype(np.int32)
    b[b == 0] = 7
    a[:4], b[:4] = [-7, 7, -7, -2**31], [2, -2, -2, -1]  # -7/2, 7/-2, INT_MIN/-1
    f = rng.uniform(-3e9, 3e9, n).astype(np.float32)  # some outside int's range: saturate
    outs = [np.zeros(n, np.int32) for _ in range(2)] + [np.zeros(n, np.uint32)] + \
        [np.zeros(n, np.int32) for _ in range(3)]
    k.launch(3, 128, a, b, f, *outs, n, backend="numpy")
    A, B = a.tolist(), b.tolist()
    q = [(-1 if (x < 0) != (y < 0) else 1) * (abs(x) // abs(y)) for x, y in zip(A, B, strict=1)]
    q = [(v + 2**31) % 2**32 - 2**31 for v in q]  # INT_MIN / -1 wraps
    np.testing.assert_array_equal(outs[0], q)
    assert outs[0][0] == -3 and outs[1][0] == -1 and outs[1][1] == 1
    np.testing.assert_array_equal(outs[1], [(x - qq * y + 2**31) % 2**32 - 2**31
                                            for x, y, qq in zip(A, B, q, strict=1)])
    np.testing.assert_array_equal(outs[2], [(x % 2**32 * 3 + 0xFFFFFFF0) % 2**32 for x in A])
    np.testing.assert_array_equal(outs[3], [(x >> (y & 31)) ^ ((x % 2**32 << 3) % 2**32 + 2**31)
                                            % 2**32 - 2**31 for x, y in zip(A, B, strict=1)])
    np.testing.assert_array_equal(outs[4], np.clip(np.trunc(f.astype(np.float64)), -2**31,
                                                   2**31 - 1))
    np.testing.assert_array_equal(outs[5], [(x % 2**32 < 5) + 0 + 4 * ((x + 2**15) % 2**16 <
                                            2**15) for x in A])


LOOPS = r"""
__global__ void loops(const int* t, int* o, int lim, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    int k = 0, acc = 0;
    while (k < t[i]) {
        k++;
        if (k % 3 == 0) continue;
        acc += k;
        if (acc > lim) break;
    }
    int x = 0;
    switch (t[i] % 4) {
        case 0: x = 10; break;
        case 1: x = 20;  /* falls through */
        case 2: x += 5; break;
        default: x = -1;
    }
    int s = 0;
    for (int j = 0; j < t[i]; ++j) {
        if (j == 13) { o[i] = -1; return; }
        s += j * j;
    }
    int d = 0;
    do { d += 2; } while (d < t[i]);
    o[i] = acc * 1000000 + s * 1000 + d * 10 + x;
}
"""


def _loops_ref(trip: int, lim: int) -> int:
    k = acc = 0
    while k < trip:
        k += 1
        if k % 3 == 0:
            continue
        acc += k
        if acc > lim:
            break
    x = {0: 10, 1: 25, 2: 5}.get(trip % 4, -1)
    if trip > 13:
        return -1
    d = 2
    while d < trip:
        d += 2
    return acc * 1000000 + sum(j * j for j in range(trip)) * 1000 + d * 10 + x


@pytest.mark.parametrize("opts", BATCHINGS)
def test_cuda_divergent_loops_switch_early_return(rng, opts):
    k = cuda(LOOPS)["loops"]
    n = 250
    t = rng.integers(0, 30, n).astype(np.int32)
    o = np.full(256, 12345, np.int32)
    k.launch(4, 64, t, o, 120, n, backend="numpy", **opts)
    np.testing.assert_array_equal(o[:n], [_loops_ref(int(v), 120) for v in t])
    assert (o[n:] == 12345).all()


REDUCE = r"""
#define BS 128
__global__ void reduce(const float* x, float* out, int n) {
    __shared__ float s[BS];
    int t = threadIdx.x, i = blockIdx.x * BS + t;
    s[t] = i < n ? x[i] : 0.0f;
    __syncthreads();
    for (int k = BS / 2; k > 0; k >>= 1) {
        if (t < k) s[t] += s[t + k];
        __syncthreads();
    }
    if (t == 0) out[blockIdx.x] = s[0];
}
"""


def test_cuda_shared_reduction_same_on_every_batching(rng):
    k = cuda(REDUCE)["reduce"]
    n = 1000
    x = rng.standard_normal(n).astype(np.float32)
    results = []
    for opts in BATCHINGS:
        out = np.zeros(8, np.float32)
        k.launch(8, 128, x, out, n, backend="numpy", **opts)
        results.append(out)
    want = np.r_[x, np.zeros(24, np.float32)].astype(np.float64).reshape(8, 128).sum(1)
    np.testing.assert_allclose(results[0], want, rtol=1e-4, atol=1e-4)  # float32 tree sums
    for r in results[1:]:
        np.testing.assert_array_equal(r, results[0])  # same operations in the same order


ATOMICS = r"""
__global__ void hist(const int* x, unsigned* h, int* slots, int* counter, int* total, int n) {
    __shared__ unsigned sh[16];
    int t = threadIdx.x, i = blockIdx.x * blockDim.x + t;
    if (t < 16) sh[t] = 0;
    __syncthreads();
    if (i < n) atomicAdd(&sh[x[i] & 15], 1u);
    __syncthreads();
    if (t < 16) atomicAdd(&h[t], sh[t]);
    if (i < n && x[i] > 50) slots[atomicAdd(counter, 1)] = x[i];
    if (i < n) {  // a lock-free add through compare-and-swap
        int old = *total, assumed;
        do {
            assumed = old;
            old = atomicCAS(total, assumed, assumed + x[i]);
        } while (assumed != old);
    }
}
"""


def test_cuda_atomics_histogram_compaction_cas_loop(rng):
    k = cuda(ATOMICS)["hist"]
    n = 300
    x = rng.integers(0, 100, n).astype(np.int32)
    for opts in ({}, {"batch_blocks": 1}):
        h = np.zeros(16, np.uint32)
        slots = np.full(n, -1, np.int32)
        counter = np.zeros(1, np.int32)
        total = np.array([17], np.int32)
        k.launch(5, 64, x, h, slots, counter, total, n, backend="numpy", **opts)
        np.testing.assert_array_equal(h, np.bincount(x & 15, minlength=16))
        big = x[x > 50]
        assert counter[0] == big.size
        np.testing.assert_array_equal(slots[: big.size], big)  # lane order is thread order
        assert total[0] == 17 + x.sum()


WARP = r"""
__global__ void warp(const int* x, int* seg, unsigned* bal, int n) {
    int t = threadIdx.x, i = blockIdx.x * blockDim.x + t;
    int v = x[i];
    for (int d = 8; d > 0; d >>= 1) v += __shfl_xor_sync(0xffffffff, v, d, 16);
    seg[i] = v;
    bal[i] = __ballot_sync(0xffffffff, x[i] > 0);
}
"""


def test_cuda_warp_shuffle_and_ballot_partial_warp(rng):
    k = cuda(WARP, "later")["warp"]
    T, nb = 48, 3  # the second warp of each block has 16 threads: one whole 16-wide segment
    x = rng.integers(-50, 50, T * nb).astype(np.int32)
    seg, bal = np.zeros(T * nb, np.int32), np.zeros(T * nb, np.uint32)
    k.launch(nb, T, x, seg, bal, T * nb, backend="numpy")
    np.testing.assert_array_equal(seg, np.repeat(x.reshape(-1, 16).sum(1), 16))
    for g in range(T * nb):
        w0 = g - (g % T) % 32
        lanes = range(w0, min(w0 + 32, g - g % T + T))
        assert bal[g] == sum(1 << (j - w0) for j in lanes if x[j] > 0)


OOB = r"""
__global__ void copy(const float* x, float* y, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    y[i] = 1.0f;
    if (i < n)
        y[i] = x[i + 1];
}
"""


def test_cuda_out_of_bounds_names_everything_and_touches_nothing(rng):
    k = cuda(OOB)["copy"]
    x = rng.standard_normal(64).astype(np.float32)
    y = rng.standard_normal(64).astype(np.float32)
    y0 = y.copy()
    with pytest.raises(PortError) as e:
        k.launch(2, 32, x, y, 64, backend="numpy")
    msg = str(e.value)
    assert e.value.code == "PORT5001"
    for part in ("t.cu:6:", "'copy'", "'x'", "index 64", "block (1, 0, 0)", "thread (31, 0, 0)"):
        assert part in msg, (part, msg)
    np.testing.assert_array_equal(y, y0)
    k.launch(2, 32, x, y, 63, backend="numpy")
    np.testing.assert_array_equal(y, np.r_[x[1:], np.float32(1)])


PRINTF = r"""
__global__ void hello(int n) {
    if (threadIdx.x < n) printf("block %d thread %d\n", blockIdx.x, threadIdx.x);
    if (threadIdx.x == 0) printf("end %u\n", blockIdx.x);
}
"""


def test_cuda_printf_thread_order(capfd):
    k = cuda(PRINTF, "later")["hello"]
    k.launch(2, 4, 2, backend="numpy")
    want = []
    for b in range(2):
        want += [f"block {b} thread 0", f"end {b}", f"block {b} thread 1"]
    assert capfd.readouterr().out.splitlines() == want


VEC = r"""
__global__ void v4(const float* x, float* y, int n4) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n4) {
        float4 a = reinterpret_cast<const float4*>(x)[i];
        float s = a.x + a.y + a.z + a.w;
        reinterpret_cast<float4*>(y)[i] = make_float4(s, a.y, a.z, a.w);
    }
}
"""


def test_cuda_float4_through_reinterpret_cast(rng):
    k = cuda(VEC, "later")["v4"]
    x = rng.standard_normal(256).astype(np.float32)
    y = np.zeros(256, np.float32)
    k.launch(2, 32, x, y, 64, backend="numpy")
    q = x.reshape(-1, 4)
    want = q.copy()
    want[:, 0] = ((q[:, 0] + q[:, 1]) + q[:, 2]) + q[:, 3]  # float32, left to right
    np.testing.assert_array_equal(y, want.reshape(-1))


def test_pointer_integer_casts_and_null(rng):
    """(uintptr_t)p keeps byte offsets (alignment tests work); a null pointer load is PORT5001."""
    a, o = P("a", ptr(F32)), P("o", ptr(U64))
    q = V("q", Pointer(F32))
    addr = lambda e: cast(e, U64)  # noqa: E731
    fn = kernel("pcast", (a, o), DECL_I,
                st(o, i, bop(Op.SUB, addr(add(a, i)), addr(a))),
                ir.Decl(q),  # null until assigned
                ir.If(cmp(Op.EQ, i, C(5)), (st(o, i, cast(ld(q, C(0)), U64)),)), verify=False)
    av = rng.standard_normal(8).astype(np.float32)
    ov = np.zeros(8, np.uint64)
    with pytest.raises(PortError) as e:
        launch(fn, 1, 8, av, ov)
    assert e.value.code == "PORT5001" and "null pointer" in str(e.value)
    fn = kernel("pcast", (a, o), DECL_I, st(o, i, bop(Op.SUB, addr(add(a, i)), addr(a))),
                verify=False)
    launch(fn, 1, 8, av, ov)
    np.testing.assert_array_equal(ov, 4 * np.arange(8))  # byte distance of float elements
