"""Endpoint discovery: the 23 webmention.rocks cases (linkbacks.md §3.4) and §8 cases 1–25, 44.

The fixtures are written here as local responses (final URL, header pairs, body): no network.
§8 cases 1–18 are the webmention.rocks tests (§8 1→rocks-1, 2→2, 3→3, 4→4, 5→5, 6→7, 7→8,
8→9 and 10, 9→11, 10→12, 11→13, 12→14, 13→15, 14→16 and 17, 15→18 and 19, 16→20, 17→21,
18→22) plus the explicit tests below; 19 is rocks-23; 20–25 and 44 have their own tests.
"""

from __future__ import annotations

import pytest

from crawler.linkbacks.discovery import (
    Endpoints,
    discover,
    discover_pingback,
    discover_trackback,
    discover_webmention,
    is_local_endpoint,
    parse_link_header,
)

ROCKS = "https://webmention.rocks"
HTML = [("Content-Type", "text/html; charset=UTF-8")]


def page(body: str, title: str = "Discovery Test") -> str:
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title>'
        f"{body}</body></html>"
    )


def head_and_body(head: str, body: str) -> str:
    return page(f"{head}</head><body><p>Test content.</p>{body}")


# (n, extra headers, html, expected endpoint)
ROCKS_CASES: list[tuple[int, list[tuple[str, str]], str, str]] = [
    (
        1,
        [("Link", "</test/1/webmention>; rel=webmention")],
        head_and_body("", ""),
        "/test/1/webmention",
    ),
    (
        2,
        [("Link", "<https://webmention.rocks/test/2/webmention>; rel=webmention")],
        head_and_body("", ""),
        "/test/2/webmention",
    ),
    (
        3,
        [],
        head_and_body('<link rel="webmention" href="/test/3/webmention">', ""),
        "/test/3/webmention",
    ),
    (
        4,
        [],
        head_and_body(
            '<link href="https://webmention.rocks/test/4/webmention" rel="webmention">', ""
        ),
        "/test/4/webmention",
    ),
    (
        5,
        [],
        head_and_body("", '<p>Send it <a rel="webmention" href="/test/5/webmention">here</a>.</p>'),
        "/test/5/webmention",
    ),
    (
        6,
        [],
        head_and_body(
            "", '<a href="https://webmention.rocks/test/6/webmention" rel="webmention">endpoint</a>'
        ),
        "/test/6/webmention",
    ),
    (
        7,
        [("LinK", "<https://webmention.rocks/test/7/webmention>; rel=webmention")],
        head_and_body("", ""),
        "/test/7/webmention",
    ),
    (
        8,
        [("Link", '<https://webmention.rocks/test/8/webmention>; rel="webmention"')],
        head_and_body("", ""),
        "/test/8/webmention",
    ),
    (
        9,
        [],
        head_and_body('<link rel="webmention somethingelse" href="/test/9/webmention">', ""),
        "/test/9/webmention",
    ),
    (
        10,
        [("Link", '<https://webmention.rocks/test/10/webmention>; rel="webmention somethingelse"')],
        head_and_body("", ""),
        "/test/10/webmention",
    ),
    (
        11,
        [("Link", "</test/11/webmention>; rel=webmention")],
        head_and_body(
            '<link rel="webmention" href="/test/11/webmention/error">',
            '<a rel="webmention" href="/test/11/webmention/error">error</a>',
        ),
        "/test/11/webmention",
    ),
    (
        12,
        [],
        head_and_body(
            '<link rel="not-webmention" href="/test/12/webmention/error">',
            '<a rel="webmention" href="/test/12/webmention">endpoint</a>',
        ),
        "/test/12/webmention",
    ),
    (
        13,
        [],
        head_and_body(
            "",
            '<!-- <a rel="webmention" href="/test/13/webmention/error">error</a> -->'
            '<p><a rel="webmention" href="/test/13/webmention">endpoint</a></p>',
        ),
        "/test/13/webmention",
    ),
    (
        14,
        [],
        head_and_body(
            "",
            '<p>This post contains sample code: <code>&lt;a href="/test/14/webmention/error" '
            'rel="webmention"&gt;&lt;/a&gt;</code></p>'
            '<a rel="webmention" href="/test/14/webmention">endpoint</a>',
        ),
        "/test/14/webmention",
    ),
    (15, [], head_and_body('<link rel="webmention" href="">', ""), "/test/15"),
    (
        16,
        [],
        head_and_body(
            "",
            '<a href="/test/16/webmention" rel="webmention">a first</a>'
            '<link rel="webmention" href="/test/16/webmention/error">',
        ),
        "/test/16/webmention",
    ),
    (
        17,
        [],
        head_and_body(
            "",
            '<link rel="webmention" href="/test/17/webmention">'
            '<a href="/test/17/webmention/error" rel="webmention">a second</a>',
        ),
        "/test/17/webmention",
    ),
    (
        18,
        [
            ("Link", '<https://webmention.rocks/test/18/webmention/error>; rel="other"'),
            ("Link", '<https://webmention.rocks/test/18/webmention>; rel="webmention"'),
        ],
        head_and_body("", ""),
        "/test/18/webmention",
    ),
    (
        19,
        [
            (
                "Link",
                '<https://webmention.rocks/test/19/webmention/error>; rel="other", '
                '<https://webmention.rocks/test/19/webmention>; rel="webmention"',
            )
        ],
        head_and_body("", ""),
        "/test/19/webmention",
    ),
    (
        20,
        [],
        head_and_body(
            '<link rel="webmention">',
            '<a rel="webmention" href="/test/20/webmention">endpoint</a>',
        ),
        "/test/20/webmention",
    ),
    (
        21,
        [],
        head_and_body('<link rel="webmention" href="/test/21/webmention?query=yes">', ""),
        "/test/21/webmention?query=yes",
    ),
    (
        22,
        [],
        head_and_body('<link rel="webmention" href="22/webmention">', ""),
        "/test/22/webmention",
    ),
]


@pytest.mark.parametrize(
    ("number", "headers", "body", "expected"),
    [pytest.param(*case, id=f"rocks-{case[0]}") for case in ROCKS_CASES],
)
def test_webmention_rocks_discovery(
    number: int, headers: list[tuple[str, str]], body: str, expected: str
) -> None:
    url = f"{ROCKS}/test/{number}"
    found = discover_webmention(url, [*HTML, *headers], body.encode())
    assert found == ROCKS + expected
    assert discover(url, [*HTML, *headers], body.encode()).webmention == ROCKS + expected


def test_rocks_23_resolves_against_the_final_url_after_redirect() -> None:
    # /test/23/page 302 -> /test/23/page/K1; the caller passes the final URL it fetched.
    final = f"{ROCKS}/test/23/page/K1"
    headers = [*HTML, ("Link", "<webmention-endpoint/K2>; rel=webmention")]
    body = page('</head><body><a rel="webmention" href="webmention-endpoint/K2">x</a>')
    expected = f"{ROCKS}/test/23/page/webmention-endpoint/K2"
    assert discover_webmention(final, headers, body) == expected
    # HTML alone resolves the same way.
    assert discover_webmention(final, HTML, body) == expected
    # Not the original-URL resolution some libraries use.
    assert discover_webmention(f"{ROCKS}/test/23/page", headers, body) != expected


# ---------------------------------------------------------------------- §8 cases 1-21


def test_case_1_relative_link_header() -> None:
    url = f"{ROCKS}/test/1"
    headers = [("Link", "</test/1/webmention>; rel=webmention")]
    assert discover_webmention(url, headers, b"") == f"{ROCKS}/test/1/webmention"


def test_case_13_empty_href_means_the_page_itself_without_fragment() -> None:
    url = f"{ROCKS}/test/15#top"
    body = head_and_body('<link rel="webmention" href="">', "")
    assert discover_webmention(url, HTML, body) == f"{ROCKS}/test/15"


def test_case_17_query_string_is_kept_in_the_endpoint() -> None:
    body = head_and_body('<link rel="webmention" href="/test/21/webmention?query=yes">', "")
    found = discover_webmention(f"{ROCKS}/test/21", HTML, body)
    assert found == f"{ROCKS}/test/21/webmention?query=yes"


def test_case_20_local_endpoints_are_flagged() -> None:
    assert is_local_endpoint("http://127.0.0.1/webmention")
    assert is_local_endpoint("http://localhost:8080/webmention")
    assert is_local_endpoint("http://app.localhost/webmention")
    assert is_local_endpoint("http://[::1]/webmention")
    assert is_local_endpoint("http://10.1.2.3/webmention")
    assert is_local_endpoint("http://169.254.169.254/latest/meta-data")
    assert is_local_endpoint("http://[::ffff:127.0.0.1]/")
    assert is_local_endpoint("not a url")
    assert not is_local_endpoint("https://webmention.rocks/test/1/webmention")
    assert not is_local_endpoint("https://93.184.216.34/webmention")


def test_case_21_comma_inside_angle_brackets_is_kept() -> None:
    value = '<https://ex.example/a,b/webmention?x=1,2>; rel="webmention", </other>; rel=other'
    assert parse_link_header(value)[0] == (
        "https://ex.example/a,b/webmention?x=1,2",
        {"rel": "webmention"},
    )
    found = discover_webmention("https://ex.example/post", [("link", value)], b"")
    assert found == "https://ex.example/a,b/webmention?x=1,2"


def test_link_header_parser_edge_cases() -> None:
    links = parse_link_header(
        'garbage, <a>; rel="x\\"y"; title="a, b"; rel=ignored, <b> ; REL = webmention ;x'
    )
    assert links == [("a", {"rel": 'x"y', "title": "a, b"}), ("b", {"rel": "webmention", "x": ""})]
    assert parse_link_header("") == []
    assert parse_link_header("<unterminated; rel=webmention") == []


def test_header_rel_must_be_the_exact_token() -> None:
    headers = [("Link", '<https://ex.example/webmention/error>; rel="not-webmention"')]
    body = head_and_body("", '<a rel="webmention" href="/wm">x</a>')
    assert discover_webmention("https://ex.example/p", headers, body) == "https://ex.example/wm"


def test_url_containing_webmention_does_not_count_as_rel() -> None:
    headers = [("Link", '<https://ex.example/webmention>; rel="other"')]
    assert discover_webmention("https://ex.example/p", headers, b"") is None


def test_bytes_headers_from_scrapy_are_accepted() -> None:
    headers = [(b"Link", b"</wm>; rel=webmention")]
    assert discover_webmention("https://ex.example/p", headers, b"") == "https://ex.example/wm"


def test_html_is_not_searched_for_non_html_responses() -> None:
    body = b'<link rel="webmention" href="/wm">'
    assert (
        discover_webmention("https://ex.example/p", [("Content-Type", "image/png")], body) is None
    )


def test_no_endpoint() -> None:
    assert discover("https://ex.example/p", HTML, page("</head><body>nothing")) == Endpoints()


# ---------------------------------------------------------------------- Pingback (22-25)

PING_PAGE = page('<link rel="pingback" href="https://blog.example/xmlrpc.php" /></head><body>hello')


def test_case_22_x_pingback_header_beats_the_link_element() -> None:
    headers = [*HTML, ("X-Pingback", "https://b.example/xmlrpc")]
    found = discover_pingback("https://blog.example/p", headers, PING_PAGE)
    assert found is not None
    assert found.url == "https://b.example/xmlrpc"
    assert found.conforming


def test_case_23_first_of_two_x_pingback_headers() -> None:
    headers = [
        ("x-pingback", "https://first.example/xmlrpc"),
        ("X-PINGBACK", "https://second.example/"),
    ]
    assert (
        discover("https://blog.example/p", headers, b"").pingback == "https://first.example/xmlrpc"
    )


def test_case_24_only_four_entities_are_decoded() -> None:
    body = page('<link rel="pingback" href="http://b.example/x?a=1&amp;b=2" /></head><body>')
    found = discover_pingback("https://blog.example/p", HTML, body)
    assert found is not None
    assert found.url == "http://b.example/x?a=1&b=2"
    body = page('<link rel="pingback" href="http://b.example/x?a=&lt;&gt;&quot;&amp;lt;&eacute;">')
    found = discover_pingback("https://blog.example/p", HTML, body)
    assert found is not None
    assert found.url == 'http://b.example/x?a=<>"&lt;&eacute;'


def test_both_allowed_spellings_of_the_link() -> None:
    for tag in (
        '<link rel="pingback" href="https://b.example/x">',
        '<link rel="pingback" href="https://b.example/x"/>',
    ):
        found = discover_pingback("https://blog.example/p", HTML, page(tag))
        assert found is not None
        assert found.url == "https://b.example/x"


def test_case_25_attribute_order_differs_strict_mode_finds_no_server() -> None:
    body = page('<link href="https://b.example/xmlrpc" rel="pingback"></head><body>')
    assert discover_pingback("https://blog.example/p", HTML, body) is None
    endpoints = discover("https://blog.example/p", HTML, body)
    assert endpoints.pingback is None
    assert endpoints.notes == ("non-conforming pingback link ignored: https://b.example/xmlrpc",)


def test_case_25_lenient_fallback_is_recorded_as_non_conforming() -> None:
    body = page('<LINK href="https://b.example/xmlrpc" REL="pingback"></head><body>')
    found = discover_pingback("https://blog.example/p", HTML, body, lenient=True)
    assert found is not None
    assert found.url == "https://b.example/xmlrpc"
    assert not found.conforming
    endpoints = discover("https://blog.example/p", HTML, body, lenient_pingback=True)
    assert endpoints.pingback == "https://b.example/xmlrpc"
    assert endpoints.notes == ("non-conforming pingback link used: https://b.example/xmlrpc",)


def test_http_link_header_is_not_used_for_pingback() -> None:
    headers = [("Link", "<https://b.example/xmlrpc>; rel=pingback")]
    assert discover_pingback("https://blog.example/p", headers, b"") is None


# ---------------------------------------------------------------------- TrackBack (44)

RDF_INDEX = """<html><head><title>Index</title></head><body>
<!--
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:dc="http://purl.org/dc/elements/1.1/"
         xmlns:trackback="http://madskills.com/public/xml/rss/module/trackback/">
<rdf:Description
    rdf:about="https://tb.example/2024/01/first.html"
    dc:identifier="https://tb.example/2024/01/first.html"
    dc:title="First &amp; foremost"
    trackback:ping="https://tb.example/cgi-bin/mt-tb.cgi/11" />
</rdf:RDF>
-->
<p>First entry</p>
<!--
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:dc="http://purl.org/dc/elements/1.1/"
         xmlns:trackback="http://madskills.com/public/xml/rss/module/trackback/">
<rdf:Description rdf:about='https://tb.example/2024/01/second.html'
    dc:identifier='https://tb.example/2024/01/second.html'
    dc:title='Second'
    trackback:ping='/cgi-bin/mt-tb.cgi/12?a=1&amp;b=2' />
</rdf:RDF>
-->
<p>Second entry</p>
</body></html>"""


def test_case_44_choose_the_description_whose_identifier_is_the_linked_url() -> None:
    index = "https://tb.example/"
    second = "https://tb.example/2024/01/second.html"
    assert (
        discover_trackback(index, RDF_INDEX, permalink=second)
        == "https://tb.example/cgi-bin/mt-tb.cgi/12?a=1&b=2"
    )
    assert (
        discover_trackback(index, RDF_INDEX, permalink="https://tb.example/2024/01/first.html")
        == "https://tb.example/cgi-bin/mt-tb.cgi/11"
    )
    # The entry page itself: its own URL picks its block (loose match on scheme/fragment);
    # the relative ping URL resolves against the page.
    assert discover("http://tb.example/2024/01/second.html#c", HTML, RDF_INDEX).trackback == (
        "http://tb.example/cgi-bin/mt-tb.cgi/12?a=1&b=2"
    )
    # An index page whose URL matches no block: no guess.
    assert discover_trackback(index, RDF_INDEX) is None


def test_single_description_without_identifier_and_rel_trackback_fallback() -> None:
    single = (
        '<!-- <rdf:RDF><rdf:Description trackback:ping="https://x.example/tb/1" /></rdf:RDF> -->'
    )
    assert discover_trackback("https://x.example/p", single) == "https://x.example/tb/1"
    rel = page('<link rel="trackback" href="/tb/9"></head><body>')
    assert discover_trackback("https://x.example/p", rel) == "https://x.example/tb/9"


def test_wordpress_trackback_url_is_not_guessed() -> None:
    body = page('<link rel="pingback" href="https://wp.example/xmlrpc.php"></head><body>post')
    endpoints = discover("https://wp.example/2024/03/post/", HTML, body)
    assert endpoints.trackback is None
    assert endpoints.pingback == "https://wp.example/xmlrpc.php"


def test_discover_all_three_from_one_wordpress_page(data) -> None:  # type: ignore[no-untyped-def]
    body = data("wp_html5_short_ping.html")
    headers = [
        *HTML,
        ("X-Pingback", "https://blog.example.org/xmlrpc.php"),
        ("Link", '<https://blog.example.org/wp-json/webmention/1.0/endpoint>; rel="webmention"'),
        ("Link", '<https://blog.example.org/wp-json/>; rel="https://api.w.org/"'),
    ]
    endpoints = discover("https://blog.example.org/2024/03/wcit/", headers, body)
    assert endpoints == Endpoints(
        pingback="https://blog.example.org/xmlrpc.php",
        webmention="https://blog.example.org/wp-json/webmention/1.0/endpoint",
        trackback=None,
    )


@pytest.mark.parametrize(
    "body", [b"", b"\x00\xff\xfe garbage <<<", b"<html><head><link rel=webmention href=", "\ud800x"]
)
def test_garbage_never_raises(body: bytes | str) -> None:
    result = discover("https://ex.example/", [("Link", "<<<;;;,,,")], body)
    assert isinstance(result, Endpoints)
