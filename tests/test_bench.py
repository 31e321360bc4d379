"""`portable bench`: the timing method, the driver (identical inputs, correctness before timing,
peers present and absent), user kernels, outputs (JSON/CSV/markdown/plot), compare and the Dask
cluster mode. Sizes are tiny and budgets short: the machine has two shared cores."""

from __future__ import annotations

import csv
import json
import math
import statistics
from pathlib import Path

import numpy as np
import pytest
from portable.kernels import registry

from portable import available_backends
from portable.bench import cases, measure, peers
from portable.bench import compare as cmp
from portable.bench import report as rep
from portable.bench.driver import Plan, input_digest, run_plan
from portable.cli import main
from portable.errors import PortError

ROOT = Path(__file__).resolve().parents[1]
FAST = measure.Method(budget_s=0.05, warmup=1, min_reps=3, max_reps=20)
CPU = [b for b in ("numpy", "llvm") if b in available_backends()]


@pytest.fixture
def seed() -> int:
    return int(np.random.default_rng().integers(2**31))


# ---------------------------------------------------------------- the timing method

class FakeClock:
    """perf_counter that advances only when the timed function says so."""

    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def test_measure_stops_when_the_median_is_pinned(monkeypatch):
    clock = FakeClock()
    monkeypatch.setattr(measure.time, "perf_counter", clock)

    def fn():
        clock.t += 0.010

    st = measure.measure(fn, measure.Method(budget_s=10, min_reps=7, warmup=2))
    assert st["stop"] == "stable" and st["reps"] == 7  # identical times: stable at min_reps
    assert st["median_s"] == pytest.approx(0.010) and st["spread"] == pytest.approx(0, abs=1e-9)


def test_measure_noisy_series_runs_to_the_budget(monkeypatch):
    clock, rng = FakeClock(), np.random.default_rng(5)
    monkeypatch.setattr(measure.time, "perf_counter", clock)
    times = []

    def fn():
        dt = float(rng.choice([0.001, 0.004]))  # bimodal: the median's CI never narrows
        times.append(dt)
        clock.t += dt

    st = measure.measure(fn, measure.Method(budget_s=0.2, warmup=1, min_reps=5, max_reps=10**6))
    timed = times[1:]  # the first call was the warm-up
    assert st["stop"] == "budget" and st["reps"] == len(timed)
    assert sum(times) == pytest.approx(0.2, abs=0.005)
    assert st["median_s"] == pytest.approx(statistics.median(timed))
    assert st["min_s"] == pytest.approx(min(timed)) and st["max_s"] == pytest.approx(max(timed))


def test_measure_times_a_slow_call_once(monkeypatch):
    clock = FakeClock()
    monkeypatch.setattr(measure.time, "perf_counter", clock)
    calls = []

    def fn():
        calls.append(1)
        clock.t += 2.0

    st = measure.measure(fn, measure.Method(budget_s=1.0, warmup=3))
    assert st["stop"] == "slow" and st["reps"] == 1
    assert len(calls) == 2  # one warm-up (it alone exceeded the budget) and one timed call


def test_summary_statistics_match_numpy():
    x = list(np.random.default_rng(3).exponential(1.0, 101) + 1)
    st = measure.summarise(x, "stable")
    med = float(np.median(x))
    q1, q3 = np.percentile(x, [25, 75], method="weibull")  # statistics.quantiles' "exclusive"
    assert st["median_s"] == pytest.approx(med)
    assert st["iqr_spread"] == pytest.approx((q3 - q1) / med)
    assert st["spread"] == pytest.approx((max(x) - min(x)) / med)
    lo, hi = measure.median_ci(x)
    s = sorted(x)
    assert s.index(lo) < 50 < s.index(hi) and s.index(hi) - s.index(lo) <= 2 * 0.98 * 101**0.5 + 2


# ---------------------------------------------------------------- the driver

def _plan(names, backends, peer_names, seed, **kw) -> Plan:
    lib = registry()
    return Plan(specs=[lib[n] for n in names], backends=backends, peers=peer_names, size="small",
                seed=seed, method=FAST, roofline=False, **kw)


def test_driver_identical_inputs_checked_and_timed(seed):
    report = run_plan(_plan(["saxpy", "transpose"], CPU, ["numpy-vec"], seed))
    rows = report["rows"]
    assert {(r["kernel"], r["impl"]) for r in rows} == (
        {(k, b) for k in ("saxpy", "transpose") for b in CPU}
        | {("saxpy", "numpy-vec"), ("transpose", "numpy-vec")})
    for r in rows:
        assert r["status"] == "ok", r
        assert r["checked"] == "reference" and r["reps"] >= 1
        assert r["min_s"] <= r["median_s"] <= r["max_s"]
        assert r["gbps"] == pytest.approx(r["bytes"] / r["median_s"] / 1e9)
    spec = registry()["saxpy"]
    want = input_digest(spec.inputs(np.random.default_rng(seed), **spec.sizes["small"]))
    assert {r["input_sha"] for r in rows if r["kernel"] == "saxpy"} == {want}
    prov = report["machines"][rows[0]["machine"]]
    assert prov["cpu"]["logical_cores"] >= 1 and prov["versions"]["numpy"] == np.__version__
    assert prov["peers"]["numpy-vec"]["status"] == "present"


def test_a_wrong_implementation_fails_the_check_and_is_not_timed(monkeypatch, seed):
    mod = peers.PEERS["numpy-vec"].module()
    good = mod.KERNELS["saxpy"]

    def wrong(d, n):
        good(d, n)
        d["y"][n // 2] += 1e-3  # one element off: well outside saxpy's 4-eps tolerance

    monkeypatch.setitem(mod.KERNELS, "saxpy", wrong)
    (row,) = run_plan(_plan(["saxpy"], [], ["numpy-vec"], seed))["rows"]
    assert row["status"] == "fail" and "median_s" not in row
    assert "1/5000 elements differ" in row["error"]


def test_absent_peer_is_reported_not_an_error(monkeypatch, seed):
    monkeypatch.setitem(peers.PEERS, "ghost", peers.Peer("ghost", "no_such_peer", "imaginary"))
    report = run_plan(_plan(["vadd_i64"], ["numpy"], ["ghost", "numpy-vec"], seed))
    st = report["machines"][report["rows"][0]["machine"]]["peers"]
    assert st["ghost"]["status"] == "absent" and "no_such_peer" in st["ghost"]["reason"]
    assert {r["impl"] for r in report["rows"]} == {"numpy", "numpy-vec"}
    assert all(r["status"] == "ok" for r in report["rows"])


@pytest.mark.skipif(peers.PEERS["numba-par"].why_unavailable() is not None, reason="no numba")
def test_numba_parallel_peer_matches_the_reference(seed):
    report = run_plan(_plan(["stencil1d", "jacobi2d"], [], ["numba-par"], seed))
    assert [r["status"] for r in report["rows"]] == ["ok", "ok"]


@pytest.mark.skipif(peers.PEERS["numba-cudasim"].why_unavailable() is not None,
                    reason="no numba")
def test_simulator_peer_brings_its_reference_pair(seed):
    report = run_plan(_plan(["py_saxpy"], ["numpy"], ["numba-cudasim"], seed,
                            size_for={"numpy": "small"}))
    rows = {r["impl"]: r for r in report["rows"]}
    assert rows["numba-cudasim"]["status"] == "ok", rows["numba-cudasim"]
    assert rows["numba-cudasim"]["input_sha"] == rows["numpy"]["input_sha"]
    ratio = rep.summary(report["rows"])["reference_vs_cudasim"]
    assert ratio["kernels"] == 1
    assert ratio["geomean"] == pytest.approx(rows["numba-cudasim"]["median_s"]
                                             / rows["numpy"]["median_s"])


# ---------------------------------------------------------------- user kernels

def test_arg_language_and_expressions():
    assert cases.evaluate("cdiv(n, 256) * 2 + max(1, m)", {"n": np.int32(1000), "m": 3}, "x") == 11
    d = cases.parse_arg("x=float32[n, 4]:garbage")
    assert d.name == "x" and d.dtype == np.float32 and d.shape == ("n", "4")
    assert d.value == "garbage"
    assert cases.parse_arg("n=int:77").dtype == np.int32
    for bad in ("x", "x=float32", "x=float32[n", "x=nosuchtype:1", "1x=int32:1"):
        with pytest.raises(PortError) as e:
            cases.parse_arg(bad)
        assert e.value.code == "PORT4012" and bad in str(e.value)
    with pytest.raises(PortError) as e:
        cases.evaluate("__import__('os')", {}, "--grid")
    assert e.value.code == "PORT4012"


def test_user_kernel_from_a_cu_file(tmp_path, seed):
    out = tmp_path / "u.json"
    rc = main(["bench", "--file", str(ROOT / "kernels/cuda/saxpy.cu"), "--kernel", "saxpy",
               "--grid", "cdiv(n, 128)", "--block", "128", "--arg", "n=int32:1000",
               "--arg", "a=float32:2.5", "--arg", "x=float32[n]", "--arg", "y=float32[n]:randn",
               "--flops", "2*n", *sum((["-b", b] for b in CPU), []), "--no-peers",
               "--no-roofline", "--budget", "0.05", "--seed", str(seed), "--json", str(out)])
    assert rc == 0
    rows = json.loads(out.read_text())["rows"]
    assert [r["impl"] for r in rows] == CPU
    assert all(r["status"] == "ok" and r["checked"] == "numpy backend" for r in rows)
    assert rows[0]["bytes"] == 8000 and rows[0]["flops"] == 2000  # two float32[1000] arrays


def test_user_kernel_errors_name_the_argument(tmp_path, capsys):
    rc = main(["bench", "--file", str(ROOT / "kernels/cuda/saxpy.cu"), "--kernel", "saxpy",
               "--arg", "n=int32:10", "--arg", "x=float32[m]", "--no-roofline"])
    assert rc == 2
    err = capsys.readouterr().err
    assert "PORT4012" in err and "--arg x shape" in err and "'m'" in err
    assert main(["bench", "--file", str(tmp_path / "none.cu"), "-k", "k", "--arg",
                 "n=int32:1"]) == 2


def test_python_spec_file(tmp_path, seed):
    (tmp_path / "double_it.cu").write_text(
        "__global__ void twice(const float* x, float* y, int n) {\n"
        "  int i = blockIdx.x * blockDim.x + threadIdx.x;\n  if (i < n) y[i] = 2.0f * x[i];\n}\n")
    (tmp_path / "specs.py").write_text(
        "import numpy as np\nfrom portable.kernels import Run, Spec, cdiv\n"
        "SPECS = [Spec(name='twice', source='double_it.cu', sizes={'small': {'n': 999}},\n"
        "  inputs=lambda rng, n: {'x': rng.standard_normal(n).astype(np.float32),\n"
        "    'y': rng.standard_normal(n).astype(np.float32), 'n': np.int32(n)},\n"
        "  launches=lambda n: [Run('twice', cdiv(n, 64), 64, ('x', 'y', 'n'))],\n"
        "  reference=lambda d, n: {'y': 2 * d['x']},\n"
        "  bytes=lambda n: 8 * n, flops=lambda n: n, rtol=0, atol=0)]\n")
    out = tmp_path / "s.json"
    assert main(["bench", "--spec", str(tmp_path / "specs.py"), "--size", "small", "-b", "numpy",
                 "--no-peers", "--no-roofline", "--budget", "0.05", "--seed", str(seed),
                 "--json", str(out)]) == 0
    (row,) = json.loads(out.read_text())["rows"]
    assert row["status"] == "ok" and row["kernel"] == "twice" and row["checked"] == "reference"


# ---------------------------------------------------------------- outputs

def test_cli_writes_json_csv_markdown_and_plot(tmp_path, seed):
    base = tmp_path / "run"
    rc = main(["bench", "-k", "saxpy", "-k", "matmul_naive", *sum((["-b", b] for b in CPU), []),
               "--peer", "numpy-vec", "--size", "small", "--budget", "0.05", "--seed", str(seed),
               "--json", f"{base}.json", "--csv", f"{base}.csv", "--markdown", f"{base}.md",
               "--plot", str(base), "--note", "shared machine"])
    assert rc == 0
    report = json.loads(Path(f"{base}.json").read_text())
    (prov,) = report["machines"].values()
    for key in ("cpu", "memory", "gpus", "versions", "compilers", "git", "load", "roofline"):
        assert key in prov
    assert prov["cpu"]["flags"] and {"numpy", "llvmlite", "triton", "pyopencl"} <= set(
        prov["versions"])
    assert prov["roofline"]["triad_gbps"] > 0 and prov["roofline"]["peak_gflops_fp32"] > 0
    with open(f"{base}.csv") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == len(report["rows"]) == 2 * len(CPU) + 2
    assert all(float(r["median_s"]) > 0 for r in rows)
    md = Path(f"{base}.md").read_text()
    assert "shared machine" in md and "| saxpy | numpy-vec | small |" in md and "## Method" in md
    assert Path(f"{base}.png").read_bytes()[:4] == b"\x89PNG"
    assert main(["bench", "--from", f"{base}.json", "--markdown", f"{base}2.md"]) == 0
    assert Path(f"{base}2.md").read_text() == md  # re-rendered from the JSON alone
    assert "<svg" in Path(f"{base}.svg").read_text()[:500]


def _row(machine, kernel, impl, t, sha="s"):
    return {"machine": machine, "kernel": kernel, "impl": impl, "size": "large", "status": "ok",
            "median_s": t, "input_sha": sha}


def test_headline_ratios_are_geomeans():
    rows = [_row("m", "a", "llvm", 1.0), _row("m", "a", "opencl", 2.0),
            _row("m", "b", "llvm", 1.0), _row("m", "b", "opencl", 8.0),
            _row("m", "c", "opencl", 5.0)]  # c has no llvm row: not in the ratio
    r = rep.summary(rows)["llvm_vs_pocl"]
    assert r["kernels"] == 2 and r["geomean"] == pytest.approx(4.0)
    assert (r["min"], r["max"]) == (2.0, 8.0)
    assert "reference_vs_cudasim" not in rep.summary(rows)


def test_compare_two_runs(tmp_path):
    def report(machine, times):
        return {"schema": "portable-bench/1", "machines": {machine: {}},
                "rows": [_row(machine, k, "llvm", t) for k, t in times.items()]}
    a = report("old", {"saxpy": 2.0, "gemv": 3.0, "only_a": 1.0})
    b = report("new", {"saxpy": 1.0, "gemv": 4.0})
    res = cmp.compare(a, b)
    sp = {r["kernel"]: r["speedup"] for r in res["rows"]}
    assert sp == {"saxpy": 2.0, "gemv": 0.75}
    assert res["per_impl"]["llvm"]["geomean"] == pytest.approx(math.sqrt(1.5))
    assert res["only_a"] == ["only_a/llvm/large"]
    pa, pb = tmp_path / "a.json", tmp_path / "b.json"
    pa.write_text(json.dumps(a))
    pb.write_text(json.dumps(b))
    md = tmp_path / "c.md"
    assert main(["bench", "compare", str(pa), str(pb), "--markdown", str(md)]) == 0
    assert "| saxpy | llvm | large | 2000.000 | 1000.000 | 2.00x |" in md.read_text()
    pb.write_text("{not json")
    with pytest.raises(PortError) as e:
        cmp.load(pb)
    assert e.value.code == "PORT4011" and "b.json:1:2" in str(e.value)


# ---------------------------------------------------------------- cluster mode

def test_cluster_mode_on_a_local_cluster(seed, tmp_path):
    distributed = pytest.importorskip("distributed")
    from portable.bench.cluster import run_cluster

    out = tmp_path / "cluster.json"
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None, resources={"GPU": 1}) as cluster, \
            distributed.Client(cluster) as client:
        report = run_cluster(cluster.scheduler_address, _plan(["saxpy"], [], ["numpy-vec"], seed),
                             backends=["numpy"], client=client)
        # the command line, through its own client
        assert main(["bench", "--scheduler", cluster.scheduler_address, "-k", "vadd_i64",
                     "-b", "numpy", "--no-peers", "--size", "small", "--budget", "0.05",
                     "--no-roofline", "--seed", str(seed), "--json", str(out)]) == 0
    cli = json.loads(out.read_text())
    assert len(cli["machines"]) == 2 and len(cli["rows"]) == 2
    assert {r["machine"] for r in cli["rows"]} == set(cli["machines"])
    assert all(r["status"] == "ok" and r["kernel"] == "vadd_i64" for r in cli["rows"])
    machines = report["machines"]
    assert len(machines) == 2  # each worker benchmarked (and described) its own machine
    for mid, prov in machines.items():
        mine = [r for r in report["rows"] if r["machine"] == mid]
        assert {r["impl"] for r in mine} == {"numpy", "numpy-vec"}
        assert all(r["status"] == "ok" for r in mine)
        assert prov["cpu"]["logical_cores"] >= 1
    assert len({r["input_sha"] for r in report["rows"]}) == 1  # identical inputs everywhere
    # both workers advertise a GPU: each also ran a GPU job, which found no GPU backend here
    assert report["cluster"]["jobs"] == 4
    assert sum("advertises a GPU" in n for n in report["cluster"]["notes"]) == 2


def test_cluster_without_scheduler_is_a_port_error():
    pytest.importorskip("distributed")
    from portable.bench.cluster import run_cluster

    with pytest.raises(PortError) as e:
        run_cluster("tcp://127.0.0.1:1", _plan(["saxpy"], ["numpy"], [], 0), timeout="2s")
    assert e.value.code == "PORT4013"
