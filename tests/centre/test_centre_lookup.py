"""Issue 11: the caller's history, find and 催办 across the whole centre, through `operator_tui.lookup`
with two and three seats against one in-process server (R13.1, R10.1, R26.1, R33.1)."""

from __future__ import annotations

import threading

import httpx
import pytest

from operator_tui.lookup import CENTRE, LOCAL, OFFLINE_NOTE, UNSYNCED, CentreLookup, Criteria
from operator_tui.store import outbox, tickets

PHONE = "13904120001"
pytestmark = pytest.mark.filterwarnings("ignore:You should not use the 'timeout' argument with the TestClient")


def _lookup(ctx) -> CentreLookup:
    return CentreLookup.of(ctx.store, ctx.sync, ctx.offline)


def _synced(ctx) -> None:
    report = ctx.sync.sync_once()
    assert report.ok and report.rejected == 0, report


@pytest.mark.rule("R13.1")
def test_a_ticket_synced_at_one_seat_pops_up_at_another(centre):
    a, b = centre.seat("001"), centre.seat("002")
    t = centre.record(a, phone=PHONE, vulnerable=["elderly"])
    _synced(a)
    found = _lookup(b).history(PHONE)
    assert found.online and found.note is None
    assert [(r.number, r.source, r.seat) for r in found.rows] == [(t.number, CENTRE, "001")]
    assert found.vulnerable == ("elderly",) and found.rows[0].remote
    with b.store.connect() as db:
        assert tickets.by_number(db, t.number) is None  # a read: nothing is copied to seat 002


@pytest.mark.rule("R13.1")
def test_the_seats_unsynced_tickets_are_merged_in_and_its_state_wins(centre):
    a, b = centre.seat("001"), centre.seat("002")
    theirs = centre.record(a, phone=PHONE)
    _synced(a)
    mine = centre.record(b, phone=PHONE)  # recorded at 002, not yet sent
    rows = _lookup(b).history(PHONE).rows
    assert {r.number: r.source for r in rows} == {theirs.number: CENTRE, mine.number: UNSYNCED}
    _synced(b)
    assert {r.source for r in _lookup(b).history(PHONE).rows} == {CENTRE}
    b.desk.record(mine.id, "add_note", {"text": "补充"}, b.now())  # newer here than on the server
    rows = {r.number: r for r in _lookup(b).history(PHONE).rows}
    assert rows[mine.number].source == UNSYNCED and len(rows) == 2


@pytest.mark.rule("R13.1")
def test_offline_the_seat_answers_alone_and_says_so(centre):
    a = centre.seat("001")
    centre.record(a, phone=PHONE)
    _synced(a)
    alone = centre.seat("002", online=False)
    own = centre.record(alone, phone=PHONE)
    found = _lookup(alone).history(PHONE)
    assert not found.online and found.note == OFFLINE_NOTE
    assert [(r.number, r.source) for r in found.rows] == [(own.number, UNSYNCED)]


@pytest.mark.rule("R13.1")
def test_a_dead_server_costs_one_try_then_the_seat_answers(centre):
    tries: list[str] = []

    def refuse(request: httpx.Request) -> httpx.Response:
        tries.append(request.url.path)
        raise httpx.ConnectError("connection refused", request=request)

    dead = httpx.Client(transport=httpx.MockTransport(refuse), base_url="http://hotline.invalid")
    b = centre.seat("002", http=dead)
    own = centre.record(b, phone=PHONE)
    _ = b.sync.sync_once()  # fails: everything stays in the outbox
    tries.clear()
    found = _lookup(b).history(PHONE)
    assert tries == ["/v1/lookup"]  # one try, no backoff: the pop must not wait
    assert not found.online and found.note.startswith(OFFLINE_NOTE)
    assert [(r.number, r.source) for r in found.rows] == [(own.number, UNSYNCED)]


@pytest.mark.rule("R13.1")
def test_synced_local_copies_are_marked_as_this_seats_when_offline(centre):
    a = centre.seat("001")
    t = centre.record(a, phone=PHONE)
    _synced(a)
    a.sync = None
    assert [(r.number, r.source) for r in _lookup(a).history(PHONE).rows] == [(t.number, LOCAL)]


@pytest.mark.rule("R10.1")
def test_find_by_number_phone_name_address_and_dates_across_seats(centre):
    a, b = centre.seat("001"), centre.seat("002")
    t = centre.record(a, phone=PHONE, name="欧阳春花", address="铁东区胜利路18号")
    centre.record(a, phone="13904120002", name="张三", address="铁西区某路1号")
    _synced(a)
    day = t.registered_at.replace(hour=0, minute=0)
    for c in (
        Criteria(number=t.number),
        Criteria(phone=PHONE),
        Criteria(name="春花"),
        Criteria(address="胜利路"),
        Criteria(name="欧阳", registered_from=day, registered_to=day.replace(day=day.day + 1)),
    ):
        assert [r.number for r in _lookup(b).find(c).rows] == [t.number], c
    assert _lookup(b).find(Criteria(name="春花", registered_to=day)).rows == []


@pytest.mark.rule("R13.1")
def test_linking_another_seats_ticket_goes_through_this_seats_outbox(centre):
    a, b = centre.seat("001"), centre.seat("002")
    t = centre.record(a, phone=PHONE)
    _synced(a)
    local = _lookup(b).ensure_local(t.number, b.rules, b.now())
    assert local.id == t.id
    with b.store.connect() as db:
        assert [e.kind for e in tickets.events(db, t.id)] == ["register", "accept", "dispatch"]
        assert outbox.depth(db) == 0  # the server's history, not this seat's to send
    b.desk.record(t.id, "link_call", {"call_id": "01KCALL0000000000000000002"}, b.now())
    _synced(b)
    held = centre.server_ticket(t.number)
    assert held.linked_calls == ("01KCALL0000000000000000002",) and centre.server_count() == 1


@pytest.mark.rule("R13.1")
def test_two_seats_linking_one_ticket_at_once_give_one_ticket_with_two_calls(centre):
    a, b, c = centre.seat("001"), centre.seat("002"), centre.seat("003")
    t = centre.record(a, phone=PHONE)
    _synced(a)
    for ctx, call in ((b, "01KCALL0000000000000000002"), (c, "01KCALL0000000000000000003")):
        _lookup(ctx).ensure_local(t.number, ctx.rules, ctx.now())
        ctx.desk.record(t.id, "link_call", {"call_id": call}, ctx.now())
    start = threading.Barrier(2)
    reports = []

    def push(ctx):
        start.wait()
        reports.append(ctx.sync.sync_once())

    threads = [threading.Thread(target=push, args=(ctx,)) for ctx in (b, c)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(30)
    assert len(reports) == 2 and all(r.ok and r.pushed == 1 and r.rejected == 0 for r in reports), reports
    held = centre.server_ticket(t.number)
    assert sorted(held.linked_calls) == ["01KCALL0000000000000000002", "01KCALL0000000000000000003"]
    assert centre.server_count() == 1


@pytest.mark.rule("R26.1")
def test_a_unit_cannot_find_a_complaint_about_it_by_the_complainants_phone_or_name(centre):
    a = centre.seat("001")
    complaint = centre.record(a, phone=PHONE, name="欧阳春花", appeal_type="complaint")
    _synced(a)
    unit = CentreLookup(a.store, centre.client("city_housing"))
    assert unit.find(Criteria(phone=PHONE)).rows == []
    assert unit.find(Criteria(name="欧阳春花")).rows == []
    found = unit.find(Criteria(number=complaint.number)).rows
    assert len(found) == 1 and found[0].masked and "欧阳" not in found[0].name


@pytest.mark.rule("R33.1")
def test_every_centre_lookup_leaves_an_audit_row_with_its_purpose(centre):
    a, b = centre.seat("001"), centre.seat("002")
    t = centre.record(a, phone=PHONE)
    _synced(a)
    _lookup(b).history(PHONE)
    _lookup(b).find(Criteria(number=t.number))
    _lookup(b).open_tickets(PHONE)
    purposes = [row["purpose"] for row in reversed(centre.audit(t.id)) if row["endpoint"] == "POST /v1/lookup"]
    assert purposes == ["来电弹屏", "查询办理单", "催办"]


@pytest.mark.rule("R18.1")
def test_a_new_seat_database_takes_its_tokens_seat_code_and_a_mismatch_pushes_nothing(centre, tmp_path):
    from operator_tui.store import meta, outbox
    from operator_tui.store.db import Store
    from operator_tui.sync.service import SyncService

    numbered = centre.seat("001")  # numbers for seat 001 (below), its clock the centre's
    fresh = Store.open(tmp_path / "fresh.db")  # never given a seat code (hotline db init without --seat-code)
    report = SyncService(fresh, centre.client("002"), centre.rules, clock=numbered.now).sync_once()
    assert report.ok, report.error
    with fresh.connect() as db:
        assert meta.seat_code(db) == "002"
    centre.record(numbered, phone="13904120077")
    # The seat (which asks who holds its token) with seat 003's token:
    wrong = SyncService(
        numbered.store, centre.client("003"), centre.rules, clock=numbered.now, on_identity=lambda who: None
    )
    report = wrong.sync_once()
    assert not report.ok and "坐席 001" in report.error and "坐席 003" in report.error
    with numbered.store.connect() as db:
        assert outbox.depth(db) == 3  # nothing pushed, nothing refused, nothing lost
    assert centre.server_count() == 0


@pytest.mark.rule("R23.4")
def test_the_credit_file_counts_every_ticket_of_the_caller_not_only_the_rows_shown(centre):
    a, b = centre.seat("001"), centre.seat("002")
    supervisor = centre.client("supervisor")
    for k in range(3):
        t = centre.record(a, phone=PHONE, description=f"第{k + 1}次来电反映暖气不热")
        _synced(a)
        supervisor.act(t.number, "credit_mark", {"kind": "harassment", "evidence": f"录音{k + 1}：辱骂坐席"})
    found = CentreLookup(b.store, b.sync.client).find(Criteria(phone=PHONE, limit=1), purpose="来电弹屏")
    assert len(found.rows) == 1 and found.more
    assert found.credit_marks == 3  # two of them are on tickets the pop did not list
    unit = CentreLookup(b.store, centre.client("city_housing")).find(Criteria(phone=PHONE, limit=5))
    assert unit.credit_marks == 0  # never a unit's business
