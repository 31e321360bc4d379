"""The objects behind `cuda.grid`, `cuda.threadIdx`, `cuda.atomic.add` ... in `portable.cuda`.

They only mean something inside a kernel, where the frontend recognises them by identity and
lowers them (see `intrinsics.py`); called from host code they raise a PortError.
"""

from __future__ import annotations

from portable.errors import error


class Intrinsic:
    """A device-only function of the cuda namespace; `name` keys its lowering rule."""

    def __init__(self, name: str, doc: str = "") -> None:
        self.name = name
        self.__doc__ = doc or f"cuda.{name} (device code only)"

    def __call__(self, *args, **kwargs):
        raise error("PORT1014", f"cuda.{self.name} can only be used inside a @cuda.jit kernel",
                    hint="call it from a function decorated with @cuda.jit")

    def __repr__(self) -> str:
        return f"<portable.cuda.{self.name}>"


class SpecialReg:
    """cuda.threadIdx / blockIdx / blockDim / gridDim: `.x`, `.y` and `.z` inside a kernel."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __getattr__(self, attr: str):
        raise error("PORT1014", f"cuda.{self.name}.{attr} can only be read inside a @cuda.jit "
                    "kernel", hint="read it in a function decorated with @cuda.jit")

    def __repr__(self) -> str:
        return f"<portable.cuda.{self.name}>"


class Namespace:
    """cuda.atomic, cuda.shared, cuda.local, cuda.const, cuda.cg: a group of intrinsics."""

    def __init__(self, prefix: str, names: list[str]) -> None:
        self._prefix = prefix
        for n in names:
            setattr(self, n, Intrinsic(f"{prefix}.{n}"))

    def __repr__(self) -> str:
        return f"<portable.cuda.{self._prefix}>"


FUNCTIONS = [
    "grid", "gridsize", "syncthreads", "syncthreads_count", "syncthreads_and", "syncthreads_or",
    "syncwarp", "threadfence", "threadfence_block", "threadfence_system", "shfl_sync",
    "shfl_up_sync", "shfl_down_sync", "shfl_xor_sync", "all_sync", "any_sync", "ballot_sync",
    "activemask", "lanemask_lt", "popc", "clz", "ffs", "brev", "fma", "selp", "cbrt",
    "eq_sync", "match_any_sync", "match_all_sync", "nanosleep",
]
ATOMICS = ["add", "sub", "max", "min", "nanmax", "nanmin", "exch", "inc", "dec", "and_", "or_",
           "xor", "cas", "compare_and_swap"]

threadIdx = SpecialReg("threadIdx")
blockIdx = SpecialReg("blockIdx")
blockDim = SpecialReg("blockDim")
gridDim = SpecialReg("gridDim")
warpsize = SpecialReg("warpsize")
laneid = SpecialReg("laneid")
atomic = Namespace("atomic", ATOMICS)
shared = Namespace("shared", ["array"])
local = Namespace("local", ["array"])
const = Namespace("const", ["array_like"])
cg = Namespace("cg", ["this_grid"])
INTRINSICS = {n: Intrinsic(n) for n in FUNCTIONS}
