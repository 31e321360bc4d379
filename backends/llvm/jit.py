"""llvmlite plumbing: the host target machine, the O3 new-pass-manager pipeline, object code,
and loading object code (fresh or from the compile cache) into an MCJIT engine."""

from __future__ import annotations

import threading
import time

# One lock for every LLVM call: llvmlite shares one LLVM context between Python threads.
LOCK = threading.RLock()
_state: dict = {}


def _init() -> dict:
    if not _state:
        import llvmlite
        import llvmlite.binding as llvm

        llvm.initialize_native_target()
        llvm.initialize_native_asmprinter()
        cpu = llvm.get_host_cpu_name()
        features = llvm.get_host_cpu_features().flatten()
        tm = llvm.Target.from_default_triple().create_target_machine(
            cpu=cpu, features=features, opt=3, jit=True)
        _state.update(llvm=llvm, tm=tm, cpu=cpu, features=features,
                      triple=llvm.get_process_triple(), data=llvm.create_target_data(
                          str(tm.target_data)), version=llvmlite.__version__, engines=[])
    return _state


def state() -> dict:
    """The host target: llvm module, target machine, cpu, features, triple, data layout."""
    with LOCK:
        return _init()


def optimise(text: str, name: str):
    """Parse LLVM IR text, verify it and run the O3 pipeline (vectorisers on); a ModuleRef.

    (O2 compiles 10-50% faster but ran scan, gemv and heat3d 1.2-2x slower, measured with a
    fresh cache each: O3's non-trivial loop unswitching still pays on their thread loops.)"""
    s = state()
    llvm = s["llvm"]
    with LOCK:
        mod = llvm.parse_assembly(text)
        mod.name = name
        mod.triple = s["triple"]
        mod.data_layout = str(s["tm"].target_data)
        mod.verify()
        pto = llvm.PipelineTuningOptions(speed_level=3)
        pto.loop_vectorization = True
        pto.slp_vectorization = True
        pto.loop_unrolling = True
        pb = llvm.create_pass_builder(s["tm"], pto)
        pb.getModulePassManager().run(mod, pb)
        return mod


def emit_object(mod) -> bytes:
    with LOCK:
        return state()["tm"].emit_object(mod)


def emit_assembly(mod) -> str:
    with LOCK:
        return state()["tm"].emit_assembly(mod)


def load(obj: bytes, name: str) -> tuple[object, int]:
    """Load object code into a new MCJIT engine; (engine, address of `name`)."""
    s = state()
    llvm = s["llvm"]
    with LOCK:
        # the engine owns (and frees) its target machine, so each engine gets its own
        tm = llvm.Target.from_default_triple().create_target_machine(
            cpu=s["cpu"], features=s["features"], opt=3, jit=True)
        engine = llvm.create_mcjit_compiler(llvm.parse_assembly(""), tm)
        engine.add_object_file(llvm.ObjectFileRef.from_data(obj))
        engine.finalize_object()
        addr = engine.get_function_address(name)
        return engine, addr


def timed(f, *a):
    t = time.perf_counter()
    r = f(*a)
    return r, time.perf_counter() - t
