#!/usr/bin/env bash
# Sets up .venv with every extra that installs on this machine, then runs the tests.
# As root on Debian it also installs PoCL (the pip PoCL's LLVM 14 cannot target newer CPUs) and
# clang-19 with the HIP headers for the emitted-HIP compile checks, and Oclgrind (race checks of
# the emitted OpenCL); elsewhere those tests skip. The sycl extra compiles emitted SYCL.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    pocl-opencl-icd ocl-icd-libopencl1 oclgrind g++ clang-19 lld-19 libamdhip64-dev \
    rocm-device-libs >/dev/null
fi
python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[test,triton,opencl,sycl]'
exec .venv/bin/python -m pytest -n 2 -q "$@"
