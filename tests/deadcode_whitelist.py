"""Names the dead-code check (vulture, in ``make lint``) cannot see being used.

Only framework hooks and names read by name at run time belong here: Scrapy components named
in settings, Twisted and uvicorn interface methods, pydantic config fields read through
``getattr``, report and view-model fields serialised with ``asdict`` or read by Jinja
templates, SQLAlchemy columns and enum members stored as values. Regenerate the candidates with
``.venv/bin/vulture --make-whitelist`` and add a name only when it is one of these.
"""

# ruff: noqa
aliases  # unused variable (crawler/config.py:77)
poll_every_seconds  # unused variable (crawler/config.py:239)
crawl_every_seconds  # unused variable (crawler/config.py:240)
harvest_every_seconds  # unused variable (crawler/config.py:241)
verify_every_seconds  # unused variable (crawler/config.py:242)
recheck_every_seconds  # unused variable (crawler/config.py:243)
digest_every_seconds  # unused variable (crawler/config.py:244)
cleanup_every_seconds  # unused variable (crawler/config.py:245)
SPAM  # unused variable (crawler/domain.py:52)
WORDPRESS_COM  # unused variable (crawler/domain.py:78)
_.cancel  # unused method (crawler/fetching/resolver.py:63)
GuardedDownloadHandler  # Scrapy download handler named in settings (crawler/fetching/handler.py)
HarvestPipeline  # unused class (crawler/pipelines/linkbacks.py:132)
RecheckPipeline  # unused class (crawler/pipelines/linkbacks.py:222)
VerifyPipeline  # unused class (crawler/pipelines/linkbacks.py:256)
PostInventoryPipeline  # unused class (crawler/pipelines/posts.py: loaded by dotted path)
trackbacks  # unused variable (crawler/harvest/report.py:104)
webmentions  # unused variable (crawler/harvest/report.py:106)
truncated_feeds  # unused variable (crawler/harvest/report.py:114)
_.trackbacks  # unused attribute (crawler/harvest/report.py:134)
_.webmentions  # unused attribute (crawler/harvest/report.py:136)
_.truncated_feeds  # unused attribute (crawler/harvest/report.py:144)
covered_links  # unused variable (crawler/press/persist.py:36)
links_folded  # unused variable (crawler/press/report.py:20)
_.links_folded  # unused attribute (crawler/runs/poll.py:180)
type_annotation_map  # unused variable (crawler/storage/models.py:69)
last_seen_at  # unused variable (crawler/storage/models.py:251)
previous_state  # unused variable (crawler/storage/receipts.py:29)
shared_bands  # unused variable (crawler/storage/stories.py:42)
trend  # unused variable (reports/model.py:68)
average  # unused variable (reports/model.py:70)
rest_pct  # unused variable (reports/model.py:83)
text_bar  # unused variable (reports/model.py:85)
kind_label  # unused variable (reports/model.py:91)
kind_label  # unused variable (reports/model.py:130)
kind_label  # unused variable (reports/model.py:151)
kind_label  # unused variable (reports/model.py:159)
chart_max  # unused variable (reports/model.py:233)
linkback_count  # unused variable (reports/model.py:235)
outlets_hidden  # unused variable (reports/model.py:241)
late_hidden  # unused variable (reports/model.py:243)
generated  # unused variable (reports/model.py:245)
more_label  # used by the digest templates
more_url  # used by the digest templates
_.obj  # unused attribute (scheduler/cli.py:64)
_.show  # unused method (scheduler/context.py:30)
run_job  # unused function (scheduler/daemon.py:35)
sent_to  # unused variable (scheduler/demo.py:45)
_.sent_to  # unused attribute (scheduler/demo.py:107)
do_GET  # unused variable (tests/harvest/conftest.py:220)
do_POST  # unused variable (tests/harvest/conftest.py:221)
_.log_message  # unused method (tests/harvest/conftest.py:223)
_.daemon_threads  # unused attribute (tests/harvest/conftest.py:254)
_.do_GET  # unused method (tests/press/test_cli_crawl.py:58)
_.log_message  # unused method (tests/press/test_cli_crawl.py:66)
_.should_exit  # unused attribute (tests/receiver/conftest.py:163)
_.handle_RCPT  # unused method (tests/reports/conftest.py:56)
mechanism  # unused variable (tests/reports/conftest.py:72)
_.handle_starttag  # unused method (tests/reports/test_render.py:33)
_.handle_data  # unused method (tests/reports/test_render.py:36)
FlipResolver  # loaded by name: MEDIAMON_UPSTREAM_RESOLVER (tests/fetching/guard_crawl.py)
include_trouble  # a keyword of sampleweb.SampleWeb.write_config, declared in scheduler.demo's Protocol
handle_referer  # Scrapy's RedirectMiddleware hook, overridden in crawler.middlewares
NoRefererRedirectMiddleware  # named in crawler/settings.py DOWNLOADER_MIDDLEWARES
_engine_started  # Scrapy's RedirectMiddleware hook, overridden in crawler.middlewares
protocol_version  # http.server.BaseHTTPRequestHandler attribute (bench_e2e's page server)
check_environment  # named in crawler/settings.py MEDIAMON_STANDALONE (scrapy crawl)
prepare_feeds  # named in crawler/settings.py MEDIAMON_STANDALONE (scrapy crawl feeds)
prepare_site  # named in crawler/settings.py MEDIAMON_STANDALONE (scrapy crawl site)
prepare_linkbacks  # named in crawler/settings.py MEDIAMON_STANDALONE (scrapy crawl linkbacks)
in_progress  # scheduler/queue/fleet.py FlowState: read through asdict() by `status --json`
oldest_age_seconds  # scheduler/queue/fleet.py FlowState: read through asdict() by `status --json`
after_nack  # Dramatiq middleware hook (scheduler/queue/broker.py DeadLetterReasons)
searched_words  # read by reports/web/templates/inbox.html.j2 (#20)
points  # read by reports/web/templates/inbox.html.j2 (the SVG chart, #20)
css  # read by reports/web/templates/inbox.html.j2 (the SVG chart, #20)
active  # Filters.active(), called by reports/web/templates/inbox.html.j2 (#20)
robot_parser  # Scrapy's RobotsTxtMiddleware calls it (crawler/fetching/robots_cache.py, #19)
