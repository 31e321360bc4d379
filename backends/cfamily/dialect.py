"""The dialect table every C-family target fills in; the defaults are CUDA C++ spellings.

A dialect says how a construct is spelled: kernel prefix, qualifiers, index builtins, barrier,
fences, atomics, shuffles and votes, type and math names, prelude. Targets override the table
entries that differ (tens of lines each: see cuda.py, hip.py, sycl.py, opencl.py).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from portable import ir
from portable.ir import Op, Sreg
from portable.types import (
    F32,
    F64,
    I64,
    U32,
    U64,
    Array,
    Pointer,
    Scalar,
    Space,
    Struct,
    Type,
    Vector,
    Void,
)

if TYPE_CHECKING:
    from portable.backends.cfamily.legalize import Helper, Legal

_ATOMIC_VERB = {
    Op.ATOMIC_ADD: "Add", Op.ATOMIC_SUB: "Sub", Op.ATOMIC_MIN: "Min", Op.ATOMIC_MAX: "Max",
    Op.ATOMIC_EXCH: "Exch", Op.ATOMIC_CAS: "CAS", Op.ATOMIC_AND: "And", Op.ATOMIC_OR: "Or",
    Op.ATOMIC_XOR: "Xor", Op.ATOMIC_INC: "Inc", Op.ATOMIC_DEC: "Dec",
}


class Dialect:
    """CUDA C++ spellings; subclasses override what their target spells differently."""

    name = "cuda"
    ext = ".cu"
    indent = "    "
    body_depth = 1
    kernel_prefix = 'extern "C" __global__ void'
    device_fn = "__device__ __forceinline__"
    restrict = "__restrict__"
    struct_prefix = ""  # C++ names a struct by its tag alone
    # what legalize must rewrite before this dialect can print the kernel
    globals_as_params = False
    warp_scratch = False  # shuffles and votes go through local-memory helpers
    warp_size_literal = False  # print warpSize as 32 (targets whose hardware width differs)
    typed_specials = False  # index builtins are size_t functions, printed with a cast
    packed_vec3 = False  # 3-vectors are 16 bytes: memory keeps them packed (vload3/vstore3)
    helper_calls: frozenset[str] = frozenset()  # intrinsics this dialect spells as helpers
    reserved: frozenset[str] = frozenset()
    includes = ""
    printf_fn = "printf"
    math_ns = ""  # the namespace of OpenCL-style math and integer builtins (sycl::)

    TYPES = {
        "bool": "bool", "i8": "signed char", "i16": "short", "i32": "int", "i64": "long long",
        "u8": "unsigned char", "u16": "unsigned short", "u32": "unsigned int",
        "u64": "unsigned long long", "f16": "__half", "f32": "float", "f64": "double",
    }
    VECTOR_BASE = {
        "i8": "char", "u8": "uchar", "i16": "short", "u16": "ushort", "i32": "int",
        "u32": "uint", "i64": "longlong", "u64": "ulonglong", "f32": "float", "f64": "double",
    }
    INT_SUFFIX = {"i64": "ll", "u64": "ull", "u32": "u"}

    # ------------------------------------------------------------ names and types

    def ident(self, n: str) -> str:
        return n + "_" if n in self.reserved else n

    def type(self, t: Type) -> str:
        if isinstance(t, Scalar):
            return self.TYPES[str(t)]
        if isinstance(t, Vector):
            return f"{self.VECTOR_BASE[str(t.elem)]}{t.n}"
        if isinstance(t, Struct):
            return self.struct_prefix + t.name
        if isinstance(t, Void):
            return "void"
        if isinstance(t, Pointer):
            return self.pointer(t) + "*"
        raise TypeError(f"{self.name}: no spelling for type {t}")

    def pointer(self, t: Pointer) -> str:
        """The pointer type up to and including the space before '*': 'const float '."""
        return f"{'const ' if t.const else ''}{self.type(t.elem)} "

    def declare(self, name: str, t: Type, space: Space | None) -> str:
        """A declarator: 'float x', 'float *p', 'float a[4][4]'."""
        n = self.ident(name)
        if isinstance(t, Array):
            return f"{self.type(t.elem)} {n}" + "".join(f"[{d}]" for d in t.shape)
        if isinstance(t, Pointer):
            return f"{self.pointer(t)}*{n}"
        return f"{self.type(t)} {n}"

    def param(self, p: ir.Param) -> str:
        if isinstance(p.type, Pointer):
            r = f"{self.restrict} " if p.type.restrict else ""
            return f"{self.pointer(p.type)}*{r}{self.ident(p.name)}"
        return self.declare(p.name, p.type, None)

    def shared_decl(self, name: str, t: Type) -> str:
        return f"__shared__ {self.declare(name, t, Space.SHARED)}"

    def dynamic_shared_decl(self, name: str, t: Array) -> str:
        return f"extern __shared__ {self.type(t.elem)} {self.ident(name)}[]"

    def struct_def(self, t: Struct) -> str:
        fields = "".join(f"{self.indent}{self.declare(n, ft, None)};\n" for n, ft in t.fields)
        return f"struct {t.name}\n{{\n{fields}}};"

    def global_decl(self, name: str, t: Type) -> str:
        space = t.space if isinstance(t, Array) else Space.GLOBAL
        q = "__constant__" if space is Space.CONSTANT else "__device__"
        return f"{q} {self.declare(name, t, None)}"

    # ------------------------------------------------------------ values

    def const(self, value, t: Type) -> str:
        if isinstance(t, Pointer) and value == 0:
            return "0"  # the null pointer constant, in every C dialect
        if not isinstance(t, Scalar):
            raise TypeError(f"constant of type {t}")
        if t.is_bool:
            return "true" if value else "false"
        if t.is_float:
            return self.float_const(float(value), t)
        v = int(value)
        key = str(t)
        if not t.is_signed:
            v &= (1 << t.bits) - 1
            if v >= 1 << 31:  # masks read better in hex
                return f"0x{v:x}{self.INT_SUFFIX.get(key, '')}"
        if t.is_signed and v == t.min and t.bits >= 32:
            return f"({v + 1}{self.INT_SUFFIX.get(key, '')} - 1)"
        text = f"{v}{self.INT_SUFFIX.get(key, '')}"
        return text if t.bits >= 32 else f"({self.type(t)}){text}"

    def float_const(self, v: float, t: Scalar) -> str:
        suffix = "f" if t == F32 else ""
        if math.isnan(v):
            return f"({self.type(t)})NAN"
        if math.isinf(v):
            return f"{'-' if v < 0 else ''}({self.type(t)})INFINITY"
        text = repr(float(np.float32(v))) if t == F32 else repr(v)
        if "e" not in text and "." not in text:
            text += ".0"
        if t.bits == 16:
            return f"({self.type(t)}){text}f"
        return text + suffix

    def narrow(self, text: str, t: Type) -> str:
        """C promotes 8/16-bit integers to int; the IR wraps at the type's width."""
        if isinstance(t, Scalar) and t.is_int and t.bits < 32:
            return f"({self.type(t)})({text})"
        return text

    def cast(self, inner: str, plain: str, src: Type, dst: Type) -> str:
        """`inner` is the operand printed for a unary context, `plain` without parentheses."""
        if isinstance(src, Scalar) and src.is_float and isinstance(dst, Scalar) and dst.is_int:
            return self.float_to_int(plain, src, dst)
        return f"({self.type(dst)}){inner}"

    def float_to_int(self, x: str, src: Scalar, dst: Scalar) -> str:
        # C semantics (cvt.rzi.sat): truncate and saturate, NaN -> 0; these intrinsics say so.
        s = "float" if src == F32 else "double"
        d = {32: "int", 64: "ll"}.get(dst.bits, "int")
        if dst.bits >= 32:
            return f"__{s}2{'u' if not dst.is_signed else ''}{d}_rz({x})"
        lo, hi = int(dst.min), int(dst.max)
        return f"({self.type(dst)})min(max(__{s}2int_rz({x}), {lo}), {hi})"

    def field(self, value: str, name: str) -> str:
        return f"{value}.{name}"

    def pack(self, t: Type, values: list[str]) -> str:
        if isinstance(t, Vector):
            return f"make_{self.type(t)}({', '.join(values)})"
        return f"{self.type(t)}{{{', '.join(values)}}}"

    # ------------------------------------------------------------ builtins

    SPECIAL = {Sreg.TID: "threadIdx", Sreg.NTID: "blockDim", Sreg.CTAID: "blockIdx",
               Sreg.NCTAID: "gridDim"}

    def special(self, reg: Sreg, dim: int, t: Type) -> str:
        if reg is Sreg.WARPSIZE:
            return "32" if self.warp_size_literal else "warpSize"
        return f"{self.SPECIAL[reg]}.{'xyz'[dim]}"

    def call(self, fn: str, args: list[str], argtypes: tuple[Type, ...], rtype: Type) -> str:
        t = argtypes[0] if argtypes else rtype
        a = ", ".join(args)
        if isinstance(t, Scalar) and t.is_int:
            wide = t.bits == 64
            small = 32 - t.bits
            u = f"(unsigned {self.TYPES['u' + str(t.bits)[1:]].split()[-1]})" if small else ""
            match fn:
                case "min" | "max":
                    return f"{fn}({a})"
                case "abs":
                    return f"{'llabs' if wide else 'abs'}({a})"
                case "popc" | "ffs":
                    return f"__{fn}{'ll' if wide else ''}({u}{args[0]})"
                case "clz":
                    r = f"__clz{'ll' if wide else ''}({u}{args[0]})"
                    return f"({r} - {small})" if small else r
                case "brev":
                    r = f"__brev{'ll' if wide else ''}({u}{args[0]})"
                    return f"({self.type(t)})({r} >> {small})" if small else r
                case "mulhi":
                    return f"__{'u' if not t.is_signed else ''}mul{'64' if wide else ''}hi({a})"
                case "mul24":
                    return f"__{'u' if not t.is_signed else ''}mul24({a})"
        return self.float_call(fn, args, t)

    MATH_RENAME = {"saturate": "__saturatef"}

    def float_call(self, fn: str, args: list[str], t: Type) -> str:
        a = ", ".join(args)
        if fn in ("isnan", "isinf", "isfinite", "signbit"):
            return f"{fn}({a})"
        if fn in self.MATH_RENAME:
            return f"{self.MATH_RENAME[fn]}({a})"
        return f"{fn}{'f' if t == F32 else ''}({a})"

    # atomics: (op, type) pairs the hardware API has; everything else becomes a CAS-loop helper
    NATIVE_ATOMICS: dict[Op, frozenset[str]] = {
        Op.ATOMIC_ADD: frozenset({"i32", "u32", "i64", "u64", "f32", "f64"}),
        Op.ATOMIC_SUB: frozenset({"i32", "u32"}),
        Op.ATOMIC_MIN: frozenset({"i32", "u32", "i64", "u64"}),
        Op.ATOMIC_MAX: frozenset({"i32", "u32", "i64", "u64"}),
        Op.ATOMIC_EXCH: frozenset({"i32", "u32", "i64", "u64", "f32"}),
        Op.ATOMIC_CAS: frozenset({"i32", "u32", "i64", "u64"}),
        Op.ATOMIC_AND: frozenset({"i32", "u32", "i64", "u64"}),
        Op.ATOMIC_OR: frozenset({"i32", "u32", "i64", "u64"}),
        Op.ATOMIC_XOR: frozenset({"i32", "u32", "i64", "u64"}),
        Op.ATOMIC_INC: frozenset({"u32"}),
        Op.ATOMIC_DEC: frozenset({"u32"}),
    }

    def atomic_native(self, op: Op, t: Type, space: Space) -> bool:
        return str(t) in self.NATIVE_ATOMICS[op]

    def atomic(self, op: Op, addr: str, value: str, cmp: str | None, t: Type, lvalue: str) -> str:
        args = f"{addr}, {cmp}, {value}" if cmp is not None else f"{addr}, {value}"
        if t == I64 and op not in (Op.ATOMIC_MIN, Op.ATOMIC_MAX):
            # CUDA has these for unsigned long long only; the bits are the same
            ull = "unsigned long long"
            vals = f"({ull}){cmp}, ({ull}){value}" if cmp is not None else f"({ull}){value}"
            return f"(long long)atomic{_ATOMIC_VERB[op]}(({ull} *){addr}, {vals})"
        return f"atomic{_ATOMIC_VERB[op]}({args})"

    def shuffle(self, op: Op, mask: str, value: str, lane: str, width: str | None,
                t: Type) -> str:
        name = {Op.SHFL_IDX: "__shfl_sync", Op.SHFL_UP: "__shfl_up_sync",
                Op.SHFL_DOWN: "__shfl_down_sync", Op.SHFL_XOR: "__shfl_xor_sync"}[op]
        w = f", {width}" if width is not None else ""
        return f"{name}({mask}, {value}, {lane}{w})"

    def vote(self, op: Op, mask: str | None, pred: str | None, t: Type) -> str:
        return {
            Op.VOTE_ALL: f"__all_sync({mask}, {pred})", Op.VOTE_ANY: f"__any_sync({mask}, {pred})",
            Op.VOTE_BALLOT: f"__ballot_sync({mask}, {pred})", Op.ACTIVEMASK: "__activemask()",
            Op.SYNC_COUNT: f"__syncthreads_count({pred})",
            Op.SYNC_AND: f"__syncthreads_and({pred})", Op.SYNC_OR: f"__syncthreads_or({pred})",
        }[op]

    def barrier(self, op: Op, mask: str | None) -> list[str]:
        return [{
            Op.BARRIER_BLOCK: "__syncthreads()", Op.BARRIER_WARP: f"__syncwarp({mask or ''})",
            Op.FENCE_BLOCK: "__threadfence_block()", Op.FENCE_DEVICE: "__threadfence()",
            Op.FENCE_SYSTEM: "__threadfence_system()",
        }[op]]

    def printf(self, fmt: str, args: list[str]) -> str:
        lit = fmt.encode("unicode_escape").decode().replace('"', '\\"')
        return f'{self.printf_fn}("{lit}"{"".join(", " + a for a in args)})'

    # ------------------------------------------------------------ kernel frame

    def kernel_open(self, fn: ir.Function, legal: Legal) -> list[str]:
        params = [self.param(p) for p in fn.params]
        return [f"{self.kernel_prefix} {self.ident(fn.name)}({', '.join(params)})", "{"]

    def kernel_scope(self, legal: Legal) -> list[str]:
        return []

    def kernel_notes(self, legal: Legal, depth: int = 1) -> list[str]:
        """Comments for what legalisation changed about the whole kernel (PORT6105)."""
        return [f"{self.indent * depth}// {d.code}: {d.message}" for d in legal.diagnostics
                if d.code == "PORT6105"]

    def kernel_close(self, fn: ir.Function, legal: Legal) -> list[str]:
        return ["}"]

    def prelude(self, legal: Legal) -> str:
        """Text before the kernels: includes, struct definitions, helpers."""
        return self.includes

    # ------------------------------------------------------------ helpers

    def as_bits(self, x: str, t: Scalar) -> str:
        return {F32: f"__float_as_uint({x})", F64: f"__double_as_longlong({x})"}.get(
            t, f"({self.type(self.bits_type(t))}){x}")

    def from_bits(self, x: str, t: Scalar) -> str:
        if t == F64:
            return f"__longlong_as_double((long long){x})"
        return {F32: f"__uint_as_float({x})"}.get(t, f"({self.type(t)}){x}")

    def bits_type(self, t: Scalar) -> Scalar:
        return U64 if t.bits == 64 else U32

    def cas(self, ptr: str, cmp: str, val: str, bt: Scalar, space: Space) -> str:
        return f"atomicCAS({ptr}, {cmp}, {val})"

    def atomic_first(self, ptr: str, bt: Scalar) -> str:
        """The CAS loop's first guess at the old bits (PTX reads a volatile load as relaxed)."""
        return f"*{ptr}"

    def helper_pointer(self, t: Scalar, space: Space, volatile: bool = False) -> str:
        return f"{self.type(t)} *"

    def helper_deps(self, h: Helper) -> list[Helper]:
        """Helpers that `h`'s text calls, defined before it."""
        return []

    def vec3_helpers(self) -> str:
        """Definitions of vload3/vstore3 for packed 3-vectors (PORT6105), if not builtins."""
        return ""

    def helper_text(self, h: Helper, legal: Legal) -> str:
        from portable.backends.cfamily import helpers

        return helpers.text(self, h, legal)

    def thread_id(self) -> str:
        """The linear thread index in the block, as CUDA numbers lanes into warps."""
        return "(threadIdx.x + blockDim.x * (threadIdx.y + blockDim.y * threadIdx.z))"

