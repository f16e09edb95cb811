"""The caller's earlier tickets, popped up from the phone number (R13.1 screen pop).

The rows come from `operator_tui.lookup` (the whole centre when online, merged with this seat's
unsynced tickets); each says where it came from, and the title says when the view is only this
seat's records (offline)."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import DataTable, Label

from ...domain.states import STATUS_NAMES, Status
from ...domain.taxonomy import Taxonomy
from ..safe import caller_text

if TYPE_CHECKING:
    from ...lookup import HistoryRow


class CallerHistory(Widget):
    """A table of the caller's tickets, newest first; open ones highlighted."""

    def __init__(self, taxonomy: Taxonomy, tz: tzinfo, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.taxonomy = taxonomy
        self.tz = tz
        self.rows: list[HistoryRow] = []
        self.note: str | None = None

    def compose(self) -> ComposeResult:
        yield Label(Text("来电历史", style="bold"), id="history-title")
        table: DataTable[Text] = DataTable(id="history-table", cursor_type="row", zebra_stripes=True)
        # 来源 early: the side panel is narrow, and where a row came from matters more than its deadline.
        table.add_columns("受理编号", "来源", "日期", "事项", "状态", "时限")
        yield table

    def show(self, rows: list[HistoryRow], now: datetime, note: str | None = None) -> None:
        """`note`: why the history may be incomplete (offline: only this seat's records)."""
        self.rows = rows
        self.note = note
        table = self.query_one(DataTable)
        table.clear()
        title = self.query_one("#history-title", Label)
        open_count = sum(1 for r in rows if not r.status.closed)
        heading = Text(f"来电历史：{len(rows)} 单，未办结 {open_count} 单" if rows else "来电历史：无", style="bold")
        if note:
            heading.append("  ")
            heading.append(note, style="bold yellow")
        title.update(heading)
        for r in rows:
            matter = self.taxonomy.matters.get(r.matter)
            due = Text("-", style="dim")
            if r.due_at and not r.status.closed:
                overdue = r.due_at < now
                due = Text(
                    r.due_at.astimezone(self.tz).strftime("%m-%d") + ("超期" if overdue else ""),
                    style="bold red" if overdue else "",
                )
            status_style = "" if r.status.closed else "bold yellow"
            table.add_row(
                caller_text(r.number),
                Text(r.source, style="dim" if r.remote else "yellow"),
                Text(r.registered_at.astimezone(self.tz).strftime("%y-%m-%d")),
                caller_text(matter.name if matter else r.matter),
                Text(STATUS_NAMES[Status(r.status)], style=status_style),
                due,
                key=r.id,
            )

    def open_with_matter(self, matter: str | None) -> HistoryRow | None:
        """The newest open ticket on the same matter: the 催办 candidate (R13.1)."""
        if not matter:
            return None
        return next((r for r in self.rows if r.matter == matter and not r.status.closed), None)

    def selected(self) -> HistoryRow | None:
        table = self.query_one(DataTable)
        if not self.rows or table.cursor_row is None or table.cursor_row >= len(self.rows):
            return None
        return self.rows[table.cursor_row]
