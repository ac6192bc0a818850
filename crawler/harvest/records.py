"""Linkbacks and source checks into ``Mention`` values, with kinds reconciled across runs.

What is stored where (DESIGN.md "Data"): the *document* is the linking page (title, author,
site, language, date from its h-entry or meta) or, for a comment, the comment itself (its
permalink, author, date and text); the *mention* carries what is specific to this link to
this post: the text around the link (context), the reblogger's note, the commenter, and
whether the organisation wrote it.

Kinds are reconciled so that one page linking to one post is one coverage item even across
runs and routes: a source page with WordPress.com reblog markup quoting our post is a reblog
whatever route announced it, and when a stronger kind turns up for a page already stored
under a weaker one (a pingback, or a link the crawler found), the stored row is relabelled
instead of a second row being added. A weaker kind seen later is recorded under the stored
stronger one.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, tzinfo
from urllib.parse import urlsplit

from crawler.domain import Document, FoundVia, Mention, MentionKind
from crawler.harvest.merge import kind_rank
from crawler.harvest.model import FOUND_VIA, Linkback, SourceCheck, SourceTask
from crawler.linkbacks.verify import RESPONSE_NOTES, Verification
from crawler.matching.urls import canonicalize_url

__all__ = [
    "CONTEXT_CHARS",
    "aware",
    "effective_kind",
    "found_vias",
    "linkback_mention",
    "receipt_mention",
    "reconcile",
    "source_key",
]

CONTEXT_CHARS = 600


def _canonical(url: str) -> str:
    try:
        return canonicalize_url(url)
    except Exception:  # a hostile URL is no match
        return ""


def aware(value: datetime | None, tz: tzinfo = UTC) -> datetime | None:
    """A date with a time zone: pages print local times without one (``tz`` is then assumed;
    for our own site that is the organisation's time zone)."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=tz)


def source_key(url: str) -> str:
    """The document key of a linking page: its canonical URL (the URL itself if it has none)."""
    return _canonical(url) or url


def effective_kind(linkback: Linkback, check: SourceCheck | None) -> MentionKind:
    """The linkback's kind, or ``reblog`` when its page is a WordPress.com reblog of the post."""
    verification = check.verification if check is not None else None
    if linkback.is_comment or verification is None or not verification.reblog_of:
        return linkback.kind
    if _canonical(verification.reblog_of) == linkback.target:
        return MentionKind.REBLOG
    return linkback.kind


def reconcile(
    kind: MentionKind, existing: Sequence[tuple[int, str]]
) -> tuple[MentionKind, int | None]:
    """(kind to record, id of a stored row to relabel to it first, if any).

    ``existing`` are the stored (id, kind) rows for the same document and target.
    """
    if kind is MentionKind.COMMENT:
        return kind, None
    kinds = {k for _, k in existing}
    if kind.value in kinds:
        return kind, None
    ranked = sorted(
        ((kind_rank(k), i, k) for i, k in existing if kind_rank(k) > 0),
        key=lambda t: t[0],
        reverse=True,
    )
    if not ranked:
        return kind, None
    best_rank, best_id, best_kind = ranked[0]
    if best_rank > kind_rank(kind):
        return MentionKind(best_kind), None
    return kind, best_id


def found_vias(linkback: Linkback) -> tuple[FoundVia, ...]:
    """Where the linkback was found, first route first (``FoundVia`` has no finer grain)."""
    out: list[FoundVia] = []
    for route in linkback.routes:
        via = FOUND_VIA.get(route, FoundVia.COMMENTS)
        if via not in out:
            out.append(via)
    return tuple(out) or (FoundVia.COMMENTS,)


def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower().removeprefix("www.")
    except ValueError:
        return ""


def _comment(org: str, linkback: Linkback, post_title: str, via: FoundVia, tz: tzinfo) -> Mention:
    who = linkback.author or "someone"
    title = f"Comment by {who} on {post_title}" if post_title else f"Comment by {who}"
    document = Document(
        canonical_url=linkback.key,
        url=linkback.url or linkback.key,
        title=title,
        author=linkback.author,
        site=_host(linkback.target),
        published_at=aware(linkback.published, tz),
        text=linkback.excerpt,
    )
    return Mention(
        org=org,
        document=document,
        kind=MentionKind.COMMENT,
        found_via=via,
        target=linkback.target,
        author=linkback.author,
        context=linkback.excerpt[:CONTEXT_CHARS],
        by_organisation=linkback.by_organisation,
    )


def _described(
    org: str,
    kind: MentionKind,
    key: str,
    url: str,
    target: str,
    verification: Verification | None,
    fallback: Linkback | None,
    via: FoundVia,
) -> Mention:
    v = verification or Verification(linked=False, deleted=False)
    lb = fallback
    note = (lb.note if lb else "") or (v.reblog_note if kind is MentionKind.REBLOG else "")
    if kind is MentionKind.WEBMENTION and v.response:  # brid.gy-style like/repost/reply
        note = RESPONSE_NOTES[v.response]
    author = v.author or (lb.author if lb else "")
    document = Document(
        canonical_url=key,
        url=url,
        title=v.title or (lb.title if lb else ""),
        author=author,
        site=v.site_name or (lb.site_name if lb else "") or _host(url),
        language=v.language,
        published_at=aware(v.published) or aware(lb.published if lb else None),
    )
    return Mention(
        org=org,
        document=document,
        kind=kind,
        found_via=via,
        target=target,
        author=(lb.author if lb and kind is MentionKind.REBLOG else "") or author,
        note=note,
        context=(v.context or (lb.excerpt if lb else ""))[:CONTEXT_CHARS],
        by_organisation=lb.by_organisation if lb else False,
    )


def linkback_mention(
    org: str,
    linkback: Linkback,
    kind: MentionKind,
    check: SourceCheck | None,
    *,
    post_title: str = "",
    via: FoundVia | None = None,
    tz: tzinfo = UTC,
) -> Mention:
    """The mention to record for a merged linkback (``kind`` already reconciled).

    Without a ``check`` (a linkback whose source was checked by an earlier run) only the
    keys are set, so a poorer sighting never overwrites the stored description.
    """
    via = via or found_vias(linkback)[0]
    if linkback.is_comment:
        return _comment(org, linkback, post_title, via, tz)
    if check is None:
        document = Document(canonical_url=linkback.key, url=linkback.url)
        return Mention(
            org=org,
            document=document,
            kind=kind,
            found_via=via,
            target=linkback.target,
            by_organisation=linkback.by_organisation,
        )
    return _described(
        org,
        kind,
        linkback.key,
        linkback.url,
        linkback.target,
        check.verification,
        linkback,
        via,
    )


def receipt_mention(org: str, task: SourceTask, check: SourceCheck, kind: MentionKind) -> Mention:
    """The mention for a verified receipt (found via the receiver)."""
    key = source_key(task.url)
    return _described(
        org, kind, key, task.url, task.target, check.verification, None, FoundVia.RECEIVER
    )
