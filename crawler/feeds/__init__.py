"""Pure feed code: parsing RSS/Atom/JSON Feed bytes into entries, entry identity, feed and
sitemap discovery, and the polling policy (next check, backoff, Retry-After, dead and redirect
rules).

Nothing here does I/O or touches storage (import-linter forbids it): the Scrapy spider fetches,
these functions decide, and the pipeline stores. That keeps every rule table-testable with
saved inputs and an explicit ``now``.
"""
