"""Field checks for what a person types (R19.1): every error names the field and what to fix.

Used by the CLI, the seat's form (inline) and the workflow's `register`, so the three agree.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .text import clean_text

if TYPE_CHECKING:  # `hotline seat --caller` checks the number before its first frame, taxonomy-free
    from .taxonomy import Taxonomy

MAX_DESCRIPTION = 4000
MAX_SHORT = 200

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
# Landlines: area code 0 + 2–3 digits, then 7–8 digits; Anshan is 0412. Local numbers alone
# (7–8 digits) are accepted as Anshan numbers. 400/800 service numbers for companies.
_LANDLINE = re.compile(r"^0\d{2,3}\d{7,8}$")
_LOCAL = re.compile(r"^[2-9]\d{6,7}$")
_SERVICE = re.compile(r"^[48]00\d{7}$")


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str  # Simplified Chinese, says what to fix

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


def normalise_phone(raw: str) -> str | None:
    """Digits of a PRC phone number, without +86/0086 and separators; None if it is not one."""
    s = re.sub(r"[\s\-()（）]", "", raw or "")
    if s.startswith("+86"):
        s = s[3:]
    elif s.startswith("0086"):
        s = s[4:]
    if not s.isdigit():
        return None
    if _MOBILE.match(s) or _LANDLINE.match(s) or _SERVICE.match(s):
        return s
    if _LOCAL.match(s):
        return "0412" + s
    return None


def _text(data: Mapping[str, Any], key: str, errors: list[FieldError], label: str, limit: int = MAX_SHORT) -> str:
    value = data.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        errors.append(FieldError(key, f"请填写{label}"))
        return ""
    if not isinstance(value, str):
        errors.append(FieldError(key, f"{label}应为文字"))
        return ""
    value = clean_text(value).strip()
    if len(value) > limit:
        errors.append(FieldError(key, f"{label}过长（最多{limit}字，现有{len(value)}字）"))
    return value


def _choice(data: Mapping[str, Any], key: str, choices: Mapping[Any, Any], errors: list[FieldError], label: str) -> Any:
    value = data.get(key)
    if value in (None, ""):
        errors.append(FieldError(key, f"请选择{label}"))
        return None
    if value not in choices:
        errors.append(FieldError(key, f"{label}“{value}”不在列表中，请从列表中选择"))
        return None
    return value


def validate_intake(data: Mapping[str, Any], taxonomy: Taxonomy) -> tuple[dict[str, Any], list[FieldError]]:
    """Check and normalise an intake form (the `register` payload without its number).

    Returns the cleaned payload and the list of errors (empty when the ticket may be saved).
    """
    errors: list[FieldError] = []
    appellant = data.get("appellant")
    who: Mapping[str, Any] = appellant if isinstance(appellant, Mapping) else data
    name = _text(who, "name", errors, "诉求人姓名（可记为“张先生”“匿名”）")
    raw_phone = who.get("phone")
    phone = normalise_phone(raw_phone) if isinstance(raw_phone, str) else None
    if not raw_phone:
        errors.append(FieldError("phone", "请填写联系电话"))
    elif phone is None:
        errors.append(
            FieldError(
                "phone", f"电话号码“{clean_text(str(raw_phone))}”格式不对：手机为11位（1开头），座机如0412-1234567"
            )
        )
    address = _text(who, "address", errors, "现住所（不愿透露可记“不愿透露”）")
    kind = _choice({"kind": who.get("kind") or "person"}, "kind", taxonomy.appellant_kinds, errors, "诉求人类别")
    vulnerable = who.get("vulnerable") or []
    if isinstance(vulnerable, str):
        vulnerable = [v for v in re.split(r"[,，\s]+", vulnerable) if v]
    bad = [v for v in vulnerable if v not in taxonomy.vulnerable_groups]
    if bad:
        errors.append(
            FieldError(
                "vulnerable", f"援助对象“{'、'.join(map(str, bad))}”不在列表中：{'、'.join(taxonomy.vulnerable_groups)}"
            )
        )

    appeal_type = _choice(data, "appeal_type", taxonomy.appeal_types, errors, "诉求类型")
    scope = data.get("scope")
    if isinstance(scope, str) and scope.isdigit():
        scope = int(scope)
    matter = _choice(data, "matter", taxonomy.matters, errors, "事项分类")
    if scope in (None, "") and matter:
        scope = taxonomy.matters[matter].scope
    scope = _choice({"scope": scope}, "scope", taxonomy.scopes, errors, "受理范围")
    place = _choice(data, "place", taxonomy.places, errors, "发生地点（区县/街道）")
    description = _text(data, "description", errors, "诉求内容", MAX_DESCRIPTION)
    channel = _choice(
        {"channel": data.get("channel") or "hotline_8890"}, "channel", taxonomy.channels, errors, "来源渠道"
    )

    cleaned = {
        "appellant": {
            "name": name,
            "phone": phone or "",
            "address": address,
            "kind": kind,
            "vulnerable": sorted(set(vulnerable) - set(bad)),
        },
        "appeal_type": appeal_type,
        "scope": scope,
        "matter": matter,
        "place": place,
        "description": description,
        "channel": channel,
    }
    if data.get("call_id"):
        cleaned["call_id"] = str(data["call_id"])
    return cleaned, errors
