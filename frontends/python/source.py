"""The AST of a Python kernel, with locations in the user's file."""

from __future__ import annotations

import ast
import inspect
import textwrap
from dataclasses import dataclass
from functools import cache

from portable.errors import Loc, error


@dataclass(frozen=True)
class Source:
    """A function's AST and how to map its positions back to the file."""

    tree: ast.FunctionDef
    filename: str
    line0: int  # add to an AST lineno to get the file's line
    col0: int  # add to an AST col_offset (dedent) to get the file's column

    def loc(self, node: ast.AST | None) -> Loc:
        if node is None or not hasattr(node, "lineno"):
            return Loc(self.filename, self.line0 + 1, self.col0 + 1)
        return Loc(self.filename, node.lineno + self.line0, node.col_offset + self.col0 + 1)


@cache
def get_source(fn) -> Source:
    """Parse `fn`'s source; PortError PORT0004 when it is not available."""
    name = getattr(fn, "__qualname__", repr(fn))
    try:
        lines, start = inspect.getsourcelines(fn)
        filename = inspect.getsourcefile(fn) or "<unknown>"
    except (OSError, TypeError) as e:
        raise error("PORT0004", f"cannot read the source of {name}: {e}",
                    hint="define kernels in a .py file (not in an interactive session or exec)"
                    ) from None
    text = "".join(lines)
    dedented = textwrap.dedent(text)
    indent = len(lines[0]) - len(lines[0].lstrip()) if dedented != text else 0
    try:
        mod = ast.parse(dedented)
    except SyntaxError as e:
        raise error("PORT0004", f"cannot parse the source of {name}: {e.msg}",
                    Loc(filename, (e.lineno or 1) + start - 1, (e.offset or 0) + indent)) from None
    defs = [n for n in mod.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    if not defs or not isinstance(defs[0], ast.FunctionDef):
        raise error("PORT1014", f"{name} is not a plain function", Loc(filename, start, 1),
                    hint="decorate a `def` function with @cuda.jit")
    return Source(defs[0], filename, start - 1, indent)
