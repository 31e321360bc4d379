"""Presenting a benchmark report: terminal table, markdown, CSV, JSON, headline ratios."""

from __future__ import annotations

import csv
import io
import json
import math
from collections import defaultdict

CSV_FIELDS = ("machine", "kernel", "impl", "kind", "device", "size", "status", "reps",
              "median_s", "min_s", "max_s", "spread", "iqr_spread", "ci95_rel", "stop", "gbps",
              "gflops", "bytes", "flops", "input_sha", "checked", "error")


def geomean(xs: list[float]) -> float:
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else float("nan")


def _times(rows: list[dict]) -> dict[tuple, float]:
    return {(r["machine"], r["kernel"], r["size"], r["impl"]): r["median_s"]
            for r in rows if r.get("status") == "ok" and r.get("median_s")}


def ratio(rows: list[dict], slow: str, fast: str) -> dict | None:
    """Geomean over the kernels both ran (same machine and size) of time(slow) / time(fast):
    how many times faster `fast` is. None when they share no kernel."""
    t = _times(rows)
    pairs = [(k, t[k], t[k[:3] + (fast,)]) for k in t if k[3] == slow and k[:3] + (fast,) in t]
    if not pairs:
        return None
    r = [a / b for _, a, b in pairs]
    return {"slow": slow, "fast": fast, "geomean": geomean(r), "min": min(r), "max": max(r),
            "kernels": len(r)}


def summary(rows: list[dict]) -> dict:
    """The headline ratios of issue 10 plus every implementation against llvm."""
    out: dict = {}
    for key, slow, fast in (("llvm_vs_pocl", "opencl", "llvm"),
                            ("reference_vs_cudasim", "numba-cudasim", "numpy"),
                            ("cuda_vs_triton", "triton", "cuda")):
        r = ratio(rows, slow, fast)
        if r:
            out[key] = r
    impls = sorted({r["impl"] for r in rows} - {"llvm"})
    out["vs_llvm"] = {i: r for i in impls if (r := ratio(rows, i, "llvm"))}
    counts: dict[str, int] = defaultdict(int)
    for r in rows:
        counts[r.get("status", "?")] += 1
    out["status_counts"] = dict(counts)
    return out


def headline_lines(summ: dict) -> list[str]:
    """The ratios in words, for the terminal and the markdown."""
    lines = []
    if r := summ.get("llvm_vs_pocl"):
        lines.append(f"llvm vs PoCL (opencl): llvm {r['geomean']:.2f}x faster, geomean over "
                     f"{r['kernels']} kernels (range {r['min']:.2f}x-{r['max']:.2f}x; goal 1.5x)")
    if r := summ.get("reference_vs_cudasim"):
        lines.append(f"numpy reference vs numba CUDA simulator: reference {r['geomean']:.0f}x "
                     f"faster, geomean over {r['kernels']} kernels (range {r['min']:.0f}x-"
                     f"{r['max']:.0f}x; goal 100x)")
    if r := summ.get("cuda_vs_triton"):
        lines.append(f"native CUDA vs the Triton translation: CUDA {r['geomean']:.2f}x faster "
                     f"(geomean, {r['kernels']} kernels)")
    for impl, r in summ.get("vs_llvm", {}).items():
        lines.append(f"{impl} takes {r['geomean']:.2f}x the time of llvm (geomean over "
                     f"{r['kernels']} kernels at the same size; above 1, llvm is faster)")
    return lines


def _fmt_ms(s: float | None) -> str:
    return "" if s is None else f"{s * 1e3:.3f}"


def _cells(r: dict) -> list[str]:
    if r.get("status") != "ok":
        return [r.get("status", "?").upper(), "", "", "", "", "", (r.get("error") or "")[:70]]
    return [_fmt_ms(r["median_s"]), _fmt_ms(r["min_s"]), f"{r['iqr_spread'] * 100:.1f}%",
            str(r["reps"]), f"{r.get('gbps', 0):.2f}", f"{r.get('gflops', 0):.2f}", r["stop"]]


HEAD = ["median ms", "min ms", "IQR", "reps", "GB/s", "GFLOP/s", "stop"]


def multi_machine(report: dict) -> bool:
    return len(report.get("machines", {})) > 1


def print_table(report: dict, console) -> None:
    """The rich terminal table, absent peers and headline ratios."""
    from rich.table import Table

    multi = multi_machine(report)
    table = Table(title=f"portable bench (size={report['plan']['size']})")
    cols = (["machine"] if multi else []) + ["kernel", "impl", "size"] + HEAD
    for c in cols:
        table.add_column(c, justify="left" if c in ("machine", "kernel", "impl", "size", "stop")
                         else "right")
    for r in report["rows"]:
        cells = _cells(r)
        if r.get("status") != "ok":
            colour = "red" if r.get("status") in ("fail", "error") else "yellow"
            cells[0] = f"[{colour}]{cells[0]}[/]"
        table.add_row(*(([r["machine"]] if multi else []) + [r["kernel"], r["impl"], r["size"]]
                        + cells))
    console.print(table)
    for mid, m in report["machines"].items():
        for name, st in m.get("peers", {}).items():
            if st["status"] == "absent":
                console.print(f"[yellow]peer {name} absent on {mid}:[/] {st['reason']}",
                              highlight=False)
        if rl := m.get("roofline"):
            console.print(f"{mid}: triad {rl['triad_gbps']} GB/s ({rl['triad_source']}), peak "
                          f"{rl['peak_gflops_fp32']} GFLOP/s fp32, {rl['peak_gflops_fp64']} fp64",
                          highlight=False)
    for line in headline_lines(report.get("summary") or summary(report["rows"])):
        console.print(line, highlight=False)


def to_json(report: dict) -> str:
    return json.dumps(report, indent=1, default=str)


def to_csv(report: dict) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=CSV_FIELDS, extrasaction="ignore")
    w.writeheader()
    for r in report["rows"]:
        w.writerow(r)
    return buf.getvalue()


def _machine_md(mid: str, m: dict) -> list[str]:
    c, v = m.get("cpu", {}), m.get("versions", {})
    lines = [f"### Machine `{mid}`", "",
             f"- CPU: {c.get('model')} ({c.get('arch')}), {c.get('usable_cores')} usable cores "
             f"({c.get('physical_cores')} physical); SIMD: {', '.join(c.get('simd', []))}",
             f"- memory: {m.get('memory', {}).get('total_gib')} GiB; OS: {m.get('os')}"]
    for g in m.get("gpus", []):
        lines.append(f"- {g['api']} device: {g['name']} (driver {g.get('driver')})")
    ld, le = m.get("load", {}), m.get("load_end", {})
    if ld:
        lines.append(f"- load average at start {ld.get('loadavg_1m')} / end "
                     f"{le.get('loadavg_1m', '?')} (1 min) on {c.get('usable_cores')} cores")
    vs = ", ".join(f"{k} {val}" for k, val in v.items() if val)
    lines.append(f"- versions: {vs}")
    if comp := m.get("compilers"):
        lines.append("- compilers: " + "; ".join(f"{k}: {val}" for k, val in comp.items()))
    if g := m.get("git"):
        lines.append(f"- portable commit {g.get('commit', '')[:12]}"
                     f"{' (with local changes)' if g.get('dirty') else ''}")
    if rl := m.get("roofline"):
        lines.append(f"- roofline: STREAM triad {rl['triad_gbps']} GB/s ({rl['triad_source']});"
                     f" peak {rl['peak_gflops_fp32']} GFLOP/s fp32 / {rl['peak_gflops_fp64']} "
                     f"fp64 ({rl['peak_source']})")
    for b, d in m.get("backends", {}).items():
        lines.append(f"- backend `{b}`: {d}")
    for name, st in m.get("peers", {}).items():
        what = st["description"] if st["status"] == "present" else f"absent: {st['reason']}"
        lines.append(f"- peer `{name}`: {what}")
    return lines + [""]


def to_markdown(report: dict, notes: list[str] | None = None) -> str:
    """The report as a markdown document: headline, method, machines, then the table."""
    summ = report.get("summary") or summary(report["rows"])
    out = ["# portable bench", ""]
    for n in notes or []:  # one paragraph each
        out += [n, ""]
    out += ["## Headline", ""] + [f"- {ln}" for ln in headline_lines(summ)] + [""]
    m = report["method"]
    out += ["## Method", "",
            f"Inputs from one seeded generator (seed {report['plan']['seed']}), identical for "
            "every implementation (`input_sha`); each implementation's first call is checked "
            "against the kernel's reference and is not timed; then "
            f"{m['warmup']} warm-up call(s) and timed repetitions (written buffers restored "
            f"between them, untimed) until the 95% confidence interval of the median is within "
            f"+-{m['rel_ci'] * 100:.0f}% (at least {m['min_reps']} repetitions), or "
            f"{m['budget_s']} s, or {m['max_reps']} repetitions. Times are wall-clock per launch "
            "list, Python launch overhead included; GB/s and GFLOP/s use the kernel's own byte "
            "and flop counts over the median.", ""]
    out += ["## Machines", ""]
    for mid, mach in report["machines"].items():
        out += _machine_md(mid, mach)
    multi = multi_machine(report)
    cols = (["machine"] if multi else []) + ["kernel", "impl", "size"] + HEAD
    out += ["## Results", "", "| " + " | ".join(cols) + " |",
            "|" + "|".join("---" if c in ("machine", "kernel", "impl", "size", "stop") else "---:"
                           for c in cols) + "|"]
    for r in report["rows"]:
        cells = ([r["machine"]] if multi else []) + [r["kernel"], r["impl"], r["size"]]
        cells += [c.replace("|", "/") for c in _cells(r)]
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out) + "\n"
