#!/usr/bin/env bash
# Set up and run every test (SQLite always; PostgreSQL at ONETHING_TEST_POSTGRES_URL when reachable;
# the browser tests when Chromium is there: ONETHING_BROWSER_TESTS=1 installs it and bpmn-js).
# The tests run in parallel, one pytest-xdist worker per core (`-n 0` runs them in one process);
# the browser tests share one worker (xdist_group "browser").
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
if [ "${ONETHING_BROWSER_TESTS:-0}" = "1" ]; then
  scripts/modeler-deps.sh
fi
exec .venv/bin/pytest -n auto --dist loadgroup "$@"
