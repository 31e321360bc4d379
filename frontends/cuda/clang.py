"""libclang setup: the translation unit, clang's diagnostics, and ctypes shims for what the
Python bindings of libclang 18 do not expose (operator kinds, constant evaluation).
"""

from __future__ import annotations

import ctypes
import os
import tempfile
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


def parse_tu(source: str, filename: str, defines: dict | None, include_dirs: list | None):
    """Parse `source` (clang's diagnostics stay on the returned translation unit)."""
    ci = cindex()
    index = ci.Index.create()
    name = filename if filename.endswith((".cu", ".cuh", ".cpp", ".cc", ".h")) else filename
    extra_dirs = list(include_dirs or [])
    if os.path.sep in filename and os.path.isdir(os.path.dirname(filename)):
        extra_dirs.append(os.path.dirname(filename))  # quoted includes next to the file
    opts = ci.TranslationUnit.PARSE_DETAILED_PROCESSING_RECORD
    try:
        tu = index.parse(name, args=args(defines, extra_dirs), unsaved_files=[(name, source)],
                         options=opts)
    except ci.TranslationUnitLoadError as e:
        raise error("PORT0001", f"clang could not parse {filename}: {e}") from None
    return tu
