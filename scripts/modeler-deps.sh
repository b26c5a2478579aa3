#!/usr/bin/env bash
# Install bpmn-js (pinned in tests/diagrams/modeler/package.json + package-lock.json) for
# tests/diagrams/test_modeler.py, unless tests/diagrams/modeler/node_modules is already there.
# Needs node and npm (Node 20); reads the npm registry. node_modules is never committed.
set -euo pipefail
cd "$(dirname "$0")/../tests/diagrams/modeler"
if [ -f node_modules/bpmn-js/dist/bpmn-modeler.production.min.js ]; then
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "modeler-deps: npm not found (install Node.js 20 and npm); tests/diagrams/test_modeler.py will skip" >&2
  exit 1
fi
if [ -f package-lock.json ]; then
  npm ci --ignore-scripts --no-audit --no-fund
else
  npm install --ignore-scripts --no-audit --no-fund
fi
