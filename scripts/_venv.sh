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
# Exactly the locked versions, checked against their hashes (requirements/*.lock, made by
# scripts/lock.sh); then the project itself, without letting pip resolve anything again.
lock="requirements/${EXTRA:-run}.lock"
stamp=".venv/.installed${EXTRA:+-$EXTRA}"
want="$(cat pyproject.toml "$lock" | sha256sum | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "installing hotline${EXTRA:+ [$EXTRA]} into .venv from $lock …" >&2
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --require-hashes -r "$lock" >&2
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps -e . >&2
  echo "$want" > "$stamp"
fi
# The server tests run on PostgreSQL too (issue 17): they start a throwaway cluster from the
# PostgreSQL 15 server binaries. A fresh Debian machine (CI runs as root) gets them here.
if [ "$EXTRA" = "dev" ] && [ ! -x /usr/lib/postgresql/15/bin/initdb ] && [ -z "${HOTLINE_PG_BIN:-}" ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "installing PostgreSQL 15 (the server tests run on it too) …" >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
  else
    echo "PostgreSQL 15 server binaries are missing: sudo apt-get install -y postgresql (or set HOTLINE_PG_BIN)" >&2
    exit 2
  fi
fi
# The public page is tested in a real browser (issue 15): headless Chromium driven by Playwright,
# which is given the Debian package's binary (no browser download). Installed here when missing.
if [ "$EXTRA" = "dev" ] && [ ! -x /usr/bin/chromium ] && [ -z "${HOTLINE_CHROMIUM:-}" ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "installing chromium (the public page's browser test) …" >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >&2
  else
    echo "Chromium is missing: sudo apt-get install -y chromium (or set HOTLINE_CHROMIUM to its binary)" >&2
    exit 2
  fi
fi
