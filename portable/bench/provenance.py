"""Where and with what a benchmark ran: CPU model and flags, cores, memory, GPUs and drivers,
the versions of every library and compiler involved, the git commit, and the machine's load
(the recorded runs share their machine, so the load average is part of the result)."""

from __future__ import annotations

import datetime as _dt
import importlib.metadata as _md
import os
import platform
import shutil
import socket
import subprocess
from pathlib import Path

# distributions whose versions shape the numbers
PACKAGES = ("portable", "numpy", "llvmlite", "numba", "triton", "pyopencl",
            "pocl-binary-distribution", "pycuda", "matplotlib", "dask", "distributed", "rich")
COMPILERS = {"gcc": ["gcc", "--version"], "clang": ["clang", "--version"],
             "nvcc": ["nvcc", "--version"], "hipcc": ["hipcc", "--version"],
             "icpx": ["icpx", "--version"]}
# flags that decide which vector code a compiler may emit
SIMD_FLAGS = ("sse4_2", "avx", "avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512_bf16",
              "avx512_fp16", "amx_tile", "neon", "asimd", "sve")


def _run(cmd: list[str], timeout: float = 10.0) -> str | None:
    if shutil.which(cmd[0]) is None:
        return None
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def cpu() -> dict:
    """CPU model, flags and core counts, from /proc/cpuinfo and lscpu where present."""
    info: dict = {"model": platform.processor() or platform.machine(), "arch": platform.machine(),
                  "logical_cores": os.cpu_count()}
    try:
        info["usable_cores"] = len(os.sched_getaffinity(0))
    except AttributeError:
        info["usable_cores"] = os.cpu_count()
    flags: list[str] = []
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        text = ""
    for line in text.splitlines():
        key, _, val = line.partition(":")
        key = key.strip()
        if key in ("model name", "Model") and "model" not in info.get("_seen", ()):
            info["model"] = val.strip()
            info["_seen"] = ("model",)
        elif key in ("flags", "Features") and not flags:
            flags = val.split()
    info.pop("_seen", None)
    lscpu = _run(["lscpu"])
    if lscpu:
        fields = dict(ln.split(":", 1) for ln in lscpu.splitlines() if ":" in ln)
        fields = {k.strip(): v.strip() for k, v in fields.items()}
        for src, dst in (("Thread(s) per core", "threads_per_core"), ("Socket(s)", "sockets"),
                         ("Core(s) per socket", "cores_per_socket"),
                         ("CPU max MHz", "max_mhz"), ("L2 cache", "l2"), ("L3 cache", "l3"),
                         ("Hypervisor vendor", "hypervisor"), ("NUMA node(s)", "numa_nodes")):
            if src in fields:
                info[dst] = fields[src]
    try:
        import psutil

        info["physical_cores"] = psutil.cpu_count(logical=False)
    except ImportError:
        pass
    info["simd"] = [f for f in SIMD_FLAGS if f in flags]
    info["flags"] = flags
    return info


def memory() -> dict:
    """Total and available memory in GiB."""
    out: dict = {}
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            key, _, val = line.partition(":")
            if key in ("MemTotal", "MemAvailable"):
                out[key.lower().replace("mem", "") + "_gib"] = round(int(val.split()[0]) / 2**20, 2)
    except (OSError, ValueError):
        pass
    return out


def gpus() -> list[dict]:
    """NVIDIA GPUs (nvidia-smi) and every OpenCL device (pyopencl), with drivers."""
    found: list[dict] = []
    smi = _run(["nvidia-smi", "--query-gpu=name,driver_version,memory.total",
                "--format=csv,noheader"])
    for line in (smi or "").splitlines():
        name, driver, mem = (s.strip() for s in line.split(",")[:3])
        found.append({"api": "cuda", "name": name, "driver": driver, "memory": mem})
    try:
        import pyopencl as cl

        for plat in cl.get_platforms():
            for dev in plat.get_devices():
                found.append({"api": "opencl", "platform": plat.name, "name": dev.name.strip(),
                              "type": cl.device_type.to_string(dev.type),
                              "driver": dev.driver_version, "version": dev.version})
    except Exception:  # noqa: BLE001 - no OpenCL runtime is not an error for provenance
        pass
    return found


def versions() -> dict:
    """Installed versions of the packages that shape the numbers (None: not installed)."""
    out: dict = {}
    for name in PACKAGES:
        try:
            out[name] = _md.version(name)
        except _md.PackageNotFoundError:
            out[name] = None
    try:
        import llvmlite.binding as llvm

        out["llvm"] = ".".join(map(str, llvm.llvm_version_info))
    except Exception:  # noqa: BLE001
        pass
    out["python"] = platform.python_version()
    return out


def compilers() -> dict:
    """First line of each installed compiler's --version."""
    out = {}
    for name, cmd in COMPILERS.items():
        text = _run(cmd)
        if text:
            lines = [ln for ln in text.splitlines() if ln.strip()]
            # nvcc's first line is its name; the version sits on the "release" line
            out[name] = next((ln for ln in lines if "release" in ln), lines[0] if lines else "")
    return out


def git() -> dict:
    """The commit of the portable checkout and whether it had local changes."""
    root = Path(__file__).resolve().parents[2]
    sha = _run(["git", "-C", str(root), "rev-parse", "HEAD"])
    if sha is None:
        return {}
    dirty = _run(["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"])
    return {"commit": sha, "dirty": bool(dirty)}


def load() -> dict:
    """Load average and running processes: how shared the machine was."""
    try:
        la = os.getloadavg()
    except OSError:
        return {}
    return {"loadavg_1m": round(la[0], 2), "loadavg_5m": round(la[1], 2),
            "loadavg_15m": round(la[2], 2)}


def environment() -> dict:
    """Environment variables that change how kernels run."""
    keys = [k for k in os.environ if k.startswith(("PORTABLE_", "NUMBA_", "POCL_", "OMP_",
                                                   "TRITON_", "CUDA_VISIBLE"))]
    return {k: os.environ[k] for k in sorted(keys)}


def machine_id() -> str:
    """A short name for the machine: its host name."""
    return socket.gethostname()


def collect() -> dict:
    """Everything above, in one dictionary for the JSON report."""
    return {
        "machine": machine_id(), "hostname": socket.gethostname(),
        "time": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "os": platform.platform(), "cpu": cpu(), "memory": memory(), "gpus": gpus(),
        "versions": versions(), "compilers": compilers(), "git": git(), "load": load(),
        "env": environment(),
    }
