"""The CLI answers an error of the tree that a command did not turn into a CliError by its kind,
in one place (`operator_tui.cli.main`): one Chinese line, and exit 2 for what the person can fix,
1 for something unavailable, 70 for our bug (issue 18). `hotline triage` stands for any command:
its `triage` is made to raise."""

from __future__ import annotations

import re

import pytest

from operator_tui.cli import EXIT_CODES
from operator_tui.desk import IntakeInvalid, TicketNotFound
from operator_tui.domain.errors import KINDS, BrokenInvariant, RuleViolation
from operator_tui.domain.policy import PolicyError
from operator_tui.store.seat_lock import LockBusy
from operator_tui.sync.errors import AuthRejected, Offline, ProtocolError

CHINESE = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def failing(cli, monkeypatch):
    def run(exc: BaseException):
        def raise_it(*args, **kwargs):
            raise exc

        monkeypatch.setattr("operator_tui.cli.triage_cmd.triage", raise_it)
        return cli("triage", "家里暖气不热")

    return run


@pytest.mark.parametrize(
    ("exc", "code"),
    [
        (IntakeInvalid([]), 2),
        (TicketNotFound("服务器上没有受理编号为 2611020010001 的办理单"), 2),
        (RuleViolation("R18.1", "受理编号已被其他办理单使用"), 2),
        (ProtocolError(409, "conflict"), 2),  # a Refused that is also a SyncError: refused wins
        (PolicyError("policy.toml：limits.dispatch 需要正整数"), 2),
        (AuthRejected("令牌无效，请用 hotline server token 重新签发"), 2),
        (Offline("服务器暂时无法连接；待同步队列已保留"), 1),
        (LockBusy("坐席正在使用该数据库"), 1),
    ],
    ids=lambda v: type(v).__name__ if isinstance(v, BaseException) else str(v),
)
def test_each_kind_exits_with_its_code_and_one_chinese_line(failing, exc, code):
    r = failing(exc)
    assert r.code == code, (r.code, r.err)
    assert len(r.err_lines) == 1 and r.err_lines[0].startswith("错误：") and CHINESE.search(r.err_lines[0])
    assert "Traceback" not in r.err and r.out == ""


def test_a_rule_refusal_names_its_rule(failing):
    r = failing(RuleViolation("R18.1", "受理编号已被其他办理单使用"))
    assert r.err_lines == ["错误：R18.1：受理编号已被其他办理单使用"]


def test_a_broken_invariant_is_our_bug_not_the_users_mistake(failing):
    r = failing(BrokenInvariant("2611020010001: archived without a callback rating"))
    assert r.code == 70
    assert len(r.err_lines) == 1 and "程序内部错误" in r.err and "不是您的操作或输入有误" in r.err
    assert "2611020010001" not in r.err  # a bug's own message may hold a ticket's data


def test_every_kind_has_an_exit_code():
    assert set(EXIT_CODES) == set(KINDS)


def test_the_seats_short_path_answers_the_tree_like_the_cli(monkeypatch, capsys, tmp_path):
    """`hotline seat` skips typer; an error of the tree it meets still ends in one line and the
    CLI's exit code for its kind (here: another seat holds the database, so 1: try again later)."""
    from operator_tui import launch

    monkeypatch.setenv("HOTLINE_DB", str(tmp_path / "seat.db"))
    monkeypatch.setenv("HOTLINE_CONFIG_DIR", str(tmp_path / "config"))

    def busy(*args, **kwargs):
        raise LockBusy("另一个坐席正在使用该数据库")

    monkeypatch.setattr("operator_tui.seat_start.run_seat", busy)
    with pytest.raises(SystemExit) as done:
        launch.main(["seat"])
    assert done.value.code == 1
    assert capsys.readouterr().err == "错误：另一个坐席正在使用该数据库\n"
