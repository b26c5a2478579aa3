#!/usr/bin/env bash
# Set up, create the SQLite database in instance/ and deploy every model of processes/.
# (The web app and its demo data arrive with the web issue; until then OneThing is its CLI.)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
.venv/bin/onething init-db
.venv/bin/onething deploy
cat <<'MSG'

OneThing is ready (SQLite at instance/onething.db). Try:
  .venv/bin/onething compare newborn                  # before/after figures of a matter
  .venv/bin/onething case start newborn --variant after
  .venv/bin/onething case steps                       # what is ready, per department
  .venv/bin/onething run processes/newborn/after.bpmn --auto
  .venv/bin/onething --help
MSG
