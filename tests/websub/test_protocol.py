"""The pure WebSub rules (#21): discovery, signatures, verification answers, renewal."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from crawler.websub.protocol import (
    State,
    advertised,
    answer_verification,
    due_for_renewal,
    sign,
    signature_valid,
)

FEED = "https://news.example/feed/"
TOPIC = "https://news.example/feed/"


def test_hub_from_the_link_header_wins_over_the_document() -> None:
    body = b'<rss><channel><atom:link rel="hub" href="https://doc-hub.example/"/></channel></rss>'
    header = '<https://hub.example/>; rel="hub", </feed/?self>; rel="self"'
    found = advertised(FEED, [header], body)
    assert found is not None
    assert (found.hub, found.topic) == ("https://hub.example/", "https://news.example/feed/?self")


@pytest.mark.parametrize(
    "body",
    [
        b'<rss><channel><atom:link rel="hub" href="https://hub.example/"/></channel></rss>',
        b'<feed xmlns="http://www.w3.org/2005/Atom"><link href="https://hub.example/" rel="hub"/>'
        b"</feed>",
        b"<html><head><link rel='hub' href='https://hub.example/'></head></html>",
    ],
)
def test_hub_from_rss_atom_and_html(body: bytes) -> None:
    found = advertised(FEED, [], body)
    assert found is not None
    assert found.hub == "https://hub.example/"
    assert found.topic == FEED  # no self link: the fetched URL


def test_no_hub_and_a_non_http_hub_are_none() -> None:
    assert advertised(FEED, [], b"<rss><channel><title>x</title></channel></rss>") is None
    assert advertised(FEED, ['<mailto:x@example.org>; rel="hub"'], b"") is None


@pytest.mark.parametrize("method", ["sha1", "sha256", "sha384", "sha512"])
def test_every_websub_signature_method_is_checked(method: str) -> None:
    body = b"<rss/>"
    header = sign("s3cret", body, method)
    assert signature_valid(header, body, "s3cret")
    assert not signature_valid(header, body + b" ", "s3cret")
    assert not signature_valid(header, body, "other")


@pytest.mark.parametrize("header", ["", "sha256=", "md5=abcd", "sha256", "nonsense"])
def test_malformed_signatures_are_invalid(header: str) -> None:
    assert not signature_valid(header, b"<rss/>", "s3cret")


def _params(mode: str, topic: str = TOPIC, **extra: str) -> dict[str, str]:
    return {"hub.mode": mode, "hub.topic": topic, "hub.challenge": "c-123", **extra}


def test_subscribe_we_asked_for_echoes_the_challenge_and_takes_the_lease() -> None:
    answer = answer_verification(
        State.SUBSCRIBING, TOPIC, _params("subscribe", **{"hub.lease_seconds": "600"}), 86400
    )
    assert (answer.status, answer.body, answer.state, answer.lease_seconds) == (
        200, "c-123", State.ACTIVE, 600,
    )  # fmt: skip
    renewal = answer_verification(State.ACTIVE, TOPIC, _params("subscribe"), 86400)
    assert (renewal.status, renewal.lease_seconds) == (200, 86400)


def test_unsubscribe_we_asked_for_ends_the_subscription() -> None:
    answer = answer_verification(State.UNSUBSCRIBING, TOPIC, _params("unsubscribe"), 60)
    assert (answer.status, answer.body, answer.state) == (200, "c-123", State.UNSUBSCRIBED)


@pytest.mark.parametrize(
    ("state", "topic", "params"),
    [
        (None, None, _params("subscribe")),  # a callback we never handed out
        (State.SUBSCRIBING, TOPIC, _params("subscribe", "https://other.example/feed")),
        (State.ACTIVE, TOPIC, _params("unsubscribe")),  # an unsubscribe we never asked for
        (State.UNSUBSCRIBED, TOPIC, _params("subscribe")),  # over: not asked for any more
        (State.DENIED, TOPIC, _params("subscribe")),
        (State.ACTIVE, TOPIC, _params("denied")),
    ],
)
def test_verification_not_asked_for_is_refused(
    state: State | None, topic: str | None, params: dict[str, str]
) -> None:
    answer = answer_verification(state, topic, params, 60)
    assert answer.status == 404
    assert answer.state is None
    assert "c-123" not in answer.body


def test_a_denial_of_our_request_is_recorded() -> None:
    answer = answer_verification(
        State.SUBSCRIBING, TOPIC, {"hub.mode": "denied", "hub.topic": TOPIC, "hub.reason": "no"}, 60
    )
    assert (answer.status, answer.state, answer.reason) == (200, State.DENIED, "no")


def test_renewal_is_due_before_the_lease_ends() -> None:
    now = datetime(2026, 12, 6, tzinfo=UTC)
    day = timedelta(days=1)
    assert due_for_renewal(None, now, day)
    assert due_for_renewal(now + timedelta(hours=23), now, day)
    assert not due_for_renewal(now + timedelta(hours=25), now, day)
