"""Target and blocklist rules, directly against a database (no HTTP)."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from crawler.posts.model import FoundPost
from crawler.receiver.policy import Policy, TargetProblem, domain_blocked
from crawler.storage.db import session_scope
from crawler.storage.inventory import record_inventory
from crawler.storage.receipts import block_source
from tests.receiver.conftest import NOW, ORG, POSTS, add_posts, make_config


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize(
    ("url", "post", "problem"),
    [
        (POSTS[0], POSTS[0], None),
        ("http://www.blog.example.org/2024/05/first-post", POSTS[0], None),
        (POSTS[0] + "#comment-3", POSTS[0], None),
        (POSTS[0] + "?utm_source=x&fbclid=y", POSTS[0], None),
        (POSTS[0] + "amp/", POSTS[0], None),
        (POSTS[0] + "comment-page-2/", POSTS[0], None),
        ("https://blog.example.org/?p=3", "https://blog.example.org/?p=77", None),
        ("https://blog.example.org/", None, TargetProblem.NOT_A_POST),
        ("https://www.blog.example.org/feed/", None, TargetProblem.NOT_A_POST),
        ("https://blog.example.org.evil.example/2024/05/first-post/", None, TargetProblem.FOREIGN),
        ("https://example.org/", None, TargetProblem.FOREIGN),
        ("blog.example.org/2024/05/first-post/", None, TargetProblem.INVALID),
        ("ftp://blog.example.org/x", None, TargetProblem.INVALID),
        ("https://blog.example.org/a b", None, TargetProblem.INVALID),
        ("http://[::1", None, TargetProblem.INVALID),
        ("", None, TargetProblem.INVALID),
    ],
)
def test_check_target(
    sqlite_engine: Engine, url: str, post: str | None, problem: TargetProblem | None
) -> None:
    add_posts(sqlite_engine)
    check = Policy(make_config(), sqlite_engine).check_target(url)
    assert (check.post, check.problem) == (post, problem)


def test_a_ping_to_the_posts_wpme_shortlink_targets_the_post(sqlite_engine: Engine) -> None:
    """A WordPress.com post's stored wp.me shortlink names the post (#16); another wp.me
    link is nobody's post."""
    add_posts(sqlite_engine)
    with session_scope(sqlite_engine) as session:
        record_inventory(
            session,
            ORG,
            "https://blog.example.org/",
            "wordpress.com",
            [FoundPost(POSTS[0], wp_post_id=1, shortlink="https://wp.me/peLq9Z-1")],
            [],
            NOW,
        )
    policy = Policy(make_config(), sqlite_engine)
    check = policy.check_target("http://wp.me/peLq9Z-1")
    assert (check.post, check.problem) == (POSTS[0], None)
    assert policy.check_target("https://wp.me/peLq9Z-2").problem is TargetProblem.FOREIGN


def test_posts_are_cached_and_reloaded_on_a_miss_at_most_so_often(sqlite_engine: Engine) -> None:
    clock = Clock()
    policy = Policy(
        make_config(), sqlite_engine, refresh_seconds=60, miss_refresh_seconds=5, clock=clock
    )
    new = "https://blog.example.org/2025/01/new/"
    assert policy.check_target(new).problem is TargetProblem.NOT_A_POST
    add_posts(sqlite_engine, [new])
    clock.now = 4
    assert policy.check_target(new).post is None  # within the miss interval: cached
    clock.now = 5
    assert policy.check_target(new).post == new


def test_blocklists_merge_config_and_database(sqlite_engine: Engine) -> None:
    clock = Clock()
    config = make_config(block_domains=["*.Casino.Example."], block_urls=["http://x.example/p"])
    policy = Policy(config, sqlite_engine, refresh_seconds=30, clock=clock)
    assert policy.is_blocked("https://casino.example/")
    assert policy.is_blocked("https://a.b.casino.example/")
    assert not policy.is_blocked("https://notcasino.example/")
    assert policy.is_blocked("https://www.x.example/p/#frag")
    assert not policy.is_blocked("https://x.example/q")
    with session_scope(sqlite_engine) as session:
        block_source(session, "domain", "spam.example", "spam", NOW)
    assert not policy.is_blocked("https://spam.example/")  # cached for refresh_seconds
    clock.now = 30
    assert policy.is_blocked("https://sub.spam.example/")


@pytest.mark.parametrize(
    ("host", "blocked"),
    [("spam.example", True), ("a.spam.example", True), ("xspam.example", False), ("", False)],
)
def test_domain_blocked(host: str, blocked: bool) -> None:
    assert domain_blocked(host, {"spam.example", ""}) is blocked
