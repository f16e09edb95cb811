"""The ticket form (R18.1), in the order a call goes: who → where → what → which kind → who handles.

The form only holds and shows values; the screen validates (through the domain) and saves. Its
head (name, phone, address) is this module; the rest is `form_tail`, which the form mounts with
itself, or after the first frame when started with `head_only` (see `IntakeScreen`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import Input, Label

from ...domain.errors import BrokenInvariant
from ..key_hold import HandsOnKeys
from ..safe import caller_text, clean_text
from .bounded_input import BoundedInput

if TYPE_CHECKING:
    from textual.widgets import TextArea

    from ...domain.taxonomy import Taxonomy
    from ...domain.validation import FieldError
    from .form_tail import FormTail
    from .picker import PickerField

TEXT_INPUTS = ("name", "phone", "address")
NAME_PLACEHOLDER = "可记“张先生”“匿名”"
# Enter (in a text field) or a pick (in a list field) moves on in the order a call goes, skipping
# the rarely used kind/vulnerable row, which Tab still reaches.
NEXT_FIELD = {"name": "phone", "phone": "address", "address": "place", "place": "description", "appeal_type": "matter"}
# What the tail (form_tail) holds before it is mounted: `data()` returns these until then. Here,
# not in form_tail, because `data()` runs before the first frame with `hotline seat --caller`.
TAIL_DEFAULTS: dict[str, Any] = {
    "kind": "person",
    "vulnerable": (),
    "place": None,
    "description": "",
    "appeal_type": None,
    "matter": None,
    "scope": None,
    "channel": "hotline_8890",
    "lead_unit": None,
    "co_units": (),
    "answer": "",
}


class FormInput(HandsOnKeys, BoundedInput):
    """A text field of the form. Enter moves on in call order at once (issue 14: at paste speed
    `13800001111⏎赵女士⏎` put the name into the phone field, the Enter being a binding handled
    after the keys behind it); see `HandsOnKeys`."""

    def hand_on_keys(self) -> dict[str, Any]:
        keys = super().hand_on_keys()
        form = next((a for a in self.ancestors if isinstance(a, TicketForm)), None)
        target = NEXT_FIELD.get(self.id or "")
        # Before the tail is mounted the form remembers where Enter goes; the keys stay here then.
        if form is not None and target and form.query(f"#{target}"):
            keys["enter"] = lambda: form.focus_field(target)
        return keys

    # A proposal from the caller's history (issue 13 part 4), shown as the placeholder and taken
    # only with → in the empty field: never filled in silently.
    suggestion = ""

    async def _on_key(self, event) -> None:
        if event.key == "right" and self.suggestion and not self.value and not self.disabled:
            event.stop()
            event.prevent_default()
            self.value = self.suggestion
            self.cursor_position = len(self.value)
            return
        await super()._on_key(event)


class TicketForm(VerticalScroll):
    """Every R18.1 field the operator types at intake.

    With `head_only`, only the name, phone and address are composed; `mount_tail()` adds the rest.
    Until then `load()` keeps the tail's values and `data()` returns them (or the defaults), so the
    screen uses the form the same way before and after."""

    class Changed(Message):
        """A field changed (`field` is its id); the screen autosaves, triages, searches."""

        def __init__(self, field: str) -> None:
            super().__init__()
            self.field = field

    def __init__(self, taxonomy: Taxonomy | None, *, head_only: bool = False, id: str | None = None) -> None:
        super().__init__(id=id)
        self.taxonomy = taxonomy
        self._loading = False
        self._has_tail = False
        self._with_tail = not head_only
        self._tail_values: dict[str, Any] = {}  # what the tail holds until it is mounted
        self._focus_on_tail: str | None = None  # a field asked for before the tail was mounted

    def compose(self) -> ComposeResult:
        yield Label(Text("一、诉求人", style="bold"), classes="section")
        with Horizontal(classes="row"):
            yield Label("姓名", classes="field-label")
            yield FormInput(placeholder=NAME_PLACEHOLDER, id="name", max_length=200, compact=True, label="姓名")
            yield Label("电话", classes="field-label")
            yield FormInput(placeholder="手机或座机", id="phone", max_length=30, compact=True, label="电话")
        kind, tail = self._tail_widgets() if self._with_tail else (None, None)
        with Horizontal(classes="row", id="address-row"):
            yield Label("住址", classes="field-label")
            yield FormInput(
                placeholder="现住所（不愿透露可记“不愿透露”）", id="address", max_length=200, compact=True, label="住址"
            )
            if kind is not None:
                yield kind
        if tail is not None:
            yield tail

    def _tail_widgets(self) -> tuple[PickerField, FormTail]:
        from .form_tail import tail_widgets

        if self.taxonomy is None:  # the tail is mounted only once the rules are loaded
            raise BrokenInvariant("the form's tail needs the taxonomy")
        return tail_widgets(self.taxonomy)

    def on_mount(self) -> None:
        if self._with_tail:
            self._has_tail = True
            self._apply_tail()

    @property
    def complete(self) -> bool:
        """Every field is mounted."""
        return self._has_tail

    async def mount_tail(self, taxonomy: Taxonomy | None = None) -> None:
        """Mount the rest of the form (once), holding the values `load()` gave it meanwhile.
        `taxonomy` is for a form made without one (its lists are in the tail)."""
        if self._has_tail or self._with_tail:
            return
        self.taxonomy = taxonomy or self.taxonomy
        self._with_tail = True
        kind, tail = self._tail_widgets()
        await self.query_one("#address-row").mount(kind)
        await self.mount(tail)
        self._has_tail = True
        self._apply_tail()
        if self._focus_on_tail:  # Enter pressed in 住址 while the seat was starting: move on now
            self.focus_field(self._focus_on_tail)
            self._focus_on_tail = None

    def _apply_tail(self) -> None:
        from .form_tail import load_tail

        for field, after in NEXT_FIELD.items():  # a pick moves on at once (issue 14: typed-ahead keys)
            for picker in self.query(f"#{field}"):
                if hasattr(picker, "after_pick"):
                    picker.after_pick = lambda after=after: self.focus_field(after)

        self._loading = True
        try:
            load_tail(self, {**TAIL_DEFAULTS, **self._tail_values})
        finally:
            self.call_after_refresh(self._done_loading)

    # --- reading and writing -------------------------------------------------------------

    def data(self) -> dict[str, Any]:
        """The form as the intake payload plus the dispatch fields."""
        q = self.query_one
        if self._has_tail:
            from .form_tail import tail_values

            tail = tail_values(self)
        else:
            tail = {**TAIL_DEFAULTS, **self._tail_values}
        scope = tail["scope"]
        return {
            "appellant": {
                "name": q("#name", Input).value,
                "phone": q("#phone", Input).value,
                "address": q("#address", Input).value,
                "kind": tail["kind"],
                "vulnerable": list(tail["vulnerable"]),
            },
            "place": tail["place"],
            "description": tail["description"],
            "appeal_type": tail["appeal_type"],
            "matter": tail["matter"],
            "scope": int(scope) if scope else None,
            "channel": tail["channel"],
            "lead_unit": tail["lead_unit"],
            "co_units": list(tail["co_units"]),
            "answer": tail["answer"],
        }

    def load(self, data: dict[str, Any]) -> None:
        """Fill the form (a restored draft, or a cleared one), without raising Changed."""
        self._loading = True
        try:
            who = data.get("appellant") or {}
            for f in TEXT_INPUTS:
                self.query_one(f"#{f}", Input).value = clean_text(str(who.get(f) or ""))
            scope = data.get("scope")
            self._tail_values = {
                **{f: data.get(f) or None for f in ("place", "appeal_type", "matter", "lead_unit")},
                "kind": who.get("kind") or "person",
                "vulnerable": tuple(who.get("vulnerable") or ()),
                "scope": str(scope) if scope else None,
                "channel": data.get("channel") or "hotline_8890",
                "co_units": tuple(data.get("co_units") or ()),
                "description": clean_text(str(data.get("description") or "")),
                "answer": clean_text(str(data.get("answer") or "")),
            }
            if self._has_tail:
                from .form_tail import load_tail

                load_tail(self, self._tail_values)
            self.show_errors([])
        finally:
            self.call_after_refresh(self._done_loading)

    def _done_loading(self) -> None:
        self._loading = False

    def suggest_name(self, name: str | None) -> None:
        """Propose the caller's name from their history in 姓名 (→ takes it); None withdraws it."""
        field = self.query_one("#name", FormInput)
        name = clean_text(name or "").strip()
        field.suggestion = name
        field.placeholder = f"建议：{name}（按 → 采用）" if name else NAME_PLACEHOLDER

    def set_units(self, lead: str | None, co: tuple[str, ...]) -> None:
        if not self._has_tail:
            self._tail_values.update(lead_unit=lead, co_units=tuple(co))
            return
        cast("PickerField", self.query_one("#lead_unit")).set_value(lead, notify=False)
        cast("PickerField", self.query_one("#co_units")).set_values(co, notify=False)

    def set_answer(self, text: str) -> None:
        if not self._has_tail:
            self._tail_values["answer"] = clean_text(text)
        else:
            cast("TextArea", self.query_one("#answer")).load_text(clean_text(text))
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

    def set_locked(self, locked: bool) -> None:
        """Saved: every field is read-only until the next call (a stray key went into the phone
        field of a saved ticket, issue 14). The seat's keys (F2, F9, F4) work without focus."""
        self.set_class(locked, "-locked")
        for w in self.query("Input, TextArea, PickerField, Checkbox"):
            w.disabled = locked

    @property
    def locked(self) -> bool:
        return self.has_class("-locked")

    def focus_field(self, field: str) -> None:
        for w in self.query(f"#{field}"):
            w.focus()
            return
        if not self._has_tail:
            self._focus_on_tail = field

    # --- change tracking -----------------------------------------------------------------
    # The tail's widgets (text areas, checkboxes, pickers) are handled by name, so this module
    # does not import them: their messages bubble up to here.

    def _changed(self, field: str) -> None:
        if not self._loading:
            self.post_message(self.Changed(field))

    @on(Input.Changed)
    def _input_changed(self, event: Input.Changed) -> None:
        # The field's value now, not the event's: at paste speed more keys may have gone in since
        # this change was posted, and writing back the event's (older) value would drop them.
        field = event.input
        value = field.value
        clean = clean_text(value)
        if clean != value:  # pasted escapes or controls never stay in the form
            # The cursor stays after what was typed: it moves left by what was dropped before it,
            # or the rest of a burst would land in the wrong place.
            cursor = len(clean_text(value[: field.cursor_position]))
            field.value = clean
            field.cursor_position = cursor
            return
        self._changed(field.id or "")

    def on_text_area_changed(self, event) -> None:
        area = event.text_area
        text = area.text
        clean = clean_text(text.replace("\r", ""))
        if clean != text.replace("\r", "") or "\r" in text:
            # load_text puts the cursor at the start: without moving it back after what was typed,
            # the rest of a burst holding an emoji modifier went in before the text (issue 14).
            row, column = area.cursor_location
            lines = text.split("\n")
            before = "\n".join(lines[:row] + [lines[row][:column] if row < len(lines) else ""])
            kept = clean_text(before.replace("\r", ""))
            area.load_text(clean)
            area.cursor_location = (kept.count("\n"), len(kept) - (kept.rfind("\n") + 1))
            return
        self._changed(area.id or "")

    def on_picker_field_changed(self, event) -> None:
        self._changed(event.field.id or "")

    @on(Input.Submitted)
    def _input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id in NEXT_FIELD:
            event.stop()
            self.focus_field(NEXT_FIELD[event.input.id])

    def on_checkbox_changed(self, event) -> None:
        self._changed("vulnerable")
