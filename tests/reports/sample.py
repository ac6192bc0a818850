"""A realistic day of coverage for the digest tests, stored through the real write paths.

Orbis Union (Europe/Zurich), digest day Monday 2 Nov 2026: every kind of mention, a wire
story with pickups, a late arrival, a new outlet, a date-less pingback, Arabic and Hebrew
items, two weeks of history for the chart, and a health footer with something in every list.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from crawler.config import Config, parse_config
from crawler.domain import Document, FoundVia, Hit, Mention, MentionKind, ReceiptState
from crawler.storage.db import session_scope
from crawler.storage.mentions import record_mentions
from crawler.storage.models import (
    DocumentRow,
    FeedEntryRow,
    PostRow,
    ReceiptRow,
    SourceRow,
    StoryRow,
)
from crawler.storage.runs import finish_run, start_run
from crawler.storage.sources import sync_sources

ORG = "Orbis Union"
TZ = "Europe/Zurich"
DAY = date(2026, 11, 2)
# Zurich is UTC+1 in November: the day runs 2026-11-01T23:00Z .. 2026-11-02T23:00Z.
DAY_START = datetime(2026, 11, 1, 23, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 3, 6, 0, tzinfo=UTC)  # 07:00 in Zurich, the morning after
POST_STANDARDS = "https://blog.orbis.example/2026/10/open-standards/"
POST_REPORT = "https://blog.orbis.example/2026/10/annual-report/"

CONFIG_TOML = {
    "organisation": {
        "name": ORG,
        "timezone": TZ,
        "sites": [{"url": "https://blog.orbis.example/", "platform": "wordpress"}],
    },
    "queries": [{"name": "org", "query": '"Orbis Union"'}],
    "sources": [
        {"name": "Daily Planet", "url": "https://dailyplanet.example/rss", "weight": 3},
        {"name": "Tech Chronicle", "url": "https://techchronicle.example/feed", "weight": 2},
        {"name": "Policy Notes", "url": "https://policynotes.example/feed", "kind": "blog"},
        {"name": "Quiet Gazette", "url": "https://quietgazette.example/rss"},
        {"name": "Broken Wire", "url": "https://brokenwire.example/rss"},
        {"name": "Gone Times", "url": "https://gonetimes.example/rss"},
    ],
    "digest": {
        "recipients": ["comms@orbis.example", "press@orbis.example"],
        "sender": "digest@orbis.example",
    },
}


def sample_config(env: dict[str, str] | None = None, **sections: dict[str, object]) -> Config:
    """The sample organisation's config, with sections overridden (e.g. ``smtp={...}``)."""
    data: dict[str, object] = {**CONFIG_TOML}
    for name, values in sections.items():
        data[name] = {**dict(data.get(name, {})), **values}  # type: ignore[call-overload]
    return parse_config(data, path="mediamon.toml", env=env or {})


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)


def sample_toml(**sections: dict[str, object]) -> str:
    """The sample config as a TOML file (for the CLI and the process-race tests)."""
    data: dict[str, Any] = {**CONFIG_TOML}
    for name, values in sections.items():
        data[name] = {**dict(data.get(name, {})), **values}
    lines: list[str] = []
    for name, section in data.items():
        if isinstance(section, list):
            for item in section:
                lines.append(f"[[{name}]]")
                lines += [f"{k} = {_toml_value(v)}" for k, v in item.items()]
            continue
        lines.append(f"[{name}]")
        for key, value in section.items():
            if isinstance(value, list) and value and isinstance(value[0], dict):
                continue
            lines.append(f"{key} = {_toml_value(value)}")
        for key, value in section.items():
            if isinstance(value, list) and value and isinstance(value[0], dict):
                for item in value:
                    lines.append(f"[[{name}.{key}]]")
                    lines += [f"{k} = {_toml_value(v)}" for k, v in item.items()]
    return "\n".join(lines) + "\n"


def at(hour: int, minute: int = 0, day: date = DAY) -> datetime:
    """A local (Zurich, UTC+1) time on ``day`` as UTC."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC) - timedelta(hours=1)


def doc(
    url: str,
    title: str,
    site: str,
    published: datetime | None = None,
    language: str = "en",
    author: str = "",
) -> Document:
    return Document(
        canonical_url=url,
        url=url,
        title=title,
        site=site,
        published_at=published,
        language=language,
        author=author,
    )


def mention(document: Document, kind: MentionKind, source: str = "", **kw: object) -> Mention:
    via = FoundVia.COMMENTS if kind.is_linkback else FoundVia.FEED
    return Mention(
        org=ORG,
        document=document,
        kind=kind,
        found_via=kw.pop("found_via", via),  # type: ignore[arg-type]
        source_name=source,
        **kw,  # type: ignore[arg-type]
    )


SNIPPET_WIRE = "Geneva — The Orbis Union on Monday backed open standards for public data."
WIRE = doc(
    "https://dailyplanet.example/2026/11/02/orbis-open-standards",
    "Orbis Union backs open standards for public data",
    "dailyplanet.example",
    at(8, 15),
    author="Ada Reporter",
)


def day_mentions() -> list[tuple[datetime, list[Mention]]]:
    """The digest day's finds, in the order they were discovered."""
    start = SNIPPET_WIRE.index("Orbis Union")
    hit = (Hit("Orbis Union", start, start + len("Orbis Union")),)
    return [
        (
            at(8, 40),
            [
                mention(
                    WIRE,
                    MentionKind.PRESS,
                    "Daily Planet",
                    queries=("org",),
                    terms=('"Orbis Union"',),
                    snippet=SNIPPET_WIRE,
                    hits=hit,
                ),
                mention(
                    doc(
                        "https://techchronicle.example/news/orbis-standards",
                        "Orbis Union backs open standards (wire)",
                        "techchronicle.example",
                        at(9, 5),
                    ),
                    MentionKind.PRESS,
                    "Tech Chronicle",
                    queries=("org",),
                    terms=('"Orbis Union"',),
                    snippet=SNIPPET_WIRE,
                    hits=hit,
                ),
            ],
        ),
        (
            at(10, 2),
            [
                mention(
                    doc(
                        "https://wire.example/orbis-union-open-standards",
                        "Orbis Union backs open standards",
                        "wire.example",
                        at(8, 0),
                    ),
                    MentionKind.PRESS,
                    queries=("org",),
                    terms=('"Orbis Union"',),
                    snippet=SNIPPET_WIRE,
                    hits=hit,
                ),
                mention(
                    doc(
                        "https://techchronicle.example/analysis/budget",
                        "What the budget means for research networks",
                        "techchronicle.example",
                        at(7, 30),
                    ),
                    MentionKind.PRESS,
                    "Tech Chronicle",
                    queries=("org",),
                    terms=('"Orbis Union"',),
                    snippet="Among the winners is the orbis union, whose network grant doubled.",
                ),
                mention(
                    doc(
                        "https://policynotes.example/2026/11/orbis",
                        "Notes on the Orbis Union's standards push",
                        "policynotes.example",
                        at(9, 45),
                    ),
                    MentionKind.BLOG,
                    "Policy Notes",
                    queries=("org",),
                    terms=('"Orbis Union"',),
                    snippet="I think the Orbis Union is right about open standards.",
                    hits=(Hit("Orbis Union", 12, 23),),
                ),
            ],
        ),
        (
            at(11, 30),
            [
                mention(
                    doc(
                        "https://someblog.example/2026/11/standards-roundup/",
                        "Standards roundup",
                        "someblog.example",
                        at(11, 0),
                        author="Sam Blogger",
                    ),
                    MentionKind.PINGBACK,
                    target=POST_STANDARDS,
                    context="…as the Orbis Union argues in its post on open standards, the case…",
                ),
                mention(
                    doc(
                        "https://oldschool.example/tb/1234",
                        "Trackback from an old-school blog",
                        "oldschool.example",
                        None,
                    ),
                    MentionKind.TRACKBACK,
                    target=POST_STANDARDS,
                    context="read the Orbis Union post",
                ),
                mention(
                    doc(
                        "https://linker.example/links/weekly",
                        "Weekly links",
                        "linker.example",
                        at(6, 0),
                    ),
                    MentionKind.LINK,
                    target=POST_STANDARDS,
                    context="Worth reading: why open standards matter.",
                    found_via=FoundVia.CRAWL,
                ),
                mention(
                    doc(
                        "https://blog.orbis.example/2026/10/open-standards/#comment-12",
                        "Comment by Reader One",
                        "blog.orbis.example",
                        at(10, 50),
                        author="Reader One",
                    ),
                    MentionKind.COMMENT,
                    target=POST_STANDARDS,
                    context="Great post, but what about legacy formats?",
                ),
                mention(
                    doc(
                        "https://blog.orbis.example/2026/10/open-standards/#comment-13",
                        "Comment by Orbis Union",
                        "blog.orbis.example",
                        at(11, 20),
                        author="Orbis Union",
                    ),
                    MentionKind.COMMENT,
                    target=POST_STANDARDS,
                    context="Thanks! Legacy formats get a migration path.",
                    by_organisation=True,
                ),
            ],
        ),
        (
            at(15, 10),
            [
                mention(
                    doc(
                        "https://reblogger.example/2026/11/02/annual-report/",
                        "Orbis Union's annual report",
                        "reblogger.example",
                        at(14, 0),
                    ),
                    MentionKind.REBLOG,
                    target=POST_REPORT,
                    note="Reblogged this on Reblogger and commented: worth a read.",
                    context="Reblogged this on Reblogger",
                ),
                mention(
                    doc(
                        "https://indie.example/notes/42",
                        "",
                        "indie.example",
                        at(15, 0),
                    ),
                    MentionKind.WEBMENTION,
                    target=POST_REPORT,
                    context="Liked the annual report from @orbis.",
                    found_via=FoundVia.RECEIVER,
                ),
                mention(
                    doc(
                        "https://arabnews.example/2026/11/orbis",
                        "اتحاد أوربيس يدعم المعايير المفتوحة",
                        "arabnews.example",
                        at(13, 0),
                        language="ar",
                    ),
                    MentionKind.PRESS,
                    queries=("org",),
                    terms=("Orbis Union",),
                    snippet="قال متحدث باسم Orbis Union إن المعايير المفتوحة ضرورية.",
                ),
                mention(
                    doc(
                        "https://hebrewblog.example/posts/orbis",
                        "איגוד אורביס והתקנים הפתוחים",
                        "hebrewblog.example",
                        at(12, 0),
                        language="he",
                    ),
                    MentionKind.PINGBACK,
                    target=POST_REPORT,
                    context="הדוח השנתי של Orbis Union מעניין מאוד",
                ),
            ],
        ),
        (
            at(18, 45),
            [
                mention(
                    doc(
                        "https://dailyplanet.example/2026/10/20/archive-feature",
                        "From the archive: a decade of Orbis Union",
                        "dailyplanet.example",
                        at(9, 0, date(2026, 10, 20)),
                    ),
                    MentionKind.PRESS,
                    "Daily Planet",
                    queries=("org",),
                    terms=('"Orbis Union"',),
                    snippet="Ten years ago the Orbis Union was a two-person project.",
                    hits=(Hit("Orbis Union", 18, 29),),
                ),
            ],
        ),
    ]


HISTORY = [3, 5, 2, 0, 4, 6, 3, 2, 5, 4, 1, 3, 7]  # D-13 .. D-1


def history_mentions() -> list[tuple[datetime, list[Mention]]]:
    """Two weeks before the day, for the chart, the averages and "seen before" outlets."""
    out = []
    for offset, n in enumerate(HISTORY):
        day = DAY - timedelta(days=len(HISTORY) - offset)
        batch = []
        for i in range(n):
            site = "dailyplanet.example" if i % 2 == 0 else "techchronicle.example"
            kind = MentionKind.PRESS if i % 3 else MentionKind.PINGBACK
            batch.append(
                mention(
                    doc(
                        f"https://{site}/old/{day.isoformat()}/{i}", f"Old {i}", site, at(9, 0, day)
                    ),
                    kind,
                    target=POST_STANDARDS if kind is MentionKind.PINGBACK else "",
                )
            )
        if batch:
            out.append((at(12, 0, day), batch))
    return out


def _posts(session: Session) -> None:
    for url, title in (
        (POST_STANDARDS, "Why open standards matter"),
        (POST_REPORT, "Our annual report 2026"),
    ):
        session.add(
            PostRow(
                org=ORG,
                canonical_url=url,
                url=url,
                title=title,
                created_at=NOW - timedelta(days=40),
            )
        )
    session.flush()


def _health(session: Session) -> None:
    session.execute(
        update(SourceRow)
        .where(
            SourceRow.name.in_(["Daily Planet", "Tech Chronicle", "Policy Notes", "Quiet Gazette"])
        )
        .values(checked_at=at(22, 0), last_status=200)
    )
    session.execute(
        update(SourceRow)
        .where(SourceRow.name == "Broken Wire")
        .values(
            health="failing",
            last_status=503,
            last_error="Service Unavailable",
            checked_at=at(21, 0),
        )
    )
    session.execute(
        update(SourceRow)
        .where(SourceRow.name == "Gone Times")
        .values(
            health="dead",
            last_status=410,
            last_error="Gone",
            checked_at=at(3, 0, date(2026, 10, 28)),
        )
    )
    planet = session.query(SourceRow).filter_by(name="Daily Planet").one()
    session.add(
        FeedEntryRow(source_id=planet.id, entry_key="e1", link=WIRE.url, first_seen_at=at(8, 40))
    )
    ok = start_run(session, "poll", at(8, 0))
    finish_run(session, ok, at(8, 1), stats={"sources": 6})
    bad = start_run(session, "poll", at(14, 0))
    finish_run(session, bad, at(14, 2), exit_status=1, error="crawl timed out after 600 s")
    old = start_run(session, "poll", at(14, 0, date(2026, 11, 1)))
    finish_run(session, old, at(14, 1), exit_status=2, error="yesterday's error: not shown")
    session.add_all(
        [
            ReceiptRow(
                protocol="webmention",
                source="https://spam.example/casino",
                target=POST_REPORT,
                received_at=at(16, 0),
                state=ReceiptState.REJECTED.value,
                reason="source does not link to target",
                updated_at=at(16, 1),
                payload={},
            ),
            ReceiptRow(
                protocol="pingback",
                source="https://someblog.example/2026/11/standards-roundup/",
                target=POST_STANDARDS,
                received_at=at(11, 0),
                state=ReceiptState.VERIFIED.value,
                payload={},
            ),
        ]
    )


def _story(session: Session) -> None:
    ids = dict(
        session.query(DocumentRow.canonical_url, DocumentRow.id).filter(
            DocumentRow.title.like("%open standards%")
        )
    )
    story = StoryRow(key="wire-1", original_document_id=ids[WIRE.canonical_url], created_at=NOW)
    session.add(story)
    session.flush()
    session.execute(
        update(DocumentRow)
        .where(
            DocumentRow.canonical_url.in_(
                [
                    WIRE.canonical_url,
                    "https://techchronicle.example/news/orbis-standards",
                    "https://wire.example/orbis-union-open-standards",
                ]
            )
        )
        .values(story_id=story.id)
    )


def seed(engine: Engine, config: Config | None = None) -> Config:
    """Store the whole sample through sync_sources, record_mentions and the run log."""
    config = config or sample_config()
    with session_scope(engine) as s:
        sync_sources(s, config, DAY_START - timedelta(days=30))
        _posts(s)
    for when, batch in [*history_mentions(), *day_mentions()]:
        with session_scope(engine) as s:
            record_mentions(s, batch, when)
    with session_scope(engine) as s:
        _story(s)
        _health(s)
    return config
