"""A small generic compile cache: in memory, and on disk under PORTABLE_CACHE_DIR.

Entries are bytes keyed by a hex digest (`key(...)` hashes whatever identifies a compilation:
IR text, options, tool versions, CPU). Disk writes are atomic (write a temporary file in the same
directory, then `os.replace`), so concurrent processes never see a torn entry; a corrupt or
unreadable cache is treated as a miss, never as an error.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
from pathlib import Path

from portable import config


def key(*parts: object) -> str:
    """A stable hex digest of `parts` (strings, bytes, numbers, tuples of those)."""
    h = hashlib.sha256()
    for p in parts:
        data = p if isinstance(p, bytes) else repr(p).encode()
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


class Cache:
    """A namespace of cached blobs: `get(key)` -> bytes | None, `put(key, data)`."""

    def __init__(self, namespace: str, disk: bool = True) -> None:
        self.namespace = namespace
        self.disk = disk
        self._mem: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def path(self, k: str) -> Path:
        return config.cache_dir() / self.namespace / k[:2] / k

    def get(self, k: str) -> bytes | None:
        with self._lock:
            if k in self._mem:
                return self._mem[k]
        if not self.disk:
            return None
        try:
            data = self.path(k).read_bytes()
        except OSError:
            return None
        with self._lock:
            self._mem[k] = data
        return data

    def put(self, k: str, data: bytes) -> None:
        with self._lock:
            self._mem[k] = data
        if not self.disk:
            return
        p = self.path(k)
        try:
            p.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=p.parent, prefix=".tmp-")
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(data)
                os.replace(tmp, p)
            except BaseException:
                os.unlink(tmp)
                raise
        except OSError:
            pass  # a read-only or full disk only costs a recompile

    def clear_memory(self) -> None:
        """Forget the in-memory entries (the disk copies stay); for measuring warm starts."""
        with self._lock:
            self._mem.clear()
