"""The storage pipelines: the only Scrapy code that writes.

One per flow, each built by ``from_crawler``: ``feeds`` (feed polls: poll state, entries,
own posts, articles), ``pages`` (site and ad-hoc crawls: pages, mentions, stories) and
``linkbacks`` (harvests, re-checks, verified receipts). They call the pure stages (parse,
extract, match, classify) and storage's verb-named functions, nothing else.
"""
