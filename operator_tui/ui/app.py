"""The seat application: `make_app(ctx)` builds it; the CLI, tests and snapshots all use that.

Bindings carry ids (`seat.new_call`, `seat.answer`, …) so a call centre can remap them in
`keymap.toml` (a `[keys]` table of id = "key,key") without touching code.
"""

from __future__ import annotations

import gc
import os
import time
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, cast

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen

from ..domain.errors import Misconfigured
from ..domain.states import Role
from ..settings_table import ENV
from .context import SeatBegin, SeatContext, first_frame
from .key_hold import KeyHoldMixin
from .screens.intake import IntakeScreen
from .widgets.sync_status import SyncStatusBar

if TYPE_CHECKING:
    from ..sync.status import SyncStatus
    from .screens.intake import IntakeScreen


class KeymapError(Misconfigured, ValueError):
    pass


def load_keymap(path: Path) -> dict[str, str]:
    """Binding id → keys, from `path` if it exists; errors name the file and the entry."""
    if not path.exists():
        return {}
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise KeymapError(f"{path}: {exc}") from None
    keys = doc.get("keys", {})
    if not isinstance(keys, dict) or not all(isinstance(k, str) and isinstance(v, str) and v for k, v in keys.items()):
        raise KeymapError(f'{path}: [keys] must map binding ids to key names, e.g. "seat.new_call" = "f2"')
    return keys


# KeyHoldMixin.push_screen passes App.push_screen's arguments through untyped: restating Textual's
# overloads there would copy them, so the override is accepted here.
class SeatApp(KeyHoldMixin, App):  # type: ignore[misc]
    TITLE = "8890 坐席"
    CSS_PATH = "screens/intake.tcss"  # the other screens and the dialogs bring their own CSS
    ENABLE_COMMAND_PALETTE = True
    # The seat's own commands only, in Chinese, matched by pinyin too (operator_tui/ui/palette.py);
    # a loader, so the palette's module is imported when it first opens, not at start-up.
    COMMANDS = {lambda: __import__("operator_tui.ui.palette", fromlist=["SeatCommands"]).SeatCommands}
    BINDINGS = [
        Binding("ctrl+q", "quit", "退出", id="app.quit", priority=True),
        Binding("ctrl+p", "command_palette", "命令", id="app.palette", show=False),
        Binding("ctrl+o", "toggle_mode", "接线/总览", id="app.toggle_mode"),
        Binding("ctrl+r", "sync_now", "立即同步", id="app.sync_now", show=False),
        Binding("f12", "conflicts", "同步冲突", id="app.conflicts", show=False),
    ]
    SYNC_SECONDS = 5.0  # how often a seat with a server pushes its outbox and pulls changes

    # The complete context, from the moment it exists (`context_ready`): at once when the app is
    # given one, else when the intake screen has loaded the deferred half. Until then `start` only.
    ctx: SeatContext
    ready = False

    def __init__(self, begin: SeatBegin, keymap: dict[str, str] | None = None) -> None:
        self.start = first_frame(begin)
        # The first screen is the role's own mode from the start (not Textual's empty default
        # screen, switched away from on mount): one screen composed, laid out and painted, not two.
        # Textual declares DEFAULT_MODE a class variable but reads it from the instance.
        self.DEFAULT_MODE = "overview" if self.start.role in (Role.SUPERVISOR, Role.ADMIN) else "intake"  # type: ignore[misc]
        super().__init__()
        self._begin = begin
        if isinstance(begin, SeatContext):  # a supervisor's overview is composed before on_mount
            self.ctx, self.ready = begin, True
        self._keymap = keymap or {}
        self._stages_marked: set[str] = set()  # see mark_ready
        # Seat and supervisor are separate screen stacks (Textual MODES): switching keeps each
        # one's state, so a supervisor can take a call and come back to the overview.
        self.add_mode("intake", lambda: IntakeScreen(self._begin))
        self.add_mode("overview", self._overview)

    def _overview(self) -> Screen:
        from .screens.overview import OverviewScreen

        return OverviewScreen(self.ctx)

    def on_mount(self) -> None:
        if self._keymap:
            self.set_keymap(self._keymap)
        if self.ready:
            self.context_ready(self.ctx)
        # else the intake screen finishes the context after its first frame and calls context_ready

    def _collector_on(self) -> None:
        """After a frame (a supervisor's context is ready before the first one): what start-up built
        (rules, taxonomy, widgets) lives as long as the seat, so out of the collector's sight a full
        collection walks only a call's garbage, which keeps its pauses out of a screen pop (the
        server does the same, cli/server_cmd.py). `hotline seat` starts with the collector off
        (operator_tui.launch)."""
        gc.collect()
        gc.freeze()
        gc.enable()

    def context_ready(self, ctx: SeatContext) -> None:
        """The whole context is loaded: keep it, start syncing and read the status line."""
        self.ctx, self.ready = ctx, True
        self.call_after_refresh(self._collector_on)
        if self.ctx.sync is not None and not self.ctx.offline:
            self.set_interval(self.SYNC_SECONDS, self.action_sync_now)
            self.call_after_refresh(self.action_sync_now)
        self._read_status()

    # --- sync (R16.1): the seat records locally; a worker pushes and pulls in the background ----

    sync_status: SyncStatus | None = None

    class StatusRead(Message):
        def __init__(self, status: SyncStatus) -> None:
            super().__init__()
            self.status = status

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Sync, the overview and the conflicts need the whole context: while the seat finishes
        # starting (a fraction of a second) they show dimmed and do nothing.
        if not self.ready and action in ("toggle_mode", "sync_now", "conflicts"):
            return None
        return True

    def action_sync_now(self) -> None:
        if self.ctx.sync is None:
            self.notify("未配置服务器（--server），本机为本地模式", severity="warning", markup=False)
            return
        self._sync()

    @work(thread=True, exclusive=True, group="sync")
    def _sync(self) -> None:
        self.ctx.sync.sync_once()
        self.post_message(self.StatusRead(self.ctx.sync.status()))

    @work(thread=True, exclusive=True, group="sync-status")
    def _read_status(self) -> None:
        from ..sync.status import read_status

        self.post_message(self.StatusRead(read_status(self.start.store)))

    def on_seat_app_status_read(self, message: StatusRead) -> None:
        self.sync_status = message.status
        for bar in self.screen.query(SyncStatusBar):
            bar.status = message.status

    def refresh_sync_status(self) -> None:
        """Re-read the status line after the store changed here (a save adds outbox rows)."""
        self._read_status()

    def action_conflicts(self) -> None:
        from .screens.conflicts import ConflictsScreen

        self.push_screen(ConflictsScreen(self.ctx.store, tz=self.ctx.policy.tz, now=self.ctx.now))

    def mark_ready(self, stage: str = "ready") -> None:
        """A start-up stage was reached: "ready" (the first frame, ready for typing) or "complete"
        (everything loaded). With HOTLINE_READY_FILE set (scripts/bench_seat.py), write the wall
        time of the next frame there (the "complete" one to the same path + ".complete"), and exit
        after "complete" if HOTLINE_READY_EXIT is set."""
        path = os.environ.get(ENV["ready_file"])  # a test hook (scope test), read here, not a setting of the seat
        if path and stage not in self._stages_marked:
            self._stages_marked.add(stage)
            self.call_after_refresh(self._write_mark, Path(path if stage == "ready" else f"{path}.{stage}"), stage)

    def _write_mark(self, path: Path, stage: str) -> None:
        path.write_text(repr(time.time()))
        if stage == "complete" and os.environ.get(ENV["ready_exit"]):
            self.exit()

    def get_key_display(self, binding: Binding) -> str:
        """Function keys as printed on the keyboard: F2, not f2."""
        shown = super().get_key_display(binding)
        return shown.upper() if shown[:1] == "f" and shown[1:].isdigit() else shown

    def action_toggle_mode(self) -> None:
        self.switch_mode("intake" if self.current_mode == "overview" else "overview")
        self._read_status()  # the other screen's status line may be a sync behind

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Every action of the current screen and the app's own, as the palette (Ctrl+P) offers
        them; none of Textual's developer commands (issue 14)."""
        from .palette import commands

        for c in commands(self, screen):
            yield SystemCommand(c.title, c.help, c.run)

    def action_command_palette(self) -> None:
        from textual.command import CommandPalette

        from .palette import PLACEHOLDER

        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(CommandPalette(placeholder=PLACEHOLDER, id="--command-palette"))

    def action_screenshot(self, filename: str | None = None, path: str | None = None) -> None:
        """Not on a seat: the screen holds a caller's words, and only the store keeps those."""
        self.notify("坐席不保存屏幕截图（含来电人信息）", severity="warning", markup=False)

    def action_help_quit(self) -> None:
        self.notify("按 Ctrl+Q 退出坐席", markup=False)

    async def action_quit(self) -> None:
        """Ctrl+Q: a call with unsaved words asks first (its draft is written either way)."""
        found = next((s for s in self.screen_stack if hasattr(s, "unsaved_call")), None)
        if found is None:
            found = next((s for s in self._get_mode_screens() if hasattr(s, "unsaved_call")), None)
        intake = cast("IntakeScreen | None", found)
        if intake is None or not intake.unsaved_call():
            if intake is not None and intake.loaded:
                intake.drop_draft()
            self.exit()
            return
        from rich.text import Text

        from .screens.dialogs import ConfirmScreen

        intake.flush_draft()

        def confirmed(ok: bool | None) -> None:
            if ok:
                self.exit()

        self.push_screen(
            ConfirmScreen(
                "退出坐席", Text("当前来电尚未保存（已存为草稿，下次启动会恢复）。确定退出吗？", style="yellow")
            ),
            confirmed,
        )

    def _get_mode_screens(self) -> list[Screen]:
        stack = self._screen_stacks.get("intake") or []
        return list(stack)


def make_app(begin: SeatBegin) -> SeatApp:
    """The seat's app, given its complete context or a `SeatStart` (the command line's two halves)."""
    return SeatApp(begin, load_keymap(first_frame(begin).settings.keymap_path))
