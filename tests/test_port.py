"""`portable port`: every library .cu to every target, with a migration report."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from portable.cli import main
from portable.cli.port import port

LIB = Path(__file__).resolve().parent.parent / "kernels" / "cuda"
SOURCES = sorted(LIB.glob("*.cu"))


def _frontend():
    try:
        from portable.frontends.cuda import parse  # noqa: F401
    except ImportError as e:
        pytest.skip(f"CUDA frontend unavailable: {e}")


@pytest.mark.parametrize("target", ["cuda", "hip", "sycl", "opencl"])
def test_port_every_library_file(target, tmp_path):
    _frontend()
    assert SOURCES, "no library .cu files"
    counts = {"translated": 0, "emulated": 0, "unsupported": 0}
    for src in SOURCES:
        report = port(str(src), target, tmp_path)
        for k in report["kernels"]:
            counts[k["status"]] += 1
            if k["status"] == "unsupported":  # named, with a code and a location
                assert k["notes"] and k["notes"][0]["code"].startswith("PORT")
        ext = {"cuda": ".cu", "hip": ".hip", "sycl": ".cpp", "opencl": ".cl"}[target]
        if any(k["status"] != "unsupported" for k in report["kernels"]):
            text = (tmp_path / f"{src.stem}{ext}").read_text()
            for k in report["kernels"]:
                if k["status"] != "unsupported":
                    assert k["kernel"] in text
            if target in ("hip", "sycl"):
                host = (tmp_path / f"{src.stem}_host{ext}").read_text()
                assert "int main()" in host and f'#include "{src.stem}{ext}"' in host
    assert counts["translated"] + counts["emulated"] > 0
    if target != "opencl":
        assert counts["unsupported"] == 0, counts


def test_port_cli_json_and_host_code(tmp_path, capsys):
    _frontend()
    src = tmp_path / "app.cu"
    src.write_text("""
#include <cstdio>
__global__ void scale(float *x, float a, int n)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) atomicAdd(&x[0], a * x[i]);
}
int main()
{
    printf("host code\\n");
    return 0;
}
""")
    rc = main(["port", str(src), "--to", "opencl", "-o", str(tmp_path / "out"), "--json"])
    report = json.loads(capsys.readouterr().out)
    assert rc == 0
    (k,) = report["kernels"]
    assert k["kernel"] == "scale" and k["status"] == "emulated"
    assert [n["code"] for n in k["notes"]] == ["PORT6101"]
    assert report["host_code"], "the host main() should be reported as left alone"
    text = (tmp_path / "out" / "app.cl").read_text()
    assert "__kernel void scale(" in text and "// PORT6101" in text


def test_port_text_report(tmp_path):
    _frontend()
    code = "import sys; from portable.cli import main; sys.exit(main(sys.argv[1:]))"
    r = subprocess.run([sys.executable, "-c", code, "port", str(LIB / "saxpy.cu"),
                        "--to", "hip", "-o", str(tmp_path)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "translated" in r.stdout and "saxpy_host.hip" in r.stdout


def test_port_unknown_target_is_a_usage_error(tmp_path):
    with pytest.raises(SystemExit):
        main(["port", str(LIB / "saxpy.cu"), "--to", "fortran"])
