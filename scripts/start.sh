#!/usr/bin/env bash
# Set up, create the SQLite database in instance/, deploy processes/, load demo data, start the web app.
# HOST/PORT override where it listens (default 127.0.0.1:5000).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
.venv/bin/onething init-db
.venv/bin/onething demo-data
echo
echo "Open http://${HOST:-127.0.0.1}:${PORT:-5000}/ — citizens need no login; staff use the demo logins above."
exec .venv/bin/onething serve --host "${HOST:-127.0.0.1}" --port "${PORT:-5000}"
