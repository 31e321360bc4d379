"""Launch validation: one validator, precise PortErrors naming the argument (issue 3 item 6)."""

import numpy as np
import pytest

import portable
from portable import PortError

SRC = r"""
__global__ void axpy(int n, float a, const float* x, float* y, unsigned char flag) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n && flag) y[i] = a * x[i] + y[i];
}
"""


@pytest.fixture(scope="module")
def k():
    return portable.parse_cuda(SRC, filename="axpy.cu")["axpy"]


@pytest.fixture
def arrays():
    rng = np.random.default_rng()
    return rng.standard_normal(100).astype(np.float32), rng.standard_normal(100).astype(np.float32)


def codes(excinfo):
    return [d.code for d in excinfo.value.diagnostics]


def test_good_launch_runs(k, arrays):
    x, y = arrays
    want = 2.0 * x + y
    k.launch(1, 128, 100, 2.0, x, y, 1, backend="numpy")
    np.testing.assert_allclose(y, want, rtol=1e-6)


def test_wrong_argument_count(k, arrays):
    with pytest.raises(PortError, match="takes 5 arguments") as e:
        k.launch(1, 128, 100, 2.0, *arrays, backend="numpy")
    assert codes(e) == ["PORT4001"]


def test_dtype_mismatch_names_argument(k, arrays):
    x, y = arrays
    with pytest.raises(PortError, match="'x' has dtype float64") as e:
        k.launch(1, 128, 100, 2.0, x.astype(np.float64), y, 1, backend="numpy")
    assert codes(e) == ["PORT4002"]


def test_non_contiguous_array(k, arrays):
    x, y = arrays
    with pytest.raises(PortError, match="'y' is not C-contiguous") as e:
        k.launch(1, 128, 50, 2.0, x, y[::2], 1, backend="numpy")
    assert codes(e) == ["PORT4003"]


def test_read_only_array_for_written_pointer(k, arrays):
    x, y = arrays
    y.setflags(write=False)
    with pytest.raises(PortError, match="'y' is read-only") as e:
        k.launch(1, 128, 100, 2.0, x, y, 1, backend="numpy")
    assert codes(e) == ["PORT4004"]


def test_read_only_array_for_read_pointer_is_fine(k, arrays):
    x, y = arrays
    x.setflags(write=False)
    k.launch(1, 128, 100, 2.0, x, y, 1, backend="numpy")


@pytest.mark.parametrize("n,flag,match", [
    (2**31, 1, "'n'=2147483648 does not fit i32"),
    (-(2**31) - 1, 1, "does not fit i32"),
    (3, 256, "'flag'=256 does not fit u8"),
    (3, -1, "'flag'=-1 does not fit u8"),
])
def test_scalar_out_of_range(k, arrays, n, flag, match):
    with pytest.raises(PortError, match=match) as e:
        k.launch(1, 128, n, 2.0, *arrays, flag, backend="numpy")
    assert codes(e) == ["PORT4005"]


def test_scalar_of_wrong_kind(k, arrays):
    with pytest.raises(PortError, match="'a' must be a number") as e:
        k.launch(1, 128, 100, "two", *arrays, 1, backend="numpy")
    assert codes(e) == ["PORT4008"]
    with pytest.raises(PortError, match="'x' is a pointer"):
        k.launch(1, 128, 100, 2.0, [1.0] * 100, arrays[1], 1, backend="numpy")


@pytest.mark.parametrize("grid,block,match", [
    (1, 1025, "1025 exceeds CUDA's limit 1024"),
    (1, (32, 32, 2), "2048 threads"),
    (1, (1, 1, 65), "z=65 exceeds"),
    ((1, 65536), 32, "grid dimension y=65536"),
    ((1, 1, 65536), 32, "grid dimension z=65536"),
    (0, 32, "must be >= 1"),
    ((1, 2, 3, 4), 32, "tuple of 1-3 ints"),
    (1.5, 32, "tuple of 1-3 ints"),
])
def test_launch_dimensions(k, arrays, grid, block, match):
    with pytest.raises(PortError, match=match) as e:
        k.launch(grid, block, 100, 2.0, *arrays, 1, backend="numpy")
    assert codes(e) == ["PORT4006"]
    with pytest.raises(PortError, match=match):
        k[grid, block]


def test_unknown_backend(k, arrays):
    with pytest.raises(PortError, match="unknown backend 'cobol'") as e:
        k.launch(1, 128, 100, 2.0, *arrays, 1, backend="cobol")
    assert codes(e) == ["PORT4007"]


def test_bracket_launch_returns_new_object(k, arrays):
    x, y = arrays
    a, b = k[4, 32], k[1, 128]
    assert a is not b and a.grid == (4, 1, 1) and b.block == (128, 1, 1)
    want = 3.0 * x + y
    portable.set_default_backend("numpy")
    try:
        b(100, 3.0, x, y, 1)
    finally:
        portable.set_default_backend(None)
    np.testing.assert_allclose(y, want, rtol=1e-6)


def test_failed_validation_leaves_arrays_untouched(k, arrays):
    x, y = arrays
    before = y.copy()
    with pytest.raises(PortError):
        k.launch(1, 128, 100, 2.0, x, y, 999, backend="numpy")
    np.testing.assert_array_equal(y, before)
