"""What users expect of a command-line tool (issue 18): `--version`, `python -m`, shell completion."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

HOTLINE = Path(sys.executable).with_name("hotline")


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(list(args), capture_output=True, text=True, timeout=60, env={**os.environ, **(env or {})})


def test_version_is_the_installed_one_and_both_ways_in_agree():
    want = f"hotline {version('hotline-seat')}"
    assert run(str(HOTLINE), "--version").stdout.strip() == want
    by_module = run(sys.executable, "-m", "operator_tui", "--version")
    assert by_module.returncode == 0 and by_module.stdout.strip() == want


def test_python_m_runs_the_same_commands_with_the_same_errors():
    result = run(
        sys.executable, "-m", "operator_tui", "deadline", "--start", "9999-12-31T10:00:00+08:00", "--workdays", "5"
    )
    assert result.returncode == 2 and result.stderr.count("\n") == 1


def test_shell_completion_offers_sub_commands_of_a_lazily_registered_group():
    result = run(
        str(HOTLINE), env={"_HOTLINE_COMPLETE": "complete_bash", "COMP_WORDS": "hotline report r", "COMP_CWORD": "2"}
    )
    assert result.returncode == 0
    assert {"rates", "risks"} <= set(result.stdout.split())
    shown = run(str(HOTLINE), "--show-completion", "bash", env={"SHELL": "/bin/bash"})
    # Once (2026-11-30, whole suite on 2 workers) stdout came back empty; say why if it happens again.
    assert "_HOTLINE_COMPLETE" in shown.stdout, (shown.returncode, shown.stderr[-2000:])


def test_the_wiring_uses_no_global_and_no_dunder_import():
    source = (Path(__file__).resolve().parents[2] / "operator_tui" / "cli" / "__init__.py").read_text()
    assert "global " not in source and "__import__" not in source and "type(exc).__name__" not in source
