"""Walking a whole News Deeply mirror: the sample mirror, then the real Syria Deeply one."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pytest
import sample_mirror  # a sibling module: the sample site dressed as a mirror

from deeplybook import readers
from deeplybook.log import counting_warnings
from deeplybook.model import Embed, Exchange, Figure, Heading, ItemList, Kind, Paragraph, Quote
from deeplybook.readers import ReadReport, newsdeeply

MIRROR = sample_mirror.root()
SITE = MIRROR / "water"

#: Measured on the Syria Deeply mirror (thenewhumanitarian/newsdeeply, first commit).
SYRIA_STORIES = 2065
SYRIA_BRIEFINGS = 1192
#: The one page whose body holds nothing but leaked markup, saved under two dates.
SYRIA_BROKEN = {"unhcrs-panos-moumtzis-syria-is-a-hemorrhaging-country.html"}

BOILERPLATE = ("Dear Deeply Readers", "Suggest your story", "Share Your Story", "Thank You, Deeply", "Share via Email")


def walk(folder: Path) -> tuple[list, ReadReport]:
    report = ReadReport()
    return list(newsdeeply.read_folder(folder, report)), report


def all_files(folder: Path) -> set[str]:
    return {str(Path(d) / name) for d, _, names in os.walk(folder) for name in names}


def inline_strings(article) -> list[str]:
    strings = [article.title, article.dek]
    if article.lead:
        strings += [article.lead.caption, article.lead.credit]
    for block in article.body:
        if isinstance(block, (Paragraph, Heading)):
            strings.append(block.text)
        elif isinstance(block, Figure):
            strings += [block.caption, block.credit]
        elif isinstance(block, Quote):
            strings += list(block.paragraphs)
        elif isinstance(block, ItemList):
            strings += list(block.items)
        elif isinstance(block, Exchange):
            strings += [block.question, *block.answer]
        elif isinstance(block, Embed):
            strings.append(block.title)
    return strings


def visible(inline: str) -> str:
    return re.sub(r"<[^>]+>", "", inline)


# --- the sample mirror ---------------------------------------------------------------


def test_claims_a_mirror_root_and_a_site_folder_but_not_an_article_folder():
    assert newsdeeply.claims_folder(MIRROR)
    assert newsdeeply.claims_folder(SITE)
    assert not newsdeeply.claims_folder(SITE / "articles")
    assert not newsdeeply.claims_folder(SITE / "articles" / "2017" / "03" / "02" / "dams-on-the-river.html")


def test_walk_yields_each_page_once_oldest_first():
    with counting_warnings() as warnings:
        articles, report = walk(MIRROR)
    assert [a.slug for a in articles] == [
        "rivers-need-rules",
        "dams-on-the-river",
        "executive-summary-2017-03-03",
        "a-talk-with-a-hydrologist",
        "the-engineer-who-built-the-gates",
        "five-questions-on-the-river",
        "a-date-nobody-can-read",
    ]
    assert articles[0].source == str(SITE / "community/2017/02/20/rivers-need-rules.html")
    assert articles[1].source == str(SITE / "articles/2017/03/02/dams-on-the-river.html")
    assert report.read == report.articles == 7
    assert warnings.counts == {"date-unparsed": 1, "read-failed": 1}


def test_walk_gives_every_other_file_a_specific_reason():
    articles, report = walk(MIRROR)
    reasons = dict(report.skipped)
    assert reasons == {
        str(MIRROR / "water.html"): "listing page (front page of the mirror)",
        str(SITE / "articles/2017/3/2/dams-on-the-river.html"):
            f"duplicate of {SITE / 'articles/2017/03/02/dams-on-the-river.html'}",
        str(SITE / "articles/2017/2/20/rivers-need-rules.html"):
            f"redirect to {SITE / 'community/2017/02/20/rivers-need-rules.html'}",
        str(SITE / "articles/2017/01/05/a-lost-page.html"):
            f"redirect to {SITE / 'community/2017/01/05/a-lost-page.html'}, which is not in the mirror",
        str(SITE / "articles/2017/03/02/_https_/www.example.org/report/index1a2b.html"):
            "outside page (HTTrack's copy of another site)",
        str(SITE / "articles/2017/09/09/see-all-river-stories.html"):
            f"redirect to {SITE / 'tag/rivers.html'}, which is not an article page",
        str(SITE / "tag/rivers.html"): "listing page (tag)",
        str(SITE / "contributor/mira-stone.html"): "listing page (contributor)",
        str(SITE / "articles/page/2.html"): "listing page (pagination)",
    }
    broken = str(SITE / "articles/2017/08/01/a-page-without-a-body.html")
    assert report.failed == [(broken, "article page without a body (div.body[itemprop=articleBody])")]
    looked_at = {a.source for a in articles} | set(reasons) | {broken}
    assert looked_at == all_files(SITE) | {str(MIRROR / "water.html")}


def test_walking_one_site_folder_gives_the_same_articles():
    from_root, _ = walk(MIRROR)
    from_site, report = walk(SITE)
    assert from_site == from_root
    assert str(MIRROR / "water.html") not in dict(report.skipped)


def test_the_registry_hands_a_mirror_to_this_reader():
    report = ReadReport()
    articles = list(readers.read([MIRROR], report=report))
    assert [a.slug for a in articles][:2] == ["rivers-need-rules", "dams-on-the-river"]
    assert report.articles == len(articles) == 7


# --- the real Syria Deeply mirror (skipped when absent) -------------------------------


@pytest.mark.corpus
def test_syria_counts(syria_walk):
    articles, report, _ = syria_walk
    briefings = [a for a in articles if a.kind is Kind.BRIEFING]
    assert len(articles) - len(briefings) == SYRIA_STORIES
    assert len(briefings) == SYRIA_BRIEFINGS
    assert len({a.slug for a in articles}) == len(articles)
    assert {Path(path).name for path, _ in report.failed} == SYRIA_BROKEN


@pytest.mark.corpus
def test_syria_every_file_is_accounted_for(syria_walk, syria_mirror):
    articles, report, _ = syria_walk
    assert all(reason.strip() for _, reason in report.skipped)
    looked_at = [a.source for a in articles] + [p for p, _ in report.skipped] + [p for p, _ in report.failed]
    assert len(looked_at) == len(set(looked_at))
    assert set(looked_at) == all_files(syria_mirror)


@pytest.mark.corpus
def test_syria_oldest_first(syria_walk):
    articles, _, _ = syria_walk
    keys = [(a.date, a.slug) for a in articles]
    assert keys == sorted(keys)


@pytest.mark.corpus
def test_syria_articles_are_complete(syria_walk):
    articles, _, _ = syria_walk
    assert all(a.title and a.body for a in articles)
    assert all(a.url.startswith("https://www.newsdeeply.com/") for a in articles)
    stories = [a for a in articles if a.kind is not Kind.BRIEFING]
    assert sum(a.date is not None for a in articles) >= 0.99 * len(articles)
    assert sum(bool(a.authors) for a in stories) >= 0.99 * len(stories)
    assert all(a.date.tzinfo is dt.timezone.utc for a in articles if a.date)


@pytest.mark.corpus
def test_syria_bylines_that_name_several_people_give_each_their_own_name(syria_walk):
    # About 140 byline links name two or three people ("Younes Ahmad and Karen Leigh").
    articles, _, _ = syria_walk
    names = [name for a in articles for name in a.authors]
    assert not [name for name in names if re.search(r"\s(?:and|&)\s", name) or name.endswith("Leigh.")]
    assert sum(len(a.authors) > 1 for a in articles) > 150
    # The editor who co-wrote most of them is one contributor, under one name.
    assert names.count("Karen Leigh") > 300


@pytest.mark.corpus
def test_syria_no_boilerplate_reaches_an_article(syria_walk):
    articles, _, _ = syria_walk
    for article in articles:
        for inline in inline_strings(article):
            text = visible(inline)
            assert not any(phrase in text for phrase in BOILERPLATE), (article.source, text)
            # "Tweet" is also an ordinary word in the archive ("While Trump Tweets"); the
            # share button is the word standing alone.
            assert text.strip() != "Tweet", article.source


@pytest.mark.corpus
def test_syria_interviews_have_exchanges(syria_walk):
    articles, _, _ = syria_walk
    interviews = [a for a in articles if "Q&A" in a.extra.get("categories", "")]
    assert interviews
    with_exchanges = [a for a in interviews if a.exchanges]
    assert len(with_exchanges) >= 0.95 * len(interviews)
    assert all(e.question and not e.question.startswith("Syria Deeply") for a in with_exchanges for e in a.exchanges)
    # Of about 1,900 exchanges, three have no answer: it was printed inside the question's
    # own paragraph (after a plain "Name:" or a line break). A picture between question
    # and answer no longer empties the answer (it did for eleven).
    exchanges = [e for a in articles for e in a.exchanges]
    assert len(exchanges) > 1800
    assert sum(not e.answer for e in exchanges) <= 3


@pytest.mark.corpus
def test_syria_no_link_points_into_the_mirror(syria_walk):
    articles, _, _ = syria_walk
    for article in articles:
        for inline in inline_strings(article):
            for href in re.findall(r'href="([^"]*)"', inline):
                assert not href.startswith("../"), (article.source, href)
                assert href.startswith(("http://", "https://", "mailto:")), (article.source, href)
                assert not (href.startswith("https://www.newsdeeply.com/") and href.endswith(".html")), href
                assert "/_http_/" not in href and "/_https_/" not in href, href


def test_parallel_and_cached_walks_equal_the_plain_one(tmp_path, monkeypatch):
    from deeplybook.cache import Cache
    from deeplybook.readers import pool

    plain, plain_report = walk(SITE)
    with counting_warnings() as plain_warnings:
        walk(SITE)
    monkeypatch.setattr(pool, "POOL_THRESHOLD", 0)
    cache = Cache(tmp_path / "cache")
    for attempt in ("pool, filling the cache", "pool, from the cache"):
        if attempt.endswith("from the cache"):
            def parse_page(data, path):  # workers are forked after this, so they see it
                raise AssertionError(f"{path} parsed again although it did not change")
            monkeypatch.setattr(newsdeeply.mirror, "parse_page", parse_page)
        report = ReadReport()
        with counting_warnings() as warnings:
            articles = list(newsdeeply.read_folder(SITE, report, cache=cache, jobs=2))
        assert articles == plain, attempt
        assert sorted(report.skipped) == sorted(plain_report.skipped), attempt
        assert sorted(report.failed) == sorted(plain_report.failed), attempt
        assert warnings.counts == plain_warnings.counts, attempt
