"""A ticket's whole life seen from the supervisor's overview (issue 7): intake → dispatch →
extension → response → returned → second response → callback → disputed rating → archive, with the
overview's counts checked at every step. Unit events arrive as they would through sync (recorded
with the unit role); the office's steps are keys on the overview."""

from __future__ import annotations

from datetime import timedelta

import pytest

from operator_tui.desk import Desk
from operator_tui.domain.model import Role, Status
from operator_tui.store import tickets
from operator_tui.ui.app import make_app

SIZE = (160, 48)


async def settle(pilot) -> None:
    await pilot.pause(0.1)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def refresh(pilot):
    await pilot.press("g")
    await settle(pilot)
    await settle(pilot)  # the refresh, then the selection it triggers
    return pilot.app.screen.result


def counts(result) -> dict[str, int]:
    return {s.key: s.count for s in result.stages}


async def act(pilot, key: str, *typed: str, confirm: str = "enter") -> None:
    await pilot.press(key)
    await pilot.pause()
    for text in typed:
        await pilot.press(*text)
    if confirm:
        await pilot.press(confirm)
    await settle(pilot)


@pytest.mark.rule("R30.1")
@pytest.mark.rule("R22.2")
@pytest.mark.rule("R23.1")
@pytest.mark.rule("R23.2")
@pytest.mark.rule("R23.3")
async def test_a_ticket_walked_through_its_whole_life(seat_ctx, keys):
    ctx = seat_ctx(role="admin", demo=False)
    app = make_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.current_mode == "overview"
        assert sum(counts(app.screen.result).values()) == 0

        # Intake on the same app (Ctrl+O), accepted and dispatched at once.
        await pilot.press("ctrl+o")
        await settle(pilot)
        await keys.fill(pilot, "phone", "13900007777")
        await keys.fill(pilot, "name", "周先生")
        await keys.fill(pilot, "address", "立山区曙光街道5号楼")
        await keys.pick(pilot, "place", "lssg")
        await keys.fill(pilot, "description", "小区门口道路塌陷一个大坑")
        await keys.pick(pilot, "appeal_type", "qkfy")
        await keys.pick(pilot, "matter", "dlps")
        await pilot.press("f6")
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)
        with ctx.store.connect() as db:
            (t,) = tickets.search(db, phone="13900007777")
        assert t.status is Status.DISPATCHED
        unit = Desk(ctx.store, ctx.rules, f"unit:{t.lead_unit}", Role.UNIT)
        now = ctx.now()

        await pilot.press("ctrl+o")
        await settle(pilot)
        c = counts(await refresh(pilot))
        assert c["with_units"] == 1 and c["awaiting_acceptance"] == 0

        # The unit signs and asks for an extension inside its 5 working days (R22.2).
        unit.record(t.id, "receive", {"unit": t.lead_unit}, now)
        unit.record(
            t.id,
            "request_extension",
            {
                "unit": t.lead_unit,
                "reason": "需协调管线单位",
                "progress": "已围挡",
                "measures": "联系燃气、供水管线单位联合开挖",
                "new_due": (now + timedelta(days=20)).isoformat(),
            },
            now,
        )
        await pilot.press("4")
        c = counts(await refresh(pilot))
        assert c["extension_asked"] == 1 and c["with_units"] == 0
        assert app.screen.selected is not None and app.screen.selected.id == t.id
        await act(pilot, "x")  # approve
        await pilot.press("0")
        c = counts(await refresh(pilot))
        assert c["extension_asked"] == 0 and c["with_units"] == 1
        clock = ctx.desk.clock(_get(ctx, t.id), now)
        assert clock.name == "extension"

        # First response, returned for rework (R23.1), second response passed.
        unit.record(t.id, "respond", {"unit": t.lead_unit, "result": "已回填", "told_appellant": True}, now)
        await pilot.press("5")
        c = counts(await refresh(pilot))
        assert c["awaiting_review"] == 1
        await act(pilot, "b", "未恢复路面", confirm="f12")  # the reason is the whole dialog
        await pilot.press("0")
        c = counts(await refresh(pilot))
        assert c["awaiting_review"] == 0 and c["with_units"] == 1
        assert _get(ctx, t.id).rework_count == 1
        unit.record(t.id, "respond", {"unit": t.lead_unit, "result": "路面已修复并通车", "told_appellant": True}, now)
        await pilot.press("5")
        await refresh(pilot)
        await act(pilot, "p")
        await pilot.press("6")
        c = counts(await refresh(pilot))
        assert c["awaiting_callback"] == 1 and c["awaiting_review"] == 0

        # Callback with the four star ratings (R23.2).
        await pilot.press("c")
        await pilot.pause()
        for stars in "4534":
            await pilot.press(stars, "tab")
        await pilot.press(*"修得挺快")
        await pilot.press("f12")
        await settle(pilot)
        await pilot.press("8")
        c = counts(await refresh(pilot))
        assert c["rated"] == 1 and c["awaiting_callback"] == 0
        assert _get(ctx, t.id).rating.overall == 4

        # The unit disputes; the centre re-rates; the office confirms (R23.3); then archive.
        unit.record(t.id, "dispute_rating", {"unit": t.lead_unit, "reason": "延期已获批准，时效不应扣分"}, now)
        await pilot.press("7")
        c = counts(await refresh(pilot))
        assert c["rating_disputed"] == 1 and c["rated"] == 0
        await pilot.press("t")
        await pilot.pause()
        for stars in "5555":
            await pilot.press(stars, "tab")
        await pilot.press("f12")
        await settle(pilot)
        await refresh(pilot)
        await act(pilot, "k")  # the office confirms the re-rating
        await pilot.press("8")
        await refresh(pilot)
        await act(pilot, "z")  # archive
        await pilot.press("0")
        result = await refresh(pilot)
        assert sum(counts(result).values()) == 0 and result.closed_today == 1
        final = _get(ctx, t.id)
        assert final.status is Status.ARCHIVED and final.rating_final and final.rating.timeliness == 5
        with ctx.store.connect() as db:
            kinds = [e.kind for e in tickets.events(db, t.id)]
        assert kinds == [
            "register",
            "accept",
            "dispatch",
            "receive",
            "request_extension",
            "approve_extension",
            "respond",
            "review_return",
            "respond",
            "review_pass",
            "callback",
            "dispute_rating",
            "rerate",
            "confirm_rating",
            "archive",
        ]


def _get(ctx, ticket_id):
    with ctx.store.connect() as db:
        return tickets.get(db, ticket_id)


@pytest.mark.rule("R20.3")
@pytest.mark.rule("R10.2")
async def test_referrals_and_explanation_demands_head_the_queue(seat_ctx):
    ctx = seat_ctx(role="supervisor")  # demo data: one referral ticket, two with open demands
    app = make_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        result = await refresh(pilot)
        queue = result.queue
        assert queue[0].referrals > 0
        assert all(item.open_demands for item in queue[1:3])
        assert result.referrals_today == 1 and result.open_demands == 2 and result.under_supervision == 2


@pytest.mark.rule("R30.1")
async def test_an_operator_sees_the_overview_but_cannot_act(seat_ctx):
    ctx = seat_ctx(role="operator")
    app = make_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+o")
        await pilot.press("4")
        await refresh(pilot)
        t = app.screen.selected
        assert t is not None and t.status is Status.EXTENSION_REQUESTED
        actions = str(app.screen.query_one("#ov-actions").render())
        assert "批准延期" not in actions  # not offered to an operator
        await act(pilot, "x")  # and refused by the rules if tried (R22.2: supervisors decide)
        assert _get(ctx, t.id).status is Status.EXTENSION_REQUESTED


@pytest.mark.rule("R28.1")
async def test_rerouting_a_returned_ticket_suggests_another_unit(seat_ctx):
    ctx = seat_ctx(role="supervisor", demo=False)
    desk = Desk(ctx.store, ctx.rules, "op")
    form = {
        "appellant": {"name": "吴女士", "phone": "13900008888", "address": "铁东区"},
        "appeal_type": "complaint",
        "matter": "heating_temperature",
        "place": "tiedong.站前街道",
        "description": "暖气不热",
    }
    t = desk.register(
        form, ctx.now(), [("accept", {}), ("dispatch", {"lead_unit": "heat_group", "co_units": ["gov_tiedong"]})]
    )
    Desk(ctx.store, ctx.rules, "unit:heat_group", Role.UNIT).record(
        t.id, "return_to_centre", {"unit": "heat_group", "reason": "小区为自管供暖，不属于热力集团"}, ctx.now()
    )
    app = make_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await refresh(pilot)
        assert app.screen.selected.id == t.id
        await pilot.press("d")
        await settle(pilot)
        lead = app.screen.query_one("#lead").value
        assert lead and lead != "heat_group"
        await pilot.press("f12")
        await settle(pilot)
    assert _get(ctx, t.id).status is Status.DISPATCHED and _get(ctx, t.id).lead_unit == lead
