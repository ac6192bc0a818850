# ruff: noqa: E501
"""The hand-written coverage specs, and the blogs that refer to the organisation (news: press.py).

Each spec declares what a page says (its own paragraphs; generated filler is appended to reach
a realistic length), which of the organisation's posts it links and through which URL
variant, and whether it notified the post (pingback, trackback, webmention, reblog). The
generator turns notifications into comment rows on the post, with the excerpt cut from the
page's own text, so a tracker that verifies a pingback finds exactly what WordPress stored.

The ground truth does not trust the specs' intentions: it evaluates the queries over every
page's regions and derives mentions and decoy reasons from what is there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sampleweb.world.org_posts import at


@dataclass(frozen=True, slots=True)
class LinkSpec:
    paragraph: int
    anchor: str
    post_id: int
    variant: str = "canonical"  # canonical | https | www-noslash | utm | fragment | amp


@dataclass(frozen=True, slots=True)
class BlogSpec:
    host: str
    name: str
    tagline: str
    engine: str  # wordpress | wordpress.com | hugo | indieweb
    feed_path: str
    feed_format: str
    title_sep: str
    owner: str
    hentry: bool
    topic: str  # what its filler posts are about
    fillers: int


@dataclass(frozen=True, slots=True)
class PageSpec:
    host: str
    slug: str
    title: str
    published: datetime
    day: int
    paras: tuple[str, ...]
    words: int = 0  # total length to reach with generated filler (0: none)
    topic: str = "space"
    links: tuple[LinkSpec, ...] = ()
    notify: str = ""  # pingback | trackback | webmention | reblog | reblog+pingback
    notify_minutes: int = 75
    gone_on_day: int | None = None
    link_removed_on_day: int | None = None
    reblog_of: int | None = None
    reblog_note: str = ""
    # news only
    section: str = ""
    author: str = ""
    reader_comments: tuple[tuple[str, str], ...] = ()
    related_org: bool = False
    most_read_org: bool = False
    promo: str = ""
    story: str = ""  # story key; the original is the page without ``pickup_of``
    pickup_intro: str = ""  # a pickup replaces the first sentence with this one
    pickup_strip_diacritics: bool = False


@dataclass(frozen=True, slots=True)
class NewsSpec:
    host: str
    name: str
    lang: str
    feed_format: str
    feed_path: str
    full_content: bool
    layout: str
    sections: tuple[str, ...]
    topics: tuple[str, ...]
    fillers: int
    weight: int


BLOGS: tuple[BlogSpec, ...] = (
    BlogSpec(
        "orbitnotes.wordpress.test",
        "Orbit Notes",
        "Reblogs and short notes on space policy",
        "wordpress.com",
        "/feed/",
        "rss",
        " \u2013 ",
        "Maya Lindholm",
        False,
        "space",
        2,
    ),
    BlogSpec(
        "www.skylinepolicy.test",
        "Skyline Policy",
        "Writing about the rules of the sky",
        "wordpress",
        "/feed/",
        "rss",
        " \u2013 ",
        "Arjun Mehta",
        True,
        "tech",
        2,
    ),
    BlogSpec(
        "celestialledger.test",
        "Celestial Ledger",
        "Counting what goes up and what comes down",
        "wordpress",
        "/feed/",
        "rss",
        " | ",
        "Ruth Okonjo",
        False,
        "space",
        1,
    ),
    BlogSpec(
        "blog.regulatorwatch.test",
        "Regulator Watch",
        "Notes on regulators, treaties and the people who write them",
        "wordpress",
        "/feed/atom/",
        "atom",
        " \u2013 ",
        "Pieter de Vries",
        True,
        "tech",
        1,
    ),
    BlogSpec(
        "lowearthlog.test",
        "Low Earth Log",
        "A hobbyist's log of satellites and launches",
        "hugo",
        "/index.xml",
        "rss",
        " \u00b7 ",
        "Sam Carver",
        False,
        "space",
        2,
    ),
    BlogSpec(
        "spacecadet.test",
        "Space Cadet",
        "Notes from an amateur astronomer",
        "indieweb",
        "/feed.xml",
        "atom",
        " \u2014 ",
        "Rafa Quintero",
        True,
        "space",
        2,
    ),
)

BLOG_PAGES: tuple[PageSpec, ...] = (
    # --- Orbit Notes (WordPress.com reblogger)
    PageSpec(
        "orbitnotes.wordpress.test",
        "wosc-27-a-clarification-on-the-open-letter",
        "WOSC-27: a clarification on the open letter",
        at(11, 3, 7, 50),
        1,
        (),
        reblog_of=108,
        notify="reblog",
        notify_minutes=1,
        reblog_note="Worth reading in full before the next round of open letters. The answer on who controls launches is the key point.",
    ),
    PageSpec(
        "orbitnotes.wordpress.test",
        "spectrum-sharing-pilot-first-results",
        "Spectrum-sharing pilot: first results",
        at(11, 7, 9, 0),
        1,
        (),
        reblog_of=115,
        notify="reblog+pingback",
        notify_minutes=1,
    ),
    # --- Skyline Policy
    PageSpec(
        "www.skylinepolicy.test",
        "consultation-season",
        "Consultation season",
        at(10, 23, 18, 0),
        1,
        (
            "The Orbital Registry Agency has opened a consultation on debris reporting, and it deserves a response from anyone who cares about the long-term usability of low orbits. The draft asks operators to notify break-ups within 72 hours; the agency's announcement has the details and the deadline.",
        ),
        words=260,
        topic="space",
        links=(LinkSpec(0, "the agency's announcement", 101),),
        notify="trackback",
        notify_minutes=30,
    ),
    PageSpec(
        "www.skylinepolicy.test",
        "reading-list-week-44",
        "Reading list, week 44",
        at(10, 29, 20, 15),
        1,
        (
            "A short list this week. The best thing I read was a plain-language explainer of the coming spectrum conference, published by the registry itself, which answers the questions most journalists keep getting wrong.",
        ),
        words=220,
        topic="tech",
        links=(LinkSpec(0, "a plain-language explainer", 104),),
        notify="trackback",
        notify_minutes=20,
    ),
    PageSpec(
        "www.skylinepolicy.test",
        "open-letters-and-orbital-slots",
        "Open letters and orbital slots",
        at(11, 4, 9, 30),
        1,
        (
            "Last week's open letter from the Clearsky Alliance and ORAC accused the Orbital Registry Agency of preparing to take control of launch licensing. The agency has now published a point-by-point reply, and on the central claim it is right: the registry records assignments, it does not license anyone.",
            "Where the letter has a point is transparency. Documents that are public but unreadable to non-specialists do not really open a process up. The ORA could do more here, for example by publishing a plain summary of every proposal.",
        ),
        words=380,
        topic="tech",
        links=(LinkSpec(0, "a point-by-point reply", 108),),
        notify="pingback",
        notify_minutes=12,
    ),
    PageSpec(
        "www.skylinepolicy.test",
        "weekend-reading",
        "Weekend reading",
        at(11, 8, 10, 0),
        1,
        (
            "This weekend I am reading the first results of the spectrum-sharing pilot, which look better than I expected, and a long essay on the economics of launch insurance.",
        ),
        words=200,
        topic="tech",
        links=(LinkSpec(0, "first results of the spectrum-sharing pilot", 115, "amp"),),
    ),
    # --- Celestial Ledger
    PageSpec(
        "celestialledger.test",
        "debris-reporting-who-pays",
        "Debris reporting: who pays?",
        at(10, 22, 16, 40),
        1,
        (
            "The International Orbital Registry wants operators to report debris-generating events within 72 hours, according to its new consultation on debris reporting. The question nobody is asking is who pays for the tracking data that makes such reports possible.",
        ),
        words=330,
        topic="space",
        links=(LinkSpec(0, "consultation on debris reporting", 101),),
        notify="pingback",
        notify_minutes=5,
    ),
    PageSpec(
        "celestialledger.test",
        "five-answers-three-new-questions",
        "Five answers, three new questions",
        at(10, 28, 12, 10),
        1,
        (
            "The ORA has published answers to five questions about its treaty conference. They are good answers, but each of them raises another question that the explainer leaves open.",
        ),
        words=300,
        topic="space",
        links=(LinkSpec(0, "answers to five questions", 104),),
        notify="pingback",
        notify_minutes=4,
    ),
    PageSpec(
        "celestialledger.test",
        "why-i-keep-reading-registry-statistics",
        "Why I keep reading registry statistics",
        at(10, 30, 19, 0),
        1,
        (
            "Every autumn the Orbital Registry Agency publishes its statistics, and every autumn I read them twice: once for the headline numbers and once for the footnotes.",
        ),
        words=280,
        topic="space",
    ),
    PageSpec(
        "celestialledger.test",
        "registry-numbers-a-second-look",
        "Registry numbers: a second look",
        at(11, 5, 14, 25),
        1,
        (
            "I took a second look at the annual statistics of the Orbital Registry Agency. The headline growth figure is striking, but the share of filings that never lead to a launch is the number I would watch.",
        ),
        words=300,
        topic="space",
        links=(LinkSpec(0, "annual statistics", 112),),
        notify="trackback",
        notify_minutes=15,
    ),
    PageSpec(
        "celestialledger.test",
        "pilot-results-roundup",
        "Pilot results roundup",
        at(11, 8, 17, 5),
        1,
        (
            "Three quick reactions to the spectrum-sharing pilot results: the interference figure is impressive, the sample is small, and the hard part, getting every operator to share data, is still ahead.",
        ),
        words=240,
        topic="space",
        links=(LinkSpec(0, "spectrum-sharing pilot", 115),),
        notify="trackback",
        notify_minutes=9,
    ),
    PageSpec(
        "celestialledger.test",
        "first-impressions-of-the-debris-register",
        "First impressions of the debris register",
        at(11, 12, 10, 0),
        3,
        (
            "The International Orbital Registry switched on its public debris register this morning. My first impressions: the data are clean, the search is fast, and the export works.",
        ),
        words=260,
        topic="space",
        links=(LinkSpec(0, "public debris register", 124),),
        notify="pingback",
        notify_minutes=6,
    ),
    # --- Regulator Watch (links only, through URL variants; never notifies)
    PageSpec(
        "blog.regulatorwatch.test",
        "the-open-letter-and-the-registry",
        "The open letter and the registry",
        at(11, 3, 21, 0),
        1,
        (
            "The row between the Orbital Registry Agency and the authors of last week's open letter is a useful case study in how technical bodies communicate. Read the registry's response before the commentary.",
        ),
        words=300,
        topic="tech",
        links=(LinkSpec(0, "the registry's response", 108, "https"),),
    ),
    PageSpec(
        "blog.regulatorwatch.test",
        "numbers-worth-bookmarking",
        "Numbers worth bookmarking",
        at(11, 5, 8, 0),
        1,
        (
            "If you write about satellites, bookmark the annual registry figures now; you will need them every time someone claims that orbits are or are not crowded.",
        ),
        words=220,
        topic="tech",
        links=(LinkSpec(0, "annual registry figures", 112, "www-noslash"),),
    ),
    PageSpec(
        "blog.regulatorwatch.test",
        "sharing-spectrum-sharing-data",
        "Sharing spectrum, sharing data",
        at(11, 7, 13, 0),
        1,
        (
            "The Orbital Registry Agency's pilot results suggest that dynamic spectrum sharing works when operators exchange data in a common format. That is a governance finding as much as a technical one.",
        ),
        words=280,
        topic="tech",
        links=(LinkSpec(0, "pilot results", 115, "utm"),),
    ),
    PageSpec(
        "blog.regulatorwatch.test",
        "what-to-watch-at-wosc-27",
        "What to watch at WOSC-27",
        at(11, 9, 7, 30),
        1,
        (
            "Three things to watch at the spectrum conference this month. For the basics, the organisers' own question-and-answer page is better than most previews.",
        ),
        words=260,
        topic="tech",
        links=(LinkSpec(0, "question-and-answer page", 104, "fragment"),),
    ),
    # --- Low Earth Log (removes its link on day 2)
    PageSpec(
        "lowearthlog.test",
        "numbers-worth-reading",
        "Numbers worth reading",
        at(11, 5, 19, 30),
        1,
        (
            "The ORA statistics are out, and the numbers worth reading are the ones on debris-generating events, which rose by almost half in a year.",
        ),
        words=240,
        topic="space",
        links=(LinkSpec(0, "statistics are out", 112),),
        notify="pingback",
        notify_minutes=2,
        gone_on_day=2,
    ),
    PageSpec(
        "lowearthlog.test",
        "a-quiet-week-in-orbit",
        "A quiet week in orbit",
        at(11, 6, 20, 0),
        1,
        (
            "A quiet week: two launches, one re-entry, and the Orbital Registry Agency published its pilot results on shared frequencies.",
        ),
        words=230,
        topic="space",
        links=(LinkSpec(0, "pilot results on shared frequencies", 115),),
        link_removed_on_day=2,
    ),
    # --- Space Cadet (IndieWeb: h-entry, sends webmentions)
    PageSpec(
        "spacecadet.test",
        "spectrum-pilot",
        "Spectrum pilot note",
        at(11, 7, 21, 0),
        1,
        (
            "Read the ORA spectrum-sharing pilot results tonight. Cutting interference by 40 per cent is exactly the kind of boring progress I love.",
        ),
        links=(LinkSpec(0, "spectrum-sharing pilot results", 115),),
        notify="webmention",
        notify_minutes=1,
    ),
    PageSpec(
        "spacecadet.test",
        "clear-skies-at-last",
        "Clear skies at last",
        at(11, 11, 22, 30),
        2,
        (
            "Three clear nights in a row. Counted eleven satellite passes before midnight and one very bright flare.",
        ),
    ),
)
