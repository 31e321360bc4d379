"""Unit tier: every verifier rule has a failing case; uniformity and barrier placement."""

from __future__ import annotations

import dataclasses

import pytest

from portable import ir
from portable.analysis.uniformity import check_barriers, uniformity
from portable.errors import Loc, PortError
from portable.passes import pipeline
from portable.types import BOOL, F32, F64, I32, I64, U32, U64, Array, Pointer, Space, Vector
from portable.verify import verify_module

Op, Sreg = ir.Op, ir.Sreg


def L(line: int, col: int = 1) -> Loc:
    return Loc("t.cu", line, col)


TID = ir.Special(Sreg.TID, 0, U32)
BID = ir.Special(Sreg.CTAID, 0, U32)
X = ir.Param("x", Pointer(F32))
CX = ir.Param("cx", Pointer(F32, const=True))
N = ir.Param("n", I32)
PARAMS = (X, CX, N)
SH = ir.Var("sh", Array(F32, (64,), Space.SHARED))


def i32(v: int) -> ir.Const:
    return ir.const(v, I32)


def f32(v: float) -> ir.Const:
    return ir.const(v, F32)


def var(name: str, t=I32) -> ir.Var:
    return ir.Var(name, t)


def kernel(*body: ir.Stmt, params=PARAMS, **kw) -> ir.Function:
    return ir.Function("k", params, tuple(body), shared=(SH,), **kw)


def module(*fns: ir.Function, globals_=()) -> ir.ModuleIR:
    return ir.ModuleIR(tuple(fns), tuple(globals_), "t.cu")


def fails(m_or_fn, rule: str, line: int = 7) -> PortError:
    m = m_or_fn if isinstance(m_or_fn, ir.ModuleIR) else module(m_or_fn)
    with pytest.raises(PortError) as ei:
        verify_module(m, stage="teststage")
    e = ei.value
    assert e.code == "PORT2002"
    msg = str(e)
    assert rule in msg, msg
    assert "teststage" in msg
    if line:
        assert e.loc.line == line, msg
    return e


def at(stmt: ir.Stmt, line: int = 7) -> ir.Stmt:
    return dataclasses.replace(stmt, loc=L(line))


def ex(e: ir.Expr) -> ir.Stmt:
    return ir.ExprStmt(e, loc=L(7))


# ------------------------------------------------------------ a valid kernel passes


def valid_kernel() -> ir.Function:
    i, acc = var("i"), var("acc", F32)
    return kernel(
        ir.Decl(i, ir.Cast(TID, I32)),
        ir.Decl(acc, f32(0.0)),
        ir.For(var("j"), i32(0), N, i32(1), (
            ir.Assign(acc, ir.Binary(Op.ADD, acc, ir.Load(CX, (var("j"),), F32), F32)),
        )),
        ir.Store(SH, (i,), acc),
        ir.Barrier(),
        ir.If(ir.Compare(Op.LT, i, N), (ir.Store(X, (i,), ir.Load(SH, (i,), F32)),)),
        ir.ExprStmt(ir.Atomic(Op.ATOMIC_ADD, X, (i32(0),), acc, F32)),
    )


def test_valid_kernel_passes():
    verify_module(module(valid_kernel()), "frontend")


# ------------------------------------------------------------ one failing case per rule


BAD_EXPRS = {
    "does not fit i32": ir.Const(2**31, I32, loc=L(7)),
    "constant holds float": ir.Const(1.5, I32, loc=L(7)),
    "used before its declaration": ir.Var("nope", I32, loc=L(7)),
    "unknown parameter": ir.Param("nope", I32, loc=L(7)),
    "unknown module variable": ir.Global("g", I32, loc=L(7)),
    "bad dimension": ir.Special(Sreg.TID, 3, U32, loc=L(7)),
    "! takes and gives bool": ir.Unary(Op.LNOT, N, BOOL, loc=L(7)),
    "~ needs an integer": ir.Unary(Op.BNOT, f32(1), F32, loc=L(7)),
    "needs numeric operands of the result type":
        ir.Binary(Op.ADD, N, ir.const(1, I64), I32, loc=L(7)),
    "&& takes and gives bool": ir.Binary(Op.LAND, N, N, I32, loc=L(7)),
    "<< needs integer operands": ir.Binary(Op.SHL, f32(1), f32(1), F32, loc=L(7)),
    "integer/bool operands": ir.Binary(Op.AND, f32(1), f32(1), F32, loc=L(7)),
    "pointer arithmetic is pointer +/- integer": ir.Binary(Op.ADD, X, f32(1), X.type, loc=L(7)),
    "operands of one scalar type": ir.Compare(Op.LT, N, ir.const(1, U32), loc=L(7)),
    "a comparison gives bool": ir.Compare(Op.LT, N, N, I32, loc=L(7)),
    "select condition is bool": ir.Select(N, N, N, I32, loc=L(7)),
    "must have the result type": ir.Select(ir.TRUE, N, f32(1), I32, loc=L(7)),
    "only scalar<->scalar": ir.Cast(X, I64, loc=L(7)),
    "not a pointer or array": ir.Load(N, (N,), I32, loc=L(7)),
    "needs 1": ir.Load(X, (N, N), F32, loc=L(7)),
    "needs an integer": ir.Load(X, (f32(0),), F32, loc=L(7)),
    "load of f32 typed": ir.Load(X, (N,), I32, loc=L(7)),
    "address of a f32 element": ir.AddrOf(X, (N,), Pointer(I32), loc=L(7)),
    "CUDA has no atomic_inc on f32": ir.Atomic(Op.ATOMIC_INC, X, (N,), f32(1), F32, loc=L(7)),
    "atomic_cas needs a compare": ir.Atomic(Op.ATOMIC_CAS, ir.Param("u", Pointer(U32)),
                                            (N,), ir.const(1, U32), U32, loc=L(7)),
    "takes no compare value": ir.Atomic(Op.ATOMIC_ADD, X, (N,), f32(1), F32, f32(0), loc=L(7)),
    "store through a const pointer": ir.Atomic(Op.ATOMIC_ADD, CX, (N,), f32(1), F32, loc=L(7)),
    "atomic on f32 with value f64": ir.Atomic(Op.ATOMIC_ADD, X, (N,), ir.const(1, F64), F32,
                                              loc=L(7)),
    "sqrt takes 1 arguments": ir.Call("sqrt", (f32(1), f32(2)), F32, loc=L(7)),
    "does not take i32": ir.Call("sqrt", (N,), I32, loc=L(7)),
    "popc(u32) gives i32": ir.Call("popc", (ir.const(1, U32),), U32, loc=L(7)),
    "call to unknown function": ir.Call("nosuch", (), I32, loc=L(7)),
    "unknown shuffle op": ir.Shuffle(Op.ADD, ir.const(1, U32), N, N, N, I32, loc=L(7)),
    "ballot gives u32": ir.Vote(Op.VOTE_BALLOT, ir.const(1, U32), ir.TRUE, I32, loc=L(7)),
    "needs a predicate": ir.Vote(Op.VOTE_ANY, ir.const(1, U32), None, BOOL, loc=L(7)),
    "no field w": ir.Field(ir.Pack((f32(1), f32(2)), Vector(F32, 2)), "w", F32, loc=L(7)),
    "pack values do not match": ir.Pack((f32(1),), Vector(F32, 2), loc=L(7)),
}


@pytest.mark.parametrize("rule", list(BAD_EXPRS))
def test_expression_rule_fails(rule):
    m = module(kernel(ex(BAD_EXPRS[rule]),
                      params=PARAMS + (ir.Param("u", Pointer(U32)),)))
    fails(m, rule)


def test_unknown_op_fails():
    fails(kernel(ex(ir.Unary(Op.ADD, N, I32, loc=L(7)))), "unknown unary op")
    fails(kernel(ex(ir.Binary(Op.LT, N, N, I32, loc=L(7)))), "unknown binary op")
    fails(kernel(ex(ir.Compare(Op.ADD, N, N, loc=L(7)))), "unknown compare op")
    fails(kernel(at(ir.Barrier(Op.ADD))), "unknown barrier op")


def test_unknown_node_class_fails():
    @dataclasses.dataclass(frozen=True, slots=True)
    class Mystery(ir.Expr):
        type: ir.Type = I32
        loc: Loc = L(7)

    fails(kernel(ex(Mystery())), "unknown node class Mystery")


def test_atomic_type_table_follows_cuda():
    f64p = ir.Param("d", Pointer(F64))
    ok = ir.Atomic(Op.ATOMIC_ADD, f64p, (N,), ir.const(1.0, F64), F64)
    verify_module(module(kernel(ir.ExprStmt(ok), params=PARAMS + (f64p,))))
    bad = ir.Atomic(Op.ATOMIC_SUB, f64p, (N,), ir.const(1.0, F64), F64, loc=L(7))
    fails(module(kernel(ir.ExprStmt(bad, loc=L(7)), params=PARAMS + (f64p,))),
          "CUDA has no atomic_sub on f64")
    u64p = ir.Param("q", Pointer(U64))
    cas = ir.Atomic(Op.ATOMIC_CAS, u64p, (N,), ir.const(1, U64), U64, ir.const(0, U64))
    verify_module(module(kernel(ir.ExprStmt(cas), params=PARAMS + (u64p,))))


BAD_STMTS = {
    "declared twice": (ir.Decl(var("a"), i32(0)), at(ir.Decl(var("a"), i32(1)))),
    "initialised with f32": (at(ir.Decl(var("a"), f32(0))),),
    "assigned f32": (ir.Decl(var("a"), i32(0)), at(ir.Assign(var("a"), f32(1)))),
    "assignment to array": (ir.Decl(var("arr", Array(I32, (4,))), None),
                            at(ir.Assign(var("arr", Array(I32, (4,))), i32(0)))),
    "used outside the block that declares it": (
        ir.If(ir.TRUE, (ir.Decl(var("a"), i32(0)),)),
        at(ir.Assign(var("b"), i32(0))) if False else ir.ExprStmt(ir.Var("a", I32, loc=L(7)))),
    "used as f32, declared i32": (ir.Decl(var("a"), i32(0)),
                                  ir.ExprStmt(ir.Var("a", F32, loc=L(7)))),
    "store of f32 into i32": (at(ir.Store(ir.Param("u", Pointer(I32)), (N,), f32(1))),),
    "store through a const pointer": (at(ir.Store(CX, (N,), f32(1))),),
    "store into __constant__ memory": (
        at(ir.Store(ir.Param("c", Pointer(F32, Space.CONSTANT)), (N,), f32(1))),),
    "condition of type i32": (at(ir.If(N, ())),),
    "loop counter j assigned": (at(ir.For(var("j"), i32(0), N, i32(1), (
        at(ir.Assign(var("j"), i32(3))),))),),
    "for counter j has an integer type": (at(ir.For(var("j", F32), f32(0), f32(1), f32(1), ())),),
    "for bound i64 for i32": (at(ir.For(var("j"), i32(0), ir.const(4, I64), i32(1), ())),),
    "break outside a loop": (at(ir.Break()),),
    "continue outside a loop": (ir.If(ir.TRUE, (at(ir.Continue()),)),),
    "return with a value in void function": (at(ir.Return(i32(0))),),
    "takes no mask": (at(ir.Barrier(Op.BARRIER_BLOCK, ir.const(1, U32))),),
    "a declared array is a fixed-size local array": (
        at(ir.Decl(var("s2", Array(F32, (4,), Space.SHARED)))),),
    "printf argument of type": (at(ir.Print("%d", (ir.Var("sh", SH.type),))),),
}


@pytest.mark.parametrize("rule", list(BAD_STMTS))
def test_statement_rule_fails(rule):
    u = ir.Param("u", Pointer(I32))
    c = ir.Param("c", Pointer(F32, Space.CONSTANT))
    fails(kernel(*BAD_STMTS[rule], params=PARAMS + (u, c)), rule)


def test_return_value_must_match_device_function():
    f = ir.Function("f", (N,), (at(ir.Return(f32(1))),), ret=I32, kernel=False)
    g = ir.Function("g", (N,), (at(ir.Return()),), ret=I32, kernel=False)
    call = ir.ExprStmt(ir.Call("f", (N,), I32))
    fails(module(kernel(call), f), "return of f32 from f returning i32")
    fails(module(kernel(ir.ExprStmt(ir.Call("g", (N,), I32))), g), "return without a value")


def test_calls_to_device_functions_are_checked():
    f = ir.Function("f", (N,), (ir.Return(N),), ret=I32, kernel=False)
    ok = kernel(ir.ExprStmt(ir.Call("f", (N,), I32)))
    verify_module(module(ok, f))
    fails(module(kernel(ex(ir.Call("f", (f32(1),), I32, loc=L(7)))), f), "argument n of f")
    fails(module(kernel(ex(ir.Call("f", (N, N), I32, loc=L(7)))), f), "f takes 1 arguments")
    fails(module(kernel(ex(ir.Call("f", (N,), F32, loc=L(7)))), f), "f returns i32")
    k2 = dataclasses.replace(kernel(), name="k2")
    fails(module(kernel(ex(ir.Call("k2", (), ir.Void(), loc=L(7)))), k2), "dynamic parallelism")


def test_kernel_returns_void_and_barrier_only_where_kernels_reach():
    fails(module(ir.Function("k", (), (), ret=I32, loc=L(3))), "a kernel returns void", 3)
    lonely = ir.Function("lonely", (), (at(ir.Barrier()),), kernel=False)
    fails(module(kernel(), lonely), "which no kernel calls")
    called = ir.Function("helper", (), (ir.Barrier(),), kernel=False)
    verify_module(module(kernel(ir.ExprStmt(ir.Call("helper", (), ir.Void()))), called))


def test_globals_resolve():
    g = ir.GlobalVar("tab", Array(F32, (8,), Space.CONSTANT), Space.CONSTANT)
    load = ir.Load(ir.Global("tab", g.type), (N,), F32)
    verify_module(module(kernel(ir.ExprStmt(load)), globals_=[g]))
    st = at(ir.Store(ir.Global("tab", g.type), (N,), f32(1)))
    fails(module(kernel(st), globals_=[g]), "store into __constant__ memory")


def test_error_names_stage_loc_and_rule():
    e = fails(kernel(at(ir.Break(), 42)), "break outside a loop", 42)
    assert "t.cu:42:1" in str(e) and "after teststage" in str(e)


def test_pipeline_verifies_frontend_output():
    with pytest.raises(PortError, match="after frontend"):
        pipeline(module(kernel(at(ir.Break()))))


# ------------------------------------------------------------ uniformity


def expr_uniform(body, e) -> bool:
    return uniformity(kernel(*body)).is_uniform(e)


def test_uniform_sources():
    u = uniformity(kernel())
    assert not u.is_uniform(TID)
    assert not u.is_uniform(ir.Special(Sreg.LANEID, 0, U32))
    assert u.is_uniform(BID)
    assert u.is_uniform(ir.Binary(Op.ADD, ir.Cast(BID, I32), N, I32))
    assert u.is_uniform(ir.Load(CX, (N,), F32))  # same address in every thread
    assert not u.is_uniform(ir.Load(CX, (ir.Cast(TID, I32),), F32))
    assert not u.is_uniform(ir.Atomic(Op.ATOMIC_ADD, X, (N,), f32(1), F32))
    assert u.is_uniform(ir.Vote(Op.SYNC_COUNT, None, ir.TRUE, I32))
    assert not u.is_uniform(ir.Vote(Op.VOTE_ANY, ir.const(1, U32), ir.TRUE, BOOL))


def test_variables_follow_data_and_control():
    a, b, c, d = var("a"), var("b"), var("c"), var("d")
    tid = ir.Cast(TID, I32)
    body = (
        ir.Decl(a, tid),                      # data-dependent on threadIdx
        ir.Decl(b, N),                        # uniform
        ir.Decl(c, i32(0)),
        ir.If(ir.Compare(Op.LT, a, N), (ir.Assign(c, i32(1)),)),  # assigned under divergence
        ir.Decl(d, ir.Binary(Op.MUL, b, i32(2), I32)),
    )
    u = uniformity(kernel(*body))
    assert u.divergent_vars == {"a", "c"}
    assert u.var_is_uniform("b") and u.var_is_uniform("d")


def test_loop_carried_divergence_reaches_a_fixpoint():
    # x starts uniform, becomes divergent through y on a later iteration
    x, y = var("x"), var("y")
    loop = ir.For(var("j"), i32(0), N, i32(1), (
        ir.Assign(x, y),
        ir.Assign(y, ir.Cast(TID, I32)),
    ))
    u = uniformity(kernel(ir.Decl(x, i32(0)), ir.Decl(y, i32(0)), loop))
    assert {"x", "y"} <= u.divergent_vars
    assert u.loop_is_uniform(loop) and u.var_is_uniform("j")


def test_divergent_loops_and_breaks():
    i = var("i")
    trip = ir.While(ir.Compare(Op.LT, i, ir.Cast(TID, I32)), (ir.Assign(i, ir.Binary(
        Op.ADD, i, i32(1), I32)),))
    brk = ir.For(var("j"), i32(0), N, i32(1), (
        ir.If(ir.Compare(Op.EQ, ir.Load(X, (ir.Cast(TID, I32),), F32), f32(0)), (ir.Break(),)),
    ))
    cont = ir.For(var("k2"), i32(0), N, i32(1), (
        ir.If(ir.Compare(Op.EQ, ir.Cast(TID, I32), i32(0)), (ir.Continue(),)),
    ))
    u = uniformity(kernel(ir.Decl(i, i32(0)), trip, brk, cont))
    assert not u.loop_is_uniform(trip)
    assert not u.loop_is_uniform(brk)
    assert u.loop_is_uniform(cont)  # continue re-joins at the next iteration
    assert "i" in u.divergent_vars


def test_local_arrays_track_stores():
    arr = var("arr", Array(I32, (4,)))
    st_u = ir.Store(arr, (i32(0),), N)
    st_d = ir.Store(arr, (i32(1),), ir.Cast(TID, I32))
    load = ir.Load(arr, (i32(0),), I32)
    assert expr_uniform((ir.Decl(arr), st_u), load)
    assert not expr_uniform((ir.Decl(arr), st_u, st_d), load)


# ------------------------------------------------------------ barrier placement


def barrier_error(*body: ir.Stmt) -> PortError:
    with pytest.raises(PortError) as ei:
        check_barriers(kernel(*body))
    assert ei.value.code == "PORT3001"
    return ei.value


def tid_lt_n(line: int = 5) -> ir.Expr:
    return ir.Compare(Op.LT, ir.Cast(TID, I32), N, loc=L(line, 9))


def test_barrier_in_divergent_if():
    e = barrier_error(ir.If(tid_lt_n(), (at(ir.Barrier(), 6),), loc=L(5)))
    assert e.loc == L(6) and "t.cu:5:9" in str(e)


def test_barrier_in_uniform_if_and_loop_is_fine():
    cond = ir.Compare(Op.LT, ir.Cast(BID, I32), N)
    check_barriers(kernel(ir.If(cond, (ir.Barrier(),)),
                          ir.For(var("j"), i32(0), N, i32(1), (ir.Barrier(),))))


def test_barrier_in_divergent_loop():
    loop = ir.For(var("j"), i32(0), ir.Cast(TID, I32), i32(1), (at(ir.Barrier(), 8),),
                  loc=L(4))
    assert barrier_error(loop).loc == L(8)


def test_barrier_after_divergent_return():
    e = barrier_error(ir.If(tid_lt_n(3), (ir.Return(),)), at(ir.Barrier(), 9))
    assert e.loc == L(9) and "t.cu:3:9" in str(e)
    # a return taken by all threads or none is fine
    check_barriers(kernel(ir.If(ir.Compare(Op.LT, N, i32(0)), (ir.Return(),)), ir.Barrier()))


def test_barrier_after_divergent_break_in_loop():
    loop = ir.While(ir.TRUE, (ir.If(tid_lt_n(2), (ir.Break(),)), at(ir.Barrier(), 3)))
    assert barrier_error(loop).loc == L(3)
    # but after the loop every thread has re-joined
    ok = ir.While(ir.TRUE, (ir.If(tid_lt_n(2), (ir.Break(),)), ir.Break()))
    check_barriers(kernel(ok, ir.Barrier()))


def test_barrier_under_variable_assigned_divergently():
    flag = var("flag", BOOL)
    body = (ir.Decl(flag, ir.FALSE), ir.If(tid_lt_n(2), (ir.Assign(flag, ir.TRUE),)),
            ir.If(flag, (at(ir.Barrier(), 4),), loc=L(3)))
    assert barrier_error(*body).loc == L(4)


def test_block_vote_under_divergence():
    vote = ir.Vote(Op.SYNC_OR, None, ir.TRUE, I32, loc=L(6))
    assert barrier_error(ir.If(tid_lt_n(), (ir.ExprStmt(vote),))).loc == L(6)
    lazy = ir.Binary(Op.LAND, tid_lt_n(), ir.Compare(Op.NE, vote, i32(0)), BOOL)
    assert barrier_error(ir.ExprStmt(lazy)).loc == L(6)
    check_barriers(kernel(ir.ExprStmt(vote)))
