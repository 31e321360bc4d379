"""C-family targets: one renderer, one dialect table each (cuda, hip, sycl, opencl).

`translate(fn, dialect)` legalises a kernel for the dialect and renders it; `module_source`
renders several kernels into one file with one prelude. Each dialect module exposes
`source(fn) -> str`, which is what `Kernel.source(target)` returns.
"""

from __future__ import annotations

from dataclasses import dataclass

from portable.backends.cfamily.dialect import Dialect
from portable.backends.cfamily.legalize import Legal, legalise
from portable.backends.cfamily.render import Renderer

from portable import ir
from portable.errors import Diagnostic
from portable.types import Array, Pointer, Struct, Type, Vector

__all__ = ["Dialect", "Translation", "module_source", "translate"]


@dataclass
class Translation:
    """One kernel rendered for one dialect: its text (without the prelude) and what it needed."""

    name: str
    target: str
    text: str
    legal: Legal

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return self.legal.diagnostics

    @property
    def status(self) -> str:
        """'translated', or 'emulated' when some construct needed a helper with a note."""
        return "emulated" if self.legal.diagnostics else "translated"


def translate(fn: ir.Function, dialect: Dialect) -> Translation:
    """Legalise and render one kernel; raises PortError (PORT6002) for what cannot be said."""
    legal = legalise(fn, dialect)
    text = Renderer(dialect, legal).kernel(legal.fn)
    return Translation(fn.name, dialect.name, text, legal)


def module_source(fns: list[ir.Function], dialect: Dialect) -> tuple[str, list[Translation]]:
    """Several kernels in one file: the prelude (includes, structs, globals, helpers) once."""
    translations = [translate(fn, dialect) for fn in fns]
    return _assemble(translations, dialect), translations


def source(fn: ir.Function, dialect: Dialect) -> str:
    """The kernel's complete source text in `dialect`."""
    return _assemble([translate(fn, dialect)], dialect)


def _assemble(translations: list[Translation], dialect: Dialect) -> str:
    merged = Legal(translations[0].legal.fn if translations else None)  # type: ignore[arg-type]
    structs: dict[str, Struct] = {}
    for tr in translations:
        lg = tr.legal
        merged.helpers.update(lg.helpers)
        merged.notes.update(lg.notes)
        merged.scratch.update(lg.scratch)
        merged.globals.update(lg.globals)
        for t in _types(lg.fn):
            _collect_structs(t, structs)
    parts = [dialect.prelude(merged).rstrip("\n")]
    for s in structs.values():
        parts.append(dialect.struct_def(s))
    if not dialect.globals_as_params and merged.globals:
        parts.append("\n".join(f"{dialect.global_decl(n, t)};" for n, t in merged.globals.items()))
    for h in merged.helpers.values():
        parts.append(dialect.helper_text(h, merged).rstrip("\n"))
    parts += [tr.text.rstrip("\n") for tr in translations]
    return "\n\n".join(p for p in parts if p) + "\n"


def _types(fn: ir.Function):
    for p in fn.params:
        yield p.type
    for v in fn.shared + fn.dynamic_shared:
        yield v.type
    for n in ir.walk(fn.body):
        t = getattr(n, "type", None)
        if t is not None:
            yield t
        if isinstance(n, ir.Decl):
            yield n.var.type


def _collect_structs(t: Type, out: dict[str, Struct]) -> None:
    if isinstance(t, (Pointer, Array)):
        _collect_structs(t.elem, out)
    elif isinstance(t, Struct) and t.name not in out:
        for _, ft in t.fields:
            _collect_structs(ft, out)
        out[t.name] = t
    elif isinstance(t, Vector):
        return
