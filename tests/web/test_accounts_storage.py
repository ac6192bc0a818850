"""Accounts, tokens and triage in storage (#20): bad logins, lock-out, revocation, undo."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine

from crawler.storage.db import session_scope
from crawler.storage.models import MentionRow
from crawler.storage.receipts import blocked
from crawler.storage.reporting import DayWindow, counts_by_day, day_mentions
from crawler.storage.tokens import TokenError, add_token, revoke_token, token_org
from crawler.storage.triage import Triage, set_triage, triage_history, undo_batch
from crawler.storage.users import (
    LOCK_AFTER,
    AccountError,
    Role,
    add_user,
    authenticate,
    set_password,
)
from tests.web.factories import NOW, find, store

PASSWORD = "correct horse battery"


def test_login_wrong_unknown_and_locked(engine: Engine) -> None:
    with session_scope(engine) as s:
        add_user(s, "ana", PASSWORD, Role.EDITOR, ["Orbis"], NOW)
    with session_scope(engine) as s:
        assert authenticate(s, "ana", PASSWORD, NOW).user is not None
        assert authenticate(s, "nobody", PASSWORD, NOW).reason == "wrong"
        for _ in range(LOCK_AFTER):
            assert authenticate(s, "ana", "wrong password", NOW).reason == "wrong"
        # locked now: even the right password is refused until the lock ends
        assert authenticate(s, "ana", PASSWORD, NOW).reason == "locked"
        later = NOW + timedelta(minutes=16)
        assert authenticate(s, "ana", PASSWORD, later).user is not None


def test_duplicate_user_short_password_and_bad_name_are_refused(engine: Engine) -> None:
    with session_scope(engine) as s:
        add_user(s, "ana", PASSWORD, Role.VIEWER, [], NOW)
    with session_scope(engine) as s, pytest.raises(AccountError, match="already exists"):
        add_user(s, "ana", PASSWORD, Role.VIEWER, [], NOW)
    with session_scope(engine) as s, pytest.raises(AccountError, match="too short"):
        add_user(s, "bo", "short", Role.VIEWER, [], NOW)
    with session_scope(engine) as s, pytest.raises(AccountError, match="bad user name"):
        add_user(s, "<script>", PASSWORD, Role.VIEWER, [], NOW)


def test_new_password_ends_old_sessions(engine: Engine) -> None:
    with session_scope(engine) as s:
        before = add_user(s, "ana", PASSWORD, Role.VIEWER, [], NOW).auth_version
        assert set_password(s, "ana", "another good password")
        after = authenticate(s, "ana", "another good password", NOW).user
    assert after is not None
    assert after.auth_version == before + 1


def test_token_is_hashed_revocable_and_scoped(engine: Engine) -> None:
    with session_scope(engine) as s:
        token = add_token(s, "feeds", "Orbis", NOW)
        assert token_org(s, token) == "Orbis"
        assert token_org(s, token + "x") is None
        with pytest.raises(TokenError, match="already exists"):
            add_token(s, "feeds", "Orbis", NOW)
    with session_scope(engine) as s:
        revoke_token(s, "feeds", NOW)
        assert token_org(s, token) is None
        with pytest.raises(TokenError, match="no active token"):
            revoke_token(s, "feeds", NOW)


def _ids(engine: Engine) -> list[int]:
    with session_scope(engine) as s:
        return list(s.scalars(select(MentionRow.id).order_by(MentionRow.id)))


def test_triage_is_recorded_undoable_and_leaves_the_digest(engine: Engine) -> None:
    store(engine, [find(1), find(2), find(3, site="spam.example")])
    ids = _ids(engine)
    with session_scope(engine) as s:
        first = set_triage(s, ids[:2], Triage.IRRELEVANT, "ana", NOW)
        spam = set_triage(s, [ids[2]], Triage.SPAM, "ana", NOW, block=True)
    assert first.changed == 2
    assert spam.blocked == ("spam.example",)
    day = NOW.replace(hour=0, minute=0)
    window = DayWindow(day.date(), day, day + timedelta(days=1))
    with session_scope(engine) as s:
        assert day_mentions(s, "Orbis", day, day + timedelta(days=1)) == []
        assert counts_by_day(s, "Orbis", [window]) == {day.date(): {}}
        assert blocked(s)[0] == {"spam.example"}
        assert undo_batch(s, first.batch, "bo", NOW) == 2
    with session_scope(engine) as s:
        shown = day_mentions(s, "Orbis", day, day + timedelta(days=1))
        history = triage_history(s, ids[0])
        assert counts_by_day(s, "Orbis", [window]) == {day.date(): {"press": 2}}
    assert sorted(m.id for m in shown) == ids[:2]
    assert [(e.user, e.old, e.new) for e in history] == [
        ("ana", None, "irrelevant"),
        ("bo", "irrelevant", None),
    ]


def test_triage_of_another_organisation_changes_nothing(engine: Engine) -> None:
    store(engine, [find(1, org="Other")])
    with session_scope(engine) as s:
        result = set_triage(s, _ids(engine), Triage.SPAM, "ana", NOW, orgs=["Orbis"])
    assert result.changed == 0
