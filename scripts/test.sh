#!/usr/bin/env bash
# Set up and run the whole test suite (what CI runs). Extra arguments go to pytest.
set -euo pipefail
source "$(dirname "$0")/_venv.sh" dev
exec .venv/bin/python -m pytest -n 2 -q "$@"
