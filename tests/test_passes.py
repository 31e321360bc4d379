"""Unit tier: the Inline and ConstantFold passes on hand-built IR (printed IR compared, and the
inlined kernels run on the numpy reference against independent numpy results)."""

from __future__ import annotations

import textwrap

import numpy as np
import pytest

from portable import ir
from portable.errors import Loc, PortError
from portable.kernel import Module
from portable.passes import pipeline
from portable.passes.fold import ConstantFold, fold_expr
from portable.passes.inline import Inline
from portable.types import BOOL, F32, I32, U32, Array, Pointer, Space
from portable.verify import verify_module

Op = ir.Op
rng = np.random.default_rng()


def L(line: int) -> Loc:
    return Loc("p.cu", line, 3)


def c(v: int) -> ir.Const:
    return ir.const(v, I32)


def P(name: str, t=I32) -> ir.Param:
    return ir.Param(name, t)


def V(name: str, t=I32) -> ir.Var:
    return ir.Var(name, t)


def add(a, b, t=I32):
    return ir.Binary(Op.ADD, a, b, t)


def lt(a, b):
    return ir.Compare(Op.LT, a, b)


TID = ir.Cast(ir.Special(ir.Sreg.TID, 0, U32), I32)
X = P("x", Pointer(I32))
OUT = P("out", Pointer(I32))
CNT = P("cnt", Pointer(I32))


def device(name, params, *body, ret=I32, shared=()):
    return ir.Function(name, tuple(params), tuple(body), ret=ret, kernel=False,
                       shared=tuple(shared))


def kernel(*body, params=(X, OUT, CNT), shared=()):
    return ir.Function("k", tuple(params), tuple(body), shared=tuple(shared))


def inline(*fns) -> ir.ModuleIR:
    m = ir.ModuleIR(tuple(fns), (), "p.cu")
    verify_module(m, "test input")
    out = Inline().run(m)
    verify_module(out, "inline")
    assert [f.name for f in out.functions] == [f.name for f in m.kernels]
    return out


def run(m: ir.ModuleIR, n: int = 64, x: np.ndarray | None = None):
    """Launch kernel k on one block of n threads: returns (x, out, cnt) after the launch."""
    x = rng.integers(-50, 50, n).astype(np.int32) if x is None else x
    out = rng.integers(-999, 999, n).astype(np.int32)  # garbage, never zeros
    cnt = np.zeros(4, np.int32)
    mod = Module(m)
    mod["k"].launch(1, n, x, out, cnt, backend="numpy")
    return x, out, cnt


# clampi(v, hi): if (v < 0) return 0; if (v > hi) return hi; return v;
V_, HI = P("v"), P("hi")
CLAMP = device("clampi", (V_, HI),
               ir.If(lt(V_, c(0)), (ir.Return(c(0)),)),
               ir.If(ir.Compare(Op.GT, V_, HI), (ir.Return(HI),)),
               ir.Return(V_))

# find(a, n, key): for (i = 0; i < n; i++) if (a[i] == key) return i; return -1;
A, NN, KEY = P("a", Pointer(I32)), P("n"), P("key")
FIND = device("find", (A, NN, KEY),
              ir.For(V("i"), c(0), NN, c(1), (
                  ir.If(ir.Compare(Op.EQ, ir.Load(A, (V("i"),), I32), KEY),
                        (ir.Return(V("i")),)),)),
              ir.Return(c(-1)))

# bump(p): return atomicAdd(&p[0], 1) -- an effect we can count
PP = P("p", Pointer(I32))
BUMP = device("bump", (PP,), ir.Return(ir.Atomic(Op.ATOMIC_ADD, PP, (c(0),), c(1), I32)))


def test_single_return_inlines_to_straight_line():
    sq = device("sq", (V_,), ir.Return(ir.Binary(Op.MUL, V_, V_, I32)))
    t = V("t")
    k = kernel(ir.Decl(t, TID),
               ir.Store(OUT, (t,), add(ir.Call("sq", (ir.Load(X, (t,), I32),), I32),
                                       ir.Call("sq", (t,), I32))))
    m = inline(sq, k)
    assert str(m) == textwrap.dedent("""\
        kernel k(%x: ptr<i32, global>, %out: ptr<i32, global>, %cnt: ptr<i32, global>) {
          var t: i32 = i32(threadIdx.x)
          var sq_v: i32 = %x[t]
          var sq_result: i32 = (sq_v * sq_v)
          var sq_result_2: i32 = (t * t)
          %out[t] = (sq_result + sq_result_2)
        }
        """)
    x, out, _ = run(m)
    np.testing.assert_array_equal(out, x * x + np.arange(64) ** 2)


def test_multiple_returns_become_if_else():
    t = V("t")
    k = kernel(ir.Decl(t, TID),
               ir.Store(OUT, (t,), ir.Call("clampi", (ir.Load(X, (t,), I32), c(20)), I32)))
    m = inline(CLAMP, k)
    text = str(m)
    assert "return" not in text and "done" not in text  # no flag needed
    assert text.count("} else {") == 2
    x, out, _ = run(m)
    np.testing.assert_array_equal(out, np.clip(x, 0, 20))


def test_return_inside_loop_uses_a_flag():
    t = V("t")
    k = kernel(ir.Decl(t, TID),
               ir.Store(OUT, (t,), ir.Call("find", (X, c(64), ir.Load(X, (t,), I32)), I32)))
    m = inline(FIND, k)
    assert "find_done" in str(m)
    x = rng.permutation(64).astype(np.int32)[:64] % 40  # repeated values: first match wins
    x, out, _ = run(m, x=x.astype(np.int32))
    want = np.array([np.flatnonzero(x == v)[0] for v in x])
    np.testing.assert_array_equal(out, want)


def test_device_calls_device_and_names_stay_unique():
    # g(v) = clampi(v, 10) + clampi(-v, 10)
    g = device("g", (V_,), ir.Return(add(ir.Call("clampi", (V_, c(10)), I32),
                                         ir.Call("clampi", (ir.Unary(Op.NEG, V_, I32), c(10)),
                                                 I32))))
    t = V("t")
    k = kernel(ir.Decl(t, TID),
               ir.Store(OUT, (t,), add(ir.Call("g", (ir.Load(X, (t,), I32),), I32),
                                       ir.Call("g", (t,), I32))))
    m = inline(CLAMP, g, k)
    x, out, _ = run(m)
    g_np = lambda v: np.clip(v, 0, 10) + np.clip(-v, 0, 10)  # noqa: E731
    np.testing.assert_array_equal(out, g_np(x) + g_np(np.arange(64)))


def test_land_rhs_call_stays_lazy():
    # if (x[t] > 0 && bump(cnt) >= 0) out[t] = 1; else out[t] = 2;
    t = V("t")
    cond = ir.Binary(Op.LAND, ir.Compare(Op.GT, ir.Load(X, (t,), I32), c(0)),
                     ir.Compare(Op.GE, ir.Call("bump", (CNT,), I32), c(0)), BOOL)
    k = kernel(ir.Decl(t, TID),
               ir.If(cond, (ir.Store(OUT, (t,), c(1)),), (ir.Store(OUT, (t,), c(2)),)))
    m = inline(BUMP, k)
    x, out, cnt = run(m)
    assert cnt[0] == np.sum(x > 0)  # evaluated exactly where the left side was true
    np.testing.assert_array_equal(out, np.where(x > 0, 1, 2))


def test_lor_and_select_arms_stay_lazy():
    t = V("t")
    lor = ir.Binary(Op.LOR, ir.Compare(Op.GT, ir.Load(X, (t,), I32), c(0)),
                    ir.Compare(Op.GE, ir.Call("bump", (CNT,), I32), c(0)), BOOL)
    c1 = ir.AddrOf(CNT, (c(1),), Pointer(I32))
    sel = ir.Select(ir.Compare(Op.GT, ir.Load(X, (t,), I32), c(10)),
                    ir.Call("bump", (c1,), I32), c(-1), I32)
    k = kernel(ir.Decl(t, TID), ir.Decl(V("b", BOOL), lor), ir.Store(OUT, (t,), sel))
    m = inline(BUMP, k)
    x, out, cnt = run(m)
    assert cnt[0] == np.sum(x <= 0)
    assert cnt[1] == np.sum(x > 10)
    # the selected lanes got distinct old values 0..k-1, the others -1
    assert sorted(out[x > 10].tolist()) == list(range(np.sum(x > 10)))
    assert (out[x <= 10] == -1).all()


def test_while_condition_call_runs_once_per_test():
    # i = 0; while (bump(cnt) < 5 + t%3) i++;  -- each thread counts its own tests
    t, i = V("t"), V("i")
    own = P("own", Pointer(I32))
    mine = ir.AddrOf(own, (t,), Pointer(I32))
    lim = add(c(5), ir.Binary(Op.MOD, t, c(3), I32))
    loop = ir.While(lt(ir.Call("bump", (mine,), I32), lim), (ir.Assign(i, add(i, c(1))),))
    k = kernel(ir.Decl(t, TID), ir.Decl(i, c(0)), loop, ir.Store(OUT, (t,), i),
               params=(X, OUT, CNT, own))
    m = inline(BUMP, k)
    mod = Module(m)
    x = rng.integers(1, 9, 32).astype(np.int32)
    out = rng.integers(1, 9, 32).astype(np.int32)
    ownv = np.zeros(32, np.int32)
    mod["k"].launch(1, 32, x, out, np.zeros(4, np.int32), ownv, backend="numpy")
    lim_np = 5 + np.arange(32) % 3
    np.testing.assert_array_equal(out, lim_np)
    np.testing.assert_array_equal(ownv, lim_np + 1)  # one extra, failing test


def test_for_with_call_bound_and_continue():
    # s = 0; for (j = 0; j < clampi(x[t], 9); j += 1) { if (j % 2 == 0) continue; s += j; }
    t, s, j = V("t"), V("s"), V("j")
    odd = ir.Compare(Op.EQ, ir.Binary(Op.MOD, j, c(2), I32), c(0))
    loop = ir.For(j, c(0), ir.Call("clampi", (ir.Load(X, (t,), I32), c(9)), I32), c(1),
                  (ir.If(odd, (ir.Continue(),)), ir.Assign(s, add(s, j))))
    k = kernel(ir.Decl(t, TID), ir.Decl(s, c(0)), loop, ir.Store(OUT, (t,), s))
    m = inline(CLAMP, k)
    assert "while true" in str(m)
    x, out, _ = run(m)
    want = [sum(v for v in range(int(np.clip(xx, 0, 9))) if v % 2) for xx in x]
    np.testing.assert_array_equal(out, want)


def test_do_while_condition_call_and_continue():
    # i = 0; do { i++; if (i < 3) continue; } while (bump(own+t) < lim); out[t] = i
    t, i = V("t"), V("i")
    own = P("own", Pointer(I32))
    mine = ir.AddrOf(own, (t,), Pointer(I32))
    lim = add(c(2), ir.Binary(Op.MOD, t, c(4), I32))
    loop = ir.DoWhile((ir.Assign(i, add(i, c(1))), ir.If(lt(i, c(3)), (ir.Continue(),))),
                      lt(ir.Call("bump", (mine,), I32), lim))
    k = kernel(ir.Decl(t, TID), ir.Decl(i, c(0)), loop, ir.Store(OUT, (t,), i),
               params=(X, OUT, CNT, own))
    m = inline(BUMP, k)
    mod = Module(m)
    out = rng.integers(1, 9, 32).astype(np.int32)
    ownv = np.zeros(32, np.int32)
    mod["k"].launch(1, 32, out.copy(), out, np.zeros(4, np.int32), ownv, backend="numpy")
    lim_np = 2 + np.arange(32) % 4
    np.testing.assert_array_equal(out, lim_np + 1)  # the body runs once more than tests pass
    np.testing.assert_array_equal(ownv, lim_np + 1)


def test_array_arguments_and_hoisted_shared():
    # device void fill(int a[8], int v) { __shared__ int scratch[8]; for j: a[j] = v + j; }
    a8 = P("a", Array(I32, (8,)))
    scratch = V("scratch", Array(I32, (8,), Space.SHARED))
    j = V("j")
    fill = device("fill", (a8, V_), ir.For(j, c(0), c(8), c(1), (
        ir.Store(a8, (j,), add(V_, j)),)), ret=ir.Void(), shared=(scratch,))
    # device int total(int* p) { s = 0; for j < 8: s += p[j]; return s; }
    s = V("s")
    total = device("total", (PP,), ir.Decl(s, c(0)), ir.For(j, c(0), c(8), c(1), (
        ir.Assign(s, add(s, ir.Load(PP, (j,), I32))),)), ir.Return(s))
    t, loc = V("t"), V("loc", Array(I32, (8,)))
    k = kernel(ir.Decl(t, TID), ir.Decl(loc),
               ir.ExprStmt(ir.Call("fill", (loc, ir.Load(X, (t,), I32)), ir.Void())),
               ir.ExprStmt(ir.Call("fill", (loc, t), ir.Void())),
               ir.Store(OUT, (t,), ir.Call("total", (loc,), I32)))
    m = inline(fill, total, k)
    kfn = m.functions[0]
    assert [v.name for v in kfn.shared] == ["fill_scratch"]  # one per kernel, not per call
    x, out, _ = run(m)
    np.testing.assert_array_equal(out, 8 * np.arange(64) + 28)


def test_two_d_array_parameter_from_pointer():
    m2 = P("m", Array(I32, (4, 8)))
    r, q = P("r"), P("q")
    at = device("at", (m2, r, q), ir.Return(ir.Load(m2, (r, q), I32)))
    t = V("t")
    k = kernel(ir.Decl(t, TID), ir.Store(OUT, (t,), ir.Call(
        "at", (X, ir.Binary(Op.DIV, t, c(8), I32), ir.Binary(Op.MOD, t, c(8), I32)), I32)))
    m = inline(at, k)
    x, out, _ = run(m, n=32, x=rng.integers(-50, 50, 32).astype(np.int32))
    np.testing.assert_array_equal(out, x)


def test_recursion_is_reported():
    f = device("f", (V_,), ir.Return(ir.Call("g", (V_,), I32, loc=L(3))))
    g = device("g", (V_,), ir.Return(ir.Call("f", (V_,), I32, loc=L(7))))
    k = kernel(ir.ExprStmt(ir.Call("f", (c(1),), I32, loc=L(11))))
    with pytest.raises(PortError) as ei:
        Inline().run(ir.ModuleIR((f, g, k)))
    assert ei.value.code == "PORT1005" and "f -> g -> f" in str(ei.value)
    assert ei.value.loc == L(7)
    self_rec = device("h", (V_,), ir.Return(ir.Call("h", (V_,), I32, loc=L(5))))
    with pytest.raises(PortError, match="PORT1005"):
        Inline().run(ir.ModuleIR((self_rec, kernel(ir.ExprStmt(ir.Call("h", (c(1),), I32))))))


def test_barrier_after_divergent_return_in_callee_is_caught():
    # device void sync_if(int v) { if (v < 0) return; __syncthreads(); }
    sync_if = device("sync_if", (V_,), ir.If(lt(V_, c(0)), (ir.Return(),), loc=L(2)),
                     ir.Barrier(loc=L(3)), ret=ir.Void())
    ok = kernel(ir.ExprStmt(ir.Call("sync_if", (P("n"),), ir.Void())),
                params=(X, OUT, CNT, P("n")))
    pipeline(ir.ModuleIR((sync_if, ok)))  # uniform argument: fine
    bad = kernel(ir.ExprStmt(ir.Call("sync_if", (TID,), ir.Void())))
    with pytest.raises(PortError) as ei:
        pipeline(ir.ModuleIR((sync_if, bad)))
    assert ei.value.code == "PORT3001" and ei.value.loc == L(3)


# ------------------------------------------------------------ constant folding


def test_fold_expressions_keep_types_and_locs():
    e = ir.Binary(Op.MUL, ir.Binary(Op.ADD, c(2), c(3), I32), c(4), I32, loc=L(9))
    got = fold_expr(e)
    assert got == c(20) and got.loc == L(9)
    assert fold_expr(ir.Binary(Op.DIV, c(-7), c(2), I32)).value == -3
    assert fold_expr(ir.Call("sqrt", (ir.const(16.0, F32),), F32)) == ir.const(4.0, F32)
    assert fold_expr(ir.Call("popc", (ir.const(255, U32),), I32)) == c(8)
    assert fold_expr(ir.Compare(Op.LT, c(-1), c(1))) == ir.TRUE
    third = fold_expr(ir.Binary(Op.DIV, ir.const(1.0, F32), ir.const(3.0, F32), F32))
    assert third.type == F32 and third.value == float(np.float32(1) / np.float32(3))
    v = V("v")
    assert fold_expr(ir.Binary(Op.LAND, ir.FALSE, v, BOOL)) == ir.FALSE
    assert fold_expr(ir.Binary(Op.LAND, ir.TRUE, V("b", BOOL), BOOL)) == V("b", BOOL)
    assert fold_expr(ir.Binary(Op.LOR, ir.TRUE, V("b", BOOL), BOOL)) == ir.TRUE
    assert fold_expr(ir.Select(ir.FALSE, v, c(3), I32)) == c(3)
    assert fold_expr(ir.Binary(Op.ADD, v, c(0), I32)) == ir.Binary(Op.ADD, v, c(0), I32)


def test_fold_constant_if_and_while():
    t = V("t")
    k = kernel(ir.Decl(t, TID),
               ir.If(lt(c(1), c(2)), (ir.Store(OUT, (t,), c(5)),), (ir.Store(OUT, (t,), c(6)),)),
               ir.While(ir.Compare(Op.GT, c(1), c(2)), (ir.Store(OUT, (t,), c(7)),)),
               ir.If(ir.Compare(Op.EQ, c(1), c(2)), (ir.Barrier(),)))
    m = ConstantFold().run(ir.ModuleIR((k,)))
    verify_module(m, "fold")
    assert str(m.functions[0]).splitlines()[1:] == [
        "  var t: i32 = i32(threadIdx.x)", "  %out[t] = 5:i32", "}"]


def test_pipeline_folds_after_inlining():
    sq = device("sq", (V_,), ir.Return(ir.Binary(Op.MUL, V_, V_, I32)))
    k = kernel(ir.Store(OUT, (TID,), ir.Call("sq", (c(7),), I32)))
    m = pipeline(ir.ModuleIR((sq, k)))
    assert "var sq_result: i32 = 49:i32" in str(m)


def test_shared_array_through_generic_pointer_parameter():
    # device void twice(int* s, int i) { int* q = s + i; q[0] = q[0] * 2; }   (q: ptr global)
    s, i, q = P("s", Pointer(I32)), P("i"), V("q", Pointer(I32))
    twice = device("twice", (s, i), ir.Decl(q, ir.Binary(Op.ADD, s, i, s.type)),
                   ir.Store(q, (c(0),), ir.Binary(Op.MUL, ir.Load(q, (c(0),), I32), c(2), I32)),
                   ret=ir.Void())
    sh = V("sh", Array(I32, (64,), Space.SHARED))
    t = V("t")
    k = kernel(ir.Decl(t, TID), ir.Store(sh, (t,), ir.Load(X, (t,), I32)), ir.Barrier(),
               ir.ExprStmt(ir.Call("twice", (ir.AddrOf(sh, (c(0),), Pointer(I32, Space.SHARED)),
                                             t), ir.Void())),
               ir.Barrier(), ir.Store(OUT, (t,), ir.Load(sh, (t,), I32)), shared=(sh,))
    m = inline(twice, k)
    assert "var q: ptr<i32, shared> = (twice_s + t)" in str(m)
    x, out, _ = run(m)
    np.testing.assert_array_equal(out, 2 * x)


# ------------------------------------------------------------ from CUDA source

CUDA_HELPERS = r"""
__device__ int clampi(int v, int hi) { if (v < 0) return 0; if (v > hi) return hi; return v; }
__device__ int find(const int* a, int n, int key) {
  for (int i = 0; i < n; i++) { if (a[i] == key) return i; }
  return -1;
}
__device__ void warpAdd(volatile int* s, int tid) { if (tid < 32) s[tid] += s[tid + 32]; }
__device__ int bump(int* c) { return atomicAdd(c, 1); }
__device__ int twice_clamped(int v) { return 2 * clampi(v, 20); }
__global__ void k(const int* x, int* out, int* cnt, int n) {
  __shared__ int sh[64];
  int t = threadIdx.x;
  sh[t] = x[t];
  __syncthreads();
  warpAdd(sh, t);
  __syncthreads();
  int r = twice_clamped(x[t]) + 100 * find(x, n, x[t]);
  if (x[t] > 0 && bump(cnt) >= 0) r += 100000;
  out[t] = r + 1000000 * (t < 32 ? sh[t] : 0);
}
"""


def cuda_module(src: str):
    pytest.importorskip("clang")
    import portable

    return portable.parse_cuda(src, "p.cu")


def test_cuda_device_helpers_inline_and_run():
    mod = cuda_module(CUDA_HELPERS)
    assert [f.name for f in mod.ir.functions] == ["k"]
    assert "return" not in str(mod["k"].ir)
    x = rng.integers(-30, 30, 64).astype(np.int32)
    out = rng.integers(-999, 999, 64).astype(np.int32)
    cnt = np.zeros(1, np.int32)
    mod["k"].launch(1, 64, x, out, cnt, np.int32(64), backend="numpy")
    first = np.array([np.flatnonzero(x == v)[0] for v in x])
    sh = np.where(np.arange(64) < 32, x + np.roll(x, -32), 0)
    want = 2 * np.clip(x, 0, 20) + 100 * first + 100000 * (x > 0) + 1000000 * sh
    np.testing.assert_array_equal(out, want)
    assert cnt[0] == np.sum(x > 0)


def test_cuda_recursion_reports_the_call_line():
    src = ("__device__ int f(int v) {\n  return v <= 1 ? 1 : v * f(v - 1);\n}\n"
           "__global__ void k(int* o) { o[0] = f(5); }\n")
    with pytest.raises(PortError) as ei:
        cuda_module(src)
    assert ei.value.code == "PORT1005" and ei.value.loc.line == 2


def test_cuda_barrier_in_helper_under_divergent_call():
    src = ("__device__ void sync() {\n  __syncthreads();\n}\n"
           "__global__ void k(int* o) {\n  if (threadIdx.x < 5)\n    sync();\n  o[0] = 1;\n}\n")
    with pytest.raises(PortError) as ei:
        cuda_module(src)
    assert ei.value.code == "PORT3001" and ei.value.loc.line == 2
    assert "p.cu:5:" in str(ei.value)
