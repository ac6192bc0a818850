# ruff: noqa: E501
"""Comments typed into the organisation's posts: readers' comments and the organisation's replies.

Written by hand so the threads read like real ones (a question and the organisation's answer,
criticism, thanks). The counts matter: post 104 ends up with more than ten comments (its
comment feed truncates) and post 112 with exactly ten, pings included.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sampleweb.world.org_posts import ORG, at


@dataclass(frozen=True, slots=True)
class ReaderNote:
    """A comment typed into one of our posts' comment forms (label lets replies refer to it)."""

    label: str
    post_id: int
    when: datetime
    day: int
    author: str
    text: str
    author_site: str = ""  # host of the commenter's own site, if they gave one
    reply_to: str = ""  # label of the parent comment
    by_organisation: bool = False


def _org(
    label: str, post_id: int, when: datetime, day: int, text: str, reply_to: str
) -> ReaderNote:
    return ReaderNote(label, post_id, when, day, ORG.author, text, "", reply_to, True)


READER_NOTES: tuple[ReaderNote, ...] = (
    # 101: consultation (old theme)
    ReaderNote(
        "101a",
        101,
        at(10, 21, 7, 12),
        1,
        "Margit Olsen",
        "Will the consultation responses be published with the names of the organisations that sent them?",
    ),
    _org(
        "101b",
        101,
        at(10, 21, 9, 40),
        1,
        "Yes. Every response is published with the name of the organisation unless the author asks us to withhold it.",
        "101a",
    ),
    # 104: five questions (long pings, more than ten comments)
    ReaderNote(
        "104a",
        104,
        at(10, 27, 11, 5),
        1,
        "Jun Takeda",
        "Thank you, this is much clearer than most of the coverage I have read.",
    ),
    ReaderNote(
        "104b",
        104,
        at(10, 27, 13, 30),
        1,
        "Roisin Carty",
        "On question three: content is out of scope, fine, but spectrum decisions still shape who can offer connectivity where. That deserves a sentence.",
    ),
    _org(
        "104c",
        104,
        at(10, 27, 16, 2),
        1,
        "Fair point, Roisin. Spectrum rules do affect which services are viable in which regions, and the study-group reports discuss it in detail.",
        "104b",
    ),
    ReaderNote(
        "104d",
        104,
        at(10, 28, 8, 15),
        1,
        "Petr Dvořák",
        "Will the streams be archived, or only available live?",
    ),
    _org(
        "104e",
        104,
        at(10, 28, 9, 0),
        1,
        "They will be archived and captioned within 48 hours of each session.",
        "104d",
    ),
    ReaderNote(
        "104f",
        104,
        at(10, 29, 19, 44),
        1,
        "Samira Haddad",
        "Four years between conferences seems far too long given how fast the launch rate is growing.",
        "hadd-orbit.test",
    ),
    ReaderNote(
        "104g",
        104,
        at(10, 30, 6, 58),
        1,
        "Tobias Lindgren",
        "Is there a list of which delegations include NGO members?",
    ),
    ReaderNote(
        "104h",
        104,
        at(11, 1, 12, 20),
        1,
        "Naledi Khumalo",
        "Shared with our university society. The explainer format works well.",
    ),
    ReaderNote(
        "104i",
        104,
        at(11, 3, 17, 5),
        1,
        "Ewan Rask",
        "Good summary. I would add a sixth question: what happens if the conference fails to agree?",
    ),
    ReaderNote(
        "104j",
        104,
        at(11, 10, 9, 12),
        2,
        "Beatriz Souto",
        "Coming back to this after the open-letter row. It has aged well.",
    ),
    ReaderNote(
        "104k",
        104,
        at(11, 10, 14, 48),
        2,
        "Kofi Asante",
        "Any plans for a version in French and Spanish?",
    ),
    # 108: the open letter (html5, short pings)
    ReaderNote(
        "108a",
        108,
        at(11, 2, 18, 22),
        1,
        "Alex Ferreira",
        "As an ordinary reader this is the first I have heard of any of this. Why should anyone outside the industry care who gets which orbit?",
    ),
    _org(
        "108b",
        108,
        at(11, 2, 19, 3),
        1,
        "Hi Alex, thanks for asking. Orbits and frequencies are limited, and the rules decide who can offer satellite services, including weather data and rural connectivity. Our explainer on the conference is a good place to start.",
        "108a",
    ),
    ReaderNote(
        "108c",
        108,
        at(11, 3, 8, 41),
        1,
        "Liesel Brandt",
        "This is a misleading post. Publishing documents is not the same as making them readable, and most of the proposals are written for specialists only.",
    ),
    ReaderNote(
        "108d",
        108,
        at(11, 3, 22, 10),
        1,
        "Dmitri Volkov",
        "States and big operators already have too much say over shared orbits. Keeping the process independent is what matters.",
        "volkov-notes.test",
    ),
    ReaderNote(
        "108e",
        108,
        at(11, 11, 7, 30),
        2,
        "Hannah Oduya",
        "Glad to read that the meeting with the letter's authors took place. More of this, please.",
    ),
    # 112: numbers (exactly ten comments including pings)
    ReaderNote(
        "112a",
        112,
        at(11, 4, 12, 3),
        1,
        "Jun Takeda",
        "A 31 per cent rise in a single year is startling.",
    ),
    ReaderNote(
        "112b",
        112,
        at(11, 4, 13, 17),
        1,
        "Marta Quilez",
        "Are the debris events counted by date of the event or date of notification?",
    ),
    _org(
        "112c",
        112,
        at(11, 4, 15, 55),
        1,
        "By date of notification; the tables also give the event date where it is known.",
        "112b",
    ),
    ReaderNote(
        "112d",
        112,
        at(11, 5, 9, 30),
        1,
        "Gareth Pryce",
        "The spreadsheet link on the statistics page seems to be broken.",
    ),
    _org("112e", 112, at(11, 5, 10, 2), 1, "Thanks Gareth, fixed now.", "112d"),
    ReaderNote(
        "112f",
        112,
        at(11, 6, 16, 40),
        1,
        "Ines Aldana",
        "Would love to see this broken down by country of the operator.",
    ),
    ReaderNote(
        "112g",
        112,
        at(11, 7, 11, 11),
        1,
        "Colm Nagle",
        "Useful as always. We cite these tables in our teaching every year.",
    ),
    # 115: pilot results (html5, webmention, reblog without note, trackback)
    ReaderNote(
        "115a",
        115,
        at(11, 6, 12, 25),
        1,
        "Roisin Carty",
        "Forty per cent fewer interference reports is a strong result. How many satellites were involved?",
    ),
    _org(
        "115b", 115, at(11, 6, 14, 0), 1, "Just over 300 satellites from eleven operators.", "115a"
    ),
    ReaderNote(
        "115c",
        115,
        at(11, 7, 18, 33),
        1,
        "Yusuf Demir",
        "Smaller operators will need exactly the help you describe. Glad it is acknowledged.",
    ),
    # 118: call for observers
    ReaderNote(
        "118a",
        118,
        at(11, 12, 10, 5),
        3,
        "Naledi Khumalo",
        "Applied for our student society. Is there a limit per organisation?",
    ),
    # 121: statement (day 2)
    ReaderNote(
        "121a",
        121,
        at(11, 11, 15, 10),
        2,
        "Ewan Rask",
        "A good outcome. Will the observers be able to speak in the plenary?",
    ),
    ReaderNote(
        "121b",
        121,
        at(11, 11, 18, 2),
        2,
        "Liesel Brandt",
        "Welcome news, and a more constructive tone than last week.",
    ),
    _org(
        "121c",
        121,
        at(11, 12, 9, 30),
        3,
        "Observers can attend and submit written statements; speaking rights stay with delegations under the rules of procedure.",
        "121a",
    ),
    # 124: register live (day 3)
    ReaderNote(
        "124a",
        124,
        at(11, 12, 11, 45),
        3,
        "Colm Nagle",
        "Already using it. The export to CSV is very welcome.",
    ),
)
