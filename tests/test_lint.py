"""The warp-width lint: each rule on a minimal kernel, what it must not report, its use from
`portable report`, and the library (warnings only on the kernels that really assume 32 lanes)."""

from __future__ import annotations

import pytest

import portable
from portable.lint import TARGETS, lint


def codes(src: str) -> list[tuple[str, int]]:
    return [(d.code, d.loc.line) for d in lint(portable.parse_cuda(src, filename="w.cu"))]


def kernel(body: str, params: str = "float* x, int n") -> str:
    return f"__global__ void k({params}) {{\n{body}\n}}\n"


@pytest.mark.parametrize("expr", ["threadIdx.x % 32", "threadIdx.x / 32", "threadIdx.x & 31",
                                  "threadIdx.x >> 5",
                                  "(blockIdx.x * blockDim.x + threadIdx.x) % 32"])
def test_lane_arithmetic(expr):
    assert codes(kernel(f"int t = {expr};\nx[threadIdx.x] = t;")) == [("PORT7001", 2)]


@pytest.mark.parametrize("expr", ["threadIdx.x % warpSize", "threadIdx.x / warpSize",
                                  "blockIdx.x % 32", "n & 31", "threadIdx.x % 16",
                                  "threadIdx.x >> 4"])
def test_lane_arithmetic_not_reported(expr):
    assert codes(kernel(f"int t = {expr};\nx[threadIdx.x] = t;")) == []


def test_derived_thread_index_is_followed():
    src = kernel("int t = threadIdx.x;\nint u = t + 1;\nx[t] = u & 31;")
    assert codes(src) == [("PORT7001", 4)]


def test_full_mask_literal_and_32_bit_ballot():
    src = kernel("unsigned b = __ballot_sync(0xffffffff, x[threadIdx.x] > 0);\n"
                 "x[threadIdx.x] = b;")
    assert sorted(codes(src)) == [("PORT7002", 2), ("PORT7003", 2)]
    d = {d.code: d for d in lint(portable.parse_cuda(src))}
    assert "HIP" in d["PORT7002"].message and "SYCL" in d["PORT7002"].message
    assert "unsigned long long" in d["PORT7003"].hint


def test_64_bit_ballot_and_activemask_as_mask_are_portable():
    src = kernel("unsigned long long b = __ballot_sync(__activemask(), x[threadIdx.x] > 0);\n"
                 "x[threadIdx.x] = __shfl_sync(__activemask(), x[threadIdx.x], 0) + b;")
    assert codes(src) == []


def test_shuffle_offsets():
    src = kernel("float v = x[threadIdx.x];\n"
                 "for (int o = 16; o > 0; o /= 2) v += __shfl_down_sync(__activemask(), v, o);\n"
                 "for (int o = 1; o < 32; o *= 2) v += __shfl_up_sync(__activemask(), v, o);\n"
                 "v += __shfl_xor_sync(__activemask(), v, 16);\n"
                 "v += __shfl_xor_sync(__activemask(), v, 16, 32);\n"
                 "for (int o = warpSize / 2; o > 0; o /= 2) "
                 "v += __shfl_down_sync(__activemask(), v, o);\n"
                 "x[threadIdx.x] = v;")
    assert codes(src) == [("PORT7004", 3), ("PORT7004", 4), ("PORT7004", 5)]


def test_first_warp_compare_only_with_warp_operations():
    warp = kernel("if (threadIdx.x < 32) x[threadIdx.x] = __shfl_sync(__activemask(), 1.0f, 0);")
    plain = kernel("if (threadIdx.x < 32) x[threadIdx.x] = 1.0f;")
    assert codes(warp) == [("PORT7005", 2)] and codes(plain) == []


def test_every_finding_is_a_warning_naming_targets():
    src = kernel("unsigned b = __ballot_sync(0xffffffff, threadIdx.x % 32 > 3);\nx[0] = b;")
    ds = lint(portable.parse_cuda(src))
    assert ds and all(d.severity == "warning" for d in ds)
    for d in ds:
        assert all(t in d.message for t in TARGETS[d.code]) and d.hint


def test_lint_accepts_kernels_functions_and_python_kernels():
    from portable import cuda

    m = portable.parse_cuda(kernel("x[0] = threadIdx.x & 31;"))
    assert len(lint(m)) == len(lint(m["k"])) == len(lint(m["k"].ir)) == 1

    @cuda.jit
    def lanes(x):
        x[cuda.threadIdx.x] = cuda.threadIdx.x % 32

    lanes.specialize(__import__("numpy").zeros(32, "int32"))
    assert [d.code for d in lint(lanes)] == ["PORT7001"]


def test_report_runs_the_lint():
    from portable.report import analyse

    r = analyse(kernel("x[threadIdx.x] = threadIdx.x & 31;"), "w.cu")
    (k,) = r.kernels
    assert k.status == "translated" and [d.code for d in k.diagnostics] == ["PORT7001"]


# The library kernels written for 32-lane warps on purpose (CUDA-idiomatic full masks, 32-lane
# warp ids in the numba.cuda example). Every other library kernel must be clean.
EXPECTED_LIBRARY = {"warp_reduce": {"PORT7002"},
                    "py_warp_vote": {"PORT7001", "PORT7002", "PORT7003"}}


def test_library_lint():
    import numpy as np
    from portable.kernels import load_module, registry

    found = {}
    for name, spec in registry().items():
        mod = load_module(spec.source, tuple(sorted(spec.defines.items())))
        if spec.source.startswith("py:"):
            inputs = spec.inputs(np.random.default_rng(0), **spec.sizes["small"])
            ks = [mod[r.kernel].specialize(*(inputs[a] for a in r.args))
                  for r in spec.launches(**spec.sizes["small"])]
        else:
            ks = [mod[r.kernel] for r in spec.launches(**spec.sizes["small"])]
        ds = [d for k in ks for d in lint(k)]
        assert all(d.severity != "error" for d in ds)
        if ds:
            found[name] = {d.code for d in ds}
    assert found == EXPECTED_LIBRARY
