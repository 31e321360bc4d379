"""Unit tier: IR nodes, traversal, Transformer and the canonical printer."""

from __future__ import annotations

import dataclasses
import textwrap

import pytest

from portable import ir, printer
from portable.errors import Loc
from portable.types import BOOL, F32, I32, U32, Array, Pointer, Space, Vector

Op = ir.Op
TID = ir.Special(ir.Sreg.TID, 0, U32)
X = ir.Param("x", Pointer(F32, const=True, restrict=True))
Y = ir.Param("y", Pointer(F32))
N = ir.Param("n", I32)


def sample() -> ir.Function:
    i, s = ir.Var("i", I32), ir.Var("s", F32)
    sh = ir.Var("tile", Array(F32, (4, 8), Space.SHARED))
    return ir.Function("k", (X, Y, N), (
        ir.Decl(i, ir.Cast(TID, I32, loc=Loc("a.cu", 2, 5))),
        ir.Decl(s),
        ir.If(ir.Compare(Op.LT, i, N), (
            ir.Assign(s, ir.Load(X, (i,), F32)),
        ), (
            ir.Assign(s, ir.const(-1.5, F32)),
            ir.If(ir.Compare(Op.EQ, i, N), (ir.Assign(s, ir.const(2.0, F32)),)),
        )),
        ir.Store(sh, (ir.const(0), ir.Binary(Op.MOD, i, ir.const(8), I32)), s),
        ir.Barrier(),
        ir.For(ir.Var("j", I32), ir.const(0), N, ir.const(2), (
            ir.If(ir.Binary(Op.LAND, ir.TRUE, ir.Compare(Op.GT, i, ir.const(3)), BOOL),
                  (ir.Continue(),)),
            ir.ExprStmt(ir.Atomic(Op.ATOMIC_ADD, Y, (ir.Var("j", I32),), s, F32)),
        )),
        ir.DoWhile((ir.Break(),), ir.FALSE),
        ir.While(ir.Compare(Op.NE, i, i), (ir.Break(),)),
        ir.Store(Y, (i,), ir.Select(ir.Compare(Op.GE, s, s), ir.Call("sqrt", (s,), F32),
                                    ir.Unary(Op.NEG, s, F32), F32)),
        ir.Return(),
    ), shared=(sh,))


EXPECTED = """\
kernel k(%x: ptr<f32, global, const, restrict>, %y: ptr<f32, global>, %n: i32) {
  shared tile: shared f32[4][8]
  var i: i32 = i32(threadIdx.x)
  var s: f32
  if (i < %n) {
    s = %x[i]
  } else {
    s = -1.5:f32
    if (i == %n) {
      s = 2.0:f32
    }
  }
  tile[0:i32][(i % 8:i32)] = s
  syncthreads
  for j: i32 = 0:i32; j < %n; += 2:i32 {
    if (true:bool && (i > 3:i32)) {
      continue
    }
    atomic_add:f32(&%y[j], s)
  }
  do {
    break
  } while false:bool
  while (i != i) {
    break
  }
  %y[i] = ((s >= s) ? sqrt:f32(s) : (-s))
  return
}"""


def test_printer_canonical_form():
    assert str(sample()) == EXPECTED


def test_printer_is_deterministic_and_ignores_locs():
    a, b = sample(), sample()
    assert str(a) == str(b)
    moved = dataclasses.replace(a, body=tuple(dataclasses.replace(s, loc=Loc("z.cu", 9, 9))
                                              for s in a.body))
    assert moved == a  # locations do not take part in equality ...
    assert str(moved) == str(a)  # ... nor in the text
    m = ir.ModuleIR((a,), (ir.GlobalVar("tab", Array(F32, (3,), Space.CONSTANT),
                                        Space.CONSTANT, (1.0, 2.0)),))
    assert str(m).startswith("constant @tab: constant f32[3] = [1.0, 2.0]\n\nkernel k(")
    assert str(m) == printer.module(m)


def test_printer_expressions():
    v = ir.Var("v", Vector(F32, 4))
    assert printer.expr(ir.Field(v, "y", F32)) == "v.y"
    assert printer.expr(ir.Special(ir.Sreg.WARPSIZE, 0, I32)) == "warpSize"
    assert printer.expr(ir.Special(ir.Sreg.CTAID, 2, U32)) == "blockIdx.z"
    assert printer.expr(ir.Const(True, BOOL)) == "true:bool"
    assert printer.expr(ir.const(3, F32)) == "3.0:f32"
    cas = ir.Atomic(Op.ATOMIC_CAS, Y, (N,), ir.const(1.0, F32), F32, ir.const(0.0, F32))
    assert printer.expr(cas) == "atomic_cas:f32(&%y[%n], 0.0:f32, 1.0:f32)"
    with pytest.raises(TypeError):
        printer.expr(object())  # type: ignore[arg-type]


def test_nodes_are_frozen_and_compare_by_value():
    a = ir.Binary(Op.ADD, N, ir.const(1), I32, loc=Loc("a.cu", 1, 1))
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.op = Op.SUB  # type: ignore[misc]
    assert a == ir.Binary(Op.ADD, N, ir.const(1), I32)
    assert hash(a) == hash(ir.Binary(Op.ADD, N, ir.const(1), I32))
    assert ir.const(2, F32) == ir.Const(2.0, F32) and isinstance(ir.const(2, F32).value, float)


def test_op_categories_partition():
    # NEG and SUB share the C spelling "-" but are distinct ops
    assert Op.SUB is not Op.NEG and Op.NEG.symbol == Op.SUB.symbol == "-"
    cats = [ir.UNARY, ir.ARITH, ir.BITWISE, ir.LOGICAL, ir.COMPARE, ir.ATOMIC,
            ir.SHUFFLE, ir.VOTE, ir.SYNC]
    seen: set[ir.Op] = set()
    for c in cats:
        assert not (seen & c)
        seen |= c
    assert seen == set(Op)


def test_walk_visits_in_evaluation_order():
    e = ir.Binary(Op.SUB, ir.Load(X, (N,), F32), ir.Call("exp", (ir.const(1.0, F32),), F32), F32)
    kinds = [type(n).__name__ for n in ir.walk(e)]
    assert kinds == ["Binary", "Load", "Param", "Param", "Call", "Const"]
    names = [n.var.name for n in ir.walk(sample()) if isinstance(n, ir.Decl)]
    assert names == ["i", "s"]


def test_transformer_rebuilds_and_splices():
    fn = sample()

    class Rename(ir.Transformer):
        def visit_Var(self, e):
            return dataclasses.replace(e, name="ii") if e.name == "i" else e

        def visit_Barrier(self, s):
            return (s, s)  # a tuple splices several statements

    out = Rename().function(fn)
    text = str(out)
    assert " i " not in text and "var ii: i32" in text
    assert text.count("syncthreads") == 2
    assert ir.Transformer().function(fn) == fn  # the identity transform


def test_expected_text_is_stable_across_runs():
    # the golden form is plain text: dedent-stable and free of object ids
    assert "0x" not in EXPECTED and textwrap.dedent(EXPECTED) == EXPECTED
