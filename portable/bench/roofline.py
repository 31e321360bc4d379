"""The roofline plot: each kernel x implementation as a point (arithmetic intensity, achieved
GFLOP/s) under this machine's measured ceilings (STREAM triad bandwidth, GEMM peak)."""

from __future__ import annotations

from pathlib import Path

from portable.errors import error

MARKERS = "osD^v<>Pp*hX"


def plot(report: dict, path: str | Path) -> list[Path]:
    """Write the roofline of `report` as PNG and SVG next to `path` (its suffix is replaced);
    returns the files written. One panel per machine."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as e:
        raise error("PORT4007", f"matplotlib is not installed ({e})",
                    hint="pip install 'portable[bench]'") from None
    machines = list(report["machines"])
    fig, axes = plt.subplots(1, len(machines), figsize=(8.5 * len(machines), 6.5), squeeze=False)
    for ax, mid in zip(axes[0], machines, strict=True):
        _panel(ax, report, mid)
    fig.tight_layout()
    base = Path(path)
    base = base.with_suffix("") if base.suffix in (".png", ".svg") else base
    base.parent.mkdir(parents=True, exist_ok=True)
    out = [base.with_suffix(".png"), base.with_suffix(".svg")]
    fig.savefig(out[0], dpi=130)
    fig.savefig(out[1])
    plt.close(fig)
    return out


def _panel(ax, report: dict, mid: str) -> None:
    rows = [r for r in report["rows"] if r["machine"] == mid and r.get("status") == "ok"
            and r.get("flops", 0) > 0 and r.get("bytes", 0) > 0]
    # the run's main size only: small-size oracle rows (reference, interpreter, simulator)
    # measure Python overhead, not the machine
    main = [r for r in rows if r["size"] == report["plan"]["size"]]
    rows = main or rows
    rl = report["machines"][mid].get("roofline") or {}
    impls = sorted({r["impl"] for r in rows})
    cmap = __import__("matplotlib").colormaps["tab10"]
    xs = [r["flops"] / r["bytes"] for r in rows] or [0.1, 10]
    lo, hi = min(xs) / 2, max(xs) * 2
    if rl.get("triad_gbps") and rl.get("peak_gflops_fp32"):
        import numpy as np

        bw, peak = rl["triad_gbps"], rl["peak_gflops_fp32"]
        ai = np.geomspace(min(lo, peak / bw / 10), max(hi, peak / bw * 10), 200)
        ax.plot(ai, np.minimum(peak, ai * bw), "k-", lw=2,
                label=f"roof: triad {bw:g} GB/s, GEMM fp32 {peak:g} GFLOP/s")
        if rl.get("peak_gflops_fp64"):
            ax.plot(ai, np.minimum(rl["peak_gflops_fp64"], ai * bw), "k--", lw=1,
                    label=f"GEMM fp64 {rl['peak_gflops_fp64']:g} GFLOP/s")
    for i, impl in enumerate(impls):
        pts = [r for r in rows if r["impl"] == impl]
        ax.scatter([r["flops"] / r["bytes"] for r in pts], [r["gflops"] for r in pts],
                   color=cmap(i % 10), marker=MARKERS[i % len(MARKERS)], s=36, alpha=0.85,
                   label=impl, edgecolors="none")
    for r in rows:  # label each kernel once, at its best implementation
        if r["gflops"] == max(q["gflops"] for q in rows if q["kernel"] == r["kernel"]):
            ax.annotate(r["kernel"], (r["flops"] / r["bytes"], r["gflops"]), fontsize=5.5,
                        xytext=(3, 2), textcoords="offset points", alpha=0.7)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("arithmetic intensity (flop / byte, the kernel's own counts)")
    ax.set_ylabel("achieved GFLOP/s (median time)")
    cpu = report["machines"][mid].get("cpu", {})
    ax.set_title(f"{mid}: {cpu.get('model', '')}, {cpu.get('usable_cores', '?')} cores; size "
                 f"{report['plan']['size']}",
                 fontsize=10)
    ax.grid(True, which="both", alpha=0.25)
    ax.legend(fontsize=7, loc="lower right")
