#!/usr/bin/env bash
# Set up and run every test (SQLite always; PostgreSQL at ONETHING_TEST_POSTGRES_URL when reachable;
# the browser tests when Chromium is there: ONETHING_BROWSER_TESTS=1 installs it and bpmn-js).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
if [ "${ONETHING_BROWSER_TESTS:-0}" = "1" ]; then
  scripts/modeler-deps.sh
fi
exec .venv/bin/pytest "$@"
