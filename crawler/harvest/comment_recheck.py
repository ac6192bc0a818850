"""Re-checking plain comments on the harvest's schedule: edited, deleted, back again (#16).

Pings and webmentions are re-checked by fetching their source; a comment has no source of
its own, so it is re-checked every time its post is harvested (on the same age-then-sweep
schedule as the linkbacks): a stored comment whose text changed is updated (edited), one
that is gone is marked deleted, and one marked deleted that is seen again is live again.

"Gone" must be proven, not guessed: WordPress pages long comment threads
(``comment-page-N``) and its feeds hold only the latest ten, so a comment is judged deleted
only when the post page was read *and* the post's own comment feed answered without being
full (it then lists every approved comment). Otherwise nothing is marked deleted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from crawler.harvest import model
from crawler.harvest.model import RouteResult, RouteState

__all__ = ["CommentChanges", "StoredComment", "comment_changes", "listing_complete"]


@dataclass(frozen=True, slots=True)
class StoredComment:
    id: int
    key: str  # ``<canonical post URL>#comment-N``
    status: str  # live | deleted | spam
    context: str


@dataclass
class CommentChanges:
    deleted: list[int] = field(default_factory=list)
    revived: list[int] = field(default_factory=list)
    edited: dict[int, str] = field(default_factory=dict)


def listing_complete(routes: Iterable[RouteResult]) -> bool:
    """Whether this harvest saw every approved comment: page read, comment feed not full."""
    states = {r.route: r for r in routes}
    page, feed = states.get(model.HTML), states.get(model.FEED)
    return (
        page is not None
        and page.state is RouteState.OK
        and feed is not None
        and feed.state is RouteState.OK
        and not feed.truncated
    )


def comment_changes(
    stored: Iterable[StoredComment], seen: Mapping[str, str], *, complete: bool
) -> CommentChanges:
    """What to change for the post's stored comments given the comments ``seen`` now
    (key -> text as stored in the mention's context)."""
    changes = CommentChanges()
    for row in stored:
        text = seen.get(row.key)
        if text is None:
            if complete and row.status == "live":
                changes.deleted.append(row.id)
            continue
        if row.status == "deleted":
            changes.revived.append(row.id)
        if text and text != row.context:
            changes.edited[row.id] = text
    return changes
