"""The match stage on hand-made pages (pure): what becomes a press, blog or link mention."""

from __future__ import annotations

import pytest

from crawler.domain import Document, FoundVia, MentionKind
from crawler.press.links import PostLinks
from crawler.press.model import Page, SourceInfo
from crawler.press.stage import PressStage, evidence, link_context

POST = "https://orbitalregistry.test/2026/11/04/the-registry-in-numbers-2026-edition/"
OTHER_POST = "https://orbitalregistry.test/2026/11/06/spectrum-sharing-pilot-first-results/"
QUERIES = {
    "ora": '("Orbital Registry Agency" OR {ORA}) -"Otterburn Rowing Association"',
    "sg": '"Therese Ngoumou"',
    "wosc": 'title:"WOSC-27"',
}
PRESS = SourceInfo(MentionKind.PRESS, FoundVia.FEED, 7, "Daily Planet")
BLOG = SourceInfo(MentionKind.BLOG, FoundVia.CRAWL)


@pytest.fixture
def stage() -> PressStage:
    posts = PostLinks([(POST, 480), (OTHER_POST, None)], ["https://orbitalregistry.test/"])
    return PressStage("ORA", QUERIES, posts)


def page(text: str, title: str = "A story", links: tuple[tuple[str, str], ...] = ()) -> Page:
    url = "https://news.example/2026/11/05/story"
    return Page(Document(canonical_url=url, url=url, title=title, text=text), links, (url,))


def test_query_match_is_a_mention_of_the_sources_kind(stage: PressStage) -> None:
    text = (
        "Officials met on Monday.\n\nThe Orbital Registry Agency said its figures rose. "
        "Dr Thérèse Ngoumou added that the ORA would publish more."
    )
    [mention] = stage.evaluate([page(text)], PRESS)
    assert mention.kind is MentionKind.PRESS
    assert mention.queries == ("ora", "sg")
    assert mention.terms == ('"Orbital Registry Agency"', "{ORA}", '"Therese Ngoumou"')
    assert mention.target == ""
    assert mention.found_via is FoundVia.FEED
    assert mention.source_name == "Daily Planet"
    assert "Orbital Registry Agency said" in mention.snippet
    shown = [mention.snippet[h.start : h.end] for h in mention.hits]
    assert shown == ["Orbital Registry Agency", "Thérèse Ngoumou", "ORA"]  # offsets in the snippet
    [blog] = stage.evaluate([page(text)], BLOG)
    assert blog.kind is MentionKind.BLOG


def test_no_match_no_mention(stage: PressStage) -> None:
    assert stage.evaluate([page("The Otterburn Rowing Association (ORA) won.")], PRESS) == []
    assert stage.evaluate([page("Ora il porto punta sulle crociere.")], PRESS) == []
    assert stage.evaluate([page("")], PRESS) == []


def test_title_only_match_keeps_the_lead_as_snippet(stage: PressStage) -> None:
    [mention] = stage.evaluate([page("Delegates arrive on Monday.", title="WOSC-27 opens")], PRESS)
    assert mention.queries == ("wosc",)
    assert mention.snippet == "Delegates arrive on Monday."
    assert mention.hits == ()


def test_press_mention_that_links_records_the_target_once(stage: PressStage) -> None:
    links = (
        (POST.replace("https://", "http://www.").rstrip("/") + "?utm_source=x#top", "figures"),
        (OTHER_POST + "amp/", "the pilot"),
    )
    text = "The Orbital Registry Agency published its figures. It also ran the pilot."
    found = stage.evaluate([page(text, links=links)], PRESS)
    assert [(m.kind, m.target) for m in found] == [
        (MentionKind.PRESS, POST),  # the first post linked: no separate link mention
        (MentionKind.LINK, OTHER_POST),  # a second post still learns who linked to it
    ]
    link = found[1]
    assert link.snippet[link.hits[0].start : link.hits[0].end] == "the pilot"


def test_link_only_page_is_a_link_mention(stage: PressStage) -> None:
    text = "A short reading list. The best was a plain-language explainer of the rules."
    [mention] = stage.evaluate([page(text, links=((POST, "explainer"),))], BLOG)
    assert mention.kind is MentionKind.LINK
    assert mention.target == POST
    assert mention.queries == ()
    assert "explainer" in mention.context


def test_unknown_links_and_self_links_are_ignored(stage: PressStage) -> None:
    own = page("Nothing to see.", links=(("https://elsewhere.test/a/", "x"),))
    assert stage.evaluate([own], PRESS) == []
    shortlink = page("Read it.", links=(("https://orbitalregistry.test/?p=480", "it"),))
    assert [m.target for m in stage.evaluate([shortlink], PRESS)] == [POST]


def test_a_link_through_the_posts_wpme_shortlink_is_a_link_to_the_post() -> None:
    """wp.me is another host: only the post's stored shortlink ties the link to it (#16)."""
    posts = PostLinks(
        [(POST, 480), (OTHER_POST, None)],
        ["https://orbitalregistry.test/"],
        [("https://wp.me/p7ZfA-7K", POST)],
    )
    stage = PressStage("ORA", QUERIES, posts)
    linked = page("Read it.", links=(("http://wp.me/p7ZfA-7K", "it"),))
    assert [m.target for m in stage.evaluate([linked], BLOG)] == [POST]
    other = page("Read it.", links=(("https://wp.me/p7ZfA-7L", "it"),))
    assert stage.evaluate([other], BLOG) == []


def test_our_own_pages_are_never_coverage(stage: PressStage) -> None:
    ours = Page(
        Document(canonical_url=POST, url=POST, text="The Orbital Registry Agency said."),
        ((OTHER_POST, "pilot"),),
        (POST,),
    )
    assert stage.evaluate([ours], PRESS) == []


def test_forced_kind_for_adhoc_crawls() -> None:
    stage = PressStage("ORA", QUERIES, PostLinks([]), kind=MentionKind.BLOG)
    [mention] = stage.evaluate([page("The ORA spoke.")], PRESS)
    assert mention.kind is MentionKind.BLOG


def test_evidence_and_link_context_on_empty_inputs() -> None:
    assert evidence("", []).snippet == ""
    assert link_context("", "x").snippet == ""
    assert link_context("Some text here.", "absent").hits == ()
