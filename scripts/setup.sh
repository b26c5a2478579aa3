#!/usr/bin/env bash
# Create .venv with OneThing and its test tools installed (idempotent).
set -euo pipefail
cd "$(dirname "$0")/.."
"$(dirname "$0")/system-deps.sh"
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip >/dev/null 2>&1 || true
.venv/bin/python -m pip install -q -e '.[test]'
