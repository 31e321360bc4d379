"""`portable check`: the kernel library, or your own kernel, on every available backend.

    portable check [-k KERNEL] [-b BACKEND] [--size small|large] [--sanitize]
    portable check FILE.cu --kernel K --grid G --block B --arg n=4096 [--arg x=2*n] [--sanitize]

Without FILE every library kernel runs on every backend against its numpy reference; with
`--sanitize` each library kernel's launches run under the sanitizer instead (any finding fails).

With FILE the kernel K runs on the numpy reference and on every backend from the same random
inputs (`portable.testing.compare`); `--sanitize` runs it under the sanitizer first (and prints
the warp-width lint's warnings, which do not fail the check). `--arg
NAME=EXPR` gives a scalar parameter its value, or a pointer parameter its element count; EXPR is
arithmetic over the scalars given before it (+ - * / // % **, cdiv, min, max), as are --grid
and --block (e.g. 'cdiv(n, 256)', '16,16'). A pointer without --arg holds as many elements as
the largest integer scalar argument (or, with none, one per launched thread). Arrays are random:
floats uniform in [-1, 1), integers in [0, 100), from --seed.
"""

from __future__ import annotations

import time

from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from portable.cli.common import add_selection, select


def register(sub) -> None:
    p = sub.add_parser("check", help="check the kernel library, or a kernel of FILE.cu, on every "
                       "available backend (and under the sanitizer)")
    p.add_argument("file", nargs="?", help="a .cu file: check its kernel --kernel instead of "
                   "the library")
    add_selection(p)
    p.add_argument("--size", default="small", choices=["small", "large"])
    p.add_argument("--seed", type=int, default=None, help="input seed (default: fresh)")
    p.add_argument("--sanitize", action="store_true", help="run under the sanitizer (races, "
                   "uninitialised shared memory, out-of-bounds, barriers, warp masks)")
    u = p.add_argument_group("a kernel of FILE")
    u.add_argument("--grid", default="1", help="grid dims, e.g. 'cdiv(n,256)' or '64,64'")
    u.add_argument("--block", default="256", help="block dims, e.g. 256 or '16,16'")
    u.add_argument("--arg", action="append", default=[], metavar="NAME=EXPR",
                   help="a scalar's value or a pointer's element count (repeatable)")
    u.add_argument("--shared-mem", default="0", help="dynamic shared memory bytes")
    u.add_argument("-D", dest="defines", action="append", default=[], metavar="NAME[=VALUE]",
                   help="preprocessor define")
    p.set_defaults(func=run)


def run(args) -> int:
    import numpy as np

    seed = args.seed if args.seed is not None else int(np.random.default_rng().integers(2**31))
    if args.file:
        return _run_file(args, seed)
    if args.sanitize:
        return _sanitize_library(args, seed)
    return _run_library(args, seed)


# ---------------------------------------------------------------- the library


def _run_library(args, seed: int) -> int:
    from portable.errors import PortError
    from portable.kernels import check

    specs, names = select(args)
    console = Console()
    results: dict[tuple[str, str], str] = {}
    failures: list[str] = []
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("checking", total=len(specs) * len(names))
        for spec in specs:
            for b in names:
                progress.update(task, description=f"{spec.name} on {b}")
                t0 = time.perf_counter()
                try:
                    problems = check(spec, b, args.size, seed)
                except PortError as e:
                    problems = [str(e).splitlines()[0]]
                except Exception as e:  # noqa: BLE001 - a crash is a failure to report, not hide
                    problems = [f"internal error: {type(e).__name__}: {e}"]
                dt = time.perf_counter() - t0
                results[spec.name, b] = "[green]ok[/]" if not problems else "[red]FAIL[/]"
                results[spec.name, b] += f" {dt:.2f}s"
                failures += [f"{spec.name} on {b}: {p}" for p in problems]
                progress.advance(task)
    table = Table(title=f"portable check (size={args.size}, seed={seed})")
    table.add_column("kernel")
    for b in names:
        table.add_column(b)
    for spec in specs:
        table.add_row(spec.name, *(results[spec.name, b] for b in names))
    console.print(table)
    passed = sum(1 for v in results.values() if "ok" in v)
    console.print(f"{passed} passed, {len(results) - passed} failed")
    for f in failures:
        console.print(f"[red]{f}[/]", markup=True, highlight=False)
    return 1 if failures else 0


def _sanitize_library(args, seed: int) -> int:
    from portable.sanitize import sanitize_spec

    specs, _ = select(args)
    console = Console()
    table = Table(title=f"portable check --sanitize (size={args.size}, seed={seed})")
    table.add_column("kernel")
    table.add_column("findings")
    table.add_column("time")
    found = []
    for spec in specs:
        t0 = time.perf_counter()
        fs = sanitize_spec(spec, args.size, seed)
        table.add_row(spec.name, "[green]none[/]" if not fs else f"[red]{len(fs)}[/]",
                      f"{time.perf_counter() - t0:.2f}s")
        found += fs
    console.print(table)
    for f in found:
        console.print(str(f), markup=False, highlight=False)
    console.print(f"{len(specs)} kernels, {len(found)} findings")
    return 1 if found else 0


# ---------------------------------------------------------------- a kernel of FILE


def user_launch(kernel, grid: str, block: str, arg_texts: list[str], seed: int,
                shared_mem: str = "0") -> tuple[tuple, tuple, list, int]:
    """(grid, block, arguments, shared bytes) for `kernel` from command-line texts."""
    import numpy as np

    from portable.bench.cases import evaluate
    from portable.errors import error
    from portable.launch import elem_dtype
    from portable.types import Pointer, Scalar

    params = {p.name: p for p in kernel.ir.params}
    given: dict[str, str] = {}
    for text in arg_texts:
        name, eq, expr = text.partition("=")
        name = name.strip()
        if not eq or name not in params:
            raise error("PORT4012", f"--arg {text}: expected NAME=EXPR with NAME a parameter of "
                        f"{kernel.name!r}", hint=f"parameters: {', '.join(params)}")
        given[name] = expr
    scalars: dict = {}
    for name, expr in given.items():  # scalars in the order given, each may use the earlier
        t = params[name].type
        if isinstance(t, Scalar):
            scalars[name] = t.dtype.type(evaluate(expr, scalars, f"--arg {name}"))
    dims = []
    for text, opt in ((grid, "--grid"), (block, "--block")):
        v = evaluate(text, scalars, opt)
        dims.append(tuple(int(x) for x in v) if isinstance(v, tuple) else int(v))
    threads = int(np.prod(dims[0])) * int(np.prod(dims[1]))
    ints = [int(v) for v in scalars.values() if np.asarray(v).dtype.kind in "iu"]
    default = max(ints) if ints else threads
    rng = np.random.default_rng(seed)
    out = []
    for name, p in params.items():
        t = p.type
        if isinstance(t, Pointer):
            n = int(evaluate(given[name], scalars, f"--arg {name}")) if name in given \
                else default
            if n < 0:
                raise error("PORT4012", f"--arg {name}: {n} elements")
            dt = elem_dtype(t.elem)
            out.append(_random(rng, n, dt))
        elif name in scalars:
            out.append(scalars[name])
        else:
            raise error("PORT4012", f"kernel {kernel.name!r}: scalar parameter {name!r} has no "
                        "value", hint=f"pass --arg {name}=VALUE")
    smem = int(evaluate(shared_mem, scalars, "--shared-mem"))
    return dims[0], dims[1], out, smem


def _random(rng, n: int, dt):
    import numpy as np

    if dt.names:
        a = np.zeros(n, dt)
        for f in dt.names:
            a[f] = _random(rng, n, dt.fields[f][0])
        return a
    if dt.kind == "f":
        return rng.uniform(-1, 1, n).astype(dt)
    if dt.kind == "b":
        return rng.integers(0, 2, n).astype(dt)
    return rng.integers(0, 100, n).astype(dt)


def load_kernel(path: str, kernel: str | None, defines: list[str] | None = None):
    """(Kernel, PORT3001 diagnostics of the static barrier check) of a .cu file; the kernel is
    built without that check so the sanitizer can run it."""
    from pathlib import Path

    from portable.errors import error
    from portable.sanitize import parse_unchecked

    p = Path(path)
    if not p.is_file():
        raise error("PORT4012", f"{path}: no such file", hint="pass a .cu file")
    if p.suffix not in (".cu", ".cuh", ".c", ".cpp", ".cc"):
        raise error("PORT4012", f"{path}: expected a CUDA C (.cu) file",
                    hint="check Python kernels with portable.testing.compare in a test")
    defs = dict((d.split("=", 1) + ["1"])[:2] for d in defines or [])
    mod, static = parse_unchecked(p.read_text(), str(p), defs)
    if kernel is None:
        if len(mod) != 1:
            raise error("PORT0003", f"{path} has {len(mod)} kernels; pick one with --kernel",
                        hint=f"kernels: {', '.join(mod.kernels)}")
        kernel = next(iter(mod.kernels))
    return mod[kernel], [d for d in static if kernel in d.message]


def _run_file(args, seed: int) -> int:
    from portable import available_backends, backends
    from portable.errors import error
    from portable.sanitize import sanitize
    from portable.testing import compare

    if len(args.kernel) > 1:
        raise error("PORT4012", "check FILE takes one --kernel")
    k, static = load_kernel(args.file, args.kernel[0] if args.kernel else None, args.defines)
    grid, block, vals, smem = user_launch(k, args.grid, args.block, args.arg, seed,
                                          args.shared_mem)
    console = Console(highlight=False, soft_wrap=True)
    rc = 0
    for d in static:
        console.print(str(d), markup=False)
    if args.sanitize:
        from portable.lint import lint

        for d in lint(k):  # warp-width warnings: worth reading, not a failure
            console.print(str(d), markup=False)
        findings = sanitize(k, grid, block, *[v.copy() if hasattr(v, "copy") else v
                                              for v in vals], shared_mem=smem)
        for f in findings:
            console.print(str(f), markup=False)
        console.print(f"sanitizer: {len(findings)} finding(s) in kernel {k.name!r} "
                      f"(grid {grid}, block {block}, seed {seed})", markup=False)
        rc = 1 if findings or static else 0
    if static and not args.sanitize:
        return 1
    names = args.backend or [b for b in available_backends() if b != "numpy"]
    for b in names:
        why = backends.why_unavailable(b)
        if why is not None:
            raise error("PORT4007", f"backend {b!r} is not available: {why}")
    if static or names == ["numpy"]:
        return rc
    r = compare(k, grid, block, *vals, backends=names, shared_mem=smem)
    console.print(str(r), markup=False)
    return rc or (0 if r.ok else 1)
