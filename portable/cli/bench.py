"""`portable bench`: kernels x (backends + peers), checked then timed, with provenance.

    portable bench [-k KERNEL] [-b BACKEND] [--peer NAME] [--size small|large]
                   [--json F] [--csv F] [--markdown F] [--plot F] [--scheduler ADDRESS]
    portable bench --file k.cu --kernel K --grid G --block B --arg ... [--bytes E --flops E]
    portable bench --spec specs.py
    portable bench compare A.json B.json [--markdown F] [--json F]

The driver lives in portable.bench; this module is the command line around it.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from portable.cli.common import add_selection, select
from portable.errors import error

# the correctness oracles run the small size unless asked otherwise: the numpy reference and
# Triton's interpreter take seconds to minutes per launch at the large size
ORACLE_SIZES = {"numpy": "small", "triton-interpret": "small"}


def register(sub) -> None:
    p = sub.add_parser("bench", help="benchmark kernels on every backend and peer, with "
                       "provenance (or: portable bench compare A.json B.json)",
                       description=__doc__.split("\n\n")[1],
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("action", nargs="*", metavar="compare A.json B.json",
                   help="compare two --json reports instead of running")
    add_selection(p)
    p.add_argument("--peer", action="append", default=None,
                   help="peer to run beside the backends (repeatable; default: all of handc, "
                   "numpy-vec, numba-par, numba-cudasim)")
    p.add_argument("--no-peers", action="store_true", help="backends only")
    p.add_argument("--tag", action="append", default=[],
                   help="only library kernels with this tag (e.g. memory-bound)")
    p.add_argument("--size", default="large", choices=["small", "large"])
    p.add_argument("--size-for", action="append", default=[], metavar="IMPL=SIZE",
                   help="another size for one implementation, e.g. numpy=large (repeatable; "
                   "default: numpy=small triton-interpret=small, the correctness oracles whose "
                   "large runs take minutes per launch)")
    p.add_argument("--seed", type=int, default=0, help="input seed (default 0)")
    m = p.add_argument_group("timing method")
    m.add_argument("--budget", type=float, default=1.0,
                   help="seconds of timed repetitions per kernel and implementation (default 1)")
    m.add_argument("--warmup", type=int, default=1)
    m.add_argument("--min-reps", type=int, default=5)
    m.add_argument("--max-reps", type=int, default=200)
    m.add_argument("--rel-ci", type=float, default=0.02,
                   help="stop when the 95%% CI of the median is within this fraction (0.02)")
    m.add_argument("--no-roofline", action="store_true",
                   help="skip measuring this machine's triad bandwidth and GEMM peak")
    o = p.add_argument_group("output")
    o.add_argument("--json", dest="json_path", help="write the full report (with provenance)")
    o.add_argument("--csv", dest="csv_path", help="write one CSV row per result")
    o.add_argument("--markdown", dest="md_path", help="write the report as markdown")
    o.add_argument("--plot", dest="plot_path", help="write the roofline as PATH.png and PATH.svg")
    o.add_argument("--note", action="append", default=[], help="a line for the markdown report")
    o.add_argument("--from", dest="from_path", metavar="REPORT.json",
                   help="do not run: render an earlier --json report as table/CSV/markdown/plot")
    u = p.add_argument_group("user kernels")
    u.add_argument("--file", help="a .cu file (or .py of numba.cuda-style kernels); with "
                   "--kernel, --grid, --block and --arg")
    u.add_argument("--grid", default="1", help="grid dims, e.g. 'cdiv(n,256)' or '64,64'")
    u.add_argument("--block", default="256", help="block dims, e.g. 256 or '16,16'")
    u.add_argument("--arg", action="append", default=[],
                   help="NAME=TYPE:VALUE (scalar) or NAME=TYPE[SHAPE][:FILL] (array), in order")
    u.add_argument("--shared-mem", default="0", help="dynamic shared memory bytes")
    u.add_argument("--bytes", dest="bytes_expr", help="bytes moved, e.g. '12*n' (default: "
                   "the arrays' sizes)")
    u.add_argument("--flops", dest="flops_expr", help="operations, e.g. '2*n' (default 0)")
    u.add_argument("--rtol", type=float, default=1e-5)
    u.add_argument("--atol", type=float, default=1e-6)
    u.add_argument("--spec", help="a Python file defining SPECS = [portable.kernels.Spec(...)]")
    c = p.add_argument_group("cluster")
    c.add_argument("--scheduler", help="Dask scheduler address: run on every worker")
    p.set_defaults(func=run)


def _plan(args):
    from portable.bench import Method, Plan, cases
    from portable.bench.peers import PEERS

    method = Method(budget_s=args.budget, warmup=args.warmup, min_reps=args.min_reps,
                    max_reps=args.max_reps, rel_ci=args.rel_ci)
    size_for = dict(ORACLE_SIZES) if args.size == "large" else {}
    for item in args.size_for:
        impl, eq, size = item.partition("=")
        if not eq or size not in ("small", "large"):
            raise error("PORT4012", f"--size-for {item}: expected IMPL=small or IMPL=large")
        size_for[impl] = size
    peers = [] if args.no_peers else (args.peer or list(PEERS))
    for name in peers:
        if name not in PEERS:
            raise error("PORT4007", f"unknown peer {name!r}", hint=f"peers: {', '.join(PEERS)}")
    size = args.size
    if args.file or args.spec:
        if args.file:
            if len(args.kernel) != 1:
                raise error("PORT4012", "--file needs exactly one --kernel NAME",
                            hint="name the __global__ function to benchmark")
            specs = [cases.user_spec(args.file, args.kernel[0], args.grid, args.block, args.arg,
                                     args.bytes_expr, args.flops_expr, args.shared_mem,
                                     args.rtol, args.atol)]
            size = "user"
        else:
            specs = cases.spec_file(args.spec)
            if args.kernel:
                specs = [s for s in specs if s.name in args.kernel]
        names = _backends(args)
    else:
        specs, names = select(args) if not args.scheduler else (_library(args), args.backend)
        if args.tag:
            specs = [s for s in specs if set(args.tag) & set(s.tags)]
    return Plan(specs=specs, backends=names, peers=peers, size=size, size_for=size_for,
                seed=args.seed, method=method, roofline=not args.no_roofline)


def _library(args):
    from portable.kernels import registry

    specs = registry()
    unknown = [k for k in args.kernel if k not in specs]
    if unknown:
        raise error("PORT0003", f"no library kernel named {', '.join(unknown)}",
                    hint=f"kernels: {', '.join(specs)}")
    return [specs[k] for k in args.kernel] if args.kernel else list(specs.values())


def _backends(args) -> list[str]:
    from portable import available_backends, backends

    for b in args.backend:
        why = backends.why_unavailable(b)
        if why is not None:
            raise error("PORT4007", f"backend {b!r} is not available: {why}")
    return args.backend or available_backends()


def _progress(console: Console) -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
                    console=console, transient=True)


def run(args) -> int:
    if args.action:
        return compare_cmd(args)
    from portable.bench.driver import run_plan

    console = Console()
    if not console.is_terminal:  # a log or a pipe: keep every column readable
        console = Console(width=170)
    if args.from_path:
        from portable.bench.compare import load

        result = load(args.from_path)
        _output(args, result, console, notes=args.note or result.get("notes"))
        return 0  # rendering succeeded; the run's own failures were reported when it ran
    plan = _plan(args)
    with _progress(console) as progress:
        task = progress.add_task("bench", total=None)
        if args.scheduler:
            from portable.bench.cluster import run_cluster

            def step(done, total, host):
                progress.update(task, total=total, completed=done,
                                description=f"cluster: {host} done")
            result = run_cluster(args.scheduler, plan, backends=args.backend or None,
                                 on_progress=step)
        else:
            def step(i, total, t):
                what = (f"{t.spec.name} on {t.impl} ({t.size})" if t is not None
                        else "roofline: triad + GEMM peak")
                progress.update(task, total=total, completed=i, description=what)
            result = run_plan(plan, on_task=step)
    if args.note:
        result["notes"] = args.note
    return _output(args, result, console, args.note)


def _output(args, result: dict, console, notes: list[str] | None) -> int:
    from portable.bench import report as rep

    result["summary"] = rep.summary(result["rows"])
    rep.print_table(result, console)
    written = []
    if args.json_path:
        _write(args.json_path, rep.to_json(result))
        written.append(args.json_path)
    if args.csv_path:
        _write(args.csv_path, rep.to_csv(result))
        written.append(args.csv_path)
    if args.md_path:
        _write(args.md_path, rep.to_markdown(result, notes))
        written.append(args.md_path)
    if args.plot_path:
        from portable.bench.roofline import plot

        written += [str(p) for p in plot(result, args.plot_path)]
    if written:
        console.print("wrote " + ", ".join(written), highlight=False)
    bad = [r for r in result["rows"] if r.get("status") in ("fail", "error")]
    return 1 if bad else 0


def _write(path: str, text: str) -> None:
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text)


def compare_cmd(args) -> int:
    from portable.bench import compare as cmp

    if args.action[0] != "compare" or len(args.action) != 3:
        raise error("PORT4011", f"unexpected arguments {' '.join(args.action)}",
                    hint="portable bench compare A.json B.json")
    a_path, b_path = args.action[1:]
    result = cmp.compare(cmp.load(a_path), cmp.load(b_path))
    cmp.print_table(result, Console(), a_path, b_path)
    if args.md_path:
        _write(args.md_path, cmp.to_markdown(result, a_path, b_path))
    if args.json_path:
        _write(args.json_path, json.dumps(result, indent=1))
    return 0
