"""Shared Scrapy infrastructure for every spider: the settings built from the config, the
address guard (a DNS resolver that refuses private addresses), failure classification and the
per-host politeness pieces. The feed spider uses it today; the page-crawl and linkback-harvest
spiders reuse it, so politeness and safety live in one place (DESIGN.md "The flow").
"""
