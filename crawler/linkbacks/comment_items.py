"""Finding the comment items of a WordPress post page, whatever the theme.

Themes wrap each comment differently: ``<li id="comment-N">`` (html5 and most themes),
Twenty Ten's ``<li id="li-comment-N"><div id="comment-N">``, ``wp_list_comments(style=div)``
divs, and separate ping lists whose items have neither id nor type class. This module finds
the items in document order (one per comment), gives each its comment id, its own content
without nested replies or UI chrome, and its type: the type class first (core's
``comment_class()`` prints it first), else a printed "Pingback"/"Trackback" label, else the
ping section it sits in. ``comments`` then reads each item.
"""

from __future__ import annotations

import copy
import re

from crawler.domain import MentionKind
from crawler.linkbacks.markup import Element, attr, class_tokens, text_of, xpath

__all__ = ["find_items", "item_comment_id", "item_type", "own_content"]

# Class tokens that make an <li> a comment item even without an id.
_ITEM_TYPES = {
    "comment": MentionKind.COMMENT,
    "pingback": MentionKind.PINGBACK,
    "trackback": MentionKind.TRACKBACK,
    "webmention": MentionKind.WEBMENTION,
}
# Comment types of the Webmention plugin, trusted only on items that have a comment id.
_PLUGIN_TYPES = frozenset(
    [
        "repost",
        "like",
        "favorite",
        "tag",
        "bookmark",
        "listen",
        "watch",
        "read",
        "follow",
        "mention",
        "reacji",
    ]
)
_ITEM_ID = re.compile(r"^(?:li-|div-)?comment-(\d{1,18})$")
_PERMALINK_ID = re.compile(r"#comment-(\d{1,18})$")
_LABEL = re.compile(r"^\s*(pingback|trackback)\b\s*(?::|by\b|from\b)?", re.IGNORECASE)
# A class or id token naming a pings section: ping-list, pinglist, pings, trackbacks, ...
# (token-bounded, so "shipping" or "wrapping" never match).
_PING_SECTION = re.compile(
    r"(?:^|[-_])(?:pings?|pinglist|pingbacks?|trackbacks?|linkbacks?)(?:$|[-_])"
)
_PING_HEADING = re.compile(r"\b(?:pingbacks?|trackbacks?|pings|linkbacks?)\b", re.IGNORECASE)

# Parts of an item that are chrome, not content.
_NOISE = (
    "reply",
    "edit-link",
    "comment-edit-link",
    "comment-reply-link",
    "comment-likes",
    "comment-like-feedback",
    "sharedaddy",
    "comment-awaiting-moderation",
)


def _id_of(el: Element) -> int | None:
    match = _ITEM_ID.match((attr(el, "id") or "").strip())
    return int(match.group(1)) if match else None


def _in_ping_section(li: Element) -> bool:
    """Is this list item in a separate pings list ("Trackbacks/Pingbacks", ``ol.ping-list``)?"""
    node = li.getparent()
    depth = 0
    while node is not None and depth < 4 and isinstance(node.tag, str):
        if node.tag.lower() == "body":
            break
        names = f"{attr(node, 'class') or ''} {attr(node, 'id') or ''}".lower().split()
        if any(_PING_SECTION.search(name) for name in names):
            return True
        if depth == 0 and _heading_says_pings(node):
            return True
        node = node.getparent()
        depth += 1
    return False


def _heading_says_pings(lst: Element) -> bool:
    sibling = lst.getprevious()
    for _ in range(3):
        if sibling is None:
            return False
        if isinstance(sibling.tag, str) and sibling.tag.lower() in ("h2", "h3", "h4", "h5", "h6"):
            heading = text_of(sibling)
            return bool(_PING_HEADING.search(heading)) and "comment" not in heading.lower()
        sibling = sibling.getprevious()
    return False


def _is_item(el: Element) -> bool:
    if not isinstance(el.tag, str):
        return False
    tag = el.tag.lower()
    if tag in ("li", "div", "article") and _id_of(el) is not None:
        return True
    if tag != "li":
        return False
    if any(token in _ITEM_TYPES for token in class_tokens(el)):
        return True
    return _in_ping_section(el)


def find_items(doc: Element) -> list[Element]:
    """Comment items in document order, without the inner wrappers of the same comment."""
    items = [el for el in doc.iter() if _is_item(el)]
    chosen = set()
    result = []
    for el in items:
        parent = el.getparent()
        while parent is not None and parent not in chosen:
            parent = parent.getparent()
        if parent is not None and item_comment_id(parent) == item_comment_id(el):
            continue  # Twenty Ten style: <li id="li-comment-5"><div id="comment-5">
        chosen.add(el)
        result.append(el)
    return result


def item_comment_id(item: Element) -> int | None:
    own = _id_of(item)
    if own is not None:
        return own
    for el in item.iter():
        if el is not item and isinstance(el.tag, str):
            if el.tag.lower() == "li":
                break  # a nested reply
            found = _id_of(el)
            if found is not None:
                return found
    for link in xpath(item, ".//a[@href]"):
        match = _PERMALINK_ID.search((attr(link, "href") or "").strip())
        if match:
            return int(match.group(1))
    return None


def own_content(item: Element, item_id: int | None) -> Element:
    """A copy of the item without nested replies and without UI chrome."""
    own = copy.deepcopy(item)
    doomed = []
    for el in own.iter():
        if el is own or not isinstance(el.tag, str):
            continue
        tag = el.tag.lower()
        tokens = class_tokens(el)
        nested_item = tag == "li" and (
            _id_of(el) is not None or any(t in _ITEM_TYPES for t in tokens)
        )
        other_wrapper = tag in ("div", "article") and _id_of(el) not in (None, item_id)
        if (
            nested_item
            or other_wrapper
            or (tag in ("ol", "ul") and "children" in tokens)
            or tag in ("script", "style", "form")
            or any(t in _NOISE for t in tokens)
        ):
            doomed.append(el)
    for el in doomed:
        if el.getparent() is not None and not any(d in el.iterancestors() for d in doomed):
            el.drop_tree()
    return own


def item_type(item: Element, own: Element, item_id: int | None) -> MentionKind:
    for token in class_tokens(item):
        if token in _ITEM_TYPES:
            return _ITEM_TYPES[token]
        if item_id is not None and token in _PLUGIN_TYPES:
            return MentionKind.WEBMENTION
    label = _LABEL.match(text_of(own))
    if label:
        return MentionKind(label.group(1).lower())
    if item.tag.lower() == "li" and _in_ping_section(item):
        return MentionKind.PINGBACK
    return MentionKind.COMMENT
