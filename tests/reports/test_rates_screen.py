"""The 三率考核 screen (R35.1) on a supervisor's seat, driven by Pilot against the real in-process
server (tickets seeded through its ingest and action API, rates_seed.py): the figures on screen, the
requests the keys make, the drill-down to a unit's tickets and on to a ticket, Esc back, and the
offline and refused cases in Chinese."""

from __future__ import annotations

import httpx
import pytest
from rates_seed import HEAT, HOUSING, seeded  # noqa: F401  (fixture)
from textual.widgets import DataTable, Input, Static

from operator_tui.desk import Desk
from operator_tui.domain.model import Role
from operator_tui.domain.periods import parse_period
from operator_tui.rates_client import LOCAL, OFFLINE, RatesReader, RatesUnavailable
from operator_tui.settings import Settings
from operator_tui.store.db import Store
from operator_tui.sync.backoff import Backoff
from operator_tui.sync.client import HotlineClient
from operator_tui.sync.service import SyncService
from operator_tui.ui.app import make_app
from operator_tui.ui.context import SeatContext
from operator_tui.ui.screens.find import TicketDetailScreen
from operator_tui.ui.screens.rate_tickets import RateTicketsScreen
from operator_tui.ui.screens.rates import RatesScreen

SIZE = (150, 44)


def client(api, who: str, http: httpx.Client | None = None) -> HotlineClient:
    return HotlineClient(
        http or api.client,
        api.tokens[who],
        backoff=Backoff(base=0.001, cap=0.002, attempts=2),
        sleep=lambda _: None,
        clock=api.clock.now,
    )


def seat(
    api,
    rules,
    tmp_path,
    monkeypatch,
    *,
    role: str = "supervisor",
    who: str | None = "supervisor",
    http: httpx.Client | None = None,
) -> SeatContext:
    monkeypatch.setenv("HOTLINE_CONFIG_DIR", str(tmp_path / "config"))
    settings = Settings.resolve(db=tmp_path / f"seat-{role}.db", operator="值班长")
    store = Store.open(settings.db_path)
    sync = SyncService(store, client(api, who, http), rules, clock=api.clock.now) if who else None
    return SeatContext(
        settings=settings,
        rules=rules,
        store=store,
        desk=Desk(store, rules, settings.operator),
        role=Role(role),
        now=api.clock.now,
        sync=sync,
    )


async def settle(pilot) -> None:
    for _ in range(3):
        await pilot.pause(0.05)
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def cells(table: DataTable, key: str) -> list[str]:
    return [c.plain if hasattr(c, "plain") else str(c) for c in table.get_row(key)]


def rate_requests(seen: list[httpx.Request], path: str = "/v1/reports/rates") -> list[dict[str, str]]:
    return [dict(r.url.params) for r in seen if r.url.path == path]


@pytest.fixture
def seen(seeded) -> list[httpx.Request]:
    requests: list[httpx.Request] = []
    seeded.api.client.event_hooks["request"].append(requests.append)
    return requests


@pytest.mark.rule("R35.1")
async def test_the_overview_opens_the_rates_with_the_hand_checked_figures(seeded, seen, rules, tmp_path, monkeypatch):
    app = make_app(seat(seeded.api, rules, tmp_path, monkeypatch))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, RatesScreen)
        assert rate_requests(seen)[-1] == {"period": "2026-11", "by": "unit"}  # this month, by unit
        table = screen.query_one("#rates-table", DataTable)
        assert [ln.key for ln in screen.rows] == [HOUSING, HEAT]  # ranked by 按时办结率
        housing, heat = cells(table, HOUSING), cells(table, HEAT)
        assert housing[:2] == ["1", "市住房和城乡建设局"]
        # 按时办结率, 解决率, 满意率, 响应率 (the API's order), then the change and the count.
        # October's H0 was on time and signed in time (1/1 each): both are 50 points down.
        assert housing[2:6] == [" 50.0% 1/2 ↓", " 50.0% 1/2", "100.0% 2/2", " 50.0% 1/2 ↓"]
        assert housing[6:] == ["↓50.0点", "2"]
        assert heat[:3] == ["2", "鞍山市热力集团", "  0.0% 0/1"] and heat[3:5] == ["—", "—"]
        bars = screen.query_one("#rates-bars", Static).render().plain
        assert "市住房和城乡建设局" in bars and "50.0%" in bars and "0.0%" in bars
        # The trend follows the highlighted line: city_housing, twelve weeks to the clock's (W47).
        trend = rate_requests(seen, "/v1/reports/rates/trend")[-1]
        assert trend == {"period": "2026-11", "by": "unit", "key": HOUSING, "weeks": "12"}
        assert [p.week for p in screen.trend_points][-1] == "2026-W47"
        assert "W45" in screen.query_one("#rates-trend", Static).render().plain


@pytest.mark.rule("R35.1")
async def test_keys_change_the_period_grouping_and_rate(seeded, seen, rules, tmp_path, monkeypatch):
    app = make_app(seat(seeded.api, rules, tmp_path, monkeypatch))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(RatesScreen(app.ctx))
        await settle(pilot)
        screen = app.screen
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert rate_requests(seen)[-1] == {"period": "2026-10", "by": "unit"}
        assert cells(screen.query_one("#rates-table", DataTable), HOUSING)[2] == "100.0% 1/1"
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert rate_requests(seen)[-1]["period"] == "2026-11"
        await pilot.press("right_square_bracket")  # December has not begun at the clock (11-20)
        await settle(pilot)
        assert rate_requests(seen)[-1]["period"] == "2026-11"
        await pilot.press("p")
        assert isinstance(screen.focused, Input)
        await pilot.press(*"2026-W45", "enter")
        await settle(pilot)
        assert rate_requests(seen)[-1] == {"period": "2026-W45", "by": "unit"}
        assert screen.period == parse_period("2026-W45") and isinstance(screen.focused, DataTable)
        await pilot.press("2")
        await settle(pilot)
        assert rate_requests(seen)[-1] == {"period": "2026-W45", "by": "district"}
        await pilot.press("r")
        await settle(pilot)
        assert screen.rate == "resolution"
        assert "解决率" in screen.query_one("#rates-bars", Static).render().plain


@pytest.mark.rule("R35.1")
async def test_drill_down_lists_exactly_the_units_tickets_and_opens_one(seeded, rules, tmp_path, monkeypatch):
    app = make_app(seat(seeded.api, rules, tmp_path, monkeypatch, role="admin", who="admin"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(RatesScreen(app.ctx))
        await settle(pilot)
        rates_screen = app.screen
        await pilot.press("enter")  # the cursor is on city_housing (rank 1)
        await settle(pilot)
        drill = app.screen
        assert isinstance(drill, RateTicketsScreen) and drill.key == HOUSING
        table = drill.query_one("#rt-table", DataTable)
        h1, h2 = seeded.numbers["H1"], seeded.numbers["H2"]
        assert sorted(t.number for t in drill.shown) == sorted([h1, h2])
        assert cells(table, h1)[5:] == ["按时 11-05", "解决 11-06", "满意 11-06", "及时签收 11-02"]
        assert cells(table, h2)[5:] == ["超期 11-10", "未解决 11-11", "满意 11-11", "签收超时 11-02"]
        assert "计入三率共 2 件" in drill.query_one("#rt-head", Static).render().plain
        await pilot.press("f")  # only the tickets that missed 按时办结率, asked of the server
        await settle(pilot)
        assert [t.number for t in drill.shown] == [h2]
        assert "按时办结率未达标共 1 件" in drill.query_one("#rt-head", Static).render().plain
        await pilot.press("enter")
        await settle(pilot)
        detail = app.screen
        assert isinstance(detail, TicketDetailScreen) and detail.remote_number == h2
        assert h2 in detail.query_one("#detail-summary", Static).render().plain
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is drill and drill.focused is table
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is rates_screen and isinstance(rates_screen.focused, DataTable)
        assert rates_screen.rows[rates_screen.query_one("#rates-table", DataTable).cursor_row].key == HOUSING


@pytest.mark.rule("R35.1")
def test_a_unit_token_reads_only_its_own_unit(seeded):
    reader = RatesReader(client(seeded.api, "unit2"))
    report = reader.rates(parse_period("2026-11"), "unit")
    assert [ln.key for ln in report.lines] == [HEAT]
    assert [t.number for t in reader.tickets(parse_period("2026-11"), "unit", HEAT).tickets] == [seeded.numbers["G1"]]
    with pytest.raises(RatesUnavailable, match="无权查看三率：承办单位只能"):
        reader.tickets(parse_period("2026-11"), "unit", HOUSING)


@pytest.mark.rule("R35.1")
async def test_without_a_server_the_screen_says_so(seeded, rules, tmp_path, monkeypatch):
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    dead = httpx.Client(base_url="http://127.0.0.1:9", transport=httpx.MockTransport(refuse))
    # No server set up is not "offline": the line says which, so nobody looks for a broken link.
    for ctx, said in (
        (seat(seeded.api, rules, tmp_path, monkeypatch, who=None), LOCAL),
        (seat(seeded.api, rules, tmp_path, monkeypatch, http=dead), OFFLINE),
    ):
        app = make_app(ctx)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            app.push_screen(RatesScreen(ctx))
            await settle(pilot)
            problem = app.screen.query_one("#rates-problem", Static)
            assert problem.display and problem.render().plain == said
            assert app.screen.query_one("#rates-table", DataTable).row_count == 0
            await pilot.press("enter")  # nothing to drill into: a note, no crash
            await settle(pilot)
            assert isinstance(app.screen, RatesScreen)


@pytest.mark.rule("R35.1")
def test_the_servers_refusal_is_shown_in_its_words(seeded):
    def refuse(request: httpx.Request) -> httpx.Response:
        return httpx.Response(422, json={"detail": "时段 '2026-13'：日期不存在，请检查年月日或周数"})

    reader = RatesReader(
        client(
            seeded.api, "supervisor", httpx.Client(base_url="http://testserver", transport=httpx.MockTransport(refuse))
        )
    )
    with pytest.raises(RatesUnavailable, match="服务器拒绝：时段 '2026-13'：日期不存在"):
        reader.rates(parse_period("2026-11"), "unit")


@pytest.mark.rule("R35.1")
async def test_an_operator_is_not_offered_the_rates(seeded, rules, tmp_path, monkeypatch):
    from operator_tui.ui.palette import commands

    app = make_app(seat(seeded.api, rules, tmp_path, monkeypatch, role="operator", who="seat"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+o")
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        assert not isinstance(app.screen, RatesScreen)
        assert "三率考核" not in [c.name for c in commands(app, app.screen)]
    sup = make_app(seat(seeded.api, rules, tmp_path, monkeypatch))
    async with sup.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "三率考核" in [c.name for c in commands(sup, sup.screen)]


@pytest.mark.rule("R35.1")
async def test_a_hanging_server_does_not_hold_the_keys(seeded, rules, tmp_path, monkeypatch):
    import threading

    release, asked = threading.Event(), []

    def hang(request: httpx.Request) -> httpx.Response:
        asked.append(dict(request.url.params))
        release.wait(10)  # a safety limit only: the test releases it
        return httpx.Response(503, json={"detail": "维护中"})

    slow = httpx.Client(base_url="http://testserver", transport=httpx.MockTransport(hang))
    ctx = seat(seeded.api, rules, tmp_path, monkeypatch)
    app = make_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = RatesScreen(ctx, RatesReader(client(seeded.api, "supervisor", slow)))
        app.push_screen(screen)
        await pilot.pause(0.1)
        try:
            assert asked and not release.is_set()  # the first request is still out
            await pilot.press("2", "r", "p", *"2026-10", "enter")
            await pilot.pause(0.1)
            # The keys were all taken while the server kept the first answer back.
            assert (screen.by, screen.rate, screen.period.key) == ("district", "resolution", "2026-10")
            await pilot.press("p", *"2026-13", "enter")  # a period that does not exist: refused on the seat
            await pilot.pause(0.1)
            assert screen.period.key == "2026-10"
        finally:
            release.set()
        await settle(pilot)
        # The 503 is the server's trouble, said as such (not 离线, which is for no answer at all).
        assert screen.query_one("#rates-problem", Static).render().plain == "服务器暂时无法给出三率（HTTP 503: 维护中）"
