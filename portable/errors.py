"""Diagnostics: one table of stable codes, `Diagnostic` records and `PortError`.

Every user-facing failure is a `PortError` carrying one or more diagnostics; each names
`file:line:col` (or the argument) and says what to do instead. Codes are stable: add new
ones at the end of their range, never renumber.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Loc:
    """A source location; line and col are 1-based, 0 when unknown."""

    file: str = "<unknown>"
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


NOLOC = Loc()

# code -> (severity, title). Ranges: 0xxx parse/frontend, 1xxx unsupported constructs,
# 2xxx types and IR, 3xxx analyses, 4xxx launch and arguments, 5xxx runtime, 6xxx backends,
# 7xxx portability lint, 8xxx sanitizer.
CODES: dict[str, tuple[str, str]] = {
    "PORT0001": ("error", "syntax error reported by the C++ parser"),
    "PORT0002": ("error", "no __global__ kernel found"),
    "PORT0003": ("error", "unknown kernel name"),
    "PORT0004": ("error", "Python source not available or not parseable"),
    "PORT0005": ("note", "host code skipped"),
    "PORT1001": ("error", "unsupported statement"),
    "PORT1002": ("error", "unsupported expression"),
    "PORT1003": ("error", "unsupported type"),
    "PORT1004": ("error", "call to an unknown function"),
    "PORT1005": ("error", "recursion is not supported"),
    "PORT1006": ("error", "goto is not supported"),
    "PORT1007": ("error", "side effect in a conditionally evaluated operand"),
    "PORT1008": ("error", "texture or surface object"),
    "PORT1009": ("error", "dynamic parallelism"),
    "PORT1010": ("error", "cooperative groups grid synchronisation"),
    "PORT1011": ("error", "inline PTX assembly"),
    "PORT1012": ("error", "half precision type"),
    "PORT1013": ("error", "unsupported pointer operation"),
    "PORT1014": ("error", "unsupported Python construct"),
    "PORT1015": ("warning", "printf in a kernel"),
    "PORT2001": ("error", "type mismatch"),
    "PORT2002": ("error", "IR verification failed"),
    "PORT2003": ("error", "use of an undefined variable"),
    "PORT2004": ("error", "assignment to a read-only value"),
    "PORT3001": ("error", "__syncthreads under thread-divergent control flow"),
    "PORT3002": ("warning", "warp operation under divergent control flow"),
    "PORT4001": ("error", "wrong number of kernel arguments"),
    "PORT4002": ("error", "array dtype does not match the pointer type"),
    "PORT4003": ("error", "array is not C-contiguous"),
    "PORT4004": ("error", "read-only array passed for a written pointer"),
    "PORT4005": ("error", "scalar does not fit its C type"),
    "PORT4006": ("error", "launch dimensions outside CUDA's limits"),
    "PORT4007": ("error", "unknown or unavailable backend"),
    "PORT4008": ("error", "argument of the wrong kind"),
    "PORT4009": ("error", "shared memory request too large"),
    "PORT4010": ("error", "unknown module global"),
    "PORT4011": ("error", "benchmark results file unreadable or not a portable bench report"),
    "PORT4012": ("error", "malformed benchmark kernel specification (--arg, --grid, --spec)"),
    "PORT4013": ("error", "cannot use the benchmark cluster scheduler"),
    "PORT5001": ("error", "out-of-bounds memory access"),
    "PORT5002": ("error", "barrier not reached by every thread of a block"),
    "PORT5003": ("error", "loop did not terminate within the iteration limit"),
    "PORT6001": ("error", "backend compile failure"),
    "PORT6002": ("error", "construct not supported by this backend"),
    # 61xx: C-family targets (backends/cfamily): constructs a dialect emulates
    "PORT6101": ("note", "atomic emulated with a compare-and-swap loop"),
    "PORT6102": ("note", "warp operation emulated through local memory"),
    "PORT6103": ("note", "32-lane warp vote on a 64-lane wavefront"),
    "PORT6104": ("note", "module variable passed as a kernel argument"),
    "PORT6105": ("note", "3-element vectors in memory kept packed as CUDA lays them out"),
    # 7xxx: warp-width portability lint (portable.lint); warnings: the kernel still translates
    "PORT7001": ("warning", "thread-index arithmetic assumes 32-lane warps"),
    "PORT7002": ("warning", "full warp mask written as the 32-bit literal 0xffffffff"),
    "PORT7003": ("warning", "ballot or active mask kept in a 32-bit integer"),
    "PORT7004": ("warning", "whole-warp shuffle with lane offsets computed for 32 lanes"),
    "PORT7005": ("warning", "thread index compared with a literal warp size"),
    # 8xxx: the sanitizer (numpy reference with sanitize=True, portable.sanitize)
    "PORT8001": ("error", "shared-memory data race between barriers"),
    "PORT8002": ("error", "global-memory data race"),
    "PORT8003": ("error", "read of uninitialised shared memory"),
    "PORT8004": ("error", "out-of-bounds or invalid memory access"),
    "PORT8005": ("error", "__syncthreads not reached by every thread of the block"),
    "PORT8006": ("error", "warp operation by a lane that is not in its mask"),
    "PORT8007": ("error", "warp operation mask names a lane that does not take part"),
    # appended later (kept out of their range's block so no other line moves)
    "PORT0006": ("warning", "header not found; treated as empty"),
}


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One finding: stable code, severity, location, message and a hint on what to do instead."""

    code: str
    message: str
    loc: Loc = NOLOC
    hint: str = ""
    severity: str = field(default="")

    def __post_init__(self) -> None:
        if self.code not in CODES:
            raise KeyError(f"unknown diagnostic code {self.code}")
        if not self.severity:
            object.__setattr__(self, "severity", CODES[self.code][0])

    def __str__(self) -> str:
        where = f"{self.loc}: " if self.loc != NOLOC else ""
        hint = f"\n  hint: {self.hint}" if self.hint else ""
        return f"{where}{self.severity}: {self.message} [{self.code}]{hint}"

    def as_dict(self) -> dict:
        return {
            "code": self.code, "severity": self.severity, "message": self.message,
            "file": self.loc.file, "line": self.loc.line, "col": self.loc.col, "hint": self.hint,
        }


class PortError(Exception):
    """Every user-facing failure of `portable`; `.diagnostics` holds the findings."""

    def __init__(self, diagnostics: Diagnostic | list[Diagnostic] | str, *, code: str = "",
                 loc: Loc = NOLOC, hint: str = "") -> None:
        if isinstance(diagnostics, str):
            diagnostics = Diagnostic(code or "PORT2002", diagnostics, loc, hint)
        if isinstance(diagnostics, Diagnostic):
            diagnostics = [diagnostics]
        self.diagnostics: list[Diagnostic] = list(diagnostics)
        super().__init__("\n".join(str(d) for d in self.diagnostics))

    @property
    def code(self) -> str:
        return self.diagnostics[0].code

    @property
    def loc(self) -> Loc:
        return self.diagnostics[0].loc


def error(code: str, message: str, loc: Loc = NOLOC, hint: str = "") -> PortError:
    """Shorthand: `raise error("PORT1001", "...", loc, "write ... instead")`."""
    return PortError(Diagnostic(code, message, loc, hint))
