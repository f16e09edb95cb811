"""The public page in a real browser (R17.1, R37.1): a `hotline server` process on 127.0.0.1 and
headless Chromium (the Debian package, /usr/bin/chromium; scripts/_venv.sh installs it) driven by
Playwright, with JavaScript off and a phone's viewport."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import httpx
import pytest
from live_server import running_server
from playwright.sync_api import sync_playwright
from ulid import ULID

from operator_tui.domain.model import Role
from operator_tui.domain.periods import CST
from server_stub import bootstrap

CHROMIUM = os.environ.get("HOTLINE_CHROMIUM", "/usr/bin/chromium")
SEAT = "012"


@pytest.fixture
def live(tmp_path, rules):
    """A started server process over a SQLite file; yields (url, seat token, supervisor token,
    admin token): the supervisor proposes, the admin reviews."""
    db = tmp_path / "server.db"
    issued = bootstrap.init(
        db, datetime.now(UTC), seats=[SEAT], supervisors=["值班长"], known_units=rules.taxonomy.units
    )
    seat = next(t for p, t in issued if p.seat == SEAT)
    supervisor = next(t for p, t in issued if p.role is Role.SUPERVISOR)
    admin = next(t for p, t in issued if p.role is Role.ADMIN)
    with running_server(db, tmp_path / "server.log") as url:
        yield url, seat, supervisor, admin


def _push_ticket(url: str, token: str, form, n: int, description: str) -> str:
    now = datetime.now(UTC)
    number, ticket_id = f"{now.astimezone(CST):%y%m%d}{SEAT}{n:04d}", str(ULID())
    payload = {**form(appeal_type="help", description=description), "number": number}
    events = [
        {
            "id": str(ULID()),
            "ticket_id": ticket_id,
            "kind": kind,
            "actor": "op",
            "role": "operator",
            "seat": SEAT,
            "at": now.isoformat(),
            "payload": p,
        }
        for kind, p in (
            ("register", payload),
            ("accept", {}),
            ("dispatch", {"lead_unit": "heat_group", "co_units": []}),
        )
    ]
    r = httpx.post(f"{url}/v1/events", json={"events": events}, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200 and all(x["status"] == "applied" for x in r.json()["results"]), r.text
    return number


@pytest.mark.rule("R37.1")
@pytest.mark.slow
def test_the_public_page_in_chromium_on_a_phone_without_javascript(live, form):
    url, seat, supervisor, admin = live
    auth = {"Authorization": f"Bearer {supervisor}"}
    reviewer = {"Authorization": f"Bearer {admin}"}
    shown = _push_ticket(url, seat, form, 1, "小区东门路灯坏了半个月，夜里看不清路。")
    hidden = _push_ticket(url, seat, form, 2, "楼下烧烤摊油烟很大，影响休息。")
    case = httpx.post(f"{url}/v1/public/cases", json={"number": shown}, headers=auth).json()
    assert httpx.post(f"{url}/v1/public/cases/{case['id']}/approve", json={}, headers=reviewer).status_code == 200
    assert httpx.post(f"{url}/v1/public/cases", json={"number": hidden}, headers=auth).status_code == 201
    period = datetime.now(CST).strftime("%Y-%m")

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        try:
            context = browser.new_context(
                java_script_enabled=False, viewport={"width": 390, "height": 844}, is_mobile=True, device_scale_factor=2
            )
            page = context.new_page()
            response = page.goto(f"{url}/public?period={period}")
            assert response is not None and response.status == 200
            assert "诉求办理情况公开" in page.locator("h1").inner_text()
            headings = page.locator("h2").all_inner_texts()
            for h in ("受理渠道与受理范围", "受理与办理情况", "三率", "热点问题", "典型案例"):
                assert h in headings
            rates = page.locator("#rates-table table")
            assert rates.locator("th").first.inner_text() == "指标"
            assert "按时办结率" in rates.inner_text()
            charts = page.locator("svg[role=img]")
            assert charts.count() >= 2 and charts.first.locator("title").count() == 1
            cases = page.locator("#cases").inner_text()
            assert "路灯坏了" in cases and "烧烤摊" not in cases
            assert page.locator("script").count() == 0
            # a phone's width: nothing wider than the screen (no sideways scrolling). Playwright
            # measures from its own isolated world; the page itself runs no script.
            assert page.evaluate("document.documentElement.scrollWidth") <= 390
            table = page.locator("#scope table").first.bounding_box()
            assert table is not None and table["x"] + table["width"] <= 390
        finally:
            browser.close()
