"""A story published twice (republished, or on two sites) is printed once; different stories under one title are not."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import re
import zipfile

from factories import article

from deeplybook import duplicates, edition
from deeplybook.model import Kind, Paragraph
from deeplybook.writers.epub import write_epub

STORY = (
    "The council voted on Tuesday to reopen the old bridge over the river, closed since the floods of last winter.",
    "Engineers say the piers held, but the deck needs new planks and the railings must be replaced before the "
    "first lorries can cross; the work should take six weeks if the weather holds.",
    "Shopkeepers on both banks welcomed the vote. For months their customers have walked an hour round by the "
    "ferry, and many simply stopped coming to the market on the far side.",
)


def _body(paragraphs):
    return tuple(Paragraph(p) for p in paragraphs)


def _republished():
    """The story, and the same story five days later with one sentence corrected."""
    first = article(1, title="The Old Bridge Will Reopen", body=_body(STORY), slug="old-bridge")
    later_text = (STORY[0], STORY[1].replace("six weeks", "seven weeks"), STORY[2])
    later = article(6, title="The old bridge will reopen", body=_body(later_text), slug="old-bridge-again")
    return first, later


def test_a_story_republished_days_later_is_printed_once_keeping_the_earliest():
    first, later = _republished()
    assert later.date > first.date
    kept, merges = duplicates.merge([later, first, article(3)])
    assert [a.slug for a in kept] == ["old-bridge", "story-3"]
    assert kept[0].also_at == (later.url,)
    [merged] = merges
    assert merged.dropped is later and merged.reason == "republished" and 0.8 <= merged.similarity < 1


def test_a_story_on_two_sites_is_printed_once_and_the_fuller_copy_kept():
    ours = article(1, body=_body(STORY), title="Bridge Vote")
    theirs = dataclasses.replace(ours, site="Refugees Deeply", body=_body((*STORY, "A longer version, with this.")),
                                 url="https://www.newsdeeply.com/refugees/articles/2017/01/02/bridge-vote")
    kept, merges = duplicates.merge([ours, theirs])
    assert kept == [dataclasses.replace(theirs, also_at=(ours.url,))]
    assert merges[0].reason == "on two sites"


def test_one_sites_story_under_another_sites_address_is_on_two_sites():
    """The mirror of one site holds pages of another under their own first folder, with the same site name."""
    ours = article(1, body=_body(STORY))
    theirs = dataclasses.replace(ours, url=ours.url.replace("/syria/", "/refugees/"))
    kept, merges = duplicates.merge([ours, theirs])
    assert [a.url for a in kept] == [theirs.url] and kept[0].also_at == (ours.url,)
    assert merges[0].reason == "on two sites"


def test_the_same_title_over_a_different_text_is_not_merged():
    """Two daily briefings share their title, not their news."""
    monday = article(1, kind=Kind.BRIEFING, title="Executive Summary", body=_body(STORY))
    tuesday = article(2, kind=Kind.BRIEFING, title="Executive Summary", body=_body((
        "Aid convoys reached three besieged towns overnight, the first deliveries there since the spring.",
        "The talks in Geneva were postponed again; delegations disagree over who will sit at the table and "
        "whether the opposition's armed groups are represented at all.",
        "Fuel prices rose for the third week running in the north as the border crossings stayed closed.",
    )))
    kept, merges = duplicates.merge([monday, tuesday])
    assert kept == [monday, tuesday] and merges == []


def test_a_retitled_copy_is_found_by_its_opening_words():
    first, later = _republished()
    retitled = dataclasses.replace(later, title="Conversations: The Bridge")
    kept, merges = duplicates.merge([first, retitled])
    assert [a.slug for a in kept] == ["old-bridge"] and len(merges) == 1


def test_short_texts_are_never_merged():
    short = _body(("A short note about the bridge.",))
    kept, merges = duplicates.merge([article(1, title="Note", body=short), article(2, title="Note", body=short)])
    assert len(kept) == 2 and merges == []


def test_the_choice_does_not_depend_on_the_order_given():
    first, later = _republished()
    copy = dataclasses.replace(later, url=later.url + "-2", date=later.date + dt.timedelta(days=1))
    results = {tuple((a.url, a.also_at) for a in duplicates.merge(order)[0])
               for order in ([first, later, copy], [copy, later, first], [later, copy, first])}
    assert results == {((first.url, (later.url, copy.url)),)}


def test_the_edition_prints_the_story_once_says_so_and_its_source_lists_both_addresses(tmp_path, caplog, epubcheck):
    first, later = _republished()
    with caplog.at_level(logging.INFO, logger="deeplybook"):
        book = edition.make([first, later, article(2)], title="Bridges", back_matter=("sources",))
    assert [a.slug for a in book.articles] == ["old-bridge", "story-2"]
    assert any(later.url in r.getMessage() and "the same story as" in r.getMessage() and "republished" in
               r.getMessage() for r in caplog.records)
    epub = write_epub(book, tmp_path / "bridges.epub")
    with zipfile.ZipFile(epub) as archive:
        sources = archive.read("EPUB/index-sources.xhtml").decode("utf-8")
        page = archive.read("EPUB/old-bridge.xhtml").decode("utf-8")
    entry = re.search(r"<li>.*?The Old Bridge Will Reopen.*?</li>", sources, re.S).group(0)
    assert "Also published at" in entry and f'href="{later.url}"' in entry and f'href="{first.url}"' in entry
    assert "Also published at" in page
    epubcheck(epub)


def test_a_builds_report_counts_the_stories_printed_once():
    from deeplybook import pipeline
    from deeplybook.readers import ReadReport

    first, later = _republished()
    report = ReadReport()
    made = pipeline.quick_edition([], "bridges", title="Bridges")
    [volume] = pipeline.make_volumes(made, [later, article(2), first], report=report)
    assert [a.slug for a in volume.edition.articles] == ["old-bridge", "story-2"]
    assert report.printed_once == [(later.url, first.url, "republished")]
    assert report.reasons() == ["printed once: 1 story found twice (1 republished; -v names them)"]
