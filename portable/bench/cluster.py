"""Cluster mode: `portable bench --scheduler ADDRESS` runs the kernel x implementation matrix on
every worker of a Dask distributed cluster, each worker benchmarking its own hardware, and
merges the results into one report whose rows name their machine.

Start a worker on each machine with `dask worker ADDRESS` (`--resources GPU=1` on a machine
with a GPU: its GPU backends run as a separate job that asks for that resource). Jobs on workers
that share a host run one after another, so two benchmarks never compete for the same cores;
different hosts run at the same time. Workers need `portable` installed (and the repository's
benchmarks/ folder for the peers); library kernels travel by name, user kernels by value.
"""

from __future__ import annotations

import socket
from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace

from portable.bench.driver import SCHEMA, Plan, run_plan
from portable.errors import error


def _kind_of(backend: str) -> str:
    from portable import backends

    try:
        return getattr(backends.get(backend), "DEVICE", "cpu")
    except Exception:  # noqa: BLE001 - an unknown backend is dropped on that worker
        return "cpu"


def worker_job(plan: Plan, spec_names: list[str | object], backends: list[str] | None,
               gpu: bool) -> dict:
    """Runs on a worker: the plan with this machine's available backends (CPU or GPU ones)."""
    from portable import available_backends
    from portable.kernels import registry

    try:
        from distributed import get_worker

        name = get_worker().name
    except (ImportError, ValueError):
        name = "local"
    lib = registry()
    specs = [lib[s] if isinstance(s, str) else s for s in spec_names]
    here = available_backends()
    chosen = [b for b in (backends or here) if b in here]
    chosen = [b for b in chosen if (_kind_of(b) == "gpu") == gpu]
    machine = f"{socket.gethostname()}/{name}"
    if not chosen and gpu:
        return {"schema": SCHEMA, "machines": {}, "rows": [],
                "notes": [f"{machine}: advertises a GPU but has no GPU backend available"]}
    sub = replace(plan, specs=specs, backends=chosen, peers=[] if gpu else plan.peers,
                  roofline=plan.roofline and not gpu)
    report = run_plan(sub, machine=machine)
    report["notes"] = [f"{machine}: {'GPU' if gpu else 'CPU'} job, backends "
                       f"{', '.join(chosen) or 'none'}"]
    return report


def run_cluster(address: str, plan: Plan, backends: list[str] | None = None,
                on_progress: Callable[[int, int, str], None] | None = None, client=None,
                timeout: str = "20s") -> dict:
    """Run `plan` on every worker of the cluster at `address` (or of `client`); one report.
    `backends` None means each worker's own available backends."""
    try:
        from distributed import Client, as_completed
    except ImportError as e:
        raise error("PORT4013", f"dask.distributed is not installed ({e})",
                    hint="pip install 'portable[bench]'") from None
    own = client is None
    if own:
        try:
            client = Client(address, timeout=timeout)
        except (OSError, TimeoutError) as e:
            raise error("PORT4013", f"cannot reach the scheduler at {address}: {e}",
                        hint="start one with `dask scheduler` and workers with `dask worker "
                        "ADDRESS`, then pass --scheduler tcp://HOST:8786") from None
    try:
        workers = client.scheduler_info(n_workers=-1)["workers"]
        if not workers:
            raise error("PORT4013", f"the scheduler at {address} has no workers",
                        hint="start `dask worker ADDRESS` on each machine to benchmark")
        names = [s.name if s.name in _library() else s for s in plan.specs]
        bare = replace(plan, specs=[])  # kernels travel as names: Specs hold lambdas
        jobs: dict[str, list[tuple]] = defaultdict(list)  # host -> [(worker address, gpu)]
        for addr, w in sorted(workers.items()):
            jobs[w.get("host", addr)].append((addr, False))
            if w.get("resources", {}).get("GPU"):
                jobs[w.get("host", addr)].append((addr, True))
        total = sum(len(v) for v in jobs.values())
        pending = {host: list(v) for host, v in jobs.items()}

        def submit(host: str):
            addr, gpu = pending[host].pop(0)
            fut = client.submit(worker_job, bare, names, backends, gpu, workers=[addr],
                                allow_other_workers=False, pure=False,
                                resources={"GPU": 1} if gpu else None)
            fut.host = host  # type: ignore[attr-defined]
            return fut

        queue = as_completed([submit(h) for h in pending])
        reports, done = [], 0
        for fut in queue:
            reports.append(fut.result())
            done += 1
            if on_progress:
                on_progress(done, total, fut.host)
            if pending[fut.host]:
                queue.add(submit(fut.host))
    finally:
        if own:
            client.close()
    return merge(reports, plan, address)


def _library() -> set[str]:
    from portable.kernels import registry

    return set(registry())


def merge(reports: list[dict], plan: Plan, address: str) -> dict:
    """One report from the workers' reports: machines and rows side by side."""
    machines, rows, notes = {}, [], []
    for r in reports:
        for mid, prov in r.get("machines", {}).items():
            if mid in machines:  # the GPU job of a machine whose CPU job came back already
                machines[mid]["backends"].update(prov.get("backends", {}))
            else:
                machines[mid] = prov
        rows += r.get("rows", [])
        notes += r.get("notes", [])
    created = min((m["time"] for m in machines.values()), default=None)
    return {"schema": SCHEMA, "created": created, "plan": plan.as_dict(),
            "method": plan.method.as_dict(), "machines": machines, "rows": rows,
            "cluster": {"scheduler": address, "jobs": len(reports), "notes": notes}}
