"""The seat's command palette (Ctrl+P), in Chinese (issue 14).

It lists the seat's own commands: the keys of the screen in front and the app's own (sync, the
overview, conflicts, quit), each under its Chinese name with its key, and finds them by Chinese
text, by pinyin initials (`xld` → 新来电, `bsl` → 不予受理) or by full pinyin. Textual's developer
commands (screenshot, theme, maximize, keys, quit in English) are not offered: a screenshot of the
seat holds a caller's words and would be written to disk outside the store.

Imported when the palette opens (`SeatApp.COMMANDS` names a loader), so neither this module nor
pypinyin is on the path to the seat's first frame.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from rich.text import Text
from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.screen import Screen

PLACEHOLDER = "输入命令名称或拼音首字母（如 xld 新来电），回车执行"

# What each command does, in a few words (the palette's second line).
HELP = {
    "seat.new_call": "开始新来电，计时开始",
    "seat.phrases": "问候、核实、复述、结束语，可插入答复内容",
    "seat.find": "按受理编号、电话、姓名、住址查询办理单",
    "seat.answer": "当场答复并办结（R20.1）",
    "seat.dispatch": "受理并转办主办、协办单位（R20.2）",
    "seat.refuse": "不予受理，须填写理由（R20.2）",
    "seat.advise": "告知行政复议、诉讼、仲裁、12388 等途径（R20.5）",
    "seat.referral": "记录 110/119/120/122 紧急转介（R20.3）",
    "seat.link_call": "关联到来电人未办结的同类工单，不重复建单（R13.1）",
    "seat.focus_kb": "在知识库中检索",
    "seat.use_kb_answer": "把知识库标准答复填入答复内容",
    "seat.shift_calls": "本班次已受理的来电",
    "seat.ready": "结束话后整理，示闲",
    "seat.pick_up": "接听振铃中的来电（15 秒内）",
    "seat.hold": "保持通话 / 恢复通话",
    "seat.transfer": "转接来电：直接转接、咨询后转接或三方通话",
    "seat.agent_state": "示闲、示忙（理由）、小休、话后整理",
    "sup.rates": "按时办结率、解决率、满意率、响应率：排名、图表、周趋势和工单明细（R35.1）",
    "app.quit": "退出坐席（未保存的来电会先询问）",
    "app.toggle_mode": "在接线和队列总览之间切换",
    "app.sync_now": "立即与服务器同步",
    "app.conflicts": "服务器退回的记录及理由",
}


@dataclass(frozen=True)
class SeatCommand:
    name: str  # 新来电
    key: str  # F2
    help: str
    run: Callable[[], object]

    @property
    def title(self) -> str:
        return f"{self.name}（{self.key}）" if self.key else self.name


def commands(app, screen: Screen) -> list[SeatCommand]:
    """The commands of `screen` (its shown bindings) and of the app, once each, in key order."""
    seen: set[str] = set()
    found: list[SeatCommand] = []
    for node, runner in ((screen, screen), (app, app)):
        for binding in node.BINDINGS:
            if not isinstance(binding, Binding) or not binding.description or binding.action in seen:
                continue
            if binding.action == "command_palette" or runner.check_action(binding.action, ()) is False:
                continue  # e.g. the phone's keys without --cti
            seen.add(binding.action)
            key = app.get_key_display(binding) if binding.key else ""
            help_text = HELP.get(binding.id or "", binding.description)
            found.append(SeatCommand(binding.description, key, help_text, partial(runner.run_action, binding.action)))
    return found


def score(command: SeatCommand, query: str) -> float:
    """How well `query` names `command`: 0 no match, up to 1 (the start of its name)."""
    from .widgets.picker import Choice, matches

    rank = matches(Choice(command.key, command.name, command.help), query)
    return 0.0 if rank < 0 else 1.0 - rank * 0.2


class SeatCommands(Provider):
    async def discover(self) -> Hits:
        for c in commands(self.app, self.screen):
            yield DiscoveryHit(c.title, c.run, help=c.help)

    async def search(self, query: str) -> Hits:
        for c in commands(self.app, self.screen):
            value = score(c, query)
            if value > 0:
                yield Hit(value, Text(c.title), c.run, text=c.title, help=c.help)
