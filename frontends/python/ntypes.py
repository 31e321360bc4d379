"""numba's typing rules, as the Python frontend applies them.

- A Python `int` is int64, a `float` float64, a `bool` bool (arguments, literals and globals).
- Integer arithmetic widens to at least 64 bits; mixing signed and unsigned gives signed
  (numba's NBEP 1: "start big and keep the width unchanged").
- Integers mixed with floats follow numpy's promotion (float32 + int64 is float64).
- `/` is true division (int / int is float64); `//` and `%` round towards negative infinity.

Array arguments are typed `ArrayType(dtype, ndim, layout)`; layout "C" for C-contiguous arrays,
"A" for any other strided view. Kernels are specialised per tuple of argument types.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from portable.errors import error
from portable.types import BOOL, F64, I64, U64, Scalar, from_dtype, scalar


@dataclass(frozen=True, slots=True)
class ArrayType:
    """The type of an array argument: element dtype, dimensions and layout ("C" or "A")."""

    dtype: Scalar
    ndim: int
    layout: str = "C"

    def __str__(self) -> str:
        return f"array({self.dtype}, {self.ndim}d, {self.layout})"


ArgType = Scalar | ArrayType


def is_int(t) -> bool:
    return isinstance(t, Scalar) and (t.is_int or t.is_bool)


def is_float(t) -> bool:
    return isinstance(t, Scalar) and t.is_float


def int_result(a: Scalar, b: Scalar) -> Scalar:
    """numba's integer operation result: at least 64 bits, signed when either operand is."""
    bits = max(64, a.bits if not a.is_bool else 0, b.bits if not b.is_bool else 0)
    unsigned = (a.kind == "uint" or a.is_bool) and (b.kind == "uint" or b.is_bool) and \
        not (a.is_bool and b.is_bool)
    return U64 if unsigned and bits == 64 else Scalar("int", bits)


def unify(a: Scalar, b: Scalar) -> Scalar:
    """The type both operands of an arithmetic operation (or both values of a variable) take."""
    if a == b and not (a.is_int and a.bits < 64):
        return a
    if a.is_float or b.is_float:
        if a.is_bool or b.is_bool:
            return a if a.is_float else b
        return from_dtype(np.promote_types(a.dtype, b.dtype))
    return int_result(a, b)


def unify_var(a: Scalar, b: Scalar) -> Scalar:
    """The type a variable takes when assigned values of types a and b (no widening of equal
    types: an int32 variable stays int32)."""
    if a == b:
        return a
    if a.is_bool and b.is_bool:
        return BOOL
    return unify(a, b)


def arg_type(value, name: str) -> ArgType:
    """The numba type of a launch argument (a numpy/device array or a scalar)."""
    value = getattr(value, "__portable_array__", value)
    if isinstance(value, np.ndarray):
        if value.ndim == 0 or value.ndim > 3:
            raise error("PORT4008", f"argument {name!r} has {value.ndim} dimensions; kernels take "
                        "arrays of 1-3 dimensions", hint="reshape the array, or pass a scalar")
        try:
            dt = from_dtype(value.dtype)
        except KeyError:
            raise error("PORT4002", f"argument {name!r} has dtype {value.dtype}, which kernels "
                        "cannot take", hint="use a bool, integer or float dtype") from None
        if any(s % value.itemsize for s in value.strides):
            raise error("PORT4003", f"argument {name!r} has strides {value.strides} that are not "
                        "a multiple of its item size", hint="pass np.ascontiguousarray(x)")
        return ArrayType(dt, value.ndim, "C" if value.flags.c_contiguous else "A")
    if isinstance(value, (bool, np.bool_)):
        return BOOL
    if isinstance(value, int):
        return I64 if value < 2**63 else U64
    if isinstance(value, float):
        return F64
    if isinstance(value, (np.integer, np.floating)):
        return from_dtype(value.dtype)
    raise error("PORT4008", f"argument {name!r} of type {type(value).__name__} cannot be passed "
                "to a kernel", hint="pass a numpy array, a device array, or an int/float/bool")


_TYPE_NAMES = {
    "boolean": "bool", "bool_": "bool", "b1": "bool", "bool": "bool",
    "int8": "i8", "int16": "i16", "int32": "i32", "int64": "i64", "intp": "i64",
    "uint8": "u8", "uint16": "u16", "uint32": "u32", "uint64": "u64", "uintp": "u64",
    "float16": "f16", "float32": "f32", "float64": "f64", "f4": "f32", "f8": "f64",
    "i1": "i8", "i2": "i16", "i4": "i32", "i8": "i64", "u1": "u8", "u2": "u16", "u4": "u32",
    "u8": "u64", "int_": "i64", "float_": "f64", "double": "f64", "single": "f32",
}


def dtype_of(obj) -> Scalar | None:
    """The scalar type named by a numpy type, dtype, numba type or string; None if not one."""
    if isinstance(obj, Scalar):
        return obj
    if obj is int:
        return I64
    if obj is float:
        return F64
    if obj is bool:
        return BOOL
    name = getattr(obj, "name", None) if not isinstance(obj, (str, type, np.dtype)) else None
    if isinstance(obj, str) or name is not None:
        key = obj if isinstance(obj, str) else str(name)
        if key in _TYPE_NAMES:
            return scalar(_TYPE_NAMES[key])
    try:
        return from_dtype(np.dtype(obj))
    except (TypeError, KeyError):
        return None


_ARRAY = re.compile(r"^(\w+)\[([:,\s1]*)\]$")
_NUMBA_ARRAY = re.compile(r"^array\((\w+),\s*(\d)d,\s*([CFA])\)$")


def parse_signature(sig) -> tuple[ArgType, ...]:
    """Argument types of an explicit `@cuda.jit` signature ("void(float32[:], int32)" or numba's
    Signature object)."""
    if not isinstance(sig, str):
        args = getattr(sig, "args", None)
        if args is None:
            raise error("PORT4008", f"cannot read the kernel signature {sig!r}",
                        hint='write it as a string, e.g. "void(float32[:], int32)"')
        return tuple(_parse_type(str(a)) for a in args)
    m = re.match(r"^\s*(\w+)?\s*\((.*)\)\s*$", sig)
    if not m:
        raise error("PORT4008", f"cannot parse the kernel signature {sig!r}",
                    hint='write e.g. "void(float32[:], int32)"')
    parts, depth, cur = [], 0, ""
    for ch in m.group(2):
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
            continue
        depth += ch in "[(" and 1 or (-1 if ch in "])" else 0)
        cur += ch
    if cur.strip():
        parts.append(cur)
    return tuple(_parse_type(p.strip()) for p in parts)


def _parse_type(text: str) -> ArgType:
    m = _ARRAY.match(text)
    if m:
        elem = dtype_of(m.group(1))
        dims = m.group(2).split(",")
        if elem is not None and 1 <= len(dims) <= 3:
            layout = "C" if dims[-1].replace(" ", "") == "::1" else "A"
            return ArrayType(elem, len(dims), layout)
    m = _NUMBA_ARRAY.match(text)
    if m and dtype_of(m.group(1)) is not None:
        return ArrayType(dtype_of(m.group(1)), int(m.group(2)), "C" if m.group(3) == "C" else "A")
    t = dtype_of(text)
    if t is None:
        raise error("PORT4008", f"unknown type {text!r} in a kernel signature",
                    hint="use numba's names: float32, int64, float32[:], float64[:, ::1] ...")
    return t
