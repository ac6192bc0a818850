"""``[[alerts]]`` rules at config load, and the pure policy that applies them."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from crawler.config import ConfigError, parse_config
from crawler.domain import FoundVia, MentionKind, MentionStatus
from crawler.storage.mentions import MentionView
from reports.alerts import policy
from reports.alerts.channels import channel_label, with_delivery_params

BASE: dict[str, Any] = {
    "organisation": {"name": "Orbis", "timezone": "Europe/Zurich"},
    "queries": [{"name": "org", "query": '"Orbis Union"'}],
}


def load(alerts: list[dict[str, Any]], env: dict[str, str] | None = None, **more: Any) -> Any:
    return parse_config({**BASE, "alerts": alerts, **more}, path="m.toml", env=env or {})


def error(alerts: list[dict[str, Any]], env: dict[str, str] | None = None, **more: Any) -> str:
    with pytest.raises(ConfigError) as caught:
        load(alerts, env, **more)
    return str(caught.value)


def test_unknown_apprise_url_names_rule_and_url() -> None:
    message = error([{"name": "slack", "urls": ["json://127.0.0.1/x", "slak://T/B/C"]}])
    assert message == (
        "m.toml: alerts[0] ('slack'): Apprise does not understand the URL 'slak://T/B/C'"
    )


def test_unknown_query_is_a_config_error() -> None:
    message = error([{"name": "r", "urls": ["json://127.0.0.1/x"], "queries": ["orgg"]}])
    assert message == "m.toml: alerts[0] ('r'): unknown query 'orgg' (queries: org)"


def test_env_substitution_and_masking() -> None:
    config = load([{"name": "r", "urls": ["${HOOK}"]}], env={"HOOK": "json://127.0.0.1:9/s3cret"})
    assert config.alerts[0].urls == ("json://127.0.0.1:9/s3cret",)
    assert "s3cret" not in str(config.masked())


def test_missing_env_and_secret_never_printed() -> None:
    assert error([{"name": "r", "urls": ["${HOOK}"]}]) == (
        "m.toml: alerts[0] ('r').urls: environment variable HOOK is not set"
    )
    message = error([{"name": "r", "urls": ["${HOOK}"]}], env={"HOOK": "slak://s3cret"})
    assert "s3cret" not in message
    assert "'${HOOK}'" in message


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ({"mode": "batch", "interval": "soon"}, "interval: not an interval like '15m'"),
        ({"quiet_hours": "22-7"}, "quiet_hours: not a span of hours like '22:00-07:00'"),
        ({"mode": "often"}, "alerts[0].mode"),
        ({"kinds": ["tweet"]}, "alerts[0].kinds[0]"),
        ({"min_weight": -1}, "alerts[0].min_weight"),
    ],
)
def test_bad_rule_values(rule: dict[str, Any], expected: str) -> None:
    assert expected in error([{"name": "r", "urls": ["json://127.0.0.1/x"], **rule}])


def test_rule_without_urls_needs_someone_to_email() -> None:
    assert "no urls and no recipients" in error([{"name": "mail"}])
    config = load([{"name": "mail"}], digest={"recipients": ["comms@orbis.example"]})
    assert config.alerts[0].urls == ()


def test_duplicate_rule_names() -> None:
    rule = {"name": "r", "urls": ["json://127.0.0.1/x"]}
    assert "duplicate rule name" in error([rule, rule])


def view(**kw: Any) -> MentionView:
    fields: dict[str, Any] = {
        "id": 1, "org": "Orbis", "url": "https://n.example/a",
        "canonical_url": "https://n.example/a", "kind": MentionKind.PRESS, "title": "A",
        "site": "n.example", "author": "", "language": "en",
        "published_at": None, "first_seen_at": datetime(2026, 11, 2, 9, tzinfo=UTC), "target": "",
        "target_title": "", "queries": ("org",), "terms": (), "snippet": "", "hits": (), "note": "",
        "context": "", "by_organisation": False, "status": MentionStatus.LIVE,
        "found_via": FoundVia.FEED, "story_id": None, "document_id": 1, "source_name": "",
        "source_weight": 3,
    }  # fmt: skip
    return MentionView(**{**fields, **kw})


def test_rule_criteria() -> None:
    config = load(
        [
            {
                "name": "r",
                "urls": ["json://127.0.0.1/x"],
                "kinds": ["press"],
                "queries": ["org"],
                "min_weight": 2,
                "languages": ["EN", "fr"],
            }
        ]
    )
    rule = config.alerts[0]
    assert policy.matches(rule, view())
    assert policy.matches(rule, view(language="en-GB"))
    assert not policy.matches(rule, view(kind=MentionKind.BLOG))
    assert not policy.matches(rule, view(queries=()))
    assert not policy.matches(rule, view(source_weight=1))
    assert not policy.matches(rule, view(language="de"))


def test_backfill_window() -> None:
    seen = datetime(2026, 11, 2, 9, tzinfo=UTC)
    window = timedelta(hours=48)
    assert not policy.is_backfill(view(published_at=None), window)
    assert not policy.is_backfill(view(published_at=seen - timedelta(hours=47)), window)
    assert policy.is_backfill(view(published_at=seen - timedelta(hours=49)), window)


def test_quiet_hours_in_the_organisations_zone() -> None:
    zurich = ZoneInfo("Europe/Zurich")
    quiet = (time(22, 0), time(7, 0))
    # 21:30 UTC is 22:30 in Zurich (winter): quiet; 06:30 UTC is 07:30: not quiet.
    assert policy.in_quiet_hours(quiet, datetime(2026, 11, 2, 21, 30, tzinfo=UTC), zurich)
    assert not policy.in_quiet_hours(quiet, datetime(2026, 11, 2, 6, 30, tzinfo=UTC), zurich)
    assert policy.in_quiet_hours(
        (time(12), time(13)), datetime(2026, 11, 2, 11, tzinfo=UTC), zurich
    )
    assert not policy.in_quiet_hours(None, datetime(2026, 11, 2, 23, tzinfo=UTC), zurich)


def test_backoff_doubles_caps_and_respects_throttling() -> None:
    base = timedelta(seconds=30)
    assert [policy.backoff(n, base).total_seconds() for n in (1, 2, 3)] == [30, 60, 120]
    assert policy.backoff(30, base) == policy.MAX_BACKOFF
    minute = timedelta(seconds=60)
    assert policy.backoff(1, timedelta(seconds=5), throttled=minute) == minute
    assert policy.backoff(9, timedelta(seconds=5), throttled=minute) > minute


def test_idempotency_key_only_on_webhooks_and_labels_hide_tokens() -> None:
    hooked = with_delivery_params("json://h/x", "mediamon-7", 10)
    assert "+Idempotency-Key=mediamon-7" in hooked
    assert ":delivery=mediamon-7" in hooked
    slack = with_delivery_params("slack://T1/B2/C3?footer=no", "mediamon-7", 10)
    assert "Idempotency" not in slack
    assert slack.endswith("?footer=no&rto=10&cto=10")
    label = channel_label("slack://T1AAAA/B2BBBB/C3CCCCCCCCCCCCCCCCCCCCCC")
    assert label.startswith("slack://")
    assert "T1AAAA" not in label
    assert "C3CCCC" not in label
    assert channel_label("mailtos://user:pw@mail.example/") == "mailtos://user:****@mail.example/"
    assert channel_label("json://127.0.0.1:99/hook?x=1") == "json://127.0.0.1:99/hook"


def test_outside_text_cannot_broadcast_in_chat() -> None:
    hostile = view(title="Hi @everyone <!channel>", snippet="ping @Here now")
    title, body = policy.find_title(hostile), policy.find_body(hostile)
    for text in (title, body):
        assert "@everyone" not in text
        assert "<!channel>" not in text
        assert "@Here" not in text
    assert "everyone" in title  # the words stay readable
