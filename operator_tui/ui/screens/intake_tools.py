"""The intake screen's aids to the operator: standard phrases (F3, R19.2) read or inserted into
the answer, finding a ticket (F4, R10.1), the knowledge base (Ctrl+K, Ctrl+A; R19.3, R20.1) and
this shift's calls (Ctrl+L). A mixin of `IntakeScreen` (which owns `ctx` and the form)."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from .intake_suggest import SeatSuggestions

if TYPE_CHECKING:
    from ..widgets.knowledge_panel import KnowledgePanel


class SeatTools(SeatSuggestions):
    """Mixed into `IntakeScreen`; with it the seat assist's proposals (`intake_suggest`)."""

    def action_phrases(self) -> None:
        from ...domain.phrases import fill, form_values

        ph = self.ctx.rules.phrases.templates
        values = {**form_values(self.form.data(), self.ctx.rules.taxonomy), "operator": self.ctx.desk.actor}
        items = [
            ("问候语", fill(ph["greeting"], values)),
            ("身份核实", fill(ph["verification"], values)),
            ("复述确认", fill(ph["readback"], values)),
        ]
        if self.saved_ticket is not None:
            items.append(("结束语", self._closing_phrase(self.saved_ticket, self.ctx.now())))
        else:
            items.append(("结束语（保存后带受理编号）", fill(ph["closing_no_number"], values)))
        from .dialogs import PhrasesScreen

        self.app.push_screen(PhrasesScreen(items), self._insert_phrase)

    def _insert_phrase(self, text: str | None) -> None:
        """F3 → a phrase into the answer, after what is there (a saved ticket's form stays as saved)."""
        if not text or self.form.locked:
            return
        current = (self.form.data()["answer"] or "").rstrip()
        self.form.set_answer(f"{current}\n{text}" if current else text)
        self.form.focus_field("answer")

    def action_find(self) -> None:
        from .find import FindScreen

        self.app.push_screen(FindScreen(self.ctx))

    def action_shift_calls(self) -> None:
        from .shift_calls import ShiftCallsScreen

        self.app.push_screen(ShiftCallsScreen(self.ctx))

    def action_focus_kb(self) -> None:
        for w in self.query("#kb"):
            cast("KnowledgePanel", w).focus_search()  # issue 13: Ctrl+K, then type to search by hand

    def action_use_kb_answer(self) -> None:
        """R20.1: the highlighted knowledge-base answer into the answer field, without leaving the form."""
        for panel in self.query("#kb"):
            cast("KnowledgePanel", panel).action_use_answer()
            return
        self.notify("知识库未启用", severity="warning", markup=False)

    def on_knowledge_panel_answer_chosen(self, message: KnowledgePanel.AnswerChosen) -> None:
        self.kb_article = message.article_id
        self.form.set_answer(message.standard_answer)
        self.notify("已填入知识库标准答复，可按 F5 当场答复办结", markup=False)
