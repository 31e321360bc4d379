#!/usr/bin/env bash
# Sets up .venv (if needed), then checks and benchmarks the kernel library on every available backend.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[triton,opencl,bench]'
.venv/bin/portable backends
.venv/bin/portable check
exec .venv/bin/portable bench --json benchmarks/results/latest.json "$@"
