"""The differential suite: every library kernel on every available backend, on fresh seeded
random inputs, against the kernel's independent numpy reference (integers exactly, floats
within the spec's stated tolerance). Plus checks on the library itself: enough kernels,
generators that never produce all-zero inputs, references and tolerances that would catch a
kernel that wrote nothing or one wrong element."""

from __future__ import annotations

import zlib
from pathlib import Path

import numpy as np
import pytest
from conftest import session_seed
from portable.kernels import HERE, Spec, check, compare_outputs, load_module, registry

import portable
from portable.launch import check_dims

SPECS = registry()
BACKENDS = portable.available_backends()

TAGS = {"memory-bound", "compute-bound", "shared", "atomic", "warp", "double", "integer", "3d",
        "divergent"}

# (kernel, backend) -> why it is expected to fail: only bugs owned by someone else, each with
# its reason; strict, so the entry must be removed once the owner fixes it.
KNOWN_FAILURES: dict[tuple[str, str], str] = {}

SESSION_SEED = session_seed()


def seed_of(*parts: str) -> int:
    """A per-test seed, fresh each day (or PORTABLE_TEST_SEED, shown in pytest's header), the
    same in every xdist worker; Python's hash() is salted per process, so crc32."""
    return zlib.crc32("-".join((str(SESSION_SEED), *parts)).encode())


def fresh_inputs(spec: Spec, seed: int, size: str = "small") -> dict:
    return spec.inputs(np.random.default_rng(seed), **spec.sizes[size])


def copy(d: dict) -> dict:
    return {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in d.items()}


def _cases():
    for name in SPECS:
        for backend in BACKENDS:
            marks = []
            if (name, backend) in KNOWN_FAILURES:
                marks.append(pytest.mark.xfail(reason=KNOWN_FAILURES[name, backend],
                                               strict=True))
            yield pytest.param(name, backend, id=f"{name}-{backend}", marks=marks)


@pytest.mark.parametrize("name, backend", list(_cases()))
def test_kernel_matches_reference(name: str, backend: str) -> None:
    spec = SPECS[name]
    problems = check(spec, backend, "small", seed=seed_of(name, backend))
    assert not problems, f"{name} on {backend}:\n" + "\n".join(problems)


# ---------------------------------------------------------------- the library itself


def test_library_has_enough_kernels() -> None:
    assert len(SPECS) >= 20
    cuda = [s for s in SPECS.values() if s.source.endswith(".cu")]
    assert len(cuda) >= 20


@pytest.mark.parametrize("name", list(SPECS))
def test_spec_is_complete(name: str) -> None:
    spec = SPECS[name]
    assert spec.name == name
    assert {"small", "large"} <= set(spec.sizes)
    if spec.source.endswith(".cu"):
        assert (HERE / "cuda" / spec.source).is_file()
    assert set(spec.tags) <= TAGS, f"unknown tags {set(spec.tags) - TAGS}"
    assert {"memory-bound", "compute-bound"} & set(spec.tags), "say what bounds it"
    assert spec.rtol >= 0 and spec.atol >= 0
    for size, params in spec.sizes.items():
        assert spec.bytes(**params) > 0, size
        assert spec.flops(**params) >= 0, size
        runs = spec.launches(**params)
        assert runs, size
        for r in runs:
            check_dims(r.grid, r.block)  # CUDA's launch limits hold at every size


@pytest.mark.parametrize("name", list(SPECS))
def test_generator_is_seeded_and_never_all_zero(name: str) -> None:
    spec = SPECS[name]
    a = fresh_inputs(spec, 1)
    b = fresh_inputs(spec, 1)
    c = fresh_inputs(spec, 2)
    arrays = [k for k, v in a.items() if isinstance(v, np.ndarray)]
    assert arrays
    for k in arrays:
        assert a[k].size and np.any(a[k] != 0), f"input {k!r} is all zeros"
        np.testing.assert_array_equal(a[k], b[k], err_msg=f"{k!r} is not reproducible")
    assert any(not np.array_equal(a[k], c[k]) for k in arrays), "the seed changes nothing"


@pytest.mark.parametrize("name", list(SPECS))
def test_reference_rejects_wrong_outputs(name: str) -> None:
    """The reference and tolerance catch a kernel that wrote nothing, or one wrong element."""
    spec = SPECS[name]
    inputs = fresh_inputs(spec, 3)
    expected = spec.reference(copy(inputs), **spec.sizes["small"])
    assert expected and set(expected) <= set(inputs)
    assert compare_outputs(copy(inputs) | expected, expected, spec.rtol, spec.atol) == []
    # Outputs start as garbage (or accumulate onto random initial values), so "do nothing" fails.
    for out in expected:
        assert compare_outputs(inputs, {out: expected[out]}, spec.rtol, spec.atol), out
    # One element off by a small but real amount: a unit in integers, 1e-3 relative in floats.
    rng = np.random.default_rng(4)
    for out, want in expected.items():
        bad = np.array(want, copy=True)
        flat = bad.reshape(-1)
        i = int(rng.integers(flat.size))
        if flat.dtype.kind in "iu":
            flat[i] += 1
        else:
            flat[i] = flat[i] * (1 + 1e-3) + 1e-3 * max(1e-3, float(np.abs(flat).mean()))
        assert compare_outputs({out: bad}, {out: want}, spec.rtol, spec.atol), out


@pytest.mark.parametrize("name", list(SPECS))
def test_source_declares_the_launched_kernels(name: str) -> None:
    spec = SPECS[name]
    mod = load_module(spec.source, tuple(sorted(spec.defines.items())))
    for size, params in spec.sizes.items():
        for r in spec.launches(**params):
            kernel = mod[r.kernel]
            if spec.source.startswith("py:"):  # numba.cuda-style: arrays expand into several
                assert len(r.args) == kernel.py_func.__code__.co_argcount, (size, r)  # params
                continue
            assert len(r.args) == len(kernel.ir.params), (size, r)


def test_kernel_sources_are_all_registered() -> None:
    used = {s.source for s in SPECS.values()}
    on_disk = {p.name for p in Path(HERE, "cuda").glob("*.cu")}
    assert on_disk <= used, f"unregistered sources: {sorted(on_disk - used)}"
