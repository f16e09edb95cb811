"""The server answers the error tree by kind, in one place (server_stub/errors.py), and a broken
invariant met while applying an event is a 500 logged as the server's bug: never an event
"rejected R18.2", never the seat's fault, and never remembered as the event's answer (issue 18).
Runs on both engines (the `api` fixture)."""

from __future__ import annotations

import logging

import pytest

from operator_tui.desk import TicketNotFound
from operator_tui.domain import workflow
from operator_tui.domain.errors import BadInput, BrokenInvariant, Refused, RuleViolation, Unavailable
from operator_tui.domain.policy import PolicyError
from operator_tui.sync.errors import Offline
from server_stub.errors import INTERNAL

RAISED = {
    "bad": (BadInput("period：请写 2026-11 这样的月份"), 422),
    "missing": (TicketNotFound("没有这个办理单"), 404),
    "refused": (Refused("已有同名令牌"), 409),
    "offline": (Offline("服务器暂时无法连接"), 503),
    "policy": (PolicyError("policy.toml: limits.dispatch: 需要正整数"), 503),
}


@pytest.fixture
def raising(api):
    """A route that raises the error named in its path, added to this test's app only."""
    errors = {
        **RAISED,
        "rule": (RuleViolation("R22.2", "延期须在 5 个工作日内申请"), 422),
        "bug": (BrokenInvariant("2611020010001: archived without a callback rating"), 500),
        "away": (Unavailable("锁被占用"), 503),
    }

    def raiser(name: str) -> None:
        raise errors[name][0]

    api.client.app.add_api_route("/v1/_raise/{name}", raiser, methods=["GET"])
    return lambda name: api.client.get(f"/v1/_raise/{name}")


@pytest.mark.parametrize("name", sorted(RAISED))
def test_each_kind_has_its_status_and_the_usual_error_body(raising, name):
    exc, status = RAISED[name]
    r = raising(name)
    assert r.status_code == status, r.text
    assert r.json() == {"detail": str(exc)}


@pytest.mark.rule("R18.2")
def test_a_rule_refusal_is_422_naming_the_rule_as_the_action_api_does(raising):
    r = raising("rule")
    assert r.status_code == 422
    assert r.json() == {"detail": "延期须在 5 个工作日内申请", "rule": "R22.2"}


@pytest.mark.rule("R33.1")
def test_a_broken_invariant_is_a_500_without_detail_and_one_log_line(raising, caplog):
    with caplog.at_level(logging.ERROR, logger="hotline.server"):
        r = raising("bug")
    assert r.status_code == 500 and r.json() == {"detail": INTERNAL}
    assert "2611020010001" not in r.text
    lines = [rec.getMessage() for rec in caplog.records if rec.name == "hotline.server"]
    assert len(lines) == 1 and lines[0].startswith("bug: BrokenInvariant at ") and "2611020010001" not in lines[0]


class _BrokenAndValueError(BrokenInvariant, ValueError):
    """A bug that is also a ValueError: the ingest must not take it for an unreadable payload."""


@pytest.mark.rule("R18.2")
@pytest.mark.parametrize("bug", [BrokenInvariant, _BrokenAndValueError])
def test_an_event_that_trips_an_invariant_is_the_servers_bug_not_a_rejection(api, monkeypatch, caplog, bug):
    ticket_id, _ = api.ticket()
    note = api.event("add_note", ticket_id, {"text": "补充：暖气仍不热"})
    real = workflow.check_invariants

    def tripped(ticket, taxonomy):
        if ticket.notes:
            raise bug(f"{ticket.number}: a note broke something")
        real(ticket, taxonomy)

    monkeypatch.setattr(workflow, "check_invariants", tripped)
    with caplog.at_level(logging.ERROR, logger="hotline.server"):
        r = api.push("seat", [note])
    assert r.status_code == 500, r.text
    assert r.json() == {"detail": INTERNAL} and "R18.2" not in r.text
    logged = " ".join(rec.getMessage() for rec in caplog.records)
    assert f"server fault applying event {note['id']} (add_note): {bug.__name__}" in logged
    assert "暖气" not in logged  # the event's content never reaches the log

    # Nothing was remembered as the event's answer: once the bug is fixed, the retry applies.
    monkeypatch.setattr(workflow, "check_invariants", real)
    again = api.push("seat", [note])
    assert again.status_code == 200
    assert again.json()["results"][0]["status"] == "applied" and not again.json()["results"][0]["replayed"]


@pytest.mark.rule("R18.2")
def test_an_unusable_policy_met_while_applying_is_503_not_the_seats_mistake(api, monkeypatch):
    ticket_id, _ = api.ticket()
    note = api.event("add_note", ticket_id, {"text": "补充"})

    def unusable(ticket, taxonomy):
        raise PolicyError("policy.toml: limits.resolution: 需要正整数")

    monkeypatch.setattr(workflow, "check_invariants", unusable)
    r = api.push("seat", [note])
    assert r.status_code == 503 and "policy.toml" in r.json()["detail"]
    monkeypatch.undo()
    assert api.push("seat", [note]).json()["results"][0]["status"] == "applied"


@pytest.mark.rule("R18.2")
def test_an_unreadable_payload_is_still_the_seats_mistake(api, monkeypatch):
    """The other side of the line: a payload the effects cannot read stays a rejection, kept."""
    ticket_id, _ = api.ticket()
    note = api.event("add_note", ticket_id, {"text": "补充"})

    def unreadable(ticket, taxonomy):
        raise TypeError("a payload field has the wrong type")

    monkeypatch.setattr(workflow, "check_invariants", unreadable)
    result = api.push("seat", [note]).json()["results"][0]
    assert (result["status"], result["rule"]) == ("rejected", "R18.2")
