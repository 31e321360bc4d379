"""Inline PTX: the few one-instruction idioms that CUDA code uses for what has no C spelling
(or had none), each translated to the IR it means. Any other `asm` is PORT1011.

    asm("mov.u32 %0, %%laneid;" : "=r"(lane));               lane id
    asm("mov.u32 %0, %%lanemask_lt;" : "=r"(m));             lanemask_lt/le/gt/ge/eq
    asm("bfind.u32 %0, %1;" : "=r"(r) : "r"(x));             31 - __clz(x) (0xffffffff for 0)
    asm("popc.b32 %0, %1;" ...), asm("brev.b32 %0, %1;" ...) __popc, __brev
    asm("mov.u64 %0, %%clock64;" ...), "mov.u32 %0, %%clock;" clock64(), clock()
"""

from __future__ import annotations

import re

from portable import ir
from portable.builtins import convert
from portable.ir import Op
from portable.types import I32, U32, U64

PTX_HINT = ("replace it with the CUDA intrinsic it implements (e.g. __popc, __shfl_sync, "
            "atomicAdd) or plain C")


def _template(toks: list[str]) -> tuple[str, list[list[str]]]:
    """The assembler template (string literals joined) and the operand sections of an asm
    statement's tokens: [[outputs' constraints], [inputs' constraints], [clobbers]]."""
    i = toks.index("(") + 1
    parts = []
    while i < len(toks) and toks[i].startswith('"'):
        parts.append(toks[i][1:-1])
        i += 1
    sections: list[list[str]] = []
    depth = 0
    for t in toks[i:]:
        if t == "(":
            depth += 1
        elif t == ")":
            depth -= 1
        elif t == ":" and depth == 0:
            sections.append([])
        elif t.startswith('"') and depth == 0 and sections:
            sections[-1].append(t[1:-1])
    return "".join(parts), sections


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("%%", "%")).strip().rstrip(";").strip()


def _lane(loc) -> ir.Expr:
    return ir.Cast(ir.Special(ir.Sreg.LANEID, loc=loc), U32, loc=loc)


def _shl(v: int, lane: ir.Expr, loc) -> ir.Expr:
    return ir.Binary(Op.SHL, ir.const(v, U32, loc), lane, U32, loc=loc)


def _minus1(e: ir.Expr, loc) -> ir.Expr:
    return ir.Binary(Op.SUB, e, ir.const(1, U32, loc), U32, loc=loc)


def _not(e: ir.Expr, loc) -> ir.Expr:
    return ir.Unary(Op.BNOT, e, U32, loc=loc)


def _call(fn: str, x: ir.Expr, loc) -> ir.Expr:
    return ir.Call(fn, (convert(x, U32, loc),), I32 if fn in ("clz", "popc") else U32, loc=loc)


# normalised template -> (number of inputs, builder(tr, inputs, loc))
IDIOMS = {
    "mov.u32 %0, %laneid": (0, lambda tr, a, loc: _lane(loc)),
    "mov.u32 %0, %lanemask_eq": (0, lambda tr, a, loc: _shl(1, _lane(loc), loc)),
    "mov.u32 %0, %lanemask_lt": (0, lambda tr, a, loc: _minus1(_shl(1, _lane(loc), loc), loc)),
    "mov.u32 %0, %lanemask_le": (0, lambda tr, a, loc: _minus1(_shl(2, _lane(loc), loc), loc)),
    "mov.u32 %0, %lanemask_gt": (0, lambda tr, a, loc: _not(_minus1(_shl(2, _lane(loc), loc),
                                                                   loc), loc)),
    "mov.u32 %0, %lanemask_ge": (0, lambda tr, a, loc: _not(_minus1(_shl(1, _lane(loc), loc),
                                                                   loc), loc)),
    "bfind.u32 %0, %1": (1, lambda tr, a, loc: ir.Binary(
        Op.SUB, ir.const(31, U32, loc), convert(_call("clz", a[0], loc), U32, loc), U32,
        loc=loc)),
    "popc.b32 %0, %1": (1, lambda tr, a, loc: convert(_call("popc", a[0], loc), U32, loc)),
    "brev.b32 %0, %1": (1, lambda tr, a, loc: _call("brev", a[0], loc)),
    "mov.u64 %0, %clock64": (0, lambda tr, a, loc: _clock(tr, U64, loc)),
    "mov.u32 %0, %clock": (0, lambda tr, a, loc: _clock(tr, U32, loc)),
}


def _clock(tr, t, loc) -> ir.Expr:
    g = tr.module.clock_counter(loc)
    node = ir.Atomic(Op.ATOMIC_ADD, g, (ir.const(0, I32, loc),), ir.const(1, U64, loc), U64,
                     loc=loc)
    return convert(node, t, loc)


def translate(tr, c) -> None:
    """An asm statement: one of IDIOMS (its output operand assigned), else PORT1011."""
    toks = [t.spelling for t in c.get_tokens()]
    try:
        text, sections = _template(toks)
    except ValueError:
        text, sections = "", []
    idiom = IDIOMS.get(_norm(text))
    operands = [k for k in c.get_children() if k.kind.is_expression()]
    nout = len(sections[0]) if sections else 0
    if idiom is None or nout != 1 or len(operands) != 1 + idiom[0]:
        raise tr.fail("PORT1011", f"inline PTX assembly cannot be ported ({_norm(text)!r})"
                      if text else "inline PTX assembly cannot be ported", c, PTX_HINT)
    loc = tr.loc(c)
    ins = tr.operands(operands[1:])
    value = idiom[1](tr, ins, loc)
    lv = tr.lvalue(operands[0])
    tr.write(lv, convert(value, lv.type, loc), loc)
