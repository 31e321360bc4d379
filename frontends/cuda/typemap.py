"""clang types -> IR types."""

from __future__ import annotations

import re

from portable.errors import Loc, error
from portable.types import (
    BOOL,
    F32,
    F64,
    I8,
    I16,
    I32,
    I64,
    U8,
    U16,
    U32,
    U64,
    VOID,
    Array,
    Pointer,
    Scalar,
    Space,
    Struct,
    Type,
    Vector,
)

from .clang import cindex

_SCALARS = {
    "BOOL": BOOL, "CHAR_S": I8, "SCHAR": I8, "CHAR_U": U8, "UCHAR": U8, "SHORT": I16,
    "USHORT": U16, "INT": I32, "UINT": U32, "LONG": I64, "ULONG": U64, "LONGLONG": I64,
    "ULONGLONG": U64, "FLOAT": F32, "DOUBLE": F64, "WCHAR": I32, "CHAR16": U16, "CHAR32": U32,
}

_VEC_ELEM = {
    "char": I8, "uchar": U8, "short": I16, "ushort": U16, "int": I32, "uint": U32, "long": I64,
    "ulong": U64, "longlong": I64, "ulonglong": U64, "float": F32, "double": F64,
}
_VEC_RE = re.compile(r"^(char|uchar|short|ushort|int|uint|long|ulong|longlong|ulonglong|float|"
                     r"double)([1-4])$")

HALF_HINT = ("convert the data to float on the host and use float in the kernel; __half is not "
             "supported yet")


def vector_type(name: str) -> Vector | None:
    """The IR vector type of a CUDA vector type name (float4, uint3, dim3 ...), else None."""
    if name in ("dim3", "uint3"):
        return Vector(U32, 3)
    m = _VEC_RE.match(name)
    return Vector(_VEC_ELEM[m.group(1)], int(m.group(2))) if m else None


def _ident(spelling: str) -> str:
    s = re.sub(r"^(struct|class|union|const|volatile)\s+", "", spelling)
    return re.sub(r"\W+", "_", s).strip("_") or "anon"


def record_name(t) -> str:
    decl = t.get_declaration()
    return decl.spelling or _ident(t.spelling)


def convert(t, loc: Loc, space: Space = Space.GLOBAL, what: str = "") -> Type:
    """The IR type of clang type `t`; pointers get `space`. Unsupported types raise PORT1003."""
    ci = cindex()
    K = ci.TypeKind
    c = t.get_canonical()
    k = c.kind
    if k == K.VOID:
        return VOID
    if k.name in _SCALARS:
        return _SCALARS[k.name]
    if k.name in ("HALF", "FLOAT16", "BFLOAT16") or "half" in c.spelling:
        raise error("PORT1012", f"half precision type {t.spelling!r}{what}", loc, HALF_HINT)
    if k == K.POINTER:
        p = c.get_pointee()
        elem = VOID if p.get_canonical().kind == K.VOID else convert(p, loc, space, what)
        return Pointer(elem, space, const=p.is_const_qualified(),
                       restrict=c.is_restrict_qualified())
    if k == K.CONSTANTARRAY:
        shape = []
        e = c
        while e.get_canonical().kind == K.CONSTANTARRAY:
            shape.append(e.get_canonical().element_count)
            e = e.get_canonical().element_type
        return Array(convert(e, loc, space, what), tuple(shape), Space.LOCAL)
    if k == K.INCOMPLETEARRAY:
        return Array(convert(c.element_type, loc, space, what), (), Space.LOCAL)
    if k == K.ENUM:
        return convert(c.get_declaration().enum_type, loc, space, what)
    if k == K.RECORD:
        name = record_name(c)
        v = vector_type(name)
        if v is not None:
            return v
        if name in ("__half", "half", "__half2", "__nv_bfloat16", "__nv_bfloat162"):
            raise error("PORT1012", f"half precision type {name!r}{what}", loc, HALF_HINT)
        if name.startswith(("texture", "surface", "cudaTextureObject", "cudaSurfaceObject")):
            raise error("PORT1008", f"texture/surface type {name!r}{what}", loc,
                        "read the data through a plain pointer instead")
        if _in_groups(c.get_declaration()) or _is_pipeline(c.get_declaration()):
            return I32  # a cooperative group or pipeline handle: its methods are mapped
        if c.get_declaration().kind.name == "UNION_DECL":
            raise error("PORT1003", f"union {name or c.spelling!r}{what}: unions are not "
                        "supported", loc, "use separate variables, and __int_as_float-style "
                        "bit casts to reinterpret a value")
        fields = []
        for f in c.get_fields():
            if not f.spelling:
                raise error("PORT1003", f"anonymous struct or union member in {name!r}{what}",
                            loc, "give the member a name")
            ft = f.type
            if ft.get_canonical().kind in (K.LVALUEREFERENCE, K.RVALUEREFERENCE):
                raise error("PORT1003", f"reference member {f.spelling!r} of {name}", loc,
                            "store a pointer or a value instead")
            fields.append((f.spelling or f"_f{len(fields)}", convert(ft, loc, space, what)))
        if not fields:
            raise error("PORT1003", f"struct {name!r} has no data members{what}", loc,
                        "use a struct with data members")
        return Struct(_ident(c.spelling) if "<" in c.spelling or "::" in c.spelling else name,
                      tuple(fields))
    if k in (K.LVALUEREFERENCE, K.RVALUEREFERENCE):
        return convert(c.get_pointee(), loc, space, what)
    if k == K.TYPEDEF or k == K.ELABORATED:  # pragma: no cover - canonical types only
        return convert(c.get_canonical(), loc, space, what)
    spelled = t.spelling
    if "texture" in spelled or "surface" in spelled:
        raise error("PORT1008", f"texture/surface type {spelled!r}{what}", loc,
                    "read the data through a plain pointer instead")
    raise error("PORT1003", f"unsupported type {spelled!r}{what}", loc,
                "use int/unsigned/long long/float/double, a pointer, a fixed-size array, "
                "a CUDA vector type or a struct of those")


def _in_groups(d) -> bool:
    """Is `d` a class of the prelude's cooperative_groups namespace?"""
    p = d.semantic_parent if d is not None else None
    while p is not None and p.kind.name != "TRANSLATION_UNIT":
        if p.kind.name == "NAMESPACE" and p.spelling == "cooperative_groups":
            return True
        p = p.semantic_parent
    return False


def _is_pipeline(d) -> bool:
    """Is `d` the prelude's libcu++ `cuda::pipeline<scope>` class?"""
    p = d.semantic_parent if d is not None else None
    return d is not None and d.spelling == "pipeline" and p is not None and \
        p.kind.name == "NAMESPACE" and p.spelling == "cuda" and \
        p.semantic_parent is not None and p.semantic_parent.kind.name == "TRANSLATION_UNIT"


def is_reference(t) -> bool:
    K = cindex().TypeKind
    return t.get_canonical().kind in (K.LVALUEREFERENCE, K.RVALUEREFERENCE)


def is_scalar(t: Type) -> bool:
    return isinstance(t, Scalar)
