"""Scrapy spiders. They yield items and never touch storage (pipelines do)."""
