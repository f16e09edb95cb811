"""`hotline seat --cti` (issue 19): the option on both ways in, its mistakes as one line, the link
built after the first frame, and the phone's keys remappable like every seat key."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from test_phone_calls import settle  # noqa: E402  (tests/ui is on the path, as conftest is)

from operator_tui import launch
from operator_tui.config import ConfigError
from operator_tui.cti.fake import FakeLink
from operator_tui.demo import DEMO_CALLER
from operator_tui.seat_start import SeatStartError, build_context, parse_seat_args, start_seat
from operator_tui.settings import Settings
from operator_tui.store.db import Store
from operator_tui.ui.app import make_app

ROOT = Path(__file__).resolve().parents[2]
URL = "freeswitch://127.0.0.1:8021?agent=1001@default"


def test_the_cti_option_and_its_environment_variable(monkeypatch):
    monkeypatch.delenv("HOTLINE_CTI", raising=False)
    assert parse_seat_args(["seat", "--cti", URL])[1].cti == URL
    assert parse_seat_args(["seat", f"--cti={URL}"])[1].cti == URL
    monkeypatch.setenv("HOTLINE_CTI", "asterisk://pbx:5038?interface=PJSIP/1001")
    assert parse_seat_args(["seat"])[1].cti.startswith("asterisk://")


def test_a_cti_url_of_another_scheme_is_one_line_and_exit_code_2(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("HOTLINE_DB", str(tmp_path / "seat.db"))
    with pytest.raises(SystemExit) as done:
        launch.main(["seat", "--cti", "sip://10.0.0.5"])
    assert done.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("错误：--cti：") and err.count("\n") == 1 and "freeswitch://" in err


def test_missing_credentials_stop_the_seat_saying_what_to_set(tmp_path, monkeypatch):
    monkeypatch.setenv("HOTLINE_CONFIG_DIR", str(tmp_path / "cfg"))
    for var in ("HOTLINE_CTI_PASSWORD", "HOTLINE_CTI_USER", "HOTLINE_CTI_SECRET_FILE"):
        monkeypatch.delenv(var, raising=False)
    Store.open(tmp_path / "seat.db")
    settings = Settings.resolve(db=tmp_path / "seat.db", operator="op")
    with pytest.raises(SeatStartError, match="HOTLINE_CTI_PASSWORD"):
        build_context(settings, cti=URL)
    start = start_seat(settings, cti=URL)  # after the first frame: the seat closes saying why
    with pytest.raises(ConfigError, match="HOTLINE_CTI_PASSWORD"):
        start.finish()


PROBE = """
import sys
from pathlib import Path
from operator_tui.seat_start import start_seat
from operator_tui.settings import Settings
start = start_seat(Settings.resolve(db=Path(sys.argv[1]), operator="op"), cti=sys.argv[2])
early = sorted(m for m in sys.modules if m.startswith("operator_tui.cti"))
ctx = start.finish()
print(early, type(ctx.cti).__name__, ctx.cti.is_up)
"""


def test_the_link_is_built_after_the_first_frame_and_not_started(tmp_path, monkeypatch):
    monkeypatch.setenv("HOTLINE_CONFIG_DIR", str(tmp_path / "cfg"))
    monkeypatch.setenv("HOTLINE_CTI_PASSWORD", "ClueCon")
    Store.open(tmp_path / "seat.db")
    out = subprocess.run(
        [sys.executable, "-c", PROBE, str(tmp_path / "seat.db"), URL],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    ).stdout
    assert out.split() == ["[]", "FreeSwitchLink", "False"]


async def test_the_answer_key_can_be_remapped(seat_ctx):
    ctx = seat_ctx()
    ctx.settings.config_dir.mkdir(parents=True, exist_ok=True)
    ctx.settings.keymap_path.write_text('[keys]\n"seat.pick_up" = "ctrl+o"\n', encoding="utf-8")
    link = ctx.cti = FakeLink()
    app = make_app(ctx)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        call = link.ring(caller=DEMO_CALLER)
        await settle(pilot)
        assert (
            "^o 接听" in app.screen.query_one("#ringing").render().plain.lower()
            or "ctrl+o 接听" in app.screen.query_one("#ringing").render().plain.lower()
        )
        await pilot.press("f11")  # no longer bound to answering
        await settle(pilot)
        assert not link.commands
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert link.commands == [("answer", call)]
