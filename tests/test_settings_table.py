"""The README's settings table is the code's (issue 18: "The README's settings table matches the
code: a test reads both"), and every HOTLINE_* name the code spells is declared in it."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from operator_tui.settings_table import ENV, SCOPES, SETTINGS, markdown

ROOT = Path(__file__).resolve().parents[1]
START, END = "<!-- settings-table:start -->", "<!-- settings-table:end -->"
# the source that may spell a setting's variable: the product and its scripts (tests set them freely)
SOURCE = ("operator_tui", "server_stub", "scripts")
NAME = re.compile(r"(?<![A-Za-z0-9_])HOTLINE_[A-Z0-9_]*[A-Z0-9]")


def _readme_table() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert text.count(START) == 1 and text.count(END) == 1, "README.md needs one settings-table block"
    return text.split(START, 1)[1].split(END, 1)[0].strip("\n") + "\n"


def test_the_readme_table_is_the_generated_one():
    assert _readme_table() == markdown(), (
        "README.md's settings table differs from the code: run `python -m operator_tui.settings --markdown` "
        "and paste its output between the settings-table markers"
    )


def test_the_generator_runs_as_documented():
    out = subprocess.run(
        [sys.executable, "-m", "operator_tui.settings", "--markdown"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    assert out.stdout == markdown()
    bad = subprocess.run([sys.executable, "-m", "operator_tui.settings"], capture_output=True, text=True, cwd=ROOT)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1


def _names_in_source() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for folder in SOURCE:
        for path in sorted((ROOT / folder).rglob("*")):
            if path.suffix not in (".py", ".sh") or "__pycache__" in path.parts:
                continue
            for name in NAME.findall(path.read_text(encoding="utf-8", errors="replace")):
                found.setdefault(name, set()).add(str(path.relative_to(ROOT)))
    return found


def test_every_hotline_variable_in_the_code_is_in_the_table():
    found = _names_in_source()
    assert {"HOTLINE_DB", "HOTLINE_POLICY", "HOTLINE_SERVER_DB"} <= set(found)  # the grep does find them
    declared = set(ENV.values())
    missing = {name: sorted(paths) for name, paths in found.items() if name not in declared}
    assert not missing, f"HOTLINE_* names used in the code but not declared in settings_table.SETTINGS: {missing}"


def test_each_setting_is_declared_once_with_a_known_scope():
    names = [s.name for s in SETTINGS]
    envs = [s.env for s in SETTINGS]
    assert len(set(names)) == len(names) and len(set(envs)) == len(envs)
    assert all(s.scope in SCOPES and s.doc and s.env.startswith("HOTLINE_") for s in SETTINGS)
    # the variables the server reads are in the same table as the seat's
    assert {ENV["server_db"], ENV["tls_cert"], ENV["tls_key"], ENV["reports_dir"], ENV["policy"]} <= set(envs)


def test_no_module_spells_a_settings_variable_as_a_typer_literal():
    """One spelling: typer options name their variable through ENV, never as a string of their own."""
    literal = re.compile(r"envvar\s*=\s*[\"']HOTLINE_")
    offenders = [
        str(p.relative_to(ROOT))
        for p in sorted((ROOT / "operator_tui").rglob("*.py"))
        if literal.search(p.read_text(encoding="utf-8"))
    ]
    assert not offenders, f"envvar='HOTLINE_…' literals (use envvar=ENV[name]): {offenders}"


# Who may still look at the process environment, and why: the settings themselves; the test hooks
# (scope test); two readers whose `env=` parameter defaults to it and whose callers pass the settings.
READS_ENVIRONMENT = {
    "operator_tui/settings.py": "resolves the settings",
    "operator_tui/ui/app.py": "HOTLINE_READY_FILE / HOTLINE_READY_EXIT, test hooks",
    "server_stub/pg_cluster.py": "HOTLINE_PG_BIN, a test hook",
    "operator_tui/cti/config.py": "env= default; the seat and `hotline cti check` pass Settings.cti_credentials()",
    "operator_tui/store/keys.py": "env= default of explicit_key",
}


def test_only_the_settings_read_the_environment():
    reader = re.compile(r"os\.environ|os\.getenv|getenv\(")
    found = {
        str(p.relative_to(ROOT))
        for folder in ("operator_tui", "server_stub")
        for p in (ROOT / folder).rglob("*.py")
        if any(reader.search(line.split("#")[0]) for line in p.read_text(encoding="utf-8").splitlines())
    }
    assert found - set(READS_ENVIRONMENT) == set(), (
        "read the setting from the Settings object (or settings.environment)"
    )
    assert "operator_tui/settings.py" in found  # the grep does see a reader
