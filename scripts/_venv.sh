# Sourced by the entry scripts: create .venv if missing and install the project into it.
# Re-installs only when pyproject.toml changed since the last install (a stamp holds its hash).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="${PYTHON:-python3}"
EXTRA="${1:-}"
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
stamp=".venv/.installed${EXTRA:+-$EXTRA}"
want="$(sha256sum pyproject.toml | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "installing hotline${EXTRA:+ [$EXTRA]} into .venv …" >&2
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".${EXTRA:+[$EXTRA]}" >&2
  echo "$want" > "$stamp"
fi
