"""The ticket form (R18.1), in the order a call goes: who → where → what → which kind → who handles.

The form only holds and shows values; the screen validates (through the domain) and saves.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Checkbox, Input, Label, TextArea

from ...domain.taxonomy import Taxonomy
from ...domain.text import clean_text
from ..safe import caller_text
from .picker import Choice, PickerField

if TYPE_CHECKING:
    from ...domain.validation import FieldError

TEXT_INPUTS = ("name", "phone", "address")
# Enter (in a text field) or a pick (in a list field) moves on in the order a call goes, skipping
# the rarely used kind/vulnerable row, which Tab still reaches.
NEXT_FIELD = {"name": "phone", "phone": "address", "address": "place", "place": "description",
              "appeal_type": "matter"}
AREAS = ("description", "answer")


def choices(taxonomy: Taxonomy) -> dict[str, list[Choice]]:
    places = []
    for p in taxonomy.places.values():
        parent = taxonomy.places.get(p.parent) if p.parent else None
        places.append(Choice(p.code, (parent.name if parent else "") + p.name))
    units = [Choice(u.code, u.name) for u in taxonomy.units.values()]
    return {
        "kind": [Choice(c, i.name) for c, i in taxonomy.appellant_kinds.items()],
        "place": places,
        "appeal_type": [Choice(c, i.name) for c, i in taxonomy.appeal_types.items()],
        "matter": [Choice(c, m.name, taxonomy.scopes[m.scope].name) for c, m in taxonomy.matters.items()],
        "scope": [Choice(str(c), f"({c}) {s.name}") for c, s in taxonomy.scopes.items()],
        "channel": [Choice(c, i.name) for c, i in taxonomy.channels.items()],
        "lead_unit": units,
        "co_units": units,
    }


# The defaults of the fields in the form's tail (sections 4–6), for `data()` before it is mounted.
TAIL_DEFAULTS: dict[str, Any] = {"appeal_type": None, "matter": None, "scope": None, "channel": "hotline_8890",
                                 "lead_unit": None, "co_units": (), "answer": ""}


class FormTail(Vertical):
    """Sections 4–6 of the form: kind of appeal, handling units, answer. Apart from the head so
    that a seat started from the command line can paint the head (who, where, what: the first
    things a caller says) in its first frame and mount this right after."""

    DEFAULT_CSS = "FormTail { height: auto; }"

    def __init__(self, choices: dict[str, list[Choice]]) -> None:
        super().__init__(id="form-tail")
        self._choices = choices

    def compose(self) -> ComposeResult:
        c = self._choices
        yield Label(Text("四、分类", style="bold"), classes="section")
        with Horizontal(classes="row"):
            yield PickerField("诉求类型", c["appeal_type"], id="appeal_type")
            yield PickerField("事项分类", c["matter"], id="matter")
        with Horizontal(classes="row"):
            yield PickerField("受理范围", c["scope"], id="scope")
            yield PickerField("来源渠道", c["channel"], id="channel")
        yield Label(Text("五、承办单位（属事＋属地，可修改）", style="bold"), classes="section")
        yield PickerField("主办单位", c["lead_unit"], id="lead_unit")
        yield PickerField("协办单位", c["co_units"], multi=True, id="co_units")
        yield Label(Text("六、答复内容（当场答复时填写；Ctrl+A 采用知识库标准答复）", style="bold"), classes="section")
        yield TextArea(id="answer", soft_wrap=True, show_line_numbers=False)
        yield Label("", id="form-errors")


class TicketForm(VerticalScroll):
    """Every R18.1 field the operator types at intake.

    With `head_only`, only sections 1–3 are composed; `mount_tail()` adds the rest. Until then
    `load()` keeps the tail's values and `data()` returns them (or the defaults), so the screen can
    use the form the same way before and after."""

    class Changed(Message):
        """A field changed (`field` is its id); the screen autosaves, triages, searches."""

        def __init__(self, field: str) -> None:
            super().__init__()
            self.field = field

    def __init__(self, taxonomy: Taxonomy, *, head_only: bool = False, id: str | None = None) -> None:
        super().__init__(id=id)
        self.taxonomy = taxonomy
        self._choices = choices(taxonomy)
        self._loading = False
        self._has_tail = not head_only
        self._tail_values: dict[str, Any] = dict(TAIL_DEFAULTS)  # what the tail holds until it is mounted

    def compose(self) -> ComposeResult:
        c = self._choices
        yield Label(Text("一、诉求人", style="bold"), classes="section")
        with Horizontal(classes="row"):
            yield Label("姓名", classes="field-label")
            yield Input(placeholder="可记“张先生”“匿名”", id="name", max_length=200, compact=True)
            yield Label("电话", classes="field-label")
            yield Input(placeholder="手机或座机", id="phone", max_length=30, compact=True)
        with Horizontal(classes="row"):
            yield Label("住址", classes="field-label")
            yield Input(placeholder="现住所（不愿透露可记“不愿透露”）", id="address", max_length=200, compact=True)
            yield PickerField("类别", c["kind"], id="kind")
        with Horizontal(classes="row", id="vulnerable"):
            yield Label("援助对象", classes="field-label")
            for code, item in self.taxonomy.vulnerable_groups.items():
                yield Checkbox(item.name, id=f"vulnerable-{code}", compact=True)
        yield Label(Text("二、发生地点", style="bold"), classes="section")
        yield PickerField("区县/街道", c["place"], id="place")
        yield Label(Text("三、诉求内容", style="bold"), classes="section")
        yield TextArea(id="description", soft_wrap=True, show_line_numbers=False, placeholder="记录来电人所述（时间、地点、事情经过、诉求）")
        if self._has_tail:
            yield FormTail(self._choices)

    def on_mount(self) -> None:
        self.query_one("#kind", PickerField).set_value("person", notify=False)
        if self._has_tail:
            self._loading = True
            self._load_tail(self._tail_values)
            self.call_after_refresh(self._done_loading)

    @property
    def complete(self) -> bool:
        """Every field is mounted."""
        return self._has_tail

    async def mount_tail(self) -> None:
        """Mount sections 4–6 (once), holding the values `load()` gave them meanwhile."""
        if self._has_tail:
            return
        self._has_tail = True
        await self.mount(FormTail(self._choices))
        self._loading = True
        try:
            self._load_tail(self._tail_values)
        finally:
            self.call_after_refresh(self._done_loading)

    # --- reading and writing -------------------------------------------------------------

    def data(self) -> dict[str, Any]:
        """The form as the intake payload plus the dispatch fields."""
        q = self.query_one
        tail = self._tail_data()
        scope = tail["scope"]
        return {
            "appellant": {
                "name": q("#name", Input).value, "phone": q("#phone", Input).value,
                "address": q("#address", Input).value, "kind": q("#kind", PickerField).value,
                "vulnerable": [code for code in self.taxonomy.vulnerable_groups if q(f"#vulnerable-{code}", Checkbox).value],
            },
            "place": q("#place", PickerField).value,
            "description": q("#description", TextArea).text,
            "appeal_type": tail["appeal_type"],
            "matter": tail["matter"],
            "scope": int(scope) if scope else None,
            "channel": tail["channel"],
            "lead_unit": tail["lead_unit"],
            "co_units": list(tail["co_units"]),
            "answer": tail["answer"],
        }

    def _tail_data(self) -> dict[str, Any]:
        if not self._has_tail:
            return self._tail_values
        q = self.query_one
        values = {f: q(f"#{f}", PickerField).value for f in ("appeal_type", "matter", "scope", "channel", "lead_unit")}
        return {**values, "co_units": q("#co_units", PickerField).values, "answer": q("#answer", TextArea).text}

    def load(self, data: dict[str, Any]) -> None:
        """Fill the form (a restored draft, or a cleared one), without raising Changed."""
        self._loading = True
        try:
            q = self.query_one
            who = data.get("appellant") or {}
            for f in TEXT_INPUTS:
                q(f"#{f}", Input).value = clean_text(str(who.get(f) or ""))
            q("#kind", PickerField).set_value(who.get("kind") or "person", notify=False)
            for code in self.taxonomy.vulnerable_groups:
                q(f"#vulnerable-{code}", Checkbox).value = code in (who.get("vulnerable") or [])
            q("#place", PickerField).set_value(data.get("place") or None, notify=False)
            q("#description", TextArea).load_text(clean_text(str(data.get("description") or "")))
            scope = data.get("scope")
            self._tail_values = {
                **{f: data.get(f) or None for f in ("appeal_type", "matter", "lead_unit")},
                "scope": str(scope) if scope else None,
                "channel": data.get("channel") or "hotline_8890",
                "co_units": tuple(data.get("co_units") or ()),
                "answer": clean_text(str(data.get("answer") or "")),
            }
            if self._has_tail:
                self._load_tail(self._tail_values)
            self.show_errors([])
        finally:
            self.call_after_refresh(self._done_loading)

    def _load_tail(self, values: dict[str, Any]) -> None:
        q = self.query_one
        for f in ("appeal_type", "matter", "scope", "channel", "lead_unit"):
            q(f"#{f}", PickerField).set_value(values[f], notify=False)
        q("#co_units", PickerField).set_values(tuple(values["co_units"]), notify=False)
        q("#answer", TextArea).load_text(values["answer"])

    def _done_loading(self) -> None:
        self._loading = False

    def set_units(self, lead: str | None, co: tuple[str, ...]) -> None:
        if not self._has_tail:
            self._tail_values.update(lead_unit=lead, co_units=tuple(co))
            return
        self.query_one("#lead_unit", PickerField).set_value(lead, notify=False)
        self.query_one("#co_units", PickerField).set_values(co, notify=False)

    def set_answer(self, text: str) -> None:
        if not self._has_tail:
            self._tail_values["answer"] = clean_text(text)
        else:
            self.query_one("#answer", TextArea).load_text(clean_text(text))
        self.post_message(self.Changed("answer"))

    def show_errors(self, errors: list[FieldError]) -> None:
        for w in self.query(".invalid"):
            w.remove_class("invalid")
        if not self._has_tail:  # the error list is at the end of the tail
            return
        label = self.query_one("#form-errors", Label)
        if not errors:
            label.update("")
            label.display = False
            return
        label.display = True
        text = Text("请修正：\n", style="bold red", end="")
        for e in errors:
            text.append_text(caller_text(f"· {e.message}\n", "red"))
        label.update(text)
        for e in errors:
            for w in self.query(f"#{e.field}"):
                w.add_class("invalid")

    def focus_field(self, field: str) -> None:
        for w in self.query(f"#{field}"):
            w.focus()
            return

    # --- change tracking -----------------------------------------------------------------

    def _changed(self, field: str) -> None:
        if not self._loading:
            self.post_message(self.Changed(field))

    @on(Input.Changed)
    def _input_changed(self, event: Input.Changed) -> None:
        clean = clean_text(event.value)
        if clean != event.value:  # pasted escapes or controls never stay in the form
            event.input.value = clean
            return
        self._changed(event.input.id or "")

    @on(TextArea.Changed)
    def _area_changed(self, event: TextArea.Changed) -> None:
        text = event.text_area.text
        clean = clean_text(text.replace("\r", ""))
        if clean != text.replace("\r", "") or "\r" in text:
            event.text_area.load_text(clean)
            return
        self._changed(event.text_area.id or "")

    @on(PickerField.Changed)
    def _picker_changed(self, event: PickerField.Changed) -> None:
        self._changed(event.field.id or "")

    @on(PickerField.Picked)
    def _picked(self, event: PickerField.Picked) -> None:
        if event.field.id in NEXT_FIELD:
            self.call_after_refresh(self.focus_field, NEXT_FIELD[event.field.id])

    @on(Input.Submitted)
    def _input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id in NEXT_FIELD:
            event.stop()
            self.focus_field(NEXT_FIELD[event.input.id])

    @on(Checkbox.Changed)
    def _checkbox_changed(self, event: Checkbox.Changed) -> None:
        self._changed("vulnerable")
