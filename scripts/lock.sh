#!/usr/bin/env bash
# Remake the lock files from pyproject.toml (after changing a dependency), with hashes, for the
# Python and platform CI and the seats run on. Commit them with the pyproject change.
#   requirements/run.lock   what `scripts/seat.sh` installs (seat and server)
#   requirements/dev.lock   what `scripts/test.sh` installs (run.lock plus the tests' tools)
# `--upgrade` takes the newest versions the caps allow; without it, versions already locked stay.
set -euo pipefail
cd "$(dirname "$0")/.."
UV=".venv/bin/uv"
[ -x "$UV" ] || UV="uv"
common=(--generate-hashes --python-version 3.11 --python-platform x86_64-unknown-linux-gnu --quiet)
# The test lock first; the seat's lock is constrained by it, so both hold the same versions.
"$UV" pip compile pyproject.toml --extra dev "${common[@]}" "$@" -o requirements/dev.lock
"$UV" pip compile pyproject.toml -c requirements/dev.lock "${common[@]}" -o requirements/run.lock
echo "locked: $(grep -c '==' requirements/run.lock) packages to run, $(grep -c '==' requirements/dev.lock) with the tests"
