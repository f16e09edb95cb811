"""The installed environment is exactly the lock (issue 18): a fresh clone's `scripts/test.sh` and
`scripts/seat.sh` install requirements/*.lock with hashes, so a new release of a dependency changes
nothing until someone remakes the lock (scripts/lock.sh) and commits it."""

from __future__ import annotations

import re
import tomllib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?==([^\s\\;]+)", re.MULTILINE)


def pins(lock: str) -> dict[str, str]:
    return {name.lower().replace("_", "-"): v for name, v in PIN.findall((ROOT / "requirements" / lock).read_text())}


def test_every_locked_package_is_installed_at_its_locked_version():
    wrong = {}
    for name, want in pins("dev.lock").items():
        try:
            have = version(name)
        except PackageNotFoundError:
            have = None
        if have != want:
            wrong[name] = (want, have)
    assert not wrong, f"installed ≠ locked (run scripts/test.sh, or scripts/lock.sh after a pyproject change): {wrong}"


def test_the_locks_hold_every_dependency_with_hashes_and_within_its_cap():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    run, dev = pins("run.lock"), pins("dev.lock")
    for spec in project["dependencies"]:
        name = re.split(r"[\[<>=!; ]", spec, maxsplit=1)[0].lower()
        assert name in run and name in dev, f"{name} is not in the locks: run scripts/lock.sh"
    assert set(run.items()) <= set(dev.items()), "the test lock must install what the seat runs, at the same versions"
    for lock in ("run.lock", "dev.lock"):
        text = (ROOT / "requirements" / lock).read_text()
        blocks = [b for b in re.split(r"\n(?=[A-Za-z])", text) if PIN.match(b)]
        assert blocks and all("--hash=sha256:" in b for b in blocks), f"{lock}: every pin carries its hashes"
    for spec in project["dependencies"] + project["optional-dependencies"]["dev"]:
        assert "<" in spec or "==" in spec, f"{spec}: cap it below its next major version"
