"""Signals from the storage pipelines to the spiders: "fetch these next".

Only a pipeline can tell which entries or listed URLs are new (it asks storage), and only the
spider builds requests. The pipeline announces what it wants; the spider that handles the
signal turns it into requests and hands them to the engine. Neither calls the other, and a
pipeline never needs to know which spider class it serves.
"""

from __future__ import annotations

#: ``wanted``: a list of ``(source_id, FeedEntry)`` whose article pages should be read.
articles_wanted = object()
#: ``task`` (a ``SiteTask``), ``url``, ``depth``, ``listing`` (the page may be a section) and
#: ``canonical`` (the URL it is known by, or ``""``): one page the crawl should fetch.
page_wanted = object()
