"""The numba.cuda-compatible Python frontend (`from portable import cuda`).

Unit tier: numba's typing rules and the IR the frontend builds (floor semantics, mangled array
parameters). Differential tier: small kernels on every available backend against numpy on fresh
random inputs (the 14 library programs run in test_library.py). Diagnostics: unsupported
constructs fail with PortError at this file's line. Where numba is installed, library programs
run unchanged (but for the import) in numba's CUDA simulator and must agree with portable.
"""

from __future__ import annotations

import inspect
import math
import zlib

import numpy as np
import pytest
from portable.frontends.python.ntypes import int_result, parse_signature, unify

import portable
from portable import cuda
from portable.errors import PortError
from portable.types import BOOL, F32, F64, I32, I64, U32, U64

BACKENDS = portable.available_backends()


def rng_for(*parts: str) -> np.random.Generator:
    return np.random.default_rng(zlib.crc32("-".join(parts).encode()))


def line_of(fn, text: str) -> int:
    """The file line of the first source line of `fn` containing `text`."""
    lines, start = inspect.getsourcelines(fn)
    return start + next(i for i, s in enumerate(lines) if text in s)


# ---------------------------------------------------------------- typing rules (unit)

def test_numba_promotion_rules() -> None:
    assert unify(F32, I64) == F64  # float32 with a Python int gives float64
    assert unify(F32, F32) == F32
    assert unify(I32, I32) == I64  # integer arithmetic widens to 64 bits
    assert unify(U32, I64) == I64  # mixed signedness gives signed
    assert unify(U32, U32) == U64
    assert unify(BOOL, F32) == F32
    assert int_result(U64, I32) == I64


def test_signature_strings() -> None:
    sig = parse_signature("void(float32[:], int64[:, ::1], int32, float64)")
    assert [str(t) for t in sig] == ["array(f32, 1d, A)", "array(i64, 2d, C)", "i32", "f64"]
    with pytest.raises(PortError) as e:
        parse_signature("void(quaternion)")
    assert e.value.code == "PORT4008"


# ---------------------------------------------------------------- IR shape (unit)

@cuda.jit
def py_semantics(a, b, q, r, t, p):
    i = cuda.grid(1)
    if i < a.size:
        q[i] = a[i] // b[i]
        r[i] = a[i] % b[i]
        t[i] = a[i] / b[i]
        p[i] = (a[i] % 5) ** 3 + b[i] ** 2


def test_ir_has_python_floor_ops_and_mangled_params() -> None:
    a = np.ones(4, np.int32)
    k = py_semantics.specialize(a, a, np.ones(4, np.int64), np.ones(4, np.int64),
                                np.ones(4, np.float64), np.ones(4, np.int64))
    text = str(k.ir)
    assert " // " in text and " %% " in text  # Op.FLOORDIV / Op.FLOORMOD, not C's / and %
    names = [p.name for p in k.ir.params]
    assert names[:4] == ["a", "a_shape0", "b", "b_shape0"]
    assert str(py_semantics.ir) == text  # the latest specialisation
    assert "kernel" in py_semantics.source("opencl").lower()


@pytest.mark.parametrize("backend", BACKENDS)
def test_python_arithmetic_semantics(backend: str) -> None:
    rng = rng_for("sem", backend)
    n = 500
    a = rng.integers(-1000, 1000, n, dtype=np.int32)
    b = rng.integers(-40, 40, n, dtype=np.int32)
    b[b == 0] = 7
    q, r, p = (rng.integers(-9, 9, n, dtype=np.int64) for _ in range(3))
    t = rng.standard_normal(n)
    py_semantics[cdiv(n, 128), 128](a, b, q, r, t, p, backend=backend)
    x, y = a.astype(np.int64), b.astype(np.int64)
    np.testing.assert_array_equal(q, x // y)  # numpy // and % are Python's floor semantics
    np.testing.assert_array_equal(r, x % y)
    np.testing.assert_allclose(t, x / y, rtol=1e-15)
    np.testing.assert_array_equal(p, (x % 5) ** 3 + y ** 2)


def cdiv(a: int, b: int) -> int:
    return -(-a // b)


# ---------------------------------------------------------------- strided, 3-d and device arrays

@cuda.jit
def scale2d(src, dst, f):
    i, j = cuda.grid(2)
    n, m = src.shape
    if i < n and j < m:
        dst[i, j] = src[i, j] * f + src.ndim


@cuda.jit
def sum3d(vol, out):
    i, j = cuda.grid(2)
    if i < vol.shape[0] and j < vol.shape[1]:
        s = 0.0
        for k in range(vol.shape[2] - 1, -1, -1):
            s += vol[i, j, k] * (k + 1)
        out[i, j] = s


@pytest.mark.parametrize("backend", BACKENDS)
def test_strided_views_read_and_write_in_place(backend: str) -> None:
    rng = rng_for("strided", backend)
    base = rng.standard_normal((30, 41)).astype(np.float32)
    src = base[::2, ::-3]  # non-contiguous, negative stride
    big = rng.standard_normal((20, 50)).astype(np.float32)
    dst = big.T[: src.shape[0], 5: 5 + src.shape[1]]  # a strided window of another array
    before = big.copy()
    scale2d[(4, 4), (8, 8)](src, dst, 1.5, backend=backend)
    np.testing.assert_allclose(dst, src.astype(np.float64) * 1.5 + 2, rtol=1e-6)
    mask = np.ones_like(big, bool)
    mask.T[: src.shape[0], 5: 5 + src.shape[1]] = False
    np.testing.assert_array_equal(big[mask], before[mask])  # nothing outside the view changed


@pytest.mark.parametrize("backend", BACKENDS)
def test_3d_arrays_and_reverse_range(backend: str) -> None:
    rng = rng_for("3d", backend)
    vol = rng.standard_normal((9, 7, 5))
    out = rng.standard_normal((9, 7))
    sum3d[(2, 2), (8, 8)](vol, out, backend=backend)
    np.testing.assert_allclose(out, (vol * np.arange(1, 6)).sum(2), rtol=1e-12)


def test_device_arrays_and_host_api() -> None:
    rng = rng_for("host")
    x = rng.standard_normal((12, 10)).astype(np.float32)
    d_src = cuda.to_device(x)
    d_dst = cuda.device_array_like(d_src)
    s = cuda.stream()
    scale2d[(2, 2), (8, 8), s](d_src, d_dst, np.float32(-2))
    s.synchronize()
    cuda.synchronize()
    host = d_dst.copy_to_host()
    np.testing.assert_allclose(host, x.astype(np.float64) * -2 + 2, rtol=1e-6)
    assert cuda.is_available() and d_dst.shape == (12, 10) and d_dst.dtype == np.float32
    with pytest.raises(PortError):
        cuda.grid(1)  # device-only outside a kernel


@cuda.jit("void(float32[:], float32[:], int32)")
def typed_copy(src, dst, n):
    i = cuda.grid(1)
    if i < n:
        dst[i] = src[i] + n


def test_explicit_signature() -> None:
    rng = rng_for("sig")
    src = rng.standard_normal(100).astype(np.float32)
    dst = np.zeros(100, np.float32)
    assert len(typed_copy.overloads) == 1  # compiled eagerly
    typed_copy[1, 128](src, dst, 100, backend="numpy")
    np.testing.assert_allclose(dst, src + 100, rtol=1e-6)
    with pytest.raises(PortError) as e:
        typed_copy[1, 128](src.astype(np.float64), dst, 100)
    assert e.value.code == "PORT4002"
    assert "n: i32" in str(typed_copy.ir) or "%n: i32" in str(typed_copy.ir)


# ---------------------------------------------------------------- control flow and builtins

@cuda.jit(device=True)
def first_multiple(x, k):
    j = 0
    while True:
        if (x + j) % k == 0:
            return x + j
        j += 1


@cuda.jit
def control(a, out, flags):
    i = cuda.grid(1)
    if i >= a.size:
        return
    v = a[i]
    acc = 0
    for j in range(10, 0, -3):
        if j == 4:
            continue
        acc += j * v
    n = 0
    while True:
        n += 1
        if n * n > abs(v) or n > 50:
            break
    lo, hi = (v, 0) if v < 0 else (0, v)
    out[i, 0] = acc
    out[i, 1] = n
    out[i, 2] = hi - lo
    out[i, 3] = first_multiple(v, 7)
    out[i, 4] = int(math.sqrt(float(abs(v)))) if 0 <= v < 100 or v == -1 else -v
    flags[i] = not (v > 0 and v % 2 == 0) or v > 40


@pytest.mark.parametrize("backend", BACKENDS)
def test_control_flow_and_builtins(backend: str) -> None:
    rng = rng_for("ctrl", backend)
    n = 300
    a = rng.integers(-60, 60, n, dtype=np.int64)
    out = rng.integers(-9, 9, (n, 5), dtype=np.int64)
    flags = np.zeros(n, np.bool_)
    control[cdiv(n, 64), 64](a, out, flags, backend=backend)
    want = np.empty((n, 5), np.int64)
    for i, v in enumerate(a.tolist()):
        nn = 1
        while not (nn * nn > abs(v) or nn > 50):
            nn += 1
        fm = v
        while fm % 7:
            fm += 1
        root = int(math.sqrt(abs(v))) if 0 <= v < 100 or v == -1 else -v
        want[i] = [sum(j * v for j in (10, 7, 1)), nn, abs(v), fm, root]
    np.testing.assert_array_equal(out, want)
    np.testing.assert_array_equal(flags, ~((a > 0) & (a % 2 == 0)) | (a > 40))


# ---------------------------------------------------------------- diagnostics at file:line:col

def _raises(fn, args, code: str, text: str, where=None):
    k = cuda.jit(fn)
    with pytest.raises(PortError) as e:
        k[1, 32](*args, backend="numpy")
    d = e.value.diagnostics[0]
    assert d.code == code, str(e.value)
    assert d.loc.file.endswith("test_python_frontend.py")
    assert d.loc.line == line_of(where or fn, text), str(e.value)
    assert d.hint
    return e.value


def k_raise(a):
    raise ValueError("no")


def k_list(a):
    xs = [1, 2]
    a[0] = xs[0]


def k_return_value(a):
    return a[0]


def k_recursive_host(a):
    a[0] = len("abc")


@cuda.jit(device=True)
def recurse(n):
    return recurse(n - 1) if n > 0 else 0


def k_recursion(a):
    a[0] = recurse(3)


def k_launch_kernel(a):
    control(a, a, a)


def k_undefined(a):
    a[0] = not_defined_anywhere  # noqa: F821


def k_generator(a):
    a[0] = (x for x in range(3))


def k_sum(a):
    a[0] = sum(a)


@pytest.mark.parametrize("fn, code, text", [
    (k_raise, "PORT1014", "raise ValueError"),
    (k_list, "PORT1014", "[1, 2]"),
    (k_return_value, "PORT2001", "return a[0]"),
    (k_recursion, "PORT1005", "recurse(n - 1)"),
    (k_launch_kernel, "PORT1009", "control(a, a, a)"),
    (k_undefined, "PORT2003", "not_defined_anywhere"),
    (k_generator, "PORT1014", "(x for"),
    (k_sum, "PORT1004", "= sum(a)"),
    (k_recursive_host, "PORT2001", 'len("abc")'),
])
def test_unsupported_constructs_point_at_the_source(fn, code: str, text: str) -> None:
    where = recurse.py_func if fn is k_recursion else None  # reported at the recursive call
    _raises(fn, (np.zeros(4),), code, text, where)


def test_launch_errors() -> None:
    with pytest.raises(PortError) as e:
        control(np.zeros(3))
    assert e.value.code == "PORT4006"
    with pytest.raises(PortError) as e:
        control[1, 32](np.zeros(3))
    assert e.value.code == "PORT4001"
    with pytest.raises(PortError) as e:
        control[1, 32](np.zeros((2, 2, 2, 2)), np.zeros((3, 5)), np.zeros(3, bool))
    assert e.value.code == "PORT4008"


# ---------------------------------------------------------------- numba's simulator

def _py_specs():
    from portable.kernels import registry

    return {s.name: s for s in registry().values() if s.source.startswith("py:python.")}


def test_library_has_twelve_python_programs() -> None:
    specs = _py_specs()
    assert len(specs) >= 12
    from portable.frontends.python.numba_sim import program_path

    for s in specs.values():
        text = program_path(s).read_text()
        assert "from portable import cuda" in text and "@cuda.jit" in text


SIMULATED = ["py_saxpy", "py_int_ops", "py_histogram", "py_atomics", "py_stencil",
             "py_dynamic_shared", "py_const_poly"]


@pytest.mark.parametrize("name", SIMULATED)
def test_identical_program_agrees_with_numba_simulator(name: str) -> None:
    from portable.frontends.python.numba_sim import numba_available, simulate
    from portable.kernels import compare_outputs, run

    if not numba_available():
        pytest.skip("numba is not installed (pip install 'portable[test]')")
    spec = _py_specs()[name]
    inputs = spec.inputs(rng_for("sim", name), **spec.sizes["small"])
    sim, _ = simulate(spec, "small", inputs=inputs)
    ours = run(spec, "numpy", "small", inputs=inputs)
    expected = spec.reference({k: (v.copy() if isinstance(v, np.ndarray) else v)
                               for k, v in inputs.items()}, **spec.sizes["small"])
    assert compare_outputs(sim, expected, spec.rtol, spec.atol) == []
    assert compare_outputs(ours, {k: sim[k] for k in expected}, spec.rtol, spec.atol) == []


# ---------------------------------------------------------------- cuda.* builds portable.builtins

# one statement per cuda.* function (a: int64 array, f: float32 array, x: int32, u: uint32 array);
# together they reach every declaration a rule names in `uses`
SAMPLES = {
    "grid": "a[0] = cuda.grid(1)", "gridsize": "a[0] = cuda.gridsize(1)",
    "shared.array": "a[0] = cuda.shared.array(4, np.int64)[1]",
    "local.array": "a[0] = cuda.local.array(4, np.int64)[1]",
    "const.array_like": "a[0] = cuda.const.array_like(TABLE)[1]",
    "syncthreads": "cuda.syncthreads()", "syncwarp": "cuda.syncwarp()",
    "threadfence": "cuda.threadfence()", "threadfence_block": "cuda.threadfence_block()",
    "threadfence_system": "cuda.threadfence_system()",
    "activemask": "a[0] = cuda.activemask()", "lanemask_lt": "a[0] = cuda.lanemask_lt()",
    "nanosleep": "cuda.nanosleep(100)", "selp": "a[0] = cuda.selp(x > 0, x, 2)",
    "fma": "f[0] = cuda.fma(f[1], f[2], x)", "cbrt": "f[0] = cuda.cbrt(f[1])",
    "eq_sync": "a[0] = cuda.eq_sync(-1, x > 0)",
    "match_any_sync": "a[0] = cuda.match_any_sync(-1, x) + cuda.match_any_sync(-1, f[0])",
    "match_all_sync": "a[0], a[1] = cuda.match_all_sync(-1, f[0])",
    "atomic.cas": "a[0] = cuda.atomic.cas(a, 1, x, 2)",
    "atomic.compare_and_swap": "a[0] = cuda.atomic.compare_and_swap(a, x, 2)",
    "cg.this_grid": None,  # PORT1010 (tested below)
}
for _n in ("popc", "clz", "ffs", "brev"):
    SAMPLES[_n] = f"a[0] = cuda.{_n}(x) + cuda.{_n}(a[1])"
for _n in ("syncthreads_count", "syncthreads_and", "syncthreads_or"):
    SAMPLES[_n] = f"a[0] = cuda.{_n}(x > 0)"
for _n in ("all_sync", "any_sync", "ballot_sync"):
    SAMPLES[_n] = f"a[0] = cuda.{_n}(-1, x > 0)"
for _n in ("shfl_sync", "shfl_up_sync", "shfl_down_sync", "shfl_xor_sync"):
    SAMPLES[_n] = f"f[0] = cuda.{_n}(-1, f[0], 1)"
for _n in ("add", "sub", "max", "min", "nanmax", "nanmin", "exch", "inc", "dec", "and_", "or_",
           "xor"):
    SAMPLES[f"atomic.{_n}"] = f"a[0] = cuda.atomic.{_n}(u, (1,), x)"


def test_every_cuda_function_builds_declared_builtins(tmp_path, monkeypatch) -> None:
    """STYLE 10: each cuda.* function lowers through portable.builtins, and exactly through the
    declarations its rule names (a rule that builds none says why)."""
    import importlib.util

    from portable.frontends.python import intrinsics, markers
    from portable.frontends.python.compiler import compile_kernel
    from portable.frontends.python.ntypes import ArrayType

    from portable import builtins as declared

    accepted = set(markers.FUNCTIONS) | {f"{ns._prefix}.{n}" for ns in (
        markers.atomic, markers.shared, markers.local, markers.const, markers.cg)
        for n in vars(ns) if not n.startswith("_")}
    assert accepted == set(intrinsics.CUDA) == set(SAMPLES)
    assert all(hasattr(cuda, n.split(".")[0]) for n in accepted)
    names = sorted(n for n, s in SAMPLES.items() if s)
    src = ["import numpy as np", "from portable import cuda", "TABLE = np.arange(4.0)"]
    for k, n in enumerate(names):
        src += [f"def k{k}(a, f, x, u):", f"    {SAMPLES[n]}"]
    path = tmp_path / "samples.py"
    path.write_text("\n".join(src) + "\n")
    spec = importlib.util.spec_from_file_location("samples", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    seen: list[str] = []
    real = declared.lookup
    monkeypatch.setattr(declared, "lookup", lambda name: seen.append(name) or real(name))
    types = (ArrayType(I64, 1), ArrayType(F32, 1), I32, ArrayType(U32, 1))
    for k, n in enumerate(names):
        seen.clear()
        compile_kernel(getattr(mod, f"k{k}"), types)
        rule = intrinsics.CUDA[n]
        assert set(seen) == set(rule.uses), n
        assert all(real(b) is not None for b in rule.uses)
        assert bool(rule.uses) != bool(rule.why), n
    for rule in intrinsics.PY.values():  # math, numpy and Python functions say the same
        assert bool(rule.uses) != bool(rule.why)
        assert all(real(b) is not None for b in rule.uses)


# ---------------------------------------------------------------- integer and warp intrinsics

@cuda.jit
def bit_ops(x, counts, rev):
    i = cuda.grid(1)
    if i < x.size:
        counts[i, 0] = cuda.popc(x[i])
        counts[i, 1] = cuda.clz(x[i])
        counts[i, 2] = cuda.ffs(x[i])
        rev[i] = cuda.brev(x[i])


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("dtype", ["i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8"])
def test_bit_intrinsics_at_every_width(backend: str, dtype: str) -> None:
    dt = np.dtype(dtype)
    info, bits = np.iinfo(dt), dt.itemsize * 8
    rng = rng_for("bits", backend, dtype)
    x = rng.integers(info.min, info.max, 100, dtype=dt, endpoint=True)
    x[:5] = [0, 1, info.max, info.min, -1 if info.min else info.max - 1]
    counts = rng.integers(-9, 9, (100, 3))
    rev = rng.integers(0, 9, 100).astype(dt)
    bit_ops[4, 32](x, counts, rev, backend=backend)
    u = [int(v) % (1 << bits) for v in x.tolist()]  # the bits, as an unsigned integer
    want = [[bin(v).count("1"), bits - v.bit_length(), (v & -v).bit_length()] for v in u]
    np.testing.assert_array_equal(counts, want)
    flipped = [int(format(v, f"0{bits}b")[::-1], 2) for v in u]
    np.testing.assert_array_equal(rev, np.array(flipped, np.uint64).astype(dt))


@cuda.jit
def warp_match(vals, fvals, any_mask, all_mask, all_pred, eq, f_any):
    i = cuda.grid(1)
    v = vals[i]
    any_mask[i] = cuda.match_any_sync(0xFFFFFFFF, v)
    m, p = cuda.match_all_sync(0xFFFFFFFF, v // 8)
    all_mask[i] = m
    all_pred[i] = p
    eq[i] = cuda.eq_sync(0xFFFFFFFF, v % 2 == 0)
    f_any[i] = cuda.match_any_sync(0xFFFFFFFF, fvals[i])
    cuda.nanosleep(100)


@pytest.mark.parametrize("backend", BACKENDS)
def test_match_and_eq_sync(backend: str) -> None:
    rng = rng_for("match", backend)
    n = 96
    vals = rng.integers(0, 20, n)
    vals[32:64] = rng.integers(0, 4) * 2  # one warp where every lane agrees
    fvals = rng.choice(np.array([0.0, -0.0, 1.5, np.nan], np.float32), n)
    outs = [rng.integers(0, 9, n).astype(np.uint32) for _ in range(2)] + \
        [np.zeros(n, bool), np.zeros(n, bool), rng.integers(0, 9, n).astype(np.uint32)]
    warp_match[3, 32](vals, fvals, *outs, backend=backend)
    for w in range(0, n, 32):
        v, fb = vals[w:w + 32], fvals[w:w + 32].view(np.uint32)  # match compares bits
        for key, got in ((v, outs[0]), (fb, outs[4])):
            want = [sum(1 << j for j in range(32) if key[j] == key[lane]) for lane in range(32)]
            np.testing.assert_array_equal(got[w:w + 32], want)
        same = bool(np.all(v // 8 == v[0] // 8))
        np.testing.assert_array_equal(outs[1][w:w + 32], 0xFFFFFFFF if same else 0)
        np.testing.assert_array_equal(outs[2][w:w + 32], same)
        even = v % 2 == 0
        np.testing.assert_array_equal(outs[3][w:w + 32], bool(even.all() or not even.any()))
    assert outs[2][32:64].all() and not outs[2][:32].any()  # both outcomes were exercised


@cuda.jit
def float_atomics(x, mx, total):
    i = cuda.grid(1)
    if i < x.size:
        cuda.atomic.max(mx, 0, x[i])
        cuda.atomic.min(mx, 1, x[i])
        cuda.atomic.add(total, 0, x[i])


@pytest.mark.parametrize("backend", BACKENDS)
def test_float_atomics(backend: str) -> None:
    rng = rng_for("fatomic", backend)
    x = rng.standard_normal(300).astype(np.float32)
    mx = np.array([-np.inf, np.inf], np.float32)
    total = np.array([rng.standard_normal()])
    start = total[0]
    float_atomics[3, 128](x, mx, total, backend=backend)
    np.testing.assert_array_equal(mx, [x.max(), x.min()])
    np.testing.assert_allclose(total, start + x.astype(np.float64).sum(), rtol=1e-12)


def k_grid_sync(a):
    g = cuda.cg.this_grid()
    g.sync()


def k_atomic_int8(a):
    cuda.atomic.add(a, 0, 1)


def k_atomic_sub_i64(a):
    cuda.atomic.sub(a, 0, 1)


def test_grid_sync_and_narrow_atomics_are_errors() -> None:
    e = _raises(k_grid_sync, (np.zeros(4),), "PORT1010", "cuda.cg.this_grid()")
    assert "two kernels" in e.diagnostics[0].hint
    e = _raises(k_atomic_int8, (np.zeros(4, np.int8),), "PORT2001", "cuda.atomic.add")
    assert "i8" in str(e)
    e = _raises(k_atomic_sub_i64, (np.zeros(4, np.int64),), "PORT2001", "cuda.atomic.sub")
    assert "i32, u32" in e.diagnostics[0].hint
    with pytest.raises(PortError):
        cuda.cg.this_grid()  # device-only


def test_host_api_extras() -> None:
    rng = rng_for("host-extras")
    x = rng.standard_normal((3, 5)).astype(np.float32)
    for like in (cuda.pinned_array_like(x), cuda.mapped_array_like(cuda.to_device(x))):
        assert like.shape == x.shape and like.dtype == x.dtype
    cuda.profile_start()
    with cuda.defer_cleanup():
        d = cuda.to_device(x)
    cuda.profile_stop()
    np.testing.assert_array_equal(d.copy_to_host(), x)
    assert all(hasattr(cuda, n) for n in cuda.__all__)
