"""C-family source targets: readable text, emulation comments, and compile checks.

Compile checks run where the compiler exists and skip naming the missing tool: CUDA with nvcc
(sm_90, pip nvidia-cuda-nvcc-cu12 or a CUDA toolkit), HIP with clang++-19 (Debian clang-19 +
libamdhip64-dev), OpenCL with the opencl backend's platform (PoCL), SYCL with icpx or acpp,
else with the pip SYCL runtime's kernel compiler (intel-sycl-rt; see sycl_rtc.py).
"""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
from pathlib import Path

import cfamily_kernels as K  # noqa: E402  (tests/ is on sys.path under pytest)
import pytest
import sycl_rtc
from portable.backends import cfamily
from portable.backends.cfamily import cuda, hip, opencl, sycl

from portable import ir
from portable.errors import PortError

DIALECTS = {"cuda": cuda.DIALECT, "hip": hip.DIALECT, "sycl": sycl.DIALECT,
            "opencl": opencl.DIALECT}


def _module_ir() -> ir.ModuleIR:
    from portable.passes import pipeline

    return pipeline(ir.ModuleIR(tuple(K.all_kernels()), K.GLOBALS))


@functools.cache
def nvcc() -> str | None:
    found = shutil.which("nvcc")
    if found:
        return found
    try:  # pip install nvidia-cuda-nvcc-cu12
        import nvidia.cuda_nvcc as m  # type: ignore[import-not-found]

        p = Path(next(iter(m.__path__))) / "bin" / "nvcc"
        return str(p) if p.exists() else None
    except ImportError:
        return None


def hip_clang() -> str | None:
    return shutil.which("clang++-19") if Path("/usr/include/hip/hip_runtime.h").exists() \
        else None


def sycl_compiler() -> str | None:
    return shutil.which("icpx") or shutil.which("acpp")


def compile_cuda(text: str, tmp: Path) -> None:
    tool = nvcc()
    if tool is None:
        pytest.skip("nvcc not found (pip install nvidia-cuda-nvcc-cu12, or a CUDA toolkit)")
    src = tmp / "k.cu"
    src.write_text(text)
    r = subprocess.run([tool, "-arch=sm_90", "-ptx", str(src), "-o", str(tmp / "k.ptx")],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr + "\n" + text


def compile_hip(text: str, tmp: Path) -> None:
    tool = hip_clang()
    if tool is None:
        pytest.skip("clang++-19 with HIP headers not found (apt-get install clang-19 lld-19 "
                    "libamdhip64-dev)")
    src = tmp / "k.hip"
    src.write_text(text)
    # device code only, to assembly: Debian's rocm-device-libs has no gfx942 bitcode to link
    r = subprocess.run([tool, "-x", "hip", "--offload-arch=gfx942", "-nogpulib",
                        "--cuda-device-only", "-S", str(src), "-o", str(tmp / "k.s")],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr + "\n" + text


def compile_sycl_many(texts: dict[str, str], tmp: Path) -> dict[str, str]:
    """{name: compiler log} for each SYCL text that fails to compile; skips without a compiler."""
    files = {}
    for name, text in texts.items():
        files[name] = tmp / f"{name.replace('.', '_')}.cpp"
        files[name].write_text(text)
    tool = sycl_compiler()
    if tool is not None:
        flag = "-fsycl" if tool.endswith("icpx") else "--acpp-targets=generic"
        logs = {name: subprocess.run([tool, flag, "-c", str(f), "-o", str(f.with_suffix(".o"))],
                                     capture_output=True, text=True) for name, f in files.items()}
        return {name: r.stderr for name, r in logs.items() if r.returncode != 0}
    try:
        failed = sycl_rtc.compile_files(list(files.values()))
    except RuntimeError as e:
        pytest.skip(f"no SYCL compiler: icpx/acpp not found, and {e}")
    by_path = {str(f): name for name, f in files.items()}
    return {by_path.get(path, path): log for path, log in failed.items()}


def compile_sycl(text: str, tmp: Path) -> None:
    failed = compile_sycl_many({"k": text}, tmp)
    assert not failed, failed.get("k", str(failed)) + "\n" + text


# ------------------------------------------------------------------ the text


@pytest.mark.parametrize("target", DIALECTS)
def test_readable_text(target):
    for fn in _module_ir().functions:
        text = fn and cfamily.source(fn, DIALECTS[target])
        for p in fn.params:  # source names kept
            assert re.search(rf"\b{p.name}\b", text), (p.name, text)
        for line in text.splitlines():  # one statement per line
            code = line.split("//")[0]
            if not code.lstrip().startswith("for ("):
                assert code.count(";") <= 1, line
        assert "\t" not in text and text.endswith("\n")


def test_emulations_are_commented():
    m = {f.name: f for f in _module_ir().functions}
    text = opencl.source(m["atomics_f32"])
    assert "// PORT6101: atomic_add on f32 emulated with a compare-and-swap loop" in text
    text = opencl.source(m["shuffles_f32"])
    assert "// PORT6102: shfl_xor emulated through local memory" in text
    assert "__local float port_xchg_f32[PORT_BLOCK_THREADS];" in text
    text = hip.source(m["shuffles_i32"])
    assert "PORT6103" in text and "__ballot(pred) >> (__lane_id() & 32)" in text
    assert "__shfl_xor(v, m, 32)" in text
    # CUDA says all of it natively
    assert "PORT61" not in cuda.source(m["shuffles_f32"])
    assert "atomicAdd(&acc[0], x[i])" in cuda.source(m["atomics_f32"])


def test_c_semantics_are_explicit():
    m = {f.name: f for f in _module_ir().functions}
    text = cuda.source(m["div_i32"])
    assert "out[i] = port_div_i32(a[i], b[i]);" in text
    assert "b == -1 ? (int)(0 - (unsigned int)a) : a / b" in text
    assert "convert_int_sat_rtz(x[i])" in opencl.source(m["convert_f32_i32"])
    assert "__float2int_rz(x[i])" in cuda.source(m["convert_f32_i32"])
    # a divisor that cannot be 0 or -1 needs no guard
    x, out = ir.Param("x", K.ptr(K.I32)), ir.Param("out", K.ptr(K.I32))
    fn = ir.Function("halve", (x, out), (K.gid(), ir.Store(out, (K.I,), ir.Binary(
        ir.Op.DIV, K.ld(x), ir.const(2), K.I32))))
    assert "out[i] = x[i] / 2;" in cuda.source(fn)


def test_module_source_shares_one_prelude():
    fns = list(_module_ir().functions)
    text, trs = cfamily.module_source(fns, opencl.DIALECT)
    assert text.count("#pragma OPENCL EXTENSION cl_khr_fp64") == 1
    assert text.count(" int port_div_i32(") == 1
    assert {t.status for t in trs} == {"translated", "emulated"}


# ------------------------------------------------------------------ compile checks


def test_hand_kernels_compile_with_nvcc(tmp_path):
    text, _ = cfamily.module_source(list(_module_ir().functions), cuda.DIALECT)
    compile_cuda(text, tmp_path)


def test_hand_kernels_compile_for_hip(tmp_path):
    text, _ = cfamily.module_source(list(_module_ir().functions), hip.DIALECT)
    compile_hip(text, tmp_path)


def test_hand_kernels_compile_for_sycl(tmp_path):
    text, _ = cfamily.module_source(list(_module_ir().functions), sycl.DIALECT)
    compile_sycl(text, tmp_path)


def test_float3_memory_is_packed_for_sycl(tmp_path):
    """sycl::vec<float, 3> is 16 bytes: pointers to float3 become float pointers read through
    port_vload3/port_vstore3, as in OpenCL (which runs it: tests/test_opencl.py)."""
    import portable

    text = portable.parse_cuda(K.VEC3, "vec3.cu")["vec3_mix"].source("sycl")
    assert "const float *a, float *b, float *s, sycl::float3 w" in text
    assert "port_vload3(i, a)" in text and "sycl::local_accessor<float, 1> tile_mem(" \
        "sycl::range<1>(384), h)" in text and "// PORT6105" in text
    compile_sycl(text, tmp_path)


def test_hand_kernels_build_on_opencl():
    from portable.backends import opencl as backend

    if backend.available() is not None:
        pytest.skip(f"opencl backend: {backend.available()}")
    import pyopencl as cl

    text, _ = cfamily.module_source(list(_module_ir().functions), opencl.DIALECT)
    ctx, _ = backend._device()
    cl.Program(ctx, text).build()


# ------------------------------------------------------------------ the library


def _library():
    """{file name: Module} for every .cu of the kernel library (with its specs' defines)."""
    from portable.kernels import HERE

    import portable

    try:
        from portable.frontends.cuda import parse  # noqa: F401
    except ImportError as e:
        pytest.skip(f"CUDA frontend unavailable: {e}")
    defines: dict[str, dict] = {}
    try:
        from portable.kernels import registry

        for spec in registry().values():
            defines.setdefault(spec.source, spec.defines)
    except Exception:  # noqa: BLE001, S110 - a library module mid-edit: parse without defines
        pass
    return {p.name: portable.parse_cuda_file(str(p), defines=defines.get(p.name) or None)
            for p in sorted((HERE / "cuda").glob("*.cu"))}


@pytest.mark.parametrize("target", ["cuda", "hip", "opencl", "sycl"])
def test_library_compiles(target, tmp_path):
    checks = {"cuda": compile_cuda, "hip": compile_hip}
    failures, sycl_texts = [], {}
    for source, mod in _library().items():
        try:
            text, _ = cfamily.module_source([k.ir for k in mod], DIALECTS[target])
        except PortError as e:
            failures.append(f"{source}: {e}")
            continue
        if target == "sycl":  # one compiler process for all: its start-up dominates
            sycl_texts[source] = text
            continue
        if target == "opencl":
            from portable.backends import opencl as backend

            if backend.available() is not None:
                pytest.skip(f"opencl backend: {backend.available()}")
            import pyopencl as cl

            try:
                cl.Program(backend._device()[0], text).build()
            except cl.Error as e:
                failures.append(f"{source}: {e}")
            continue
        try:
            checks[target](text, tmp_path)
        except AssertionError as e:
            failures.append(f"{source}: {str(e)[:2000]}")
    if sycl_texts:
        failures += [f"{name}: {log[:2000]}" for name, log in
                     compile_sycl_many(sycl_texts, tmp_path).items()]
    assert not failures, "\n\n".join(failures)
