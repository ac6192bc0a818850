"""The linkback harvester: every linkback of the organisation's posts, from every route.

A WordPress post shows its linkbacks through several imperfect routes (its comment list, its
comment feeds, the WordPress.com replies API, XML-RPC ``getPingbacks``; core REST refuses
anonymous clients), so the harvester asks all of them, merges what they say into one record
per linkback, fetches each linkback's source page once to describe it, and re-checks sources
later so that removed links are marked deleted. Incoming receipts (the receiver's queue) are
verified by the same fetch-and-verify code.

Modules, one concern each (the pure ones import neither Scrapy nor storage):

- ``model``     plain values passed between the runner, the spiders and the pipelines
- ``policy``    when a post is due (by age), when a linkback is re-checked, what a check means
- ``routes``    reading one route's response (HTML, feeds, APIs, XML-RPC) into records
- ``merge``     many routes' records into one ``Linkback`` each (dedupe, kind precedence)
- ``records``   linkbacks and source checks into ``Mention`` values, kinds reconciled
- ``report``    the run reports (CLI tables, ``crawl_runs.stats``, child-process JSON)
- ``pipeline``  the Scrapy pipelines that store harvests, re-checks and verified receipts
- ``crawl``     the Scrapy settings of a linkback run, and running one crawl
- ``run``       ``run_harvest`` / ``run_recheck`` / ``run_verify`` / ``run_check`` (the
  scheduler's child runner runs them in a child process with a time limit)
"""
