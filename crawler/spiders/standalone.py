"""What a spider does when ``scrapy crawl NAME`` starts it with no run around it.

A run (``crawler.runs``) hands its spider a context through a setting; Scrapy's own command
line does not. Then the spider asks the runs layer to prepare a run, by the dotted path in
``MEDIAMON_STANDALONE`` (``crawler/settings.py``): spiders sit below the runs and never import
them. These two hooks are shared by every spider that ``scrapy crawl`` can run on its own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scrapy.utils.misc import load_object

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

STANDALONE_SETTING = "MEDIAMON_STANDALONE"


def _preparers(settings: BaseSettings) -> dict[str, Any]:
    return dict(settings.get(STANDALONE_SETTING) or {})


def check_standalone(name: str, settings: BaseSettings, run_setting: str) -> None:
    """Refuse early (``scrapy`` exits 2) when spider ``name`` runs on its own and the
    config cannot be loaded; a run that set ``run_setting`` is left alone."""
    preparers = _preparers(settings)
    if settings.get(run_setting) is None and name in preparers:
        load_object(preparers["check"])()


def standalone_arguments(
    name: str, crawler: Crawler, run_setting: str, given: dict[str, Any]
) -> dict[str, Any]:
    """The spider's arguments: ``given`` inside a run; else what the runs layer's preparer
    for ``name`` returns after preparing the run from the ``-a`` arguments in ``given``."""
    preparers = _preparers(crawler.settings)
    if crawler.settings.get(run_setting) is not None or name not in preparers:
        return given
    prepared: dict[str, Any] = load_object(preparers[name])(crawler, **given)
    return prepared
