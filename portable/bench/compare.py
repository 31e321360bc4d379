"""`portable bench compare A.json B.json`: two runs (two machines, two versions) side by side."""

from __future__ import annotations

import json
from pathlib import Path

from portable.bench.report import geomean
from portable.errors import error


def load(path: str | Path) -> dict:
    """A report written by `portable bench --json`, validated."""
    try:
        data = json.loads(Path(path).read_text())
    except OSError as e:
        raise error("PORT4011", f"cannot read benchmark results {path}: {e.strerror}",
                    hint="pass files written by `portable bench --json FILE`") from None
    except json.JSONDecodeError as e:
        raise error("PORT4011", f"{path}:{e.lineno}:{e.colno}: not JSON ({e.msg})",
                    hint="pass files written by `portable bench --json FILE`") from None
    if not isinstance(data, dict) or not str(data.get("schema", "")).startswith("portable-bench/"):
        raise error("PORT4011", f"{path} is not a portable bench report (no schema field)",
                    hint="pass files written by `portable bench --json FILE`")
    return data


def _index(report: dict) -> dict[tuple, dict]:
    multi = len(report.get("machines", {})) > 1
    out = {}
    for r in report["rows"]:
        if r.get("status") == "ok":
            key = (r["kernel"], r["impl"], r["size"]) + ((r["machine"],) if multi else ())
            out[key] = r
    return out


def compare(a: dict, b: dict) -> dict:
    """Rows present and ok in both, with speedup = time(A) / time(B) (> 1: B is faster), and
    the geomean speedup per implementation."""
    ia, ib = _index(a), _index(b)
    if any(len(k) == 4 for k in ia) != any(len(k) == 4 for k in ib):  # one side multi-machine
        ia = {k[:3]: v for k, v in ia.items()}
        ib = {k[:3]: v for k, v in ib.items()}
    rows = []
    for key in ia:
        if key in ib:
            ra, rb = ia[key], ib[key]
            rows.append({"kernel": key[0], "impl": key[1], "size": key[2],
                         "machine_a": ra["machine"], "machine_b": rb["machine"],
                         "median_a_s": ra["median_s"], "median_b_s": rb["median_s"],
                         "speedup": ra["median_s"] / rb["median_s"],
                         "same_inputs": ra.get("input_sha") == rb.get("input_sha")})
    per_impl = {}
    for impl in sorted({r["impl"] for r in rows}):
        s = [r["speedup"] for r in rows if r["impl"] == impl]
        per_impl[impl] = {"geomean": geomean(s), "kernels": len(s)}
    only_a = sorted("/".join(k[:3]) for k in set(ia) - set(ib))
    only_b = sorted("/".join(k[:3]) for k in set(ib) - set(ia))
    return {"rows": rows, "per_impl": per_impl,
            "overall": geomean([r["speedup"] for r in rows]) if rows else None,
            "only_a": only_a, "only_b": only_b,
            "a": {"machines": list(a.get("machines", {})), "created": a.get("created")},
            "b": {"machines": list(b.get("machines", {})), "created": b.get("created")}}


def to_markdown(cmp: dict, name_a: str, name_b: str) -> str:
    lines = [f"# portable bench compare: A = {name_a}, B = {name_b}", "",
             "speedup = time(A) / time(B): above 1, B is faster.", "",
             "| kernel | impl | size | A ms | B ms | speedup |", "|---|---|---|---:|---:|---:|"]
    for r in cmp["rows"]:
        lines.append(f"| {r['kernel']} | {r['impl']} | {r['size']} | "
                     f"{r['median_a_s'] * 1e3:.3f} | {r['median_b_s'] * 1e3:.3f} | "
                     f"{r['speedup']:.2f}x{'' if r['same_inputs'] else ' (inputs differ)'} |")
    lines += ["", "| impl | geomean speedup | kernels |", "|---|---:|---:|"]
    for impl, s in cmp["per_impl"].items():
        lines.append(f"| {impl} | {s['geomean']:.2f}x | {s['kernels']} |")
    return "\n".join(lines) + "\n"


def print_table(cmp: dict, console, name_a: str, name_b: str) -> None:
    from rich.table import Table

    t = Table(title=f"A = {name_a}  vs  B = {name_b}   (speedup = time A / time B)")
    for c in ("kernel", "impl", "size", "A ms", "B ms", "speedup"):
        t.add_column(c, justify="right" if c in ("A ms", "B ms", "speedup") else "left")
    for r in cmp["rows"]:
        colour = "green" if r["speedup"] > 1.05 else "red" if r["speedup"] < 0.95 else "white"
        t.add_row(r["kernel"], r["impl"], r["size"], f"{r['median_a_s'] * 1e3:.3f}",
                  f"{r['median_b_s'] * 1e3:.3f}", f"[{colour}]{r['speedup']:.2f}x[/]"
                  + ("" if r["same_inputs"] else " [yellow](inputs differ)[/]"))
    console.print(t)
    for impl, s in cmp["per_impl"].items():
        console.print(f"{impl}: geomean speedup {s['geomean']:.2f}x over {s['kernels']} kernels",
                      highlight=False)
    if cmp["only_a"] or cmp["only_b"]:
        console.print(f"only in A: {len(cmp['only_a'])} rows; only in B: {len(cmp['only_b'])}",
                      highlight=False)
