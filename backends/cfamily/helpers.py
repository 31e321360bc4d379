"""C text of the `port_*` helpers that legalisation calls, written once through a dialect.

Integer helpers spell out `portable/semantics.py`'s rules where C leaves the result undefined;
atomic helpers are compare-and-swap loops whose update is the IR of CUDA's definition, printed by
the same renderer as the kernels.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from portable import ir
from portable.ir import Op
from portable.types import BOOL, Scalar, Space

if TYPE_CHECKING:
    from portable.backends.cfamily.dialect import Dialect
    from portable.backends.cfamily.legalize import Helper, Legal

_INT_KINDS = {"div", "mod", "shl", "shr", "floordiv", "floormod"}


def text(d: Dialect, h: Helper, legal: Legal) -> str:
    """The definition of helper `h` in dialect `d`."""
    if h.kind in _INT_KINDS:
        return _arith(d, h)
    if h.kind == "lane_id":
        return (f"{d.device_fn} unsigned int port_lane_id(void)\n{{\n"
                f"{d.indent}return {d.thread_id()} & 31;\n}}\n")
    if h.kind.startswith("atomic_"):
        return _atomic(d, h, legal)
    if h.kind == "vec3":
        return d.vec3_helpers()
    raise KeyError(f"{d.name}: no helper {h.name}")


def _arith(d: Dialect, h: Helper) -> str:
    t: Scalar = h.type
    T = d.type(t)
    U = d.type(Scalar("uint", t.bits)) if t.is_int else T
    B = t.bits
    small = B < 32
    k = h.kind
    if t.is_float:
        fmod = d.float_call("fmod", ["a", "b"], t)
        zero = d.const(0.0, t)
        if k == "floormod":
            body = [f"{T} mod = {fmod};",
                    f"if (b == {zero}) return mod;",
                    f"if (mod != {zero}) {{",
                    f"{d.indent}if ((b < {zero}) != (mod < {zero})) mod += b;",
                    "} else {",
                    f"{d.indent}mod = {d.float_call('copysign', [zero, 'b'], t)};",
                    "}",
                    "return mod;"]
        else:
            half = d.const(0.5, t)
            body = [f"if (b == {zero}) return a / b;",
                    f"{T} mod = {fmod};",
                    f"{T} div = (a - mod) / b;",
                    f"if (mod != {zero} && (b < {zero}) != (mod < {zero})) div -= {d.const(1, t)};",
                    f"if (div == {zero}) return {d.float_call('copysign', [zero, 'a / b'], t)};",
                    f"{T} fl = {d.float_call('floor', ['div'], t)};",
                    f"return div - fl > {half} ? fl + {d.const(1, t)} : fl;"]
        why = "Python's floor division and modulo (numpy's divmod)"
    else:
        wrap = (lambda x: f"({T})({x})") if small else (lambda x: x)
        neg = f"({T})(0 - ({U})a)"
        if k == "div":
            if t.is_signed and not small:
                body = [f"return b == 0 ? 0 : b == -1 ? {neg} : a / b;"]
            else:
                body = [f"return b == 0 ? 0 : {wrap('a / b')};"]
            why = "x / 0 gives 0 and INT_MIN / -1 wraps"
        elif k == "mod":
            cond = "b == 0 || b == -1" if t.is_signed else "b == 0"
            body = [f"return {cond} ? 0 : {wrap('a % b')};"]
            why = "x % 0 gives 0; the remainder has the sign of the dividend"
        elif k == "shl":
            body = [f"return ({U})b >= {B} ? 0 : ({T})(({U})a << b);"]
            why = "the count is read as unsigned and a count >= the width gives 0, as PTX shl"
        elif k == "shr":
            fill = "(a < 0 ? -1 : 0)" if t.is_signed else "0"
            body = [f"return ({U})b >= {B} ? {fill} : {wrap('a >> b')};"]
            why = "a count >= the width fills with the sign bit, as PTX shr"
        elif k == "floordiv":
            if t.is_signed:
                body = ["if (b == 0) return 0;",
                        f"if (b == -1) return {neg};",
                        f"{T} q = {wrap('a / b')};",
                        "return a % b != 0 && (a < 0) != (b < 0) ? q - 1 : q;"]
            else:
                body = [f"return b == 0 ? 0 : {wrap('a / b')};"]
            why = "Python's floor division; x // 0 gives 0"
        else:
            if t.is_signed:
                body = ["if (b == 0 || b == -1) return 0;",
                        f"{T} r = {wrap('a % b')};",
                        f"return r != 0 && (r < 0) != (b < 0) ? {wrap('r + b')} : r;"]
            else:
                body = [f"return b == 0 ? 0 : {wrap('a % b')};"]
            why = "Python's modulo (sign of the divisor); x % 0 gives 0"
    lines = [f"// C semantics (portable/semantics.py): {why}",
             f"{d.device_fn} {T} {h.name}({T} a, {T} b)", "{"]
    lines += [d.indent + x for x in body] + ["}"]
    return "\n".join(lines) + "\n"


def update_ir(op: Op, t: Scalar) -> ir.Expr:
    """CUDA's new value of an atomic, from `old`, `val` (and `cmp`), as IR."""
    old, val, cmp = ir.Var("old", t), ir.Var("val", t), ir.Var("cmp", t)
    one, zero = ir.const(1, t), ir.const(0, t)
    match op:
        case Op.ATOMIC_ADD | Op.ATOMIC_SUB | Op.ATOMIC_AND | Op.ATOMIC_OR | Op.ATOMIC_XOR:
            bop = {Op.ATOMIC_ADD: Op.ADD, Op.ATOMIC_SUB: Op.SUB, Op.ATOMIC_AND: Op.AND,
                   Op.ATOMIC_OR: Op.OR, Op.ATOMIC_XOR: Op.XOR}[op]
            return ir.Binary(bop, old, val, t)
        case Op.ATOMIC_MIN:
            return ir.Select(ir.Compare(Op.LT, val, old), val, old, t)
        case Op.ATOMIC_MAX:
            return ir.Select(ir.Compare(Op.GT, val, old), val, old, t)
        case Op.ATOMIC_EXCH:
            return val
        case Op.ATOMIC_CAS:
            return ir.Select(ir.Compare(Op.EQ, old, cmp), val, old, t)
        case Op.ATOMIC_INC:
            return ir.Select(ir.Compare(Op.GE, old, val), zero, ir.Binary(Op.ADD, old, one, t), t)
        case Op.ATOMIC_DEC:
            c = ir.Binary(Op.LOR, ir.Compare(Op.EQ, old, zero), ir.Compare(Op.GT, old, val), BOOL)
            return ir.Select(c, val, ir.Binary(Op.SUB, old, one, t), t)
    raise KeyError(op)


def _atomic(d: Dialect, h: Helper, legal: Legal) -> str:
    from portable.backends.cfamily.render import Renderer

    op = Op[h.kind.upper()]
    t: Scalar = h.type
    space = h.space or Space.GLOBAL
    T, bt = d.type(t), d.bits_type(t)
    U = d.type(bt)
    update = Renderer(d, legal).expr(update_ir(op, t))
    cmp = f", {T} cmp" if op is Op.ATOMIC_CAS else ""
    ptr, vptr = d.helper_pointer(t, space), d.helper_pointer(bt, space, volatile=True)
    i = d.indent
    return "\n".join([
        f"// {legal.notes.get(h.name, 'PORT6101')}",
        f"{d.device_fn} {T} {h.name}({ptr}address{cmp}, {T} val)", "{",
        f"{i}{vptr}bits = ({vptr})address;",
        f"{i}{U} assumed, prev = {d.atomic_first('bits', bt)};",
        f"{i}do {{",
        f"{i}{i}assumed = prev;",
        f"{i}{i}{T} old = {d.from_bits('assumed', t)};",
        f"{i}{i}prev = {d.cas('bits', 'assumed', d.as_bits(update, t), bt, space)};",
        f"{i}}} while (prev != assumed);",
        f"{i}return {d.from_bits('prev', t)};",
        "}",
    ]) + "\n"
