"""One outlet, one name (#18): a site's display name is chosen once per registrable host
(config name, then the name its pages gave, then the host without its port) and used in
every section of the digest."""

from __future__ import annotations

from datetime import UTC, datetime

from crawler.storage.mentions import MentionView
from crawler.storage.reporting import SourceStatus
from reports.outlets import name_outlets, outlet_key, outlet_names
from reports.view import build_digest
from tests.reports.factories import digest_input, mention_view

OLD = datetime(2026, 1, 1, tzinfo=UTC)


def source(name: str, url: str, type_: str = "feed") -> SourceStatus:
    return SourceStatus(
        name=name,
        url=url,
        kind="press",
        type=type_,
        health="ok",
        checked_at=None,
        last_status=200,
        last_error="",
        disabled_reason="",
        created_at=OLD,
        last_new_at=None,
    )


def ledger(n: int, site: str, port: str = "") -> MentionView:
    url = f"http://www.celestialledger.test{port}/story/{n}"
    return mention_view(url=url, canonical_url=url, site=site)


def test_the_outlet_is_the_registrable_host_without_its_port() -> None:
    assert outlet_key("http://www.celestialledger.test:8080/x") == "celestialledger.test"
    assert outlet_key("celestialledger.test:8080") == "celestialledger.test"
    assert outlet_key("https://alice.wordpress.com/p/") != outlet_key("https://bob.wordpress.com/")


def test_seven_host_named_items_and_one_named_are_one_outlet_with_the_sites_own_name() -> None:
    mentions = [ledger(n, "www.celestialledger.test:8080", ":8080") for n in range(7)]
    mentions.append(ledger(7, "Celestial Ledger"))
    view = build_digest(digest_input(mentions))
    assert [(o.site, o.count) for o in view.outlets] == [("Celestial Ledger", 8)]
    sites = {story.site for story in view.press} | {
        p.site for story in view.press for p in story.pickups
    }
    assert sites == {"Celestial Ledger"}


def test_the_config_name_wins_and_the_host_without_port_is_the_last_resort() -> None:
    mentions = [ledger(1, "Celestial Ledger"), ledger(2, "celestialledger.test:8080", ":8080")]
    mentions.append(mention_view(url="http://quiet.test:9000/a", site="quiet.test:9000"))
    names = outlet_names(
        mentions,
        [
            source("The Ledger", "http://celestialledger.test/feed"),
            source("own", "http://x.test/", "own"),
        ],
    )
    assert names == {"celestialledger.test": "The Ledger", "quiet.test": "quiet.test"}


def test_an_outlet_seen_before_under_another_name_is_not_new() -> None:
    mentions = [ledger(1, "Celestial Ledger")]
    renamed, seen = name_outlets(mentions, [], {"www.celestialledger.test:8080"})
    assert seen == {"Celestial Ledger"}
    assert [m.site for m in renamed] == ["Celestial Ledger"]
    assert (
        build_digest(
            digest_input(mentions, sites_seen_before=frozenset({"celestialledger.test"}))
        ).outlets
        == ()
    )
