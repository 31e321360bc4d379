#!/usr/bin/env bash
# Sets up .venv (if needed) with every extra that installs on this machine, then runs the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[test,triton,opencl]'
exec .venv/bin/python -m pytest -n 2 -q "$@"
