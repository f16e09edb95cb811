"""The intake screen's actions on a call: dispositions (R20.1–R20.6), 催办 (R13.1) and emergency
referrals (R20.3). A mixin of `IntakeScreen`, kept apart so each file holds one idea; it posts the
screen's `Saved`/`Failed` messages and uses its form, banner and history widgets.

The actions run only once the seat has finished starting, so what they need (the dialogs, the
validation, the history table) is imported where it is used, off the path to the first frame."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from rich.text import Text
from textual import work

from ...domain.errors import HotlineError, RuleViolation
from ...store import drafts
from ..safe import caller_text, joined
from .disposition import Disposition, describe

if TYPE_CHECKING:
    from ...domain.triage import ReferralInput
    from ...lookup import HistoryRow
    from ..widgets.caller_history import CallerHistory
    from ..widgets.emergency_banner import EmergencyBanner
    from .intake_host import IntakeHost
else:
    IntakeHost = object  # the mixins' typed base exists only for the type checker (intake_host.py)


def spaced_number(number: str) -> str:
    """261126 001 0042: easier to read aloud."""
    return f"{number[:6]} {number[6:9]} {number[9:]}" if len(number) == 13 else number


class CallActions(IntakeHost):
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
            self.notify(
                f"本次来电已保存为 {self.saved_ticket.number}，按 F2 开始新来电", severity="warning", markup=False
            )
            return False
        return True

    def _confirm_and_save(self, d: Disposition) -> None:
        from .dialogs import ConfirmScreen

        def confirmed(ok: bool | None) -> None:
            if ok:
                self._register(d)

        body = describe(d, self.ctx.rules.taxonomy)
        banner = cast("EmergencyBanner", self.query_one("#banner"))
        if banner.raised:  # R20.3: a target named and not yet referred; say so before the call ends
            body.append(
                f"\n\n注意：紧急情况（{'、'.join(banner.targets)}）尚未记录转介，可先按 Esc 再按 F9 记录。",
                style="bold red",
            )
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

        self.app.push_screen(
            TextPromptScreen(
                "不予受理",
                Text("请填写不予受理的理由（将记录在办理单上并告知来电人）："),
                required_message="不予受理必须填写理由",
            ),
            reason,
        )

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

            self.app.push_screen(
                TextPromptScreen("告知办理途径", Text("告知来电人的内容（可修改）："), phrases.advice.get(channel, "")),
                said,
            )

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
        except HotlineError as exc:  # the store unusable, or our bug: said, and the draft stays (R16.1)
            # Loaded when an error is shown, not before the first frame.
            from ..notices import notice

            self.post_message(self.Failed(notice(exc).message))
            return
        self.post_message(self.Saved(ticket, self._closing_phrase(ticket, now)))

    # --- 催办: link this call to an open ticket instead of a duplicate (R13.1) ------------
    # Every open ticket of the caller across the centre is a candidate (issue 11): from the screen
    # pop's answer when it held all the caller's tickets, else asked again (open ones only). One
    # candidate is confirmed; several are offered in a chooser, the pop's highlighted row or the
    # same matter first. A ticket held only on the server is fetched and stored here first, so
    # the link goes out through the outbox like any event of this seat.

    def action_link_call(self) -> None:
        if not self._ensure_unsaved():
            return
        info = self.caller
        if info is not None and info.complete and self._caller_phone and info.phone == self._caller_phone:
            self._offer_links([r for r in info.rows if not r.closed], info.note)
        elif self._caller_phone:
            self._find_open_tickets(self._caller_phone)
        else:
            self.notify("请先输入来电号码，再按 F10 催办", severity="warning", markup=False)

    @work(thread=True, exclusive=True, group="link-candidates")
    def _find_open_tickets(self, phone: str) -> None:
        from ...lookup import CentreLookup

        found = CentreLookup.of(self.ctx.store, self.ctx.sync, self.ctx.offline).open_tickets(phone)
        self.app.call_from_thread(self._offer_links, found.open_rows, found.note)

    def _offer_links(self, rows: list[HistoryRow], note: str | None) -> None:
        from .dialogs import ConfirmScreen, LinkChooserScreen

        if not rows:
            self.notify(
                "该来电人没有未办结的工单，请新建办理单" + (f"（{note}）" if note else ""),
                severity="warning",
                markup=False,
            )
            return
        history = cast("CallerHistory", self.query_one("#history"))
        first = [r for r in (history.selected(), history.open_with_matter(self.form.data()["matter"])) if r is not None]
        order = {r.id: i for i, r in enumerate(first)}
        rows = sorted(rows, key=lambda r: order.get(r.id, len(order)))
        text = (self.form.data()["description"] or "").strip()
        body = Text()
        if note:
            body.append(note + "\n", style="bold yellow")
        if len(rows) == 1:
            row = rows[0]
            body.append_text(joined("将本次来电作为催办关联到办理单 ", (row.number, "bold"), "（不新建工单）。"))
        else:
            body.append(f"该来电人有 {len(rows)} 张未办结的办理单，请选择本次来电催办哪一张（不新建工单）。")
        if text:
            body.append("\n本次所述将作为补充说明记入该工单：\n")
            body.append_text(caller_text(text))
        if len(rows) == 1:

            def confirmed(ok: bool | None) -> None:
                if ok:
                    self._link(rows[0], text)

            self.app.push_screen(ConfirmScreen("催办", body), confirmed)
            return
        tax = self.ctx.rules.taxonomy
        tz = self.ctx.rules.policy.tz
        options = [
            (
                r.id,
                f"{r.number}  {r.registered_at.astimezone(tz):%Y-%m-%d}  "
                f"{tax.matters[r.matter].name if r.matter in tax.matters else r.matter}  {r.status_name}  [{r.source}]",
            )
            for r in rows
        ]
        by_id = {r.id: r for r in rows}

        def chosen(ticket_id: str | None) -> None:
            if ticket_id in by_id:
                self._link(by_id[ticket_id], text)

        self.app.push_screen(LinkChooserScreen("催办：选择办理单", body, options), chosen)

    @work(thread=True, exclusive=True, group="save")
    def _link(self, row: HistoryRow, text: str) -> None:
        from ...desk import new_id
        from ...lookup import CentreLookup

        now = self.ctx.now()
        try:
            # The caller's words go on the ticket as a note right after the link (R13.1).
            lookup = CentreLookup.of(self.ctx.store, self.ctx.sync, self.ctx.offline)
            ticket = lookup.ensure_local(row.number, self.ctx.rules, now, purpose="催办")
            t = self.ctx.desk.record(ticket.id, "link_call", {"call_id": self.call_id or new_id(now)}, now)
            if text:
                t = self.ctx.desk.record(ticket.id, "add_note", {"text": text}, now)
            for r in self.pending_referrals:
                t = self.ctx.desk.record(ticket.id, "referral", r, now)
            with self.ctx.store.transaction() as db:
                drafts.clear(db)
        except RuleViolation as exc:
            self.post_message(self.Failed(f"{exc.rule}：{exc.message}"))
            return
        except HotlineError as exc:  # not found, the server away or refusing: said, not raised
            # Loaded when an error is shown: the first frame stays as measured.
            from ..notices import notice

            said = notice(exc, f"取得办理单 {row.number}").message
            self.post_message(self.Failed(f"{said}（可稍后重试，或新建办理单）"))
            return
        from ...domain.phrases import fill

        phrase = fill(self.ctx.rules.phrases.templates["link_call"], {"number": spaced_number(t.number)})
        self.post_message(self.Saved(t, phrase))

    # --- emergencies (R20.3) ---------------------------------------------------------------

    def action_referral(self) -> None:
        from ..widgets.referral_dialog import ReferralDialog

        banner = cast("EmergencyBanner", self.query_one("#banner"))
        targets = list(banner.targets) if hasattr(banner, "targets") else []
        call_id = self._referral_call()  # issue 19: a live call may be transferred with it
        dialog = ReferralDialog(targets, phone=call_id is not None)

        def recorded(result: ReferralInput | None) -> None:
            if result is None:
                return
            payload = {"target": result.target, "outcome": result.outcome, "reason": result.reason}
            if dialog.transfer and call_id is not None:
                self._transfer_then_record(payload, call_id, dialog.transfer)
            else:
                self._keep_referral(payload)
            banner.settle(result.target)  # the others it named stay up until each has one

        self.app.push_screen(dialog, recorded)

    @work(group="referral-transfer")
    async def _transfer_then_record(self, payload: dict[str, Any], call_id: str, mode: str) -> None:
        result = await self._referral_transfer(call_id, payload["target"], mode)
        self._keep_referral({**payload, "transfer_mode": mode, "transfer_result": result, "call_id": call_id})

    def _keep_referral(self, payload: dict[str, Any]) -> None:
        if self.saved_ticket is not None:
            self._record_referral(self.saved_ticket.id, payload)
        else:
            self.pending_referrals.append(payload)
            self._schedule_autosave()
            self.notify(f"已记录转介 {payload['target']}，将随办理单保存", markup=False)

    @work(thread=True, group="save")
    def _record_referral(self, ticket_id: str, payload: dict[str, Any]) -> None:
        try:
            t = self.ctx.desk.record(ticket_id, "referral", payload, self.ctx.now())
        except RuleViolation as exc:
            self.post_message(self.Failed(f"{exc.rule}：{exc.message}"))
            return
        self.saved_ticket = t
        self.app.call_from_thread(self.notify, f"转介 {payload['target']} 已记入 {t.number}", markup=False)
