"""Seat assist on the intake screen (issue 13 part 4, R19.1): as the description and the address
are typed, the matter (事项), appeal type (诉求类型) and place (地点) the caller's words point to head
their pickers, marked 建议 with the words that led to them; the caller's name from their history
is offered in 姓名. The operator confirms with Enter (or → for the name) or picks another: nothing
is filled in silently.

Off the keystroke path: a change schedules the suggester in a thread worker after a short
debounce, as the knowledge panel's search does. Opening a picker asks again at once if the words
changed since (keys at paste speed outrun the debounce); that costs well under a millisecond once
the suggester is built, which a worker does after the first change, off the start-up path.

A mixin of `IntakeScreen` (which owns `ctx` and the form).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from textual import work

if TYPE_CHECKING:
    from ...domain.classify import Suggestion, Suggestions
    from ..widgets.picker import PickerField
    from .intake_host import IntakeHost
else:
    IntakeHost = object  # the mixins' typed base exists only for the type checker (intake_host.py)

SUGGEST_DEBOUNCE = 0.15  # seconds after the last key, as the knowledge panel
SUGGESTED_PICKERS = ("place", "appeal_type", "matter")
# How many proposals head a picker, and the least share of the evidence worth showing after the first.
SUGGEST_LIMIT = 3
SUGGEST_MIN_SHARE = 0.15
# Names in a caller's history that are not a name to offer.
NOT_A_NAME = {"匿名", "不愿透露", "未知"}


def proposals(found: tuple[Suggestion, ...]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The first proposal always, the next ones while they carry a fair share of the evidence."""
    kept = [s for i, s in enumerate(found[:SUGGEST_LIMIT]) if i == 0 or s.score >= SUGGEST_MIN_SHARE]
    return tuple((s.code, s.words) for s in kept)


def name_from_history(rows: list[Any]) -> str | None:
    """The name on the caller's latest ticket that has one."""
    for row in sorted(rows, key=lambda r: r.registered_at, reverse=True):
        name = (row.name or "").strip()
        if name and name not in NOT_A_NAME:
            return name
    return None


class SeatSuggestions(IntakeHost):
    """Mixed into `IntakeScreen` (through `SeatTools`)."""

    _suggest_timer = None
    _suggested_for: tuple[str, str] | None = None  # (description, address) the pickers show proposals for
    _suggester_warm = False
    _name_for: str | None = None  # the number whose caller's name 姓名 offers

    def _suggest_after(self, field: str) -> None:
        """Called on every form change once the seat is loaded."""
        self._wire_suggestions()
        if field == "phone" and self._name_for is not None:
            from ...domain.validation import normalise_phone

            # A new call or another number: the last caller's name goes (the same number's
            # change message arriving late keeps it).
            if normalise_phone(self.form.data()["appellant"]["phone"] or "") != self._name_for:
                self._name_for = None
                self.form.suggest_name(None)
        if field in ("description", "address", "phone"):
            if self._suggest_timer is not None:
                self._suggest_timer.stop()
            self._suggest_timer = self.set_timer(SUGGEST_DEBOUNCE, self._suggest_fire)

    def _wire_suggestions(self) -> None:
        if not self._suggester_warm:
            self._suggester_warm = True
            self._warm_suggester()
        for field in SUGGESTED_PICKERS:
            for picker in self.form.query(f"#{field}"):
                cast("PickerField", picker).refresh_suggestions = self._suggest_now

    @work(thread=True, group="suggest-warm")
    def _warm_suggester(self) -> None:
        from ...classify_data import packaged_suggester

        packaged_suggester()

    def _suggest_words(self) -> tuple[str, str]:
        data = self.form.data()
        return (data["description"] or "", data["appellant"]["address"] or "")

    def _suggest_fire(self) -> None:
        self._suggest_timer = None
        words = self._suggest_words()
        if words != self._suggested_for:
            self._suggest_in_worker(words)

    @work(thread=True, exclusive=True, group="suggest")
    def _suggest_in_worker(self, words: tuple[str, str]) -> None:
        found = _suggest(*words)
        self.app.call_from_thread(self._show_suggestions, words, found)

    def _suggest_now(self) -> None:
        """A picker is opening: the proposals must be for the words on screen now."""
        words = self._suggest_words()
        if words != self._suggested_for:
            self._show_suggestions(words, _suggest(*words))

    def _show_suggestions(self, words: tuple[str, str], found: Suggestions | None) -> None:
        if words != self._suggest_words():
            return  # typed on since: the next run (or the picker's own ask) answers
        self._suggested_for = words
        description, _ = words
        for field, items in (
            ("place", found.places if found else ()),
            ("appeal_type", found.types if found and description.strip() else ()),
            ("matter", found.matters if found and description.strip() else ()),
        ):
            for picker in self.form.query(f"#{field}"):
                cast("PickerField", picker).set_suggestions(proposals(items))

    def _suggest_name(self, rows: list[Any]) -> None:
        """The caller's history arrived: offer their name in an empty 姓名 field."""
        if not (self.form.data()["appellant"]["name"] or "").strip():
            self._name_for = self._caller_phone
            self.form.suggest_name(name_from_history(rows))


def _suggest(description: str, address: str) -> Suggestions | None:
    if not description.strip() and not address.strip():
        return None
    from ...classify_data import packaged_suggester

    return packaged_suggester().suggest(description, address, limit=SUGGEST_LIMIT)
