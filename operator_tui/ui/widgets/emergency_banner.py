"""The red emergency banner of the intake screen (R20.3).

The screen feeds it every triage result while the operator types. The banner is hidden until a
result is an emergency; then it names the targets (110 报警, 119 火警, …) and the caller's words
that called for them, and it stays: a later, calmer text never takes it down. Each referral the
operator records (F9) takes its own target off (:meth:`settle`); the banner goes down when every
target it named has one, so a 120 beside a recorded 119 is not forgotten (it used to go down with
the first referral). New targets are added as they appear; :meth:`clear` starts the next call.

A target the latest text still calls for shows the latest text's words; one it no longer calls
for keeps the words it had. Words gathered keystroke by keystroke would pile up what half-typed
text suggested (a guess at "居住的" before "浓烟" was finished) beside what the call says.

A word typed with a same-sound typo or in pinyin (issue 13) is shown as typed, with what the rules
read it as: “没气味（煤气味）”, so the operator can judge at a glance whether the reading is right.

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
    from ...domain.triage import TriageResult

__all__ = ["EmergencyBanner"]

_MAX_WORDS = 6  # per target: enough to see why, short enough for one line
_MAX_WORD_LEN = 32  # a pattern can match a long stretch ("自称公安的人让我转账")


def _shown(phrase: str) -> str:
    word = " ".join(clean_text(phrase).split())  # newlines and tabs would break the banner's lines
    return word if len(word) <= _MAX_WORD_LEN else word[: _MAX_WORD_LEN - 1] + "…"


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
        """Raise the banner for an emergency, or add to it; an ordinary result changes nothing."""
        if not result.emergency:
            return  # never lowered by the text: only the operator's referrals (settle) do that
        wanted = tuple(t for t in result.referrals if t not in self._settled)
        added = tuple(t for t in wanted if t not in self._words)
        latest: dict[str, list[str]] = {t: [] for t in wanted}
        for match in result.matches:
            if match.target in self._settled:
                continue
            words = latest.setdefault(match.target, [])
            word = _shown(match.phrase)
            if word and match.heard_as:
                word = f"{word}（{_shown(match.heard_as)}）"
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
        self.remove_class("-raised")
        self.update("")

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
