"""Every `hotline` command meets a wrong path with one line in Chinese and exit code 2 (issue 14).

A missing file, a file that is not a database, a folder where a file belongs, a read-only target,
an absurd date: no traceback, no new empty database, nothing written. Only `db init` (and the
server's `server init`) create a database.

Read-only targets: the suite runs as root in CI, where chmod does not stop a write, so the
`read_only` fixture makes `os.access` report the folder read-only to the checks as well.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

import pytest

from operator_tui import launch

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def one_chinese_line(result) -> str:
    assert result.code == 2, (result.code, result.out, result.err)
    assert len(result.err_lines) == 1, result.err
    line = result.err_lines[0]
    assert CHINESE.search(line) and "Traceback" not in result.err
    return line


@pytest.fixture
def read_only(monkeypatch):
    """`read_only(folder)`: the folder (and what is in it) is read-only to the path checks."""

    def make(folder: Path) -> Path:
        folder.mkdir(exist_ok=True)
        os.chmod(folder, stat.S_IRUSR | stat.S_IXUSR)
        real = os.access

        def access(path, mode, *a, **k):
            inside = Path(path).resolve() == folder.resolve() or folder.resolve() in Path(path).resolve().parents
            if inside and mode & os.W_OK:
                return False
            return real(path, mode, *a, **k)

        monkeypatch.setattr("operator_tui.path_checks.os.access", access)
        return folder

    yield make


@pytest.fixture
def not_a_db(tmp_path) -> Path:
    path = tmp_path / "notes.txt"
    path.write_text("not a database\n", encoding="utf-8")
    return path


# --- the seat database: only `db init` creates one ----------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("ticket", "list"),
        ("ticket", "show", "2611260010001"),
        ("kb", "search", "暖气"),
        ("kb", "stale"),
        ("kb", "export", "--format", "csv"),
        ("sync", "--server", "http://127.0.0.1:9", "--token", "hl_x"),
    ],
)
def test_a_mistyped_db_is_refused_and_not_created(cli, tmp_path, args):
    typo = tmp_path / "seta.db"
    line = one_chinese_line(cli("--db", str(typo), *args))
    assert "--db" in line and str(typo) in line and "hotline db init" in line
    assert not typo.exists()


def test_ticket_add_needs_an_existing_database(cli, tmp_path):
    typo = tmp_path / "seta.db"
    result = cli(
        "--db",
        str(typo),
        "ticket",
        "add",
        "--name",
        "张先生",
        "--phone",
        "13912345678",
        "--address",
        "铁东区",
        "--type",
        "投诉",
        "--matter",
        "heating_temperature",
        "--place",
        "tiedong.站前街道",
        "--description",
        "暖气不热",
    )
    assert "--db" in one_chinese_line(result) and not typo.exists()


@pytest.mark.parametrize(
    "args", [("ticket", "list"), ("kb", "search", "暖气"), ("kb", "stale"), ("kb", "import", "KB")]
)
def test_a_file_that_is_not_a_database_is_refused(cli, tmp_path, not_a_db, args):
    args = tuple(str(tmp_path / "kb.md") if a == "KB" else a for a in args)
    (tmp_path / "kb.md").write_text("---\n---\n", encoding="utf-8")
    line = one_chinese_line(cli("--db", str(not_a_db), *args))
    assert "不是数据库" in line
    assert not_a_db.read_text(encoding="utf-8") == "not a database\n"


def test_a_folder_as_db_is_refused(cli, tmp_path):
    assert "目录" in one_chinese_line(cli("--db", str(tmp_path), "ticket", "list"))


def test_db_init_refuses_a_missing_folder_and_a_read_only_one(cli, tmp_path, read_only):
    line = one_chinese_line(cli("--db", str(tmp_path / "no" / "such" / "seat.db"), "db", "init"))
    assert "不存在" in line and not (tmp_path / "no").exists()
    locked = read_only(tmp_path / "locked")
    assert "只读" in one_chinese_line(cli("--db", str(locked / "seat.db"), "db", "init"))
    assert not (locked / "seat.db").exists()


def test_db_init_makes_the_database_the_others_then_use(cli):
    assert cli("db", "init").code == 0 and cli.db_path.exists()
    assert cli("ticket", "list").code == 0


def test_writing_to_a_read_only_database_is_refused(cli, tmp_path, read_only):
    folder = tmp_path / "ro"
    folder.mkdir()
    db = folder / "seat.db"
    assert cli("--db", str(db), "db", "init", "--demo").code == 0
    read_only(folder)
    line = one_chinese_line(
        cli(
            "--db",
            str(db),
            "ticket",
            "add",
            "--name",
            "张先生",
            "--phone",
            "13912345678",
            "--address",
            "铁东区",
            "--type",
            "投诉",
            "--matter",
            "heating_temperature",
            "--place",
            "tiedong.站前街道",
            "--description",
            "暖气不热",
        )
    )
    assert "只读" in line
    kb = tmp_path / "one.md"
    kb.write_text("x", encoding="utf-8")
    assert "只读" in one_chinese_line(cli("--db", str(db), "kb", "import", str(kb)))


# --- knowledge base: import all-or-nothing, export where asked ---------------------------------


def test_kb_import_of_a_missing_path(cli):
    assert cli("db", "init").code == 0
    assert "找不到" in one_chinese_line(cli("kb", "import", "/no/such/kb"))


def test_kb_import_does_not_walk_a_folder_with_other_things_in_it(cli, tmp_path):
    """A project folder (a virtualenv below it) pointed at by mistake: refused before any file is read."""
    assert cli("db", "init", "--demo").code == 0
    before = cli("kb", "search", "暖气", "--json").out
    project = tmp_path / "project"
    (project / ".venv" / "lib").mkdir(parents=True)
    (project / "src").mkdir()
    (project / "src" / "kb.md").write_text("---\nid: x\n---\n", encoding="utf-8")
    (project / "setup.py").write_text("", encoding="utf-8")
    line = one_chinese_line(cli("kb", "import", str(project)))
    assert "src" in line or "setup.py" in line
    assert cli("kb", "search", "暖气", "--json").out == before


def test_kb_import_is_all_or_nothing(cli, tmp_path):
    from operator_tui.kb.export import export_markdown
    from operator_tui.kb.sample import sample_articles

    assert cli("db", "init").code == 0
    folder = tmp_path / "kb"
    export_markdown(sample_articles()[:5], folder)
    broken = sorted(folder.glob("*.md"))[-1]
    broken.write_text(
        broken.read_text(encoding="utf-8").replace("review_by:", "review_by: 2025-02-30\nx:"), encoding="utf-8"
    )
    result = cli("kb", "import", str(folder))
    assert result.code == 2 and "全部未导入" in result.err
    assert cli("kb", "export", "--format", "csv").out.strip().count("\n") == 0  # the header only
    broken.unlink()  # the rest were fine all along: now they go in, together
    assert cli("kb", "import", str(folder)).code == 0


def test_kb_export_into_a_missing_folder_makes_nothing(cli, tmp_path):
    assert cli("db", "init", "--demo").code == 0
    target = tmp_path / "nonexistent" / "dir" / "x.md"
    assert "不存在" in one_chinese_line(cli("kb", "export", "--out", str(target)))
    assert not (tmp_path / "nonexistent").exists()
    csv_target = tmp_path / "nope" / "all.csv"
    assert "不存在" in one_chinese_line(cli("kb", "export", "--format", "csv", "--out", str(csv_target)))
    assert "目录" in one_chinese_line(cli("kb", "export", "--format", "csv", "--out", str(tmp_path)))


# --- the other commands -------------------------------------------------------------------------


@pytest.mark.rule("R22.1")
@pytest.mark.parametrize("start", ["9999-12-31T10:00:00+08:00", "0001-01-01T00:00:00+08:00", "2026-13-01"])
def test_deadline_with_an_absurd_date(cli, start):
    assert "--start" in one_chinese_line(cli("deadline", "--start", start, "--workdays", "5"))


def test_deadline_with_a_missing_holiday_file(cli, tmp_path):
    line = one_chinese_line(
        cli(
            "deadline",
            "--start",
            "2026-11-02T09:00:00+08:00",
            "--workdays",
            "5",
            "--holidays",
            str(tmp_path / "holidays.toml"),
        )
    )
    assert "--holidays" in line


def test_triage_with_a_missing_rules_file(cli, tmp_path):
    assert "--rules" in one_chinese_line(cli("triage", "--rules", str(tmp_path / "rules.toml"), "着火了"))


def test_ticket_add_from_a_missing_json_file(cli, tmp_path):
    assert cli("db", "init").code == 0
    assert "--json-file" in one_chinese_line(cli("ticket", "add", "--json-file", str(tmp_path / "t.json")))


def test_the_seat_refuses_a_mistyped_db(tmp_path, monkeypatch, capsys):
    typo = tmp_path / "seta.db"
    monkeypatch.setenv("HOTLINE_DB", str(typo))
    with pytest.raises(SystemExit) as done:
        launch.main(["seat"])
    assert done.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--db" in err and "hotline db init" in err and CHINESE.search(err)
    assert not typo.exists()


# --- the server's commands (the path checks they call live in operator_tui.cli.common) ----------


def test_server_with_a_mistyped_db_is_refused_and_not_created(cli, tmp_path):
    typo = tmp_path / "servre.db"
    line = one_chinese_line(cli("server", "--db", str(typo), "--port", "0"))
    assert "hotline server init" in line and not typo.exists()
    assert "--db" in one_chinese_line(cli("server", "token", "list", "--db", str(typo)))
    assert not typo.exists()


def test_server_init_refuses_a_missing_or_read_only_folder(cli, tmp_path, read_only):
    assert "不存在" in one_chinese_line(cli("server", "init", "--db", str(tmp_path / "no" / "server.db")))
    locked = read_only(tmp_path / "locked")
    assert "只读" in one_chinese_line(cli("server", "init", "--db", str(locked / "server.db")))
    assert not (locked / "server.db").exists() and not (tmp_path / "no").exists()
