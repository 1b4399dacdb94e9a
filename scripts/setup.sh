#!/usr/bin/env bash
# Create .venv and install cenas with its locked dependencies. Idempotent.
# torch comes first and from the lock so pip never resolves a different (CUDA-bundled) build.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -c constraints.txt torch
.venv/bin/python -m pip install -q -c constraints.txt -e ".[dev,nvml,ray]"
echo "cenas installed in .venv ($(.venv/bin/cenas --version))"
