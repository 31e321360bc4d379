"""The IR's type system: scalars, pointers with address spaces, fixed-size arrays, vectors and
structs."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

import numpy as np


class Space(Enum):
    """Address space of a pointer or array."""

    GLOBAL = "global"
    SHARED = "shared"
    CONSTANT = "constant"
    LOCAL = "local"


class Type:
    """Base of every IR type."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class Void(Type):
    def __str__(self) -> str:
        return "void"


@dataclass(frozen=True, slots=True)
class Scalar(Type):
    """bool, signed/unsigned integers of 8-64 bits, f16/f32/f64."""

    kind: str  # "bool" | "int" | "uint" | "float"
    bits: int

    def __str__(self) -> str:
        return "bool" if self.kind == "bool" else f"{self.kind[0]}{self.bits}"

    @property
    def is_int(self) -> bool:
        return self.kind in ("int", "uint")

    @property
    def is_signed(self) -> bool:
        return self.kind == "int"

    @property
    def is_float(self) -> bool:
        return self.kind == "float"

    @property
    def is_bool(self) -> bool:
        return self.kind == "bool"

    @property
    def dtype(self) -> np.dtype:
        return np.dtype(_DTYPE[(self.kind, self.bits)])

    @property
    def min(self) -> int | float:
        if self.is_float:
            return float(np.finfo(self.dtype).min)
        return int(np.iinfo(self.dtype).min) if not self.is_bool else 0

    @property
    def max(self) -> int | float:
        if self.is_float:
            return float(np.finfo(self.dtype).max)
        return int(np.iinfo(self.dtype).max) if not self.is_bool else 1


@dataclass(frozen=True, slots=True)
class Pointer(Type):
    """A pointer into one address space; `const` records a read-only pointee."""

    elem: Type
    space: Space = Space.GLOBAL
    const: bool = False
    restrict: bool = False

    def __str__(self) -> str:
        flags = (("const", self.const), ("restrict", self.restrict))
        quals = "".join(f", {q}" for q, on in flags if on)
        return f"ptr<{self.elem}, {self.space.value}{quals}>"


@dataclass(frozen=True, slots=True)
class Array(Type):
    """A fixed-size (row-major) array living in `space`; shape () means a dynamic extent."""

    elem: Type
    shape: tuple[int, ...]
    space: Space = Space.LOCAL

    def __str__(self) -> str:
        dims = "".join(f"[{n}]" for n in self.shape) or "[]"
        return f"{self.space.value} {self.elem}{dims}"

    @property
    def size(self) -> int:
        n = 1
        for d in self.shape:
            n *= d
        return n


@dataclass(frozen=True, slots=True)
class Vector(Type):
    """CUDA's small vector types (float2, int4 ...)."""

    elem: Scalar
    n: int

    def __str__(self) -> str:
        return f"{self.elem}x{self.n}"


@dataclass(frozen=True, slots=True)
class Struct(Type):
    """A C struct by value: named fields in declaration order."""

    name: str
    fields: tuple[tuple[str, Type], ...]

    def __str__(self) -> str:
        return f"struct {self.name}"

    def field_type(self, name: str) -> Type:
        return dict(self.fields)[name]


_DTYPE = {
    ("bool", 8): "bool", ("int", 8): "int8", ("int", 16): "int16", ("int", 32): "int32",
    ("int", 64): "int64", ("uint", 8): "uint8", ("uint", 16): "uint16", ("uint", 32): "uint32",
    ("uint", 64): "uint64", ("float", 16): "float16", ("float", 32): "float32",
    ("float", 64): "float64",
}

VOID = Void()
BOOL = Scalar("bool", 8)
I8, I16, I32, I64 = (Scalar("int", b) for b in (8, 16, 32, 64))
U8, U16, U32, U64 = (Scalar("uint", b) for b in (8, 16, 32, 64))
F16, F32, F64 = (Scalar("float", b) for b in (16, 32, 64))
SCALARS = (BOOL, I8, I16, I32, I64, U8, U16, U32, U64, F16, F32, F64)
_BY_NAME = {str(t): t for t in SCALARS}
_BY_DTYPE = {t.dtype: t for t in SCALARS}


def scalar(name: str) -> Scalar:
    """The scalar type printed as `name` ("i32", "f64", "bool" ...)."""
    return _BY_NAME[name]


def from_dtype(dtype: np.dtype | type | str) -> Scalar:
    """The scalar type of a numpy dtype."""
    return _BY_DTYPE[np.dtype(dtype)]


def sizeof(t: Type) -> int:
    """Size in bytes, as CUDA lays the type out."""
    if isinstance(t, Scalar):
        return 1 if t.is_bool else t.bits // 8
    if isinstance(t, Pointer):
        return 8
    if isinstance(t, Array):
        return t.size * sizeof(t.elem)
    if isinstance(t, Vector):
        return t.n * sizeof(t.elem)
    if isinstance(t, Struct):
        return struct_layout(t)[1]
    raise TypeError(f"sizeof({t})")


def alignof(t: Type) -> int:
    if isinstance(t, Vector):
        # CUDA aligns vector types to their full size (float3 to 4, like its element).
        return sizeof(t) if t.n in (2, 4) else alignof(t.elem)
    if isinstance(t, Array):
        return alignof(t.elem)
    if isinstance(t, Struct):
        return max((alignof(ft) for _, ft in t.fields), default=1)
    return sizeof(t)


def struct_layout(t: Struct) -> tuple[dict[str, int], int]:
    """Field byte offsets and total size with C alignment rules."""
    offsets, off = {}, 0
    for name, ft in t.fields:
        a = alignof(ft)
        off = (off + a - 1) // a * a
        offsets[name] = off
        off += sizeof(ft)
    a = alignof(t)
    return offsets, (off + a - 1) // a * a
