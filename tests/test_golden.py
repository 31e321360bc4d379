"""Golden IR: the printed IR (after the pass pipeline) of every library kernel, compared with
tests/golden/<name>.ir. Refresh with `pytest tests/test_golden.py --update-golden` and review
the diff: a refactor should leave these files unchanged."""

from __future__ import annotations

import pytest
from portable.kernels import HERE, Spec, registry

import portable

SPECS = registry()


def kernel_names(spec: Spec) -> list[str]:
    """The kernels a spec launches, in first-launch order."""
    names: list[str] = []
    for r in spec.launches(**spec.sizes["small"]):
        if r.kernel not in names:
            names.append(r.kernel)
    return names


def parse(spec: Spec) -> portable.Module:
    if spec.source.startswith("py:"):
        from portable.kernels import load_module

        return load_module(spec.source, tuple(sorted(spec.defines.items())))
    path = HERE / "cuda" / spec.source
    return portable.parse_cuda(path.read_text(), filename=f"kernels/cuda/{spec.source}",
                               defines=dict(spec.defines))


def printed_ir(spec: Spec) -> str:
    mod = parse(spec)
    return "\n".join(str(mod[k].ir) for k in kernel_names(spec))


@pytest.mark.parametrize("name", list(SPECS))
def test_golden_ir(name: str, golden) -> None:
    golden(f"{name}.ir", printed_ir(SPECS[name]))


@pytest.mark.parametrize("name", ["saxpy", "scan", "matmul_tiled"])
def test_printing_is_deterministic(name: str) -> None:
    # Two independent parses print identically (no ids, addresses or set order leak in).
    spec = SPECS[name]
    assert printed_ir(spec) == printed_ir(spec)
