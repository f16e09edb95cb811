"""`hotline --db PATH` reaches every sub-command, the knowledge-base ones included."""

from __future__ import annotations

import json

import pytest

from operator_tui.cli import main


def run(capsys, *args: str) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exit_:
        main(list(args))
    return exit_.value.code, capsys.readouterr().out


@pytest.mark.rule("R34.1")
def test_kb_commands_use_the_db_given_on_the_command_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("HOTLINE_DB", str(tmp_path / "other.db"))
    db = tmp_path / "seat.db"
    assert run(capsys, "--db", str(db), "db", "init", "--demo")[0] == 0
    code, out = run(capsys, "--db", str(db), "kb", "search", "社保卡补办", "--json")
    assert code == 0 and json.loads(out), "the sample KB loaded into --db is searched there"
    assert not (tmp_path / "other.db").exists()
