"""The item pipelines of the linkback runs: the only linkback code that writes to storage.

``HarvestPipeline`` stores one ``PostHarvested`` per transaction: the merged linkbacks as
mentions (kinds reconciled with what is stored, each route added to the mention's
``routes``), the first check of each new source (description, deleted or live, the
re-check schedule) and the post's ``last_harvested_at``. ``RecheckPipeline`` applies a
re-check to its mention; ``VerifyPipeline`` settles a receipt with
``crawler.receiver.decide`` and records or deletes the mention it proves. A failure to store
one item costs that item only and is reported.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, tzinfo
from typing import TYPE_CHECKING, Any

from scrapy import signals
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from crawler.domain import Mention, MentionKind, MentionStatus, ReceiptState
from crawler.harvest.comment_recheck import StoredComment, comment_changes, listing_complete
from crawler.harvest.model import PostHarvested, RouteState, SourceCheck, SourceChecked
from crawler.harvest.policy import CheckOutcome, judge, next_check_at, retry_at
from crawler.harvest.records import (
    CONTEXT_CHARS,
    effective_kind,
    found_vias,
    linkback_mention,
    receipt_mention,
    reconcile,
    source_key,
)
from crawler.harvest.report import (
    CheckLine,
    HarvestReport,
    PostLine,
    RecheckReport,
    VerifyReport,
)
from crawler.linkbacks.verify import Verification
from crawler.pipelines.shared import shared_setting
from crawler.receiver.decide import decide
from crawler.spiders.linkbacks import RUN_SETTING
from crawler.storage.comments import apply_comment_changes, stored_comments
from crawler.storage.db import session_scope
from crawler.storage.linkbacks import (
    LinkbackRow,
    linkback_rows,
    mark_harvested,
    relabel_mention,
    set_check_state,
)
from crawler.storage.mentions import record_mentions, set_mention_status
from crawler.storage.receipts import retry_receipt_later, settle_receipt

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)

CONTEXT_SETTING = RUN_SETTING  # the spider knows it too: no context means `scrapy crawl`
Progress = Callable[[str, str], None]


@dataclass
class RunContext:
    """What a linkback pipeline needs from its runner (reached through the settings key)."""

    engine: Engine
    org: str
    now: datetime
    schedule: tuple[int, ...]
    report: Any
    progress: Progress | None = None
    tz: tzinfo = UTC


class _Pipeline:
    def __init__(self, context: RunContext) -> None:
        self.context = context

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Any:
        context = shared_setting(crawler.settings, CONTEXT_SETTING, RunContext)
        return cls(context)

    def _progress(self, label: str, outcome: str) -> None:
        if self.context.progress is not None:
            self.context.progress(label, outcome)


def _row(rows: Sequence[LinkbackRow], key: str, kind: MentionKind) -> LinkbackRow | None:
    return next((r for r in rows if r.document_url == key and r.kind == kind.value), None)


def apply_check(
    session: Session,
    row: LinkbackRow,
    check: SourceCheck,
    context: RunContext,
    *,
    index: int,
) -> tuple[CheckOutcome, str]:
    """Store one source check of ``row`` (``index`` = scheduled checks consumed after it)."""
    now, schedule = context.now, context.schedule
    judgement = judge(check)
    outcome = judgement.outcome
    if outcome is CheckOutcome.RETRY:
        later = retry_at(now, row.first_seen_at, schedule)
        set_check_state(session, row.id, checked_at=None, next_check_at=later, checks=row.checks)
        return outcome, judgement.reason
    when, checks = next_check_at(row.first_seen_at, index, schedule, now)
    if outcome is CheckOutcome.DELETED:
        if row.status == MentionStatus.LIVE.value:
            set_mention_status(session, row.id, MentionStatus.DELETED, now)
        when = None
    set_check_state(session, row.id, checked_at=now, next_check_at=when, checks=checks)
    return outcome, judgement.reason


class HarvestPipeline(_Pipeline):
    """Stores ``PostHarvested`` items (see the module docstring). The progress callback
    moves once per page read (every answer the downloader gets: post pages, comment feeds,
    API pages, sources), not once per post, which left the bar at "0/6" for the whole
    harvest of a few posts (#18); a finished post is reported to its ``finished`` method."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Any:
        pipeline = super().from_crawler(crawler)
        if pipeline.context.progress is not None:
            crawler.signals.connect(pipeline.page_read, signal=signals.response_received)
        return pipeline

    def page_read(self, response: Response) -> None:
        """Scrapy's ``response_received``: one page read, whatever asked for it."""
        self._progress(response.url, f"HTTP {response.status}")

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, PostHarvested):
            return item
        report: HarvestReport = self.context.report
        try:
            with session_scope(self.context.engine) as session:
                line = self._store(session, item)
        except Exception as exc:
            logger.exception("could not store the harvest of %s", item.task.url)
            line = PostLine(item.task.url, item.task.title, error=f"not stored: {exc}"[:300])
        report.add(line)
        finished = getattr(self.context.progress, "finished", None)
        if callable(finished):
            finished(
                item.task.title or item.task.url, f"{line.total} linkbacks, {line.total_new} new"
            )
        return item

    def _store(self, session: Session, item: PostHarvested) -> PostLine:
        ctx, task = self.context, item.task
        line = _route_line(item)
        keys = [lb.key for lb in item.linkbacks]
        stored = linkback_rows(session, ctx.org, task.canonical_url, keys)
        first: list[Mention] = []
        again: list[Mention] = []
        recorded: list[tuple[str, MentionKind]] = []
        for lb in item.linkbacks:
            check = item.checks.get(lb.key)
            existing = [r for r in stored if r.document_url == lb.key]
            kind, relabel = reconcile(effective_kind(lb, check), [(r.id, r.kind) for r in existing])
            if relabel is not None:
                relabel_mention(session, relabel, kind)
            vias = found_vias(lb)
            mention = linkback_mention(
                ctx.org, lb, kind, check, post_title=task.title, via=vias[0], tz=ctx.tz
            )
            first.append(mention)
            again += [replace(mention, found_via=via) for via in vias[1:]]
            recorded.append((lb.key, kind))
            line.found[kind.value] = line.found.get(kind.value, 0) + 1
            if not existing:
                line.new[kind.value] = line.new.get(kind.value, 0) + 1
        # A post's first harvest turns up its archive: stored, in the digest, never alerted.
        record_mentions(session, first, ctx.now, backfill=task.first_harvest)
        record_mentions(session, again, ctx.now, backfill=task.first_harvest)
        self._first_checks(session, item, dict(recorded), line)
        if item.harvested:
            self._recheck_comments(session, item, line)
        if item.answered:
            mark_harvested(session, [task.post_id], ctx.now)
        return line

    def _recheck_comments(self, session: Session, item: PostHarvested, line: PostLine) -> None:
        """Plain comments edited, deleted or back (``crawler.harvest.comment_recheck``)."""
        seen = {lb.key: lb.excerpt[:CONTEXT_CHARS] for lb in item.linkbacks if lb.is_comment}
        stored = stored_comments(session, self.context.org, item.task.canonical_url)
        changes = comment_changes(
            [StoredComment(*row) for row in stored], seen, complete=listing_complete(item.routes)
        )
        apply_comment_changes(
            session, changes.deleted, changes.revived, changes.edited, self.context.now
        )
        line.deleted += len(changes.deleted)

    def _first_checks(
        self, session: Session, item: PostHarvested, kinds: dict[str, MentionKind], line: PostLine
    ) -> None:
        if not item.checks:
            return
        rows = linkback_rows(session, self.context.org, item.task.canonical_url, list(item.checks))
        for key, check in item.checks.items():
            kind = kinds.get(key)
            row = _row(rows, key, kind) if kind is not None else None
            if row is None:
                continue
            outcome, _ = apply_check(session, row, check, self.context, index=row.checks)
            line.sources_checked += 1
            if outcome is CheckOutcome.DELETED:
                line.deleted += 1
            elif outcome is not CheckOutcome.LIVE:
                line.source_errors += 1


def _route_line(item: PostHarvested) -> PostLine:
    line = PostLine(
        item.task.url,
        item.task.title,
        unresolved=item.unresolved,
        blocked=item.blocked,
        sources_skipped=item.skipped_checks,
    )
    for result in item.routes:
        if result.state is RouteState.OK:
            line.routes_ok.append(result.route)
        elif result.state is RouteState.UNAVAILABLE:
            line.routes_unavailable[result.route] = result.detail
        else:
            line.routes_failed[result.route] = result.detail
        if result.truncated:
            line.truncated.append(result.route)
    if not item.harvested:
        problems = [f"{r.route}: {r.detail}" for r in item.routes if r.detail]
        line.error = "no route answered" + (f" ({'; '.join(problems)})" if problems else "")
    return line


class RecheckPipeline(_Pipeline):
    """Applies ``SourceChecked`` re-checks to their mentions."""

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, SourceChecked):
            return item
        task = item.task
        report: RecheckReport = self.context.report
        first_seen = task.first_seen_at or self.context.now
        row = LinkbackRow(
            id=task.ref,
            document_url="",
            url=task.url,
            kind=task.kind,
            target=task.target,
            status=MentionStatus.LIVE.value,
            checked_at=None,
            next_check_at=None,
            checks=task.checks,
            first_seen_at=first_seen,
        )
        try:
            with session_scope(self.context.engine) as session:
                outcome, reason = apply_check(
                    session, row, item.check, self.context, index=task.checks + 1
                )
        except Exception as exc:
            logger.exception("could not store the re-check of %s", task.url)
            outcome, reason = CheckOutcome.RETRY, f"not stored: {exc}"[:300]
        report.add(CheckLine(task.url, task.target, task.kind, outcome.value, reason))
        self._progress(task.url, outcome.value)
        return item


class VerifyPipeline(_Pipeline):
    """Settles receipts from their ``SourceChecked`` items."""

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, SourceChecked) or item.task.receipt is None:
            return item
        report: VerifyReport = self.context.report
        task = item.task
        try:
            with session_scope(self.context.engine) as session:
                line, new, deleted = self._settle(session, item)
        except Exception as exc:
            logger.exception("could not store the verification of %s", task.url)
            line = CheckLine(task.url, task.target, task.kind, "queued", f"not stored: {exc}")
            new = deleted = 0
        report.add(line, new=new, deleted=deleted)
        self._progress(task.url, line.outcome)
        return item

    def _settle(self, session: Session, item: SourceChecked) -> tuple[CheckLine, int, int]:
        ctx, task, check = self.context, item.task, item.check
        assert task.receipt is not None
        verification = check.verification or Verification(
            linked=False, deleted=False, problem=check.problem
        )
        decision = decide(task.receipt, verification)
        state = decision.state
        if decision.retry:
            if not retry_receipt_later(session, task.ref, decision.reason, ctx.now):
                state = ReceiptState.REJECTED
        else:
            settle_receipt(session, task.ref, decision.state, decision.reason, ctx.now)
        new = deleted = 0
        key = source_key(task.url)
        rows = linkback_rows(session, ctx.org, task.target, [key])
        rows = [r for r in rows if r.kind != MentionKind.COMMENT.value]
        kind = decision.mention_kind
        if decision.state is ReceiptState.VERIFIED and kind is not None:
            kind, relabel = reconcile(kind, [(r.id, r.kind) for r in rows])
            if relabel is not None:
                relabel_mention(session, relabel, kind)
            mention = receipt_mention(ctx.org, task, check, kind)
            new = record_mentions(session, [mention], ctx.now).new
            self._schedule(session, task.target, key, kind, check)
        elif decision.delete_existing:
            for row in rows:
                if row.status == MentionStatus.LIVE.value:
                    set_mention_status(session, row.id, MentionStatus.DELETED, ctx.now)
                    set_check_state(
                        session, row.id, checked_at=ctx.now, next_check_at=None, checks=row.checks
                    )
                    deleted += 1
        line = CheckLine(task.url, task.target, kind.value if kind else "", state.value)
        line.reason = decision.reason
        return line, new, deleted

    def _schedule(
        self, session: Session, target: str, key: str, kind: MentionKind, check: SourceCheck
    ) -> None:
        row = _row(linkback_rows(session, self.context.org, target, [key]), key, kind)
        if row is None:
            return
        if row.status == MentionStatus.DELETED.value:  # a re-sent webmention put the link back
            set_mention_status(session, row.id, MentionStatus.LIVE, self.context.now)
            row = replace(row, status=MentionStatus.LIVE.value)
        apply_check(session, row, check, self.context, index=row.checks)
