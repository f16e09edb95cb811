"""The ticket form's tail: everything after the caller's name, number and address.

Kept apart from `ticket_form` (the head) so that the seat's first frame imports and mounts only the
head: a seat started from the command line paints the fields a call starts with, then mounts this
(and with it the list pickers, the checkboxes and the text areas) right after.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Checkbox, Label, TextArea

from ...domain.taxonomy import Taxonomy
from ..key_hold import HandsOnKeys
from .picker import Choice, PickerField


class FormTextArea(HandsOnKeys, TextArea):
    """The description and the answer: Tab moves on at once, keys typed after it follow it (issue 14)."""


PICKERS = ("kind", "place", "appeal_type", "matter", "scope", "channel", "lead_unit")
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


def tail_widgets(taxonomy: Taxonomy) -> tuple[PickerField, FormTail]:
    """The appellant's kind (R2.2), which sits on the head's address row, and the rest of the form."""
    c = choices(taxonomy)
    return PickerField("类别", c["kind"], id="kind"), FormTail(taxonomy, c)


class FormTail(Vertical):
    """Vulnerable groups, place, description, kind of appeal, handling units, answer."""

    DEFAULT_CSS = "FormTail { height: auto; }"

    def __init__(self, taxonomy: Taxonomy, choices: dict[str, list[Choice]]) -> None:
        super().__init__(id="form-tail")
        self.taxonomy = taxonomy
        self._choices = choices

    def compose(self) -> ComposeResult:
        c = self._choices
        with Horizontal(classes="row", id="vulnerable"):
            yield Label("援助对象", classes="field-label")
            for code, item in self.taxonomy.vulnerable_groups.items():
                yield Checkbox(item.name, id=f"vulnerable-{code}", compact=True)
        yield Label(Text("二、发生地点", style="bold"), classes="section")
        yield PickerField("区县/街道", c["place"], id="place")
        yield Label(Text("三、诉求内容", style="bold"), classes="section")
        yield FormTextArea(
            id="description",
            soft_wrap=True,
            show_line_numbers=False,
            placeholder="记录来电人所述（时间、地点、事情经过、诉求）",
        )
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
        yield FormTextArea(id="answer", soft_wrap=True, show_line_numbers=False)
        yield Label("", id="form-errors")


def tail_values(form) -> dict[str, Any]:
    """The tail's fields (with the kind picker in the head row) as they are on screen."""
    q = form.query_one
    values: dict[str, Any] = {f: q(f"#{f}", PickerField).value for f in PICKERS}
    values["vulnerable"] = tuple(
        code for code in form.taxonomy.vulnerable_groups if q(f"#vulnerable-{code}", Checkbox).value
    )
    values["co_units"] = q("#co_units", PickerField).values
    for f in AREAS:
        values[f] = q(f"#{f}", TextArea).text
    return values


def load_tail(form, values: dict[str, Any]) -> None:
    """Put `values` into the tail's fields, without raising their change messages."""
    q = form.query_one
    for f in PICKERS:
        q(f"#{f}", PickerField).set_value(values[f], notify=False)
    q("#co_units", PickerField).set_values(tuple(values["co_units"]), notify=False)
    for code in form.taxonomy.vulnerable_groups:
        q(f"#vulnerable-{code}", Checkbox).value = code in values["vulnerable"]
    for f in AREAS:
        q(f"#{f}", TextArea).load_text(values[f])
