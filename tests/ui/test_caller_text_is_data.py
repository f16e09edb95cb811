"""Caller text is data (issue 3, Known traps): markup, actions, OSC 52, CSI 2J, C1 controls and bidi
overrides in a caller's words show as inert text on every screen that shows them — no styling, no
action, no crash, and no escape in what reaches the terminal."""

from __future__ import annotations

from textual.widgets import TextArea

from operator_tui.store import tickets
from operator_tui.ui.app import make_app

SIZE = (160, 48)
MARKUP = ["[/]", "[bold red]x[/]", "[@click=app.quit]x[/]", "[link=file:///etc/passwd]y[/link]"]
ESCAPES = ["\x1b]52;c;aGVsbG8=\x07", "\x1b[2J", "\x9b31m", "\u202e", "\x1b]0;owned\x07", "\x85", "\x07"]
FORBIDDEN = ("\x1b", "\x9b", "\u202e", "\x85", "\x07")
PHONE = "13600009999"


def corpus_text() -> str:
    return "煤气味很大" + "".join(MARKUP) + "".join(ESCAPES) + "结束"


def seed_raw_ticket(ctx) -> str:
    """A ticket whose stored projection carries the raw corpus, as if another system had sent it
    uncleaned: the screens must clean again where they show it."""
    desk = ctx.desk
    form = {
        "appellant": {"name": "王[/]先生", "phone": PHONE, "address": "[bold red]x[/]路1号"},
        "appeal_type": "complaint",
        "matter": "gas_safety",
        "place": "lishan",
        "description": "起初的描述",
    }
    t = desk.register(form, ctx.now(), [("add_note", {"text": "[@click=app.quit]x[/]"})])
    raw = t.model_copy(
        update={
            "description": corpus_text(),
            "appellant": t.appellant.model_copy(
                update={"name": "王" + MARKUP[2] + ESCAPES[0], "address": MARKUP[1] + ESCAPES[3]}
            ),
        }
    )
    with ctx.store.transaction() as db:
        tickets.save(db, raw, [], desk.clock(raw, ctx.now()), ctx.now(), outbox=False)
    return t.number


def assert_inert(app) -> None:
    svg = app.export_screenshot()
    for ch in FORBIDDEN:
        assert ch not in svg, f"{ch!r} reached the screen"
    assert app.is_running  # [@click=app.quit] did not run


async def test_every_screen_shows_caller_text_literally(seat_ctx, keys):
    ctx = seat_ctx(role="admin")
    number = seed_raw_ticket(ctx)
    app = make_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await keys.settle(pilot)
        assert_inert(app)  # overview with the ticket in its queue
        await pilot.press("ctrl+o")
        await keys.settle(pilot)

        # Intake: a pasted description and name.
        area = app.screen.query_one("#description", TextArea)
        area.focus()
        area.insert(corpus_text())
        app.screen.query_one("#name").value = "赵" + MARKUP[1] + ESCAPES[1]
        app.screen.query_one("#phone").value = PHONE
        await keys.settle(pilot)
        stored = app.screen.form.data()
        assert all(ch not in stored["description"] for ch in FORBIDDEN)
        assert "[bold red]x[/]" in stored["description"] and "[@click=app.quit]x[/]" in stored["description"]
        assert app.screen.query_one("#banner").raised  # 煤气味 still triggers triage
        assert "[bold red]x[/]" in str(app.screen.query_one("#name").value)
        assert_inert(app)

        await pilot.press("f3")  # standard phrases: the read-back quotes the caller's words
        await keys.settle(pilot)
        assert "[bold red]x[/]" in app.export_screenshot().replace("&#160;", " ")
        assert_inert(app)
        await pilot.press("escape")

        await pilot.press("f9")  # referral dialog names the triggering words
        await keys.settle(pilot)
        assert_inert(app)
        await pilot.press("escape")
        await keys.settle(pilot)

        # Find the seeded raw ticket, open it: summary, notes, history.
        await pilot.press("f4")
        await keys.settle(pilot)
        await pilot.press(*PHONE, "enter")
        await keys.settle(pilot)
        assert_inert(app)
        await pilot.press("enter")
        await keys.settle(pilot)
        summary = str(app.screen.query_one("#detail-summary").render())
        assert "王[@click=app.quit]x[/]" in summary and "[bold red]x[/]" in summary
        assert all(ch not in summary for ch in FORBIDDEN)
        history = str(app.screen.query_one("#detail-history").render())
        assert "[@click=app.quit]x[/]" in history
        assert_inert(app)
        await pilot.press("escape")
        await pilot.press("escape")
        await keys.settle(pilot)

        # Save the pasted call: the confirmation and the saved panel show the caller's name.
        from textual.widgets import Input

        assert isinstance(app.screen.query_one("#address"), Input)
        app.screen.query_one("#address").value = "[/]" + ESCAPES[0]
        app.screen.form.query_one("#place").set_value("lishan")
        app.screen.form.query_one("#appeal_type").set_value("help")
        app.screen.form.query_one("#matter").set_value("gas_safety")
        await keys.settle(pilot)
        await pilot.press("f6")
        await keys.settle(pilot)
        assert type(app.screen).__name__ == "ConfirmScreen", (app.focused, app.screen.saved_ticket, app.screen_stack)
        assert_inert(app)
        await pilot.press("enter")
        await keys.settle(pilot)
        assert_inert(app)
    with ctx.store.connect() as db:
        saved = [t for t in tickets.search(db, phone=PHONE) if t.number != number]
    assert len(saved) == 1, "the pasted call was not saved"
    assert saved[0].appellant.address == "[/]" and all(ch not in saved[0].description for ch in FORBIDDEN)
    assert saved[0].referrals == () and saved[0].appellant.name == "赵[bold red]x[/]"


async def test_conflict_reasons_from_the_server_are_data(seat_ctx, keys):
    """A server's reason is text from another system: shown literally on the conflicts screen."""
    ctx = seat_ctx(demo=False)
    with ctx.store.transaction() as db:
        db.conn.execute(
            "INSERT INTO conflicts (event_id, ticket_id, rule, reason, body, created_at) VALUES (?,?,?,?,?,?)",
            ("E1", "T1", "R22.2", "[@click=app.quit]x[/]" + ESCAPES[0] + ESCAPES[2], b"{}", ctx.now().isoformat()),
        )
    app = make_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await keys.settle(pilot)
        await pilot.press("f12")
        await keys.settle(pilot)
        assert "[@click=app.quit]x[/]" in app.export_screenshot()
        assert_inert(app)
