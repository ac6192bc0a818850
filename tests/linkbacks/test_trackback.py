"""TrackBack requests and responses (§8 cases 42 and 43)."""

from __future__ import annotations

from xml.etree import ElementTree

import pytest

from crawler.linkbacks.trackback import (
    InvalidTrackback,
    TrackbackPing,
    parse_trackback_request,
    parse_trackback_response,
    render_trackback_error,
    render_trackback_success,
)

FORM = "application/x-www-form-urlencoded"


def test_case_42_ping_with_charset() -> None:
    body = (
        b"url=https%3A%2F%2Ftb.example%2F2024%2F03%2Fentry&title=R%E9sum%E9+du+sommet"
        b"&excerpt=Le+texte+%3Cb%3Eimportant%3C%2Fb%3E&blog_name=Caf%E9+Blog"
    )
    ping = parse_trackback_request(body, f"{FORM}; charset=iso-8859-1")
    assert ping == TrackbackPing(
        url="https://tb.example/2024/03/entry",
        title="Résumé du sommet",
        excerpt="Le texte important",
        blog_name="Café Blog",
    )
    assert render_trackback_success() == (
        b'<?xml version="1.0" encoding="utf-8"?>\n<response>\n<error>0</error>\n</response>\n'
    )


def test_utf8_without_charset_and_cp1252_guess() -> None:
    body = "url=http://a.example/p&title=Zürich".encode()
    assert parse_trackback_request(body, FORM).title == "Zürich"
    assert parse_trackback_request(b"url=http://a.example/p&title=Z%FCrich", None).title == "Zürich"
    # An unknown charset name falls back to the guess instead of failing.
    assert parse_trackback_request(body, f"{FORM}; charset=bogus-9").title == "Zürich"


def test_fields_are_cropped_like_wordpress() -> None:
    body = f"url=http://a.example/p&title={'t' * 300}&excerpt={'e' * 300}".encode()
    ping = parse_trackback_request(body, FORM)
    assert ping.title == "t" * 250 + "…"
    assert ping.excerpt == "e" * 252 + "…"


def test_trackback_1_0_query_string() -> None:
    ping = parse_trackback_request(b"", None, query="url=http%3A%2F%2Fold.example%2F1&title=Old")
    assert (ping.url, ping.title) == ("http://old.example/1", "Old")


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        (b"title=No+url&excerpt=x", FORM, "No url"),
        (b"url=&title=x", FORM, "No url"),
        (b"url=javascript:alert(1)", FORM, "absolute http"),
        (b"url=/relative/path", FORM, "absolute http"),
        (b'{"url": "https://a.example/"}', "application/json", "Unsupported content type"),
    ],
)
def test_case_43_errors(body: bytes, content_type: str, message: str) -> None:
    with pytest.raises(InvalidTrackback, match=message) as info:
        parse_trackback_request(body, content_type)
    response = render_trackback_error(info.value.message)
    root = ElementTree.fromstring(response)
    assert root.findtext("error") == "1"
    assert root.findtext("message") == info.value.message


def test_error_message_is_escaped() -> None:
    response = render_trackback_error("<script>alert('x')</script> & \x00more")
    assert b"<script>" not in response
    assert parse_trackback_response(response) == (False, "<script>alert('x')</script> & more")


def test_client_side_responses() -> None:
    assert parse_trackback_response(render_trackback_success()) == (True, "")
    extra = b"<response><error>0</error><rss version='0.91'/></response>"
    assert parse_trackback_response(extra) == (True, "")
    assert not parse_trackback_response(b"<html>404</html>")[0]
    assert not parse_trackback_response(b"not xml")[0]
    bomb = b'<!DOCTYPE r [<!ENTITY a "aaaa">]><response><error>&a;</error></response>'
    accepted, message = parse_trackback_response(bomb)
    assert not accepted
    assert "unreadable" in message
