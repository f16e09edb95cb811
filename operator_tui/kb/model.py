"""The knowledge-base article (知识库条目) and the search hit (R34.1).

An article belongs to one owner unit (承办单位), which alone may edit it through the server; it is
valid over a period and must be reviewed by a date, so stale entries can be flagged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Article:
    id: str
    title: str
    body: str  # Markdown; our data, but still rendered without Rich markup
    matters: tuple[str, ...]  # matter codes from data/matters.toml
    owner_unit: str  # unit code from data/units.toml
    valid_from: date
    valid_until: date | None
    review_by: date
    standard_answer: str  # 标准答复: read out to the caller and put on the ticket (R20.1)
    source: str  # law or policy, and article
    sample: bool = False  # shipped demo content, not an official text

    def is_valid_on(self, day: date) -> bool:
        """Whether the article is in force on `day` (valid_until is the last valid day)."""
        if day < self.valid_from:
            return False
        return self.valid_until is None or day <= self.valid_until


@dataclass(frozen=True)
class Hit:
    """One search result, in rank order; `score` is higher-is-better and only comparable
    within one result list."""

    id: str
    title: str
    score: float
    standard_answer: str
    matters: tuple[str, ...]
