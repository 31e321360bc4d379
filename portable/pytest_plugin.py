"""pytest plugin (entry point `portable`, active once portable is installed): check your kernels in
CI in one line.

    def test_saxpy(portable_compare):
        portable_compare(k, grid, block, n, 2.0, x, y)   # every backend against the reference

    def test_saxpy_is_clean(portable_sanitize):
        portable_sanitize(k, grid, block, n, 2.0, x, y)  # no race, OOB, barrier, mask finding

    @pytest.mark.portable_backends("llvm", "opencl")    # only these backends in this test
    def test_fast(portable_compare): ...

`portable_compare(kernel, grid, block, *args, rtol=None, atol=None, shared_mem=0)` runs
`portable.testing.compare` and fails the test with its report when a backend differs or fails;
it returns the `Comparison`. `portable_sanitize(kernel, grid, block, *args, shared_mem=0)` runs
`portable.sanitize.sanitize` and fails the test listing every finding. Backends default to every
available one; `--portable-backends=llvm,opencl` (or the marker) narrows them, and a named
backend that is not available here is skipped, not failed.
"""

from __future__ import annotations

import pytest


def pytest_addoption(parser) -> None:
    group = parser.getgroup("portable")
    group.addoption("--portable-backends", default=None, metavar="NAMES",
                    help="comma-separated backends for the portable_compare fixture "
                    "(default: every available backend)")


def pytest_configure(config) -> None:
    config.addinivalue_line(
        "markers", "portable_backends(*names): the backends portable_compare checks in this test")


def _backends(request) -> list[str] | None:
    from portable import available_backends

    marker = request.node.get_closest_marker("portable_backends")
    names = list(marker.args) if marker else None
    opt = request.config.getoption("--portable-backends")
    if names is None and opt:
        names = [b.strip() for b in opt.split(",") if b.strip()]
    if names is None:
        return None
    here = set(available_backends())
    return [b for b in names if b in here]


@pytest.fixture
def portable_compare(request):
    """`portable_compare(kernel, grid, block, *args, **kw)`: fail unless every backend matches
    the numpy reference (see `portable.testing.compare`)."""
    from portable.testing import compare

    backends = _backends(request)

    def check(kernel, grid, block, *args, rtol=None, atol=None, shared_mem=0):
        __tracebackhide__ = True
        r = compare(kernel, grid, block, *args, backends=backends, rtol=rtol, atol=atol,
                    shared_mem=shared_mem)
        if not r.ok:
            pytest.fail(str(r), pytrace=False)
        return r

    return check


@pytest.fixture
def portable_sanitize():
    """`portable_sanitize(kernel, grid, block, *args, shared_mem=0)`: fail listing every
    sanitizer finding (see `portable.sanitize`)."""
    from portable.sanitize import sanitize

    def check(kernel, grid, block, *args, shared_mem=0):
        __tracebackhide__ = True
        findings = sanitize(kernel, grid, block, *args, shared_mem=shared_mem)
        if findings:
            pytest.fail("\n".join(str(f) for f in findings), pytrace=False)
        return findings

    return check
