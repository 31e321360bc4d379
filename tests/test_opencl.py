"""The opencl backend (PoCL on a CPU in CI) against numpy, on hand-built IR kernels.

Every library kernel runs on opencl through tests/test_library.py (available_backends()).
"""

from __future__ import annotations

import re

import cfamily_kernels as K  # noqa: E402  (tests/ is on sys.path under pytest)
import numpy as np
import pytest
from portable.backends import why_unavailable

import portable
from portable import ir, semantics
from portable.ir import Op
from portable.types import F32, F64, I32, I64, U32, U64  # noqa: F401

pytestmark = pytest.mark.skipif(why_unavailable("opencl") is not None,
                                reason=f"opencl backend: {why_unavailable('opencl')}")


def module(*fns: ir.Function) -> portable.Module:
    return portable.Module(ir.ModuleIR(tuple(fns), K.GLOBALS))


def edge_values(t, n: int, rng) -> np.ndarray:
    """Random values of t with C's edge cases mixed in (never all zeros)."""
    info = np.iinfo(t.dtype)
    v = rng.integers(info.min, info.max, n, dtype=t.dtype, endpoint=True)
    edges = [0, 1, -1, info.min, info.max, 2, 31, 32, 33, 63, 64, 65, -32, -33]
    e = np.array([x for x in edges if info.min <= x <= info.max], dtype=t.dtype)
    v[: 3 * len(e)] = np.resize(e, 3 * len(e))
    return v


@pytest.mark.parametrize("t", [I32, U32, I64])
@pytest.mark.parametrize("op", [Op.DIV, Op.MOD, Op.SHL, Op.SHR, Op.FLOORDIV, Op.FLOORMOD])
def test_integer_edge_semantics(op, t):
    rng = np.random.default_rng()
    n = 300
    a = edge_values(t, n, rng)
    b = edge_values(t, n, rng)
    b[::7] = 0  # division by zero, shift by zero
    b[1::7] = rng.integers(0, 2 * t.bits, n)[1::7].astype(t.dtype)  # shift counts near width
    a = rng.permutation(a)
    if t == I64 and op in (Op.DIV, Op.MOD, Op.FLOORDIV, Op.FLOORMOD):
        # semantics._div takes np.abs of int64, which overflows at INT64_MIN (reported)
        a[a == t.min] = t.min + 1
        b[b == t.min] = t.min + 1
    out = np.full(n, 123, t.dtype)
    mod = module(K.binop(op, t))
    mod[f"{op.name.lower()}_{t}"].launch(cdiv(n, 64), 64, a, b, out, n, backend="opencl")
    want = semantics.binary(op, a, b, t)
    np.testing.assert_array_equal(out, want)


def test_integer_edges_by_hand():
    a = np.array([7, np.iinfo(np.int32).min, -7, 1, -8, 5], np.int32)
    b = np.array([0, -1, 2, 40, 40, -1], np.int32)
    outs = {}
    for op in (Op.DIV, Op.MOD, Op.SHL, Op.SHR):
        out = np.zeros(6, np.int32)
        module(K.binop(op, I32))[f"{op.name.lower()}_i32"].launch(1, 32, a, b, out, 6,
                                                                  backend="opencl")
        outs[op] = out.tolist()
    assert outs[Op.DIV][:3] == [0, np.iinfo(np.int32).min, -3]  # x/0 = 0, INT_MIN/-1 wraps
    assert outs[Op.MOD][:3] == [0, 0, -1]  # sign of the dividend
    assert outs[Op.SHL][3] == 0 and outs[Op.SHR][4] == -1  # counts past the width clamp


@pytest.mark.parametrize("src,dst", [(F32, I32), (F64, U32), (F32, I64)])
def test_float_to_int_saturates(src, dst):
    rng = np.random.default_rng()
    x = (rng.standard_normal(256) * 10.0 ** rng.integers(0, 25, 256)).astype(src.dtype)
    x[:6] = [np.nan, np.inf, -np.inf, -0.7, 2.9e9, -3e19]
    out = np.ones(256, dst.dtype)
    module(K.convert(src, dst))[f"convert_{src}_{dst}"].launch(4, 64, x, out, 256,
                                                               backend="opencl")
    np.testing.assert_array_equal(out, semantics.cast(x, src, dst))
    assert out[0] == 0  # NaN -> 0


def cdiv(a: int, b: int) -> int:
    return -(-a // b)


def test_float_mod_and_floor_ops():
    rng = np.random.default_rng()
    a = (rng.standard_normal(200) * 50).astype(np.float32)
    b = (rng.standard_normal(200) * 5).astype(np.float32)
    for op, want in ((Op.MOD, np.fmod(a, b)), (Op.FLOORMOD, np.mod(a, b))):
        out = np.zeros(200, np.float32)
        module(K.binop(op, F32))[f"{op.name.lower()}_f32"].launch(4, 64, a, b, out, 200,
                                                                  backend="opencl")
        np.testing.assert_allclose(out, want, rtol=1e-5, atol=1e-5)


def test_shared_memory_reduction():
    rng = np.random.default_rng()
    x = rng.random(128 * 6, dtype=np.float32)
    out = np.zeros(6, np.float32)
    module(K.block_sum())["block_sum"].launch(6, 128, x, out, backend="opencl")
    np.testing.assert_allclose(out, x.reshape(6, 128).sum(1), rtol=1e-5)


@pytest.mark.parametrize("t", [F32, I32, U64, F64])
def test_atomics(t):
    rng = np.random.default_rng()
    n = 256
    if t.is_float:
        x = rng.standard_normal(n).astype(t.dtype)
    else:
        x = rng.integers(1, 1000, n).astype(t.dtype)
    acc = np.array([0, x[0], x[0]], t.dtype)
    olds = np.zeros(n, t.dtype)
    module(K.atomics(t))[f"atomics_{t}"].launch(n // 64, 64, x, acc, olds, backend="opencl")
    tol = dict(rtol=1e-4, atol=1e-4) if t.is_float else dict(rtol=0, atol=0)
    np.testing.assert_allclose(acc[0], x.sum(dtype=np.float64 if t.is_float else None), **tol)
    assert acc[1] == x.max() and acc[2] == x.min()
    # the old values are some order's prefix sums: each is distinct and they sum consistently
    if not t.is_float:
        assert np.array_equal(np.sort(olds + x)[-1:], [x.sum()])


def test_atomic_inc_wraps():
    c = np.array([0], np.uint32)
    module(K.atomic_inc())["atomic_inc"].launch(3, 100, c, np.uint32(7), backend="opencl")
    assert c[0] == 300 % 8  # counts 0..7 and wraps


def warp_reference(x: np.ndarray, width: int = 16):
    lane = np.arange(x.size) % 32
    seg = lane % width
    base = np.arange(x.size) - seg
    up = np.where(seg >= 3, x[np.arange(x.size) - 3 * (seg >= 3)], x)
    down = np.where(seg + 3 < width, x[np.minimum(np.arange(x.size) + 3, x.size - 1)], x)
    idx = x[base + 21 % width]
    xsum = np.repeat(x.reshape(-1, 32).sum(1, dtype=np.float64), 32)
    return xsum, up, down, idx


@pytest.mark.parametrize("t", [F32, I32])
def test_shuffles_and_votes(t):
    rng = np.random.default_rng()
    n = 96
    x = rng.random(n, dtype=np.float32) if t.is_float else rng.integers(0, 100, n, np.int32)
    outs = [np.zeros(n, t.dtype) for _ in range(4)]
    ballot, votes = np.zeros(n, np.uint32), np.zeros(3 * n, np.int32)
    module(K.shuffles(t))[f"shuffles_{t}"].launch(1, n, x, *outs, ballot, votes,
                                                 backend="opencl")
    xsum, up, down, idx = warp_reference(x)
    np.testing.assert_allclose(outs[0], xsum, rtol=1e-5)
    np.testing.assert_array_equal(outs[1], up)
    np.testing.assert_array_equal(outs[2], down)
    np.testing.assert_array_equal(outs[3], idx)
    pred = (x > (0.5 if t.is_float else 50)).reshape(-1, 32)
    want_ballot = (pred * (1 << np.arange(32, dtype=np.uint64))).sum(1).astype(np.uint32)
    np.testing.assert_array_equal(ballot, np.repeat(want_ballot, 32))
    v = votes.reshape(n, 3)
    np.testing.assert_array_equal(v[:, 0] != 0, np.repeat(pred.all(1), 32))
    np.testing.assert_array_equal(v[:, 1] != 0, np.repeat(pred.any(1), 32))
    np.testing.assert_array_equal(v[:, 2], pred.sum())


def test_module_globals_are_arguments():
    mod = module(K.globals_kernel())
    rng = np.random.default_rng()
    table = rng.random((4, 2), dtype=np.float32)
    mod.set_constant("table", table)
    mod.set_constant("counter", np.array([5], np.int32))
    out = np.zeros(64, np.float32)
    mod["use_globals"].launch(2, 32, out, backend="opencl")
    np.testing.assert_allclose(out, table[np.arange(64) % 4, 1] * 2, rtol=1e-6)
    assert mod.get_global("counter")[0] == 5 + 64


def test_dynamic_shared():
    rng = np.random.default_rng()
    x = rng.standard_normal(4 * 48)
    out = np.zeros_like(x)
    module(K.dynamic_shared())["reverse_blocks"].launch(4, 48, x, out, backend="opencl",
                                                        shared_mem=48 * 8)
    np.testing.assert_array_equal(out, x.reshape(4, 48)[:, ::-1].reshape(-1))


def test_divergent_shuffle_is_predicated():
    """if (i < n) out[i] = __shfl_down_sync(...): inactive lanes still take part, as in CUDA."""
    x, out, n = ir.Param("x", K.ptr(F32)), ir.Param("out", K.ptr(F32)), ir.Param("n", I32)
    full = ir.const(0xFFFFFFFF, U32)
    shfl = ir.Shuffle(Op.SHFL_DOWN, full, K.ld(x), ir.const(1), ir.const(32), F32)
    fn = ir.Function("pred_shfl", (x, out, n), (K.gid(), ir.If(ir.Compare(Op.LT, K.I, n), (
        ir.Store(out, (K.I,), shfl),))))
    rng = np.random.default_rng()
    xs = rng.random(64, dtype=np.float32)
    o = np.full(64, -1.0, np.float32)
    module(fn)["pred_shfl"].launch(1, 64, xs, o, 40, backend="opencl")
    lane = np.arange(64) % 32
    want = np.where(lane < 31, xs[np.minimum(np.arange(64) + 1, 63)], xs)
    np.testing.assert_array_equal(o[:40][lane[:40] < 31][:-1], want[:40][lane[:40] < 31][:-1])
    assert (o[40:] == -1).all()


def test_divergent_shuffle_is_an_error():
    x, out, n = ir.Param("x", K.ptr(F32)), ir.Param("out", K.ptr(F32)), ir.Param("n", I32)
    full = ir.const(0xFFFFFFFF, U32)
    shfl = ir.Shuffle(Op.SHFL_DOWN, full, K.ld(x), ir.const(1), ir.const(32), F32)
    # an early return leaves threads out of every later barrier: no predication can help
    fn = ir.Function("div_shfl", (x, out, n), (
        K.gid(), ir.If(ir.Compare(Op.GE, K.I, n), (ir.Return(),)),
        ir.Store(out, (K.I,), shfl)))
    with pytest.raises(portable.PortError) as e:
        module(fn)["div_shfl"].source("opencl")
    assert e.value.code == "PORT6002" and "divergent" in str(e.value)


# ------------------------------------------------------------------ 3-element vectors


def test_float3_arrays_keep_cuda_layout():
    """float3 is 12 bytes in CUDA and 16 in OpenCL: pointers, shared arrays, pointer arithmetic
    and a by-value float3 must all see the host's packed 12-byte layout."""
    from portable.launch import elem_dtype
    from portable.types import Vector

    dt = elem_dtype(Vector(F32, 3))
    assert dt.itemsize == 12
    rng = np.random.default_rng()
    n = 1000 + int(rng.integers(0, 24))
    a = np.zeros(n, dt)
    for f in "xyz":
        a[f] = rng.uniform(-2, 2, n)
    b = np.zeros(n, dt)
    for f in "xyz":
        b[f] = rng.uniform(50, 60, n)  # garbage the kernel must overwrite
    s = np.full(n, 77.0, np.float32)
    w = np.array((1.5, -0.75, 0.25), dt)[()]
    k = portable.parse_cuda(K.VEC3, "vec3.cu")["vec3_mix"]
    text = k.source("opencl")
    assert "vload3(i, a)" in text and "__global float *b" in text and "PORT6105" in text
    k.launch(cdiv(n, 128), 128, a, b, s, w, np.int32(n), backend="opencl")
    x, y, z = (a[f] for f in "xyz")
    nb = np.arange(n) ^ 1  # the neighbour in the block; past n it read zeros
    ux = np.where(nb < n, x[np.minimum(nb, n - 1)], 0).astype(np.float32)
    uy = np.where(nb < n, y[np.minimum(nb, n - 1)], 0).astype(np.float32)
    tol = {"rtol": 1e-6, "atol": 1e-6}  # a contracted multiply-add may round once less
    np.testing.assert_allclose(b["x"], x * np.float32(1.5) + uy, **tol)
    np.testing.assert_array_equal(b["y"], np.arange(n, dtype=np.float32))
    np.testing.assert_allclose(b["z"], z + np.float32(0.25), **tol)
    np.testing.assert_allclose(s, ux + y * np.float32(-0.75), **tol)


def test_struct_with_float3_parameter_is_an_error():
    src = ("struct P { float3 p; float m; };\n"
           "__global__ void k(P *ps) { ps[threadIdx.x].m = 1.0f; }\n")
    with pytest.raises(portable.PortError) as e:
        portable.parse_cuda(src, "p.cu")["k"].source("opencl")
    assert e.value.code == "PORT6002" and "struct P" in str(e.value)


# ------------------------------------------------------------------ races, under Oclgrind

_OCLGRIND_RUN = """
import sys
from portable.backends import opencl
from portable.kernels import check, registry
assert opencl.device_name() == "Oclgrind Simulator", opencl.device_name()
seed = int(sys.argv[1])
for name in sys.argv[2:]:
    print(name, check(registry()[name], "opencl", "small", seed=seed) or "ok")
"""


def test_emulations_are_race_free_under_oclgrind():
    """Oclgrind (apt-get install oclgrind) simulates OpenCL and reports data races and reads of
    uninitialised memory. The local-memory warp emulation (shuffles, votes, ballots, __syncwarp,
    __syncthreads_count) and the CAS-loop atomics must give it nothing to report: a race there
    would be a wrong answer that PoCL shows only now and then."""
    import shutil
    import subprocess
    import sys

    if shutil.which("oclgrind") is None:
        pytest.skip("oclgrind not installed (apt-get install oclgrind)")
    kernels = ["py_warp_vote", "warp_reduce", "py_scan_votes", "block_scan", "reduce_atomic",
               "dot_double", "py_reduce_sum"]
    seed = int(np.random.default_rng().integers(1 << 30))
    r = subprocess.run(["oclgrind", "--data-races", "--uninitialized", sys.executable, "-c",
                        _OCLGRIND_RUN, str(seed), *kernels], capture_output=True, text=True,
                       timeout=600)
    out = f"seed {seed}\n" + r.stdout + r.stderr
    assert r.returncode == 0, out[-4000:]
    for word in ("data race", "Uninitialized", "Invalid", "divergence", "FATAL"):
        assert word not in out, out[:4000]
    assert [line.split()[0] for line in r.stdout.splitlines() if line.endswith(" ok")] == kernels


def test_concurrent_launches_of_one_kernel():
    """Threads share one compiled launcher (and one pyopencl Kernel, whose arguments are
    state): each launch must still see its own arrays."""
    import threading

    k = portable.parse_cuda("__global__ void scale(const float *x, float *y, float a, int n)\n"
                            "{ int i = blockIdx.x * blockDim.x + threadIdx.x;\n"
                            "  if (i < n) y[i] = a * x[i]; }\n", "scale.cu")["scale"]
    bad: list[str] = []

    def work(t: int) -> None:
        rng = np.random.default_rng()
        for it in range(25):
            n = int(rng.integers(100, 3000))
            x = rng.uniform(-1, 1, n).astype(np.float32)
            y = np.full(n, -7.0, np.float32)
            a = np.float32(t + 2)
            k.launch(cdiv(n, 128), 128, x, y, a, np.int32(n), backend="opencl")
            if not np.array_equal(y, a * x):
                bad.append(f"thread {t} launch {it}")

    threads = [threading.Thread(target=work, args=(t,)) for t in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not bad, bad


_VOTE_ROUNDS = r"""
__global__ void vote_rounds(const int *x, unsigned *out, int rounds)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    int v = x[i];
    unsigned acc = 0;
    for (int r = 0; r < rounds; r++) {
        unsigned b = __ballot_sync(0xffffffffu, (v + r) % 5 == 0);
        int every = __all_sync(0xffffffffu, v + r > 3);
        int some = __any_sync(0xffffffffu, v == r);
        acc = acc * 33u + b + (every ? 7u : 0u) + (some ? 11u : 0u);
    }
    out[i] = acc;
}
"""


def test_warp_votes_over_many_work_groups():
    """PoCL 3.1 (pthread) turns a kernel's __local array into one global shared by every
    work-group when clang keeps a helper it is passed to out of line (here port_ballot, called
    three times): concurrent work-groups then overwrite each other's ballots, now and then.
    Helpers are always_inline; 1024 work-groups, eight launches, each checked with numpy (the
    bug gave wrong words in nearly every launch; it needs PoCL to run two or more threads)."""
    text = portable.parse_cuda(_VOTE_ROUNDS, "votes.cu")["vote_rounds"].source("opencl")
    helpers = re.findall(r"^static [^\n]*\(", text, re.M)
    assert helpers and all("__attribute__((always_inline))" in h for h in helpers), helpers
    k = portable.parse_cuda(_VOTE_ROUNDS, "votes.cu")["vote_rounds"]
    rng = np.random.default_rng()
    n, rounds = 1 << 17, 24
    bits = np.left_shift(np.uint64(1), np.arange(32, dtype=np.uint64))
    for launch in range(8):
        x = rng.integers(0, 60, n, dtype=np.int32)
        out = np.zeros(n, np.uint32)
        k.launch(n // 128, 128, x, out, np.int32(rounds), backend="opencl")
        w = x.reshape(-1, 32).astype(np.int64)
        want = np.zeros(w.shape[0], np.uint32)
        for r in range(rounds):  # uint32 arithmetic wraps as C's unsigned does
            ballot = (((w + r) % 5 == 0) * bits).sum(1).astype(np.uint32)
            every = (w + r > 3).all(1).astype(np.uint32) * np.uint32(7)
            some = (w == r).any(1).astype(np.uint32) * np.uint32(11)
            want = want * np.uint32(33) + ballot + every + some
        bad = np.flatnonzero(out != np.repeat(want, 32))
        assert bad.size == 0, f"launch {launch}: {bad.size} of {n} words differ, first at {bad[0]}"


# ------------------------------------------------------------------ __activemask under divergence

_WARP_AGGREGATED = r"""
__global__ void aggregate(const int *flags, int *count, int *slot, int n)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n && flags[i]) {
        unsigned m = __activemask();
        int leader = __ffs(m) - 1;
        int lane = threadIdx.x & 31;
        int base = 0;
        if (lane == leader) base = atomicAdd(count, __popc(m));
        base = __shfl_sync(m, base, leader);
        slot[i] = base + __popc(m & ((1u << lane) - 1));
    }
}

__global__ void masks(const int *x, unsigned *out, int n)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n && x[i] % 2) {
        if (x[i] % 3) {
            out[i] = __activemask();
        } else {
            out[i] = ~__activemask();
        }
    }
}
"""


def _warp_masks(active: np.ndarray) -> np.ndarray:
    """For each thread, the 32-bit mask of the active lanes of its warp (numpy reference)."""
    bits = np.left_shift(np.uint64(1), np.arange(32, dtype=np.uint64))
    words = (active.reshape(-1, 32) * bits).sum(1).astype(np.uint32)
    return np.repeat(words, 32)


def test_activemask_under_divergent_branches_is_exact():
    """__activemask() in a divergent if is the lanes that took it (a ballot of the branch's
    predicate), not the whole warp: the warp-aggregated atomic idiom counts exactly. Its
    locals, declared before the predicated pieces, are zero-initialised: undefined, clang let
    inactive threads store through out-of-range indices (wrong slots, a "double free")."""
    mod = portable.parse_cuda(_WARP_AGGREGATED, "aggregate.cu")
    rng = np.random.default_rng()
    for n in (1000, 77, 4096):
        block = 128
        nt = cdiv(n, block) * block
        flags = (rng.random(n) < rng.uniform(0.2, 0.9)).astype(np.int32)
        flags *= rng.integers(1, 1000, n, dtype=np.int32)  # any non-zero value is true
        count = np.zeros(1, np.int32)
        slot = np.full(n, -5, np.int32)
        mod["aggregate"].launch(nt // block, block, flags, count, slot, n, backend="opencl")
        on = flags != 0
        assert count[0] == on.sum()
        assert (slot[~on] == -5).all()
        assert np.array_equal(np.sort(slot[on]), np.arange(on.sum()))
        # each warp's flagged lanes got consecutive slots in lane order
        active = np.zeros(nt, bool)
        active[:n] = on
        padded = np.full(nt, -5, np.int32)
        padded[:n] = slot
        for row, act in zip(padded.reshape(-1, 32), active.reshape(-1, 32), strict=True):
            s = row[act]
            assert s.size == 0 or np.array_equal(s, s[0] + np.arange(s.size)), row

        x = rng.integers(1, 1 << 20, n, dtype=np.int32)
        out = np.full(n, 0xDEAD, np.uint32)
        mod["masks"].launch(nt // block, block, x, out, n, backend="opencl")
        odd = np.zeros(nt, bool)
        odd[:n] = x % 2 == 1
        by3 = np.zeros(nt, bool)
        by3[:n] = x % 3 != 0
        want = np.where(by3, _warp_masks(odd & by3), ~_warp_masks(odd & ~by3))[:n]
        want = np.where(odd[:n], want, np.uint32(0xDEAD))
        np.testing.assert_array_equal(out, want)
