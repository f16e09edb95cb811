#!/usr/bin/env bash
# Set up and open the seat on an embedded local SQLite with demo data.
#   scripts/seat.sh            # demo database in .demo/seat.db
#   HOTLINE_DB=... scripts/seat.sh --caller 13912345678
set -euo pipefail
source "$(dirname "$0")/_venv.sh" ""  # "": not this script's own arguments (a sourced file inherits them)
export HOTLINE_DB="${HOTLINE_DB:-$ROOT/.demo/seat.db}"
mkdir -p "$(dirname "$HOTLINE_DB")"  # db init creates no folders (a mistyped path must not make one)
.venv/bin/hotline db init --demo >/dev/null
if .venv/bin/hotline seat --help >/dev/null 2>&1; then
  exec .venv/bin/hotline seat "$@"
else
  exec .venv/bin/hotline ticket list
fi
