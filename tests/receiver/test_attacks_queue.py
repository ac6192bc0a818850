"""Issue 17, findings 7, 8 and 9, over a real socket: per-sender limits by registrable
domain, re-sends that cannot reset the retry budget, and a bounded, fair, expiring queue.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from urllib.parse import quote

from sqlalchemy.engine import Engine

from crawler.domain import Protocol, ReceiptState
from crawler.linkbacks.xmlrpc import (
    FAULT_SOURCE_NOT_FOUND,
    build_ping_request,
    parse_method_response,
)
from crawler.storage.db import session_scope
from crawler.storage.receipts import (
    due_receipts,
    expire_receipts,
    find_receipt,
    retry_receipt_later,
    settle_receipt,
)
from tests.receiver.conftest import NOW, POSTS, Live, add_posts, make_config, receipts


class Clock:
    """The receiver's clock, moved by the test."""

    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


def mention(live: Live, source: str, target: str = POSTS[0]) -> int:
    return live.post_form("/webmention", {"source": source, "target": target}).status


# ----------------------------------------------------------------------------- finding 7


def test_per_sender_limit_keys_on_the_registrable_domain(
    serve: Callable[..., Live], sqlite_engine: Engine
) -> None:
    add_posts(sqlite_engine)
    live = serve(make_config(per_domain_per_minute=3), sqlite_engine)
    answers = [mention(live, f"https://s{i}.spam.example.net/p") for i in range(6)]
    assert answers == [202, 202, 202, 429, 429, 429]
    reply = live.post_form(
        "/webmention", {"source": "https://s9.spam.example.net/p", "target": POSTS[0]}
    )
    assert int(reply.headers["retry-after"]) >= 1
    assert "from example.net;" in reply.text
    # blogs on one platform are different senders, and a genuine sender is not affected
    blogs = [mention(live, f"https://{name}.blogspot.com/p") for name in "abcd"]
    assert blogs == [202] * 4
    blogs = [mention(live, f"https://{name}.wordpress.com/p") for name in "abcd"]
    assert blogs == [202] * 4
    assert mention(live, "https://news.example.org/story") == 202
    assert len(receipts(sqlite_engine)) == 3 + 8 + 1


# ----------------------------------------------------------------------------- finding 8


def test_a_resend_keeps_attempts_and_backoff(serve: Callable[..., Live], engine: Engine) -> None:
    add_posts(engine)
    clock = Clock()
    live = serve(make_config(), engine, clock=clock)
    source = "https://news.example.net/flaky"
    assert mention(live, source) == 202
    with session_scope(engine) as session:
        row = find_receipt(session, Protocol.WEBMENTION, source, POSTS[0])
        assert row is not None
        assert retry_receipt_later(session, row.id, "HTTP 503", NOW)
        assert retry_receipt_later(session, row.id, "HTTP 503", NOW)
    [before] = receipts(engine)
    clock.now = NOW + timedelta(minutes=1)
    for _ in range(5):
        assert mention(live, source) == 202
    [after] = receipts(engine)
    assert (after.state, after.attempts) == ("queued", 2)
    assert after.next_attempt_at == before.next_attempt_at
    assert after.received_at == before.received_at


def test_a_resend_of_a_final_receipt_is_answered_without_a_new_fetch(
    serve: Callable[..., Live], engine: Engine
) -> None:
    add_posts(engine)
    clock = Clock()
    live = serve(make_config(), engine, clock=clock)
    guarded = "https://inward.example.net/meta"
    bomb = "https://bomb.example.net/big"
    flaky = "https://flaky.example.net/p"
    ping = "https://ping.example.net/p"
    track = "https://track.example.net/p"
    for source in (guarded, bomb, flaky):
        assert mention(live, source) == 202
    reply = live.post_xml(build_ping_request(ping, POSTS[1]))
    assert parse_method_response(reply.body).fault is None
    path = f"/trackback?target={quote(POSTS[2], safe='')}"
    reply = live.post_form(path, {"url": track})
    assert b"<error>0</error>" in reply.body
    with session_scope(engine) as session:
        for protocol, source, target, reason in (
            (
                Protocol.WEBMENTION,
                guarded,
                POSTS[0],
                "address guard: 10.0.0.1 is a private address",
            ),
            (Protocol.WEBMENTION, bomb, POSTS[0], "body too large (decompressed)"),
            (Protocol.PINGBACK, ping, POSTS[1], "HTTP 404"),
            (Protocol.TRACKBACK, track, POSTS[2], "unsupported type application/pdf"),
        ):
            row = find_receipt(session, protocol, source, target)
            assert row is not None
            settle_receipt(session, row.id, ReceiptState.REJECTED, reason, NOW)
        row = find_receipt(session, Protocol.WEBMENTION, flaky, POSTS[0])
        assert row is not None
        for _ in range(5):
            retry_receipt_later(session, row.id, "HTTP 503", NOW)
    clock.now = NOW + timedelta(hours=1)
    for source, reason in (
        (guarded, "address guard"),
        (bomb, "body too large"),
        (flaky, "gave up"),
    ):
        reply = live.post_form("/webmention", {"source": source, "target": POSTS[0]})
        assert reply.status == 400, reply.text
        assert reason in reply.text
    fault = parse_method_response(live.post_xml(build_ping_request(ping, POSTS[1])).body).fault
    assert fault is not None
    assert fault.code == FAULT_SOURCE_NOT_FOUND
    assert "HTTP 404" in fault.string
    reply = live.post_form(path, {"url": track})
    assert b"<error>1</error>" in reply.body
    assert b"unsupported type" in reply.body
    assert {r.state for r in receipts(engine)} == {"rejected"}
    # once the recheck delay has passed, a re-send is checked again
    clock.now = NOW + timedelta(hours=25)
    assert mention(live, guarded) == 202
    row_states = {r.source: r.state for r in receipts(engine)}
    assert row_states[guarded] == "queued"
    assert row_states[bomb] == "rejected"


def test_a_resend_after_a_content_verdict_is_checked_again(
    serve: Callable[..., Live], sqlite_engine: Engine
) -> None:
    add_posts(sqlite_engine)
    live = serve(make_config(), sqlite_engine)
    source = "https://fixed.example.net/p"
    assert mention(live, source) == 202
    with session_scope(sqlite_engine) as session:
        row = find_receipt(session, Protocol.WEBMENTION, source, POSTS[0])
        assert row is not None
        settle_receipt(
            session, row.id, ReceiptState.REJECTED, "source does not link to target", NOW
        )
    assert mention(live, source) == 202  # the sender fixed the page: look again
    [row] = receipts(sqlite_engine)
    assert (row.state, row.attempts) == ("queued", 0)


# ----------------------------------------------------------------------------- finding 9


def test_queue_caps_per_target_and_global(serve: Callable[..., Live], engine: Engine) -> None:
    add_posts(engine)
    live = serve(make_config(max_queued=5, max_queued_per_target=3), engine)
    assert [mention(live, f"https://a{i}.example.net/p", POSTS[0]) for i in range(3)] == [202] * 3
    reply = live.post_form("/webmention", {"source": "https://x.example.com/p", "target": POSTS[0]})
    assert reply.status == 429
    assert int(reply.headers["retry-after"]) >= 60
    assert (
        mention(live, "https://a0.example.net/p", POSTS[0]) == 202
    )  # already queued: no new entry
    assert [mention(live, f"https://b{i}.example.org/p", POSTS[1]) for i in range(2)] == [202] * 2
    reply = live.post_xml(build_ping_request("https://c.example.edu/p", POSTS[2]))
    assert reply.headers["retry-after"]
    fault = parse_method_response(reply.body).fault
    assert fault is not None
    assert "retry in" in fault.string
    path = f"/trackback?target={quote(POSTS[2], safe='')}"
    reply = live.post_form(path, {"url": "https://d.example.edu/p"})
    assert reply.status == 429
    assert b"<error>1</error>" in reply.body
    assert len(receipts(engine)) == 5
    # once verified, receipts leave the queue and new ones are taken again
    with session_scope(engine) as session:
        settle_receipt(session, receipts(engine)[0].id, ReceiptState.VERIFIED, "links", NOW)
    assert mention(live, "https://e.example.edu/p", POSTS[2]) == 202


def test_one_sender_cannot_fill_the_queue(
    serve: Callable[..., Live], sqlite_engine: Engine
) -> None:
    add_posts(sqlite_engine)
    live = serve(make_config(max_queued_per_sender=2), sqlite_engine)
    answers = [mention(live, f"https://s{i}.spam.example.net/p", POSTS[i % 3]) for i in range(4)]
    assert answers == [202, 202, 429, 429]
    assert mention(live, "https://genuine.example.org/p") == 202
    assert len(receipts(sqlite_engine)) == 3


def test_queued_receipts_expire(serve: Callable[..., Live], engine: Engine) -> None:
    add_posts(engine)
    clock = Clock()
    live = serve(make_config(queue_expire_hours=2), engine, clock=clock)
    assert mention(live, "https://slow.example.net/p") == 202
    [row] = receipts(engine)
    assert row.expires_at == NOW + timedelta(hours=2)
    with session_scope(engine) as session:
        assert [r.id for r in due_receipts(session, NOW + timedelta(hours=1))] == [row.id]
        assert list(due_receipts(session, NOW + timedelta(hours=2))) == []
        assert expire_receipts(session, NOW + timedelta(hours=2)) == 1
    [row] = receipts(engine)
    assert row.state == "rejected"
    assert row.reason.startswith("expired")
    # never checked, so not a final answer: a re-send queues it again, with a new life
    clock.now = NOW + timedelta(hours=3)
    assert mention(live, "https://slow.example.net/p") == 202
    [row] = receipts(engine)
    assert (row.state, row.expires_at) == ("queued", NOW + timedelta(hours=5))
