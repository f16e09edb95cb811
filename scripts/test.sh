#!/usr/bin/env bash
# Set up and run the whole test suite (what CI runs). Extra arguments go to pytest.
# The server tests run twice, on SQLite and on a throwaway PostgreSQL 15 that each pytest worker
# starts and removes (_venv.sh installs PostgreSQL when it is missing); `--engine sqlite` runs one.
set -euo pipefail
source "$(dirname "$0")/_venv.sh" dev
# Lint and types first (issue 18): a style or type error fails the run as a test would.
bash scripts/lint.sh
exec .venv/bin/python -m pytest -n 2 -q "$@"
