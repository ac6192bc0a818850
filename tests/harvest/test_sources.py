"""Source pages that misbehave, for re-checks and receipt verification (linkbacks.md 37–40).

A redirect is followed, a redirect loop fails (not hangs), a 20 MB page is aborted at the
body limit, a slow page times out, 410 / a "410 Gone" meta tombstone / a removed link mark
the mention deleted, a 503 keeps it and retries. The address guard refuses loopback,
private, link-local and IPv6 loopback sources unless the config allows them.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from crawler.domain import Document, FoundVia, Mention, MentionKind, Protocol
from crawler.linkbacks.verify import RESPONSE_NOTES
from crawler.matching.urls import canonicalize_url
from crawler.receiver.decide import WAS_VERIFIED
from crawler.storage.db import make_engine, session_scope
from crawler.storage.mentions import record_mentions
from crawler.storage.migrate import upgrade
from crawler.storage.receipts import find_receipt, queue_receipt
from sampleweb.server.router import SampleWeb
from tests.harvest.conftest import (
    FIXTURE_HOST,
    NOW,
    FixtureSite,
    stored_mentions,
    write_config,
)
from tests.helpers import in_child

pytestmark = pytest.mark.slow
ORG = "Orbital Registry Agency"
#: A second name of the fixture server, for the source that answers 503 with Retry-After.
BUSY_HOST = "busy.fixtures-two.test"


def serve_sources(site: FixtureSite) -> tuple[str, dict[str, str]]:
    """The fixture sources and the post they (used to) link to."""
    post = site.url("/2024/03/post/")
    site.add("/src/ok", 200, f'<title>Links</title><p>We read <a href="{post}">it</a>.</p>')
    site.add("/src/redirect", 301, "", Location=site.url("/src/ok"))
    site.add("/src/gone", 410, "<title>Gone</title>")
    site.add("/src/nolink", 200, "<title>Edited</title><p>No link any more.</p>")
    tombstone = '<meta http-equiv="Status" content="410 Gone"><title>Deleted</title>'
    site.add("/src/tombstone", 200, f'{tombstone}<p><a href="{post}">old link</a></p>')
    site.add("/src/flaky", 503, "<title>Busy</title>", Retry_After="1")
    names = ("ok", "redirect", "gone", "nolink", "tombstone")
    urls = {n: site.url(f"/src/{n}") for n in names}
    # On a host of its own: its Retry-After holds back that host only, so whether the
    # redirect's second hop comes before or after the 503 decides nothing.
    urls["flaky"] = site.url("/src/flaky").replace(FIXTURE_HOST, BUSY_HOST, 1)
    return canonicalize_url(post), urls


def _migrated(url: str) -> None:
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()


def _config(tmp_path: Path, web: SampleWeb, **kw: object) -> Path:
    return write_config(
        tmp_path / "mediamon.toml",
        web,
        extra_hosts={FIXTURE_HOST: "127.0.0.1", BUSY_HOST: "127.0.0.1"},
        **kw,  # type: ignore[arg-type]
    )


def test_recheck_deletes_gone_sources_and_keeps_transient_failures(
    web: SampleWeb, fixture_site: FixtureSite, sqlite_url: str, tmp_path: Path
) -> None:
    _migrated(sqlite_url)
    target, sources = serve_sources(fixture_site)
    trouble = web.truth()["endpoints"]
    sources |= {n: trouble[n] for n in ("redirect_loop", "huge_page", "slow", "error_500")}
    first_seen = NOW - timedelta(days=2)  # stored by another route, never checked: due
    mentions = [
        Mention(ORG, Document(canonicalize_url(url), url), MentionKind.PINGBACK, FoundVia.API,
                target=target)
        for url in sources.values()
    ]  # fmt: skip
    engine = make_engine(sqlite_url)
    with session_scope(engine) as session:
        record_mentions(session, mentions, first_seen)
    engine.dispose()

    report = in_child("recheck", str(_config(tmp_path, web)), sqlite_url, timeout=60, now=NOW)
    assert report.exit_status == 0, report.error
    outcomes = {line.url: (line.outcome, line.reason) for line in report.lines}
    expected = {
        "ok": "live",
        "redirect": "live",  # 301 followed (case 37)
        "gone": "deleted",  # HTTP 410 (case 39)
        "tombstone": "deleted",  # meta 410
        "nolink": "deleted",  # link removed
        "flaky": "retry",  # 503: kept, tried again (case 40)
        "error_500": "retry",
        "slow": "retry",  # timeout (case 38)
        "redirect_loop": "kept",  # too many redirects: failure, not a hang (case 37)
        "huge_page": "kept",  # aborted at the body limit (case 38)
    }
    assert {name: outcomes[url][0] for name, url in sources.items()} == expected
    assert outcomes[sources["redirect_loop"]][1] == "too many redirects"
    assert "body too large" in outcomes[sources["huge_page"]][1]
    assert outcomes[sources["slow"]][1] == "timeout"
    assert report.checked == len(sources)
    assert (report.live, report.deleted, report.retry, report.kept) == (2, 3, 3, 2)

    stored = {m.url: m for m in stored_mentions(sqlite_url)}
    for name, outcome in expected.items():
        mention = stored[sources[name]]
        assert mention.status == ("deleted" if outcome == "deleted" else "live"), name
        if outcome == "retry":
            assert mention.next_check_at == NOW + timedelta(hours=1)
        elif outcome == "deleted":
            assert mention.next_check_at is None
        else:  # the 1-day check is done (late), the 7-day one is next
            assert mention.next_check_at == first_seen + timedelta(days=7)

    again = in_child("recheck", str(_config(tmp_path, web)), sqlite_url, timeout=60, now=NOW)
    assert again.checked == 0  # nothing due until the retries' hour has passed


def test_verify_settles_receipts_and_deletes_removed_links(
    web: SampleWeb, fixture_site: FixtureSite, sqlite_url: str, tmp_path: Path
) -> None:
    _migrated(sqlite_url)
    target, sources = serve_sources(fixture_site)
    trouble = web.truth()["endpoints"]
    cases = [
        (Protocol.WEBMENTION, sources["ok"], {}, "verified"),
        (Protocol.PINGBACK, sources["redirect"], {}, "verified"),
        (Protocol.PINGBACK, sources["nolink"], {}, "rejected"),
        (Protocol.WEBMENTION, sources["gone"], {WAS_VERIFIED: True}, "rejected"),
        (Protocol.WEBMENTION, sources["flaky"], {}, "queued"),
        (Protocol.PINGBACK, trouble["redirect_loop"], {}, "rejected"),
        (Protocol.PINGBACK, trouble["huge_page"], {}, "rejected"),
        (Protocol.PINGBACK, trouble["slow"], {}, "queued"),
    ]
    reblog = next(i for i in web.truth()["linkbacks"] if i["kind"] == "reblog" and i["note"])
    engine = make_engine(sqlite_url)
    with session_scope(engine) as session:
        # A pingback whose source is a WordPress.com reblog of the post: a reblog (case 54).
        reblog_target = canonicalize_url(reblog["target"])
        queue_receipt(session, Protocol.PINGBACK, reblog["source"], reblog_target, now=NOW)
        # The webmention from "gone" had been verified before: its mention exists.
        gone = Document(canonicalize_url(sources["gone"]), sources["gone"])
        record_mentions(
            session,
            [Mention(ORG, gone, MentionKind.WEBMENTION, FoundVia.RECEIVER, target=target)],
            NOW - timedelta(days=3),
        )
        for protocol, source, payload, _ in cases:
            queue_receipt(session, protocol, source, target, now=NOW, payload=payload)
    engine.dispose()

    report = in_child("verify", str(_config(tmp_path, web)), sqlite_url, timeout=60, now=NOW)
    assert report.exit_status == 0, report.error
    assert report.receipts == len(cases) + 1
    assert (report.verified, report.retried, report.deleted) == (3, 2, 1)
    engine = make_engine(sqlite_url)
    with session_scope(engine) as session:
        for protocol, source, _, state in cases:
            row = find_receipt(session, protocol, source, target)
            assert row is not None
            assert row.state == state, (source, row.reason)
            if state == "queued":
                assert row.attempts == 1
                assert row.next_attempt_at is not None
    engine.dispose()
    stored = {(m.url, m.kind): m for m in stored_mentions(sqlite_url)}
    ok = stored[(sources["ok"], "webmention")]
    assert (ok.status, ok.found_via, ok.title) == ("live", "receiver", "Links")
    assert ok.next_check_at == NOW + timedelta(days=1)  # re-checked like harvested ones
    assert stored[(sources["redirect"], "pingback")].status == "live"
    assert stored[(sources["gone"], "webmention")].status == "deleted"
    assert (sources["nolink"], "pingback") not in stored
    reblogged = stored[(reblog["source"], "reblog")]
    assert (reblogged.note, reblogged.found_via) == (reblog["note"], "receiver")


def test_verify_folds_the_plain_link_of_the_same_page(
    web: SampleWeb, fixture_site: FixtureSite, sqlite_url: str, tmp_path: Path
) -> None:
    """Superseded links are retired in the receiver's flow too (#16): the crawler stored the
    page as a plain link, then its webmention is verified: one find, the stronger kind."""
    _migrated(sqlite_url)
    target, sources = serve_sources(fixture_site)
    page = Document(canonicalize_url(sources["ok"]), sources["ok"], title="Links")
    engine = make_engine(sqlite_url)
    with session_scope(engine) as session:
        record_mentions(
            session,
            [Mention(ORG, page, MentionKind.LINK, FoundVia.CRAWL, target=target)],
            NOW - timedelta(days=1),
        )
        queue_receipt(session, Protocol.WEBMENTION, sources["ok"], target, now=NOW)
    engine.dispose()
    report = in_child("verify", str(_config(tmp_path, web)), sqlite_url, timeout=60, now=NOW)
    assert report.exit_status == 0, report.error
    assert report.verified == 1
    [found] = [m for m in stored_mentions(sqlite_url) if m.url == sources["ok"]]
    assert found.kind == "webmention"
    assert {"crawl", "receiver"} <= set(found.routes)  # the link's route is kept


def test_verify_records_social_responses_as_such(
    web: SampleWeb, fixture_site: FixtureSite, sqlite_url: str, tmp_path: Path
) -> None:
    """brid.gy-style webmentions through the receiver's flow (#16): a like, a repost and a
    reply (h-entry ``u-like-of``, ``u-repost-of``, ``u-in-reply-to`` naming the post) are
    stored as webmentions noted as such; a plain h-entry link is a plain webmention."""
    _migrated(sqlite_url)
    target, _ = serve_sources(fixture_site)
    post = fixture_site.url("/2024/03/post/")
    props = {"like": "u-like-of", "repost": "u-repost-of", "reply": "u-in-reply-to", "": ""}
    sources = {}
    for response, prop in props.items():
        path = f"/social/{response or 'plain'}"
        fixture_site.add(
            path,
            200,
            '<title>A response</title><article class="h-entry">'
            '<a class="p-author h-card" href="https://social.test/@ana">Ana</a> '
            f'<a class="{prop}" href="{post}">{post}</a></article>',
        )
        sources[response] = fixture_site.url(path)
    engine = make_engine(sqlite_url)
    with session_scope(engine) as session:
        for source in sources.values():
            queue_receipt(session, Protocol.WEBMENTION, source, target, now=NOW)
    engine.dispose()
    report = in_child("verify", str(_config(tmp_path, web)), sqlite_url, timeout=60, now=NOW)
    assert report.exit_status == 0, report.error
    stored = {m.url: m for m in stored_mentions(sqlite_url)}
    for response, source in sources.items():
        assert stored[source].kind == "webmention", response
        assert stored[source].note == RESPONSE_NOTES.get(response, ""), response


def test_the_address_guard_refuses_private_sources(
    web: SampleWeb, sqlite_url: str, tmp_path: Path
) -> None:
    _migrated(sqlite_url)
    truth = web.truth()
    post = truth["posts"][0]["url"]
    target = canonicalize_url(post)
    port = truth["port"]
    blog = next(i["source"] for i in truth["linkbacks"] if i["kind"] == "pingback")
    refused = [
        f"http://127.0.0.1:{port}/",
        "http://10.0.0.1/intranet/",
        f"http://[::1]:{port}/",
        "http://169.254.169.254/latest/meta-data/",
        # a sample-web name that resolves to 127.0.0.1, not allowed by this config
        blog,
    ]
    own_site = web.url(web.world.org.host, "/")  # from the config: trusted
    engine = make_engine(sqlite_url)
    with session_scope(engine) as session:
        for source in [*refused, own_site]:
            queue_receipt(session, Protocol.PINGBACK, source, target, now=NOW)
    engine.dispose()
    config = _config(tmp_path, web, allow_loopback=False)
    report = in_child("verify", str(config), sqlite_url, timeout=60, now=NOW)
    assert report.exit_status == 0, report.error
    reasons = {line.url: (line.outcome, line.reason) for line in report.lines}
    for source in refused:
        outcome, reason = reasons[source]
        assert outcome == "rejected", source
        assert reason.startswith("address guard:"), (source, reason)
    assert reasons[own_site][0] == "verified"  # fetched: the blog's home page links the post
    assert [m.url for m in stored_mentions(sqlite_url)] == [own_site]
