"""Signing in and the app's defences, over a real socket (#20): bad logins, lock-out, CSRF,
session expiry, headers, error pages, no open redirect."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlalchemy.engine import Engine

from reports.web.app import WebSettings
from tests.web.conftest import PASSWORD, Newsroom, add_users


def test_pages_need_a_login_and_come_back_after_it(newsroom: Newsroom) -> None:
    c = newsroom.client()
    reply = c.get("/?q=river")
    assert reply.status == 303
    assert reply.headers["location"] == "/login?next=%2F%3Fq%3Driver"
    signed = c.login("viv", next_path="/?q=river")
    assert signed.status == 303
    assert signed.headers["location"] == "/?q=river"
    cookie = signed.headers["set-cookie"].lower()
    assert "httponly" in cookie
    assert "samesite=lax" in cookie
    assert "secure" not in cookie
    assert c.get("/").status == 200


def test_wrong_password_unknown_user_and_locked_user_look_the_same(newsroom: Newsroom) -> None:
    wrong = newsroom.client().login("viv", "not the password")
    unknown = newsroom.client().login("nobody", PASSWORD)
    assert wrong.status == unknown.status == 401
    assert "Wrong user name or password" in wrong.text
    for _ in range(5):
        newsroom.client().login("ed", "guessing wrong")
    locked = newsroom.client().login("ed", PASSWORD)  # right password, locked account
    assert locked.status == 401
    assert locked.text.count("Wrong user name or password") == 1
    newsroom.clock.now += timedelta(minutes=16)
    assert newsroom.client().login("ed", PASSWORD).status == 303


def test_one_address_is_limited_across_user_names(newsroom: Newsroom) -> None:
    for i in range(20):
        assert newsroom.client().login(f"user{i}", "x" * 10).status == 401
    assert newsroom.client().login("viv", PASSWORD).status == 401  # the address is limited
    newsroom.clock.now += timedelta(minutes=16)
    assert newsroom.client().login("viv", PASSWORD).status == 303


def test_post_without_or_with_stale_csrf_token_is_403(newsroom: Newsroom) -> None:
    c = newsroom.client()
    form = c.get("/login")
    missing = c.post("/login", {"username": "viv", "password": PASSWORD})
    assert missing.status == 403
    assert "expired" in missing.text
    other = newsroom.client()
    other.get("/login")
    stale = other.post(
        "/login", {"username": "viv", "password": PASSWORD, "csrf_token": form.csrf()}
    )
    assert stale.status == 403
    ed = newsroom.signed_in("ed")
    token_before = ed.get("/").csrf()
    ed.post("/logout", {"csrf_token": token_before})
    ed.login("ed")
    assert ed.post("/triage", {"action": "spam", "csrf_token": token_before}).status == 403


def test_no_open_redirect_after_login(newsroom: Newsroom) -> None:
    for target in ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:x"]:
        reply = newsroom.client().login("viv", next_path=target)
        assert reply.status == 303
        assert reply.headers["location"] == "/", target


def test_session_expires_and_logout_ends_it(newsroom: Newsroom) -> None:
    c = newsroom.signed_in("viv")
    newsroom.clock.now += timedelta(hours=13)
    assert c.get("/").status == 303
    c = newsroom.signed_in("viv")
    assert c.post("/logout", {"csrf_token": c.get("/").csrf()}).status == 303
    assert c.get("/").status == 303


def test_security_headers_on_pages_and_errors(newsroom: Newsroom) -> None:
    c = newsroom.signed_in("viv")
    for reply in (c.get("/"), c.get("/no/such/page"), newsroom.client().get("/login")):
        csp = reply.headers["content-security-policy"]
        assert "script-src 'self'" in csp
        assert "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert reply.headers["x-frame-options"] == "DENY"
        assert reply.headers["referrer-policy"] == "same-origin"
    missing = c.get("/no/such/page")
    assert missing.status == 404
    assert "Traceback" not in missing.text
    assert "/no/such/page" not in missing.text


def test_secure_cookie_behind_https(
    newsroom_factory: Callable[..., Newsroom], sqlite_engine: Engine
) -> None:
    add_users(sqlite_engine)
    room = newsroom_factory(sqlite_engine, WebSettings(secure_cookies=True))
    reply = room.client().login("viv")
    assert "secure" in reply.headers["set-cookie"].lower()
