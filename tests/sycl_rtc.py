"""Compile-check SYCL source with the pip SYCL runtime's kernel compiler (no icpx needed).

`pip install intel-sycl-rt` ships libsycl, the SYCL headers and libsycl-jit, DPC++'s device
compiler as a library: `sycl_ext_oneapi_kernel_compiler` compiles SYCL source in device mode
(Sema, SYCL device restrictions, code generation to SPIR-V) at run time. A 40-line C++ driver,
built once per session with the host C++ compiler against those headers, feeds it files. The
runtime needs any device to make a context: Debian's PoCL (pocl-opencl-icd) serves, through the
runtime's OpenCL adapter; only `compile` runs, so the device need not ingest SPIR-V.
"""

from __future__ import annotations

import atexit
import functools
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

_DRIVER = r"""
#include <sycl/sycl.hpp>
#include <fstream>
#include <iostream>
#include <sstream>
namespace syclex = sycl::ext::oneapi::experimental;

int main(int argc, char **argv)
{
    sycl::queue q;
    if (!q.get_device().ext_oneapi_can_compile(syclex::source_language::sycl)) {
        std::cout << "NODEVICE " << q.get_device().get_info<sycl::info::device::name>() << "\n";
        return 2;
    }
    int failed = 0;
    for (int i = 1; i < argc; i++) {
        std::ifstream f(argv[i]);
        std::stringstream text;
        text << f.rdbuf();
        try {
            auto src = syclex::create_kernel_bundle_from_source(
                q.get_context(), syclex::source_language::sycl, text.str());
            syclex::compile(src);
            std::cout << "OK " << argv[i] << "\n";
        } catch (sycl::exception &e) {
            std::cout << "FAIL " << argv[i] << "\n" << e.what() << "\nEND\n";
            failed = 1;
        }
    }
    return failed;
}
"""


def _prefix() -> Path | None:
    lib = Path(sys.prefix) / "lib"
    ok = (lib / "libsycl.so").exists() and (lib / "libsycl-jit.so").exists() and \
        (Path(sys.prefix) / "include" / "sycl" / "sycl.hpp").exists()
    return Path(sys.prefix) if ok else None


@functools.cache
def driver() -> str:
    """Path of the built driver, or raise RuntimeError saying what is missing."""
    prefix = _prefix()
    if prefix is None:
        raise RuntimeError("the SYCL runtime is not installed (pip install intel-sycl-rt)")
    cxx = next((c for c in ("c++", "g++", "clang++-19", "clang++") if shutil.which(c)), None)
    if cxx is None:
        raise RuntimeError("no host C++ compiler to build the SYCL kernel-compiler driver")
    folder = tempfile.mkdtemp(prefix="portable-sycl-")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    out = Path(folder) / "sycl_rtc"
    src = out.with_suffix(".cpp")
    src.write_text(_DRIVER)
    lib = prefix / "lib"
    r = subprocess.run([cxx, "-std=c++17", "-DSYCL_DISABLE_FSYCL_SYCLHPP_WARNING", "-w",
                        f"-I{prefix / 'include'}", str(src), f"-L{lib}", f"-Wl,-rpath,{lib}",
                        "-lsycl", "-o", str(out)], capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"building the SYCL driver with {cxx} failed:\n{r.stderr[-2000:]}")
    probe = subprocess.run([str(out)], capture_output=True, text=True)
    if probe.returncode != 0:
        why = (probe.stdout + probe.stderr).strip().splitlines()[-1:] or ["no device"]
        raise RuntimeError(f"the SYCL runtime has no device to compile for ({why[0][:300]}); "
                           "apt-get install pocl-opencl-icd")
    return str(out)


def compile_files(paths: list[Path]) -> dict[str, str]:
    """{path: compiler log} for each file that fails to compile (empty when all compile)."""
    r = subprocess.run([driver(), *map(str, paths)], capture_output=True, text=True)
    failures: dict[str, str] = {}
    current = None
    for line in r.stdout.splitlines():
        if line.startswith("FAIL "):
            current = line[5:]
            failures[current] = ""
        elif line == "END":
            current = None
        elif current is not None:
            failures[current] += line + "\n"
    if r.returncode != 0 and not failures:
        failures["<driver>"] = (r.stdout + r.stderr)[-3000:]
    return failures
