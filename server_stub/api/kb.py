"""Knowledge-base sync (R34.1): a change feed of the articles the server holds, and writes limited
to the owning unit. The search engine itself lives at the seat (operator_tui/kb); the server only
stores and orders the articles."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, status

from operator_tui.contract import DEFAULT_PAGE, MAX_PAGE, ErrorPublic, KbArticleIn, KbArticlePublic, KbChangesPublic
from operator_tui.domain.model import Role

from ..auth import Principal
from ..deps import Anyone, KbEditor, Now, RulesDep, StorageDep
from ..storage import utc
from . import cursor

router = APIRouter(prefix="/v1/kb", tags=["knowledge base"])
ArticleId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_.\-]{1,64}$")]
CENTRE_OWNER = "centre"  # articles of the centre itself (规范用语, general policy)


@router.get("/changes", response_model=KbChangesPublic, responses={410: {"model": ErrorPublic}})
def kb_changes(
    _: Anyone,
    storage: StorageDep,
    since: Annotated[str, Query(max_length=80)] = "",
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = DEFAULT_PAGE,
) -> KbChangesPublic:
    with storage.read() as tx:
        epoch, last = tx.feed_head()
        rows = tx.kb_changes(cursor.parse(since, epoch, last), limit)
    more = len(rows) == limit
    return KbChangesPublic(
        articles=[KbArticlePublic(**r) for r in rows],
        next=cursor.make(epoch, rows[-1]["seq"] if more else last),
        more=more,
    )


@router.get("/articles/{article_id}", response_model=KbArticlePublic, responses={404: {"model": ErrorPublic}})
def kb_article(article_id: ArticleId, _: Anyone, storage: StorageDep) -> KbArticlePublic:
    with storage.read() as tx:
        row = tx.kb_article(article_id)
    if row is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such article")
    return KbArticlePublic(**row)


def _owner(p: Principal, body: KbArticleIn, existing: dict[str, Any] | None, units: frozenset[str]) -> str:
    """R34.1: each unit edits its own entries; the centre (supervisors, the office) edits any."""
    owner = body.owner_unit or (existing or {}).get("owner_unit") or (p.unit if p.role is Role.UNIT else CENTRE_OWNER)
    if owner != CENTRE_OWNER and owner not in units:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"owner_unit: unknown unit '{owner}'")
    if p.role is Role.UNIT and (owner != p.unit or (existing and existing["owner_unit"] != p.unit)):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "a unit edits only its own knowledge-base articles")
    return owner


@router.put(
    "/articles/{article_id}",
    response_model=KbArticlePublic,
    responses={403: {"model": ErrorPublic}, 409: {"model": ErrorPublic}},
)
def kb_put(
    article_id: ArticleId, body: KbArticleIn, p: KbEditor, storage: StorageDep, rules: RulesDep, now: Now
) -> KbArticlePublic:
    """Create or replace an article. Send the `version` you edited to be told (409) if someone
    changed it meanwhile."""
    with storage.write() as tx:
        existing = tx.kb_article(article_id)
        owner = _owner(p, body, existing, frozenset(rules.taxonomy.units))
        current = existing["version"] if existing else 0
        if body.version is not None and body.version != current:
            raise HTTPException(
                status.HTTP_409_CONFLICT,
                f"article {article_id} is at version {current}, not {body.version}: reload it and edit again",
            )
        row: dict[str, Any] = {
            "id": article_id,
            "owner_unit": owner,
            "title": body.title,
            "body": body.body,
            "tags": body.tags,
            "review_at": body.review_at.isoformat() if body.review_at else None,
            "valid_until": body.valid_until.isoformat() if body.valid_until else None,
            "version": current + 1,
            "seq": tx.take_seqs(1),
            "updated_at": utc(now),
            "updated_by": p.id,
        }
        tx.put_kb_article(row)
    return KbArticlePublic(**row)
