"""CUDA C constructs of the second coverage round (what the CUDA samples use): clock counters,
the address of a local passed to a helper, null pointers, frexp/ldexp/modf, inline PTX idioms,
run-time sized cooperative groups. Each kernel runs on the numpy reference against an expected
result computed independently in numpy; fresh random inputs."""

from __future__ import annotations

import numpy as np
import pytest

import portable

RNG = np.random.default_rng()


def _mod(src: str, name: str = "t.cu"):
    return portable.parse_cuda(src, name)


CLOCK = r"""
__global__ void reads(long long *first, clock_t *second) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  long long a = clock64();
  clock_t b = clock();
  first[i] = a;
  second[i] = b;
}
__device__ void spin(long long n) {
  long long t0 = clock64();
  while (clock64() - t0 < n) { }
}
__global__ void waits(int *ok, int n) {
  long long a = clock64();
  spin(n);
  long long e = clock64();
  ok[blockIdx.x * blockDim.x + threadIdx.x] = e - a > n;
}
"""


def test_clock_is_a_module_counter():
    mod = _mod(CLOCK)
    blocks, threads = int(RNG.integers(1, 4)), int(RNG.integers(1, 70))
    n = blocks * threads
    seen = []
    for launch in range(2):
        a = np.full(n, -1, np.int64)
        b = np.full(n, -1, np.int64)
        mod["reads"].launch(blocks, threads, a, b, backend="numpy")
        # every read by any thread adds one: the values are 2n consecutive counts, each
        # thread's second read comes after its first
        assert sorted(np.concatenate([a, b]).tolist()) == list(range(2 * n * launch,
                                                                    2 * n * (launch + 1)))
        assert (b > a).all()
        seen += a.tolist()
    assert int(mod.get_global("portable_clock")[0]) == 4 * n
    ok = np.zeros(n, np.int32)
    mod["waits"].launch(blocks, threads, ok, int(RNG.integers(1, 50)), backend="numpy")
    assert ok.all()  # a busy-wait on clock64() ends


CUDA = __import__("pathlib").Path(__file__).resolve().parent / "cuda"


def test_address_of_locals_passed_to_helpers():
    # volumeRender's intersectBox(r, lo, hi, &tnear, &tfar), a parameter's address, and
    # NV12's *(uint32_t *)&uchar4_local type punning
    mod = portable.parse_cuda((CUDA / "address.cu").read_text(), "address.cu")
    n = int(RNG.integers(8, 64))
    o = RNG.uniform(-1, 1, n).astype(np.float32)
    d = RNG.uniform(0.5, 2, n).astype(np.float32)
    tn, tf = np.zeros(n, np.float32), np.zeros(n, np.float32)
    hit, w = np.zeros(n, np.int32), np.zeros(n, np.int32)
    mod["k"].launch(1, n, o, d, tn, tf, hit, w, backend="numpy")
    a, b = (np.float32(-1) - o) / d, (np.float32(2) - o) / d
    np.testing.assert_array_equal(tn, np.minimum(a, b))
    np.testing.assert_array_equal(tf, np.maximum(a, b))
    np.testing.assert_array_equal(hit, (np.maximum(a, b) > np.minimum(a, b)).astype(np.int32))
    i = np.arange(n)
    # x = i + 3, incr: v = x + 3; q's bytes 01 02 03 04 (+ i in the low byte, little endian)
    np.testing.assert_array_equal(w, (i + 6) + (1 + i) + 4)


def test_null_pointers():
    mod = portable.parse_cuda((CUDA / "null.cu").read_text(), "null.cu")
    n = int(RNG.integers(8, 64))
    flags = RNG.integers(0, 4, n).astype(np.int32)
    out, partial = np.zeros(n, np.float32), np.zeros(1, np.float32)
    mod["k"].launch(1, n, out, partial, flags, n, backend="numpy")
    p, q = (flags & 1) > 0, (flags & 2) > 0
    expect = p * 1 + q * 2 + (~p & ~q) * 4 + (~p) * 8
    np.testing.assert_array_equal(out, expect.astype(np.float32))
    assert partial[0] == 5.0  # partial != NULL for a real array
    assert "!= 0:ptr<f32, global>" in str(mod["k"].ir)


def test_frexp_ldexp_modf_exact():
    mod = portable.parse_cuda((CUDA / "frexp.cu").read_text(), "frexp.cu")
    n = 128
    x = (RNG.standard_normal(n) * 10.0 ** RNG.integers(-45, 38, n)).astype(np.float32)
    x[:8] = [0.0, -0.0, np.inf, -np.inf, 1e-45, -3.0, np.nan, 3.4e38]  # subnormal, exact ints
    y = RNG.standard_normal(n) * 10.0 ** RNG.integers(-320, 300, n)
    y[:5] = [0.0, 5e-324, -np.inf, 7.0, 1.7e308]
    e = RNG.integers(-400, 400, n).astype(np.int32)
    e[:3] = [-400, 400, 0]
    e[10:20] = RNG.integers(-2200, 2200, 10)
    f32, f64, i32 = (np.zeros(n, np.float32), np.zeros(n), np.zeros(n, np.int32))
    outs = [f32.copy(), i32.copy(), f64.copy(), i32.copy(), f32.copy(), f64.copy(),
            f32.copy(), f32.copy(), f64.copy(), f64.copy()]
    with np.errstate(all="ignore"):
        mod["k"].launch(1, n, x, y, e, *outs, backend="numpy")
        mx, ex = np.frexp(x)
        my, ey = np.frexp(y)
        want = [mx, ex, my, ey, np.ldexp(x, e), np.ldexp(y, e), *np.modf(x), *np.modf(y)]
    fin = np.isfinite(x)  # C leaves frexp's exponent of inf/nan unspecified (portable: 0)
    want[1], outs[1] = want[1][fin], outs[1][fin]
    for i, (got, exp) in enumerate(zip(outs, want)):
        assert np.array_equal(got, exp, equal_nan=True), i  # bit-exact, signs of zero too
        assert np.array_equal(np.signbit(got), np.signbit(exp)), i


def test_inline_ptx_idioms():
    mod = portable.parse_cuda((CUDA / "ptx_idioms.cu").read_text(), "ptx_idioms.cu")
    blocks, threads = 2, int(RNG.integers(33, 96))
    n = blocks * threads
    x = RNG.integers(0, 2**32, n, dtype=np.uint64).astype(np.uint32)
    x[0] = 0
    lane, masks, bits = (np.zeros(n, np.uint32), np.zeros(5 * n, np.uint32),
                         np.zeros(3 * n, np.uint32))
    mod["k"].launch(blocks, threads, x, lane, masks, bits, backend="numpy")
    ln = (np.arange(n) % threads) % 32  # lanes count within each block
    np.testing.assert_array_equal(lane, ln)
    one = np.uint64(1)
    lt = ((one << ln.astype(np.uint64)) - one).astype(np.uint32)
    le = ((one << (ln + 1).astype(np.uint64)) - one).astype(np.uint32)
    want = np.stack([lt, le, ~le, ~lt, (one << ln.astype(np.uint64)).astype(np.uint32)], 1)
    np.testing.assert_array_equal(masks.reshape(n, 5), want)
    popc = np.array([bin(int(v)).count("1") for v in x], np.uint32)
    brev = np.array([int(f"{int(v):032b}"[::-1], 2) for v in x], np.uint32)
    bfind = np.array([int(v).bit_length() - 1 if v else 0xFFFFFFFF for v in x], np.uint32)
    np.testing.assert_array_equal(bits.reshape(n, 3), np.stack([popc, brev, bfind], 1))


def test_other_inline_ptx_is_reported():
    with pytest.raises(portable.PortError) as e:
        portable.parse_cuda('__global__ void k(int *a) {\n  asm("trap;");\n}', "p.cu")
    d = e.value.diagnostics[0]
    assert (d.code, d.loc.line) == ("PORT1011", 2) and "trap" in d.message


def test_memcpy_memset_and_thread_scope_pipelines():
    mod = portable.parse_cuda((CUDA / "copies.cu").read_text(), str(CUDA / "copies.cu"))
    b = 8
    x = RNG.standard_normal(2 * b * 4).astype(np.float32)
    v = RNG.integers(0, 2**31, 8 * b, dtype=np.int64).astype(np.uint32)
    out = np.zeros_like(x)
    u4 = np.dtype([(f, np.uint32) for f in "xyzw"])
    pk = np.zeros(b, [("x", u4), ("y", u4)])
    z = np.zeros(b, np.int32)
    mod["tiles"].launch(1, b, out, x, pk, v, z, backend="numpy")
    tiles = x.reshape(2, b, 4)
    np.testing.assert_array_equal(out.reshape(2, b, 4), np.roll(tiles, -1, axis=1))
    got = pk.view(np.uint32).reshape(b, 8)
    np.testing.assert_array_equal(got, (v.reshape(b, 8) * np.uint32(2)))
    np.testing.assert_array_equal(z, 7)


def test_shared_pipeline_reported():
    src = ("#include <cuda/pipeline>\n#include <cooperative_groups.h>\n"
           "__global__ void k(float *a) {\n"
           "  __shared__ cuda::pipeline_shared_state<cuda::thread_scope_block, 2> st;\n"
           "  auto g = cooperative_groups::this_thread_block();\n"
           "  auto p = cuda::make_pipeline(g, &st);\n}\n")
    with pytest.raises(portable.PortError) as e:
        portable.parse_cuda(src, "p.cu")
    assert e.value.code in ("PORT1002", "PORT1003")


def test_run_time_sized_groups():
    mod = portable.parse_cuda((CUDA / "rtgroups.cu").read_text(), "rtgroups.cu")
    nt = 64
    out, tiles, info = (np.zeros(nt, np.int32), np.zeros(nt, np.int32), np.zeros(nt, np.uint32))
    mod["sums"].launch(1, nt, out, tiles, info, backend="numpy", shared_mem=4 * nt)
    t = np.arange(nt)
    np.testing.assert_array_equal(out, np.where(t == 0, t.sum(), -1))
    tile_sum = np.repeat(t.reshape(-1, 16).sum(1), 16)
    np.testing.assert_array_equal(tiles, np.where(t % 16 == 0, tile_sum, -1))
    np.testing.assert_array_equal(info, (t // 16) * 1000 + nt // 16)

    n = int(RNG.integers(100, 300))
    src = RNG.integers(-10, 10, n).astype(np.int32)
    dst = np.full(n, -99, np.int32)
    nres = np.zeros(1, np.int32)
    pos = np.full(n, -1, np.int32)
    mod["filter"].launch(-(-n // 64), 64, dst, nres, src, n, pos, backend="numpy")
    k = int((src > 0).sum())
    assert nres[0] == k
    assert sorted(dst[:k].tolist()) == sorted(src[src > 0].tolist())  # each positive once
    assert (dst[k:] == -99).all()
    # all: every member passed src > 0 (they all did); any: some member of the warp's
    # coalesced group has src > 5
    warp = np.arange(n) // 32
    big = np.array([((src > 5) & (warp == w)).any() for w in range(warp.max() + 1)])
    want = np.where(src > 0, 1 + 2 * big[warp], -1)
    np.testing.assert_array_equal(pos, want)


def _xorwow_step(v: list[int]) -> list[int]:
    t = v[0] ^ (v[0] >> 2)
    return v[1:] + [(v[4] ^ (v[4] << 4) ^ t ^ (t << 1)) & 0xFFFFFFFF]


def _jump(v: list[int], power: int) -> list[int]:
    """The xorshift state after 2**power steps, by squaring the step's GF(2) map (columns as
    160-bit Python ints)."""
    def pack(w):
        return sum(x << (32 * i) for i, x in enumerate(w))

    def unpack(x):
        return [(x >> (32 * i)) & 0xFFFFFFFF for i in range(5)]

    def apply(cols, x):
        r, j = 0, 0
        while x:
            if x & 1:
                r ^= cols[j]
            x >>= 1
            j += 1
        return r

    cols = [pack(_xorwow_step(unpack(1 << j))) for j in range(160)]
    for _ in range(power):
        cols = [apply(cols, c) for c in cols]
    return unpack(apply(cols, pack(v)))


def _curand_init(seed: int, sub: int, offset: int):
    m = 0xFFFFFFFF
    t0 = (1099087573 * ((seed & m) ^ 0xAAD26B49)) & m
    t1 = (2591861531 * ((seed >> 32) ^ 0xF7DCEFDD)) & m
    d = (6615241 + t1 + t0) & m
    v = [(123456789 + t0) & m, 362436069 ^ t0, (521288629 + t1) & m, 88675123 ^ t1,
         (5783321 + t0) & m]
    for bit in range(64):
        if sub >> bit & 1:
            v = _jump(v, 67 + bit)
    for _ in range(offset):
        v = _xorwow_step(v)
        d = (d + 362437) & m
    return d, v


def test_curand_xorwow():
    mod = portable.parse_cuda((CUDA / "curand.cu").read_text(), "curand.cu")
    from portable.launch import elem_dtype

    state_t = next(p.type.elem for p in mod["init"].ir.params if p.name == "states")
    nt, n = 4, 6
    seed = int(RNG.integers(0, 2**63))
    base, offset = int(RNG.integers(0, 8)), int(RNG.integers(0, 5))
    states = np.zeros(nt, elem_dtype(state_t))
    mod["init"].launch(1, nt, states, np.uint64(seed), np.uint64(base), np.uint64(offset),
                       backend="numpy")
    bits = np.zeros(nt * n, np.uint32)
    u, g = np.zeros(nt, np.float32), np.zeros(2 * nt, np.float32)
    ud, gd = np.zeros(nt), np.zeros(nt)
    mod["draw"].launch(1, nt, states, bits, u, g, ud, gd, n, backend="numpy")
    f = np.float32
    for t in range(nt):
        d, v = _curand_init(seed, base + t, offset)
        out = []
        for _ in range(n + 7):
            v = _xorwow_step(v)
            d = (d + 362437) & 0xFFFFFFFF
            out.append((v[4] + d) & 0xFFFFFFFF)
        assert bits[t * n:(t + 1) * n].tolist() == out[:n]  # cuRAND's integer stream, exactly
        x = out[n:]
        assert u[t] == f(x[0]) * f(2.3283064e-10) + f(2.3283064e-10) / f(2)
        r = np.sqrt(-2 * np.log(x[1] * 2.3283064e-10 + 1.1641532e-10))
        a = x[2] * 2.3283064e-10 * 6.2831855 + 2.3283064e-10 * 3.14159275
        np.testing.assert_allclose(g[2 * t:2 * t + 2], [r * np.sin(a), r * np.cos(a)],
                                   rtol=2e-5, atol=2e-6)
        z = x[3] ^ (x[4] << 21)
        assert ud[t] == z * 1.1102230246251565e-16 + 1.1102230246251565e-16 / 2
        assert np.isfinite(gd[t])
    assert (states["boxmuller_flag"] == 0).all()  # both normals of the pair were used


def test_local_unions_reinterpret_bytes():
    mod = portable.parse_cuda((CUDA / "unions.cu").read_text(), "unions.cu")
    n = int(RNG.integers(8, 64))
    words = RNG.integers(0, 2**32, n, dtype=np.uint64).astype(np.uint32)
    x = RNG.standard_normal(n).astype(np.float32)
    lo, hi = np.zeros(n, np.int32), np.zeros(n, np.int32)
    back, xb = np.zeros(n, np.uint32), np.zeros(n, np.uint32)
    mod["k"].launch(1, n, words, lo, hi, back, x, xb, backend="numpy")
    halves = words.view(np.int16).reshape(n, 2)  # little endian: lo first
    np.testing.assert_array_equal(lo, halves[:, 0])
    np.testing.assert_array_equal(hi, halves[:, 1])
    bumped = halves.copy()
    bumped[:, 1] += 1
    np.testing.assert_array_equal(back, bumped.reshape(-1).view(np.uint32))
    np.testing.assert_array_equal(xb, x.view(np.uint32))


def test_static_locals_are_module_variables():
    mod = portable.parse_cuda((CUDA / "static_local.cu").read_text(), "static_local.cu")
    launches, nt = int(RNG.integers(1, 4)), int(RNG.integers(4, 64))
    for _ in range(launches):
        out = np.zeros(nt + 4, np.int32)
        mod["k"].launch(1, nt, out, backend="numpy")
    # the counter starts at its initialiser and keeps counting across launches
    assert sorted(out[:nt].tolist()) == list(range(100 + (launches - 1) * nt, 100 + launches * nt))
    hist = np.bincount(np.arange(nt) % 4, minlength=4) * launches
    np.testing.assert_array_equal(out[nt:], hist)


def test_graph_conditional_goes_to_a_module_variable():
    # graphConditionalNodes' do-while kernel: the host reads the condition and relaunches
    mod = portable.parse_cuda((CUDA / "graph_conditional.cu").read_text(), "graph_cond.cu")
    start = int(RNG.integers(2, 9))
    handle = int(RNG.integers(0, 2**40))
    counter = np.array([start], np.int8)
    launches = 0
    while True:
        mod["countdown"].launch(1, 1, counter, np.uint64(handle), backend="numpy")
        launches += 1
        if mod.get_global("portable_graph_conditions")[handle % 64] == 0 or launches > 20:
            break
    assert (launches, int(counter[0])) == (start, 0)


def test_array_parameters_and_pointers_to_rows():
    # dxtc's `float3 colors[16]` parameter, MonteCarloPi's `float (*xyVector)[2]`
    mod = portable.parse_cuda((CUDA / "array_params.cu").read_text(), "array_params.cu")
    x = RNG.standard_normal(4).astype(np.float32)
    f3 = np.dtype([(f, np.float32) for f in "xyz"])
    out, flat = np.zeros(4, f3), np.zeros(8, np.float32)
    mod["k"].launch(1, 4, x, out, flat, backend="numpy")
    r = x[::-1]
    np.testing.assert_array_equal(np.stack([out["x"], out["y"], out["z"]], 1),
                                  np.stack([r, 2 * r, 3 * r], 1))
    np.testing.assert_array_equal(flat.reshape(4, 2), np.stack([x, -x], 1))
    assert "ptr<f32, global>" in str(mod["k"].ir) and "f32[2]" not in str(mod["k"].ir)


def test_known_tile_syncs_under_a_branch():
    from portable.report import analyse

    src = (CUDA / "rtgroups.cu").read_text()
    by = {k.name: k for k in analyse(src, "rtgroups.cu", extra_diagnostics=[]).kernels}
    assert by["first_tile"].ok and by["first_tile"].diagnostics == []  # a warp barrier only
    mod = portable.parse_cuda(src, "rtgroups.cu")
    x = RNG.integers(-100, 100, 16).astype(np.float32)
    out = np.zeros(1, np.float32)
    mod["first_tile"].launch(1, 64, x, out, backend="numpy")
    assert out[0] == x.sum()
