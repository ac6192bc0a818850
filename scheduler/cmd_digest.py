"""``mediamon digest``: render, preview, archive and send the daily coverage digest.

Which day: a digest sent on the morning of day D covers day D-1 (the last complete day in the
organisation's timezone), so that is the default; ``--date`` always names the covered day.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from crawler.storage.db import DatabaseError
from reports.dates import default_day
from reports.send import SendStatus, render_digest, send_digest, write_preview
from scheduler.context import App, Failure

pass_app = click.make_pass_decorator(App)


def _day(value: str | None, app: App) -> date:
    if value is None:
        return default_day(app.now(), app.config.organisation.tz)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"not a date (YYYY-MM-DD): {value!r}", param_hint="--date"
        ) from None


@click.command("digest")
@click.option(
    "--date",
    "date_option",
    metavar="YYYY-MM-DD",
    help="The day the digest covers (default: yesterday in the organisation's timezone).",
)
@click.option("--send", is_flag=True, help="Archive and email it (at most once per day).")
@click.option(
    "--out",
    "out_dir",
    metavar="DIR",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write DAY.html, DAY.txt and DAY.eml into DIR without sending.",
)
@click.option(
    "--resend-stuck",
    is_flag=True,
    help="With --send: resend a digest left in 'sending' for over 30 minutes by a lost sender "
    "(only after checking the mail server's log: it may have been delivered).",
)
@pass_app
def digest(
    app: App, date_option: str | None, send: bool, out_dir: Path | None, resend_stuck: bool
) -> None:
    """Render the daily coverage digest; with --send, email it (once); with --out, write the
    files. With neither, print the plain-text version."""
    day = _day(date_option, app)
    if resend_stuck and not send:
        raise click.UsageError("--resend-stuck only makes sense with --send")
    config = app.config
    engine = app.engine()
    now = app.now()
    try:
        if out_dir is not None:
            files = write_preview(config, engine, day, now, out_dir)
            for path in files.all():
                click.echo(str(path))
        if send:
            # A person asked: a failed digest is retried now, not at its backoff time.
            outcome = send_digest(
                config, engine, day, now, resend_stuck=resend_stuck, ignore_backoff=True
            )
            if outcome.files is not None and outcome.status is SendStatus.SENT:
                for path in outcome.files.all():
                    click.echo(str(path))
            if not outcome.ok:
                raise Failure(outcome.message)
            app.console.print(outcome.message, markup=False, highlight=False, soft_wrap=True)
        if out_dir is None and not send:
            sys.stdout.write(render_digest(config, engine, day, now).text)
    except (DatabaseError, OSError) as exc:
        raise Failure(f"digest for {day}: {exc}") from None
