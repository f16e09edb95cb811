"""Conflicts are never dropped (ARCHITECTURE "Sync protocol", 5): a refused event leaves the outbox
only into the conflicts list, with the server's rule, reason and the ticket's state there."""

from __future__ import annotations

import json

import pytest

from operator_tui.store import outbox, tickets

pytestmark = pytest.mark.rule("R16.1")


def _conflicts(hub, **kw):
    with hub.store.connect() as db:
        return outbox.conflicts(db, **kw)


def test_an_event_the_rules_refuse_is_kept_with_the_rule_and_the_servers_state(hub):
    t = hub.desk.register(hub.form(), hub.seat_clock())
    hub.service().sync_once()
    hub.act("supervisor", t.number, "refuse", {"reason": "不属于受理范围"})
    local = hub.desk.record(t.id, "accept", {}, hub.seat_clock())  # the seat has not heard yet
    assert local.status.value == "accepted"
    report = hub.service().sync_once()
    assert report.ok and report.rejected == 1 and hub.outbox_depth() == 0
    [c] = _conflicts(hub)
    assert c.kind == "accept" and c.rule == "R20.2" and "不予受理" in c.reason
    assert json.loads(c.server_state) == {"status": "refused", "status_name": "不予受理"}
    assert json.loads(c.body)["kind"] == "accept"  # the event itself is kept, byte for byte
    with hub.store.connect() as db:
        assert tickets.get(db, t.id).status.value == "refused"  # the server's state wins
    assert hub.service().status().conflicts == 1


def test_resolving_a_conflict_keeps_it_on_record(hub):
    t = hub.desk.register(hub.form(), hub.seat_clock())
    hub.service().sync_once()
    hub.act("supervisor", t.number, "refuse", {"reason": "x"})
    hub.desk.record(t.id, "accept", {}, hub.seat_clock())
    hub.service().sync_once()
    [c] = _conflicts(hub)
    with hub.store.transaction() as db:
        outbox.resolve(db, c.event_id, hub.seat_clock())
    assert _conflicts(hub) == [] and len(_conflicts(hub, include_resolved=True)) == 1
    assert hub.service().status().conflicts == 0


def test_an_id_reused_with_other_content_is_set_aside_and_the_rest_goes_through(hub):
    [t] = hub.record(1)
    hub.service().push()
    first_id = hub.local_event_ids()[0]
    hub.desk.record(t.id, "add_note", {"text": "补充"}, hub.seat_clock())
    with hub.store.transaction() as db:  # a corrupted seat re-queues an old id with new content
        body = json.loads(db.conn.execute("SELECT body FROM outbox").fetchone()[0])
        body["id"] = first_id
        db.conn.execute(
            "INSERT INTO outbox (op_id, ticket_id, body, created_at) VALUES (?,?,?,?)",
            (first_id, t.id, json.dumps(body).encode(), hub.seat_clock().isoformat()),
        )
    report = hub.service().sync_once()
    assert report.ok and hub.outbox_depth() == 0
    [c] = _conflicts(hub)
    assert c.event_id == first_id and "事件编号冲突" in c.reason
    assert len(hub.server_event_ids()) == 4  # the note went through on the retry


def test_an_event_the_server_cannot_read_is_found_and_set_aside_alone(hub):
    hub.record(3)
    with hub.store.transaction() as db:
        seq, body = db.conn.execute("SELECT seq, body FROM outbox ORDER BY seq LIMIT 1 OFFSET 5").fetchone()
        broken = json.loads(body)
        broken["at"] = "2026-11-02T09:00:00"  # no time zone: the server refuses the whole request
        db.conn.execute("UPDATE outbox SET body = ? WHERE seq = ?", (json.dumps(broken).encode(), seq))
    report = hub.service(batch_size=50).sync_once()
    assert report.ok and hub.outbox_depth() == 0
    [c] = _conflicts(hub)
    assert c.event_id == broken["id"] and "timezone" in c.reason.lower()
    assert len(hub.server_event_ids()) == 8
