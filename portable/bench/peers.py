"""The peers `portable bench` times beside the backends: hand-written C/OpenMP, numpy-vectorised
code, numba `@njit(parallel=True)` code and numba's CUDA simulator. Their code lives in
benchmarks/peers/ of the repository (not in the installed package): a checkout without that
folder, or a machine without a peer's compiler or library, reports the peer absent.

A peer adapter gives `why_unavailable()`, `supports(spec)` and either `runner(spec, params)`
(an in-process callable on the kernel's argument dictionary, timed by the same method as the
backends) or `bench(...)` (out of process, for the simulator).
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import sys
import types
from collections.abc import Callable
from functools import cache
from pathlib import Path

PEERS_DIR = Path(__file__).resolve().parents[2] / "benchmarks" / "peers"
_PKG = "portable_bench_peers"


@cache
def load(stem: str):
    """The module benchmarks/peers/<stem>.py, imported as a submodule of a private package (so
    relative imports between peer files work); an exception when it cannot be imported."""
    if _PKG not in sys.modules:
        pkg = types.ModuleType(_PKG)
        pkg.__path__ = [str(PEERS_DIR)]
        sys.modules[_PKG] = pkg
    if not (PEERS_DIR / f"{stem}.py").exists():
        raise ImportError(f"{PEERS_DIR / stem}.py not found (benchmarks/ ships with the "
                          "repository, not the package)")
    return importlib.import_module(f"{_PKG}.{stem}")


class Peer:
    """A peer whose module has `available()` and a `KERNELS` dict of in-place functions."""

    kind = "peer"
    out_of_process = False

    def __init__(self, name: str, stem: str, description: str) -> None:
        self.name, self.stem, self.description = name, stem, description

    def module(self):
        return load(self.stem)

    def why_unavailable(self) -> str | None:
        """None when the peer can run here, else why not."""
        try:
            mod = self.module()
            return mod.available()
        except Exception as e:  # noqa: BLE001 - any failure makes the peer absent
            return f"{type(e).__name__}: {e}"

    def kernels(self) -> list[str]:
        return list(self.module().KERNELS)

    def supports(self, spec) -> bool:
        return spec.name in self.kernels()

    def runner(self, spec, size: str, params: dict) -> Callable[[dict], None]:
        """A callable that runs the peer's version of `spec` on an argument dictionary."""
        fn = self.module().KERNELS[spec.name]
        return lambda args: fn(args, **params)


class HandC(Peer):
    """The hand-written C/OpenMP peer of the llvm work (benchmarks/peers/handc.py):
    `available()`, `kernels()`, `run(name, inputs, size)` and `triad(n)`."""

    def kernels(self) -> list[str]:
        return list(self.module().kernels())

    def runner(self, spec, size: str, params: dict) -> Callable[[dict], None]:
        mod = self.module()
        names = list(inspect.signature(mod.run).parameters)
        # The third argument is the size: its label ("small"/"large") or its parameter dict.
        arg = params if len(names) >= 3 and names[2] in ("params", "sizes", "kw") else size
        return lambda args: mod.run(spec.name, args, arg)


class CudaSim(Peer):
    """numba's CUDA simulator, one child process per kernel (benchmarks/peers/cudasim.py)."""

    out_of_process = True

    def supports(self, spec) -> bool:
        return self.module().supports(spec)

    def bench(self, spec, size: str, seed: int, method: dict) -> dict:
        return self.module().bench(spec.name, size, seed, method)


PEERS: dict[str, Peer] = {
    p.name: p for p in (
        HandC("handc", "handc", "hand-written C/OpenMP, gcc -O3 -march=native -fopenmp"),
        Peer("numpy-vec", "numpy_vec", "numpy vectorised (one core; BLAS for matmul/gemv)"),
        Peer("numba-par", "numba_par", "numba @njit(parallel=True)"),
        CudaSim("numba-cudasim", "cudasim", "numba's CUDA simulator (small size only)"),
    )
}


def get(name: str) -> Peer:
    from portable.errors import error

    if name not in PEERS:
        raise error("PORT4007", f"unknown peer {name!r}", hint=f"peers: {', '.join(PEERS)}")
    return PEERS[name]


def status() -> dict[str, dict]:
    """Every peer: present (with the kernels it covers) or absent (with the reason)."""
    out = {}
    for name, peer in PEERS.items():
        why = peer.why_unavailable()
        if why is not None:
            out[name] = {"status": "absent", "reason": why, "description": peer.description}
        else:
            kernels = peer.kernels() if not peer.out_of_process else None
            out[name] = {"status": "present", "description": peer.description}
            if kernels is not None:
                out[name]["kernels"] = kernels
    return out


def triad() -> tuple[float, str] | None:
    """This machine's STREAM triad GB/s and how it was measured: the hand-written C peer's when
    present, else numba's parallel loop; None when neither can run."""
    for peer, label in (("handc", "hand-written C/OpenMP STREAM triad"),
                        ("numba-par", "numba parallel STREAM triad")):
        p = PEERS[peer]
        if p.why_unavailable() is None and hasattr(p.module(), "triad"):
            try:
                return float(p.module().triad(1 << 25)), label
            except TypeError:
                return float(p.module().triad()), label
            except Exception:  # noqa: BLE001 - try the next source
                continue
    return None


def module_available(name: str) -> bool:
    return importlib.util.find_spec(name) is not None
