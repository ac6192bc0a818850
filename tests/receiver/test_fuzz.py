"""Fuzzing the three request parsers, alone and through the real receiver (issue 17).

Hypothesis generates hostile bodies for Webmention forms, TrackBack pings and XML-RPC calls.
The parsers may only raise their own "bad request" errors; the receiver over a socket may
answer anything but a 5xx, and stays healthy. ``make test`` runs a bounded number of
examples; ``make fuzz`` sets ``MEDIAMON_FUZZ_EXAMPLES`` to run many more.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from urllib.parse import quote_from_bytes

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine

from crawler.linkbacks.trackback import InvalidTrackback, parse_trackback_request
from crawler.linkbacks.urls import is_http_url
from crawler.linkbacks.webmention import InvalidRequest, parse_webmention_body
from crawler.linkbacks.xmlrpc import XmlRpcError, build_call, parse_ping_call
from crawler.storage.db import make_engine
from crawler.storage.migrate import upgrade
from tests.receiver.conftest import (
    POSTS,
    Live,
    add_posts,
    make_config,
    receipts,
    start,
    stop,
)

EXAMPLES = int(os.environ.get("MEDIAMON_FUZZ_EXAMPLES", "0") or 0)
PARSER_EXAMPLES = EXAMPLES or 300
HTTP_EXAMPLES = max(1, EXAMPLES // 10) if EXAMPLES else 40
FUZZ = settings(
    max_examples=PARSER_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
FUZZ_HTTP = settings(
    max_examples=HTTP_EXAMPLES,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)

FORM = "application/x-www-form-urlencoded"
urlish = st.one_of(
    st.sampled_from([*POSTS, "https://news.example.net/p", "http://[::1", "http://a:99999/"]),
    st.text(max_size=80),
    st.builds(lambda s: "https://n.example/" + s, st.text(max_size=40)),
)
raw_value = st.one_of(
    st.binary(max_size=60).map(lambda b: quote_from_bytes(b).encode()),
    st.binary(max_size=60),
    urlish.map(lambda s: s.encode("utf-8", "surrogatepass")),
)
form_body = st.one_of(
    st.binary(max_size=400),
    st.lists(
        st.tuples(
            st.sampled_from([b"source", b"target", b"url", b"title", b"excerpt", b"x"]), raw_value
        ),
        max_size=6,
    ).map(lambda pairs: b"&".join(k + b"=" + v for k, v in pairs)),
)
content_type = st.one_of(
    st.sampled_from(
        [
            FORM,
            f"{FORM}; charset=utf-8",
            f"{FORM}; charset=iso-8859-1",
            f"{FORM}; charset=utf-16",
            f"{FORM}; charset=bogus",
            "text/xml",
            "",
        ]
    ),
    st.text(max_size=40),
)


def call(name: str, params: list[object]) -> bytes:
    """``build_call``, or an empty body when the builder refuses the params."""
    try:
        return build_call(name, params)  # type: ignore[arg-type]
    except ValueError:
        return b""


xml_value: st.SearchStrategy[object] = st.recursive(
    st.one_of(
        st.text(max_size=30),
        st.integers(-(2**31), 2**31 - 1),
        st.booleans(),
        st.sampled_from(POSTS),
    ),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=10,
)
xml_body = st.one_of(
    st.binary(max_size=400),
    st.builds(
        call,
        st.sampled_from(["pingback.ping", "system.listMethods", "x"]),
        st.lists(xml_value, max_size=3),
    ),
    st.builds(
        lambda body, cut: body[:cut],
        st.builds(lambda a, b: call("pingback.ping", [a, b]), urlish, urlish),
        st.integers(0, 400),
    ),
)


# ----------------------------------------------------------------------------- parsers


@FUZZ
@given(form_body, content_type)
def test_webmention_parser_only_raises_invalid_request(body: bytes, ctype: str) -> None:
    try:
        request = parse_webmention_body(body, ctype, is_ours=lambda _t: True)
    except InvalidRequest as exc:
        status = exc.status
        request = None
    if request is None:
        assert status == 400
        return
    assert (
        "\ufffd" not in request.source or "\ufffd".encode() in body or b"%EF%BF%BD" in body.upper()
    )


@FUZZ
@given(form_body, content_type, form_body)
def test_trackback_parser_only_raises_invalid_trackback(
    body: bytes, ctype: str, query: bytes
) -> None:
    try:
        ping = parse_trackback_request(body, ctype, query=query)
    except InvalidTrackback as exc:
        message = exc.message
        ping = None
    if ping is None:
        assert message
        return
    assert is_http_url(ping.url)


@FUZZ
@given(xml_body)
def test_xmlrpc_parser_only_raises_xmlrpc_errors(body: bytes) -> None:
    try:
        source, target = parse_ping_call(body)
    except XmlRpcError as exc:
        code = exc.code
        source = target = None
    if source is None:
        assert code
        return
    assert isinstance(source, str)
    assert isinstance(target, str)


# ----------------------------------------------------------------------------- real receiver


@pytest.fixture(scope="module")
def fuzz_live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'mediamon.db'}")
    upgrade(engine)
    add_posts(engine)
    live = start(make_config(max_body_bytes=1024 * 1024), engine)
    yield live
    assert live.healthy()
    stop(live)


def _no_5xx(live: Live, path: str, body: bytes, ctype: str) -> None:
    headers = {"Content-Type": ctype} if ctype.isprintable() and ctype.isascii() else {}
    reply = live.request("POST", path, body, headers)
    assert reply.status < 500, (reply.status, reply.text[:300])


@FUZZ_HTTP
@given(body=form_body, ctype=content_type)
def test_webmention_endpoint_never_answers_5xx(fuzz_live: Live, body: bytes, ctype: str) -> None:
    _no_5xx(fuzz_live, "/webmention", body, ctype)


@FUZZ_HTTP
@given(body=form_body, ctype=content_type, target=st.binary(max_size=60))
def test_trackback_endpoint_never_answers_5xx(
    fuzz_live: Live, body: bytes, ctype: str, target: bytes
) -> None:
    _no_5xx(fuzz_live, "/trackback?target=" + quote_from_bytes(target), body, ctype)


@FUZZ_HTTP
@given(body=xml_body)
def test_pingback_endpoint_never_answers_5xx(fuzz_live: Live, body: bytes) -> None:
    _no_5xx(fuzz_live, "/xmlrpc", body, "text/xml")


# ----------------------------------------------------------------------------- named attacks


def test_a_10000_level_nested_xmlrpc_value_is_a_fault(fuzz_live: Live) -> None:
    depth = 10_000
    value = "<value><array><data>" * depth + "</data></array></value>" * depth
    body = (
        "<?xml version='1.0'?><methodCall><methodName>pingback.ping</methodName><params>"
        f"<param>{value}</param><param><value><string>{POSTS[0]}</string></value></param>"
        "</params></methodCall>"
    ).encode()
    assert len(body) < 1024 * 1024
    with pytest.raises(XmlRpcError):
        parse_ping_call(body)
    reply = fuzz_live.request("POST", "/xmlrpc", body, {"Content-Type": "text/xml"})
    assert reply.status == 200
    assert b"<fault>" in reply.body


def test_a_trackback_with_a_1_mb_excerpt(serve: Callable[..., Live], sqlite_engine: Engine) -> None:
    add_posts(sqlite_engine)
    small = serve(make_config(), sqlite_engine)  # the default 64 KiB body limit
    big = serve(make_config(max_body_bytes=2 * 1024 * 1024), sqlite_engine)
    excerpt = b"x" * (1024 * 1024)
    path = "/trackback?target=" + quote_from_bytes(POSTS[0].encode(), safe=b"")
    body = b"url=https%3A%2F%2Fnews.example.net%2Fp&excerpt=" + excerpt
    refused = small.request("POST", path, body, {"Content-Type": FORM})
    assert refused.status == 413
    assert b"<error>1</error>" in refused.body
    accepted = big.request("POST", path, body, {"Content-Type": FORM})
    assert accepted.status == 200
    assert b"<error>1</error>" in accepted.body  # over the parser's field and body caps
    body = b"url=https%3A%2F%2Fnews.example.net%2Fp&excerpt=" + b"y" * 60_000
    stored = big.request("POST", path, body, {"Content-Type": FORM})
    assert b"<error>0</error>" in stored.body
    [row] = receipts(sqlite_engine)
    assert len(row.payload["excerpt"]) <= 253  # cropped like WordPress
