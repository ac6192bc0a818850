"""The linkback receiver: an ASGI app that accepts pingbacks, webmentions and trackbacks.

Requests from anyone on the internet are checked synchronously (well-formed, a target that is
one of our posts, a source that is not blocked, within the size and rate limits) and queued as
receipts; nothing is fetched in the request path. The verify run later fetches each source and
``decide`` turns its verification into the receipt's state and the mention's fate.

Modules, one concern each:

- ``app``        ``build_app(config, engine)``: routes and wiring
- ``context``    what the endpoints share; the rate-limit-then-read-body prologue
- ``limits``     per-key sliding-window rate limiter, bounded incremental body reader
- ``policy``     is the target one of our posts; is the source blocked
- ``intake``     the acceptance rules every protocol shares, and queueing the receipt
- ``pingback``   XML-RPC ``pingback.ping`` and its fault codes
- ``webmention`` W3C Webmention (400 / 202)
- ``trackback``  TrackBack pings and their XML answers
- ``pages``      the status page and ``/healthz``
- ``decide``     verification outcome -> receipt state and mention action (pure)

The package itself imports none of them: a harvest reads ``decide`` and must not load the
web stack (Starlette, the WebSub pusher) in every crawl child.
"""
