"""The seat's one mapping from the error tree to a notice (operator_tui/ui/notices.py, issue 18)."""

from __future__ import annotations

import logging

import pytest

from operator_tui.desk import IntakeInvalid, TicketNotFound
from operator_tui.domain.errors import BrokenInvariant, RuleViolation
from operator_tui.domain.policy import PolicyError
from operator_tui.sync.errors import Offline, ProtocolError
from operator_tui.ui.notices import notice


@pytest.mark.parametrize(
    ("exc", "severity"),
    [
        (Offline("服务器暂时无法连接"), "warning"),
        (TicketNotFound("服务器上没有受理编号为 2611020010001 的办理单"), "warning"),
        (RuleViolation("R13.1", "办理单已办结，不能催办"), "error"),
        (ProtocolError(409, "conflict"), "error"),  # refused by the server, though it is a SyncError
        (IntakeInvalid([]), "error"),
        (PolicyError("policy.toml：limits.dispatch 需要正整数"), "error"),
    ],
    ids=lambda v: type(v).__name__ if isinstance(v, BaseException) else v,
)
def test_the_severity_follows_the_kind(exc, severity):
    assert notice(exc).severity == severity


def test_the_message_names_the_act_and_the_rule():
    said = notice(RuleViolation("R13.1", "办理单已办结，不能催办"), "催办")
    assert said.message == "催办失败：R13.1：办理单已办结，不能催办"


@pytest.mark.rule("R33.1")
def test_a_bug_is_said_without_its_data_and_logged_by_type_and_place(caplog):
    try:
        raise BrokenInvariant("2611020010001 李女士: archived without a callback rating")
    except BrokenInvariant as exc:
        with caplog.at_level(logging.ERROR, logger="hotline.seat"):
            said = notice(exc)
    assert said.severity == "error" and "程序内部错误" in said.message
    assert "李女士" not in said.message and "2611020010001" not in said.message
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert logged.startswith("bug: BrokenInvariant at test_notices.py:") and "李女士" not in logged
