"""`mediamon user ...` and `mediamon token ...`: the web app's accounts and API tokens (#20).

Passwords are read from stdin (``--password-stdin``), never from an argument (which other
users of the machine can see in the process list); a token is printed alone on stdout, once,
so ``TOKEN=$(mediamon token add feeds)`` works, and only its hash is stored.
"""

from __future__ import annotations

import sys

import click
from rich.table import Table

from crawler.storage.db import session_scope
from crawler.storage.tokens import TokenError, add_token, list_tokens, revoke_token
from crawler.storage.users import (
    AccountError,
    Role,
    add_user,
    list_users,
    remove_user,
    set_password,
)
from scheduler.context import App, Failure

pass_app = click.make_pass_decorator(App)


def _read_password() -> str:
    """The first line of stdin, without its line end."""
    line = sys.stdin.readline()
    password = line.rstrip("\r\n")
    if not password:
        raise Failure("no password on stdin (use --password-stdin and pipe it in)", exit_code=2)
    return password


@click.group("user")
def user() -> None:
    """Accounts of the web app (viewer, editor, admin)."""


@user.command("add")
@click.argument("name")
@click.option(
    "--role",
    type=click.Choice([r.value for r in Role]),
    default=Role.VIEWER.value,
    show_default=True,
    help="viewer reads, editor also triages, admin sees every organisation.",
)
@click.option(
    "--org",
    "orgs",
    multiple=True,
    metavar="ORG",
    help="An organisation the user sees (repeatable; default: the config's).",
)
@click.option("--password-stdin", is_flag=True, required=True, help="Read the password on stdin.")
@pass_app
def user_add(app: App, name: str, role: str, orgs: tuple[str, ...], password_stdin: bool) -> None:
    """Create user NAME (the password is the first line of stdin)."""
    del password_stdin  # required, so that nobody passes a password as an argument
    password = _read_password()
    granted = list(orgs) or [app.config.organisation.name]
    engine = app.engine()
    try:
        with session_scope(engine) as session:
            add_user(session, name, password, Role(role), granted, app.now())
    except AccountError as exc:
        raise Failure(str(exc)) from None
    app.err_console.print(f"user {name} added ({role}; sees {', '.join(granted)})")


@user.command("passwd")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, required=True, help="Read the password on stdin.")
@pass_app
def user_passwd(app: App, name: str, password_stdin: bool) -> None:
    """Set a new password for NAME (ends the user's sessions, lifts a lock-out)."""
    del password_stdin  # required, so that nobody passes a password as an argument
    password = _read_password()
    try:
        with session_scope(app.engine()) as session:
            changed = set_password(session, name, password)
    except AccountError as exc:
        raise Failure(str(exc)) from None
    if not changed:
        raise Failure(f"no user named {name!r}")
    app.err_console.print(f"password of {name} changed")


@user.command("remove")
@click.argument("name")
@pass_app
def user_remove(app: App, name: str) -> None:
    """Delete user NAME (their sessions end with it)."""
    with session_scope(app.engine()) as session:
        if not remove_user(session, name):
            raise Failure(f"no user named {name!r}")
    app.err_console.print(f"user {name} removed")


@user.command("list")
@pass_app
def user_list(app: App) -> None:
    """Users, their roles and organisations."""
    with session_scope(app.engine()) as session:
        users = list_users(session)
    table = Table("name", "role", "organisations", "locked until", "last login")
    for u in users:
        table.add_row(
            u.name,
            u.role.value,
            "all" if u.role is Role.ADMIN else ", ".join(u.orgs),
            u.locked_until.isoformat(timespec="minutes") if u.locked_until else "",
            u.last_login_at.isoformat(timespec="minutes") if u.last_login_at else "",
        )
    app.console.print(table)


@click.group("token")
def token() -> None:
    """Bearer tokens for the read API and the Atom feed."""


@token.command("add")
@click.argument("name")
@click.option("--org", metavar="ORG", help="The organisation it reads (default: the config's).")
@pass_app
def token_add(app: App, name: str, org: str | None) -> None:
    """Make token NAME and print it (alone, on stdout, this once)."""
    try:
        with session_scope(app.engine()) as session:
            value = add_token(session, name, org or app.config.organisation.name, app.now())
    except TokenError as exc:
        raise Failure(str(exc)) from None
    click.echo(value)


@token.command("revoke")
@click.argument("name")
@pass_app
def token_revoke(app: App, name: str) -> None:
    """Revoke token NAME: it stops working at once."""
    try:
        with session_scope(app.engine()) as session:
            revoke_token(session, name, app.now())
    except TokenError as exc:
        raise Failure(str(exc)) from None
    app.err_console.print(f"token {name} revoked")


@token.command("list")
@pass_app
def token_list(app: App) -> None:
    """Tokens (names and organisations; the tokens themselves are not stored)."""
    with session_scope(app.engine()) as session:
        tokens = list_tokens(session)
    table = Table("name", "organisation", "created", "revoked")
    for t in tokens:
        revoked = t.revoked_at.isoformat(timespec="minutes") if t.revoked_at else ""
        table.add_row(t.name, t.org, t.created_at.isoformat(timespec="minutes"), revoked)
    app.console.print(table)
