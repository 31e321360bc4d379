"""Every environment switch `portable` reads, in one place."""

from __future__ import annotations

import os
from pathlib import Path


def default_backend() -> str | None:
    """PORTABLE_BACKEND: the backend `k[grid, block](...)` uses; None means choose."""
    return os.environ.get("PORTABLE_BACKEND") or None


def cache_dir() -> Path:
    """PORTABLE_CACHE_DIR: where compiled kernels are cached on disk."""
    env = os.environ.get("PORTABLE_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "portable"


def num_threads() -> int:
    """PORTABLE_NUM_THREADS: worker threads for CPU backends (default: all cores)."""
    return int(os.environ.get("PORTABLE_NUM_THREADS") or os.cpu_count() or 1)


def checks() -> bool:
    """PORTABLE_CHECKS=1: bounds-check every memory access on the native CPU backends."""
    return os.environ.get("PORTABLE_CHECKS", "0") not in ("", "0", "false")
