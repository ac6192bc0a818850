"""Starting runs: every flow is started here, and nowhere else.

``poll`` (feed polls), ``site`` (site and ad-hoc crawls) and ``linkbacks`` (harvest, re-check,
receipt verification, endpoint checks) each read what is due from storage, build plain tasks,
run one spider with its storage pipeline, and record the run through ``record`` (one
``crawl_runs`` row, opened and finished once by its owner). The CLI, the scheduler's child
(``scheduler.child``), the demo, the tests and the benchmarks all start runs through these
functions; ``docs/runner.md`` is the contract.
"""


class UnknownSource(ValueError):
    """A run was asked for a source name the config does not have: the user's mistake (exit
    2), refused before a ``crawl_runs`` row is opened, so never a crawl error (#18)."""
