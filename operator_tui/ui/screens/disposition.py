"""What a disposition will do, stated before it is done."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rich.text import Text

from ..safe import caller_text

if TYPE_CHECKING:
    from ...domain.taxonomy import Taxonomy


@dataclass
class Disposition:
    kind: str
    title: str
    form: dict[str, Any]
    events: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


def describe(d: Disposition, taxonomy: Taxonomy) -> Text:
    """The confirmation text: the caller, the matter, and exactly what will happen."""
    f = d.form
    matter = taxonomy.matters.get(f.get("matter") or "")
    text = Text(end="")
    text.append("来电人：")
    text.append_text(caller_text(f"{f['appellant']['name']}  {f['appellant']['phone']}"))
    text.append(f"\n事项：{matter.name if matter else '-'}\n\n")
    payloads = dict(d.events)
    if d.kind == "answer_on_spot":
        text.append("将当场答复并办结（R20.1），答复内容：\n", style="bold")
        text.append_text(caller_text(payloads["answer_on_spot"]["answer"]))
    elif d.kind == "dispatch":
        dispatch = payloads["dispatch"]
        lead = taxonomy.units[dispatch["lead_unit"]].name
        co = [taxonomy.units[u].name for u in dispatch["co_units"]]
        text.append("将受理并转办（R20.2），承办单位按期办理（R22.1）：\n", style="bold")
        text.append(f"主办：{lead}\n")
        text.append(f"协办：{'、'.join(co) if co else '无'}\n")
        scope = f.get("scope") or (matter.scope if matter else None)
        if (
            scope
            and taxonomy.is_petition(scope)
            and taxonomy.petition_unit not in [dispatch["lead_unit"], *dispatch["co_units"]]
        ):
            text.append(f"信访事项，同时转{taxonomy.units[taxonomy.petition_unit].name}督办（R20.4）\n", style="yellow")
    elif d.kind == "refuse":
        text.append("将不予受理（R20.2），理由：\n", style="bold")
        text.append_text(caller_text(payloads["refuse"]["reason"]))
    elif d.kind == "advise_channel":
        text.append("将告知来电人办理途径并结束本单（R20.5/R20.6），告知内容：\n", style="bold")
        text.append_text(caller_text(payloads["advise_channel"]["text"]))
    return text
