"""Press mentions: the match stage and everything around the query matcher.

``stage`` turns fetched pages (a document, the links of its main text, the URLs it was
fetched under) into mentions: queries matched in the title and main text make a ``press`` or
``blog`` mention with a snippet, and links to the organisation's posts give it a target or make
a ``link`` mention. ``links`` and ``fingerprint`` are the pure helpers (links in feed HTML,
near-duplicate fingerprints), ``persist`` writes a stage's result (mentions, stories) through
storage, ``clustering`` groups syndicated copies into stories, and ``run`` starts the site
crawl and the ad-hoc crawl. Nothing here speaks SQL: storage functions do.
"""
