"""The intake screen's actions on a call: dispositions (R20.1–R20.6), 催办 (R13.1) and emergency
referrals (R20.3). A mixin of `IntakeScreen`, kept apart so each file holds one idea; it posts the
screen's `Saved`/`Failed` messages and uses its form, banner and history widgets.

The actions run only once the seat has finished starting, so what they need (the dialogs, the
validation, the history table) is imported where it is used, off the path to the first frame."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import work

from ...domain.errors import RuleViolation
from ...store import drafts
from ..safe import caller_text, joined
from .disposition import Disposition, describe


def spaced_number(number: str) -> str:
    """261126 001 0042: easier to read aloud."""
    return f"{number[:6]} {number[6:9]} {number[9:]}" if len(number) == 13 else number


class CallActions:
    """Mixed into `IntakeScreen` (a Textual Screen): the F5–F10 actions."""

    # --- dispositions (R20.1–R20.6, R28.1) -----------------------------------------------

    def _validated(self) -> dict[str, Any] | None:
        from ...domain.validation import validate_intake

        data = self.form.data()
        _, errors = validate_intake(data, self.ctx.rules.taxonomy)
        self.form.show_errors(errors)
        if errors:
            self.form.focus_field(errors[0].field)
            self.notify(f"还有 {len(errors)} 项需要修正", severity="warning", markup=False)
            return None
        return data

    def _ensure_unsaved(self) -> bool:
        if self.saved_ticket is not None:
            self.notify(f"本次来电已保存为 {self.saved_ticket.number}，按 F2 开始新来电", severity="warning", markup=False)
            return False
        return True

    def _confirm_and_save(self, d: Disposition) -> None:
        from .dialogs import ConfirmScreen

        def confirmed(ok: bool | None) -> None:
            if ok:
                self._register(d)

        body = describe(d, self.ctx.rules.taxonomy)
        banner = self.query_one("#banner")
        if banner.raised and not self.pending_referrals:  # R20.3: say so before the call ends unrecorded
            body.append(f"\n\n注意：紧急情况（{'、'.join(banner.targets)}）尚未记录转介，可先按 Esc 再按 F9 记录。", style="bold red")
        self.app.push_screen(ConfirmScreen(d.title, body), confirmed)

    def action_answer(self) -> None:
        if not self._ensure_unsaved() or (data := self._validated()) is None:
            return
        if not (data["answer"] or "").strip():
            self.form.show_errors([])
            self.notify("请先在“答复内容”中填写答复（或用知识库标准答复 Ctrl+A）", severity="warning", markup=False)
            self.form.focus_field("answer")
            return
        payload = {"answer": data["answer"].strip()}
        if self.kb_article:
            payload["kb_article"] = self.kb_article
        self._confirm_and_save(Disposition("answer_on_spot", "当场答复并办结", data, [("answer_on_spot", payload)]))

    def action_dispatch(self) -> None:
        if not self._ensure_unsaved() or (data := self._validated()) is None:
            return
        if not data["lead_unit"]:
            self.notify("请选择主办单位", severity="warning", markup=False)
            self.form.focus_field("lead_unit")
            return
        dispatch = {"lead_unit": data["lead_unit"], "co_units": [u for u in data["co_units"] if u != data["lead_unit"]]}
        self._confirm_and_save(Disposition("dispatch", "受理并转办", data, [("accept", {}), ("dispatch", dispatch)]))

    def action_refuse(self) -> None:
        from .dialogs import TextPromptScreen

        if not self._ensure_unsaved() or (data := self._validated()) is None:
            return

        def reason(text: str | None) -> None:
            if text:
                self._confirm_and_save(Disposition("refuse", "不予受理", data, [("refuse", {"reason": text})]))

        self.app.push_screen(TextPromptScreen("不予受理", Text("请填写不予受理的理由（将记录在办理单上并告知来电人）："),
                                              required_message="不予受理必须填写理由"), reason)

    def action_advise(self) -> None:
        from .dialogs import ChoiceScreen, TextPromptScreen

        if not self._ensure_unsaved() or (data := self._validated()) is None:
            return
        phrases = self.ctx.rules.phrases

        def chosen(channel: str | None) -> None:
            if not channel:
                return

            def said(text: str | None) -> None:
                if text:
                    payload = {"channel": channel, "text": text}
                    title = f"告知办理途径：{phrases.advice_names.get(channel, channel)}"
                    self._confirm_and_save(Disposition("advise_channel", title, data, [("advise_channel", payload)]))

            self.app.push_screen(TextPromptScreen("告知办理途径", Text("告知来电人的内容（可修改）："), phrases.advice.get(channel, "")), said)

        self.app.push_screen(ChoiceScreen("告知哪种办理途径？", list(phrases.advice_names.items())), chosen)

    def _register(self, d: Disposition) -> None:
        follow = [("referral", r) for r in self.pending_referrals] + d.events
        self._save(d.form, follow)

    @work(thread=True, exclusive=True, group="save")
    def _save(self, form: dict[str, Any], follow: list[tuple[str, dict[str, Any]]]) -> None:
        from ...desk import IntakeInvalid  # the desk and its models load after the first frame

        now = self.ctx.now()
        form = {**form, "call_id": self.call_id}
        try:
            ticket = self.ctx.desk.register(form, now, follow)
        except IntakeInvalid as exc:
            self.post_message(self.Failed(str(exc)))
            return
        except RuleViolation as exc:
            self.post_message(self.Failed(f"{exc.rule}：{exc.message}"))
            return
        self.post_message(self.Saved(ticket, self._closing_phrase(ticket, now)))

    # --- 催办: link this call to an open ticket instead of a duplicate (R13.1) ------------

    def action_link_call(self) -> None:
        from .dialogs import ConfirmScreen

        if not self._ensure_unsaved():
            return
        history = self.query_one("#history")
        row = history.selected()
        if row is None or row.status.closed:
            row = history.open_with_matter(self.form.data()["matter"])
        if row is None:
            row = next((r for r in history.rows if not r.status.closed), None)
        if row is None:
            self.notify("该来电人没有未办结的工单，请新建办理单", severity="warning", markup=False)
            return
        text = (self.form.data()["description"] or "").strip()

        def confirmed(ok: bool | None) -> None:
            if ok:
                self._link(row.id, text)

        body = joined("将本次来电作为催办关联到办理单 ", (row.number, "bold"), "（不新建工单）。")
        if text:
            body.append("\n本次所述将作为补充说明记入该工单：\n")
            body.append_text(caller_text(text))
        self.app.push_screen(ConfirmScreen("催办", body), confirmed)

    @work(thread=True, exclusive=True, group="save")
    def _link(self, ticket_id: str, text: str) -> None:
        from ...desk import new_id

        now = self.ctx.now()
        try:
            t = self.ctx.desk.record(ticket_id, "link_call", {"call_id": self.call_id or new_id(now)}, now)
            if text:
                t = self.ctx.desk.record(ticket_id, "add_note", {"text": text}, now)
            for r in self.pending_referrals:
                t = self.ctx.desk.record(ticket_id, "referral", r, now)
            with self.ctx.store.transaction() as db:
                drafts.clear(db)
        except RuleViolation as exc:
            self.post_message(self.Failed(f"{exc.rule}：{exc.message}"))
            return
        from ...domain.phrases import fill

        phrase = fill(self.ctx.rules.phrases.templates["link_call"], {"number": spaced_number(t.number)})
        self.post_message(self.Saved(t, phrase))

    # --- emergencies (R20.3) ---------------------------------------------------------------

    def action_referral(self) -> None:
        from ..widgets.referral_dialog import ReferralDialog

        banner = self.query_one("#banner")
        targets = list(banner.targets) if hasattr(banner, "targets") else []

        def recorded(result) -> None:
            if result is None:
                return
            payload = {"target": result.target, "outcome": result.outcome, "reason": result.reason}
            if self.saved_ticket is not None:
                self._record_referral(self.saved_ticket.id, payload)
            else:
                self.pending_referrals.append(payload)
                self._schedule_autosave()
                self.notify(f"已记录转介 {result.target}，将随办理单保存", markup=False)
            banner.clear()

        self.app.push_screen(ReferralDialog(targets), recorded)

    @work(thread=True, group="save")
    def _record_referral(self, ticket_id: str, payload: dict[str, Any]) -> None:
        try:
            t = self.ctx.desk.record(ticket_id, "referral", payload, self.ctx.now())
        except RuleViolation as exc:
            self.post_message(self.Failed(f"{exc.rule}：{exc.message}"))
            return
        self.saved_ticket = t
        self.app.call_from_thread(self.notify, f"转介 {payload['target']} 已记入 {t.number}", markup=False)
