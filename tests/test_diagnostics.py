"""Diagnostics: malformed and unsupported CUDA sources each give one stable code at the exact
file:line:col, with a hint; never a traceback from inside the library."""

from __future__ import annotations

import pytest
from portable.frontends.cuda import parse

import portable
from portable.errors import CODES

SOURCES = {
    "syntax": "__global__ void k(int *a) {\n  a[0] = 1\n}",
    "undeclared": "__global__ void k(int *a) {\n  a[0] = b;\n}",
    "nokernel": "__device__ int f(int x) { return x; }",
    "ptx": "__global__ void k(int *a) {\n  asm(\"mov.u32 %0, 1;\" : \"=r\"(a[0]));\n}",
    "half": "#include <cuda_fp16.h>\n__global__ void k(__half *a) { }",
    "halflocal": (
        "#include <cuda_fp16.h>\n"
        "__global__ void k(float *a) {\n"
        "  __half h = __float2half(a[0]);\n"
        "}"),
    "dynpar": (
        "__global__ void c(int *a) { a[0] = 1; }\n"
        "__global__ void k(int *a) {\n"
        "  c<<<1, 1>>>(a);\n"
        "}"),
    "texref": (
        "texture<float, 1> tex;\n"
        "__global__ void k(float *a) {\n"
        "  a[0] = tex1Dfetch(tex, 0);\n"
        "}"),
    "texobj": (
        "__global__ void k(float *a, cudaTextureObject_t t) {\n"
        "  a[0] = tex1Dfetch<float>(t, 0);\n"
        "}"),
    "gridsync": (
        "#include <cooperative_groups.h>\n"
        "namespace cg = cooperative_groups;\n"
        "__global__ void k(float *a) {\n"
        "  cg::grid_group g = cg::this_grid();\n"
        "  g.sync();\n"
        "}"),
    "goto": "__global__ void k(int *a) {\n  goto end;\nend:\n  a[0] = 1;\n}",
    "recursion": (
        "__device__ int f(int x) { return x ? f(x - 1) : 0; }\n"
        "__global__ void k(int *a) { a[0] = f(3); }"),
    "addrptr": "__global__ void k(int *a) {\n  int *q = a;\n  int **p = &q;\n  a[0] = **p;\n}",
    "ptrint": "__global__ void k(int *a) {\n  a[0] = (long)a % 16;\n}",
    "ptrdiff": "__global__ void k(int *a, int *b) {\n  a[0] = b - a;\n}",
    "funcptr": (
        "__device__ int f(int x) { return x; }\n"
        "__global__ void k(int *a) {\n"
        "  int (*g)(int) = f;\n"
        "  a[0] = g(1);\n"
        "}"),
    "staticlocal": "__global__ void k(int *a) {\n  static int n = a[1];\n  a[0] = n;\n}",
    "undefined_device": "__device__ int f(int x);\n__global__ void k(int *a) {\n  a[0] = f(1);\n}",
    "longdouble": "__global__ void k(long double *a) { }",
    "unknown_builtin": "__global__ void k(int *a) {\n  a[0] = __vabs2(a[1]);\n}",
    "shflstruct": (
        "struct P { float x; };\n"
        "__global__ void k(P *a) {\n"
        "  a[0] = __shfl_sync(0xffffffff, a[1], 0);\n"
        "}"),
    "atomic_float_sub": "__global__ void k(float *a) {\n  atomicSub(a, 1.0f);\n}",
    "earlyreturn_ref": (
        "__device__ void f(int &x) { if (x) return; x = 1; }\n"
        "__global__ void k(int *a) {\n"
        "  int v = a[0];\n"
        "  f(v);\n"
        "  a[0] = v;\n"
        "}"),
    "devnew": "__global__ void k(long long *a) {\n  int *p = new int[4];\n}",
    "missing_header": "#include \"nothere.h\"\n__global__ void k(int *a) { a[0] = THERE; }",
    "caserange": "__global__ void k(int *a) {\n  switch (a[0]) { case 1 ... 3: a[1] = 0; }\n}",
    "global_in_fn": "__global__ void k(int *a) {\n  __constant__ int c;\n}",
    "trap": "__global__ void k(int *a) {\n  if (a[0]) __trap();\n}",
    "sw_break_continue": (
        "__global__ void k(int *a) {\n"
        "  for (int i = 0; i < 4; i++) {\n"
        "    switch (a[i]) { case 0: if (i) break; continue; }\n"
        "  }\n"
        "}"),
}

EXPECT = [
    ("syntax", "PORT0001", 2, 11),
    ("undeclared", "PORT0001", 2, 10),
    ("nokernel", "PORT0002", 1, 1),
    ("ptx", "PORT1011", 2, 3),
    ("half", "PORT1012", 2, 27),
    ("halflocal", "PORT1012", 3, 10),
    ("dynpar", "PORT1009", 3, 3),
    ("texref", "PORT1008", 3, 21),
    ("texobj", "PORT1008", 2, 10),
    ("gridsync", "PORT1010", 4, 22),
    ("goto", "PORT1006", 2, 3),
    ("recursion", "PORT1005", 1, 38),
    ("addrptr", "PORT1013", 3, 13),
    ("ptrint", "PORT1013", 2, 10),
    ("ptrdiff", "PORT1013", 2, 10),
    ("funcptr", "PORT1003", 3, 9),
    ("staticlocal", "PORT1002", 2, 18),  # static locals need a constant initialiser
    ("undefined_device", "PORT1004", 3, 10),
    ("longdouble", "PORT1003", 1, 32),
    ("unknown_builtin", "PORT0001", 2, 10),
    ("shflstruct", "PORT0001", 3, 10),
    ("atomic_float_sub", "PORT0001", 2, 3),
    ("earlyreturn_ref", "PORT1001", 1, 36),
    ("devnew", "PORT1002", 2, 12),
    ("missing_header", "PORT0001", 2, 36),  # the use; the header is a PORT0006 warning
    ("caserange", "PORT1001", 2, 19),
    ("global_in_fn", "PORT0001", 2, 3),
    ("trap", "PORT1002", 2, 13),
    ("sw_break_continue", "PORT1001", 3, 5),
]


@pytest.mark.parametrize("name,code,line,col", EXPECT, ids=[e[0] for e in EXPECT])
def test_diagnostic(name, code, line, col):
    with pytest.raises(portable.PortError) as info:
        parse(SOURCES[name], "d.cu")
    d = info.value.diagnostics[0]
    assert (d.code, d.loc.file, d.loc.line, d.loc.col) == (code, "d.cu", line, col), str(d)
    assert d.severity == CODES[code][0] == "error"
    assert d.hint or code == "PORT0001"


def test_at_least_twenty_cases():
    assert len(EXPECT) >= 20 and set(SOURCES) == {e[0] for e in EXPECT}


def test_host_code_is_skipped_with_a_note():
    src = """#include <cuda_runtime.h>
#include <cstdio>
#include <vector>
__global__ void k(float *a) { a[threadIdx.x] = 1; }
int main() {
  std::vector<float> h(32);
  float *d;
  cudaMalloc(&d, 32 * sizeof(float));
  k<<<1, 32>>>(d);
  undeclared_host_helper(d);
  printf("%f\\n", h[0]);
  return 0;
}
"""
    m, diags = parse(src, "h.cu")
    assert [f.name for f in m.kernels] == ["k"]
    assert [(d.code, d.severity, d.loc.line) for d in diags] == [("PORT0005", "note", 5)]


def test_clang_error_in_a_kernel_is_reported():
    src = "__global__ void k(float *a) {\n  a[0] = undeclared_thing;\n}\nint main() { return x; }"
    with pytest.raises(portable.PortError) as info:
        parse(src, "e.cu")
    assert [(d.code, d.loc.line, d.loc.col) for d in info.value.diagnostics] == [
        ("PORT0001", 2, 10)]
