"""One spelling per page: URL canonicalisation, and recognising links to our own posts.

The same post is linked as ``http://www.example.org/2024/05/post``, ``https://m.example.org/
2024/05/post/amp/?utm_source=twitter#comments`` and ``https://example.org/?p=123``. Counting
each once and attributing each to the right post needs one canonical form:

* scheme and host lower case, ``http`` → ``https``, default ports dropped (others kept);
* ``www.``, ``m.``, ``mobile.`` and ``amp.`` host prefixes dropped; AMP cache URLs unwrapped;
* fragments dropped; tracking parameters (``utm_*``, ``fbclid``, ...) removed, the rest sorted;
* percent-encoding normalised and dot segments resolved (``w3lib.url.canonicalize_url``);
* AMP paths (``/amp/``, ``/amp``, ``.amp``) and ``?amp=1`` folded into the page itself;
* a trailing slash on every path whose last segment has no file extension.

The function is idempotent: canonicalising a canonical URL returns it unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import unquote_plus, urlsplit

from w3lib.url import canonicalize_url as _w3lib_canonicalize

#: Query parameters that identify a campaign or click, never the page.
_TRACKING = """
    fbclid gclid gclsrc dclid gbraid wbraid msclkid yclid twclid ttclid li_fat_id igshid
    mc_cid mc_eid _ga _gl _hsenc _hsmi hsctatracking mkt_tok oly_anon_id oly_enc_id
    rb_clickid s_cid vero_id vero_conv wickedid ncid cmpid spm ref ref_src ref_url
    ito guccounter guce_referrer guce_referrer_sig soc_src soc_trk sr_share at_medium
    at_campaign at_custom1 at_custom2 at_custom3 at_custom4 fb_action_ids fb_action_types
    fb_ref fb_source action_object_map action_type_map action_ref_map __twitter_impression
    amp amp_js_v usqp noamp replytocom
"""
TRACKING_PARAMS = frozenset(_TRACKING.split())
_TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hmb_")
_SHARES = """facebook twitter x linkedin email reddit tumblr pinterest pocket telegram
    whatsapp jetpack-whatsapp print mastodon threads bluesky"""
_SHARE_TARGETS = frozenset(_SHARES.split())
_HOST_PREFIXES = ("www.", "m.", "mobile.", "amp.")
_DEFAULT_PORTS = {"http": 80, "https": 443}
_EXTENSION = re.compile(r"\.[a-z0-9]{0,4}[a-z][a-z0-9]{0,4}$", re.IGNORECASE)
_AMP_CACHE = re.compile(r"^https?://[^/]+\.cdn\.ampproject\.org/[a-z](/s)?/(.+)$", re.IGNORECASE)
_GOOGLE_AMP = re.compile(r"^https?://(?:www\.)?google\.[a-z.]+/amp/(s/)?(.+)$", re.IGNORECASE)
_COMMENT_PAGE = re.compile(r"(?:comment-page-\d+|embed)/$")


def _unwrap_amp_cache(url: str) -> str:
    unwrapped = True
    while unwrapped:
        unwrapped = False
        for pattern in (_AMP_CACHE, _GOOGLE_AMP):
            m = pattern.match(url)
            if m:
                url = ("https://" if m.group(1) else "http://") + m.group(2)
                unwrapped = True
    return url


def _strip_amp_path(path: str) -> str:
    while True:
        before = path
        if path.endswith("/amp/") or path.endswith("/amp"):
            path = path[: path.rstrip("/").rfind("/") + 1]
        elif path.endswith(".amp"):
            path = path[:-4]
        elif path.endswith(".amp.html"):
            path = path[:-9] + ".html"
        if path == before:
            return path or "/"


def _is_tracking(pair: str) -> bool:
    name, _, value = pair.partition("=")
    name = unquote_plus(name).lower()
    if name in TRACKING_PARAMS or name.startswith(_TRACKING_PREFIXES):
        return True
    value = unquote_plus(value).lower()
    if name == "outputtype":
        return value == "amp"
    return name in ("share", "nb") and (value in _SHARE_TARGETS or name == "nb")


def _host(hostname: str) -> str:
    host = hostname.lower().rstrip(".")
    changed = True
    while changed:
        changed = False
        for prefix in _HOST_PREFIXES:
            rest = host[len(prefix) :]
            if host.startswith(prefix) and "." in rest:
                host, changed = rest, True
    return f"[{host}]" if ":" in host else host


def canonicalize_url(url: str) -> str:
    """The canonical spelling of ``url`` (see the module docstring); idempotent.

    Strings that are not http(s) URLs come back stripped but otherwise unchanged, so the
    function never raises on bad input.
    """
    # One step is enough for ordinary URLs; odd ones (path parameters, backslashes) can need
    # a second before w3lib's encoding settles, so run to a fixed point.
    current = _canonical_step(url)
    for _ in range(4):
        following = _canonical_step(current)
        if following == current:
            break
        current = following
    return current


def _canonical_step(url: str) -> str:
    url = original = url.strip()
    if url.startswith("//"):
        url = "https:" + url
    elif "://" not in url and not url.lower().startswith(("mailto:", "tel:", "data:")):
        url = "https://" + url.lstrip("/")
    url = _unwrap_amp_cache(url)
    try:
        url = _w3lib_canonicalize(url, keep_fragments=False)
        parts = urlsplit(url)
        port = parts.port
        hostname = parts.hostname
    except ValueError:
        return original
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not hostname:
        return original  # not a web URL: left alone, which keeps the function idempotent
    netloc = _host(hostname)
    if port is not None and port not in _DEFAULT_PORTS.values():
        netloc += f":{port}"
    path = _strip_amp_path(parts.path or "/")
    last = path.rsplit("/", 1)[-1]
    if last and not _EXTENSION.search(last):
        path += "/"
    query = "&".join(p for p in parts.query.split("&") if p and not _is_tracking(p))
    return f"https://{netloc}{path}" + (f"?{query}" if query else "")


class PostIndex:
    """Finds which of our posts a URL points to, whatever variant of the URL was linked.

    Built from ``(post URL, WordPress post id or None)`` pairs. Besides every canonical
    variant it recognises WordPress shortlinks (``/?p=123``, ``/?page_id=123``) on the post's
    own host when the id is known, the comment-page and embed views of a post
    (``/post/comment-page-2/``, ``/post/embed/``), and the shortlinks given as
    ``(shortlink, post URL)`` pairs (``wp.me/p<blog>-<id>`` on WordPress.com: another host,
    whose path alone says nothing, so only the stored, checked shortlink can tell).
    """

    def __init__(
        self,
        posts: Iterable[tuple[str, int | None]],
        shortlinks: Iterable[tuple[str, str]] = (),
    ) -> None:
        self._by_url: dict[str, str] = {}
        self._by_id: dict[tuple[str, int], str] = {}
        for url, post_id in posts:
            canonical = canonicalize_url(url)
            self._by_url.setdefault(canonical, canonical)
            if post_id is not None:
                self._by_id.setdefault((urlsplit(canonical).netloc, post_id), canonical)
        self._by_shortlink = {
            canonicalize_url(short): canonicalize_url(url) for short, url in shortlinks if short
        }

    def __len__(self) -> int:
        return len(self._by_url)

    def __contains__(self, url: object) -> bool:
        return isinstance(url, str) and self.lookup(url) is not None

    def lookup(self, url: str) -> str | None:
        """The canonical URL of the post ``url`` refers to, or ``None``."""
        canonical = canonicalize_url(url)
        found = self._by_url.get(canonical) or self._by_shortlink.get(canonical)
        if found is not None:
            return found
        parts = urlsplit(canonical)
        if _COMMENT_PAGE.search(parts.path):
            base = _COMMENT_PAGE.sub("", parts.path)
            found = self._by_url.get(f"{parts.scheme}://{parts.netloc}{base}")
            if found is not None:
                return found
        if parts.path in ("/", "/index.php") and self._by_id:
            params = dict(p.partition("=")[::2] for p in parts.query.split("&") if p)
            for key in ("p", "page_id"):
                value = params.get(key, "")
                if value.isascii() and value.isdigit():
                    return self._by_id.get((parts.netloc, int(value)))
        return None
