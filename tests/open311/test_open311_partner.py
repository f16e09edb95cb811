"""The partner role (R32.1, R33.1): another platform's token registers requests through Open311 and
does nothing else; its tickets are numbered in a seat code of its own (R18.1)."""

from __future__ import annotations

import pytest

from operator_tui.domain.errors import RuleViolation
from operator_tui.domain.model import Role
from operator_tui.domain.permissions import MAY, RECORDS_AS, roles


@pytest.mark.rule("R33.1")
def test_a_partner_may_register_and_nothing_else():
    assert [kind for kind in MAY if Role.PARTNER in roles(kind)] == ["register"]
    assert RECORDS_AS[Role.PARTNER] == frozenset({Role.PARTNER})
    assert all(Role.PARTNER not in RECORDS_AS[r] for r in RECORDS_AS if r is not Role.PARTNER)


@pytest.mark.rule("R33.1")
def test_the_workflow_refuses_a_partner_acting_on_a_ticket(registered, event, rules):
    ticket = registered()
    with pytest.raises(RuleViolation) as refused:
        rules.workflow.apply(ticket, event("accept", ticket.id, role=Role.PARTNER), ticket.registered_at)
    assert "partner" in refused.value.message


@pytest.mark.rule("R18.1")
def test_partner_tokens_from_the_cli_need_a_seat_code_of_their_own(cli, tmp_path):
    db = str(tmp_path / "server.db")
    assert cli("server", "init", "--db", db, "--seat", "001").code == 0
    made = cli("server", "token", "add", "--db", db, "--role", "partner", "--seat", "900", "--name", "民心网")
    assert made.code == 0 and "hl_partner_" in made.out
    for args, words in (
        (("--name", "x"), "3-digit seat code"),
        (("--seat", "001"), "already enrolled"),
        (("--seat", "900"), "already enrolled"),
        (("--seat", "9x"), "3-digit"),
    ):
        r = cli("server", "token", "add", "--db", db, "--role", "partner", *args)
        assert r.code == 2 and len(r.err_lines) == 1 and words in r.err, r.err
