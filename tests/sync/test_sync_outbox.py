"""R16.1: what a seat records offline reaches the server exactly once when the link returns; the
change feed comes back page by page, each page with its cursor in one transaction."""

from __future__ import annotations

import httpx
import pytest

from operator_tui.domain.model import Role
from operator_tui.store import sync_state, tickets

pytestmark = pytest.mark.rule("R16.1")


def unreachable() -> httpx.Client:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    return httpx.Client(transport=httpx.MockTransport(refuse), base_url="http://testserver")


class LoseResponses(httpx.BaseTransport):
    """Delivers requests to the server, then loses the first `n` answers (the server committed)."""

    def __init__(self, inner: httpx.BaseTransport, n: int):
        self.inner, self.n, self.lost = inner, n, 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        response.read()
        if self.lost < self.n:
            self.lost += 1
            raise httpx.ReadError("connection reset after the server answered", request=request)
        return response


def test_offline_intake_is_kept_then_delivered_exactly_once(hub):
    hub.record(10)
    offline = hub.service(unreachable()).sync_once()
    assert offline.online is False and "unreachable" in offline.error
    status = hub.service().status()
    assert status.online is False and status.outbox_depth == 30 and status.last_sync_at is None
    with hub.store.connect() as db:
        assert {r[0] for r in db.conn.execute("SELECT attempts FROM outbox")} == {1}

    report = hub.service(batch_size=7).sync_once()
    assert report.ok and report.pushed == 30 and report.rejected == 0 and report.pulled == 10
    assert hub.outbox_depth() == 0
    assert hub.server_event_ids() == hub.local_event_ids()  # each once, in the seat's order
    with hub.store.connect() as db:
        assert db.conn.execute("SELECT count(*) FROM events WHERE received_at IS NULL").fetchone()[0] == 0
    status = hub.service().status()
    assert status.online is True and status.outbox_depth == 0 and status.last_sync_at is not None


def test_batches_go_in_order_and_in_the_asked_size(hub):
    hub.record(5)
    sizes: list[int] = []
    hub.http.event_hooks["request"].append(
        lambda r: sizes.append(r.content.count(b'"id":')) if r.url.path == "/v1/events" else None
    )
    hub.service(batch_size=4).push()
    assert sizes == [4, 4, 4, 3]


def test_answers_lost_after_the_server_committed_cost_only_a_retry(hub):
    hub.record(4)
    lossy = httpx.Client(transport=LoseResponses(hub.http._transport, n=2), base_url="http://testserver")
    report = hub.service(lossy, batch_size=5).sync_once()
    assert report.ok, report.error
    assert hub.outbox_depth() == 0
    assert sorted(hub.server_event_ids()) == sorted(hub.local_event_ids())
    assert len(hub.sleeps) == 2  # two backoff waits, one per lost answer


def test_a_second_sync_changes_nothing(hub):
    hub.record(3)
    hub.service().sync_once()
    again = hub.service().sync_once()
    assert (again.pushed, again.rejected, again.pulled) == (0, 0, 0)
    assert len(hub.server_event_ids()) == 9


def test_what_units_do_on_the_server_reaches_the_seat(hub):
    [t] = hub.record(1)
    hub.service().sync_once()
    hub.act("unit", t.number, "receive")
    report = hub.service().sync_once()
    assert report.pulled == 1
    with hub.store.connect() as db:
        local = tickets.get(db, t.id)
        kinds = [e.kind for e in tickets.events(db, t.id)]
    assert local.status.value == "in_progress" and kinds[-1] == "receive"


def test_an_unknown_cursor_makes_a_full_resync(hub):
    hub.record(3)
    hub.service().sync_once()
    with hub.store.transaction() as db:
        sync_state.set_cursor(db, "00000000-999")
    report = hub.service().sync_once()
    assert report.ok and report.resynced and report.pulled == 3


def test_a_page_and_its_cursor_are_applied_together(hub):
    hub.record(4)
    hub.service().push()

    class FailSecondPage(httpx.BaseTransport):
        def __init__(self, inner):
            self.inner, self.pages = inner, 0

        def handle_request(self, request):
            if request.url.path == "/v1/changes":
                self.pages += 1
                if self.pages >= 2:
                    raise httpx.ConnectError("link lost", request=request)
            return self.inner.handle_request(request)

    flaky = httpx.Client(transport=FailSecondPage(hub.http._transport), base_url="http://testserver")
    report = hub.service(flaky, page_size=2, attempts=1).sync_once()
    assert report.online is False
    with hub.store.connect() as db:
        cursor = sync_state.cursor(db)
    first = hub.http.get("/v1/changes", params={"limit": 2}, headers={"Authorization": f"Bearer {hub.tokens['seat']}"})
    assert cursor == first.json()["next"]  # the first page landed whole, with its cursor
    rest = hub.service(page_size=2).pull()
    assert rest == (2, False)


def test_events_recorded_meanwhile_stay_visible_after_a_pull(hub):
    [t] = hub.record(1)
    hub.service().push()
    hub.desk.record(t.id, "add_note", {"text": "来电人补充：邻居家也不热"}, hub.seat_clock(), Role.OPERATOR)
    hub.service().pull()  # the server's projection does not have the note yet
    with hub.store.connect() as db:
        assert [n.text for n in tickets.get(db, t.id).notes] == ["来电人补充：邻居家也不热"]
    hub.service().sync_once()
    assert hub.outbox_depth() == 0 and len(hub.server_event_ids()) == 4


@pytest.mark.rule("R34.1")
def test_knowledge_base_articles_are_handed_over_once_each(hub):
    put = lambda article, title: hub.http.put(  # noqa: E731
        f"/v1/kb/articles/{article}", json={"title": title}, headers={"Authorization": f"Bearer {hub.tokens['unit']}"}
    )
    put("a", "供暖时间")
    put("b", "供暖费")
    seen: list[str] = []
    service = hub.service(page_size=1)
    assert service.pull_kb(lambda arts: seen.extend(a.id for a in arts)) == 2
    put("a", "供暖时间（修订）")
    assert service.pull_kb(lambda arts: seen.extend(f"{a.id}:{a.version}" for a in arts)) == 1
    assert seen == ["a", "b", "a:2"]
