"""Which kernels a clang error concerns.

A real `.cu` file carries host code and headers that a device-only parse with stub headers does
not model completely, so clang reports errors that no kernel depends on. An error fails a
kernel when it lies inside something the kernel reaches: a function it calls, a class it names
(through variables, parameters, members, calls of methods), a module variable or typedef it
uses. Errors in host code (host functions, host variables at file scope, their initialisers)
are dropped; errors that belong to no declaration fail every kernel of the unit.

A top-level declaration other than a function or class owns its *region*: from its start to the
start of the next top-level declaration, since clang's extent of an invalid declaration stops
before the part it could not parse (`EGLDisplay d = EGL_NO_DISPLAY;` ends before the `=`).
"""

from __future__ import annotations

from .context import key

RECORDS = ("STRUCT_DECL", "CLASS_DECL", "CLASS_TEMPLATE", "UNION_DECL",
           "CLASS_TEMPLATE_PARTIAL_SPECIALIZATION")
FUNCTIONS = ("FUNCTION_DECL", "CXX_METHOD", "FUNCTION_TEMPLATE", "CONSTRUCTOR", "DESTRUCTOR",
             "CONVERSION_FUNCTION")
_SCOPES = ("TRANSLATION_UNIT", "NAMESPACE", "LINKAGE_SPEC", "UNEXPOSED_DECL")
_DEVICE = {"CUDADEVICE_ATTR", "CUDAGLOBAL_ATTR", "CUDACONSTANT_ATTR", "CUDASHARED_ATTR"}
_SKIP = ("MACRO_DEFINITION", "MACRO_INSTANTIATION")


def _attrs(d) -> set[str]:
    return {k.kind.name for k in d.get_children()}


def _file(d, filename: str) -> str:
    f = d.extent.start.file
    return f.name if f else filename


def regions(tu, filename: str) -> list[tuple[object, str, int, int]]:
    """(cursor, file, start, end) of every top-level declaration (in namespaces and `extern
    "C"` blocks too); `end` reaches to the next declaration of the same scope and file."""
    out = []

    def scope(c, limit: int) -> None:
        kids = [k for k in c.get_children() if k.kind.name not in _SKIP]
        kids.sort(key=lambda k: (_file(k, filename), k.extent.start.offset))
        for i, k in enumerate(kids):
            f = _file(k, filename)
            nxt = kids[i + 1] if i + 1 < len(kids) else None
            end = k.extent.end.offset
            if nxt is not None and _file(nxt, filename) == f:
                end = max(end, nxt.extent.start.offset - 1)
            elif c.kind.name == "TRANSLATION_UNIT" or _file(c, filename) == f:
                end = max(end, limit)
            if k.kind.name in _SCOPES:
                scope(k, k.extent.end.offset)
            elif k.kind.name != "INCLUSION_DIRECTIVE":
                out.append((k, f, k.extent.start.offset, end))

    scope(tu.cursor, 1 << 62)
    return out


def _host(d) -> bool:
    kind = d.kind.name
    if kind in FUNCTIONS:
        if kind not in ("FUNCTION_DECL", "FUNCTION_TEMPLATE") and not d.is_definition():
            return False  # a method declared in its class may be defined as a device function
        return not _attrs(d) & _DEVICE
    return kind == "VAR_DECL" and not _attrs(d) & _DEVICE


def host_extents(tu, filename: str) -> list[tuple[str, int, int]]:
    """Extents of host code: host functions, methods, constructors and destructors (a method
    only declared in its class may be defined as a device function), and the regions of host
    variables at file scope (no kernel can use them, so clang's errors there do not matter)."""
    out = []
    for d in tu.cursor.walk_preorder():
        if d.kind.name in FUNCTIONS and _host(d):
            out.append((_file(d, filename), d.extent.start.offset, d.extent.end.offset))
    for d, f, lo, hi in regions(tu, filename):
        if d.kind.name == "VAR_DECL" and _host(d):
            out.append((f, lo, hi))
    return out


def function_spans(tu, filename: str = "") -> dict[tuple, tuple[str, int, int]]:
    """key -> (file, start, end) of every function and class definition, and the region of
    every other top-level declaration: a clang error inside one fails only the kernels that
    reach it."""
    out = {}
    for d in tu.cursor.walk_preorder():
        if d.kind.name in FUNCTIONS + RECORDS and d.is_definition():
            out[key(d)] = (_file(d, filename), d.extent.start.offset, d.extent.end.offset)
    for d, f, lo, hi in regions(tu, filename):
        if d.kind.name not in FUNCTIONS + RECORDS:
            out.setdefault(key(d), (f, lo, hi))
    return out


def _record(t):
    """The class declaration behind a type (through pointers, arrays and references)."""
    t = t.get_canonical()
    for _ in range(8):
        k = t.kind.name
        if k in ("POINTER", "LVALUEREFERENCE", "RVALUEREFERENCE"):
            t = t.get_pointee().get_canonical()
        elif k in ("CONSTANTARRAY", "INCOMPLETEARRAY"):
            t = t.element_type.get_canonical()
        else:
            break
    if t.kind.name != "RECORD":
        return None
    d = t.get_declaration()
    return d.get_definition() if d is not None else None


def reach(cur, spans) -> list[tuple]:
    """Keys of the declarations reachable from `cur` (itself included): functions by calls and
    references, classes by the types of variables, parameters, members and results, module
    variables and typedefs by use."""
    seen: list[tuple] = []
    todo = [cur]
    while todo:
        c = todo.pop()
        k = key(c)
        if k in seen:
            continue
        seen.append(k)
        tmpl = c.get_num_template_arguments() > 0 and c.kind.name == "FUNCTION_DECL"
        if tmpl:  # errors point into the template's own span
            seen.extend(sk for sk, (f, lo, hi) in spans.items()
                        if c.extent.start.file and f == c.extent.start.file.name
                        and lo <= c.extent.start.offset <= hi)
        if c.kind.name in RECORDS:  # its data members and bases, not its methods' bodies
            for n in c.get_children():
                if n.kind.name in ("FIELD_DECL", "CXX_BASE_SPECIFIER"):
                    d = _record(n.type)
                    if d is not None and key(d) not in seen:
                        todo.append(d)
            continue
        for n in c.walk_preorder():
            kind = n.kind.name
            if kind in ("CALL_EXPR", "DECL_REF_EXPR", "MEMBER_REF_EXPR", "TYPE_REF"):
                r = n.referenced
                rk = r.kind.name if r is not None else ""
                if rk in FUNCTIONS:
                    d = r.get_definition()
                    if d is not None and key(d) not in seen:
                        todo.append(d)
                elif rk == "FIELD_DECL":
                    todo.append(r.semantic_parent)
                elif rk in ("VAR_DECL", "TYPEDEF_DECL", "TYPE_ALIAS_DECL") and \
                        key(r) in spans and key(r) not in seen:
                    seen.append(key(r))
            if kind in ("TYPE_REF", "VAR_DECL", "PARM_DECL", "FIELD_DECL") or (
                    kind in FUNCTIONS and n is c):
                d = _record(n.result_type if kind in FUNCTIONS else n.type)
                if d is not None and key(d) not in seen:
                    todo.append(d)
        if c.kind.name in FUNCTIONS[1:] and c.semantic_parent is not None and \
                c.semantic_parent.kind.name in RECORDS:
            todo.append(c.semantic_parent)  # a method reaches its class
    return seen


def using_directive(tu, d) -> bool:
    """Is clang's error `d` inside a `using namespace X;` of a namespace that does not exist
    (one a missing header would declare)? clang drops the directive, so a kernel that needs a
    name from X fails at that use with its own error."""
    from . import clang

    ci = clang.cindex()
    loc = d.location
    if loc.file is None or "namespace" not in d.spelling:
        return False
    start = ci.SourceLocation.from_position(tu, loc.file, loc.line, 1)
    toks = [t.spelling for t in tu.get_tokens(extent=ci.SourceRange.from_locations(start, loc))]
    return toks[:2] == ["using", "namespace"]
