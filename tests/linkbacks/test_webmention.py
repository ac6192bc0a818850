"""Synchronous webmention request validation (§8 cases 31, 32, 36)."""

from __future__ import annotations

from urllib.parse import parse_qsl

import pytest

from crawler.linkbacks.webmention import (
    InvalidRequest,
    WebmentionRequest,
    build_webmention_body,
    parse_webmention_body,
    validate_webmention,
)

OURS = "https://blog.example/"
FORM = "application/x-www-form-urlencoded"


def is_ours(url: str) -> bool:
    return url.startswith(OURS) and url != OURS and "#" not in url


def test_valid_request() -> None:
    request = validate_webmention(
        {"source": "https://other.example/reply", "target": "https://blog.example/post/1"},
        is_ours=is_ours,
    )
    assert request == WebmentionRequest(
        source="https://other.example/reply",
        target="https://blog.example/post/1",
        target_as_sent="https://blog.example/post/1",
    )


@pytest.mark.parametrize(
    ("source", "target", "code"),
    [
        ("jwoijgoisdjlskjegisvjowuehjtkx", "https://blog.example/post/1", "invalid_source"),
        ("https://other.example/reply", "owiejdoiwjefoiwjeofiwjeofiwje", "invalid_target"),
        ("jwoijgoisdjlskjegisvjowuehjtkx", "owiejdoiwjefoiwjeofiwjeofiwje", "invalid_source"),
    ],
)
def test_case_31_invalid_urls_are_400(source: str, target: str, code: str) -> None:
    with pytest.raises(InvalidRequest) as info:
        validate_webmention({"source": source, "target": target}, is_ours=is_ours)
    assert info.value.status == 400
    assert info.value.code == code


def test_case_32_source_equals_target() -> None:
    with pytest.raises(InvalidRequest) as info:
        validate_webmention(
            {"source": "https://blog.example/post/1#a", "target": "https://blog.example/post/1"},
            is_ours=is_ours,
        )
    assert info.value.code == "source_equals_target"


def test_case_36_target_fragment_ignored_for_support_check() -> None:
    request = validate_webmention(
        [
            ("source", "https://other.example/r"),
            ("target", "https://blog.example/post/1#comment-3"),
        ],
        is_ours=is_ours,
    )
    assert request.target == "https://blog.example/post/1"
    assert request.target_as_sent == "https://blog.example/post/1#comment-3"


@pytest.mark.parametrize(
    ("form", "code"),
    [
        ({}, "missing_parameters"),
        ({"target": "https://blog.example/post/1"}, "missing_source"),
        ({"source": "https://other.example/r", "target": "  "}, "missing_target"),
        (
            {"source": "ftp://other.example/r", "target": "https://blog.example/post/1"},
            "invalid_source",
        ),
        ({"source": "https:///nohost", "target": "https://blog.example/post/1"}, "invalid_source"),
        (
            {"source": "https://o.example:99999/", "target": "https://blog.example/post/1"},
            "invalid_source",
        ),
        (
            {"source": "https://o.example/a b", "target": "https://blog.example/post/1"},
            "invalid_source",
        ),
        (
            {"source": "https://o.example/" + "a" * 3000, "target": "https://blog.example/p"},
            "invalid_source",
        ),
        (
            {"source": "https://other.example/r", "target": "https://elsewhere.example/p"},
            "target_not_supported",
        ),
        (
            {"source": "https://other.example/r", "target": "https://blog.example/"},
            "target_not_supported",
        ),
    ],
)
def test_bad_requests(form: dict[str, str], code: str) -> None:
    with pytest.raises(InvalidRequest) as info:
        validate_webmention(form, is_ours=is_ours)
    assert info.value.code == code
    assert info.value.reason


def test_repeated_parameter_first_wins() -> None:
    request = validate_webmention(
        [
            ("source", "https://first.example/"),
            ("source", "https://second.example/"),
            ("target", "https://blog.example/post/1"),
        ],
        is_ours=is_ours,
    )
    assert request.source == "https://first.example/"


def test_raw_body() -> None:
    body = b"source=https%3A%2F%2Fother.example%2Fr&target=https%3A%2F%2Fblog.example%2Fpost%2F1"
    request = parse_webmention_body(body, f"{FORM}; charset=utf-8", is_ours=is_ours)
    assert request.target == "https://blog.example/post/1"
    with pytest.raises(InvalidRequest) as info:
        parse_webmention_body(body, "application/json", is_ours=is_ours)
    assert info.value.code == "invalid_content_type"
    with pytest.raises(InvalidRequest) as info:
        parse_webmention_body(b"source=\xff", FORM, is_ours=is_ours)
    assert info.value.code == "invalid_encoding"
    with pytest.raises(InvalidRequest) as info:
        parse_webmention_body(b"x" * 20_000, FORM, is_ours=is_ours)
    assert info.value.code == "request_too_large"


def test_case_17_sender_body_holds_only_source_and_target() -> None:
    body = build_webmention_body(
        "https://me.example/post?a=1&b=2", "https://webmention.rocks/test/21"
    )
    assert parse_qsl(body.decode()) == [
        ("source", "https://me.example/post?a=1&b=2"),
        ("target", "https://webmention.rocks/test/21"),
    ]
    assert b"query" not in body
