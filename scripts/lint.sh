#!/usr/bin/env bash
# Lint and types (issue 18): ruff for style, mypy for types. Both read their settings from
# pyproject.toml ([tool.ruff], [tool.mypy]: strict for the domain, the seat's store and the server,
# "typed enough to catch real errors" for the rest). Exits non-zero on the first finding.
set -euo pipefail
source "$(dirname "$0")/_venv.sh" dev
echo "ruff check . && ruff format --check ." >&2
.venv/bin/ruff check .
.venv/bin/ruff format --check . >/dev/null || { .venv/bin/ruff format --check .; echo "run: .venv/bin/ruff format ." >&2; exit 1; }
echo "mypy (operator_tui, server_stub)" >&2
.venv/bin/mypy
