"""The address guard's rule, the resolver adapter, and the settings builder."""

from __future__ import annotations

from typing import Any

import pytest
from twisted.internet.address import IPv4Address

from crawler.config import parse_config
from crawler.fetching.guard import AllowList, check_address
from crawler.fetching.resolver import DispatchingResolver, GuardedResolver, deliver
from crawler.fetching.settings import scrapy_settings, user_agent


@pytest.mark.parametrize(
    ("ip", "problem"),
    [
        ("93.184.216.34", None),
        ("2606:4700::1111", None),
        ("10.0.0.1", "address guard: 10.0.0.1 is a private address"),
        ("192.168.1.1", "address guard: 192.168.1.1 is a private address"),
        ("172.16.5.4", "address guard: 172.16.5.4 is a private address"),
        ("127.0.0.1", "address guard: 127.0.0.1 is a loopback address"),
        ("::1", "address guard: ::1 is a loopback address"),
        ("169.254.169.254", "address guard: 169.254.169.254 is a link-local address"),
        ("fe80::1", "address guard: fe80::1 is a link-local address"),
        ("224.0.0.1", "address guard: 224.0.0.1 is a multicast address"),
        ("0.0.0.0", "address guard: 0.0.0.0 is an unspecified address"),
        ("240.0.0.1", "address guard: 240.0.0.1 is a reserved address"),
        ("::ffff:10.0.0.1", "address guard: 10.0.0.1 is a private address"),
        ("100.64.0.1", "address guard: 100.64.0.1 is a shared (carrier-grade NAT) address"),
        ("nonsense", "address guard: 'nonsense' is not an IP address"),
    ],
)
def test_check_address(ip: str, problem: str | None) -> None:
    assert check_address("example.test", ip, AllowList()) == problem


def test_allow_list_by_host_ip_or_configured_url() -> None:
    allowed = AllowList.of(
        ["127.0.0.1", "Intranet.Example."],
        ["http://blog.orbis.test:8080/feed", "http://news.example/rss", "http://10.9.9.9:81/"],
        {"blog.orbis.test": "10.1.2.3"},
    )
    assert check_address("x.test", "127.0.0.1", allowed, 9) is None
    assert check_address("intranet.example", "10.1.2.3", allowed, 22) is None
    # a configured URL with a configured address: that name, on its own port only
    assert check_address("blog.orbis.test", "10.1.2.3", allowed, 8080) is None
    assert check_address("blog.orbis.test", "10.1.2.3", allowed, 22) is not None
    assert check_address("10.9.9.9", "10.9.9.9", allowed, 81) is None
    assert check_address("10.9.9.9", "10.9.9.9", allowed, 80) is not None
    # a configured name without a configured address reaches public addresses only
    assert check_address("news.example", "10.1.2.3", allowed, 80) is not None
    assert check_address("news.example", "93.184.216.34", allowed, 80) is None
    assert check_address("evil.test", "10.1.2.3", allowed, 80) is not None
    assert allowed.entries == [
        "10.9.9.9:81",
        "127.0.0.1",
        "blog.orbis.test:8080",
        "intranet.example",
    ]


@pytest.mark.parametrize(
    ("entry", "host", "ip", "port", "allowed"),
    [
        ("10.0.0.0/8", "a.test", "10.2.3.4", 80, True),
        ("10.0.0.0/8", "a.test", "11.2.3.4", 80, True),  # public anyway
        ("10.0.0.0/8", "a.test", "192.168.0.1", 80, False),
        ("127.0.0.1:8080", "a.test", "127.0.0.1", 8080, True),
        ("127.0.0.1:8080", "a.test", "127.0.0.1", 8081, False),
        ("[::1]:8080", "a.test", "::1", 8080, True),
        ("[::1]:8080", "a.test", "::1", 80, False),
        ("::1", "a.test", "::1", 80, True),
        ("intranet.test:443", "intranet.test", "10.0.0.5", 443, True),
        ("intranet.test:443", "intranet.test", "10.0.0.5", 80, False),
        ("intranet.test:443", "other.test", "10.0.0.5", 443, False),
        ("127.0.0.1", "a.test", "::ffff:127.0.0.1", 80, True),
        ("bad:port:x", "bad", "10.0.0.1", 80, False),
    ],
)
def test_allow_rules(entry: str, host: str, ip: str, port: int, allowed: bool) -> None:
    assert (check_address(host, ip, AllowList.of([entry]), port) is None) is allowed


@pytest.mark.parametrize(
    ("ip", "words"),
    [
        ("2002:7f00:1::", "6to4 address wrapping 127.0.0.1, a loopback address"),
        ("2002:a9fe:a9fe::", "6to4 address wrapping 169.254.169.254, a link-local address"),
        ("2002:0a00:0001::1", "6to4 address wrapping 10.0.0.1, a private address"),
        ("fec0::1", "a site-local address"),
        ("64:ff9b::7f00:1", "NAT64 address wrapping 127.0.0.1, a loopback address"),
        ("64:ff9b::a9fe:a9fe", "NAT64 address wrapping 169.254.169.254"),
        ("64:ff9b:1::1", "a local-use NAT64 address"),
        ("::ffff:127.0.0.1", "127.0.0.1 is a loopback address"),
        ("::ffff:169.254.169.254", "169.254.169.254 is a link-local address"),
        ("::127.0.0.1", "a deprecated IPv4-compatible address"),
        ("::10.0.0.1", "a deprecated IPv4-compatible address"),
        ("2001:0:4136:e378:8000:63bf:3fff:fdd2", "Teredo"),
        ("fc00::1", "a unique-local address"),
        ("fd12:3456::1", "a unique-local address"),
        ("ff02::1", "a multicast address"),
        ("2001:db8::1", "a documentation address"),
        ("3fff::1", "a documentation address"),
        ("100::1", "a discard-only address"),
        ("192.0.0.8", "an IETF protocol assignment"),
        ("192.0.2.1", "a documentation address"),
        ("198.18.0.1", "a benchmarking address"),
        ("192.88.99.1", "a deprecated 6to4 relay address"),
        ("255.255.255.255", "address"),
        ("0.1.2.3", "address"),
        ("fe80::1%eth0", "a link-local address"),
    ],
)
def test_special_purpose_addresses_are_refused(ip: str, words: str) -> None:
    problem = check_address("example.test", ip, AllowList())
    assert problem is not None
    assert words in problem


@pytest.mark.parametrize(
    "ip", ["8.8.8.8", "2606:4700::1111", "64:ff9b::808:808", "2002:0808:0808::1", "::ffff:8.8.8.8"]
)
def test_public_addresses_and_public_wrappings_pass(ip: str) -> None:
    assert check_address("example.test", ip, AllowList()) is None


class Receiver:
    def __init__(self) -> None:
        self.events: list[Any] = []

    def resolutionBegan(self, resolution: Any) -> None:
        self.events.append("began")

    def addressResolved(self, address: Any) -> None:
        self.events.append(address.host)

    def resolutionComplete(self) -> None:
        self.events.append("done")


def test_deliver_filters_refused_addresses_and_remembers_why() -> None:
    receiver = Receiver()
    addresses = [IPv4Address("TCP", "10.0.0.1", 80), IPv4Address("TCP", "10.0.0.2", 80)]
    refused: dict[str, str] = {}
    deliver(
        receiver, "intranet.test", addresses, AllowList(), began=False, refuse=refused.__setitem__
    )
    assert receiver.events == ["began", "done"]
    assert refused == {"intranet.test": "address guard: 10.0.0.1 is a private address"}


def test_deliver_keeps_allowed_ones() -> None:
    receiver = Receiver()
    addresses = [IPv4Address("TCP", "127.0.0.1", 80)]
    refused: dict[str, str] = {}
    allowed = AllowList.of(["127.0.0.1"])
    deliver(receiver, "ok.test", addresses, allowed, began=False, refuse=refused.__setitem__)
    assert receiver.events == ["began", "127.0.0.1", "done"]
    assert refused == {}


class FakeReactor:
    nameResolver = None

    def installNameResolver(self, resolver: Any) -> None:
        self.nameResolver = resolver


def test_resolver_applies_the_static_map_through_the_guard() -> None:
    resolver = GuardedResolver(FakeReactor(), {"Blog.Orbis.Test": "127.0.0.1"}, AllowList())
    receiver = Receiver()
    resolver.resolveHostName(receiver, "blog.orbis.test", 8080)
    assert receiver.events == ["began", "done"]  # loopback and not allowed
    reason = "address guard: 127.0.0.1 is a loopback address"
    assert resolver.refusal_for("Blog.Orbis.Test.") == reason
    allowed = GuardedResolver(
        FakeReactor(), {"blog.orbis.test": "127.0.0.1"}, AllowList.of(["127.0.0.1"])
    )
    receiver = Receiver()
    allowed.resolveHostName(receiver, "blog.orbis.test", 8080)
    assert receiver.events == ["began", "127.0.0.1", "done"]
    assert allowed.refusal_for("blog.orbis.test") is None  # each guard remembers its own


def test_the_dispatcher_answers_with_the_guard_in_force_and_fails_closed_outside() -> None:
    reactor = FakeReactor()
    dispatcher = DispatchingResolver.installed_on(reactor)
    assert reactor.nameResolver is dispatcher
    assert DispatchingResolver.installed_on(reactor) is dispatcher  # installed once
    strict = GuardedResolver(reactor, {"blog.orbis.test": "127.0.0.1"}, AllowList())
    lenient = GuardedResolver(
        reactor, {"blog.orbis.test": "127.0.0.1"}, AllowList.of(["127.0.0.1"])
    )
    outside = Receiver()
    dispatcher.resolveHostName(outside, "blog.orbis.test", 8080)
    assert outside.events == ["began", "done"]  # no crawler is connecting: nothing resolves
    with dispatcher.resolving_for(lenient):
        inside = Receiver()
        dispatcher.resolveHostName(inside, "blog.orbis.test", 8080)
        with dispatcher.resolving_for(strict):
            nested = Receiver()
            dispatcher.resolveHostName(nested, "blog.orbis.test", 8080)
        after = Receiver()
        dispatcher.resolveHostName(after, "blog.orbis.test", 8080)
    assert inside.events == ["began", "127.0.0.1", "done"]
    assert nested.events == ["began", "done"]
    assert after.events == ["began", "127.0.0.1", "done"]  # the outer guard is back
    assert strict.refusal_for("blog.orbis.test")
    assert not lenient.refusal_for("blog.orbis.test")


CONFIG = {
    "organisation": {"name": "Orbis", "sites": [{"url": "http://blog.orbis.test/"}]},
    "sources": [{"name": "a", "url": "http://news.test/rss"}],
    "crawl": {
        "user_agent": "mediamon (+https://orbis.test/bot; bot@orbis.test)",
        "allow_hosts": ["127.0.0.1"],
        "resolve": {"news.test": "127.0.0.1"},
        "concurrent_per_host": 3,
        "download_delay": 2.5,
        "timeout": 12,
        "max_body_bytes": 2048,
        "max_redirects": 4,
    },
}


def test_user_agent_names_product_version_and_contact() -> None:
    config = parse_config(CONFIG, env={})
    assert user_agent(config) == "mediamon/0.1.0 (+https://orbis.test/bot; bot@orbis.test)"
    own = parse_config({**CONFIG, "crawl": {"user_agent": "OrgBot/2.0 (+https://o.test)"}}, env={})
    assert user_agent(own) == "OrgBot/2.0 (+https://o.test)"
    bare = parse_config({**CONFIG, "crawl": {"user_agent": "bot@orbis.test"}}, env={})
    assert user_agent(bare) == "mediamon/0.1.0 (+bot@orbis.test)"


def test_scrapy_settings_carry_the_limits_and_the_guard() -> None:
    s = scrapy_settings(parse_config(CONFIG, env={}), log_level="ERROR")
    assert s["USER_AGENT"].startswith("mediamon/")
    assert s["ROBOTSTXT_OBEY"] is True
    assert s["COOKIES_ENABLED"] is False
    assert s["REFERER_ENABLED"] is False
    assert s["CONCURRENT_REQUESTS_PER_DOMAIN"] == 3
    assert s["DOWNLOAD_DELAY"] == 2.5
    assert s["AUTOTHROTTLE_ENABLED"] is True
    assert s["AUTOTHROTTLE_TARGET_CONCURRENCY"] == 2.0
    assert s["DOWNLOAD_TIMEOUT"] == 12
    assert s["DOWNLOAD_MAXSIZE"] == 2048
    assert s["REDIRECT_MAX_TIMES"] == 4
    assert s["LOG_LEVEL"] == "ERROR"
    assert s["TWISTED_DNS_RESOLVER"] == "crawler.fetching.resolver.DispatchingResolver"
    assert s["MEDIAMON_RESOLVE"] == {"news.test": "127.0.0.1"}
    # news.test is configured with a configured address; blog.orbis.test is not
    assert s["MEDIAMON_ALLOW_HOSTS"] == ["127.0.0.1", "news.test:80"]
    assert s["HTTPPROXY_ENABLED"] is False
    assert s["MEDIAMON_PROXY"] == ""
    assert 429 not in s["RETRY_HTTP_CODES"]
    assert 503 not in s["RETRY_HTTP_CODES"]
    assert s["REMOTE_CONTROL_ENABLED"] is False
    assert s["TELNETCONSOLE_ENABLED"] is False


def test_no_delay_means_no_autothrottle() -> None:
    config = parse_config({**CONFIG, "crawl": {"download_delay": 0}}, env={})
    s = scrapy_settings(config, overrides={"DOWNLOAD_TIMEOUT": 1})
    assert s["AUTOTHROTTLE_ENABLED"] is False
    assert s["DOWNLOAD_TIMEOUT"] == 1
