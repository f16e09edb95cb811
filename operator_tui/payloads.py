"""What each event kind may carry: one strict schema per kind, checked where events enter the server.

`EventIn.payload` used to be any JSON object. Whatever a client put in it was stored and served in
every change feed: a 4 MB key bloated each page, a phone number under a key the masking does not
know reached a unit unmasked (R26.1), and a lone surrogate or 300 levels of nesting broke the
encoder deep in the stack (a 500, which the seat retries for ever). Here every kind lists its keys
with their JSON types and sizes; anything else is refused at the edge with a 422 that names the
event, the kind and the key (issue 11).

Shape and size only. What the values mean (a known unit, a rating of 1–5, a reason the rule
accepts) is judged by the rules (`domain/effects.py`, `domain/validation.py`), which name the rule
when they refuse. The keys below are the ones effects.py reads, plus the ones the project's own
clients send (desk.py, the screens, the CLI, scripts/simulate_units.py); the sizes are those of the
intake form (validation.MAX_SHORT, MAX_DESCRIPTION) so the edge and the rules agree.

This is wire validation, not a rule: it lives beside `contract.py`, outside `domain/`.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from .domain.errors import BadInput
from .domain.validation import MAX_DESCRIPTION, MAX_SHORT

MAX_TEXT = MAX_DESCRIPTION  # free text: an answer, a result, a reason, a note
MAX_LIST = 20  # units of a dispatch, vulnerable-group flags

Text = Annotated[str, StringConstraints(max_length=MAX_TEXT)]
ShortText = Annotated[str, StringConstraints(max_length=MAX_SHORT)]
Code = Annotated[str, StringConstraints(max_length=100)]  # a taxonomy code; checked by the rules
UnitCode = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.\-]{1,64}$")]
Stamp = Annotated[str, StringConstraints(max_length=40)]  # an ISO date-time; parsed by the rules
Ident = Annotated[str, StringConstraints(max_length=64)]  # a ULID or a call id


class Schema(BaseModel):
    """Exact JSON types (strict: no "5" for 5), no key the kind does not know."""

    model_config = ConfigDict(extra="forbid", strict=True)


class UnitSchema(Schema):
    """Any kind after intake may name the unit acting: the action API sets it from a unit's token."""

    unit: UnitCode | None = None


# --- intake -----------------------------------------------------------------------------------


class Appellant(Schema):
    name: ShortText
    phone: Annotated[str, StringConstraints(max_length=30)]
    address: ShortText
    kind: Code | None = None
    vulnerable: list[Code] = Field(default_factory=list, max_length=MAX_LIST)


class ExternalRef(Schema):
    """R5.1, R28.2: a reference number from another platform or channel."""

    source: Code
    number: Annotated[str, StringConstraints(max_length=64)]


class RespondentIn(Schema):
    """R26.2 (R11.1): a party complained about or reported."""

    kind: Code
    unit: UnitCode | None = None
    staff: Annotated[str, StringConstraints(max_length=64)] | None = None
    name: ShortText = ""


class Register(Schema):
    """The intake form as the seat cleaned it (validation.validate_intake), its number and call;
    the submission time of a written appeal (R20.7), the level and references it arrived with
    (R5.1, R28.2), the parties complained about (R26.2, R11.1) and a secrecy mark (R33.2)."""

    appellant: Appellant
    appeal_type: Code | None = None
    scope: int | Annotated[str, StringConstraints(max_length=4)] | None = None
    matter: Code | None = None
    place: Code | None = None
    description: Text
    channel: Code | None = None
    call_id: Ident | None = None
    number: Annotated[str, StringConstraints(pattern=r"^[0-9]{1,20}$")]
    submitted_at: Stamp | None = None
    level: Code | None = None
    workstation: Code | None = None
    external_refs: list[ExternalRef] = Field(default_factory=list, max_length=MAX_LIST)
    respondents: list[RespondentIn] = Field(default_factory=list, max_length=MAX_LIST)
    secrecy: list[Code] = Field(default_factory=list, max_length=MAX_LIST)


# --- dispositions and workflow ----------------------------------------------------------------


class Empty(UnitSchema):
    pass


class AnswerOnSpot(UnitSchema):
    answer: Text
    kb_article: Ident | None = None


class Reason(UnitSchema):
    reason: Text


class AdviseChannel(UnitSchema):
    channel: Code
    text: Text


class Units(UnitSchema):
    lead_unit: UnitCode
    co_units: list[UnitCode] = Field(default_factory=list, max_length=MAX_LIST)


class RequestExtension(UnitSchema):
    reason: Text
    progress: Text
    measures: Text
    new_due: Stamp


class ApproveExtension(UnitSchema):
    due: Stamp | None = None
    told_appellant: bool | None = None  # R22.2: the appellant was told with the decision


class DenyExtension(UnitSchema):
    reason: Text
    told_appellant: bool | None = None


class TellExtension(UnitSchema):
    note: Text = ""


class RecusalRequest(UnitSchema):
    reason: Text
    related_to: ShortText | None = None  # R26.2: the recorded party the person is related to
    staff: Annotated[str, StringConstraints(max_length=64)] | None = None


class SetLevel(UnitSchema):
    level: Code
    workstation: Code | None = None


class AddReference(UnitSchema):
    source: Code
    number: Annotated[str, StringConstraints(max_length=64)]


class SetRespondents(UnitSchema):
    respondents: list[RespondentIn] = Field(max_length=MAX_LIST)


class MarkSecret(UnitSchema):
    secrecy: list[Code] = Field(max_length=MAX_LIST)
    reason: Text


class Respond(UnitSchema):
    result: Text
    told_appellant: bool


class Stars(Schema):
    timeliness: int
    result: int
    attitude: int
    overall: int


class Rating(UnitSchema):
    ratings: Stars
    words: Text = ""
    note: Text = ""


class CallbackFailed(UnitSchema):
    retry_at: Stamp | None = None
    note: Text = ""


class Note(UnitSchema):
    note: Text


class Supervise(UnitSchema):
    ground: int
    note: Text = ""


class RecusalDecision(UnitSchema):
    granted: bool
    reply: Text


class Referral(UnitSchema):
    target: Code
    outcome: Code
    reason: Text = ""
    transfer_mode: Code | None = None  # issue 19: blind | three_way, the phone transfer made with it
    transfer_result: Code | None = None  # done | failed | offline
    call_id: Ident | None = None


class CallTransferIn(Schema):
    at: Stamp
    target: Annotated[str, StringConstraints(pattern=r"^[0-9+*#]{1,32}$")]
    mode: Code


class CallRecordIn(Schema):
    """R11.1: the phone system's record of a call (operator_tui.cti.CallRecord without the caller's
    number, which is on the appellant where the masking knows it)."""

    call_id: Ident
    queue: Annotated[str, StringConstraints(max_length=64)] | None = None
    agent: Annotated[str, StringConstraints(max_length=64)] | None = None
    direction: Code = "inbound"
    ring_at: Stamp | None = None
    answer_at: Stamp | None = None
    holds: list[Annotated[list[Stamp | None], Field(min_length=2, max_length=2)]] = Field(
        default_factory=list, max_length=50
    )
    transfers: list[CallTransferIn] = Field(default_factory=list, max_length=MAX_LIST)
    hangup_at: Stamp | None = None
    hangup_cause: Code | None = None
    recordings: list[Annotated[str, StringConstraints(max_length=512)]] = Field(
        default_factory=list, max_length=MAX_LIST
    )


class LinkCall(UnitSchema):
    call_id: Ident
    text: Text = ""  # the caller's words on a 催办, when the seat puts them on the link itself


class DemandExplanation(UnitSchema):
    reason: Code
    text: Text = ""


class AnswerExplanation(UnitSchema):
    demand_id: Ident
    answer: Text


class CreditMark(UnitSchema):
    kind: Code
    evidence: Text


class AddNote(UnitSchema):
    text: Text


SCHEMAS: dict[str, type[Schema]] = {
    "register": Register,
    "answer_on_spot": AnswerOnSpot,
    "accept": Empty,
    "refuse": Reason,
    "advise_channel": AdviseChannel,
    "dispatch": Units,
    "receive": Empty,
    "return_to_centre": Reason,
    "request_extension": RequestExtension,
    "approve_extension": ApproveExtension,
    "deny_extension": DenyExtension,
    "respond": Respond,
    "review_pass": Empty,
    "review_return": Reason,
    "callback": Rating,
    "callback_failed": CallbackFailed,
    "dispute_rating": Reason,
    "rerate": Rating,
    "confirm_rating": Empty,
    "archive": Empty,
    "set_units": Units,
    "escalate": Note,
    "supervise": Supervise,
    "recusal_request": RecusalRequest,
    "recusal_decision": RecusalDecision,
    "referral": Referral,
    "link_call": LinkCall,
    "call_record": CallRecordIn,
    "demand_explanation": DemandExplanation,
    "answer_explanation": AnswerExplanation,
    "credit_mark": CreditMark,
    "add_note": AddNote,
    "tell_extension": TellExtension,
    "set_level": SetLevel,
    "add_reference": AddReference,
    "set_respondents": SetRespondents,
    "mark_secret": MarkSecret,
}


class PayloadInvalid(BadInput, ValueError):
    """The payload does not fit its kind; the message names the kind and the key, never a value
    (a value may be a caller's words or number)."""


def _key(loc: tuple[Any, ...]) -> str:
    # A key a client made up may itself be anything, a phone number included: cut it short.
    return ".".join(str(x)[:40] for x in loc) or "payload"


def _allowed(schema: type[BaseModel], loc: tuple[Any, ...]) -> str:
    """The keys allowed where an unknown key `loc` was found (top level or a nested object)."""
    model: Any = schema
    for part in loc[:-1]:
        field = model.model_fields.get(str(part)) if isinstance(model, type) and issubclass(model, BaseModel) else None
        model = field.annotation if field is not None else None
    if isinstance(model, type) and issubclass(model, BaseModel):
        return ", ".join(model.model_fields)
    return ""


def check(kind: str, payload: Any) -> None:
    """Raise PayloadInvalid unless `payload` fits the schema of `kind`."""
    schema = SCHEMAS.get(kind)
    if schema is None:
        raise PayloadInvalid(f"unknown event kind '{kind[:40]}' (known: {', '.join(SCHEMAS)})")
    try:
        schema.model_validate(payload)
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_input=False)
        # An unknown key first: it is the likeliest mistake, and the one the masking cannot see.
        errors.sort(key=lambda e: e.get("type") != "extra_forbidden")
        problems = [_problem(kind, schema, e) for e in errors]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise PayloadInvalid(problems[0] + more) from None


def _problem(kind: str, schema: type[Schema], e: Any) -> str:
    loc = tuple(e.get("loc", ()))
    kind_ = e.get("type")
    if kind_ == "extra_forbidden":
        allowed = _allowed(schema, loc)
        return f"payload key '{_key(loc)}' is not allowed for {kind}" + (f" (allowed: {allowed})" if allowed else "")
    if kind_ == "missing":
        return f"payload key '{_key(loc)}' is required for {kind}"
    if kind_ == "string_unicode":
        return f"payload key '{_key(loc)}' of {kind} is not valid Unicode text (e.g. a lone surrogate such as \\ud800)"
    return f"payload key '{_key(loc)}' of {kind}: {e.get('msg', 'invalid')}"
