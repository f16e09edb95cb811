"""Every `hotline` command and sub-command appears in README.md (as datasette's tests/test_docs.py does)."""

from __future__ import annotations

import re
from pathlib import Path

import typer

README = Path(__file__).resolve().parents[1] / "README.md"


def command_names() -> list[str]:
    """'hotline ticket add', 'hotline deadline', … for every visible command and group."""
    from operator_tui.cli import app

    names: list[str] = []

    # Typer vendors its own click (typer._click), so groups are recognised by their `commands`.
    def walk(cmd, path: list[str]) -> None:
        if path:
            names.append(" ".join(["hotline", *path]))
        for name, sub in sorted((getattr(cmd, "commands", None) or {}).items()):
            if not getattr(sub, "hidden", False):
                walk(sub, [*path, name])

    walk(typer.main.get_command(app), [])
    return names


def test_every_command_is_in_the_readme():
    assert README.exists(), "README.md is missing"
    text = re.sub(r"[ \t]+", " ", README.read_text(encoding="utf-8"))
    names = command_names()
    assert "hotline ticket add" in names
    missing = [n for n in names if not re.search(re.escape(n) + r"(?![\w-])", text)]
    assert not missing, "commands missing from README.md: " + ", ".join(missing)
