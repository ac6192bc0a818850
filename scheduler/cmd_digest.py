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
from reports.model import as_dict
from reports.send import SendStatus, render_digest, send_digest, write_preview
from scheduler.context import App, Failure
from scheduler.output import echo_json, format_option, wants_json

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
@format_option(json_help="Same as --format json.")
@pass_app
def digest(
    app: App,
    date_option: str | None,
    send: bool,
    out_dir: Path | None,
    resend_stuck: bool,
    fmt: str,
    as_json: bool,
) -> None:
    """Render the daily coverage digest; with --send, email it (once); with --out, write the
    files. With neither, print the plain-text version (--format json: the digest's data; with
    --out or --send, the files written and the send's outcome)."""
    as_json = wants_json(fmt, as_json)
    done: dict[str, object] = {}
    day = _day(date_option, app)
    if resend_stuck and not send:
        raise click.UsageError("--resend-stuck only makes sense with --send")
    config = app.config
    engine = app.engine()
    now = app.now()
    try:
        if out_dir is not None:
            files = write_preview(config, engine, day, now, out_dir)
            done["files"] = [str(path) for path in files.all()]
            if not as_json:
                for path in files.all():
                    click.echo(str(path))
        if send:
            # A person asked: a failed digest is retried now, not at its backoff time.
            outcome = send_digest(
                config, engine, day, now, resend_stuck=resend_stuck, ignore_backoff=True
            )
            sent = outcome.files is not None and outcome.status is SendStatus.SENT
            if as_json:
                done["send"] = {"status": outcome.status.value, "message": outcome.message}
                if sent and outcome.files is not None:
                    done["sent_files"] = [str(path) for path in outcome.files.all()]
            elif sent and outcome.files is not None:
                for path in outcome.files.all():
                    click.echo(str(path))
            if not outcome.ok:
                if as_json:
                    echo_json(done)
                raise Failure(outcome.message)
            if not as_json:
                app.console.print(outcome.message, markup=False, highlight=False, soft_wrap=True)
        if out_dir is None and not send:
            rendered = render_digest(config, engine, day, now)
            if as_json:
                done = as_dict(rendered.view)
            else:
                sys.stdout.write(rendered.text)
        if as_json:
            echo_json(done)
    except (DatabaseError, OSError) as exc:
        raise Failure(f"digest for {day}: {exc}") from None
