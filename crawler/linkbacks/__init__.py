"""Pure parsers and policies for linkbacks: pingbacks, trackbacks, webmentions, reblogs, comments.

A WordPress post exposes its linkbacks through several imperfect routes (the comment list in
the page, the comment feeds, the WordPress.com replies API, XML-RPC), and the receiver accepts
them over three protocols. Everything here works on bytes and strings handed in by the Scrapy
shell or the receiver: no network, no database, no Scrapy. That keeps every rule testable with
saved inputs and lets the routes be combined (each a fallback for the others) by the caller.

Modules, one concern each:

- ``model``      the shared value type ``ParsedLinkback`` and ``RouteUnavailable``
- ``markup``     forgiving HTML decoding/parsing and text helpers
- ``urls``       URL joining/splitting that never raises on hostile input
- ``headers``    HTTP header pairs (repeated headers, bytes or str)
- ``reblogs``    WordPress.com reblog markup, on the original and on the reblogger
- ``comment_items`` finding the comment items of a post page, whatever the theme
- ``comments``   reading those items: comments, pings, reblogs, webmentions
- ``feeds``      WordPress comment feeds (no type field, capped at ~10 items)
- ``wpapi``      WordPress.com replies API and the core REST refusal
- ``xmlrpc``     XML-RPC for Pingback 1.0 (defusedxml only)
- ``discovery``  Webmention / Pingback / TrackBack endpoint discovery
- ``verify``     does a source page link to our post, and what is it
- ``trackback``  TrackBack ping requests and responses
- ``webmention`` synchronous validation of an incoming webmention request (and the sender's body)
"""
