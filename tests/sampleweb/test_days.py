"""World days: day 2 and 3 add posts, comments, articles and linkbacks, and remove a link."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import feedparser

from sampleweb import SampleWeb
from tests.sampleweb.conftest import Fetch


def test_control_endpoint_moves_the_day(
    web: SampleWeb, get: Fetch, at_day: Callable[[int], None]
) -> None:
    control = f"http://127.0.0.1:{web.port}/__control/day"
    assert json.loads(get(control)[2])["day"] == 1
    status, _, body = get(control + "?n=2", method="POST")
    assert status == 200
    assert json.loads(body)["day"] == 2
    assert web.day == 2
    assert get(control + "?n=zero", method="POST")[0] == 400
    # only the 127.0.0.1 host has the control endpoints
    assert get(f"http://orbitalregistry.test:{web.port}/__control/day?n=3", method="POST")[0] == 404
    assert web.day == 2
    truth = json.loads(get(f"http://127.0.0.1:{web.port}/__control/truth")[2])
    assert truth["day"] == 2


def test_new_items_appear_on_their_day(
    web: SampleWeb, get: Fetch, truth: dict[str, Any], at_day: Callable[[int], None]
) -> None:
    later_post = next(p for p in truth["posts"] if p["day"] == 2)
    later_article = next(m for m in truth["mentions"] if m["day"] == 2 and m["kind"] == "press")
    assert get(later_post["url"])[0] == 404
    assert get(later_article["url"])[0] == 404
    at_day(2)
    assert get(later_post["url"])[0] == 200
    assert get(later_article["url"])[0] == 200
    feed = feedparser.parse(get(truth["organisation"]["feed"])[2])
    assert later_post["url"] in [e.link for e in feed.entries]
    day2 = web.truth()
    assert day2["day"] == 2
    for lb in day2["linkbacks"]:
        if lb["day"] == 2 and lb["comment_ids"]:
            page = get(lb["target"])[2].decode()
            assert all(f"comment-{cid}" in page for cid in lb["comment_ids"])


def test_link_removal_on_day_two(
    web: SampleWeb, get: Fetch, truth: dict[str, Any], at_day: Callable[[int], None]
) -> None:
    removed = [lb for lb in truth["linkbacks"] if lb["removed_on_day"] == 2]
    gone = next(lb for lb in removed if lb["kind"] == "pingback")
    unlinked = next(lb for lb in removed if lb["kind"] == "link")
    assert get(gone["source"])[0] == 200
    assert unlinked["href"].encode() in get(unlinked["source"])[2]
    at_day(2)
    assert get(gone["source"])[0] == 410
    status, _, body = get(unlinked["source"])
    assert status == 200
    assert unlinked["href"].encode() not in body
    # the pingback stays in the post's comments (WordPress does not notice)
    target = get(gone["target"])[2].decode()
    assert all(f"comment-{cid}" in target for cid in gone["comment_ids"])


def test_feeds_change_only_when_their_content_does(
    web: SampleWeb, get: Fetch, truth: dict[str, Any], at_day: Callable[[int], None]
) -> None:
    day1 = {f["url"]: get(f["url"])[1]["ETag"] for f in truth["feeds"]}
    at_day(2)
    day2_truth = web.truth()
    changed = unchanged = 0
    for feed in day2_truth["feeds"]:
        if feed["url"] not in day1:
            continue
        before = next(f for f in truth["feeds"] if f["url"] == feed["url"])
        status = get(feed["url"], headers={"If-None-Match": day1[feed["url"]]})[0]
        if before["entries"] == feed["entries"] and before.get("total_comments") == feed.get(
            "total_comments"
        ):
            assert status == 304, feed["url"]
            unchanged += 1
        else:
            assert status == 200, feed["url"]
            changed += 1
    assert changed
    assert unchanged
    italian = next(s for s in truth["sites"] if s.get("lang") == "it")
    assert get(italian["feed"], headers={"If-None-Match": day1[italian["feed"]]})[0] == 304


def test_days_past_the_last_repeat_it(
    web: SampleWeb, get: Fetch, truth: dict[str, Any], at_day: Callable[[int], None]
) -> None:
    at_day(truth["max_day"])
    etag = get(truth["organisation"]["feed"])[1]["ETag"]
    at_day(truth["max_day"] + 5)
    assert get(truth["organisation"]["feed"], headers={"If-None-Match": etag})[0] == 304
