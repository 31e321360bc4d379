"""portable.testing.compare and the pytest plugin (its fixtures are used here as a user would)."""

from __future__ import annotations

import sys
import types

import numpy as np
import pytest

import portable
from portable import backends
from portable.testing import TOLERANCES, compare, tolerance

pytest_plugins = ["pytester"]

SRC = r"""
__global__ void saxpy(int n, float a, const float* x, float* y) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) y[i] = a * x[i] + y[i];
}
__global__ void hist(const int* x, int* bins, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) atomicAdd(&bins[x[i] % 16], 1);
}
__global__ void tile_sum(const double* x, double* out, int n) {
    __shared__ double s[64];
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    s[threadIdx.x] = i < n ? x[i] : 0.0;
    __syncthreads();
    if (threadIdx.x == 0) {
        double acc = 0.0;
        for (int k = 0; k < 64; ++k) acc += s[k];
        out[blockIdx.x] = acc;
    }
}
"""


@pytest.fixture(scope="module")
def mod():
    return portable.parse_cuda(SRC, filename="t.cu")


def _inputs(n=1000):
    rng = np.random.default_rng()
    return rng.standard_normal(n).astype(np.float32), rng.standard_normal(n).astype(np.float32)


def test_plugin_fixture_on_every_backend(mod, portable_compare):
    x, y = _inputs()
    r = portable_compare(mod["saxpy"], 4, 256, 1000, 2.5, x, y)
    assert r.ok and r.outputs == ["y"]
    assert {c.backend for c in r.checks} == set(portable.available_backends()) - {"numpy"}


def test_plugin_fixture_integers_and_shared(mod, portable_compare):
    rng = np.random.default_rng()
    xi = rng.integers(0, 1000, 777).astype(np.int32)
    r = portable_compare(mod["hist"], 4, 256, xi, rng.integers(0, 9, 16).astype(np.int32), 777)
    assert all(c.rtol == 0 and c.atol == 0 and c.max_abs_error == 0 for c in r.checks)
    xd = rng.standard_normal(300)
    portable_compare(mod["tile_sum"], 5, 64, xd, rng.standard_normal(5), 300)


def test_plugin_sanitize_fixture(mod, portable_sanitize):
    x, y = _inputs(100)
    assert portable_sanitize(mod["saxpy"], 1, 128, 100, 2.0, x, y) == []


def test_compare_leaves_arguments_alone(mod):
    x, y = _inputs()
    x0, y0 = x.copy(), y.copy()
    compare(mod["saxpy"], 4, 256, 1000, 2.5, x, y, backends=["llvm"])
    assert np.array_equal(x, x0) and np.array_equal(y, y0)


@pytest.fixture
def corrupting_backend(monkeypatch):
    """A backend that computes the reference and then spoils element 70 of every output."""
    fake = types.ModuleType("portable_test_fake_backend")
    fake.NAME, fake.DEVICE = "fake", "cpu"
    fake.available = lambda: None

    def compile(fn, options):
        ref = backends.get("numpy").compile(fn, {})

        def launch(spec):
            ref(spec)
            for p, a in zip(fn.params, spec.args, strict=True):
                if isinstance(a, np.ndarray) and p.name == "y":
                    a[70] += 1.0

        return launch

    fake.compile = compile
    monkeypatch.setitem(sys.modules, fake.__name__, fake)
    monkeypatch.setitem(backends.REGISTRY, "fake", fake.__name__)
    return "fake"


def test_mismatch_reports_first_element_and_its_writer(mod, corrupting_backend):
    x, y = _inputs()
    want = 2.5 * x + y
    r = compare(mod["saxpy"], 4, 64, 1000, 2.5, x, y, backends=[corrupting_backend])
    assert not r.ok
    (c,) = r.checks
    assert (c.name, c.mismatches, c.first) == ("y", 1, (70,))
    assert c.writer == ((1, 0, 0), (6, 0, 0))  # block 1 thread 6 of 64-thread blocks
    assert c.expected == pytest.approx(float(want[70]), rel=1e-6)
    assert c.max_abs_error == pytest.approx(1.0, rel=1e-4)
    assert "y[70]" in str(r) and "block (1, 0, 0) thread (6, 0, 0)" in str(r)
    with pytest.raises(AssertionError):
        r.raise_for_mismatch()
    # a tolerance wide enough accepts it
    assert compare(mod["saxpy"], 4, 64, 1000, 2.5, x, y, backends=[corrupting_backend],
                   atol=2.0).ok


def test_backend_failure_is_reported(monkeypatch, corrupting_backend):
    def broken(fn, options):
        raise portable.PortError("no", code="PORT6002")

    monkeypatch.setattr(sys.modules["portable_test_fake_backend"], "compile", broken)
    x, y = _inputs()
    k = portable.parse_cuda(SRC)["saxpy"]  # kernels cache their launchers: a fresh one
    r = compare(k, 4, 64, 1000, 2.5, x, y, backends=[corrupting_backend])
    assert not r.ok and "fake" in r.errors and not r.checks


def test_tolerances():
    assert tolerance(np.int32) == (0.0, 0.0) and tolerance(np.bool_) == (0.0, 0.0)
    assert tolerance(np.float32) == TOLERANCES["float32"]
    assert tolerance(np.float64, rtol=1e-3) == (1e-3, TOLERANCES["float64"][1])


def test_plugin_is_registered_and_fails_a_test(pytester):
    pytester.makepyfile(r'''
        import numpy as np, portable, pytest

        K = portable.parse_cuda("""__global__ void k(float* y, int n) {
            int i = threadIdx.x; if (i < n) y[i] = 2.0f * y[i]; }""")["k"]

        def test_ok(portable_compare):
            portable_compare(K, 1, 64, np.random.default_rng().standard_normal(64)
                             .astype(np.float32), 64)

        def test_oob(portable_sanitize):
            portable_sanitize(K, 1, 64, np.ones(10, np.float32), 64)
    ''')
    res = pytester.runpytest("--portable-backends=llvm", "-p", "no:cacheprovider")
    res.assert_outcomes(passed=1, failed=1)
    res.stdout.fnmatch_lines(["*PORT8004*"])
