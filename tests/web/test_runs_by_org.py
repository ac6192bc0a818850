"""The newsroom's runs page (#16): a user sees the runs of their organisations and the
database-wide ones, never another organisation's."""

from __future__ import annotations

from datetime import UTC, datetime

from crawler.storage.db import session_scope
from crawler.storage.runs import finish_run, start_run
from tests.web.conftest import Newsroom

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def test_runs_page_shows_only_the_users_organisations(newsroom: Newsroom) -> None:
    with session_scope(newsroom.engine) as s:
        for org, error in (("Orbis", "orbis-run"), ("Else", "else-run"), ("", "whole-db-run")):
            run = start_run(s, "poll", NOW, org=org)
            finish_run(s, run, NOW, exit_status=1, error=error)
    text = newsroom.signed_in("viv").get("/runs").text  # viv sees Orbis only
    assert "orbis-run" in text
    assert "whole-db-run" in text
    assert "else-run" not in text
