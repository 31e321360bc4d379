"""llvm-specific behaviour: C edge semantics against the numpy reference, barriers in uniform and
divergent loops (fast and SIMT paths), warps with partial warps, atomics, module globals, dynamic
shared memory, bounds checks, multi-core determinism, vectorisation and the compile cache.

The library kernels themselves run on llvm in tests/test_library.py (differential suite)."""

from __future__ import annotations

import re

import numpy as np
import pytest
from portable.backends import why_unavailable

import portable
from portable import PortError

pytestmark = pytest.mark.skipif(why_unavailable("llvm") is not None,
                                reason=f"llvm unavailable: {why_unavailable('llvm')}")


@pytest.fixture(autouse=True)
def _private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("PORTABLE_CACHE_DIR", str(tmp_path / "cache"))


def both(src: str, kernel: str, grid, block, make_args, shared_mem: int = 0, **opts):
    """Run on numpy and llvm with identical fresh inputs; return both argument lists."""
    mod = portable.parse_cuda(src)
    out = []
    for backend in ("numpy", "llvm"):
        args = make_args()
        o = dict(opts) if backend == "llvm" else {}
        mod[kernel].launch(grid, block, *args, backend=backend, shared_mem=shared_mem, **o)
        out.append(args)
    return out


def assert_same(ref, got, rtol=0.0):
    for a, b in zip(ref, got, strict=False):
        if isinstance(a, np.ndarray):
            if a.dtype.kind == "f" and rtol:
                np.testing.assert_allclose(b, a, rtol=rtol, atol=rtol)
            else:
                np.testing.assert_array_equal(b, a)


RNG = np.random.default_rng(1234)

# ---------------------------------------------------------------- C semantics

INT_EDGES = r"""
__global__ void ints(const int* a, const int* b, int* out, unsigned* uout, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    int x = a[i], y = b[i];
    unsigned ux = (unsigned)x, uy = (unsigned)y;
    out[i * 10 + 0] = x / y;
    out[i * 10 + 1] = x % y;
    out[i * 10 + 2] = x << y;
    out[i * 10 + 3] = x >> y;
    out[i * 10 + 4] = x + y;
    out[i * 10 + 5] = x * y;
    out[i * 10 + 6] = __mulhi(x, y);
    out[i * 10 + 7] = __clz(x) + 64 * __popc(y) + 4096 * __ffs(x);
    out[i * 10 + 8] = min(x, y) ^ max(x, y);
    out[i * 10 + 9] = abs(x) - (x < y);
    uout[i * 6 + 0] = ux / uy;
    uout[i * 6 + 1] = ux % uy;
    uout[i * 6 + 2] = ux >> uy;
    uout[i * 6 + 3] = ux << uy;
    uout[i * 6 + 4] = __brev(ux);
    uout[i * 6 + 5] = (ux < uy) + 2 * (ux >= uy);
}
"""


def test_integer_edges_match_reference():
    edges = np.array([0, 1, -1, 2, -2, 7, -7, 31, 32, 33, 64, -33, 2**31 - 1, -2**31, 12345,
                      -98765], np.int32)
    a = np.repeat(edges, len(edges))
    b = np.tile(edges, len(edges))
    extra = RNG.integers(-2**31, 2**31, 300, dtype=np.int64).astype(np.int32)
    a = np.concatenate([a, extra])
    b = np.concatenate([b, RNG.permutation(extra)])
    n = len(a)

    def args():
        return [a.copy(), b.copy(), RNG.integers(-9, 9, n * 10).astype(np.int32),
                RNG.integers(0, 9, n * 6).astype(np.uint32), n]

    ref, got = both(INT_EDGES, "ints", (n + 63) // 64, 64, args)
    assert_same(ref, got)


FLOAT_EDGES = r"""
__global__ void floats(const float* x, const float* y, int* i32, unsigned char* u8,
                       long long* i64, float* f, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) {
        float a = x[i], b = y[i];
        i32[i] = (int)a;
        u8[i] = (unsigned char)b;
        i64[i] = (long long)(a * 1e10f);
        f[i * 4 + 0] = fminf(a, b);
        f[i * 4 + 1] = fmaxf(a, b);
        f[i * 4 + 2] = fmodf(a, b);
        f[i * 4 + 3] = truncf(a) + floorf(b) + (float)(a != a);
    }
}
"""


def test_float_conversions_saturate_and_nan_matches_reference():
    vals = np.array([0.0, -0.0, 0.5, -0.5, 1.5, -1.5, 255.9, 256.0, -1.0, 3e9, -3e9, 1e20,
                     np.inf, -np.inf, np.nan, 2147483520.0, -2147483648.0], np.float32)
    x = np.concatenate([np.repeat(vals, len(vals)), RNG.normal(0, 1e3, 200).astype(np.float32)])
    y = np.concatenate([np.tile(vals, len(vals)), RNG.normal(0, 50, 200).astype(np.float32)])
    n = len(x)

    def args():
        return [x.copy(), y.copy(), np.full(n, 7, np.int32), np.full(n, 7, np.uint8),
                np.full(n, 7, np.int64), np.full(n * 4, 7, np.float32), n]

    ref, got = both(FLOAT_EDGES, "floats", (n + 127) // 128, 128, args)
    assert_same(ref, got)


# ---------------------------------------------------------------- barriers

TILED = r"""
#define T 8
__global__ void mm(const float* A, const float* B, float* C, int n) {
    __shared__ float As[T][T];
    __shared__ float Bs[T][T];
    int tx = threadIdx.x, ty = threadIdx.y;
    int row = blockIdx.y * T + ty, col = blockIdx.x * T + tx;
    float acc = 0.0f;
    for (int t = 0; t < (n + T - 1) / T; ++t) {
        As[ty][tx] = (row < n && t * T + tx < n) ? A[row * n + t * T + tx] : 0.0f;
        Bs[ty][tx] = (col < n && t * T + ty < n) ? B[(t * T + ty) * n + col] : 0.0f;
        __syncthreads();
        for (int k = 0; k < T; ++k)
            acc += As[ty][k] * Bs[k][tx];
        __syncthreads();
    }
    if (row < n && col < n) C[row * n + col] = acc;
}
"""


def test_barrier_in_uniform_loop():
    n = 21
    A = RNG.standard_normal((n, n)).astype(np.float32)
    B = RNG.standard_normal((n, n)).astype(np.float32)
    mod = portable.parse_cuda(TILED)
    C = np.full((n, n), np.nan, np.float32)
    mod["mm"].launch((3, 3), (8, 8), A, B, C, n, backend="llvm")
    np.testing.assert_allclose(C, A.astype(np.float64) @ B, rtol=1e-4, atol=1e-4)


DIVERGENT = r"""
__global__ void simt(const int* trips, int* out, int* log) {
    // k is block-uniform (the shared analysis accepts the barriers) but it is computed in thread
    // code, so the planner cannot prove it: the always-correct SIMT path runs the while loop,
    // including a break and a continue under conditions it also cannot prove uniform.
    __shared__ int s[64];
    int t = threadIdx.x;
    int k = 0;
    for (int j = 0; j < trips[blockIdx.x]; j++) k += 1;
    int acc = 0;
    int i = 0;
    while (i < k) {
        s[t] = t + i;
        __syncthreads();
        acc += s[(t + 1) % 64];
        __syncthreads();
        i++;
        if (i == 11) break;
        if (i % 3 == 0) continue;
        acc += 1;
    }
    out[blockIdx.x * 64 + t] = acc * 1000 + i;
    log[blockIdx.x * 64 + t] = __syncthreads_count(acc & 1);
    if (t % 5 == 0) return;  // divergent return: later warp votes see only the others
    log[256 + blockIdx.x * 64 + t] = __ballot_sync(0xffffffff, acc & 2);
}
"""


def test_barrier_in_divergent_loop_simt_path():
    trips = np.array([0, 1, 5, 17], np.int32)

    def args():
        return [trips.copy(), np.full(4 * 64, -1, np.int32), np.full(8 * 64, -1, np.int32)]

    ref, got = both(DIVERGENT, "simt", 4, 64, args)
    assert_same(ref, got)


def test_plan_takes_fast_and_simt_paths():
    from portable.backends.llvm.plan import legalize, plan

    mm = portable.parse_cuda(TILED)["mm"].ir
    loops = [n for n in plan(legalize(mm)).body if getattr(n, "kind", "") == "loop"]
    assert loops and all(n.uniform for n in loops)
    simt = portable.parse_cuda(DIVERGENT)["simt"].ir
    loops = [n for n in plan(legalize(simt)).body if getattr(n, "kind", "") == "loop"]
    assert loops and not any(n.uniform for n in loops)


# ---------------------------------------------------------------- warps

WARPS = r"""
__global__ void warps(const int* v, int* out, int w) {
    int t = threadIdx.x;
    int x = v[blockIdx.x * blockDim.x + t];
    int o = (blockIdx.x * blockDim.x + t) * 8;
    out[o + 0] = __shfl_down_sync(0xffffffff, x, 3, w);
    out[o + 1] = __shfl_up_sync(0xffffffff, x, 5, w);
    out[o + 2] = __shfl_xor_sync(0xffffffff, x, 9, w);
    out[o + 3] = __shfl_sync(0xffffffff, x, t * 7 + 1, w);
    out[o + 4] = __ballot_sync(0xffffffff, x & 1);
    if (x % 3 != 0) {
        out[o + 5] = __any_sync(0xffffffff, x > 90) + 2 * __all_sync(0xffffffff, x > 5);
        out[o + 6] = __activemask();
    }
    if (t < 32) {  // divergent for the block, uniform for each warp: a legal warp reduction
        int s = x;
        for (int d = 16; d > 0; d /= 2)
            s += __shfl_down_sync(0xffffffff, s, d);
        out[o + 7] = s;
    }
}
"""


@pytest.mark.parametrize("width", [32, 16, 4])
def test_warp_ops_partial_warps_match_reference(width):
    block, grid = 48, 3  # the second warp of each block is partial (16 lanes)

    def args():
        return [RNG.integers(0, 100, grid * block).astype(np.int32),
                np.full(grid * block * 8, -1, np.int32), width]

    # the same fresh inputs for both backends
    v = args()[0]
    ref, got = both(WARPS, "warps", grid, block, lambda: [v.copy(), *args()[1:]])
    assert_same(ref, got)


# ---------------------------------------------------------------- atomics, globals, shared

ATOMICS = r"""
__device__ unsigned int launches;
__constant__ float scale[4];
__global__ void atom(const float* x, float* fsum, int* imax, unsigned* inc, float* fmin_,
                     int* cas, int n) {
    extern __shared__ int dyn[];
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (threadIdx.x == 0) dyn[0] = 0;
    __syncthreads();
    if (i < n) {
        atomicAdd(fsum, x[i] * scale[i % 4]);
        atomicMax(imax, (int)(x[i] * 1000.0f));
        atomicInc(inc, 17u);
        atomicExch(fmin_, x[i]);
        atomicDec(inc + 1, 5u);
        atomicCAS(cas + (i % 8), 0, i + 1);
        atomicAdd(&dyn[0], 1);
    }
    __syncthreads();
    if (threadIdx.x == 0) { atomicAdd(&launches, 1u); atomicAdd(imax + 1, dyn[0]); }
}
"""


def test_atomics_globals_constant_and_dynamic_shared():
    mod = portable.parse_cuda(ATOMICS)
    n = 5000
    x = RNG.random(n, dtype=np.float32) + 0.01
    sc = np.array([1.0, 0.5, 2.0, -1.0], np.float32)
    mod.set_constant("scale", sc)
    fsum = np.zeros(1, np.float32)
    imax = np.array([-5, 0], np.int32)
    inc = np.zeros(2, np.uint32)
    fmin_ = np.array([np.inf], np.float32)
    cas = np.zeros(8, np.int32)
    k = mod["atom"]
    for _ in range(2):  # module variables persist across launches
        k.launch((n + 127) // 128, 128, x, fsum, imax, inc, fmin_, cas, n, backend="llvm",
                 shared_mem=16)
    want = 2 * float((x.astype(np.float64) * sc[np.arange(n) % 4]).sum())
    assert abs(fsum[0] - want) <= 1e-3 * abs(want) + 1e-3
    assert imax[0] == int((x * np.float32(1000)).astype(np.int32).max())
    assert imax[1] == 2 * n
    assert inc[0] == (2 * n) % 18
    assert fmin_[0] in x  # some thread's value
    assert inc[1] == (-2 * n) % 6  # wraps to 5 at 0: counts down modulo 6
    assert all(c >= 1 and (c - 1) % 8 == j for j, c in enumerate(cas))
    assert mod.get_global("launches")[()] == 2 * ((n + 127) // 128)


# ---------------------------------------------------------------- checks

OOB = r"""
__global__ void oob(float* y, int n, int bad) {
    __shared__ float s[32];
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    s[threadIdx.x] = 1.0f;
    __syncthreads();
    if (i < n) y[i + (i == bad ? 1000 : 0)] = s[threadIdx.x];
}
__global__ void oob_shared(float* y, int k) {
    __shared__ float s[32];
    s[threadIdx.x + k] = 2.0f;
    __syncthreads();
    y[threadIdx.x] = s[threadIdx.x];
}
"""


def test_checks_raise_porterror_with_kernel_array_index_block_thread():
    mod = portable.parse_cuda(OOB)
    y = np.zeros(100, np.float32)
    mod["oob"].launch(4, 32, y, 100, -1, backend="llvm", checks=True)  # in bounds: fine
    assert (y == 1).all()
    with pytest.raises(PortError) as e:
        mod["oob"].launch(4, 32, y, 100, 70, backend="llvm", checks=True)
    msg = str(e.value)
    assert e.value.code == "PORT5001"
    assert "'oob'" in msg and "'y'" in msg and "index 1070" in msg
    assert "block (2, 0, 0)" in msg and "thread (6, 0, 0)" in msg
    with pytest.raises(PortError) as e:
        mod["oob_shared"].launch(1, 32, y, 5, backend="llvm", checks=True)
    assert "'s'" in str(e.value) and "index 32" in str(e.value)


def test_checks_in_parallel_launch(monkeypatch):
    monkeypatch.setenv("PORTABLE_NUM_THREADS", "2")
    mod = portable.parse_cuda(OOB)
    y = np.zeros(64 * 512, np.float32)
    with pytest.raises(PortError, match="PORT5001"):
        mod["oob"].launch(512, 64, y, y.size, 20000, backend="llvm", checks=True)


# ---------------------------------------------------------------- parallelism

BLOCKSUM = r"""
__global__ void blocksum(const float* x, float* out) {
    __shared__ float s[128];
    int t = threadIdx.x;
    s[t] = x[blockIdx.x * 128 + t] * 1.1f + 0.3f;
    __syncthreads();
    for (int k = 64; k > 0; k >>= 1) {
        if (t < k) s[t] += s[t + k];
        __syncthreads();
    }
    if (t == 0) out[blockIdx.x] = s[0];
}
"""


def test_multicore_bitwise_identical_to_single_thread(monkeypatch):
    mod = portable.parse_cuda(BLOCKSUM)
    nb = 512  # 65536 thread iterations: above the parallel threshold
    x = RNG.standard_normal(nb * 128).astype(np.float32)
    outs = []
    for threads in ("1", "2", "3"):
        monkeypatch.setenv("PORTABLE_NUM_THREADS", threads)
        out = np.full(nb, np.nan, np.float32)
        mod["blocksum"].launch(nb, 128, x, out, backend="llvm")
        outs.append(out)
    assert not np.isnan(outs[0]).any()
    for o in outs[1:]:
        assert o.tobytes() == outs[0].tobytes()
    ref = np.full(nb, np.nan, np.float32)
    mod["blocksum"].launch(nb, 128, x, ref, backend="numpy")
    np.testing.assert_allclose(outs[0], ref, rtol=1e-5, atol=1e-4)


# ---------------------------------------------------------------- code quality and cache

SAXPY = r"""
__global__ void saxpy(int n, float a, const float* __restrict__ x, float* __restrict__ y) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) y[i] = a * x[i] + y[i];
}
"""


def test_saxpy_assembly_is_vectorised():
    from portable.backends.llvm import runtime

    fn = portable.parse_cuda(SAXPY)["saxpy"].ir
    asm = runtime.assembly(fn, (256, 1, 1))
    packed = re.findall(r"\bv(?:fmadd\w*ps|mulps|addps|movups|maskmovps)\b[^\n]*[xyz]mm", asm)
    assert packed, "no packed single-precision vector instructions in saxpy"
    wide = re.findall(r"[yz]mm", asm)
    assert wide, "saxpy did not use 256/512-bit vectors"


def test_source_is_optimised_llvm_ir():
    k = portable.parse_cuda(SAXPY)["saxpy"]
    text = k.source("llvm")
    assert "define void @saxpy(" in text
    assert re.search(r"<\d+ x float>", text), "optimised IR has no vector type"


def test_compile_cache_memory_and_disk(tmp_path, monkeypatch):
    from portable.backends.llvm import runtime

    monkeypatch.setenv("PORTABLE_CACHE_DIR", str(tmp_path / "c2"))
    fn = portable.parse_cuda(SAXPY)["saxpy"].ir
    runtime.clear_memory_cache()
    s0 = dict(runtime.STATS)
    a = runtime.compiled(fn, (64, 1, 1), False, True)
    assert runtime.STATS["compiles"] == s0["compiles"] + 1
    assert runtime.compiled(fn, (64, 1, 1), False, True) is a  # memory
    files = list((tmp_path / "c2" / "llvm").rglob("*"))
    assert any(f.is_file() for f in files)
    runtime.clear_memory_cache()
    b = runtime.compiled(fn, (64, 1, 1), False, True)  # disk
    assert runtime.STATS["disk_hits"] == s0["disk_hits"] + 1
    assert runtime.STATS["compiles"] == s0["compiles"] + 1
    x = RNG.random(100, dtype=np.float32)
    y = RNG.random(100, dtype=np.float32)
    want = np.float32(3) * x + y
    from portable.launch import LaunchSpec

    runtime.run(b, LaunchSpec(fn, (2, 1, 1), (64, 1, 1), [np.int32(100), np.float32(3), x, y]))
    np.testing.assert_allclose(y, want, rtol=1e-6)
    # a corrupt entry is a miss, never an error
    for f in (tmp_path / "c2" / "llvm").rglob("*"):
        if f.is_file():
            f.write_bytes(b"\x05\x00")
    runtime.clear_memory_cache()
    runtime.compiled(fn, (64, 1, 1), False, True)
    assert runtime.STATS["compiles"] == s0["compiles"] + 2


def test_generic_cache_atomic_and_keyed(tmp_path, monkeypatch):
    from portable import cache

    monkeypatch.setenv("PORTABLE_CACHE_DIR", str(tmp_path))
    c = cache.Cache("t")
    k = cache.key("ir", (1, 2), b"x")
    assert k != cache.key("ir", (1, 2), b"y")
    assert c.get(k) is None
    c.put(k, b"data")
    assert c.get(k) == b"data"
    assert cache.Cache("t").get(k) == b"data"  # from disk in a fresh instance
    assert not list(tmp_path.rglob(".tmp-*"))


STRIDED = r"""
__global__ void strided(const float* x, float* out, int n) {
    __shared__ float s[96];
    float acc = 0.0f;
    int hits = 0;
    // per-thread start, uniform bound and step: interchanged (block-level counter)
    for (int j = (int)threadIdx.x * 3 - 5; j < n; j += blockDim.x) {
        if (j < 0) continue;
        acc += x[j] * (float)(j % 7);
        hits++;
        if (acc > 6.0f) break;  // threads leave at different iterations
    }
    s[threadIdx.x] = acc + (float)hits;
    __syncthreads();
    out[blockIdx.x * 96 + threadIdx.x] = s[(threadIdx.x + 1) % 96];
}
"""


def test_thread_strided_loop_is_interchanged_and_exact():
    from portable.backends.llvm.plan import legalize, plan

    fn = portable.parse_cuda(STRIDED)["strided"].ir
    assert any(getattr(n, "kind", "") == "strided" for n in plan(legalize(fn)).body)
    n = 1000
    x = RNG.standard_normal(n).astype(np.float32)
    ref, got = both(STRIDED, "strided", 2, 96,
                    lambda: [x.copy(), np.full(2 * 96, np.nan, np.float32), n])
    assert_same(ref, got, rtol=1e-5)


# ---------------------------------------------------------------- grid-stride loops, fast paths

GRIDSTRIDE = r"""
__global__ void wsum(const float* __restrict__ in, float* __restrict__ out, unsigned n) {
    __shared__ float s[64];
    unsigned i = blockIdx.x * blockDim.x * 2 + threadIdx.x;
    unsigned stride = blockDim.x * 2 * gridDim.x;
    float acc = 0.0f;
    while (i < n) {
        acc += in[i];
        if (i + blockDim.x < n)
            acc += in[i + blockDim.x];
        i += stride;
    }
    s[threadIdx.x] = acc;
    __syncthreads();
    if (threadIdx.x == 0) {
        float t = 0.0f;
        for (int k = 0; k < 64; k++) t += s[k];
        out[blockIdx.x] = t;
    }
}
__global__ void wkeep(const int* in, int* out, int n) {
    // i is read after the loop: must stay a while loop (the final value matters)
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    int acc = 0;
    while (i < n) { acc += in[i]; i += blockDim.x * gridDim.x; }
    out[blockIdx.x * blockDim.x + threadIdx.x] = acc * 1000 + i;
}
__global__ void wpoly(const float* __restrict__ x, float* __restrict__ y, int n) {
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += blockDim.x * gridDim.x)
        y[i] = 1.0f + x[i] * (2.0f + x[i] * 3.0f);
}
"""


@pytest.mark.parametrize("n", [64 * 2 * 3 * 5, 64 * 2 * 3 * 5 - 37, 50])
def test_grid_stride_while_loop_is_interchanged_and_exact(n):
    from portable.backends.llvm.canon import while_to_for
    from portable.backends.llvm.plan import legalize, plan

    mod = portable.parse_cuda(GRIDSTRIDE)
    for name, strided in (("wsum", True), ("wkeep", False), ("wpoly", True)):
        p = plan(legalize(while_to_for(mod[name].ir)))
        assert any(getattr(x, "kind", "") == "strided" for x in p.body) == strided, name
    x = RNG.random(n).astype(np.float32)
    ref, got = both(GRIDSTRIDE, "wsum", 3, 64,
                    lambda: [x.copy(), np.full(3, np.nan, np.float32), np.uint32(n)])
    assert_same(ref, got, rtol=1e-5)
    xi = RNG.integers(-1000, 1000, n).astype(np.int32)
    ref, got = both(GRIDSTRIDE, "wkeep", 3, 64,
                    lambda: [xi.copy(), np.full(3 * 64, -1, np.int32), n])
    assert_same(ref, got)
    ref, got = both(GRIDSTRIDE, "wpoly", 2, 96,
                    lambda: [x.copy(), np.full(n, np.nan, np.float32), n])
    assert_same(ref, got, rtol=1e-6)


GUARDS = r"""
__global__ void edges(const float* __restrict__ a, float* __restrict__ b, int nx, int ny) {
    int i = blockIdx.y * blockDim.y + threadIdx.y;
    int j = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= ny || j >= nx)
        return;
    int idx = i * nx + j;
    if (i == 0 || j == 0 || i == ny - 1 || j == nx - 1) {
        b[idx] = -a[idx];
        return;
    }
    float v = (j % 3 == 0) ? a[idx - 1] : a[idx + 1];
    b[idx] = 0.25f * (a[idx - nx] + a[idx + nx]) + v;
}
"""


@pytest.mark.parametrize("shape", [(64, 32), (61, 37), (5, 3)])
def test_guard_fast_paths_are_exact(shape):
    """Blocks wholly inside, straddling and outside the bounds take different copies of the
    thread loop (fastpath.py); every one must match the reference bit for bit."""
    from portable.backends.llvm import runtime

    from portable.launch import dim3

    nx, ny = shape
    a = RNG.standard_normal(nx * ny).astype(np.float32)
    grid = ((nx + 15) // 16, (ny + 7) // 8)
    ref, got = both(GUARDS, "edges", grid, (16, 8),
                    lambda: [a.copy(), np.full(nx * ny, np.nan, np.float32), nx, ny], fma=False)
    assert_same(ref, got)
    text = runtime.optimised_ir(portable.parse_cuda(GUARDS)["edges"].ir, dim3((16, 8), "b"))
    assert "fp.fast" in text or "<16 x float>" in text


def test_wide_grid_specialisation_without_narrow_index_rule(monkeypatch):
    """gridDim.x * blockDim.x > 2**31 gets its own specialisation (indexing.py); only the
    launcher's choice is checked here (such a launch would need 8 GiB arrays)."""
    from portable.backends.llvm import runtime

    seen = []
    monkeypatch.setattr(runtime, "compiled",
                        lambda fn, block, checks, contract, narrow=True: seen.append(narrow))
    monkeypatch.setattr(runtime, "run", lambda c, spec: None)
    k = portable.parse_cuda(GRIDSTRIDE)["wpoly"]
    launcher = runtime.Launcher(k.ir, {})

    class Spec:
        block = (1024, 1, 1)
        grid = (1 << 22, 1, 1)

    launcher(Spec)
    Spec.grid = (1 << 20, 1, 1)
    launcher(Spec)
    assert seen == [False, True]


RANGES = r"""
__global__ void ranges(const int* __restrict__ in, int* __restrict__ out, int k, unsigned u) {
    __shared__ int buf[2][96];
    int tid = threadIdx.x;
    int p = 0;
    buf[0][tid] = in[blockIdx.x * 96 + tid];
    __syncthreads();
    for (int off = 1; off < 96; off *= 2) {
        if (tid >= off)
            buf[1 - p][tid] = buf[p][tid] + buf[p][tid - off];
        else
            buf[1 - p][tid] = buf[p][tid];
        p = 1 - p;
        __syncthreads();
    }
    int o = (blockIdx.x * 96 + tid) * 5;
    out[o] = buf[p][tid];
    __syncthreads();  // one guard per region: each is the region's range split
    if (threadIdx.x < u) out[o + 1] = in[tid] * 3;
    __syncthreads();
    if (tid <= k) out[o + 2] = in[tid] - 1;
    __syncthreads();
    if (k == tid) out[o + 3] = 77;
    __syncthreads();
    out[o + 4] = (tid != k - 5) ? in[(tid + 1) % 96] : -5;
    __syncthreads();
    if (u > threadIdx.x) out[o + 4] += 1000;
}
"""


@pytest.mark.parametrize("k,u", [(-3, 0), (0, 1), (40, 95), (95, 96), (200, 4000000000),
                                 (2**31 - 1, 2**32 - 1)])
def test_thread_range_split_is_exact(k, u):
    """`threadIdx.x op u` guards split the thread loop into known ranges (fastpath.py),
    including empty, single-thread and full ranges and the extreme values of both types."""
    x = RNG.integers(-1000, 1000, 2 * 96).astype(np.int32)
    ref, got = both(RANGES, "ranges", 2, 96,
                    lambda: [x.copy(), np.full(2 * 96 * 5, -9, np.int32), k, np.uint32(u)])
    assert_same(ref, got)


UNIFORM_RETURN = r"""
__global__ void rowsum(const float* __restrict__ x, float* __restrict__ y, int rows, int cols) {
    __shared__ float red[64];
    int row = blockIdx.x;
    if (row >= rows)
        return;
    float s = 0.0f;
    for (int j = threadIdx.x; j < cols; j += blockDim.x)
        s += x[row * cols + j];
    red[threadIdx.x] = s;
    __syncthreads();
    for (int h = blockDim.x / 2; h > 0; h >>= 1) {
        if (threadIdx.x < h)
            red[threadIdx.x] += red[threadIdx.x + h];
        __syncthreads();
    }
    if (threadIdx.x == 0)
        y[row] = red[0];
}
"""


def test_block_uniform_return_needs_no_exit_flags():
    from portable.backends.llvm.plan import legalize, plan

    p = plan(legalize(portable.parse_cuda(UNIFORM_RETURN)["rowsum"].ir))
    assert not p.exited and any(getattr(n, "kind", "") == "if" for n in p.body)
    rows, cols = 5, 333
    x = RNG.standard_normal(rows * cols).astype(np.float32)
    ref, got = both(UNIFORM_RETURN, "rowsum", rows + 3, 64,
                    lambda: [x.copy(), np.full(rows + 3, np.nan, np.float32), rows, cols],
                    fma=False)
    assert_same(ref, got)


REASSIGNED = r"""
__global__ void twice(const float* __restrict__ a, float* __restrict__ b, int n) {
    __shared__ float t[64];
    int i = blockIdx.x * 64 + threadIdx.x;
    if (i < n) t[threadIdx.x] = a[i];
    __syncthreads();
    i = blockIdx.x * 64 + 63 - threadIdx.x;   // a second version of i after the barrier
    if (i < n) b[i] = t[63 - threadIdx.x] * 2.0f + (float)i;
    i = i + 1;
    if (threadIdx.x == 0) b[n + blockIdx.x] = (float)i;
}
"""


def test_reassigned_variable_gets_one_name_per_version():
    from portable.backends.llvm.canon import split_versions
    from portable.backends.llvm.plan import legalize, plan

    fn = split_versions(portable.parse_cuda(REASSIGNED)["twice"].ir)
    p = plan(legalize(fn))
    assert {"i", "i__v1"} <= set(p.remat) and not p.spilled
    n = 150
    a = RNG.standard_normal(n).astype(np.float32)
    ref, got = both(REASSIGNED, "twice", 3, 64,
                    lambda: [a.copy(), np.full(n + 3, np.nan, np.float32), n], fma=False)
    assert_same(ref, got)


WRAPS = r"""
__global__ void wraps(int* out, unsigned base, int sbase, unsigned n, int m) {
    unsigned x = threadIdx.x + base;     // may wrap past 2**32 inside the block
    int y = (int)threadIdx.x + sbase;    // may pass INT_MAX inside the block
    int o = blockIdx.x * blockDim.x + threadIdx.x;
    if (x >= n || y > m)
        return;
    out[o] = (x < 5u) ? out[o + 1000] : 7;
}
"""


@pytest.mark.parametrize("base,sbase,n,m", [
    (2**32 - 10, 0, 100, 1 << 30), (0, 2**31 - 20, 100, 2**31 - 1), (2**32 - 64, -5, 3, 0),
    (5, 7, 2**32 - 1, 2**31 - 1), (0, 0, 64, 63)])
def test_block_agreement_sees_wrap_around(base, sbase, n, m):
    """Guards decided from the first and last thread (fastpath.monotone_extremes) must notice
    an index that wraps around inside the block and fall back to the per-thread test."""
    x = np.arange(2000, dtype=np.int32)
    ref, got = both(WRAPS, "wraps", 2, 64,
                    lambda: [x.copy(), np.uint32(base), sbase, np.uint32(n), m])
    assert_same(ref, got)


def test_scratch_objects_get_alias_scopes():
    """Shared tiles and per-thread arrays are separate scratch objects (scratch.py): their
    accesses carry alias scopes, so LLVM keeps the accumulator in a register across the tile
    loop (the optimised IR has no store inside the k loop to check directly; the scopes are)."""
    from portable.backends.llvm import runtime

    from portable.launch import dim3

    text = runtime.optimised_ir(portable.parse_cuda(TILED)["mm"].ir, dim3((16, 16), "b"))
    assert ".scratch" in text and "!alias.scope" in text
