"""The News Deeply reader on hand-written pages in the mirror's structure (samples/newsdeeply/, see sample_mirror)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import sample_mirror  # a sibling module: the sample site dressed as a mirror

from deeplybook.errors import ReadError
from deeplybook.log import counting_warnings
from deeplybook.model import Embed, Exchange, Figure, Heading, ItemList, Kind, Paragraph, Quote
from deeplybook.readers import Skip, choose, newsdeeply
from deeplybook.readers.newsdeeply import byline_names

MIRROR = sample_mirror.root()
SITE = MIRROR / "water"
DAMS = SITE / "articles" / "2017" / "03" / "02" / "dams-on-the-river.html"


def read_one(relative: str):
    articles = newsdeeply.read(SITE / relative)
    assert len(articles) == 1
    return articles[0]


def inline_strings(article) -> list[str]:
    """Every piece of text an article carries, to search it all."""
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
            strings += [block.title, block.url]
    return strings


@pytest.fixture(scope="module")
def dams():
    return newsdeeply.read(DAMS)[0]


def test_sniff_is_sure_of_mirrored_news_deeply_pages_only():
    assert newsdeeply.sniff(DAMS, DAMS.read_bytes()[:65536]) >= 90
    assert newsdeeply.sniff(Path("notes.html"), b"<html><body>Hello</body></html>") == 0
    assert choose(DAMS) is newsdeeply


def test_metadata_of_an_article(dams):
    assert dams.title == "Dams on the River Divide Two Valleys"
    assert dams.dek == "Two farming valleys share one river. A new dam upstream has turned neighbours into rivals."
    assert dams.authors == ("Mira Stone",)
    assert dams.date == dt.datetime(2017, 3, 2, 9, 15, tzinfo=dt.timezone.utc)
    assert dams.read_time == 4
    assert dams.topics == ("Infrastructure & Dams", "Agriculture")
    assert dams.kind is Kind.ARTICLE
    assert dams.category == "Articles"
    assert dams.url == "https://www.newsdeeply.com/water/articles/2017/03/02/dams-on-the-river"
    assert dams.site == "Water Deeply"
    assert dams.slug == "dams-on-the-river"
    assert dams.source == str(DAMS)


def test_lead_figure_keeps_caption_markup_and_takes_the_credit_out(dams):
    assert dams.lead.caption == "The new dam seen from the lower valley, <em>early</em> in the spring"
    assert dams.lead.credit == "Photo: Ana Reed/Example Agency"
    assert dams.lead.image.url == "https://newsdeeply.imgix.net/20170302/dam.jpg?w=640"
    assert dams.lead.image.path is None


def test_dateline_leaves_the_first_paragraph(dams):
    first = dams.body[0]
    assert first.dateline == "RIVERTON"
    assert first.text.startswith("The gates of the new dam closed in January")
    assert dams.dateline == "RIVERTON"


def test_relative_links_become_live_addresses(dams):
    first = dams.body[0].text
    assert '<a href="https://www.newsdeeply.com/water/infrastructure">' in first
    assert '<a href="https://www.newsdeeply.com/water/articles/2017/01/15/the-valley-before-the-dam">' in first
    hrefs = [h for s in inline_strings(dams) for h in re.findall(r'href="([^"]*)"', s)]
    assert hrefs and all(h.startswith(("https://", "http://", "mailto:")) for h in hrefs)
    assert not any(h.endswith(".html") for h in hrefs)


def test_httrack_copy_of_an_outside_page_maps_back_to_its_address(dams):
    assert '<a href="https://www.example.org/report/?year=2017">regional report</a>' in dams.body[2].text
    assert '<a href="https://www.example.net/water-board">water board</a>' in dams.body[2].text


def test_leaked_shortcodes_scripts_and_hidden_or_empty_paragraphs_are_gone(dams):
    text = "\n".join(inline_strings(dams))
    for leaked in ("source=", "&lt;div", "[caption", "[/caption]", "INJECTED", "alert(", "<script", "pixel"):
        assert leaked not in text
    assert "Farmers queue for water." in text
    assert all(block.text.strip() for block in dams.body if isinstance(block, Paragraph))
    assert Paragraph("They want a schedule. <strong>Nothing more</strong> than a schedule, said one farmer.") in dams.body


def test_body_blocks_in_reading_order(dams):
    kinds = [type(block).__name__ for block in dams.body]
    assert kinds == [
        "Paragraph", "Paragraph", "Paragraph", "Heading", "Paragraph", "Figure", "Figure",
        "Quote", "ItemList", "Embed", "Embed", "Paragraph",
    ]
    assert dams.body[3] == Heading("What the Farmers Want", 2)
    assert dams.body[7] == Quote(("We will share the water or we will lose the valley.",))


def test_wordpress_captions_become_figures_with_a_local_file_when_the_mirror_has_one(dams):
    local, remote = dams.body[5], dams.body[6]
    assert local.caption == "A map of the two valleys and the dam between them."
    assert local.image.alt == "Map of the two valleys"
    assert local.image.url == "https://www.newsdeeply.com/uploads/map.png"
    assert Path(local.image.path) == (MIRROR / "uploads" / "map.png").resolve()
    assert remote.image.url == "https://newsdeeply.imgix.net/20170302/gates.jpg"
    assert remote.image.path is None


def test_embeds_become_linked_notes(dams):
    video, tweet = dams.body[9], dams.body[10]
    assert video == Embed("video", "https://www.youtube.com/watch?v=abc123XYZ", "")
    assert tweet == Embed("tweet", "https://twitter.com/farmer/status/12345", "The river is low again today")


def test_nothing_from_around_the_article_reaches_it(dams):
    text = "\n".join(inline_strings(dams))
    for boilerplate in (
        "Dear Deeply Readers", "Thank You, Deeply", "Suggest your story", "Share Your Story",
        "Share via Email", "Tweet", "Most Popular", "An Old Story", "Republish", "rivers",
    ):
        assert boilerplate not in text


def test_interview_with_bold_question_paragraphs():
    article = read_one("community/2017/04/10/a-talk-with-a-hydrologist.html")
    assert article.kind is Kind.QA and article.category == "Q&A"
    assert article.body[0] == Paragraph("Water Deeply spoke to Lena Ortiz about the river.")
    assert article.exchanges == (
        Exchange(
            "Why is the river so low this year?",
            ("Less snow fell in the mountains.", "The melt came early, too, so the spring flood was small."),
            asker="Water Deeply",
            speaker="Lena Ortiz",
        ),
        Exchange("Will the dam make it worse?", ("It holds back what little there is.",), "Water Deeply", "Ortiz"),
    )
    assert article.body[-1] == Paragraph("<em>This interview has been edited for length and clarity.</em>")


def test_interview_with_subhead_questions():
    article = read_one("community/2017/05/12/the-engineer-who-built-the-gates.html")
    assert [(e.asker, e.question, e.speaker, e.answer) for e in article.exchanges] == [
        ("Water Deeply", "How long did the design take?", "Samir Haddad", ("About a year, with a team of six.",)),
        ("Water Deeply", "Could the gates open on a schedule?", "Haddad",
         ("Yes, and I would welcome one.", "A schedule would help both valleys.")),
    ]
    assert not any(isinstance(block, Heading) for block in article.body)


def test_interview_as_a_numbered_list():
    article = read_one("community/2017/06/01/five-questions-on-the-river.html")
    assert article.exchanges == (
        Exchange("Who owns the river?", ("Nobody and everybody.",)),
        Exchange("Who decides the flow?", ("The board, twice a year.", "Farmers may appeal.")),
    )


def test_op_ed_keeps_bold_paragraphs_and_subheads_as_they_are():
    article = read_one("community/2017/02/20/rivers-need-rules.html")
    assert article.kind is Kind.OPED and article.category == "Op-Eds"
    assert article.authors == ("June Park", "Ravi Menon")
    assert article.exchanges == ()
    assert Paragraph("<strong>The first rule: share the data.</strong>") in article.body
    assert Heading("Who Pays for the Gauges?", 2) in article.body


def test_briefing():
    article = read_one("executive-summaries/2017/03/03.html")
    assert article.kind is Kind.BRIEFING
    assert article.title == "Executive Summary for March 3, 2017"  # the year comes from the page
    assert article.date == dt.datetime(2017, 3, 3, tzinfo=dt.timezone.utc)
    assert article.authors == ()
    assert article.slug == "executive-summary-2017-03-03"
    assert article.url == "https://www.newsdeeply.com/water/executive-summaries/2017/03/03"
    assert [b.text for b in article.body if isinstance(b, Heading)] == [
        "Upper Valley Opens the Gates", "Board Sets a Meeting", "Recommended Reads",
    ]
    assert article.body[1] == Paragraph(
        'The gates opened for six hours on Thursday, <a href="http://www.example.com/news/gates">a local paper</a> reported.'
    )
    assert "Tweet" not in "\n".join(inline_strings(article))


@pytest.mark.parametrize("link, names", [
    ("Nadia Farouk and Tom Reyes", ("Nadia Farouk", "Tom Reyes")),
    ("Nadia Farouk & Tom Reyes", ("Nadia Farouk", "Tom Reyes")),
    ("Nadia Farouk, Tom Reyes and Lena Ortiz.", ("Nadia Farouk", "Tom Reyes", "Lena Ortiz")),
    ("Tom Reyes, River Press", ("Tom Reyes, River Press",)),
    ("Alexandra Sandberg", ("Alexandra Sandberg",)),
    ("Tom Reyes and K.L.", ("Tom Reyes", "K.L.")),
])
def test_a_byline_link_naming_several_people_gives_each_name(link, names):
    assert byline_names(link) == names


def test_unreadable_date_is_a_warning_and_authors_fall_back_to_json_ld():
    with counting_warnings() as warnings:
        article = read_one("articles/2017/07/04/a-date-nobody-can-read.html")
    assert article.date is None
    assert warnings.counts["date-unparsed"] == 1
    assert article.authors == ("Tess Hale", "Ivo Brandt")


def test_redirect_stub_and_listing_pages_are_skipped_with_a_reason():
    with pytest.raises(Skip, match=r"redirect to \.\./\.\./\.\./\.\./community/2017/02/20/rivers-need-rules\.html"):
        newsdeeply.read(SITE / "articles/2017/2/20/rivers-need-rules.html")
    with pytest.raises(Skip, match="listing page"):
        newsdeeply.read(SITE / "tag/rivers.html")


def test_page_without_a_body_is_a_read_error_naming_the_file():
    page = SITE / "articles/2017/08/01/a-page-without-a-body.html"
    with pytest.raises(ReadError, match=re.escape(str(page)) + ": article page without a body"):
        newsdeeply.read(page)


def test_a_page_outside_any_mirror_still_gets_absolute_links(tmp_path):
    copy = tmp_path / "saved.html"
    copy.write_bytes(DAMS.read_bytes())
    article = newsdeeply.read(copy)[0]
    hrefs = [h for s in inline_strings(article) for h in re.findall(r'href="([^"]*)"', s)]
    assert "https://www.newsdeeply.com/water/infrastructure" in hrefs
    assert all(h.startswith(("https://", "http://")) for h in hrefs)
    figure = article.body[5]
    assert figure.image.path is None


def _with_body(tmp_path, paragraphs: list[str]):
    """The sample article with its body replaced by ``paragraphs`` (HTML)."""
    import lxml.html

    page = lxml.html.fromstring(DAMS.read_bytes())
    body = page.xpath("//div[@itemprop='articleBody']")[0]
    for child in list(body):
        body.remove(child)
    for html in paragraphs:
        body.append(lxml.html.fragment_fromstring(html))
    copy = tmp_path / "transcript.html"
    copy.write_bytes(lxml.html.tostring(page, encoding="utf-8"))
    return newsdeeply.read(copy)[0]


def test_transcript_with_initials_taking_turns_is_an_interview(tmp_path):
    article = _with_body(tmp_path, [
        "<p>We met the minister in his office.</p>",
        "<p><strong>JD:</strong> How many wells were dug?</p>",
        "<p><strong>MK:</strong> Forty, all in the south.</p>",
        "<p>Most of them are dry in summer.</p>",
        "<p><strong>JD:</strong> Why there?</p>",
        "<p><strong>MK:</strong> That is where the people are.</p>",
    ])
    assert [(e.asker, e.question, e.speaker, e.answer) for e in article.exchanges] == [
        ("JD", "How many wells were dug?", "MK", ("Forty, all in the south.", "Most of them are dry in summer.")),
        ("JD", "Why there?", "MK", ("That is where the people are.",)),
    ]
    assert article.body[0].text == "We met the minister in his office."


def test_an_article_quoting_several_labelled_people_is_not_an_interview(tmp_path):
    article = _with_body(tmp_path, [
        "<p><strong>Farmer:</strong> The river is low.</p>",
        "<p><strong>Engineer:</strong> The dam holds water back.</p>",
        "<p><strong>Mayor:</strong> We asked for help.</p>",
        "<p><strong>Farmer:</strong> Nobody came.</p>",
    ])
    assert article.exchanges == ()


def test_a_picture_between_a_question_and_its_answer_keeps_them_together(tmp_path):
    # Real interviews set a photograph between a question and its answer; the answer
    # used to come out empty, and the picture goes before the exchange instead.
    article = _with_body(tmp_path, [
        "<h2>Water Deeply: Where did the first wells run dry?</h2>",
        '<div class="wp-caption aligncenter"><img src="../../../../../uploads/gates.jpg" alt="">'
        '<p class="wp-caption-text">The old gates. PHOTO/INVENTED</p></div>',
        "<p>In the south, two summers ago.</p>",
        "<p>Nobody expected it.</p>",
        "<h2>Water Deeply: What happens next?</h2>",
        "<p>We wait for rain.</p>",
    ])
    exchanges = article.exchanges
    assert [(e.question, e.answer) for e in exchanges] == [
        ("Where did the first wells run dry?", ("In the south, two summers ago.", "Nobody expected it.")),
        ("What happens next?", ("We wait for rain.",)),
    ]
    kinds = [type(block).__name__ for block in article.body]
    assert kinds == ["Figure", "Exchange", "Exchange"]
