"""The operator's register: the boilerplate of a third-person summary, found and masked.

At a real seat the operator often types a summary, not the caller's words: "来电人反映：…",
"市民来电，称其…", "来电人（女，约60岁）表示…", "据来电人描述，…", "诉求：…；要求…". Those words
say who is speaking, not what the appeal is about, and they mislead word matching: the matter
keyword 来电 (power coming back) sits inside 来电人, and the verb 反映 looks like the appeal type
情况反映 although operators write 来电人反映 for a complaint, a question or a cry for help.

:func:`read` finds that boilerplate and returns a copy of the text with it blanked out. The copy
has the same length (one space per masked character), so offsets into it are offsets into what
the operator typed, and a space splits character bigrams, so nothing new is formed across a
mask. The reporting verb right after the speaker is kept aside (:attr:`Register.verbs`): some
verbs (咨询, 举报, 建议, 求助) are the appeal type more often than not; whether and how much they
count is the suggester's data (classify.toml ``[register]``), measured on the tuning sets.

Pure: text in, text out; a few regular-expression scans, cheap enough for every keystroke.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Register", "read", "mask", "MASK"]

MASK = " "  # not a Chinese character: a masked stretch forms no bigram and matches no cue

# Who is speaking: the caller as the operator names them, with an optional note in brackets
# (来电人（女，约60岁）). 据 opens "据来电人描述". 该户/其 are left alone: 该户 is often the subject
# of the matter itself (该户暖气不热) and 其 is one character, too short to mislead a cue.
_SPEAKER = r"据?(?:来电人|来电者|该市民|该居民|市民(?!卡|中心|广场|热线|服务))(?:[（(][^）)]{0,16}[）)])?"
# What the speaker did: called (来电), then a reporting verb. 来电 alone ("市民来电，称…") counts.
_VERB = r"反映|反应|诉称|描述|表示|咨询|询问|投诉|举报|求助|建议|了解|称"
_LEAD = re.compile(
    rf"(?P<speaker>{_SPEAKER})(?P<called>[，,]?(?:现|再次|多次|又|曾)?来电)?[，,]?(?:(?P<verb>{_VERB}))?(?:[：:，,])?"
)
# "现来电了解…", "再次来电反映…", "来电称…": a call described without naming the speaker. A bare
# 来电 must be followed by a reporting verb: "什么时候来电" is power coming back.
_CALL = re.compile(rf"(?:(?:现|再次|多次|又|曾|今日|今天)来电(?P<verb>{_VERB})?|来电(?P<verb2>{_VERB}))[：:，,]?")
# Headings and the closing request aimed at the authorities, not at the matter.
_HEADING = re.compile(
    r"(?:诉求|要求|反映内容|事由|情况)[：:]"
    r"|(?:现|并|故)?(?:要求|希望|请求|恳请|请)(?:相关|有关|上级|职能)(?:部门|单位)(?:予以|给予|尽快|能够|能)?"
    r"|现要求|现希望"
    # The request verb aimed at a body (希望供电部门尽快处理, 要求物业…): the verb is boilerplate,
    # the body named after it stays, it tells the matter.
    r"|(?:现|并)?(?:希望|要求|请求|恳请)(?=[^，。；：,;:]{0,10}?(?:部门|单位|机关|企业|公司|社区|政府|物业))"
)


@dataclass(frozen=True)
class Register:
    """What :func:`read` found in one description."""

    text: str  # as typed
    masked: str  # same length, boilerplate replaced by MASK
    spans: tuple[tuple[int, int], ...]  # the masked stretches, [start, end) in both texts
    verbs: tuple[str, ...]  # reporting verbs right after a speaker or a call, in order (咨询, 举报…)

    @property
    def is_summary(self) -> bool:
        """True when the operator wrote a summary (some boilerplate was found)."""
        return bool(self.spans)


def read(text: str) -> Register:
    """The boilerplate of `text` and the text with it masked (same length)."""
    spans: list[tuple[int, int]] = []
    verbs: list[str] = []
    for pattern in (_LEAD, _CALL):
        for m in pattern.finditer(text):
            if m.end() > m.start():
                spans.append((m.start(), m.end()))
                verb = m.group("verb") or (m.groupdict().get("verb2") or "")
                if verb:
                    verbs.append(verb)
    spans += [(m.start(), m.end()) for m in _HEADING.finditer(text) if m.end() > m.start()]
    if not spans:
        return Register(text, text, (), ())
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    chars = list(text)
    for start, end in merged:
        chars[start:end] = MASK * (end - start)
    return Register(text, "".join(chars), tuple(merged), tuple(verbs))


def mask(text: str) -> str:
    """`text` with the operator's boilerplate blanked out, same length (see :func:`read`)."""
    return read(text).masked
