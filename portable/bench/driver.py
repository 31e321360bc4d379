"""The benchmark matrix: kernels x (backends + peers) on this machine, one result row each.

Every implementation of a kernel gets the same inputs (one seeded generator, copied per
implementation; `input_sha` in each row proves it, across machines too), is checked against the
kernel's reference before it is timed, and is timed by the one method of measure.py.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from portable.bench import peers as peers_mod
from portable.bench.measure import Method, measure
from portable.errors import PortError

SCHEMA = "portable-bench/1"


@dataclass
class Plan:
    """What to run: kernels (Spec objects), backends, peers, sizes and the timing method."""

    specs: list
    backends: list[str]
    peers: list[str] = field(default_factory=lambda: list(peers_mod.PEERS))
    size: str = "large"
    size_for: dict[str, str] = field(default_factory=dict)  # implementation -> size label
    seed: int = 0
    method: Method = field(default_factory=Method)
    roofline: bool = True
    sim_size: str = "small"

    def as_dict(self) -> dict:
        return {"kernels": [s.name for s in self.specs], "backends": self.backends,
                "peers": self.peers, "size": self.size, "size_for": self.size_for,
                "seed": self.seed, "sim_size": self.sim_size}


@dataclass(frozen=True)
class Task:
    spec: object
    impl: str
    kind: str  # "backend" or "peer"
    size: str


def tasks(plan: Plan, peer_status: dict) -> list[Task]:
    """The (kernel, implementation, size) cells, grouped by kernel and size so each kernel's
    inputs are generated once. A simulator cell brings a numpy-reference cell at its size."""
    present = [p for p in plan.peers if peer_status.get(p, {}).get("status") == "present"]
    out: list[Task] = []
    for spec in plan.specs:
        def size(impl: str, default: str = plan.size, spec=spec) -> str:
            s = plan.size_for.get(impl, default)
            return s if s in spec.sizes else default  # a user kernel may have one size only

        cells = [Task(spec, b, "backend", size(b)) for b in plan.backends]
        for name in present:
            peer = peers_mod.PEERS[name]
            if not peer.supports(spec):
                continue
            if peer.out_of_process:
                sim = size(name, plan.sim_size)
                cells.append(Task(spec, name, "peer", sim))
                ref = Task(spec, "numpy", "backend", sim)
                if "numpy" in plan.backends and ref not in cells:
                    cells.append(ref)
            else:
                cells.append(Task(spec, name, "peer", size(name)))
        sizes = list(dict.fromkeys(c.size for c in cells))
        out += [c for s in sizes for c in cells if c.size == s]
    return out


def module_for(spec):
    """The portable Module of a Spec's source: a library source, a .cu path or a .py file of
    numba.cuda-style kernels."""
    from portable.kernels import load_module

    if spec.source.endswith(".py") and not spec.source.startswith("py:"):
        from portable.bench.cases import load_python_module

        return load_python_module(spec.source)
    return load_module(spec.source, tuple(sorted(spec.defines.items())))


def launch_all(spec, params: dict, args: dict, backend: str) -> Callable[[], None]:
    """Compile each launch of `spec` for `backend`; a callable running the launch list."""
    mod = module_for(spec)
    runs = spec.launches(**params)
    for r in runs:
        mod[r.kernel].compile(backend)

    def go() -> None:
        for r in runs:
            mod[r.kernel].launch(r.grid, r.block, *(args[a] for a in r.args), backend=backend,
                                 shared_mem=r.shared_mem)
    return go


def input_digest(inputs: dict) -> str:
    """sha256 of the inputs (names, dtypes, shapes, bytes): equal digests, identical inputs."""
    h = hashlib.sha256()
    for k in sorted(inputs):
        v = np.asarray(inputs[k])
        h.update(f"{k}:{v.dtype.str}:{v.shape};".encode())
        h.update(np.ascontiguousarray(v).tobytes())
    return h.hexdigest()[:16]


def _copy(inputs: dict) -> dict:
    return {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in inputs.items()}


class Inputs:
    """The inputs and expected outputs of one (kernel, size), made once and shared."""

    def __init__(self) -> None:
        self.key: tuple | None = None

    def get(self, spec, size: str, seed: int) -> tuple[dict, dict, str]:
        key = (spec.name, size, seed)
        if key != self.key:
            self.key = None  # free the previous kernel's arrays first
            params = spec.sizes[size]
            self.inputs = spec.inputs(np.random.default_rng(seed), **params)
            self.sha = input_digest(self.inputs)
            if getattr(spec, "reference_backend", None):
                # a user kernel has no independent reference: the numpy reference backend is it
                args = _copy(self.inputs)
                launch_all(spec, params, args, spec.reference_backend)()
                self.expected = {k: v for k, v in args.items() if isinstance(v, np.ndarray)}
            else:
                self.expected = spec.reference(_copy(self.inputs), **params)
            self.key = key
        return self.inputs, self.expected, self.sha


def _classify(e: Exception) -> tuple[str, str]:
    if isinstance(e, PortError):
        first = str(e).splitlines()[0]
        return ("unsupported" if e.code == "PORT6002" else "error"), first
    return "error", f"internal error: {type(e).__name__}: {str(e)[:200]}"


def run_task(task: Task, plan: Plan, cache: Inputs, machine: str) -> dict:
    """Check then time one cell; its result row."""
    from portable.kernels import compare_outputs

    spec, params = task.spec, task.spec.sizes[task.size]
    row = {"machine": machine, "kernel": spec.name, "impl": task.impl, "kind": task.kind,
           "size": task.size, "params": {k: int(v) if isinstance(v, (int, np.integer)) else v
                                         for k, v in params.items()},
           "tags": list(spec.tags), "bytes": int(spec.bytes(**params)),
           "flops": int(spec.flops(**params))}
    peer = peers_mod.PEERS.get(task.impl) if task.kind == "peer" else None
    if peer is not None and peer.out_of_process:
        res = peer.bench(spec, task.size, plan.seed, {"budget_s": plan.method.budget_s,
                                                        "warmup": plan.method.warmup,
                                                        "min_reps": plan.method.min_reps,
                                                        "max_reps": plan.method.max_reps,
                                                        "rel_ci": plan.method.rel_ci})
        _, _, sha = cache.get(spec, task.size, plan.seed)
        return _finish(row | {"input_sha": sha, "checked": "reference"} | res)
    try:
        inputs, expected, sha = cache.get(spec, task.size, plan.seed)
    except Exception as e:  # noqa: BLE001 - a broken generator/reference fails this cell only
        status, msg = _classify(e)
        return row | {"status": "error", "error": f"inputs/reference: {msg}"}
    row["input_sha"] = sha
    row["checked"] = "numpy backend" if getattr(spec, "reference_backend", None) else "reference"
    args = _copy(inputs)
    try:
        if peer is not None:
            fn = peer.runner(spec, task.size, params)
            go = lambda: fn(args)  # noqa: E731
        else:
            go = launch_all(spec, params, args, task.impl)
        t0 = time.perf_counter()
        go()
        row["check_s"] = time.perf_counter() - t0
        problems = compare_outputs(args, expected, spec.rtol, spec.atol)
        if problems:
            return row | {"status": "fail", "error": problems[0]}

        def reset() -> None:
            for k in expected:
                if isinstance(args.get(k), np.ndarray):
                    np.copyto(args[k], inputs[k])

        return _finish(row | {"status": "ok"} | measure(go, plan.method, reset))
    except Exception as e:  # noqa: BLE001 - one cell's crash is reported, the run goes on
        status, msg = _classify(e)
        return row | {"status": status, "error": msg}


def _finish(row: dict) -> dict:
    med = row.get("median_s")
    if row.get("status") == "ok" and med:
        row["gbps"] = row["bytes"] / med / 1e9
        row["gflops"] = row["flops"] / med / 1e9
    return row


def devices(backends: list[str]) -> dict[str, str]:
    """What each backend runs on here, in words."""
    from portable import backends as reg
    from portable.bench.provenance import cpu

    model = cpu()["model"]
    out = {}
    for b in backends:
        try:
            mod = reg.get(b)
            name = getattr(mod, "device_name", None)
            out[b] = name() if callable(name) else f"{model} ({getattr(mod, 'DEVICE', 'cpu')})"
        except Exception as e:  # noqa: BLE001
            out[b] = f"unavailable: {e}"
    return out


def roofline(seconds: float = 2.0) -> dict:
    """This machine's ceilings: STREAM triad GB/s and BLAS GEMM GFLOP/s (fp32 and fp64)."""
    out: dict = {}
    tri = peers_mod.triad()
    if tri is None:  # numpy's two-pass triad: a lower bound (it moves 5 arrays, not 3)
        n = 1 << 24
        a, b, c = np.empty(n), np.full(n, 1.5), np.full(n, 2.5)
        best = float("inf")
        for _ in range(5):
            t0 = time.perf_counter()
            np.multiply(c, 3.0, out=a)
            a += b
            best = min(best, time.perf_counter() - t0)
        tri = (24 * n / best / 1e9, "numpy triad (two passes; a lower bound)")
    out["triad_gbps"], out["triad_source"] = round(tri[0], 2), tri[1]
    for dtype, key in ((np.float32, "peak_gflops_fp32"), (np.float64, "peak_gflops_fp64")):
        n, best = 1024, 0.0
        a = np.random.default_rng(1).standard_normal((n, n)).astype(dtype)
        c = a @ a
        start = time.perf_counter()
        while time.perf_counter() - start < seconds:  # best rate: the peak of a busy machine
            t0 = time.perf_counter()
            np.matmul(a, a, out=c)
            best = max(best, 2 * n**3 / (time.perf_counter() - t0) / 1e9)
        out[key] = round(best, 1)
    out["peak_source"] = f"numpy matmul (BLAS GEMM, all cores) of 1024^2, best rate in {seconds} s"
    return out


def run_plan(plan: Plan, on_task: Callable[[int, int, Task | None], None] | None = None,
             machine: str | None = None) -> dict:
    """Run the whole matrix here; the report (rows + provenance of this machine)."""
    from portable.bench import provenance

    machine = machine or provenance.machine_id()
    prov = provenance.collect()
    peer_status = {name: st for name, st in peers_mod.status().items() if name in plan.peers}
    prov["peers"] = peer_status
    prov["backends"] = devices(plan.backends)
    cells = tasks(plan, peer_status)
    total = len(cells) + (2 if plan.roofline else 0)
    rows, cache = [], Inputs()
    ceilings = []
    if plan.roofline:  # measured before and after the matrix; the better of the two is kept
        if on_task:
            on_task(0, total, None)
        ceilings.append(roofline())
    for i, t in enumerate(cells):
        if on_task:
            on_task(i + len(ceilings), total, t)
        row = run_task(t, plan, cache, machine)
        row["device"] = prov["backends"].get(t.impl) or peer_status.get(t.impl, {}).get(
            "description", "")
        rows.append(row)
    if plan.roofline:
        if on_task:
            on_task(total - 1, total, None)
        ceilings.append(roofline())
        best = dict(ceilings[0])
        for key in ("triad_gbps", "peak_gflops_fp32", "peak_gflops_fp64"):
            best[key] = max(c[key] for c in ceilings)
        prov["roofline"] = best | {"samples": ceilings}
    if on_task:
        on_task(total, total, None)
    prov["load_end"] = provenance.load()
    return {"schema": SCHEMA, "created": prov["time"], "plan": plan.as_dict(),
            "method": plan.method.as_dict(), "machines": {machine: prov}, "rows": rows}
