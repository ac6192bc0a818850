"""The inbox (``/``) and triage (``POST /triage``, ``POST /triage/undo``) (#20).

Pages are cursor-paged: the ``after`` parameter is the last row shown, signed, so a cursor
cannot be edited into another organisation's rows or a malformed query (a tampered one is a
400). Triage needs an editor; each click is one undoable batch, remembered in the session so
the next page offers "Undo".
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from crawler.storage.db import session_scope
from crawler.storage.inbox import InboxFilter, inbox_page, volume_by_day
from crawler.storage.triage import Triage, set_triage, undo_batch
from crawler.storage.users import Role, User
from reports.web.chart import Chart, volume_chart
from reports.web.context import Endpoint, WebContext
from reports.web.filters import KINDS, parse_filters, to_inbox_filter
from reports.web.security import check_csrf, local_path

PAGE = 50
CHART_DAYS = 30
ACTIONS = {
    "relevant": (Triage.RELEVANT, False),
    "irrelevant": (Triage.IRRELEVANT, False),
    "spam": (Triage.SPAM, False),
    "block": (Triage.SPAM, True),
    "clear": (None, False),
}


def visible_orgs(user: User) -> tuple[str, ...] | None:
    """The organisations a user sees (None: every one, for an admin)."""
    return None if user.role is Role.ADMIN else user.orgs


def _cursor(ctx: WebContext, value: str) -> tuple[datetime, int] | None:
    if not value:
        return None
    data = ctx.unsign("cursor", value)
    try:
        seen, mention_id = data
        return datetime.fromisoformat(seen), int(mention_id)
    except (TypeError, ValueError):
        raise HTTPException(400, "This link has been altered.") from None


def _chart(ctx: WebContext, f: InboxFilter) -> Chart:
    tz = ZoneInfo(ctx.settings.timezone)
    now = ctx.clock()
    start = (now - timedelta(days=CHART_DAYS)).replace(hour=0, minute=0, second=0)
    with session_scope(ctx.engine) as session:
        counts = volume_by_day(session, f, start, now + timedelta(days=1))
    return volume_chart(counts, now.astimezone(tz).date(), CHART_DAYS)


def inbox_endpoints(ctx: WebContext) -> tuple[Endpoint, Endpoint, Endpoint]:
    async def inbox(request: Request) -> Response:
        user = ctx.require(request)
        filters = parse_filters(request.query_params)
        after = _cursor(ctx, request.query_params.get("after", ""))
        storage_filter = to_inbox_filter(filters, visible_orgs(user), ctx.settings.timezone)
        with session_scope(ctx.engine) as session:
            page = inbox_page(session, storage_filter, after=after, limit=PAGE)
        next_url = ""
        if page.next_cursor is not None:
            seen, last = page.next_cursor
            token = ctx.signer("cursor").dumps([seen.isoformat(), last])
            next_url = "/?" + filters.url(after=str(token))
        return ctx.render(
            request,
            "inbox.html.j2",
            user=user,
            page=page,
            filters=filters,
            kinds=KINDS,
            next_url=next_url,
            first_page=after is None,
            chart=_chart(ctx, storage_filter) if after is None else None,
            undo=request.session.get("undo"),
            here=local_path(str(request.url.path) + "?" + request.url.query),
        )

    async def triage(request: Request) -> Response:
        user = ctx.require(request, Role.EDITOR)
        form = await request.form(max_files=0, max_fields=1000)
        check_csrf(request, form.get("csrf_token"))
        action = str(form.get("action") or "")
        name, _, single = action.partition(":")
        if name not in ACTIONS:
            raise HTTPException(400, "Unknown triage action.")
        raw = [single] if single else [str(v) for v in form.getlist("ids")]
        try:
            ids = [int(v) for v in raw][:500]
        except ValueError:
            raise HTTPException(400, "Finds are named by number.") from None
        state, block = ACTIONS[name]
        with session_scope(ctx.engine) as session:
            result = set_triage(
                session,
                ids,
                state,
                user.name,
                ctx.clock(),
                orgs=visible_orgs(user),
                block=block,
            )
        request.session["undo"] = {
            "batch": result.batch,
            "count": result.changed,
            "state": state.value if state else "untriaged",
            "blocked": list(result.blocked),
        }
        return RedirectResponse(local_path(form.get("back")), 303)

    async def undo(request: Request) -> Response:
        user = ctx.require(request, Role.EDITOR)
        form = await request.form(max_files=0, max_fields=10)
        check_csrf(request, form.get("csrf_token"))
        batch = str(form.get("batch") or "")[:32]
        with session_scope(ctx.engine) as session:
            undo_batch(session, batch, user.name, ctx.clock(), orgs=visible_orgs(user))
        request.session.pop("undo", None)
        return RedirectResponse(local_path(form.get("back")), 303)

    return inbox, triage, undo
