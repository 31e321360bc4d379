"""CUDA C frontend: IR structure (via the printer) and kernels run on the numpy reference
against independent numpy results."""

from __future__ import annotations

import numpy as np
import pytest

import portable
from portable import ir
from portable.frontends.cuda import parse

RNG = np.random.default_rng()


def fn(src: str, name: str | None = None) -> ir.Function:
    m, _ = parse(src, "t.cu")
    return m.kernels[0] if name is None else m.function(name)


def run(src: str, name: str, grid, block, *args, **kw):
    mod = portable.parse_cuda(src, "t.cu", **kw)
    mod[name].launch(grid, block, *args, backend="numpy")
    return mod


def test_saxpy_ir_and_run():
    src = """
    __global__ void saxpy(float *y, const float *x, float a, int n) {
      int i = blockIdx.x * blockDim.x + threadIdx.x;
      if (i < n) y[i] = a * x[i] + y[i];
    }"""
    text = str(fn(src))
    assert "kernel saxpy(%y: ptr<f32, global>, %x: ptr<f32, global, const>, %a: f32, %n: i32)" \
        in text
    assert "var i: i32 = i32(((blockIdx.x * blockDim.x) + threadIdx.x))" in text
    n = 1000
    x = RNG.random(n, dtype=np.float32)
    y = RNG.random(n, dtype=np.float32)
    want = np.float32(2.5) * x + y
    run(src, "saxpy", (n + 127) // 128, 128, y, x, np.float32(2.5), n)
    np.testing.assert_allclose(y, want, rtol=1e-6)


def test_shared_reduction_with_atomic():
    src = """
    __global__ void red(const float *x, float *out, int n) {
      __shared__ float s[64];
      int t = threadIdx.x;
      int i = blockIdx.x * blockDim.x + t;
      s[t] = i < n ? x[i] : 0.0f;
      __syncthreads();
      for (int st = blockDim.x / 2; st > 0; st >>= 1) {
        if (t < st) s[t] += s[t + st];
        __syncthreads();
      }
      if (t == 0) atomicAdd(out, s[0]);
    }"""
    f = fn(src)
    assert [str(v.type) for v in f.shared] == ["shared f32[64]"]
    n = 777
    x = RNG.random(n, dtype=np.float32)
    out = np.zeros(1, np.float32)
    run(src, "red", (n + 63) // 64, 64, x, out, n)
    np.testing.assert_allclose(out[0], x.astype(np.float64).sum(), rtol=1e-5)


@pytest.mark.parametrize("ctype,dtype", [
    ("signed char", np.int8), ("unsigned char", np.uint8), ("short", np.int16),
    ("unsigned short", np.uint16), ("int", np.int32), ("unsigned int", np.uint32),
    ("long long", np.int64), ("unsigned long long", np.uint64), ("float", np.float32),
    ("double", np.float64)])
def test_param_types_roundtrip(ctype, dtype):
    src = f"""
    __global__ void k({ctype} *out, const {ctype} *a, {ctype} s, bool flag) {{
      int i = threadIdx.x;
      out[i] = flag ? ({ctype})(a[i] * s) : a[i];
    }}"""
    n = 32
    if np.dtype(dtype).kind == "f":
        a = RNG.random(n).astype(dtype)
        s = dtype(1.5)
    else:
        a = RNG.integers(0, 10, n).astype(dtype)
        s = dtype(3)
    out = np.empty(n, dtype)
    run(src, "k", 1, n, out, a, s, True)
    want = (a * s).astype(dtype)
    np.testing.assert_array_equal(out, want)


def test_2d_indices_and_shared_2d():
    src = """
    #define T 8
    __global__ void transpose(float *out, const float *in, int w, int h) {
      __shared__ float tile[T][T + 1];
      int x = blockIdx.x * T + threadIdx.x, y = blockIdx.y * T + threadIdx.y;
      if (x < w && y < h) tile[threadIdx.y][threadIdx.x] = in[y * w + x];
      __syncthreads();
      x = blockIdx.y * T + threadIdx.x; y = blockIdx.x * T + threadIdx.y;
      if (x < h && y < w) out[y * h + x] = tile[threadIdx.x][threadIdx.y];
    }"""
    h, w = 13, 21
    a = RNG.random((h, w), dtype=np.float32)
    out = np.empty((w, h), np.float32)
    run(src, "transpose", ((w + 7) // 8, (h + 7) // 8), (8, 8), out, a, w, h)
    np.testing.assert_array_equal(out, a.T)
