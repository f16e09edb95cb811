"""R26.1: a complainant's or whistleblower's identity never reaches a unit, in any response or
export; R33.1: every read of personal data leaves an audit row without the data, and no log line
carries it."""

from __future__ import annotations

import logging

import pytest

NAME, PHONE, ADDRESS = "李举报", "13800138000", "铁西区某街某号"
WHO = {"name": NAME, "phone": PHONE, "address": ADDRESS}


def _leaks(text: str) -> list[str]:
    return [v for v in (NAME, PHONE, ADDRESS) if v in text]


@pytest.mark.rule("R26.1")
@pytest.mark.parametrize("appeal_type", ["complaint", "whistleblow"])
def test_a_unit_never_receives_a_confidential_appellant(api, appeal_type):
    ticket_id, number = api.ticket(lead="city_housing", appeal_type=appeal_type, **WHO)
    h = api.headers("unit")
    answers = {
        "changes": api.changes("unit"),
        "detail": api.client.get(f"/v1/tickets/{number}", headers=h),
        "search": api.client.post("/v1/tickets/search", json={"number": number}, headers=h),
        "export": api.client.get("/v1/export/tickets", headers=h),
        "action": api.act("unit", number, "receive"),
    }
    for name, r in answers.items():
        assert r.status_code == 200, (name, r.text)
        assert _leaks(r.text) == [], name
    change = answers["changes"].json()["changes"][0]
    assert change["ticket"]["masked"] is True
    assert change["ticket"]["ticket"]["appellant"]["phone"] == ""
    register = change["events"][0]
    assert register["kind"] == "register" and _leaks(str(register["payload"])) == []
    assert register["payload"]["description"]  # what the unit needs to handle the matter stays


@pytest.mark.rule("R26.1")
def test_the_centre_and_units_of_ordinary_appeals_see_the_appellant(api):
    ticket_id, number = api.ticket(lead="city_housing", appeal_type="help", **WHO)
    for who in ("unit", "supervisor", "seat"):
        r = api.client.get(f"/v1/tickets/{number}", headers=api.headers(who))
        assert r.json()["ticket"]["masked"] is False and NAME in r.text, who
    confidential_id, confidential = api.ticket(lead="city_housing", appeal_type="complaint", **WHO)
    r = api.client.get(f"/v1/tickets/{confidential}", headers=api.headers("supervisor"))
    assert r.json()["ticket"]["masked"] is False and PHONE in r.text


@pytest.mark.rule("R26.1")
def test_a_unit_cannot_find_a_complaint_by_the_complainants_phone(api):
    api.ticket(lead="city_housing", appeal_type="complaint", **WHO)
    plain_id, plain = api.ticket(lead="city_housing", appeal_type="help", **WHO)
    found = api.client.post("/v1/tickets/search", json={"phone": PHONE}, headers=api.headers("unit")).json()
    assert [t["ticket"]["number"] for t in found] == [plain]
    centre = api.client.post("/v1/tickets/search", json={"phone": PHONE}, headers=api.headers("seat")).json()
    assert len(centre) == 2


@pytest.mark.rule("R23.4")
def test_the_credit_file_is_not_shown_to_units(api):
    ticket_id, number = api.ticket(lead="city_housing", appeal_type="help")
    r = api.act("supervisor", number, "credit_mark", {"kind": "harassment", "evidence": "录音 2026-11-02 多次辱骂"})
    assert r.status_code == 200, r.text
    unit_view = api.client.get(f"/v1/tickets/{number}", headers=api.headers("unit"))
    assert unit_view.json()["ticket"]["ticket"]["credit_marks"] == []
    assert "辱骂" not in unit_view.text


@pytest.mark.rule("R33.1")
def test_every_read_of_personal_data_is_audited_without_the_data(api):
    ticket_id, number = api.ticket(lead="city_housing", appeal_type="help", **WHO)
    api.client.post(
        "/v1/tickets/search", json={"phone": PHONE, "purpose": "来电人查询进度"}, headers=api.headers("seat")
    )
    api.clock.advance(minutes=1)
    api.client.get(f"/v1/tickets/{number}", params={"purpose": "回访前查看"}, headers=api.headers("supervisor"))
    api.changes("unit")
    rows = api.client.get("/v1/audit", params={"ticket_id": ticket_id}, headers=api.headers("admin")).json()
    purposes = {(r["role"], r["purpose"], r["endpoint"]) for r in rows}
    assert ("operator", "来电人查询进度", "POST /v1/tickets/search") in purposes
    assert ("supervisor", "回访前查看", "GET /v1/tickets/{number}") in purposes
    assert ("unit", "坐席同步", "GET /v1/changes") in purposes
    assert all(r["number"] == number and r["principal_id"] and r["at"] for r in rows)
    dump = repr(api.storage.audit.rows(None, 1000))
    assert _leaks(dump) == []


@pytest.mark.rule("R33.1")
def test_masked_reads_need_no_audit_row(api):
    ticket_id, number = api.ticket(lead="city_housing", appeal_type="complaint", **WHO)
    api.client.get(f"/v1/tickets/{number}", headers=api.headers("unit"))
    rows = api.client.get("/v1/audit", params={"ticket_id": ticket_id}, headers=api.headers("admin")).json()
    assert [r for r in rows if r["role"] == "unit"] == []


@pytest.mark.rule("R33.1")
def test_no_personal_data_in_the_logs(api, caplog):
    caplog.set_level(logging.DEBUG)
    ticket_id, number = api.ticket(lead="city_housing", appeal_type="help", **WHO)
    api.client.post("/v1/tickets/search", json={"phone": PHONE}, headers=api.headers("seat"))
    api.client.get(f"/v1/tickets/{number}", headers=api.headers("unit"))
    api.client.post("/v1/sweeps", headers=api.headers("supervisor"))
    assert _leaks(caplog.text) == []


@pytest.mark.rule("R33.1")
def test_the_access_log_filter_drops_query_strings():
    from operator_tui.cli.server_cmd import _NoQueryStrings

    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:1", "GET", f"/v1/changes?since=x&phone={PHONE}", "1.1", 200),
        None,
    )
    _NoQueryStrings().filter(record)
    assert PHONE not in record.getMessage() and "/v1/changes?…" in record.getMessage()


@pytest.mark.sqlite_only
@pytest.mark.rule("R33.1")
def test_the_database_files_are_private(api):
    import stat

    for path in (api.storage.path, api.storage.audit.path):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.rule("R33.1")
def test_an_unexpected_error_logs_no_personal_data(api, caplog, monkeypatch):
    from server_stub import ingest

    def broken(*args, **kwargs):
        raise RuntimeError(f"boom while handling {NAME} {PHONE}")

    monkeypatch.setattr(ingest, "push", broken)
    caplog.set_level(logging.DEBUG)
    ticket_id, number, events = api.register(**WHO)
    r = api.push("seat", events)
    assert r.status_code == 500 and _leaks(r.text) == []
    assert "RuntimeError" in caplog.text and _leaks(caplog.text) == []
