"""`portable report`: kernel by kernel (a failing kernel does not stop the others), the
constructs each uses, every diagnostic with code/severity/file:line:col/hint, text and JSON,
the extra_diagnostics hook, and docs/diagnostics.md generated from CODES."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from portable.cli import main
from portable.errors import CODES, Diagnostic
from portable.report import SCHEMA_VERSION, analyse, analyse_file, codes_markdown

ROOT = Path(__file__).resolve().parent.parent
MIXED = ROOT / "tests" / "cuda" / "report" / "mixed.cu"


@pytest.fixture(scope="module")
def report():
    return analyse_file(MIXED, extra_diagnostics=[])


def test_each_kernel_reported_with_status(report):
    by = {k.name: k for k in report.kernels}
    assert list(by) == ["good", "bad", "block_sum<int, 32>"]  # source order
    assert by["good"].status == "translated" and by["good"].function is not None
    assert by["block_sum<int, 32>"].ok
    assert by["bad"].status == "failed" and by["bad"].function is None
    (d,) = by["bad"].diagnostics
    assert (d.code, d.severity, d.loc.line, d.loc.col) == ("PORT1013", "error", 19, 13)
    assert d.hint


def test_constructs(report):
    by = {k.name: k.constructs for k in report.kernels}
    good = by["good"]
    assert good["atomics"] == ["atomicAdd"]
    assert good["warp_operations"] == ["__shfl_down_sync"]
    assert good["structs"] == ["Pair"] and good["vector_types"] == ["float4"]
    assert good["constant_memory"] == ["coef"] and good["device_globals"] == ["hits"]
    assert good["math_functions"] == ["fabsf", "sqrtf"]
    assert "shared_memory" not in good
    bs = by["block_sum<int, 32>"]
    assert bs["shared_memory"] == ["s"] and bs["barriers"] == ["__syncthreads"]
    assert bs["templates"] == ["block_sum"]


def test_host_code_note(report):
    notes = [d for d in report.diagnostics if d.code == "PORT0005"]
    assert [(d.severity, d.loc.line) for d in notes] == [("note", 36)]
    assert "main" in notes[0].message


def test_translated_kernel_runs(report):
    import numpy as np

    from portable import Module
    from portable.ir import ModuleIR

    fn = next(k.function for k in report.kernels if k.name == "block_sum<int, 32>")
    mod = Module(ModuleIR((fn,), (), "mixed.cu"))
    x = np.random.default_rng().integers(-1000, 1000, 96).astype(np.int32)
    out = np.full(3, 7, np.int32)
    mod["block_sum<int, 32>"].launch(3, 32, x, out, backend="numpy")
    assert (out == x.reshape(3, 32).sum(1)).all()


def test_json_schema(capsys):
    rc = main(["report", str(MIXED), "--json"])
    assert rc == 1  # a kernel failed
    d = json.loads(capsys.readouterr().out)
    assert d["schema"] == SCHEMA_VERSION and d["file"] == str(MIXED)
    assert d["summary"] == {"kernels": 3, "translated": 2, "failed": 1}
    k = d["kernels"][1]
    assert set(k) == {"name", "file", "line", "col", "status", "constructs", "diagnostics"}
    assert k["status"] == "failed"
    diag = k["diagnostics"][0]
    assert set(diag) == {"code", "severity", "message", "file", "line", "col", "hint"}
    assert d["diagnostics"][0]["code"] == "PORT0005"


def test_text_layout(capsys):
    main(["report", str(MIXED)])
    out = capsys.readouterr().out
    assert "3 kernel(s), 2 translated, 1 failed" in out
    assert "[FAIL] bad" in out and "[ok  ] good" in out
    assert f"PORT1013 error: {MIXED}:19:13:" in out
    assert "uses shared memory: s" in out
    assert "PORT0005 note:" in out


def test_extra_diagnostics_hook():
    seen = []

    def hook(fn):
        seen.append(fn.name)
        return [Diagnostic("PORT3002", f"looked at {fn.name}", fn.loc)] if fn.name == "good" \
            else []

    r = analyse(MIXED.read_text(), str(MIXED), extra_diagnostics=[hook])
    assert sorted(seen) == ["block_sum<int, 32>", "good"]  # only kernels that reached IR
    good = next(k for k in r.kernels if k.name == "good")
    assert [d.code for d in good.diagnostics] == ["PORT3002"] and good.ok  # a warning


def test_error_from_hook_fails_kernel():
    r = analyse("__global__ void k(int *a) { a[0] = 1; }", "h.cu",
                extra_diagnostics=[lambda fn: [Diagnostic("PORT2002", "no", fn.loc)]])
    assert r.kernels[0].status == "failed"


def test_clang_error_in_one_kernel_only():
    src = ("__device__ int sq(int x) { return x * x; }\n"
           "__global__ void ok(int *a) { a[0] = sq(a[1]); }\n"
           "__global__ void broken(int *a) { a[0] = nothing; }\n"
           "__device__ int bad_helper(int x) { return x + missing; }\n"
           "__global__ void uses_bad(int *a) { a[0] = bad_helper(a[1]); }\n")
    r = analyse(src, "c.cu", extra_diagnostics=[])
    st = {k.name: (k.status, [(d.code, d.loc.line) for d in k.diagnostics]) for k in r.kernels}
    assert st["ok"] == ("translated", [])
    assert st["broken"] == ("failed", [("PORT0001", 3)])
    assert st["uses_bad"] == ("failed", [("PORT0001", 4)])


def test_missing_header_is_a_warning_and_empty():
    src = ('#include "nowhere.h"\n#include <EGL/egl.h>\n#ifdef EGL_TRUE\n#error no\n#endif\n'
           "__global__ void k(int *a) { a[0] = 1; }\n"
           "__global__ void uses(int *a) { a[0] = EGL_TRUE; }\n")
    r = analyse(src, "m.cu", extra_diagnostics=[])
    st = {k.name: k for k in r.kernels}
    assert st["k"].ok and st["k"].diagnostics == []
    # a kernel that needs the header still fails, with clang's error at the use
    (d,) = st["uses"].diagnostics
    assert (d.code, d.loc.line) == ("PORT0001", 7) and "EGL_TRUE" in d.message
    assert "EGL/egl.h" in d.hint
    w = [(d.code, d.severity, d.loc.line, d.loc.col) for d in r.diagnostics
         if d.code == "PORT0006"]
    assert w == [("PORT0006", "warning", 1, 10), ("PORT0006", "warning", 2, 10)]
    assert "nowhere.h" in r.diagnostics[0].message and "#ifdef" in r.diagnostics[0].hint


def test_missing_header_in_strict_parse():
    import portable

    mod = portable.parse_cuda('#include "gone/x.h"\n__global__ void k(int *a) { a[0] = 7; }',
                              "p.cu")
    a = np.zeros(1, np.int32)
    mod["k"].launch(1, 1, a, backend="numpy")
    assert a[0] == 7
    assert [d.code for d in mod.diagnostics if d.code == "PORT0006"] == ["PORT0006"]


def test_clang_error_in_unused_host_class_ignored():
    src = ("#include <list>\n"
           "struct Host { typedef std::list<int>::no_such_type It; It x; };\n"
           "struct Dev { int v; };\n"
           "struct Bad { nothing_t y; int v; };\n"
           "__global__ void ok(Dev *d, int *a) { a[0] = d->v; }\n"
           "__global__ void bad(Bad *b, int *a) { a[0] = b->v; }\n")
    r = analyse(src, "h.cu", extra_diagnostics=[])
    st = {k.name: k for k in r.kernels}
    assert st["ok"].ok
    assert [(d.code, d.loc.line) for d in st["bad"].diagnostics] == [("PORT0001", 4)]


def test_unportable_constructs_named():
    src = ("__global__ void t(float *o, cudaTextureObject_t x) {\n"
           "  o[0] = tex1Dfetch<float>(x, 0); }\n"
           "__global__ void c(int *a) { a[0] = 1; }\n"
           "__global__ void p(int *a) { c<<<1, 1>>>(a); }\n")
    r = analyse(src, "u.cu", extra_diagnostics=[])
    by = {k.name: k for k in r.kernels}
    assert by["t"].unportable() == ["textures"]
    assert by["p"].unportable() == ["dynamic_parallelism"]
    assert by["c"].ok and by["c"].unportable() == []


def test_codes_doc_up_to_date():
    doc = ROOT / "docs" / "diagnostics.md"
    assert doc.read_text() == codes_markdown(), \
        "docs/diagnostics.md is stale: run `portable report --codes > docs/diagnostics.md`"
    for code in CODES:
        assert f"`{code}`" in doc.read_text()


def test_codes_cli(capsys):
    assert main(["report", "--codes"]) == 0
    assert "| `PORT1008` | error |" in capsys.readouterr().out


def test_unreadable_file(capsys):
    assert main(["report", "/nonexistent/x.cu"]) == 2
    assert "PORT0001" in capsys.readouterr().err


def test_lint_wired_in_when_present():
    import importlib.util

    from portable.report import default_extra_diagnostics

    hooks = default_extra_diagnostics()
    if importlib.util.find_spec("portable.lint") is None:
        assert hooks == []
    else:
        from portable.lint import lint

        assert hooks == [lint]
