"""Source verification (§8 cases 34, 35, 39, 54) and what is recorded about the source."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import urlsplit, urlunsplit

import pytest

from crawler.linkbacks.verify import Verification, strip_fragment, verify_source

Data = Callable[[str], bytes]
HTML = [("Content-Type", "text/html; charset=utf-8")]
TARGET = "https://blog.example.org/2024/03/wcit/"


def drop_tracking(url: str) -> str:
    """Stands in for the project's canonicaliser: drops utm_* and the fragment."""
    parts = urlsplit(url)
    query = "&".join(p for p in parts.query.split("&") if p and not p.startswith("utm_"))
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))


def test_h_entry_metadata_and_context(data: Data) -> None:
    result = verify_source(
        "https://indie.example/notes/wcit",
        200,
        HTML,
        data("source_h_entry.html"),
        TARGET,
        canon=drop_tracking,
    )
    assert result == Verification(
        linked=True,
        deleted=False,
        title="Thoughts on WCIT-12",  # the h-entry name, not <title>
        author="Indie Author",
        author_url="https://indie.example/",
        site_name="Indie Notes",
        published=datetime(2024, 3, 6, 18, 30, tzinfo=timezone(timedelta(hours=1))),
        language="de",
        context=(
            "As the organisation explains in its summary of the conference outcome, the treaty "
            "text changed late on the last night, and several delegations refused to sign it at all"
        ),
    )


def test_canon_parameter_decides_equality(data: Data) -> None:
    # With the default (fragment removal only) the utm_ variant is a different URL.
    body = data("source_h_entry.html")
    assert not verify_source("https://indie.example/n", 200, HTML, body, TARGET).linked
    assert strip_fragment(" https://a.example/p#x ") == "https://a.example/p"


def test_link_inside_html_comment_is_not_counted(data: Data) -> None:
    hidden = "https://blog.example.org/2024/03/hidden/"
    assert not verify_source(
        "https://i.example/", 200, HTML, data("source_h_entry.html"), hidden
    ).linked


def test_case_34_text_only_comment_and_script_do_not_count(data: Data) -> None:
    result = verify_source("https://s.example/", 200, HTML, data("source_text_only.html"), TARGET)
    assert not result.linked
    assert not result.deleted
    assert result.problem == ""
    assert result.title == "Only text"
    assert result.context == ""


@pytest.mark.parametrize(
    "target",
    [
        "https://photos.example/uploads/wcit-keynote.jpg",  # <img src>, resolved via <base>
        "https://media.example.org/wcit.mp4",  # <video><source src>
        "https://blog.example.org/podcast/wcit.mp3",  # <audio src>
    ],
)
def test_case_35_media_elements_count(data: Data, target: str) -> None:
    result = verify_source(
        "https://photos.example/galleries/wcit",
        200,
        HTML[:0],
        data("source_meta_only.html"),
        target,
    )
    assert result.linked
    # No microformats: meta fallbacks, and the page's own iso-8859-1 charset.
    assert result.title == "Conference gallery"
    assert result.author == "Pat Photographer"
    assert result.site_name == "Photo Site"
    assert result.published == datetime(2024, 3, 7, 8, 0, tzinfo=UTC)
    assert result.language == "en-GB"


def test_case_35_video_src_attribute() -> None:
    body = '<html><body><video src="/2024/03/wcit/clip.webm"></video></body></html>'
    target = "https://blog.example.org/2024/03/wcit/clip.webm"
    assert verify_source("https://blog.example.org/x", 200, HTML, body, target).linked


def test_case_39_http_410_is_deleted() -> None:
    result = verify_source("https://s.example/", 410, HTML, b"<p>gone</p>", TARGET)
    assert (result.linked, result.deleted, result.problem) == (False, True, "")


def test_case_39_meta_tombstone_is_deleted(data: Data) -> None:
    result = verify_source("https://s.example/", 200, HTML, data("source_tombstone.html"), TARGET)
    assert (result.linked, result.deleted) == (False, True)


def test_case_39_link_removed_is_not_linked() -> None:
    result = verify_source("https://s.example/", 200, HTML, b"<p>nothing now</p>", TARGET)
    assert (result.linked, result.deleted, result.problem) == (False, False, "")


@pytest.mark.parametrize("status", [500, 503, 404, 301])
def test_other_statuses_are_problems_not_deletions(status: int) -> None:
    result = verify_source("https://s.example/", status, HTML, b"", TARGET)
    assert (result.linked, result.deleted, result.problem) == (False, False, f"HTTP {status}")


def test_case_54_reblog_snapshot(data: Data) -> None:
    original = "https://exampleorg.wordpress.com/2024/03/wcit/"
    result = verify_source(
        "https://rebloggerone.wordpress.com/2024/03/04/wcit-reblog/",
        200,
        HTML,
        data("reblog_snapshot.html"),
        original,
    )
    assert result.linked
    assert result.reblog_of == original
    assert result.reblog_note == "Worth reading, especially the second half."
    assert result.title == "Internet governance after WCIT-12"  # hAtom entry-title via mf2py
    assert result.site_name == "Policy Watch"
    assert result.published == datetime(2024, 3, 4, 12, 0, tzinfo=timezone(timedelta(hours=1)))


def test_context_cuts_at_whitespace_and_long_link_text() -> None:
    body = (
        "<p>"
        + "alpha " * 30
        + 'tail<a href="https://t.example/">'
        + "L" * 120
        + "</a> after "
        + "omega " * 30
        + "</p>"
    )
    context = verify_source("https://s.example/", 200, HTML, body, "https://t.example/").context
    before, _, after = context.partition("L" * 100 + "…")
    assert before.startswith("alpha")
    assert before.endswith("tail")
    assert len(before) <= 100
    assert after.startswith(" after omega")
    assert len(after) <= 101
    assert not after.endswith("omeg")


def test_title_falls_back_to_title_element_and_site_to_host() -> None:
    body = '<html><head><title> Plain  page </title></head><body><a href="https://t.example/">x</a></body></html>'
    result = verify_source("https://www.source.example/p", 200, [], body, "https://t.example/#frag")
    assert (result.linked, result.title, result.site_name) == (True, "Plain page", "source.example")


def test_json_and_plain_text_sources() -> None:
    json_headers = [("Content-Type", "application/json")]
    body = b'{"items": [{"url": "https://t.example/"}], "n": 1}'
    assert verify_source("https://s.example/", 200, json_headers, body, "https://t.example/").linked
    assert not verify_source(
        "https://s.example/",
        200,
        json_headers,
        b'{"text": "see https://t.example/ now"}',
        "https://t.example/",
    ).linked
    assert (
        verify_source("https://s.example/", 200, json_headers, b"{", "x").problem == "invalid JSON"
    )
    text = [("Content-Type", "text/plain")]
    assert verify_source(
        "https://s.example/", 200, text, b"see https://t.example/", "https://t.example/"
    ).linked
    image = [("Content-Type", "image/png")]
    assert verify_source("https://s.example/", 200, image, b"\x89PNG", "https://t.example/").problem


def test_failing_canonicaliser_means_no_match() -> None:
    def picky(url: str) -> str:
        if "bad" in url:
            raise ValueError(url)
        return url

    body = '<a href="https://bad.example/">x</a><a href="https://t.example/">y</a>'
    assert verify_source(
        "https://s.example/", 200, HTML, body, "https://t.example/", canon=picky
    ).linked
    assert verify_source(
        "https://s.example/", 200, HTML, body, "https://bad.example/", canon=picky
    ).problem


@pytest.mark.parametrize(
    "body",
    [b"", b"\x00", b"<html", "\ud800", b"<a href='http://[::1'>x</a>", b"<div>" * 3000],
)
def test_garbage_never_raises(body: bytes | str) -> None:
    result = verify_source("https://s.example/", 200, HTML, body, TARGET)
    assert not result.linked
