"""The digests state machine on SQLite and PostgreSQL: claimed once, backed off, reported."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy.engine import Engine

from crawler.domain import DigestState
from crawler.storage.db import session_scope
from crawler.storage.digests import (
    backoff,
    claim_for_sending,
    due_retries,
    ensure_digest,
    get_digest,
    mark_failed,
    mark_sent,
    note_uncertain,
    release_stuck,
    stuck_digests,
)

ORG = "Orbis Union"
DAY = date(2026, 11, 2)
NOW = datetime(2026, 11, 3, 6, 0, tzinfo=UTC)


def test_backoff_grows_and_is_capped() -> None:
    minutes = [backoff(n).total_seconds() / 60 for n in range(1, 8)]
    assert minutes == [5, 15, 45, 135, 360, 360, 360]


def test_ensure_is_an_upsert_that_never_resets(engine: Engine) -> None:
    with session_scope(engine) as s:
        first = ensure_digest(s, ORG, DAY, NOW, "/a/2026-11-02.eml")
        assert claim_for_sending(s, ORG, DAY, NOW, "<m1@orbis.example>")
        again = ensure_digest(s, ORG, DAY, NOW + timedelta(minutes=1), "/b.eml")
    assert first.state is DigestState.RENDERED
    assert again.id == first.id
    assert again.state is DigestState.SENDING
    assert again.path == "/a/2026-11-02.eml"


def test_claim_succeeds_once(engine: Engine) -> None:
    with session_scope(engine) as s:
        ensure_digest(s, ORG, DAY, NOW, "p")
    with session_scope(engine) as s:
        assert claim_for_sending(s, ORG, DAY, NOW, "<m1@orbis.example>") is True
    with session_scope(engine) as s:
        assert claim_for_sending(s, ORG, DAY, NOW, "<m2@orbis.example>") is False
        record = get_digest(s, ORG, DAY)
    assert record is not None
    assert (record.state, record.attempts, record.message_id) == (
        DigestState.SENDING,
        1,
        "<m1@orbis.example>",
    )


def test_claim_needs_a_row_and_respects_other_orgs_and_days(engine: Engine) -> None:
    with session_scope(engine) as s:
        assert claim_for_sending(s, ORG, DAY, NOW, "<m@x>") is False
        ensure_digest(s, ORG, DAY, NOW, "p")
        ensure_digest(s, "Other", DAY, NOW, "p")
        assert claim_for_sending(s, ORG, DAY, NOW, "<m@x>")
        assert claim_for_sending(s, "Other", DAY, NOW, "<m@y>")
        assert claim_for_sending(s, ORG, DAY + timedelta(days=1), NOW, "<m@z>") is False


def test_sent_is_final(engine: Engine) -> None:
    with session_scope(engine) as s:
        ensure_digest(s, ORG, DAY, NOW, "p")
        claim_for_sending(s, ORG, DAY, NOW, "<m1@x>")
        sent = mark_sent(s, ORG, DAY, NOW, ["a@x.example"])
        assert not claim_for_sending(s, ORG, DAY, NOW + timedelta(days=9), "<m2@x>")
        assert due_retries(s, NOW + timedelta(days=9)) == []
    assert sent.state is DigestState.SENT
    assert sent.sent_at == NOW
    assert sent.recipients == ("a@x.example",)


def test_failure_backs_off_then_is_due_and_keeps_message_id(engine: Engine) -> None:
    with session_scope(engine) as s:
        ensure_digest(s, ORG, DAY, NOW, "p")
        claim_for_sending(s, ORG, DAY, NOW, "<m1@x>")
        failed = mark_failed(s, ORG, DAY, NOW, "connection refused", delivered=["a@x.example"])
    assert failed.state is DigestState.FAILED
    assert failed.next_attempt_at == NOW + timedelta(minutes=5)
    assert failed.last_error == "connection refused"
    with session_scope(engine) as s:
        assert due_retries(s, NOW + timedelta(minutes=4)) == []
        assert not claim_for_sending(s, ORG, DAY, NOW + timedelta(minutes=4), "<m2@x>")
        [due] = due_retries(s, NOW + timedelta(minutes=5))
        assert due.day == DAY
        assert claim_for_sending(s, ORG, DAY, NOW + timedelta(minutes=5), "<m2@x>")
        second = mark_failed(s, ORG, DAY, NOW + timedelta(minutes=5), "timeout", ["b@x.example"])
    assert second.attempts == 2
    assert second.message_id == "<m1@x>"
    assert second.next_attempt_at == NOW + timedelta(minutes=5 + 15)
    assert second.recipients == ("a@x.example", "b@x.example")


def test_a_person_may_retry_before_the_backoff_but_only_once(engine: Engine) -> None:
    with session_scope(engine) as s:
        ensure_digest(s, ORG, DAY, NOW, "p")
        claim_for_sending(s, ORG, DAY, NOW, "<m1@x>")
        mark_failed(s, ORG, DAY, NOW, "down")
    soon = NOW + timedelta(minutes=1)
    with session_scope(engine) as s:
        assert claim_for_sending(s, ORG, DAY, soon, "<m2@x>", ignore_backoff=True)
        assert not claim_for_sending(s, ORG, DAY, soon, "<m3@x>", ignore_backoff=True)
        mark_sent(s, ORG, DAY, soon, ["a@x.example"])
        assert not claim_for_sending(s, ORG, DAY, soon, "<m4@x>", ignore_backoff=True)


def test_automatic_retries_stop_after_many_attempts(engine: Engine) -> None:
    when = NOW
    with session_scope(engine) as s:
        ensure_digest(s, ORG, DAY, NOW, "p")
        for _ in range(10):
            assert claim_for_sending(s, ORG, DAY, when, "<m@x>")
            when = mark_failed(s, ORG, DAY, when, "down").next_attempt_at or when
        assert due_retries(s, when) == []
        assert claim_for_sending(s, ORG, DAY, when, "<m@x>")  # by hand it still can


def test_stuck_sending_is_reported_not_reclaimed(engine: Engine) -> None:
    with session_scope(engine) as s:
        ensure_digest(s, ORG, DAY, NOW, "p")
        claim_for_sending(s, ORG, DAY, NOW, "<m@x>")
        note_uncertain(s, ORG, DAY, "connection lost after DATA")
    later = NOW + timedelta(minutes=31)
    with session_scope(engine) as s:
        assert stuck_digests(s, NOW + timedelta(minutes=29)) == []
        [stuck] = stuck_digests(s, later)
        assert stuck.last_error.startswith("delivery unknown")
        assert not claim_for_sending(s, ORG, DAY, later, "<m2@x>")
        assert due_retries(s, later) == []
        assert not release_stuck(s, ORG, DAY, NOW + timedelta(minutes=10))
        assert release_stuck(s, ORG, DAY, later)
        assert claim_for_sending(s, ORG, DAY, later, "<m2@x>")
        record = get_digest(s, ORG, DAY)
    assert record is not None
    assert record.message_id == "<m@x>"


CLAIMER = textwrap.dedent(
    """
    import sys
    import time
    from datetime import UTC, date, datetime, timedelta
    from crawler.storage.db import make_engine, session_scope
    from crawler.storage.digests import claim_for_sending, ensure_digest

    engine = make_engine(sys.argv[1])
    now = datetime(2026, 11, 3, 6, tzinfo=UTC)
    with session_scope(engine) as s:  # connect before the start line
        s.connection()
    start = float(sys.stdin.readline())
    while time.time() < start:  # start together, to the millisecond
        pass
    won = []
    for i in range(DAYS):
        day = date(2026, 1, 1) + timedelta(days=i)
        with session_scope(engine) as s:
            ensure_digest(s, "Orbis Union", day, now, "p")
        with session_scope(engine) as s:
            if claim_for_sending(s, "Orbis Union", day, now, f"<{sys.argv[2]}-{i}@x>"):
                won.append(day.isoformat())
    print(" ".join(won))
    """
).replace("DAYS", "100")


def test_two_processes_claiming_the_same_days_never_both_win(engine: Engine, db_url: str) -> None:
    """The claim itself, raced by two real processes over 100 digests: every digest is claimed
    exactly once (on SQLite the writes serialise; on PostgreSQL the loser's UPDATE re-checks
    the committed row and matches nothing)."""
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", CLAIMER, db_url, name],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=Path(__file__).parents[2],
        )
        for name in ("a", "b")
    ]
    start = time.time() + 1.0
    for w in workers:
        assert w.stdin is not None
        w.stdin.write(f"{start}\n")
        w.stdin.flush()
    won = []
    for w in workers:
        out, err = w.communicate(timeout=60)
        assert w.returncode == 0, err
        won.append(out.split())
    assert sorted(won[0] + won[1]) == [
        (date(2026, 1, 1) + timedelta(days=i)).isoformat() for i in range(100)
    ]
