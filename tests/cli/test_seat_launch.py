"""`hotline seat` takes a short path (operator_tui.launch) that parses its options without typer.
These tests hold the two ways in to the same options, values, environment variables and errors."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest
import typer

from operator_tui import launch, seat_start
from operator_tui.seat_start import ROOT_OPTIONS, SEAT_OPTIONS, SeatOptions, parse_seat_args


def _typer_params(name: str | None):
    from operator_tui.cli import app

    command = typer.main.get_command(app)
    target = command if name is None else command.commands[name]
    return {p.opts[0]: p for p in target.params if p.opts and p.opts[0].startswith("--")}


# Root options that answer and exit (`hotline --version`): the short path leaves them to the CLI.
EAGER = {"--version", "--install-completion", "--show-completion"}


def test_the_short_path_knows_exactly_the_options_of_the_typer_command():
    for table, name in ((SEAT_OPTIONS, "seat"), (ROOT_OPTIONS, None)):
        params = _typer_params(name)
        assert set(params) - EAGER == set(table), f"{name or 'hotline'}: options differ"
        for option, (field, takes_value, envvar) in table.items():
            p = params[option]
            assert p.name == field
            assert (not p.is_flag) == takes_value, option
            assert (p.envvar or None) == envvar, option


@pytest.mark.parametrize("args", [["--version"], ["--version", "seat"], ["--show-completion", "bash"]])
def test_answer_and_exit_options_go_to_the_cli(args):
    assert parse_seat_args(args) is None


@pytest.fixture
def captured(monkeypatch, tmp_path):
    """run_seat replaced by a recorder, for both ways in."""
    seen: list[tuple[Path, str, SeatOptions]] = []

    def record(settings, opts, defer=False):
        seen.append((settings.db_path, settings.operator, opts))

    monkeypatch.setattr(seat_start, "run_seat", record)
    for var in ("HOTLINE_SERVER", "HOTLINE_TOKEN", "HOTLINE_ROLE", "HOTLINE_OPERATOR"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HOTLINE_DB", str(tmp_path / "env.db"))
    return seen


ARGVS = [
    ["seat"],
    ["seat", "--caller", "13912345678"],
    ["seat", "--caller=0412-1234567", "--offline"],
    ["--db", "/tmp/x.db", "--operator", "op7", "seat", "--role", "supervisor"],
    ["--db=/tmp/y.db", "seat", "--server", "http://127.0.0.1:8890", "--token", "t0k"],
    ["seat", "--demo", "--role=admin"],
]


@pytest.mark.parametrize("argv", ARGVS, ids=" ".join)
def test_both_ways_in_give_the_seat_the_same_options(argv, captured):
    from operator_tui.cli import main as cli_main

    assert parse_seat_args(argv) is not None, "the short path should take this"
    for way_in in (launch.main, cli_main):
        with pytest.raises(SystemExit) as done:
            way_in(argv)
        assert done.value.code == 0, way_in
        assert gc.isenabled()  # the short path turns the collector off only while the seat starts
    assert len(captured) == 2 and captured[0] == captured[1]


def test_environment_variables_fill_what_the_command_line_leaves_out(monkeypatch, captured):
    monkeypatch.setenv("HOTLINE_ROLE", "supervisor")
    monkeypatch.setenv("HOTLINE_SERVER", "http://127.0.0.1:9")
    settings, opts = parse_seat_args(["seat"])
    assert opts.role == "supervisor" and opts.server == "http://127.0.0.1:9"
    assert settings.db_path.name == "env.db"
    assert parse_seat_args(["seat", "--role", "operator"])[1].role == "operator"  # the flag wins


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["ticket", "list"],
        ["seat", "--help"],
        ["seat", "--bogus"],
        ["seat", "--caller"],
        ["seat", "--offline=yes"],
        ["--db"],
        ["seat", "seat"],
    ],
)
def test_anything_else_goes_to_the_full_cli(argv):
    assert parse_seat_args(argv) is None


@pytest.mark.parametrize(
    ("argv", "field"),
    [
        (["seat", "--caller", "12345"], "--caller"),
        (["seat", "--role", "boss"], "--role"),
        (["seat", "--server", "ftp://x"], "--server"),
    ],
)
def test_a_bad_option_is_one_line_and_exit_code_2(argv, field, capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("HOTLINE_DB", str(tmp_path / "seat.db"))
    with pytest.raises(SystemExit) as done:
        launch.main(argv)
    assert done.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(f"错误：{field}：") and err.count("\n") == 1
    assert not (tmp_path / "seat.db").exists()  # nothing written


def test_help_goes_to_typer(capsys):
    with pytest.raises(SystemExit) as done:
        launch.main(["seat", "--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert "--caller" in out and "--role" in out
