"""The red emergency banner of the intake screen (R20.3).

The screen feeds it every triage result while the operator types. The banner is hidden until a
result is an emergency; then it names the targets (110 报警, 119 火警, …) and the caller's words
that called for them, and it stays: a later, calmer text does not take it down (but see the
second opinion below). Each referral the
operator records (F9) takes its own target off (:meth:`settle`); the banner goes down when every
target it named has one, so a 120 beside a recorded 119 is not forgotten (it used to go down with
the first referral). New targets are added as they appear; :meth:`clear` starts the next call.

A target the latest text still calls for shows the latest text's words; one it no longer calls
for keeps the words it had. Words gathered keystroke by keystroke would pile up what half-typed
text suggested (a guess at "居住的" before "浓烟" was finished) beside what the call says.

A word typed with a same-sound typo or in pinyin (issue 13) is shown as typed, with what the rules
read it as: “没气味（煤气味）”, so the operator can judge at a glance whether the reading is right.

When the rules named a target and the learned second opinion overruled them (round 12: the whole
text reads as ordinary, 学校门口有人拿刀切西瓜), no alarm goes up, but while nothing is raised the
banner says so in grey, with the words: the operator still sees what the rules saw and can record a
referral with F9 if the call is an emergency after all. Unlike the alarm, this hint follows the
latest text. As the operator types, the alarm often goes up before the words that make the text
ordinary ("学校门口有人拿刀" and then "，卖水果的切西瓜"); a target whose words are all among what the
current text's reading overrules goes back down to the grey hint. A shorter or emptied text never
does that: the words must still stand in the text.

The triggering words are the caller's: they are cleaned of terminal escapes and built into a
``rich.text.Text`` piece by piece, never parsed as markup, so ``[/]`` or ``[@click=app.quit]x[/]``
show as typed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.message import Message
from textual.widgets import Static

from ...domain.text import clean_text

if TYPE_CHECKING:  # the triage module is imported after the seat's first frame
    from ...domain.triage import Match, TriageResult

__all__ = ["EmergencyBanner"]

_MAX_WORDS = 6  # per target: enough to see why, short enough for one line
_MAX_WORD_LEN = 32  # a pattern can match a long stretch ("自称公安的人让我转账")


def _shown(phrase: str) -> str:
    word = " ".join(clean_text(phrase).split())  # newlines and tabs would break the banner's lines
    return word if len(word) <= _MAX_WORD_LEN else word[: _MAX_WORD_LEN - 1] + "…"


def _word(match: Match) -> str:
    """A match's words as the banner shows them: “没气味（煤气味）” for a typo read as a cue word."""
    word = _shown(match.phrase)
    return f"{word}（{_shown(match.heard_as)}）" if word and match.heard_as else word


def _rank(target: str) -> int:
    from ...domain.triage import TARGETS

    return TARGETS.index(target)


class EmergencyBanner(Static):
    """Names the referral targets a call needs; raised by :meth:`show_result`, a target taken off by
    :meth:`settle`, everything by :meth:`clear`."""

    # The alarm red is fixed, not taken from the theme: it must read as an alarm in every theme.
    DEFAULT_CSS = """
    EmergencyBanner {
        display: none;
        height: auto;
        width: 1fr;
        padding: 0 1;
        background: #b3261e;
        color: #ffffff;
    }
    EmergencyBanner.-raised {
        display: block;
    }
    EmergencyBanner.-doubted {
        display: block;
        background: #4a4a4a;
        color: #f0f0f0;
    }
    """

    class Raised(Message):
        """The banner went up or gained targets; ``added`` are the new ones."""

        def __init__(self, banner: EmergencyBanner, targets: tuple[str, ...], added: tuple[str, ...]) -> None:
            super().__init__()
            self.banner = banner
            self.targets = targets
            self.added = added

        @property
        def control(self) -> EmergencyBanner:
            return self.banner

    def __init__(self, *, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__("", name=name, id=id, classes=classes, markup=False)
        self._words: dict[str, list[str]] = {}
        self._settled: set[str] = set()  # targets with a referral recorded on this call

    @property
    def raised(self) -> bool:
        return bool(self._words)

    @property
    def targets(self) -> tuple[str, ...]:
        """The targets named so far, in the fixed order 110, 119, 120, 122, 应急."""
        from ...domain.triage import TARGETS

        return tuple(t for t in TARGETS if t in self._words)

    def words(self, target: str) -> tuple[str, ...]:
        """The caller's words shown for ``target`` (cleaned, shortened)."""
        return tuple(self._words.get(target, ()))

    def show_result(self, result: TriageResult) -> None:
        """Raise the banner for an emergency, or add to it. An ordinary result leaves what is raised
        up, unless the second opinion overrules all of a target's words (:meth:`_stand_down`), and
        shows the grey hint while nothing is raised."""
        if not result.emergency:
            # Not lowered by a calmer or shorter text: only by referrals (settle), or when the
            # words that raised a target are still there and the whole text now reads as ordinary.
            if result.overruled:
                self._stand_down(result)
            if not self._words:
                self._show_doubt(result)
            return
        self.remove_class("-doubted")
        wanted = tuple(t for t in result.referrals if t not in self._settled)
        added = tuple(t for t in wanted if t not in self._words)
        latest: dict[str, list[str]] = {t: [] for t in wanted}
        for match in result.matches:
            if match.target in self._settled:
                continue
            words = latest.setdefault(match.target, [])
            word = _word(match)
            if word and word not in words and len(words) < _MAX_WORDS:
                words.append(word)
        if not latest:
            return  # only targets already referred on this call
        changed = any(self._words.get(t) != words for t, words in latest.items())
        self._words.update(latest)
        if changed:
            self.update(self._banner_text())
        self.add_class("-raised")
        if added:
            self.post_message(self.Raised(self, self.targets, added))

    def settle(self, target: str) -> None:
        """The operator recorded a referral for ``target``: it leaves the banner, which goes down
        when no target is left. The text naming it again on this call does not bring it back."""
        self._settled.add(target)
        if self._words.pop(target, None) is None:
            return
        if self._words:
            self.update(self._banner_text())
        else:
            self.remove_class("-raised")
            self.update("")

    def clear(self) -> None:
        """Lower the banner and forget this call's referrals: a new call starts."""
        self._words.clear()
        self._settled.clear()
        self.remove_class("-raised", "-doubted")
        self.update("")

    @property
    def doubted(self) -> bool:
        """Whether the grey hint is up: the rules named a target the second opinion overruled."""
        return self.has_class("-doubted")

    def _stand_down(self, result: TriageResult) -> None:
        """Take off the targets every one of whose words the second opinion now overrules: typed
        as "学校门口有人拿刀", the alarm went up; "…卖水果的切西瓜" finished the sentence."""
        doubted: dict[str, set[str]] = {}
        for match in result.overruled:
            doubted.setdefault(match.target, set()).add(_word(match))
        gone = [t for t, words in self._words.items() if t in doubted and set(words) <= doubted[t]]
        if not gone:
            return
        for target in gone:
            del self._words[target]
        if self._words:
            self.update(self._banner_text())
        else:
            self.remove_class("-raised")

    def _show_doubt(self, result: TriageResult) -> None:
        """The grey hint: each overruled word once, with the targets the rules named for it."""
        from ...domain.triage import TARGET_NAMES

        targets: dict[str, list[str]] = {}  # word → targets, in text order
        for match in result.overruled:
            word = _word(match)
            if match.target in self._settled or not word or (word not in targets and len(targets) >= _MAX_WORDS):
                continue
            named = targets.setdefault(word, [])
            if match.target not in named:
                named.append(match.target)
        if not targets:
            if self.doubted:
                self.remove_class("-doubted")
                self.update("")
            return
        text = Text(end="")
        text.append("ⓘ 文中提到", style="bold")
        for i, (word, named) in enumerate(targets.items()):
            text.append("、" if i else "")
            text.append(f"“{word}”")
            text.append(f"（{'、'.join(f'{t} {TARGET_NAMES[t]}' for t in sorted(named, key=_rank))}）")
        text.append("，整体看不像紧急情况。如确属紧急，按 F9 记录转介", style="italic")
        self.update(text)
        self.add_class("-doubted")

    def _banner_text(self) -> Text:
        from ...domain.triage import TARGET_NAMES

        # Built with append(): every string is literal text, caller words included.
        text = Text(end="")
        text.append("⚠ 紧急情况，请立即转介：", style="bold")
        text.append("、".join(f"{t} {TARGET_NAMES[t]}" for t in self.targets), style="bold reverse")
        for target in self.targets:
            text.append(f"\n  {target} {TARGET_NAMES[target]}：", style="bold")
            for i, word in enumerate(self._words[target]):
                text.append("、" if i else "")
                text.append(f"“{word}”")
        text.append("\nF9 记录转介", style="italic")
        return text
