# ruff: noqa: E501  (markup is kept on whole lines, as in the themes and pages it imitates)
"""WordPress comment sections in four real theme markups.

Linkback harvesters break on theme differences, so the org's posts do not share one: the
markups below follow WordPress core's ``Walker_Comment`` (html5 ``short_ping`` list; html4
``comment()`` used when ``short_ping`` is off, so pings look like comments with a
"[…] excerpt […]" body), a theme that lists pings apart under "Trackbacks/Pingbacks"
(``ol.ping-list``), and a Kubrick-era theme printing ``<cite>Pingback by <a …>``. Class lists
follow ``get_comment_class()``: the comment type first, then ``byuser
comment-author-<login> bypostauthor`` for the post author, ``even|odd alt``, ``thread-even|
thread-odd thread-alt``, ``depth-N`` and ``parent``. Core prints "Pingback:" for trackbacks
too in the short form; only the class tells them apart.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sampleweb.pages.html import Ctx, esc, ordinal_date, wp_date, wp_time
from sampleweb.world.model import CommentType, Post, Theme, WpComment

AVATAR = "/wp-content/themes/shared/avatar-default.png"
SQ = "'"  # old themes quote attributes with single quotes


def content_html(c: WpComment, ctx: Ctx, *, old_ellipsis: bool = False) -> str:
    """The comment body as WordPress stores and filters it."""
    dots = "[...]" if old_ellipsis else "[&#8230;]"
    if c.kind == "reblog" and c.source is not None:
        link = f'<a href="{esc(ctx.href(c.source))}" rel="nofollow ugc">{esc(c.blog_name)}</a>'
        if c.note:
            return f"<p>Reblogged this on {link} and commented:</p>\n<p>{esc(c.note)}</p>"
        return f"<p>Reblogged this on {link}.</p>"
    if c.type == CommentType.PINGBACK:
        return f"<p>{dots} {esc(c.excerpt)} {dots}</p>"
    if c.type == CommentType.TRACKBACK:
        return f"<p><strong>{esc(c.title)}</strong></p>\n<p>{esc(c.excerpt)}</p>"
    return "\n".join(f"<p>{esc(p)}</p>" for p in c.text.split("\n\n"))


def content_text(c: WpComment) -> str:
    """The plain-text form used in feed descriptions."""
    if c.kind == "reblog":
        head = f"Reblogged this on {c.blog_name}"
        return f"{head} and commented:\n{c.note}" if c.note else f"{head}."
    if c.type == CommentType.PINGBACK:
        return f"[&#8230;] {c.excerpt} [&#8230;]"
    if c.type == CommentType.TRACKBACK:
        return f"{c.title}\n\n{c.excerpt}"
    return c.text


@dataclass(slots=True)
class _Node:
    comment: WpComment
    children: list[_Node] = field(default_factory=list)


def _tree(comments: list[WpComment]) -> list[_Node]:
    nodes = {c.id: _Node(c) for c in comments}
    roots: list[_Node] = []
    for c in comments:
        parent = nodes.get(c.parent) if c.parent else None
        (parent.children if parent is not None else roots).append(nodes[c.id])
    return roots


class _Counter:
    """WordPress's alternation counters (comment_alt, comment_thread_alt)."""

    def __init__(self) -> None:
        self.alt = 0
        self.thread = 0

    def classes(self, node: _Node, depth: int, ctx: Ctx) -> str:
        c = node.comment
        parts = [c.type.value]
        if c.type == CommentType.WEBMENTION:
            parts += ["h-cite", "h-entry", "p-comment"]
        if c.by_organisation:
            parts += ["byuser", f"comment-author-{ctx.world.org.author_login}", "bypostauthor"]
        parts += ["odd", "alt"] if self.alt % 2 else ["even"]
        self.alt += 1
        if depth == 1:
            parts += ["thread-odd", "thread-alt"] if self.thread % 2 else ["thread-even"]
            self.thread += 1
        parts.append(f"depth-{depth}")
        if node.children:
            parts.append("parent")
        return " ".join(parts)


def _author_link(c: WpComment, ctx: Ctx, quote: str = '"') -> str:
    if c.author_url is None:
        return esc(c.author)
    q = quote
    return f"<a href={q}{esc(ctx.href(c.author_url))}{q} class={q}url{q} rel={q}ugc external nofollow{q}>{esc(c.author)}</a>"


def _reply(c: WpComment, post: Post, permalink: str) -> str:
    return (
        f'<div class="reply"><a rel="nofollow" class="comment-reply-link" href="{esc(permalink)}?replytocom={c.id}#respond" '
        f'data-commentid="{c.id}" data-postid="{post.wp_id}" data-belowelement="div-comment-{c.id}" '
        f'data-respondelement="respond" aria-label="Reply to {esc(c.author)}">Reply</a></div>'
    )


# ----------------------------------------------------------------------------- html5


def _html5_item(
    node: _Node,
    depth: int,
    counter: _Counter,
    post: Post,
    permalink: str,
    ctx: Ctx,
    short_ping: bool,
) -> str:
    c = node.comment
    classes = counter.classes(node, depth, ctx)
    if short_ping and c.type in (CommentType.PINGBACK, CommentType.TRACKBACK):
        return (
            f'\t\t<li id="comment-{c.id}" class="{classes}">\n\t\t\t<div class="comment-body">\n'
            f'\t\t\t\tPingback: <a href="{esc(ctx.href(c.author_url) if c.author_url else "")}" class="url" '
            f'rel="ugc external nofollow">{esc(c.author)}</a> \n\t\t\t</div>\n\t\t</li><!-- #comment-## -->\n'
        )
    webmention = c.type == CommentType.WEBMENTION
    vcard = "comment-author vcard h-card u-author" if webmention else "comment-author vcard"
    fn = "fn p-name" if webmention else "fn"
    content_cls = "comment-content e-content p-name" if webmention else "comment-content"
    when = f"{wp_date(c.date)} at {wp_time(c.date)}"
    meta_href = ctx.href(c.source) if webmention and c.source else f"{permalink}#comment-{c.id}"
    u_url = ' class="u-url"' if webmention else ""
    dt = ' class="dt-published"' if webmention else ""
    out = [
        f'\t\t<li id="comment-{c.id}" class="{classes}">\n',
        f'\t\t\t<article id="div-comment-{c.id}" class="comment-body">\n\t\t\t\t<footer class="comment-meta">\n',
        f'\t\t\t\t\t<div class="{vcard}">\n\t\t\t\t\t\t<img alt="" src="{AVATAR}" class="avatar avatar-60 photo{" u-photo" if webmention else ""}" height="60" width="60" loading="lazy" decoding="async"/>\t\t\t\t\t\t',
        f'<b class="{fn}">{_author_link(c, ctx)}</b> <span class="says">says:</span>\t\t\t\t\t</div><!-- .comment-author -->\n\n',
        f'\t\t\t\t\t<div class="comment-metadata">\n\t\t\t\t\t\t<a href="{esc(meta_href)}"{u_url}><time{dt} datetime="{c.date.isoformat()}">{when}</time></a>\t\t\t\t\t</div><!-- .comment-metadata -->\n\n',
        f'\t\t\t\t\t\t\t\t</footer><!-- .comment-meta -->\n\n\t\t\t\t<div class="{content_cls}">\n{content_html(c, ctx)}\n\t\t\t\t</div><!-- .comment-content -->\n\n',
        f"\t\t\t\t{_reply(c, post, permalink)}\t\t\t</article><!-- .comment-body -->\n",
    ]
    if node.children:
        out.append('\t\t<ol class="children">\n')
        out.extend(
            _html5_item(ch, depth + 1, counter, post, permalink, ctx, short_ping)
            for ch in node.children
        )
        out.append("\t\t</ol><!-- .children -->\n")
    out.append("\t\t</li><!-- #comment-## -->\n")
    return "".join(out)


def _html5(post: Post, comments: list[WpComment], ctx: Ctx, permalink: str) -> str:
    counter = _Counter()
    items = "".join(_html5_item(n, 1, counter, post, permalink, ctx, True) for n in _tree(comments))
    n = len(comments)
    heading = (
        f"One thought on &ldquo;<span>{esc(post.title)}</span>&rdquo;"
        if n == 1
        else f"{n} thoughts on &ldquo;<span>{esc(post.title)}</span>&rdquo;"
    )
    return (
        f'\t\t<h2 class="comments-title">\n\t\t\t{heading}\n\t\t</h2>\n\n'
        f'\t\t<ol class="comment-list">\n{items}\t\t</ol><!-- .comment-list -->\n'
    )


# ----------------------------------------------------------------------------- html4 (core comment())


def _html4_item(
    node: _Node, depth: int, counter: _Counter, post: Post, permalink: str, ctx: Ctx, li_prefix: str
) -> str:
    c = node.comment
    classes = counter.classes(node, depth, ctx)
    li_id = f"li-comment-{c.id}" if li_prefix else f"comment-{c.id}"
    div_id = f"comment-{c.id}" if li_prefix else f"div-comment-{c.id}"
    out = [
        f'<li class="{classes}" id="{li_id}">\n',
        f'\t\t<div id="{div_id}" class="comment-body">\n',
        f'\t\t<div class="comment-author vcard">\n\t\t<img alt="" src="{AVATAR}" class="avatar avatar-40 photo" height="40" width="40"/>\t\t',
        f'<cite class="fn">{_author_link(c, ctx, SQ)}</cite> <span class="says">says:</span>\t\t</div>\n',
        f'\t\t<div class="comment-meta commentmetadata">\n\t\t\t<a href="{esc(permalink)}#comment-{c.id}">{wp_date(c.date)} at {wp_time(c.date)}</a>\t\t</div>\n\n',
        f"\t\t{content_html(c, ctx)}\n\n\t\t{_reply(c, post, permalink)}\n\t\t</div>\n",
    ]
    if node.children:
        out.append('<ol class="children">\n')
        out.extend(
            _html4_item(ch, depth + 1, counter, post, permalink, ctx, li_prefix)
            for ch in node.children
        )
        out.append("</ol><!-- .children -->\n")
    out.append("</li><!-- #comment-## -->\n")
    return "".join(out)


def _long_ping(post: Post, comments: list[WpComment], ctx: Ctx, permalink: str) -> str:
    counter = _Counter()
    items = "".join(_html4_item(n, 1, counter, post, permalink, ctx, "li") for n in _tree(comments))
    n = len(comments)
    word = "Response" if n == 1 else "Responses"
    return (
        f'\t\t\t<h3 id="comments-title">{n} {word} to <em>{esc(post.title)}</em></h3>\n\n'
        f'\t\t\t<ol class="commentlist">\n{items}\t\t\t</ol>\n'
    )


def _ping_list(post: Post, comments: list[WpComment], ctx: Ctx, permalink: str) -> str:
    pings = [c for c in comments if c.type in (CommentType.PINGBACK, CommentType.TRACKBACK)]
    others = [c for c in comments if c not in pings]
    counter = _Counter()
    items = "".join(_html4_item(n, 1, counter, post, permalink, ctx, "") for n in _tree(others))
    out = [
        f'<h3 id="comments">{len(others)} Comments</h3>\n<ol class="commentlist">\n{items}</ol>\n'
    ]
    if pings:
        ping_counter = _Counter()
        out.append('\n<h3 id="pings">Trackbacks/Pingbacks</h3>\n<ol class="ping-list">\n')
        for c in pings:
            classes = ping_counter.classes(_Node(c), 1, ctx)
            src = ctx.href(c.author_url) if c.author_url else ""
            out.append(
                f'\t<li class="{classes}" id="comment-{c.id}">\n'
                f'\t\t<div class="ping-meta"><span class="ping-date">{wp_date(c.date)}</span></div>\n'
                f'\t\t<a href="{esc(src)}" rel="external nofollow ugc" class="url">{esc(c.author)}</a>\n'
                f'\t\t<div class="ping-content">{content_html(c, ctx)}</div>\n\t</li>\n'
            )
        out.append("</ol>\n")
    return "".join(out)


# ----------------------------------------------------------------------------- Kubrick-era


def _old_item(
    node: _Node, depth: int, counter: _Counter, post: Post, permalink: str, ctx: Ctx
) -> str:
    c = node.comment
    classes = counter.classes(node, depth, ctx)
    if c.type in (CommentType.PINGBACK, CommentType.TRACKBACK):
        label = "Pingback" if c.type == CommentType.PINGBACK else "Trackback"
        cite = f"<cite>{label} by {_author_link(c, ctx, SQ)}</cite>:"
    else:
        cite = f"<cite>{_author_link(c, ctx, SQ)}</cite> Says:"
    out = [
        f'\t<li class="{classes}" id="comment-{c.id}">\n',
        f"\t\t{cite}\n\t\t<br />\n",
        f'\t\t<small class="commentmetadata"><a href="#comment-{c.id}" title="">{ordinal_date(c.date)} at {wp_time(c.date)}</a> </small>\n',
        f"\t\t{content_html(c, ctx, old_ellipsis=True)}\n",
    ]
    if node.children:
        out.append('\t\t<ul class="children">\n')
        out.extend(_old_item(ch, depth + 1, counter, post, permalink, ctx) for ch in node.children)
        out.append("\t\t</ul>\n")
    out.append("\t</li>\n")
    return "".join(out)


def _old_cite(post: Post, comments: list[WpComment], ctx: Ctx, permalink: str) -> str:
    counter = _Counter()
    items = "".join(_old_item(n, 1, counter, post, permalink, ctx) for n in _tree(comments))
    n = len(comments)
    word = "Response" if n == 1 else "Responses"
    return f'\t<h3 id="comments">{n} {word} to &#8220;{esc(post.title)}&#8221;</h3>\n\n\t<ol class="commentlist">\n{items}\t</ol>\n'


_RENDERERS: dict[Theme, Callable[[Post, list[WpComment], Ctx, str], str]] = {
    Theme.HTML5_SHORT: _html5,
    Theme.LONG_PING: _long_ping,
    Theme.PING_LIST: _ping_list,
    Theme.OLD_CITE: _old_cite,
}


def comment_section(post: Post, comments: list[WpComment], ctx: Ctx, permalink: str) -> str:
    """The comments area of a post page (list plus the reply form)."""
    listing = _RENDERERS[post.theme](post, comments, ctx, permalink) if comments else ""
    form = (
        '<div id="respond" class="comment-respond">\n'
        '\t<h3 id="reply-title" class="comment-reply-title">Leave a Reply <small><a rel="nofollow" '
        f'id="cancel-comment-reply-link" href="{esc(permalink)}#respond" style="display:none;">Cancel reply</a></small></h3>'
        f'<form action="{esc(ctx.url(ctx.world.org.host, "/wp-comments-post.php"))}" method="post" id="commentform" class="comment-form" novalidate>'
        '<p class="comment-notes"><span id="email-notes">Your email address will not be published.</span> '
        '<span class="required-field-message">Required fields are marked <span class="required">*</span></span></p>'
        '<p class="comment-form-comment"><label for="comment">Comment <span class="required">*</span></label> '
        '<textarea id="comment" name="comment" cols="45" rows="8" maxlength="65525" required></textarea></p>'
        '<p class="comment-form-author"><label for="author">Name <span class="required">*</span></label> '
        '<input id="author" name="author" type="text" value="" size="30" maxlength="245" autocomplete="name" required /></p>'
        '<p class="comment-form-email"><label for="email">Email <span class="required">*</span></label> '
        '<input id="email" name="email" type="email" value="" size="30" maxlength="100" autocomplete="email" required /></p>'
        '<p class="comment-form-url"><label for="url">Website</label> <input id="url" name="url" type="url" value="" size="30" maxlength="200" autocomplete="url" /></p>'
        '<p class="form-submit"><input name="submit" type="submit" id="submit" class="submit" value="Post Comment" /> '
        f"<input type='hidden' name='comment_post_ID' value='{post.wp_id}' id='comment_post_ID' />\n"
        "<input type='hidden' name='comment_parent' id='comment_parent' value='0' />\n</p></form>\t</div><!-- #respond -->\n"
    )
    return f'<div id="comments" class="comments-area default-max-width">\n{listing}\n{form}</div><!-- #comments -->\n'
