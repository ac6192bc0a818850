"""The ground truth agrees with what the pages really contain, and is deterministic."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import feedparser
import lxml.etree
import lxml.html

from crawler.domain import MentionKind
from sampleweb import SampleWeb, build_truth, build_world
from tests.sampleweb.conftest import Fetch

ORG_PATTERNS = (
    re.compile(r"Orbital Registry Agency", re.IGNORECASE),
    re.compile(r"International Orbital Registry", re.IGNORECASE),
    re.compile(r"\bORA\b"),
)


def names_org(text: str) -> bool:
    return any(p.search(text) for p in ORG_PATTERNS)


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def main_text(body: bytes) -> tuple[str, str, Any]:
    """(title, main text, document) of a served page, located by its markup."""
    doc = lxml.html.fromstring(body)
    for xpath in (
        '//*[@itemprop="articleBody"]',
        '//*[contains(@class, "wpcom-reblog-snapshot")]',
        '//*[contains(concat(" ", @class, " "), " entry-content ")]',
    ):
        found = doc.xpath(xpath)
        if found:
            break
    assert found, "no main text container"
    title = squash(doc.xpath("string(//h1)"))
    return title, text_of(found[0]), doc


def text_of(element: Any) -> str:
    """Text with a space between elements (``text_content`` glues list items together)."""
    return squash(" ".join(element.itertext()))


def canon(url: str) -> str:
    parts = urlsplit(url)
    host = (parts.hostname or "").removeprefix("www.")
    return f"{host}{parts.path.rstrip('/').removesuffix('/amp')}"


def at_day_one(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [i for i in items if i["day"] == 1 and not i.get("removed_on_day")]


def test_truth_is_json_and_complete(truth: dict[str, Any]) -> None:
    json.dumps(truth)
    for key in ("posts", "linkbacks", "mentions", "decoys", "stories", "feeds", "endpoints"):
        assert truth[key], key
    kinds = {lb["kind"] for lb in truth["linkbacks"]}
    assert kinds == {"pingback", "trackback", "reblog", "comment", "link", "webmention"}
    assert kinds | {m["kind"] for m in truth["mentions"]} <= {k.value for k in MentionKind}
    reasons = {r for d in truth["decoys"] for r in d["reasons"]}
    assert reasons >= {
        "boilerplate-only",
        "comments-only",
        "acronym-in-word",
        "foreign-word",
        "same-initials",
    }
    variants = {lb["variant"] for lb in truth["linkbacks"] if lb["kind"] == "link"}
    assert variants >= {"https", "www-noslash", "utm", "fragment", "amp"}


def test_seed_post_is_modelled(truth: dict[str, Any]) -> None:
    post = next(p for p in truth["posts"] if p["wp_post_id"] == 108)
    items = [
        lb
        for lb in truth["linkbacks"]
        if lb["post_id"] == 108 and lb["day"] == 1 and lb["comment_ids"]
    ]
    kinds = sorted(lb["kind"] for lb in items)
    assert kinds.count("reblog") == 1
    assert kinds.count("pingback") == 2
    sites = {s["host"]: s["kind"] for s in truth["sites"]}
    ping_sites = sorted(
        sites[urlsplit(lb["source"]).hostname or ""] for lb in items if lb["kind"] == "pingback"
    )
    assert ping_sites == ["blog", "press"]
    assert any(lb["by_organisation"] for lb in items)
    assert any(lb["kind"] == "comment" and not lb["by_organisation"] for lb in items)
    reblog = next(lb for lb in items if lb["kind"] == "reblog")
    assert reblog["note"]
    assert post["comment_count"] == sum(len(lb["comment_ids"]) for lb in items)


def test_every_linkback_appears_where_the_truth_says(get: Fetch, truth: dict[str, Any]) -> None:
    pages: dict[str, str] = {}

    def page(url: str) -> str:
        if url not in pages:
            status, _, body = get(url)
            assert status == 200, url
            pages[url] = body.decode()
        return pages[url]

    for lb in at_day_one(truth["linkbacks"]):
        target_page = page(lb["target"])
        for cid in lb["comment_ids"]:
            assert re.search(rf'id="(li-)?comment-{cid}"', target_page), (lb["source"], cid)
        if lb["kind"] in ("pingback", "trackback", "reblog", "webmention", "link"):
            source = page(lb["source"])
            doc = lxml.html.fromstring(source)
            hrefs = {canon(h) for h in doc.xpath("//a/@href")}
            assert canon(lb["target"]) in hrefs, lb["source"]
            if lb["comment_ids"] and lb["kind"] != "reblog" and lb["kind"] != "webmention":
                assert (
                    f'href="{lb["source"]}"' in target_page
                    or f"href='{lb['source']}'" in target_page
                )
        if lb["kind"] == "reblog":
            doc = lxml.html.fromstring(page(lb["source"]))
            assert doc.xpath('//div[contains(@class,"wpcom-reblog-snapshot")]')
            assert doc.xpath(f'//p[@class="reblog-source"]/a[@href="{lb["target"]}"]')
            assert "Reblogged this on" in target_page
            if lb["note"]:
                assert doc.xpath('//div[@class="reblogger-note"]')
        if lb["kind"] == "webmention":
            assert "h-entry" in page(lb["source"])
        if lb["kind"] == "link":
            assert f'href="{lb["href"].replace("&", "&amp;")}"' in page(lb["source"])
        if lb["kind"] == "pingback":
            assert f'href="{lb["target"]}"' in page(
                lb["source"]
            )  # WordPress verified the exact URL


def test_mentions_match_the_main_text(get: Fetch, truth: dict[str, Any]) -> None:
    for m in at_day_one(truth["mentions"]):
        status, _, body = get(m["url"])
        assert status == 200
        title, text, doc = main_text(body)
        full = f"{title} {text}"
        for surface in m["matched_text"]:
            assert surface in full, (m["url"], surface)
        if m["target"]:
            hrefs = {canon(h) for h in doc.xpath("//a/@href")}
            assert canon(m["target"]) in hrefs, m["url"]
        if "ora" in m["queries"]:
            assert names_org(full), m["url"]


def test_decoys_name_the_organisation_only_outside_the_body(
    get: Fetch, truth: dict[str, Any]
) -> None:
    for d in at_day_one(truth["decoys"]):
        status, _, body = get(d["url"])
        assert status == 200
        title, text, doc = main_text(body)
        full_page = text_of(doc.body)
        if d["reason"] in ("boilerplate-only", "comments-only"):
            assert not names_org(f"{title} {text}"), d["url"]
            assert names_org(full_page), d["url"]
        if "acronym-in-word" in d["reasons"]:
            assert re.search(r"\bORA[A-Z]+\b", text)
            assert not re.search(r"\bORA\b", text)
        if "foreign-word" in d["reasons"]:
            assert re.search(r"\b[Oo]ra\b", f"{title} {text}")
            assert not names_org(f"{title} {text}")
        if "same-initials" in d["reasons"]:
            assert re.search(r"\bORA\b", text)
            assert "Otterburn Rowing Association" in text
            assert "Orbital Registry Agency" not in text


def test_story_cluster(get: Fetch, truth: dict[str, Any]) -> None:
    (story,) = truth["stories"]
    assert len(story["pickups"]) >= 3

    def words(url: str) -> list[str]:
        return re.findall(r"\w+", main_text(get(url)[2])[1].lower())

    original = words(story["original"])
    shingles = {tuple(original[i : i + 5]) for i in range(len(original) - 4)}
    for url in story["pickups"]:
        pickup = words(url)
        theirs = {tuple(pickup[i : i + 5]) for i in range(len(pickup) - 4)}
        jaccard = len(shingles & theirs) / len(shingles | theirs)
        assert 0.6 < jaccard < 1, url
        assert pickup[:8] != original[:8]
        assert len(pickup) < len(original)


def test_feeds_list_what_they_serve(get: Fetch, truth: dict[str, Any]) -> None:
    for feed in truth["feeds"]:
        status, _, body = get(feed["url"])
        assert status == 200, feed["url"]
        if feed["format"] in ("sitemap", "news-sitemap"):
            tree = lxml.etree.fromstring(body)
            links = tree.xpath("//*[local-name()='loc']/text()")
        elif feed["format"] == "jsonfeed":
            doc = json.loads(body)
            assert doc["version"] == "https://jsonfeed.org/version/1.1"
            links = [item["url"] for item in doc["items"]]
        else:
            parsed = feedparser.parse(body)
            assert not parsed.bozo, feed["url"]
            links = [e.link for e in parsed.entries]
        assert links == feed["entries"], feed["url"]
        assert feed["entry_count"] == len(links)


def test_news_sites_cover_every_discovery_route(
    get: Fetch, truth: dict[str, Any], web: SampleWeb
) -> None:
    press = [s for s in truth["sites"] if s["kind"] == "press"]
    assert {s["format"] for s in press} >= {"rss", "atom", "jsonfeed", "sitemap"}
    assert {s["full_content"] for s in press if s["format"] == "rss"} == {True, False}
    sitemap_site = next(s for s in press if s["format"] == "sitemap")
    assert sitemap_site["feed"] is None
    robots = get(sitemap_site["url"] + "robots.txt")[2].decode()
    assert all(f"Sitemap: {u}" in robots for u in sitemap_site["sitemaps"])
    articles = [m for m in truth["mentions"] if m["kind"] == "press" and m["day"] == 1]
    lengths = [len(main_text(get(m["url"])[2])[1].split()) for m in articles]
    assert min(lengths) >= 250
    assert max(lengths) <= 900


def test_generation_is_deterministic() -> None:
    first = build_truth(build_world("seed-a"), 8080, 2)
    again = build_truth(build_world("seed-a"), 8080, 2)
    other = build_truth(build_world("seed-b"), 8080, 2)
    assert json.dumps(first, sort_keys=True) == json.dumps(again, sort_keys=True)
    assert first["posts"] == other["posts"]
    assert first["feeds"] != other["feeds"]  # filler articles differ


def test_config_out(tmp_path: Path, web: SampleWeb, get: Fetch) -> None:
    path = tmp_path / "mediamon.toml"
    web.write_config(path)
    config = tomllib.loads(path.read_text())
    assert set(config) >= {
        "organisation",
        "queries",
        "sources",
        "digest",
        "smtp",
        "crawl",
        "linkbacks",
        "database",
    }
    assert config["organisation"]["sites"][0]["platform"] == "wordpress"
    assert set(config["crawl"]["resolve"]) == set(web.hosts())
    assert set(config["crawl"]["resolve"].values()) == {"127.0.0.1"}
    assert config["crawl"]["allow_hosts"] == ["127.0.0.1"]
    assert config["linkbacks"]["wpcom_api_base"] == f"http://public-api.wordpress.test:{web.port}"
    assert {q["name"] for q in config["queries"]} >= {"ora"}
    for source in config["sources"]:
        assert source["kind"] in ("press", "blog")
        assert get(source["url"])[0] == 200, source["url"]
