"""A rule without URLs alerts by email through the SMTP settings, in the digest's look."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.engine import Engine

from crawler.config import parse_config
from reports.alerts.sender import send_due
from reports.render import render_html, render_text
from reports.view import build_digest
from tests.alerts.test_outbox import NOW, find, store
from tests.reports.conftest import SmtpServer
from tests.reports.factories import digest_input


def test_email_channel_sends_each_find_once(engine: Engine, smtp_server: SmtpServer) -> None:
    config = parse_config(
        {
            "organisation": {"name": "Orbis"},
            "queries": [{"name": "org", "query": '"Orbis Union"'}],
            "digest": {"recipients": ["comms@orbis.example"], "sender": "mm@orbis.example"},
            "smtp": {"host": smtp_server.host, "port": smtp_server.port, "timeout": 10},
            "alerts": [{"name": "mail", "queries": ["org"]}],
        },
        env={},
    )
    store(engine, [find(1)])
    assert send_due(config, engine, NOW).sent == 1
    assert send_due(config, engine, NOW + timedelta(minutes=1)).sent == 0
    [mail] = smtp_server.handler.received
    assert mail.rcpt_tos == ["comms@orbis.example"]
    message = mail.message
    assert message["Subject"] == "[press] Orbis Union story 1"
    assert message["X-Mediamon-Alert"].startswith("mediamon-")
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None
    assert html is not None
    assert "https://news.example/a/1" in text.get_content()
    assert "Alert · mail" in html.get_content()
    assert 'class="container"' in html.get_content() or 'width="600"' in html.get_content()


def test_failed_alerts_in_the_health_footer() -> None:
    view = build_digest(digest_input([], failed_alerts=3))
    assert not view.health.all_clear
    assert "3 failed alerts" in view.health.line
    text = render_text(view)
    assert "Alerts not delivered: 3 alerts failed after their retries" in text
    assert "mediamon alerts outbox --failed" in render_html(view)
    clear = build_digest(digest_input([]))
    assert "Alerts not delivered" not in render_text(clear)
