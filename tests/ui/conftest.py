"""Fixtures for driving the seat with Textual's Pilot.

``seat_ctx(role="operator", demo=True, kb=False, triage=True)`` builds a `SeatContext` on a fresh
database in tmp_path with the clock fixed at ``NOW`` (Thursday 2026-11-26 10:00 Asia/Shanghai), so
numbers, deadlines and screens are the same on every run.
``keys`` gives ``await keys.fill(pilot, field, text)`` (focus a form field and type) and
``await keys.pick(pilot, field, query)`` (open a picker field, filter by ``query`` — Chinese or
pinyin — and take the first match); ``await keys.settle(pilot)`` lets timers fire and workers finish;
``await keys.confirm(pilot, "f6")`` presses a disposition key, confirms its dialog and settles.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from operator_tui.config import load_rules
from operator_tui.desk import Desk
from operator_tui.domain.model import Role
from operator_tui.settings import Settings
from operator_tui.store.db import Store
from operator_tui.ui.context import SeatContext

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def seat_ctx(tmp_path, monkeypatch):
    monkeypatch.setenv("HOTLINE_CONFIG_DIR", str(tmp_path / "config"))

    def make(
        role: str = "operator",
        demo: bool = True,
        kb: bool = False,
        triage: bool = True,
        caller: str | None = None,
        db_name: str = "seat.db",
    ) -> SeatContext:
        rules = load_rules()
        settings = Settings.resolve(db=tmp_path / db_name, operator="op-test")
        store = Store.open(settings.db_path)
        if demo:
            from operator_tui.demo import seed

            seed(store, rules, NOW)
        triage_rules = None
        if triage:
            from operator_tui.triage_rules import load_triage_rules

            triage_rules = load_triage_rules()
        kb_search = None
        if kb:
            from operator_tui.kb.sample import load_sample_kb
            from operator_tui.kb.search import make_searcher

            load_sample_kb(settings.db_path)
            kb_search = make_searcher(settings.db_path)
        return SeatContext(
            settings=settings,
            rules=rules,
            store=store,
            desk=Desk(store, rules, settings.operator),
            triage_rules=triage_rules,
            kb_search=kb_search,
            caller=caller,
            role=Role(role),
            now=lambda: NOW,
        )

    return make


async def _fill(pilot, field: str, text: str) -> None:
    pilot.app.screen.query_one(f"#{field}").focus()
    await pilot.pause()
    await pilot.press(*text)


async def _pick(pilot, field: str, query: str) -> None:
    pilot.app.screen.query_one(f"#{field}").focus()
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()
    await pilot.press(*query)
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()


async def _settle(pilot, wait: float = 0.1) -> None:
    """Let timers fire and every worker finish, then one more message round."""
    await pilot.pause(wait)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def _confirm(pilot, key: str) -> None:
    await pilot.press(key)
    await pilot.pause()
    await pilot.press("enter")
    await _settle(pilot, 0.3)


class _Keys:
    fill = staticmethod(_fill)
    pick = staticmethod(_pick)
    settle = staticmethod(_settle)
    confirm = staticmethod(_confirm)


@pytest.fixture
def keys():
    return _Keys
