# ruff: noqa: E501
"""The monitored organisation, its blog posts and the reader comments on them (hand-written).

The organisation is fictional: the Orbital Registry Agency (ORA), an intergovernmental body that
keeps the register of satellite orbits and frequencies. Its acronym was chosen for the traps it
sets a matcher: "ORAC" (a different council) contains it, Italian "ora" is an ordinary word,
and the Otterburn Rowing Association abbreviates to the same letters.

Post 108 models the kind of post mediamon exists for: a rebuttal of an open letter that drew a
reblog, two pingbacks (a newspaper and a blog) and reader comments including a reply by the
organisation. Linkbacks that come from other pages (pingbacks, trackbacks, reblogs,
webmentions) are declared in ``coverage.py``/``press.py`` next to the pages that send them;
what readers typed into the comment form is in ``reader_notes.py``.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sampleweb.world.model import Organisation, Post, Theme

ORG = Organisation(
    name="Orbital Registry Agency",
    aliases=("International Orbital Registry",),
    acronym="ORA",
    timezone="Europe/Vienna",
    host="orbitalregistry.test",
    www_host="www.orbitalregistry.test",
    blog_name="ORA Blog",
    tagline="News and views from the Orbital Registry Agency",
    author="Ines Varga",
    author_login="ivarga",
    secretary_general="Thérèse Ngoumou",
    wpcom_site_id=118220437,
    same_initials="Otterburn Rowing Association",
    acronym_in_word="ORAC",
    acronym_in_word_name="Orbital Research Advisory Council",
    email="comms@orbitalregistry.test",
)


def at(month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    """A UTC timestamp in 2026."""
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


POSTS: tuple[Post, ...] = (
    Post(
        wp_id=101,
        slug="registry-opens-consultation-on-debris-reporting",
        title="Registry opens public consultation on debris reporting",
        published=at(10, 20, 8, 30),
        day=1,
        theme=Theme.OLD_CITE,
        category="Consultations",
        tags=("debris", "consultation"),
        paragraphs=(
            "Today the Orbital Registry Agency opens a public consultation on how satellite operators should report debris-generating events, such as break-ups, collisions and the unplanned release of objects.",
            "At present, reporting is voluntary and uneven. Some operators send detailed data within hours; others never report at all. The draft guidelines published today propose a common format, a 72-hour deadline for a first notification and a single public register of events.",
            "We want to hear from operators, insurers, astronomers, researchers and anyone else with an interest in a safer orbital environment. The consultation is open until 1 December, and every response will be published unless its author asks us not to.",
            "The results will feed into the preparations for the World Orbital Spectrum Conference, WOSC-27.",
        ),
    ),
    Post(
        wp_id=104,
        slug="five-questions-about-wosc-27-answered",
        title="Five questions about WOSC-27, answered",
        published=at(10, 27, 10, 0),
        day=1,
        theme=Theme.LONG_PING,
        category="WOSC-27",
        tags=("wosc-27", "explainer"),
        paragraphs=(
            "With the World Orbital Spectrum Conference less than a month away, we receive many questions about what it will and will not decide. Here are short answers to the five we hear most often.",
            "What is WOSC-27? It is the treaty conference at which the member states of the Orbital Registry Agency review the rules for sharing radio frequencies and orbital positions among satellite systems. It meets every four years.",
            "Who takes part? Delegations from member states, with observers from industry, universities and civil society. Many national delegations include company and NGO representatives.",
            "Will it regulate the internet? No. The conference deals with spectrum and orbits; content, data and online services are outside its scope.",
            "Are the documents public? The main proposals document and every study-group report are published on our website.",
            "How can I follow it? The opening and closing plenaries will be streamed, and accredited journalists can attend in person.",
        ),
    ),
    Post(
        wp_id=108,
        slug="wosc-27-a-clarification-on-the-open-letter",
        title="WOSC-27: a clarification on the open letter",
        published=at(11, 2, 14, 5),
        day=1,
        theme=Theme.HTML5_SHORT,
        category="WOSC-27",
        tags=("wosc-27", "open letter"),
        paragraphs=(
            "The Orbital Registry Agency has read with surprise the open letter sent this week to the chair of the Intergovernmental Space Forum by the Clearsky Alliance and the Orbital Research Advisory Council (ORAC) about the World Orbital Spectrum Conference (WOSC-27).",
            "Several statements in the letter are inaccurate, and because they have been widely repeated we think it is useful to set out the facts. We regret that neither organisation contacted the Agency or our Secretary-General, Dr Thérèse Ngoumou, before the letter was published; most of the misunderstandings could have been cleared up with a single phone call.",
            "First, no proposal before WOSC-27 would give the Agency control over who may launch satellites. The registry records the orbital positions and frequency assignments that member states notify to it; it has never licensed operators, and nothing on the conference agenda would change that.",
            "Second, the preparatory process has been open. More than 600 companies, universities and civil-society groups take part in our study groups alongside 171 member states, and the public consultation on the draft conference texts received over 1,400 submissions, all of which are published on our website.",
            "Third, the conference will not meet behind closed doors. Delegations may include anyone their governments choose, and this year for the first time accredited observers and journalists will be able to follow the plenary sessions free of charge.",
            "Finally, the letter says the Council of the Agency refused to publish the preparatory documents. In fact the Council agreed unanimously in June to make the main proposals document public, and it has been available for download ever since.",
            "WOSC-27 is an opportunity to make space safer and fairer for every operator, large or small. We welcome scrutiny and remain open to dialogue with everyone who shares that goal, including the authors of the letter, whom the Secretary-General has invited to meet her in person next week.",
        ),
    ),
    Post(
        wp_id=112,
        slug="the-registry-in-numbers-2026-edition",
        title="The registry in numbers: 2026 edition",
        published=at(11, 4, 11, 0),
        day=1,
        theme=Theme.PING_LIST,
        category="Statistics",
        tags=("statistics",),
        paragraphs=(
            "Every year we publish a short statistical overview of the International Orbital Registry. This year's edition shows how quickly the orbital environment is changing.",
            "In the twelve months to September, member states notified 9,812 new satellite filings, a 31 per cent increase on the previous year. Almost nine in ten concern small satellites in low Earth orbit.",
            "The number of registered debris-generating events rose to 143, from 97 a year earlier, partly because more operators now report them.",
            "The full tables, broken down by orbit and frequency band, can be downloaded from the statistics page.",
        ),
    ),
    Post(
        wp_id=115,
        slug="spectrum-sharing-pilot-first-results",
        title="Spectrum-sharing pilot: first results",
        published=at(11, 6, 9, 45),
        day=1,
        theme=Theme.HTML5_SHORT,
        category="Spectrum",
        tags=("spectrum", "pilot"),
        paragraphs=(
            "Six months ago the Agency and eleven operators began a pilot in which satellites in neighbouring orbits share frequency bands dynamically instead of dividing them permanently.",
            "The first results are encouraging: interference reports fell by 40 per cent compared with the static arrangements, and no outage was attributed to the sharing system.",
            "The pilot has also shown where the difficulties lie. Operators need common data formats and a neutral place to exchange them, and smaller companies need help to connect.",
            "A full report will be presented to the study group in January.",
        ),
    ),
    Post(
        wp_id=118,
        slug="call-for-observers-wosc-27-opens-its-doors",
        title="Call for observers: WOSC-27 opens its doors",
        published=at(11, 9, 15, 20),
        day=1,
        theme=Theme.HTML5_SHORT,
        category="WOSC-27",
        tags=("wosc-27", "observers"),
        paragraphs=(
            "For the first time, civil-society organisations and journalists can apply for observer accreditation at the World Orbital Spectrum Conference.",
            "Observers will be able to attend plenary sessions and public briefings, and will receive the conference documents at the same time as delegations.",
            "Applications close on 20 November. Dr Thérèse Ngoumou, our Secretary-General, said: \u201cRules for space are made for everyone. Everyone should be able to watch them being made.\u201d",
        ),
    ),
    Post(
        wp_id=121,
        slug="statement-by-the-secretary-general-after-the-wosc-27-briefing",
        title="Statement by the Secretary-General after the WOSC-27 briefing",
        published=at(11, 11, 12, 0),
        day=2,
        theme=Theme.LONG_PING,
        category="WOSC-27",
        tags=("wosc-27", "secretary-general"),
        paragraphs=(
            "Yesterday the Secretary-General, Dr Thérèse Ngoumou, met representatives of the Clearsky Alliance and the Orbital Research Advisory Council at the Agency's headquarters.",
            "The meeting was frank and constructive. Several misunderstandings about the conference were cleared up, and both organisations have accepted an invitation to attend WOSC-27 as observers.",
            "\u201cWe do not always agree, but we agree that orbits are a shared resource,\u201d Dr Ngoumou said after the meeting.",
        ),
    ),
    Post(
        wp_id=124,
        slug="the-debris-register-goes-live",
        title="The debris register goes live",
        published=at(11, 12, 8, 0),
        day=3,
        theme=Theme.PING_LIST,
        category="Debris",
        tags=("debris",),
        paragraphs=(
            "From today, anyone can consult the International Orbital Registry's public register of debris-generating events.",
            "The register lists every event notified by member states since 2019, with the date, orbit and estimated number of fragments, and it is updated daily.",
            "It is the first result of the consultation we opened last month, and we thank everyone who contributed.",
        ),
    ),
)


#: The queries a communications team would write for this organisation (mediamon syntax).
QUERIES: tuple[tuple[str, str], ...] = (
    (
        "ora",
        '("Orbital Registry Agency" OR "International Orbital Registry" OR {ORA}) -"Otterburn Rowing Association"',
    ),
    ("secretary-general", '"Therese Ngoumou"'),
    ("debris-register", '"debris register" OR ("space debris" NEAR/5 {ORA})'),
    ("wosc", '"WOSC-27" OR "World Orbital Spectrum Conference"'),
)
