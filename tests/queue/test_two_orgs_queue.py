"""One fleet serves two organisations of one database (#16, #19): a single worker holds both
configs and runs each queued run with the config of the organisation it is for.

Both organisations watch the same wire feed with their own query; each `poll` is queued per
host group, and the one worker does both. Each organisation's run rows and press finds are
its own: the other organisation's query never matched on its behalf.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from crawler.config import load_configs
from crawler.storage.db import make_engine, session_scope
from crawler.storage.runs import recent_runs
from sampleweb.server.router import SampleWeb
from scheduler.cli import cli
from tests.harvest.test_two_orgs import _configs
from tests.queue.conftest import (
    migrate,
    queue_section,
    registered,
    start_worker,
    stop_worker,
    wait_until,
)

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.timeout(600)]


def _cli(paths: tuple[Path, Path], db: str, *args: str) -> str:
    a, b = paths
    result = CliRunner().invoke(cli, ["--config", str(a), "--config", str(b), "--db", db, *args])
    assert result.exit_code == 0, result.output + result.stderr
    return result.output


def test_one_worker_runs_each_organisations_runs_with_its_own_config(
    web: SampleWeb, postgres_url: str, tmp_path: Path, queue_prefix: str
) -> None:
    paths = _configs(tmp_path, web)
    for path in paths:
        path.write_text(path.read_text(encoding="utf-8") + queue_section(queue_prefix))
    a_name, b_name = (c.organisation.name for c in load_configs(list(paths), env={}))
    migrate(postgres_url)
    worker = start_worker(paths[0], postgres_url, more=paths[1:])
    try:
        wait_until(lambda: registered(queue_prefix) == 1, "the worker")
        wait_until(lambda: worker.said("2 organisation(s)"), "the worker to serve both")
        for org in (a_name, b_name):
            out = _cli(paths, postgres_url, "--org", org, "poll", "--all")
            assert "Poll" in out
    finally:
        assert stop_worker(worker) == 0
    engine = make_engine(postgres_url)
    with session_scope(engine) as session:
        runs = [(r.org, r.job, r.exit_status) for r in recent_runs(session, 100)]
    engine.dispose()
    assert {org for org, _, _ in runs} == {a_name, b_name}
    assert all(job == "poll" and status == 0 for _, job, status in runs), runs

    def press(org: str) -> list[dict[str, Any]]:
        out = _cli(paths, postgres_url, "--org", org, "mentions", "--format", "json")
        found = [json.loads(line) for line in out.splitlines() if line.strip()]
        return [m for m in found if m["kind"] == "press"]

    press_a, press_b = press(a_name), press(b_name)
    assert press_a
    assert press_b
    assert all(m["queries"] == ["a-q"] for m in press_a)
    assert all(m["queries"] == ["b-q"] for m in press_b)
