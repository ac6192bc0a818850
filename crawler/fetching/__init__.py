"""Shared Scrapy infrastructure for every spider: the settings built from the config, the
address guard (``guard``: the rule; ``resolver``: applied to every connection's resolved
address; ``proxy``: no environment proxies, and the target checked before a configured proxy
gets it), failure classification and the per-host politeness pieces. The feed spider uses
it today; the page-crawl and linkback-harvest spiders reuse it, so politeness and safety
live in one place (DESIGN.md "The flow").
"""
