"""The sanitizer: the buggy-kernel suite (tests/buggy/*.cu), no false report on the library, and
the details of each kind of finding.

Each file in tests/buggy/ is a kernel with one deliberate bug. Its `// check:` line gives the
launch as `portable check` takes it; every line that must be reported carries
`// expect: CODE ...`. The test requires the reported (code, line) pairs -- sanitizer (PORT8xxx),
static barrier check (PORT3001) and warp-width lint (PORT7xxx) -- to be exactly the expected
ones: the right kind on the right line, and nothing else.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import numpy as np
import pytest

import portable
from portable.cli.check import load_kernel, user_launch
from portable.errors import PortError
from portable.lint import lint
from portable.sanitize import SANITIZER_CODES, sanitize, sanitize_spec

BUGGY = Path(__file__).parent / "buggy"
FILES = sorted(BUGGY.glob("*.cu"))
_EXPECT = re.compile(r"//\s*expect:\s*((?:PORT\d{4}\s*)+)")


def expectations(path: Path) -> tuple[list[str], set[tuple[str, int]]]:
    text = path.read_text()
    check = re.search(r"//\s*check:(.*)", text)
    assert check, f"{path.name}: no // check: line"
    expected = set()
    for n, line in enumerate(text.splitlines(), 1):
        m = _EXPECT.search(line)
        if m:
            expected |= {(code, n) for code in m.group(1).split()}
    return shlex.split(check.group(1)), expected


def reported(path: Path, argv: list[str], seed: int) -> tuple[set[tuple[str, int]], list]:
    grid = block = "1"
    args: list[str] = []
    kernel = None
    it = iter(argv)
    for a in it:
        v = next(it)
        if a == "--grid":
            grid = v
        elif a == "--block":
            block = v
        elif a == "--arg":
            args.append(v)
        elif a == "--kernel":
            kernel = v
    k, static = load_kernel(str(path), kernel)
    g, b, vals, smem = user_launch(k, grid, block, args, seed)
    findings = sanitize(k, g, b, *vals, shared_mem=smem)
    got = {(d.code, d.loc.line) for d in static}
    got |= {(f.code, f.loc.line) for f in findings}
    got |= {(d.code, d.loc.line) for d in lint(k)}
    return got, findings


def test_suite_size():
    kinds = {c for p in FILES for c, _ in expectations(p)[1]}
    assert len(FILES) >= 20
    # every kind of finding the issue names is in the suite
    assert set(SANITIZER_CODES) <= kinds
    assert {"PORT3001", "PORT7001", "PORT7002", "PORT7003", "PORT7004", "PORT7005"} <= kinds


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_buggy_kernel_is_reported(path):
    argv, expected = expectations(path)
    assert expected, f"{path.name} expects nothing"
    seed = int(np.random.default_rng().integers(2**31))
    got, findings = reported(path, argv, seed)
    assert got == expected, (f"seed {seed}: missing {sorted(expected - got)}, unexpected "
                             f"{sorted(got - expected)}\n" + "\n".join(map(str, findings)))
    for f in findings:  # each report names kernel, line, block, threads and the element
        assert f.kernel in f.message and f.loc.file == str(path) and f.threads
        assert len(f.block) == 3 and all(len(t) == 3 for t in f.threads)


def test_library_has_no_sanitizer_report():
    from portable.kernels import registry

    seed = int(np.random.default_rng().integers(2**31))
    bad = {name: [str(f) for f in sanitize_spec(spec, "small", seed)]
           for name, spec in registry().items()}
    assert not {k: v for k, v in bad.items() if v}, f"seed {seed}"


# ---------------------------------------------------------------- details per kind

SRC = r"""
__global__ void race(float* x, int n) {
    __shared__ float s[64];
    int t = threadIdx.x;
    s[t] = x[t];
    x[t] = s[(t + 1) % 64];
}
__global__ void fixed(float* x, int n) {
    __shared__ float s[64];
    int t = threadIdx.x;
    s[t] = x[t];
    __syncthreads();
    x[t] = s[(t + 1) % 64];
}
__global__ void warp_fixed(float* x, int n) {
    __shared__ float s[64];
    int t = threadIdx.x;
    s[t] = x[t];
    __syncwarp();
    x[t] = s[t ^ 1];
}
__global__ void warp_cross(float* x, int n) {
    __shared__ float s[64];
    int t = threadIdx.x;
    s[t] = x[t];
    __syncwarp();
    x[t] = s[t ^ 32];
}
__global__ void oob(float* x, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    x[i] = 2.0f * x[i];
}
__global__ void atomics(int* x, int* out, int n) {
    __shared__ int s[4];
    if (threadIdx.x < 4) s[threadIdx.x] = 0;
    __syncthreads();
    atomicAdd(&s[threadIdx.x % 4], x[threadIdx.x]);
    __syncthreads();
    if (threadIdx.x < 4) atomicAdd(&out[threadIdx.x], s[threadIdx.x]);
}
__global__ void last_block(float* partial, unsigned* count, float* out, int n) {
    if (threadIdx.x == 0) {
        partial[blockIdx.x] = (float)blockIdx.x;
        __threadfence();
        unsigned ticket = atomicAdd(count, 1u);
        if (ticket == gridDim.x - 1) {
            float s = 0.0f;
            for (unsigned b = 0; b < gridDim.x; ++b) s += partial[b];
            out[0] = s;
        }
    }
}
"""


@pytest.fixture(scope="module")
def mod():
    return portable.parse_cuda(SRC, filename="k.cu")


def _x(n=64):
    return np.random.default_rng().standard_normal(n).astype(np.float32)


def test_race_report_names_both_threads_lines_and_element(mod):
    (f,) = sanitize(mod["race"], 1, 64, _x(), 64)
    assert (f.code, f.kind, f.kernel) == ("PORT8001", "race", "race")
    assert f.loc.line == 6 and f.other_loc.line == 5
    assert f.block == (0, 0, 0) and f.threads == ((0, 0, 0), (1, 0, 0)) and f.where == "s[1]"
    assert "thread (1, 0, 0)" in f.message and "line 5" in f.message


def test_launch_with_sanitize_raises_and_leaves_arrays(mod):
    x = _x()
    before = x.copy()
    with pytest.raises(PortError) as e:
        mod["race"].launch(1, 64, x, 64, backend="numpy", sanitize=True)
    assert [d.code for d in e.value.diagnostics] == ["PORT8001"]
    assert np.array_equal(x, before)


def test_correct_kernels_are_clean_and_compute_the_same(mod):
    x = _x()
    want = np.roll(x, -1)
    assert sanitize(mod["fixed"], 1, 64, x, 64) == []
    np.testing.assert_array_equal(x, want)  # exact: a copy
    y = _x()
    want = y[np.arange(64) ^ 1]
    assert sanitize(mod["warp_fixed"], 1, 64, y, 64) == []
    np.testing.assert_array_equal(y, want)


def test_syncwarp_does_not_order_two_warps(mod):
    (f,) = sanitize(mod["warp_cross"], 1, 64, _x(), 64)
    assert f.code == "PORT8001" and f.threads[0][0] ^ f.threads[1][0] == 32


def test_out_of_bounds_keeps_going_and_counts(mod):
    fs = sanitize(mod["oob"], 2, 64, _x(100), 100)
    assert [(f.code, f.loc.line) for f in fs] == [("PORT8004", 31), ("PORT8004", 31)]
    assert fs[0].count == 28 and "index 100" in fs[0].message and fs[0].block == (1, 0, 0)
    assert fs[0].threads == ((36, 0, 0),)


def test_atomics_do_not_race_with_atomics(mod):
    rng = np.random.default_rng()
    x = rng.integers(-50, 50, 64).astype(np.int32)
    out = rng.integers(-50, 50, 4).astype(np.int32)
    want = out + x.reshape(-1, 4).sum(0)
    assert sanitize(mod["atomics"], 1, 64, x, out, 64) == []
    np.testing.assert_array_equal(out, want)


def test_threadfence_publishes_to_the_last_block(mod):
    partial = np.zeros(8, np.float32)
    count = np.zeros(1, np.uint32)
    out = np.zeros(1, np.float32)
    assert sanitize(mod["last_block"], 8, 32, partial, count, out, 8) == []
    assert out[0] == sum(range(8))


def test_python_kernel_under_the_sanitizer():
    from portable import cuda

    @cuda.jit
    def shift(x):
        s = cuda.shared.array(32, np.float32)
        t = cuda.threadIdx.x
        s[t] = x[t]
        x[t] = s[(t + 1) % 32]

    (f,) = sanitize(shift, 1, 32, _x(32))
    assert f.code == "PORT8001"


def test_cli_check_file_sanitize(capsys):
    from portable.cli import main

    rc = main(["check", str(BUGGY / "oob_off_by_one.cu"), "--grid", "2", "--block", "64",
               "--arg", "n=100", "--arg", "a=2.5", "--sanitize", "-b", "numpy", "--seed", "1"])
    out = capsys.readouterr().out
    assert rc == 1 and "PORT8004" in out and "oob_off_by_one.cu:7" in out
    rc = main(["check", str(BUGGY / "oob_off_by_one.cu"), "--grid", "1", "--block", "64",
               "--arg", "n=100", "--arg", "a=2.5", "--sanitize", "-b", "numpy", "--seed", "1"])
    assert rc == 0  # 64 threads never reach element 100


def test_cli_check_library_sanitize(capsys):
    from portable.cli import main

    assert main(["check", "--sanitize", "-k", "reduce_shared", "-k", "warp_reduce"]) == 0
    assert "0 findings" in capsys.readouterr().out
