"""libclang setup: the translation unit, clang's diagnostics, and ctypes shims for what the
Python bindings of libclang 18 do not expose (operator kinds, constant evaluation).
"""

from __future__ import annotations

import ctypes
import os
import re
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from portable.errors import Loc, error

HERE = Path(__file__).parent
INCLUDE = HERE / "include"
PRELUDE = INCLUDE / "__portable_prelude.h"


@cache
def cindex():
    """The clang.cindex module with our extra prototypes registered (imported on first use)."""
    try:
        import clang.cindex as ci
    except ImportError as e:  # pragma: no cover - libclang is a core dependency
        raise error("PORT0001", f"libclang is not installed ({e})",
                    hint="pip install libclang==18.1.1") from None
    lib = ci.conf.lib
    cur = ci.Cursor
    for name, argtypes, restype in (
        ("clang_getCursorBinaryOperatorKind", [cur], ctypes.c_int),
        ("clang_getCursorUnaryOperatorKind", [cur], ctypes.c_int),
        ("clang_getBinaryOperatorKindSpelling", [ctypes.c_int], ci._CXString),
        ("clang_getUnaryOperatorKindSpelling", [ctypes.c_int], ci._CXString),
        ("clang_Cursor_Evaluate", [cur], ctypes.c_void_p),
        ("clang_EvalResult_getKind", [ctypes.c_void_p], ctypes.c_int),
        ("clang_EvalResult_getAsLongLong", [ctypes.c_void_p], ctypes.c_longlong),
        ("clang_EvalResult_getAsUnsigned", [ctypes.c_void_p], ctypes.c_ulonglong),
        ("clang_EvalResult_isUnsignedInt", [ctypes.c_void_p], ctypes.c_uint),
        ("clang_EvalResult_getAsDouble", [ctypes.c_void_p], ctypes.c_double),
        ("clang_EvalResult_dispose", [ctypes.c_void_p], None),
    ):
        fn = getattr(lib, name)
        fn.argtypes = argtypes
        fn.restype = restype
    init = lib.clang_Cursor_getVarDeclInitializer
    init.argtypes = [cur]
    init.restype = cur
    init.errcheck = cur.from_result
    return ci


def var_init(c):
    """The initializer expression of a VAR_DECL cursor, or None."""
    return cindex().conf.lib.clang_Cursor_getVarDeclInitializer(c)


def _spelling(fn, kind: int) -> str:
    s = fn(kind)
    r = cindex().conf.lib.clang_getCString(s)
    return r.decode() if isinstance(r, bytes) else r


def binary_op(c) -> str:
    """The operator of a BINARY_OPERATOR / COMPOUND_ASSIGNMENT_OPERATOR cursor: '+', '+=' ..."""
    lib = cindex().conf.lib
    return _spelling(lib.clang_getBinaryOperatorKindSpelling,
                     lib.clang_getCursorBinaryOperatorKind(c))


_UNARY = {1: "post++", 2: "post--", 3: "pre++", 4: "pre--", 5: "&", 6: "*", 7: "+", 8: "-",
          9: "~", 10: "!", 11: "__real", 12: "__imag", 13: "__extension__", 14: "co_await"}


def unary_op(c) -> str:
    """The operator of a UNARY_OPERATOR cursor: 'post++', 'pre--', '&', '*', '-', '~', '!' ..."""
    return _UNARY.get(cindex().conf.lib.clang_getCursorUnaryOperatorKind(c), "?")


def evaluate(c) -> int | float | None:
    """clang's constant evaluation of an expression cursor; None when not a constant."""
    lib = cindex().conf.lib
    r = lib.clang_Cursor_Evaluate(c)
    if not r:
        return None
    try:
        kind = lib.clang_EvalResult_getKind(r)
        if kind == 1:  # CXEval_Int
            if lib.clang_EvalResult_isUnsignedInt(r):
                return int(lib.clang_EvalResult_getAsUnsigned(r))
            return int(lib.clang_EvalResult_getAsLongLong(r))
        if kind == 2:  # CXEval_Float
            return float(lib.clang_EvalResult_getAsDouble(r))
        return None
    finally:
        lib.clang_EvalResult_dispose(r)


@cache
def _empty_cuda_path() -> str:
    return tempfile.mkdtemp(prefix="portable-cuda-path-")


def args(defines: dict | None, include_dirs: list | None) -> list[str]:
    """Compiler flags: device-only CUDA with our prelude and stub system headers."""
    out = ["-x", "cuda", "-std=c++17", "-nocudainc", "-nocudalib", "--cuda-device-only",
           f"--cuda-path={_empty_cuda_path()}", "-nostdinc", "-nostdinc++",
           "-isystem", str(INCLUDE), "-include", str(PRELUDE),
           "-Wno-unknown-cuda-version", "-Wno-unused-value", "-ferror-limit=0",
           "-fno-delayed-template-parsing"]
    for d in include_dirs or ():
        out += ["-I", str(d)]
    for k, v in (defines or {}).items():
        out.append(f"-D{k}" if v is None or v is True else f"-D{k}={v}")
    return out


def loc(c, filename: str | None = None) -> Loc:
    """The Loc of a cursor (or a SourceLocation)."""
    sl = c.location if hasattr(c, "location") else c
    f = sl.file
    return Loc(f.name if f is not None else (filename or "<unknown>"), sl.line, sl.column)


_NOT_FOUND = re.compile(r"^'([^']+)' file not found$")
MAX_MISSING = 64  # stand-ins per unit: clang stops at each missing header, so one parse each


@dataclass(frozen=True)
class MissingHeader:
    """An `#include` that resolved nowhere: its spelling and the include directive's place."""

    name: str
    loc: Loc


def parse_tu(source: str, filename: str, defines: dict | None, include_dirs: list | None,
             missing: tuple[MissingHeader, ...] = ()):
    """Parse `source` (clang's diagnostics stay on the returned translation unit).

    A header that resolves nowhere does not sink the unit: clang stops at it (a fatal error),
    so the unit is parsed again with an empty stand-in for it, in a temporary directory
    searched last (`-idirafter`), until every include resolves. The stand-ins are listed in
    `tu.missing_headers` (MissingHeader, in the order found); `missing` are stand-ins known
    from an earlier parse of the same source. A kernel that really uses a declaration of a
    missing header still fails, with clang's error at the use."""
    ci = cindex()
    index = ci.Index.create()
    source = nvcc_spellings(source)
    extra_dirs = list(include_dirs or [])
    if os.path.sep in filename and os.path.isdir(os.path.dirname(filename)):
        extra_dirs.append(os.path.dirname(filename))  # quoted includes next to the file
    opts = ci.TranslationUnit.PARSE_DETAILED_PROCESSING_RECORD
    found = list(missing)
    with tempfile.TemporaryDirectory(prefix="portable-missing-") as stand_ins:
        for h in found:
            _stand_in(stand_ins, h.name)
        for _ in range(MAX_MISSING + 1):
            flags = args(defines, extra_dirs) + (["-idirafter", stand_ins] if found else [])
            try:
                tu = index.parse(filename, args=flags, unsaved_files=[(filename, source)],
                                 options=opts)
            except ci.TranslationUnitLoadError as e:
                raise error("PORT0001", f"clang could not parse {filename}: {e}") from None
            new = _missing(tu, filename, {h.name for h in found})
            if new is None or len(found) >= MAX_MISSING or not _stand_in(stand_ins, new.name):
                break
            found.append(new)
        # clang has read the (empty) stand-ins; the directory can go
    tu.missing_headers = tuple(found)
    return tu


_ALIGNAS_AFTER = re.compile(r"\b(__shared__|__device__|__constant__)(\s+)"
                            r"(alignas\s*\((?:[^()]|\([^()]*\))*\))")


def nvcc_spellings(source: str) -> str:
    """What nvcc accepts and clang does not, respelled in place (same length, so every
    location stays): `__shared__ alignas(16) float a[n]` -> `alignas(16) __shared__ ...`."""
    return _ALIGNAS_AFTER.sub(lambda m: m.group(3) + m.group(2) + m.group(1), source)


def _missing(tu, filename: str, known: set[str]) -> MissingHeader | None:
    """The header clang could not find (a fatal error), if any and not already stood in."""
    for d in tu.diagnostics:
        m = _NOT_FOUND.match(d.spelling)
        if m and m.group(1) not in known:
            f = d.location.file
            return MissingHeader(m.group(1), Loc(f.name if f else filename, d.location.line,
                                                 d.location.column))
    return None


def _stand_in(root: str, name: str) -> bool:
    """Create an empty `root/name`; False for a name that would land outside `root`."""
    path = os.path.realpath(os.path.join(root, name))
    if os.path.isabs(name) or not path.startswith(os.path.realpath(root) + os.sep):
        return False
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8"):
        pass
    return True
