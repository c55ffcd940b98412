"""Selection rules: date range, topics, authors, kinds, named articles and queries."""

import dataclasses
import datetime as dt

from factories import SITE_URL, article, interview

from deeplybook.log import counting_warnings
from deeplybook.model import Exchange, Kind, Paragraph
from deeplybook.select import Selection, in_date_range, searchable_text, select


def slugs(articles):
    return [a.slug for a in articles]


def test_no_rules_keep_every_article_in_order():
    items = [article(3), article(1), article(2)]
    assert slugs(select(items, Selection())) == ["story-3", "story-1", "story-2"]


def test_date_range_includes_both_ends_and_leaves_undated_out():
    # article(n, month=m) is published on day 1 + n % 27 of that month.
    items = [article(0, month=3), article(30, month=3), article(0, month=4), article(2, month=2)]
    undated = dataclasses.replace(article(9), date=None)
    rules = Selection(date_from=dt.date(2017, 3, 1), date_until=dt.date(2017, 4, 1))
    assert slugs(select([*items, undated], rules)) == ["story-0", "story-30", "story-0"]
    assert slugs(select([*items, undated], Selection(date_from=dt.date(2017, 3, 4)))) == ["story-30", "story-0"]
    assert slugs(select([*items, undated], Selection(date_until=dt.date(2017, 2, 28)))) == ["story-2"]
    assert in_date_range(undated, None, None)


def test_date_range_uses_the_day_the_page_gives():
    # Readers keep a page's offset (issue 12): the day selected is the day the book prints, never the UTC one.
    late = dataclasses.replace(article(1), date=dt.datetime(2017, 5, 31, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=-3))))
    assert in_date_range(late, dt.date(2017, 5, 31), dt.date(2017, 5, 31))
    assert not in_date_range(late, dt.date(2017, 6, 1), dt.date(2017, 6, 1))


def test_topics_and_authors_match_any_case_insensitively():
    items = [article(1, topics=("ISIS", "Aleppo")), article(2, topics=("Refugees",)), article(3, topics=())]
    assert slugs(select(items, Selection(topics=("aleppo", "refugees")))) == ["story-1", "story-2"]
    people = [article(1, authors=("Rana Haddad",)), article(2, authors=("Omar  Nassar", "Lina Saad")), article(3)]
    assert slugs(select(people, Selection(authors=("omar nassar",)))) == ["story-2"]
    assert slugs(select(people, Selection(authors=("Lina Saad", "rana haddad")))) == ["story-1", "story-2", "story-3"]


def test_kinds():
    items = [article(1), interview(2), article(3, kind=Kind.OPED), article(4, kind=Kind.BRIEFING)]
    assert slugs(select(items, Selection(kinds=(Kind.QA,)))) == ["story-2"]
    assert slugs(select(items, Selection(kinds=(Kind.OPED, Kind.BRIEFING)))) == ["story-3", "story-4"]


def test_title_query_searches_only_the_title():
    items = [article(1, title="Bread Prices in Aleppo"), article(2, dek="Aleppo again"), article(3)]
    assert slugs(select(items, Selection(title="ALEPPO"))) == ["story-1"]


def test_text_query_searches_title_dek_and_body_without_markup():
    items = [
        article(1, title="Bread Prices in Aleppo"),
        article(2, dek="A report from Deir   Ezzor."),
        article(3, body=(Paragraph("The road to <em>Deir</em> Ezzor &amp; beyond."),)),
        article(4, kind=Kind.QA, body=(Exchange("Is Deir Ezzor calm?", ("No.",)),)),
        article(5),
    ]
    assert slugs(select(items, Selection(text="deir ezzor"))) == ["story-2", "story-3", "story-4"]
    assert slugs(select(items, Selection(text="ezzor & beyond"))) == ["story-3"]
    assert "Words someone said." in searchable_text(article(6))


def test_every_filter_must_pass():
    items = [article(1, topics=("ISIS",)), article(2, topics=("ISIS",), year=2016), article(3, topics=("Health",))]
    rules = Selection(topics=("ISIS",), date_from=dt.date(2017, 1, 1))
    assert slugs(select(items, rules)) == ["story-1"]


def test_include_adds_to_the_filters_and_alone_picks_only_itself():
    items = [article(1, topics=("ISIS",)), article(2, topics=("Health",)), article(3, topics=("Health",))]
    with_filter = Selection(topics=("ISIS",), include=("story-3",))
    assert slugs(select(items, with_filter)) == ["story-1", "story-3"]
    assert slugs(select(items, Selection(include=("Story 2",)))) == ["story-2"]


def test_exclude_wins_and_matches_addresses_in_any_form():
    items = [article(1), article(2), article(3)]
    url = f"{SITE_URL}/2017/01/01/story-2".replace("https://www.", "http://") + ".html"
    rules = Selection(include=("story-1",), exclude=(url, "story-1"))
    assert slugs(select(items, rules)) == []
    assert slugs(select(items, Selection(exclude=(url,)))) == ["story-1", "story-3"]


def test_entries_that_name_no_article_are_warned_about():
    with counting_warnings() as warnings:
        chosen = select([article(1), article(2)], Selection(include=("story-1", "stroy-2"), exclude=("nothing",)),
                        source="book.toml")
    assert slugs(chosen) == ["story-1"]
    assert warnings.counts == {"select-unmatched": 2}
    assert "book.toml: include 'stroy-2'" in warnings.messages[0]
    assert "exclude 'nothing'" in warnings.messages[1]
