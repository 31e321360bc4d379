#!/usr/bin/env bash
# Sets up .venv, then checks and benchmarks the kernel library on every available backend.
# As root on Debian it also installs PoCL for the opencl backend (see scripts/test.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    pocl-opencl-icd ocl-icd-libopencl1 >/dev/null
fi
python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[triton,opencl,bench]'
.venv/bin/portable backends
.venv/bin/portable check
exec .venv/bin/portable bench --json benchmarks/results/latest.json "$@"
