"""What the intake screen's mixins need from the screen they are mixed into (issue 18).

`IntakeScreen` is assembled from one mixin per idea (`CallActions`, `DeferredStart`,
`DraftAutosave`, `PhoneCalls`, `SeatTools`/`SeatSuggestions`). Each mixin reads the screen's call
state and calls a few of its siblings' methods; `IntakeNeeds` names exactly that, so a type checker
checks every mixin against it and the screen against all of them.

Type-checking only: the mixins derive from `IntakeHost` under `TYPE_CHECKING` and from `object` at
run time, so this module is never imported on the seat's path to its first frame.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from textual.app import ComposeResult
    from textual.message import Message
    from textual.screen import Screen

    from ...domain.model import Ticket
    from ..app import SeatApp
    from ..context import SeatBegin, SeatContext, StartContext
    from ..widgets.ticket_form import TicketForm
    from .intake import CallerInfo


class IntakeNeeds(Protocol):
    """The intake screen's own state and methods that its mixins use."""

    start: StartContext  # the first frame's: from the start
    ctx: SeatContext  # the complete one: set when `loaded` (code after start-up uses this)
    _begin: SeatBegin
    loaded: bool  # False until the deferred start-up is done
    call_id: str | None
    phone_call_id: str | None  # the switch's id of the call on the form (issue 19)
    call_started_at: datetime | None
    pending_referrals: list[dict[str, Any]]
    kb_article: str | None
    units_overridden: bool
    saved_ticket: Ticket | None
    caller: CallerInfo | None
    _caller_phone: str | None
    _pending_fields: list[str]

    @property
    def form(self) -> TicketForm: ...

    @property
    def seat_app(self) -> SeatApp: ...  # `app`, typed as the seat's (its sync status, start-up hooks)

    # The screen's messages, made by the mixins (`self.post_message(self.Saved(...))`).
    def Saved(self, ticket: Ticket, phrase: str) -> Message: ...  # a message class
    def Failed(self, message: str) -> Message: ...  # a message class

    def start_call(self, phone: str = "", *, call_id: str | None = None, ringing: bool = False) -> None: ...
    def _after_form_change(self, field: str) -> None: ...
    def _dirty(self) -> bool: ...
    def _warm_up(self) -> Any: ...  # a @work method
    def _load_caller(self, phone: str) -> Any: ...  # a @work method: returns its Worker
    def _notices(self) -> ComposeResult: ...
    def _side_panels(self) -> ComposeResult: ...
    def _closing_phrase(self, ticket: Ticket, now: datetime) -> str: ...
    def _new_call_id(self, at: datetime) -> str | None: ...
    # DraftAutosave
    def _mark_draft_baseline(self) -> None: ...
    def _schedule_autosave(self) -> None: ...
    # PhoneCalls
    def _start_phone(self) -> None: ...
    def _referral_call(self) -> str | None: ...
    async def _referral_transfer(self, call_id: str, target: str, mode: str) -> str: ...


if TYPE_CHECKING:

    class IntakeHost(IntakeNeeds, Screen[None]):
        """The base each mixin is checked against: a Textual screen that has what `IntakeNeeds` names.
        The state is declared again here because mypy takes an assignment in an explicit subclass of
        a protocol for a new declaration of the member (typed from the value assigned)."""

        start: StartContext
        ctx: SeatContext
        _begin: SeatBegin
        loaded: bool
        call_id: str | None
        phone_call_id: str | None
        call_started_at: datetime | None
        pending_referrals: list[dict[str, Any]]
        kb_article: str | None
        units_overridden: bool
        saved_ticket: Ticket | None
        caller: CallerInfo | None
        _caller_phone: str | None
        _pending_fields: list[str]
