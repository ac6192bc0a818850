"""The daily coverage digest: query -> view model -> Jinja2 -> email + archive.

- ``gather``   reads one day's rows from storage (``crawler.storage.reporting``);
- ``view``     turns them into the view model (``model``) with a pure function, golden-tested;
- ``render``   lays the view model out as HTML (CSS inlined) and plain text;
- ``compose``  and ``mailer`` make the email and hand it to the SMTP server;
- ``archive``  keeps every digest's files; ``send`` ties it together, at most once.

Entry points: ``reports.send.send_digest`` (the scheduler's daily job and ``mediamon digest
--send``), ``reports.send.retry_due_digests`` (the retry job), ``reports.send.write_preview``
(``--out``) and ``reports.dates.default_day`` (which day a morning digest covers).
This package never imports Scrapy, Twisted, feedparser or APScheduler (import-linter).
"""
