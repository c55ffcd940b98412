"""Edition assembly: de-duplication, slugs, order, grouping, in-book links, missing images."""

import dataclasses

import pytest
from factories import SITE_URL, article

from deeplybook import edition
from deeplybook.errors import DeeplybookError
from deeplybook.log import counting_warnings
from deeplybook.model import Figure, Image, Paragraph


def test_duplicates_by_url_are_left_out_keeping_the_first():
    first = article(1)
    twin = dataclasses.replace(article(1), title="A twin", url=first.url.replace("https://www.", "http://"))
    book = edition.make([first, twin, article(2)], title="T")
    assert [a.title for a in book.articles] == ["Story number 1", "Story number 2"]


def test_slugs_are_made_unique_and_safe():
    a = article(1, slug="Same Slug!")
    b = article(2, slug="same-slug")
    c = article(3, slug="2017 story")
    slugs = [x.slug for x in edition.make([a, b, c], title="T").articles]
    assert slugs == ["same-slug", "same-slug-2", "a-2017-story"]


def test_orders():
    items = [article(3, month=3, title="Banana"), article(1, month=1, title="cherry"), article(2, month=2, title="Apple")]
    by_date = [a.title for a in edition.make(items, title="T").articles]
    assert by_date == ["cherry", "Apple", "Banana"]
    assert [a.title for a in edition.make(items, title="T", order="date-desc").articles] == by_date[::-1]
    assert [a.title for a in edition.make(items, title="T", order="title").articles] == ["Apple", "Banana", "cherry"]


def test_nested_grouping_by_year_then_month():
    items = [article(1, year=2016, month=5), article(2, year=2017, month=2), article(3, year=2017, month=1)]
    book = edition.make(items, title="T", group_by=["year", "month"])
    assert [s.title for s in book.sections] == ["2016", "2017"]
    assert [s.title for s in book.sections[1].sections] == ["January 2017", "February 2017"]
    assert [a.slug for a in book.articles] == ["story-1", "story-3", "story-2"]


def test_grouping_by_topic_is_alphabetical():
    items = [article(1, topics=("Refugees",)), article(2, topics=("Health", "ISIS")), article(3, topics=())]
    book = edition.make(items, title="T", group_by=["topic"])
    assert [s.title for s in book.sections] == ["Health", "Other topics", "Refugees"]


def test_unknown_group_or_order_is_a_clear_error():
    with pytest.raises(DeeplybookError, match="cannot group by 'colour'"):
        edition.make([article(1)], title="T", group_by=["colour"])
    with pytest.raises(DeeplybookError, match="cannot order by 'size'"):
        edition.make([article(1)], title="T", order="size")


def test_links_to_articles_in_the_book_point_inside_it():
    target = article(2)
    link = f'<a href="{target.url}.html">the earlier story</a> and <a href="{SITE_URL}/2012/01/01/gone">one not here</a>'
    source = article(1, body=(Paragraph(link),))
    book = edition.make([source, target], title="T")
    text = book.articles[0].body[0].text
    assert 'href="story-2.xhtml"' in text
    assert f'href="{SITE_URL}/2012/01/01/gone"' in text


def test_missing_images_keep_caption_and_warn_once_with_a_count(tmp_path):
    local = tmp_path / "pic.jpg"
    local.write_bytes(b"not really a jpeg")
    kept = article(3, lead=Figure("Here", "ME", Image("http://x/pic.jpg", path=str(local))))
    with counting_warnings() as warnings:
        book = edition.make([article(1), article(2), kept], title="T")
    assert warnings.counts == {"image-missing": 1}
    assert "2 images" in warnings.messages[0]
    leads = [a.lead for a in book.articles]
    assert leads[0].image is None and leads[0].caption == "A street in the old city."
    assert leads[0].credit == "STRINGER/AFP/Getty Images"
    assert leads[2].image.path == str(local)


def test_identifier_is_stable_and_depends_on_content():
    one = edition.make([article(1), article(2)], title="T").identifier
    assert one == edition.make([article(2), article(1)], title="T").identifier
    assert one != edition.make([article(1)], title="T").identifier
    assert one.startswith("urn:uuid:")


def test_an_article_never_takes_the_name_of_one_of_the_books_own_pages():
    titles = ["Section 5", "Cover", "Contents", "Index: Topics", "Imprint", "Foreword", "Section 5"]
    made = edition.make([article(n, title=title, slug="", url=f"https://news.example/{n}")
                         for n, title in enumerate(titles, 1)], title="Book",
                        order="title")
    assert sorted(a.slug for a in made.articles) == [
        "article-contents", "article-cover", "article-foreword", "article-imprint", "article-index-topics",
        "article-section-5", "article-section-5-2"]
