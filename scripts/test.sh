#!/usr/bin/env bash
# Set up and run every test (SQLite always; PostgreSQL at ONETHING_TEST_POSTGRES_URL when reachable).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec .venv/bin/pytest "$@"
