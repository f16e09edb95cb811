"""Which articles need their owner's attention (R34.1): the review date has passed, the
article has expired, or (optionally) its review falls due soon.

`today` is always passed in, never read here, so the seat, the server and the tests agree.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from operator_tui.kb.model import Article

REVIEW_OVERDUE = "review_overdue"
EXPIRED = "expired"
REVIEW_DUE_SOON = "review_due_soon"
REASON_TEXT = {REVIEW_OVERDUE: "已过复核日期", EXPIRED: "已过有效期", REVIEW_DUE_SOON: "即将到复核日期"}


@dataclass(frozen=True)
class StaleArticle:
    article: Article
    reasons: tuple[str, ...]


def stale_reasons(article: Article, today: date, within_days: int = 0) -> tuple[str, ...]:
    """Why `article` is stale on `today` (empty if it is not). An article whose review_by or
    valid_until is today is still current: both are the last good day."""
    reasons = []
    if article.valid_until is not None and article.valid_until < today:
        reasons.append(EXPIRED)
    if article.review_by < today:
        reasons.append(REVIEW_OVERDUE)
    elif within_days > 0 and article.review_by <= today + timedelta(days=within_days):
        reasons.append(REVIEW_DUE_SOON)
    return tuple(reasons)


def find_stale(
    articles: Iterable[Article], today: date, owner_unit: str | None = None, within_days: int = 0
) -> list[StaleArticle]:
    """Stale articles, expired first, then by review date (the longest overdue first)."""
    found = [
        StaleArticle(a, r)
        for a in articles
        if (owner_unit is None or a.owner_unit == owner_unit) and (r := stale_reasons(a, today, within_days))
    ]
    return sorted(found, key=lambda s: (EXPIRED not in s.reasons, s.article.review_by, s.article.id))
