"""Risk warnings through the server on both engines (R31.1): tickets pushed as a seat pushes them,
surges and cues listed at GET /v1/reports/risks, and a supervisor's decision on each warning."""

from __future__ import annotations

import warnings
from datetime import datetime, timedelta
from itertools import count
from zoneinfo import ZoneInfo

import pytest
from ulid import ULID

warnings.filterwarnings("ignore", message=".*httpx.*starlette.testclient.*")

from fastapi.testclient import TestClient  # noqa: E402

from operator_tui.domain.model import Role  # noqa: E402
from server_stub import bootstrap  # noqa: E402
from server_stub.app import create_app  # noqa: E402
from server_stub.settings import ServerSettings  # noqa: E402

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 30, 10, 0, tzinfo=TZ)  # a Monday
SEAT = "012"


class Centre:
    def __init__(self, client: TestClient, tokens: dict[str, str], storage, form) -> None:
        self.client, self.tokens, self.storage, self.form = client, tokens, storage, form
        self.seqs: dict[str, count] = {}

    def headers(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}

    def register(self, at: datetime, **form) -> str:
        day = f"{at:%y%m%d}"
        number = f"{day}{SEAT}{next(self.seqs.setdefault(day, count(1))):04d}"
        event = {
            "id": str(ULID()),
            "ticket_id": str(ULID()),
            "kind": "register",
            "actor": "x",
            "role": "operator",
            "seat": SEAT,
            "at": at.isoformat(),
            "payload": {**self.form(**form), "number": number},
        }
        r = self.client.post("/v1/events", json={"events": [event]}, headers=self.headers("seat"))
        assert r.status_code == 200 and r.json()["results"][0]["status"] == "applied", r.text
        return number

    def risks(self, who: str = "supervisor", at: datetime | None = None):
        return self.client.get(
            "/v1/reports/risks", params={"at": at.isoformat()} if at else {}, headers=self.headers(who)
        )

    def decide(self, wid: str, body: dict, who: str = "supervisor"):
        return self.client.post(f"/v1/reports/risks/{wid}/decision", json=body, headers=self.headers(who))


@pytest.fixture
def centre(server_db, rules, form):
    issued = bootstrap.init(
        server_db,
        NOW - timedelta(days=60),
        seats=[SEAT],
        units=["city_housing"],
        supervisors=["值班长"],
        known_units=rules.taxonomy.units,
    )
    tokens = {}
    for p, token in issued:
        tokens["seat" if p.seat else "unit" if p.role is Role.UNIT else p.role.value] = token
    app = create_app(ServerSettings(db_path=server_db, sweep_every_seconds=0, clock=lambda: NOW), rules)
    with TestClient(app) as client:
        c = Centre(client, tokens, app.state.storage, form)
        # The four past Mondays: two heating complaints each by 09:00, and one pothole.
        for weeks in range(1, 5):
            monday = NOW - timedelta(weeks=weeks)
            for hour in (8, 9):
                c.register(monday.replace(hour=hour, minute=weeks), matter="heating_temperature")
            c.register(monday.replace(hour=8, minute=30), matter="heating_fee", place="tiexi")
        yield c


def _surges(body: dict) -> list[dict]:
    return [w for w in body["warnings"] if w["kind"] == "surge"]


@pytest.mark.rule("R31.1")
def test_a_built_surge_and_the_cues_are_listed_with_their_evidence_and_a_normal_monday_is_quiet(centre):
    today = [centre.register(NOW.replace(hour=7, minute=i), matter="heating_temperature") for i in range(8)]
    crowd = centre.register(
        NOW.replace(hour=9, minute=10),
        matter="heating_fee",
        place="tiexi",
        description="几十个工人聚集在工地门口讨薪，扬言要堵路。",
    )
    negated = centre.register(
        NOW.replace(hour=9, minute=20),
        matter="heating_fee",
        place="tiexi",
        description="我们没有聚集，只是问问暖气费怎么交。",
    )
    r = centre.risks()
    assert r.status_code == 200, r.text
    body = r.json()
    surge = {(w["dimension"], w["subject"]): w for w in _surges(body)}
    matter = surge[("matter", "heating_temperature")]
    assert matter["count"] == 8 and matter["baseline"] == 2.0
    assert set(matter["evidence"]) == set(today)
    assert ("matter", "heating_fee") not in surge  # 1 a week → 2 today is no surge
    cues = [w for w in body["warnings"] if w["kind"] == "cue"]
    assert [(w["dimension"], w["evidence"]) for w in cues] == [("stability", [crowd])]
    assert negated not in str(body)
    assert body["open"] == len(body["warnings"])
    # Last Monday, by the same hour, was a normal Monday: no surge.
    assert _surges(centre.risks(at=NOW - timedelta(weeks=1)).json()) == []
    # No personal data in the list: the form's name, phone and address are nowhere.
    sample = centre.form()
    for value in (sample["appellant"]["name"], sample["appellant"]["phone"], sample["appellant"]["address"]):
        assert value not in r.text


@pytest.mark.rule("R31.1")
def test_a_supervisor_decides_a_warning_once_with_a_reason_and_it_stays_listed(centre):
    for i in range(8):
        centre.register(NOW.replace(hour=7, minute=i), matter="heating_temperature")
    wid = _surges(centre.risks().json())[0]["id"]
    # operators and units read no risks and decide nothing
    assert centre.risks("seat").status_code == 403
    assert centre.risks("unit").status_code == 403
    assert centre.decide(wid, {"decision": "acknowledge", "reason": "已知"}, who="seat").status_code == 403
    assert centre.decide(wid, {"decision": "acknowledge", "reason": "已知"}, who="unit").status_code == 403
    # a reason is required, the decision is one of two
    r = centre.decide(wid, {"decision": "acknowledge", "reason": "  "})
    assert r.status_code == 422 and "理由" in r.json()["detail"]
    assert centre.decide(wid, {"decision": "approve", "reason": "x"}).status_code == 422
    assert centre.decide("surge-20261130-00000000", {"decision": "dismiss", "reason": "x"}).status_code == 404
    r = centre.decide(wid, {"decision": "acknowledge", "reason": "供热公司已派人排查"})
    assert r.status_code == 200, r.text
    assert r.json()["decision"]["decision"] == "acknowledge" and r.json()["decision"]["role"] == "supervisor"
    again = centre.decide(wid, {"decision": "dismiss", "reason": "重复"}, who="admin")
    assert again.status_code == 409 and "不能重复处理" in again.json()["detail"]
    listed = {w["id"]: w for w in centre.risks().json()["warnings"]}
    assert listed[wid]["decision"]["reason"] == "供热公司已派人排查" and listed[wid]["current"] is True
    # the audited row: actor from the token, time from the server
    with centre.storage.read() as tx:
        actor, role, at = tx._one("SELECT actor, role, decided_at FROM risk_decisions WHERE warning_id = ?", (wid,))
    assert (actor, role) == ("值班长", "supervisor")
    assert datetime.fromisoformat(at) == NOW


@pytest.mark.rule("R31.1")
def test_the_cli_lists_the_warnings_and_records_a_decision_once(centre, server_db, cli):
    numbers = [centre.register(NOW.replace(hour=7, minute=i), matter="heating_temperature") for i in range(8)]
    at = NOW.isoformat()
    r = cli("report", "risks", "--db", str(server_db), "--at", at, "--json")
    assert r.code == 0, r.err
    body = r.json()
    surge = next(w for w in body["warnings"] if w["kind"] == "surge" and w["dimension"] == "matter")
    assert set(surge["evidence"]) == set(numbers) and body["open"] >= 1
    text = cli("report", "risks", "--db", str(server_db), "--at", at)
    assert (
        text.code == 0
        and "事项「供暖温度不达标」今日登记 8 件" in text.out
        and surge["id"] in text.out
        and "待处理" in text.out
    )
    # a decision needs one of the two flags and a reason, each refused on one line with exit 2
    bad = cli(
        "report", "risks", "decide", surge["id"], "--by", "值班长", "--reason", "x", "--db", str(server_db), "--at", at
    )
    assert bad.code == 2 and len(bad.err_lines) == 1
    bad = cli(
        "report", "risks", "decide", surge["id"], "--acknowledge", "--by", "值班长", "--db", str(server_db), "--at", at
    )
    assert bad.code == 2 and "理由" in bad.err
    ok = cli(
        "report",
        "risks",
        "decide",
        surge["id"],
        "--dismiss",
        "--reason",
        "天气骤冷，属正常波动",
        "--by",
        "值班长",
        "--db",
        str(server_db),
        "--at",
        at,
    )
    assert ok.code == 0, ok.err
    again = cli(
        "report",
        "risks",
        "decide",
        surge["id"],
        "--acknowledge",
        "--reason",
        "x",
        "--by",
        "值班长",
        "--db",
        str(server_db),
        "--at",
        at,
    )
    assert again.code == 2 and "不能重复处理" in again.err
    listed = centre.risks().json()
    assert next(w for w in listed["warnings"] if w["id"] == surge["id"])["decision"]["decision"] == "dismiss"
    assert cli("report", "risks", "--db", str(server_db), "--at", "not-a-time").code == 2


@pytest.mark.rule("R31.1")
def test_bad_input_to_the_risk_endpoints_is_a_4xx_that_says_what_to_fix(centre):
    r = centre.client.get(
        "/v1/reports/risks", params={"at": "0001-01-01T00:00:00+00:00"}, headers=centre.headers("supervisor")
    )
    assert r.status_code == 422 and "2000" in r.text
    r = centre.client.get(
        "/v1/reports/risks", params={"at": "2026-11-30T10:00:00"}, headers=centre.headers("supervisor")
    )
    assert r.status_code == 422 and "time zone" in r.text
    wid = "surge-20261130-00000000"
    r = centre.client.post(
        f"/v1/reports/risks/{wid}/decision",
        content=b'{"decision": "dismiss", "reason": "\\ud800"}',
        headers={**centre.headers("supervisor"), "Content-Type": "application/json"},
    )
    assert 400 <= r.status_code < 500
    r = centre.decide(wid, {"decision": "dismiss", "reason": "x", "actor": "someone-else"})
    assert r.status_code == 422  # the actor comes from the token, never from the body
    assert centre.decide("not-an-id", {"decision": "dismiss", "reason": "x"}).status_code == 422
