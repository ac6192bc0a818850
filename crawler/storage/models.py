"""SQLAlchemy 2.0 models: one class a table, natural keys as named unique constraints.

Every write in mediamon is an upsert on a natural key (DESIGN.md "Data"), so re-running a crawl,
a crash half way or two workers at once never duplicate a row. Constraint names follow one
convention so that migrations are stable on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.sql.expression import false
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on both databases.

    SQLite has no time zone type and hands back naive values; storing UTC and re-attaching
    the zone on the way out keeps every datetime in the program aware, so comparisons between
    database values and ``datetime.now(UTC)`` never raise.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime given to the database: {value!r}")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UtcDateTime(),
        dict[str, Any]: JSON,
        list[Any]: JSON,
    }


class SourceRow(Base):
    """A place we watch, with its polling state (miniflux-style)."""

    __tablename__ = "sources"
    __table_args__ = (UniqueConstraint("org", "url"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(String(2048))
    org: Mapped[str] = mapped_column(String(200), default="")
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    type: Mapped[str] = mapped_column(String(20), default="feed")
    weight: Mapped[int] = mapped_column(Integer, default=1)
    language: Mapped[str] = mapped_column(String(20), default="")
    configured_url: Mapped[str] = mapped_column(String(2048), default="")
    discovered: Mapped[list[Any]] = mapped_column(JSON, default=list)
    etag: Mapped[str] = mapped_column(String(1024), default="")
    last_modified: Mapped[str] = mapped_column(String(200), default="")
    body_hash: Mapped[str] = mapped_column(String(64), default="")
    checked_at: Mapped[datetime | None] = mapped_column(default=None)
    next_check_at: Mapped[datetime | None] = mapped_column(default=None, index=True)
    interval_seconds: Mapped[int] = mapped_column(Integer, default=3600)
    failures: Mapped[float] = mapped_column(Float, default=0.0)
    health: Mapped[str] = mapped_column(String(20), default="ok")
    last_status: Mapped[int | None] = mapped_column(Integer, default=None)
    last_error: Mapped[str] = mapped_column(Text, default="")
    disabled_reason: Mapped[str] = mapped_column(Text, default="")
    redirect_url: Mapped[str] = mapped_column(String(2048), default="")
    redirect_count: Mapped[int] = mapped_column(Integer, default=0)
    entries_total: Mapped[int] = mapped_column(Integer, default=0)
    events: Mapped[list[Any]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime]


class HostRow(Base):
    """Per-host politeness state: a Retry-After applies to the whole host."""

    __tablename__ = "hosts"
    __table_args__ = (UniqueConstraint("host"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    host: Mapped[str] = mapped_column(String(255))
    blocked_until: Mapped[datetime | None] = mapped_column(default=None)
    reason: Mapped[str] = mapped_column(Text, default="")


class FeedFetchRow(Base):
    """The last full fetch of a feed URL that several organisations watch (#16): another
    organisation's poll due within ``crawl.shared_fetch_seconds`` reads it from here instead
    of fetching the feed again (``crawler.feeds.shared``). One row per (URL, fetch profile):
    the profile names what decides which server answers (the host's static address, the
    proxy, the allow-list), so two configs that would reach different servers never share."""

    __tablename__ = "feed_fetches"
    __table_args__ = (UniqueConstraint("url", "profile"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(String(2048))
    profile: Mapped[str] = mapped_column(String(64))
    org: Mapped[str] = mapped_column(String(200), default="")
    fetched_at: Mapped[datetime] = mapped_column(index=True)
    final_url: Mapped[str] = mapped_column(String(2048), default="")
    redirects: Mapped[list[Any]] = mapped_column(JSON, default=list)
    headers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    etag: Mapped[str] = mapped_column(String(1024), default="")
    last_modified: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[bytes] = mapped_column(LargeBinary)


class PostRow(Base):
    """A page the organisation published."""

    __tablename__ = "posts"
    __table_args__ = (UniqueConstraint("org", "canonical_url"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org: Mapped[str] = mapped_column(String(200))
    canonical_url: Mapped[str] = mapped_column(String(2048))
    url: Mapped[str] = mapped_column(String(2048))
    title: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[datetime | None] = mapped_column(default=None)
    comment_feed_url: Mapped[str] = mapped_column(String(2048), default="")
    comment_count: Mapped[int | None] = mapped_column(Integer, default=None)
    platform: Mapped[str] = mapped_column(String(20), default="generic")
    site_url: Mapped[str] = mapped_column(String(2048), default="")
    wp_post_id: Mapped[int | None] = mapped_column(Integer, default=None)
    last_harvested_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime]
    # The post inventory (#16): what the page declares, and a canonical on another site.
    canonical_link: Mapped[str] = mapped_column(String(2048), default="", server_default="")
    shortlink: Mapped[str] = mapped_column(String(2048), default="", server_default="")
    canonical_offsite: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class PostInventoryRow(Base):
    """The last post inventory of one of our sites: when, how many posts, and each route's
    outcome (an unavailable REST API is recorded here, and the other routes used)."""

    __tablename__ = "post_inventories"
    __table_args__ = (UniqueConstraint("org", "site_url"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org: Mapped[str] = mapped_column(String(200))
    site_url: Mapped[str] = mapped_column(String(2048))
    synced_at: Mapped[datetime]
    posts: Mapped[int] = mapped_column(Integer, default=0)
    routes: Mapped[list[Any]] = mapped_column(JSON, default=list)


class StoryRow(Base):
    """A cluster of near-duplicate documents (a wire story and its pickups)."""

    __tablename__ = "stories"
    __table_args__ = (UniqueConstraint("key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(64))
    original_document_id: Mapped[int | None] = mapped_column(Integer, default=None)
    created_at: Mapped[datetime]


class DocumentRow(Base):
    """One fetched page, keyed by its canonical URL."""

    __tablename__ = "documents"
    __table_args__ = (UniqueConstraint("canonical_url"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    canonical_url: Mapped[str] = mapped_column(String(2048))
    url: Mapped[str] = mapped_column(String(2048))
    title: Mapped[str] = mapped_column(Text, default="")
    author: Mapped[str] = mapped_column(Text, default="")
    site: Mapped[str] = mapped_column(String(255), default="")
    language: Mapped[str] = mapped_column(String(20), default="")
    published_at: Mapped[datetime | None] = mapped_column(default=None)
    fetched_at: Mapped[datetime]
    text: Mapped[str] = mapped_column(Text, default="")
    text_hash: Mapped[str] = mapped_column(String(64), default="")
    fingerprint: Mapped[int | None] = mapped_column(BigInteger, default=None)
    story_id: Mapped[int | None] = mapped_column(
        ForeignKey("stories.id", ondelete="SET NULL"), default=None, index=True
    )
    source_id: Mapped[int | None] = mapped_column(
        ForeignKey("sources.id", ondelete="SET NULL"), default=None
    )


class StoryBandRow(Base):
    """One MinHash LSH band key of a document's main text (crawler.press.fingerprint).

    Near-duplicate candidates are the documents that share a (band, key) with a new one: one
    indexed lookup instead of comparing against every stored text. Keyed (document, band), so
    re-fingerprinting a document overwrites its keys.
    """

    __tablename__ = "story_bands"
    __table_args__ = (
        UniqueConstraint("document_id", "band"),
        Index("ix_story_bands_band_key", "band", "key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    band: Mapped[int] = mapped_column(Integer)
    key: Mapped[int] = mapped_column(BigInteger)


class FeedEntryRow(Base):
    """Which entries a feed has shown, so an entry is stored once per feed whatever its guid."""

    __tablename__ = "feed_entries"
    __table_args__ = (UniqueConstraint("source_id", "entry_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    entry_key: Mapped[str] = mapped_column(String(512))
    link: Mapped[str] = mapped_column(String(2048), default="")
    document_id: Mapped[int | None] = mapped_column(
        ForeignKey("documents.id", ondelete="SET NULL"), default=None
    )
    first_seen_at: Mapped[datetime]
    article_due: Mapped[dict[str, Any] | None] = mapped_column(
        JSON(none_as_null=True), default=None
    )
    """The entry (its JSON form) while its article page is still to be read (#18): saved in
    the transaction that saves the feed's validators, cleared when the article is stored, so
    an interrupted poll reads it next run even if the feed then answers 304."""


class MentionRow(Base):
    """One coverage item. ``target`` is the URL of our post as the post publishes it
    (``posts.url``, whatever spelling the link used: #16), another page's canonical URL, or
    "" (never NULL, so the natural key works as a unique constraint on both databases)."""

    __tablename__ = "mentions"
    __table_args__ = (
        UniqueConstraint("org", "document_id", "kind", "target"),
        Index("ix_mentions_org_first_seen_at", "org", "first_seen_at"),
        Index("ix_mentions_org_first_seen_at_id", "org", "first_seen_at", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org: Mapped[str] = mapped_column(String(200))
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    target: Mapped[str] = mapped_column(String(2048), default="")
    post_id: Mapped[int | None] = mapped_column(
        ForeignKey("posts.id", ondelete="SET NULL"), default=None
    )
    source_id: Mapped[int | None] = mapped_column(
        ForeignKey("sources.id", ondelete="SET NULL"), default=None
    )
    # NULL (not []) when empty, so a later sighting with evidence can fill them in.
    queries: Mapped[list[Any] | None] = mapped_column(JSON(none_as_null=True), default=None)
    terms: Mapped[list[Any] | None] = mapped_column(JSON(none_as_null=True), default=None)
    snippet: Mapped[str] = mapped_column(Text, default="")
    hits: Mapped[list[Any] | None] = mapped_column(JSON(none_as_null=True), default=None)
    author: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")
    context: Mapped[str] = mapped_column(Text, default="")
    by_organisation: Mapped[bool] = mapped_column(Boolean, default=False)
    found_via: Mapped[str] = mapped_column(String(20))
    routes: Mapped[list[Any]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(20), default="live")
    first_seen_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    checked_at: Mapped[datetime | None] = mapped_column(default=None)
    next_check_at: Mapped[datetime | None] = mapped_column(default=None)
    checks: Mapped[int] = mapped_column(Integer, default=0)
    triage: Mapped[str | None] = mapped_column(String(20))
    """NULL (not triaged), relevant, irrelevant or spam: set by an editor in the web app
    (#20); the digest leaves out irrelevant and spam finds."""


class ReceiptRow(Base):
    """An incoming pingback / trackback / webmention, queued until its source is verified."""

    __tablename__ = "receipts"
    __table_args__ = (
        UniqueConstraint("protocol", "source", "target"),
        Index("ix_receipts_state_sender", "state", "sender"),
        Index("ix_receipts_state_target", "state", "target"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    protocol: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(2048))
    target: Mapped[str] = mapped_column(String(2048))
    received_at: Mapped[datetime]
    remote_addr: Mapped[str] = mapped_column(String(64), default="")
    state: Mapped[str] = mapped_column(String(20), default="queued", index=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    next_attempt_at: Mapped[datetime | None] = mapped_column(default=None)
    updated_at: Mapped[datetime | None] = mapped_column(default=None)
    sender: Mapped[str] = mapped_column(String(255), default="", server_default="")
    """The source's site (``crawler.matching.sites``): the fair queue drains round-robin by it."""
    expires_at: Mapped[datetime | None] = mapped_column(default=None)
    """When a receipt still queued is given up (``receiver.queue_expire_hours``)."""
    org: Mapped[str] = mapped_column(String(200), default="", server_default="")
    """The organisation owning the target (#16); ``''`` (older rows): any may verify it."""


class DigestRow(Base):
    """One organisation's digest for one day; ``state`` guards the send-at-most-once rule."""

    __tablename__ = "digests"
    __table_args__ = (UniqueConstraint("org", "day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org: Mapped[str] = mapped_column(String(200))
    day: Mapped[date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(20), default="rendered")
    rendered_at: Mapped[datetime | None] = mapped_column(default=None)
    path: Mapped[str] = mapped_column(String(2048), default="")
    message_id: Mapped[str] = mapped_column(String(255), default="")
    recipients: Mapped[list[Any]] = mapped_column(JSON, default=list)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    sent_at: Mapped[datetime | None] = mapped_column(default=None)
    next_attempt_at: Mapped[datetime | None] = mapped_column(default=None)


class CrawlRunRow(Base):
    """One run of a job (poll, crawl, harvest, digest ...), for `status` and the health footer."""

    __tablename__ = "crawl_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job: Mapped[str] = mapped_column(String(100), index=True)
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
    stats: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    exit_status: Mapped[int | None] = mapped_column(Integer, default=None)
    error: Mapped[str] = mapped_column(Text, default="")
    pid: Mapped[int | None] = mapped_column(Integer, default=None)
    org: Mapped[str] = mapped_column(String(200), default="", server_default="", index=True)
    """The organisation the run worked for (#16); ``''``: a run for the whole database."""
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    """What a queued ad-hoc crawl found and where it failed, for the CLI waiting for it
    (#19); NULL for every other run."""


class LeaseRow(Base):
    """A named lease (the active scheduler) that works on SQLite as well as PostgreSQL."""

    __tablename__ = "leases"
    __table_args__ = (UniqueConstraint("name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    holder: Mapped[str] = mapped_column(String(200), default="")
    expires_at: Mapped[datetime | None] = mapped_column(default=None)


class BlockRow(Base):
    """A blocked linkback source: a whole domain or one URL (spam control for the receiver
    and the harvester). Config blocklists are merged with these at run time."""

    __tablename__ = "blocklist"
    __table_args__ = (UniqueConstraint("org", "kind", "value"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # "domain" | "url"
    value: Mapped[str] = mapped_column(String(2048))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]
    org: Mapped[str] = mapped_column(String(200), default="", server_default="")
    """The organisation that blocked it (#16); ``''``: blocked for every organisation."""


class AlertEventRow(Base):
    """The transactional outbox (#21): one row per NEW mention, written in the transaction
    that inserts the mention, so a find is never stored without its alert being queued (nor
    queued without being stored). The sender expands it against the rules once."""

    __tablename__ = "alert_events"
    __table_args__ = (UniqueConstraint("mention_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org: Mapped[str] = mapped_column(String(200))
    mention_id: Mapped[int] = mapped_column(ForeignKey("mentions.id", ondelete="CASCADE"))
    created_at: Mapped[datetime]
    backfill: Mapped[bool] = mapped_column(Boolean, default=False)
    """Found by the first harvest of an archive: goes to the digest, never to alerts."""
    expanded_at: Mapped[datetime | None] = mapped_column(default=None, index=True)


class AlertDeliveryRow(Base):
    """One message of one rule: a find (unique on rule and mention, which is what makes
    "at most once per rule and find" hold for racing senders) or an "and N more" summary
    (``mention_id`` NULL). ``state`` moves pending -> sending -> sent | failed | summarised
    | skipped; a sender claims a row with a conditional UPDATE of that state."""

    __tablename__ = "alert_deliveries"
    __table_args__ = (
        UniqueConstraint("rule", "mention_id"),
        Index("ix_alert_deliveries_state_next_attempt_at", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org: Mapped[str] = mapped_column(String(200))
    rule: Mapped[str] = mapped_column(String(200))
    mention_id: Mapped[int | None] = mapped_column(
        ForeignKey("mentions.id", ondelete="CASCADE"), default=None
    )
    state: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]
    next_attempt_at: Mapped[datetime | None] = mapped_column(default=None)
    claimed_until: Mapped[datetime | None] = mapped_column(default=None)
    claimed_by: Mapped[str] = mapped_column(String(100), default="")
    sent_at: Mapped[datetime | None] = mapped_column(default=None)
    last_error: Mapped[str] = mapped_column(Text, default="")
    channels_done: Mapped[list[Any]] = mapped_column(JSON, default=list)
    """Indexes of the rule's channels that took the message: a retry skips them."""
    summary_count: Mapped[int] = mapped_column(Integer, default=0)
    """For a summary or batch row: how many finds it stands for."""
    title: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    """A summary or batch row's message, rendered once so a retry sends the same text."""


class AlertSpikeRow(Base):
    """One spike of one query (#21): open while the window stays above its threshold, so a
    spike is alerted once however many sender passes see it."""

    __tablename__ = "alert_spikes"
    __table_args__ = (
        Index(
            "uq_alert_spikes_open",
            "org",
            "rule",
            "query",
            unique=True,
            sqlite_where=text("ended_at IS NULL"),
            postgresql_where=text("ended_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org: Mapped[str] = mapped_column(String(200))
    rule: Mapped[str] = mapped_column(String(200))
    query: Mapped[str] = mapped_column(String(200))
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None] = mapped_column(default=None)
    count: Mapped[int] = mapped_column(Integer, default=0)
    baseline: Mapped[float] = mapped_column(Float, default=0.0)


class UserRow(Base):
    """A person who signs in to the web app (#20). ``orgs`` are the organisations granted
    (an admin sees all); ``auth_version`` goes up on a password change, which ends every
    session signed for the old one."""

    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    orgs: Mapped[list[Any]] = mapped_column(JSON, default=list)
    auth_version: Mapped[int] = mapped_column(Integer, default=1)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(default=None)
    last_login_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime]


class ApiTokenRow(Base):
    """A bearer token of the read API and feeds, for one organisation; only its sha256 is
    stored, so a leaked database leaks no token."""

    __tablename__ = "api_tokens"
    __table_args__ = (UniqueConstraint("name"), UniqueConstraint("token_hash"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64))
    org: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)


class AppSecretRow(Base):
    """A generated secret (the web session key), kept in the database so that every web
    process on it signs and checks the same cookies."""

    __tablename__ = "app_secrets"
    __table_args__ = (UniqueConstraint("name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    value: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime]


class TriageEventRow(Base):
    """One triage change of one mention; a ``batch`` is one click (one or many finds), undone
    together."""

    __tablename__ = "triage_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mention_id: Mapped[int] = mapped_column(
        ForeignKey("mentions.id", ondelete="CASCADE"), index=True
    )
    batch: Mapped[str] = mapped_column(String(32), index=True)
    user_name: Mapped[str] = mapped_column(String(100))
    old: Mapped[str | None] = mapped_column(String(20), default=None)
    new: Mapped[str | None] = mapped_column(String(20), default=None)
    at: Mapped[datetime]
    undone_at: Mapped[datetime | None] = mapped_column(default=None)


class WebSubSubscriptionRow(Base):
    """A WebSub subscription of one watched feed (#21): the hub and topic the feed
    advertised, the secret the hub signs its pushes with, and the callback token (the
    unguessable last segment of our callback URL). ``state`` moves subscribing -> active
    (the hub verified our intent) -> unsubscribing -> unsubscribed, or denied."""

    __tablename__ = "websub_subscriptions"
    __table_args__ = (UniqueConstraint("token"), UniqueConstraint("org", "topic"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org: Mapped[str] = mapped_column(String(200))
    source_id: Mapped[int | None] = mapped_column(
        ForeignKey("sources.id", ondelete="SET NULL"), default=None, index=True
    )
    topic: Mapped[str] = mapped_column(String(2048))
    hub: Mapped[str] = mapped_column(String(2048))
    token: Mapped[str] = mapped_column(String(64))
    secret: Mapped[str] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(20))
    lease_seconds: Mapped[int] = mapped_column(Integer, default=0)
    requested_at: Mapped[datetime]
    verified_at: Mapped[datetime | None] = mapped_column(default=None)
    expires_at: Mapped[datetime | None] = mapped_column(default=None, index=True)
    last_push_at: Mapped[datetime | None] = mapped_column(default=None)
    pushes: Mapped[int] = mapped_column(Integer, default=0)
    refused: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")


class WebSubCheckRow(Base):
    """When a watched feed was last looked at for a hub, and what was found: a feed
    without a hub is looked at again only after ``websub.recheck_hours``."""

    __tablename__ = "websub_checks"
    __table_args__ = (UniqueConstraint("source_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    checked_at: Mapped[datetime]
    hub: Mapped[str] = mapped_column(String(2048), default="")
    error: Mapped[str] = mapped_column(Text, default="")
