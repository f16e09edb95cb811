"""Where triage's cues look (issue 13): the clause and sentence breaks of a text, and a cue group
(negation, the past, a worry, hearsay …) deciding whether it silences one trigger.

Split from triage.py, which parses the rules and runs them; the reach of a cue (its window, its
scope, what undoes it, and since round 6 whether it is read inside a long match) is this module's.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field

from .regex_scan import scanner

BREAKS = {
    "clause": re.compile("[，,。.！!？?；;：:\n\r\t 　…]"),
    "sentence": re.compile("[。！!？?；;\n\r]"),
}


class Bounds:
    """Clause and sentence breaks of one text, found once per triage call."""

    __slots__ = ("text", "breaks")

    def __init__(self, text: str) -> None:
        self.text = text
        self.breaks = {scope: [m.start() for m in rx.finditer(text)] for scope, rx in BREAKS.items()}

    def back(self, pos: int, window: int, scope: str) -> int:
        """Start of the reach of a cue that looks ``window`` characters back from ``pos``."""
        marks = self.breaks[scope]
        i = bisect_left(marks, pos) - 1
        lo = marks[i] + 1 if i >= 0 else 0
        return lo if lo > pos - window else pos - window  # max() as a call costs ~85 times a text

    def forward(self, pos: int, window: int, scope: str) -> int:
        marks = self.breaks[scope]
        i = bisect_left(marks, pos)
        hi = marks[i] if i < len(marks) else len(self.text)
        return hi if hi < pos + window else pos + window


@dataclass(frozen=True)
class Cues:
    name: str
    scope: str
    before: re.Pattern[str] | None
    before_window: int
    after: re.Pattern[str] | None
    after_window: int
    exceptions: re.Pattern[str] | None
    cancel: re.Pattern[str] | None
    cancel_after: int = 0  # characters after the trigger where a cancel word also undoes a before-cue
    both: bool = False  # round 8: silences only when a before-cue AND an after-cue stand around it
    for_rules: tuple[str, ...] = ()  # round 8: only rules whose id starts with one of these (all if empty)
    inside_exceptions: re.Pattern[str] | None = None  # round 8: not a cue when read inside a match
    # `before` and `after` as fast scanners (regex_scan.py) and the group holding the cue: a cue
    # window is searched ~85 times per 500 characters, and most cue lists start with a lookbehind
    # or a class, which makes the engine try every alternative at every position.
    _before_scan: tuple[re.Pattern[str], int] | None = field(default=None, init=False, repr=False, compare=False)
    _after_scan: tuple[re.Pattern[str], int] | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.before is not None:
            object.__setattr__(self, "_before_scan", scanner(self.before.pattern))
        if self.after is not None:
            object.__setattr__(self, "_after_scan", scanner(self.after.pattern))

    def applies(self, rule_id: str) -> bool:
        return not self.for_rules or rule_id.startswith(self.for_rules)

    def fires(self, bounds: Bounds, start: int, end: int) -> bool:
        """Whether this group silences the trigger ``text[start:end]``."""
        if self.both:
            return self._both(bounds, start, end)
        text = bounds.text
        if self._before_scan is not None:
            lo = bounds.back(start, self.before_window, self.scope)
            window = text[lo:start]  # sliced so that a cue can anchor on the trigger with `$`
            nearest = self._last_real(window, lo, text)  # the nearest real cue decides
            if nearest is not None:
                # "去年着火的楼，现在又冒烟了": a present-time word after the cue undoes it.
                return self.cancel is None or (
                    self.cancel.search(window, nearest) is None and not self._undone_after(bounds, end)
                )
            if end - start > _HEAD and self.name in _READ_INSIDE and self._inside(bounds, start, end):
                return True
        if self._after_scan is not None:
            window = text[end : bounds.forward(end, self.after_window, self.scope)]
            rx, group = self._after_scan
            last_end = 0
            for m in rx.finditer(window) if rx.search(window) is not None else ():
                at, to = m.span(group)
                if at < last_end:  # a scanner's overlapping find (regex_scan.py)
                    continue
                last_end = to
                if not self._real(text, end + at):
                    continue
                near = text[bounds.back(start, 12, self.scope) : start]
                if self.cancel is None:
                    return True
                # round 8: a present-time word between the trigger and the after-cue also undoes it
                # ("困在电梯里，现在还出不来，物业说等维修的")
                return self.cancel.search(near) is None and self.cancel.search(text, end, end + at) is None
        return False

    def _last_real(
        self, window: str, lo: int, text: str, inside: bool = False, before: int | None = None
    ) -> int | None:
        """The end (in ``window``, which stands at ``lo`` in ``text``) of the last real before-cue
        in ``window``, the cues taken as a plain ``finditer`` finds them. Read ``inside`` a match,
        the ``inside_exceptions`` are no cues, and with ``before`` only cues starting before that
        position of ``text`` count."""
        rx, group = self._before_scan  # type: ignore[misc]
        nearest, last_end = None, 0
        if rx.search(window) is None:  # most windows hold no cue: one C call, no iterator
            return None
        for m in rx.finditer(window):
            at, to = m.span(group)
            if at < last_end:  # a scanner's overlapping find (regex_scan.py)
                continue
            last_end = to
            if before is not None and lo + at >= before:
                break
            if inside and self.inside_exceptions is not None and self.inside_exceptions.match(text, lo + at):
                continue
            if self._real(text, lo + at):
                nearest = to
        return nearest

    def _both(self, bounds: Bounds, start: int, end: int) -> bool:
        """A condition before the trigger and a "what then" after it (round 8).

        "要是孩子被人领走了咋整" asks what to do if it happened; "要是" alone also opens threats
        (你要是报警……) and "咋整" alone is a real caller's panic (着火了咋整), so the group needs
        both. A cancel word between the condition and the trigger (现在, 已经) means it happened.
        """
        text = bounds.text
        lo = bounds.back(start, self.before_window, self.scope)
        window = text[lo:start]
        nearest = self._last_real(window, lo, text)
        if nearest is None or (self.cancel is not None and self.cancel.search(window, nearest)):
            return False
        hi = bounds.forward(end, self.after_window, self.scope)
        if self.cancel is not None and self.cancel.search(text, end, hi):
            return False
        return self.after.search(text, end, hi) is not None  # type: ignore[union-attr]

    def _inside(self, bounds: Bounds, start: int, end: int) -> bool:
        """Whether a before-cue stands inside a long match, ahead of its last word (round 6).

        A frame pattern may start at a noun well before the worry, question or negation that
        governs its alarming word: "炉子，我怕他煤烟中毒" matches from 炉子, "燃气公司说不是漏气"
        from 燃气. The cue then stands inside the match, where the window before it never looks.
        So the part of the match in the trigger's own clause (or sentence, per ``scope``), less its
        last ``_HEAD`` characters (the alarming word itself), is read as a before-window too.
        Round 8 reads a negation there too (狗咬了一小口，没出血 / 车没撞着人), less the words that
        inside a match are the event itself (``inside_exceptions``: 半天没上来, 差点撞上).
        """
        marks = bounds.breaks[self.scope]
        i = bisect_left(marks, end) - 1
        lo = marks[i] + 1 if i >= 0 and marks[i] >= start else start
        hi = end - _HEAD
        if hi <= lo:
            return False
        text = bounds.text
        nearest = self._last_real(text[lo:hi], lo, text, inside=True)
        if nearest is None and "(?=" in self.before.pattern:  # type: ignore[union-attr]
            # A cue may look ahead into the alarming word (也没(?=撞): "车也没撞着"); the window
            # that stops short of that word cannot show it, so read on to the match's end.
            nearest = self._last_real(text[lo:end], lo, text, inside=True, before=hi)
        if nearest is None:
            return False
        return self.cancel is None or (
            self.cancel.search(text, lo + nearest, end) is None and not self._undone_after(bounds, end)
        )

    def _real(self, text: str, pos: int) -> bool:
        """Whether the cue found at ``pos`` is one: not an exception, and not itself denied (round 8).

        "冒烟了，不是演练" / "不是去年的事" / "我不是咨询": a cue the caller denies is the
        opposite of a cue. Negation and denial are exempt (不是不是 is no double negative).
        """
        if self.exceptions is not None and self.exceptions.match(text, pos):
            return False
        return self.name in _NOT_DENIABLE or _DENIED_CUE.search(text, max(0, pos - 3), pos) is None

    def _undone_after(self, bounds: Bounds, end: int) -> bool:
        """Whether a cancel word right after the trigger undoes the cue (``cancel_after``): hearsay
        that the caller then sees for themselves, "听说楼下着火了，现在烟都进屋了"."""
        if not self.cancel_after or self.cancel is None:
            return False
        hi = bounds.forward(end, self.cancel_after, self.scope)
        return self.cancel.search(bounds.text, end, hi) is not None


# A cue word right after a denial is denied itself (不是演练, 并非谣言, 不是去年); the negation
# groups are not, their cue *is* the denial.
_DENIED_CUE = re.compile("(不是|并非|并不是|不算|没在|不像是?)$")
_NOT_DENIABLE = frozenset({"negation", "denied", "no_fire", "no_gas"})
# The alarming word at the end of a long match, which an inside cue must stand before (中毒, 漏气).
_HEAD = 2
# Cue groups read inside a match: the ones that govern a whole clause (a worry, a question, a
# story told second-hand, advice). The past and water words are not: inside a frame they are part
# of the event (喝了井水以后拉肚子). Round 8 adds the negation, less its `inside_exceptions` (半天没上来
# is the event; 狗咬了一小口，没出血 and 车没撞着人 deny it); 9b's false alarms 20 -> 18.
_READ_INSIDE = frozenset(
    {
        "hypothetical",
        "hypothetical_lead",
        "reported",
        "hearsay",
        "inquiry",
        "inquiry_lead",
        "service",
        "denied",
        "negation",
    }
)
