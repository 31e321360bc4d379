"""benchmarks/coverage.py on the small directory tests/cuda/coverage: units (a .cu included by
another is not one), kernels counted once, unportable kernels and uninstantiated templates apart,
failures grouped by code."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DIR = ROOT / "tests" / "cuda" / "coverage"

# benchmarks/coverage.py, by path: the name `coverage` is also a PyPI package
_spec = importlib.util.spec_from_file_location("portable_bench_coverage",
                                               ROOT / "benchmarks" / "coverage.py")
cov = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = cov  # dataclasses look their module up there
_spec.loader.exec_module(cov)


def test_units_skip_included_cu():
    names = sorted(p.relative_to(DIR).as_posix() for p in cov.units(DIR))
    assert names == ["app/main.cu", "broken.cu", "ptx.cu", "texture.cu"]


def test_measure():
    s = cov.measure(DIR)
    assert s["files"] == 4
    # add, twice (included .cu), fill<float> (launched from host code), copy, ok | lost, lane
    # | fetch (texture, apart); never_used<T> is never instantiated
    assert (s["kernels"], s["reached_ir"]) == (8, 5)
    assert (s["portable_kernels"], s["portable_reached_ir"]) == (7, 5)
    assert s["portable_rate"] == round(100 * 5 / 7, 1)
    assert s["unportable"] == {"textures": 1, "dynamic_parallelism": 0, "grid_sync": 0}
    assert [u.split(" ")[0] for u in s["uninstantiated_templates"]] == ["never_used"]
    assert s["failures_by_code"] == {"PORT0001": 1, "PORT1011": 1}
    failed = {k["name"]: k["code"] for k in s["failed_kernels"]}
    assert failed == {"lost": "PORT0001", "lane": "PORT1011"}
    assert "MISSING_VALUE" in next(k["message"] for k in s["failed_kernels"]
                                    if k["name"] == "lost")


def test_cli_json_and_text():
    script = ROOT / "benchmarks" / "coverage.py"
    out = subprocess.run([sys.executable, str(script), str(DIR), "--json"], capture_output=True,
                         text=True, check=True).stdout
    assert json.loads(out)["portable_reached_ir"] == 5
    text = subprocess.run([sys.executable, str(script), str(DIR)], capture_output=True,
                          text=True, check=True).stdout
    assert "5/7 reach IR (71.4%)" in text and "PORT1011: 1" in text
    row = subprocess.run([sys.executable, str(script), str(DIR), "--markdown", "mini"],
                         capture_output=True, text=True, check=True).stdout
    assert row.startswith("| mini | 4 | 8 |")
