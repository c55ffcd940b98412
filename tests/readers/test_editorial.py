"""The News Deeply reader's editorial cleanup: promos, pull quotes, HTTrack's copies, briefing titles,
interviews, leaked Markdown, shared surnames and credits written into captions (issue 12)."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest
import sample_mirror  # a sibling module: HTTrack's stamps for sample pages

import deeplybook
from deeplybook.model import Exchange, Figure, Kind, Paragraph, Quote
from deeplybook.readers import ReadReport, newsdeeply
from deeplybook.readers.newsdeeply import credits, promos
from deeplybook.readers.newsdeeply.cleanup import repeats
from deeplybook.readers.people import is_organisation, split_byline

EDITORIAL = Path(__file__).resolve().parent.parent / "samples" / "newsdeeply" / "editorial"
CAMPS = "refugees/articles/2017/06/08/camps-in-winter.html"


def mirror(tmp_path: Path) -> Path:
    """The editorial sample sites dressed as a mirror in ``tmp_path``."""
    for source in sorted(EDITORIAL.rglob("*.html")):
        target = tmp_path / source.relative_to(EDITORIAL)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(sample_mirror.dress(source.read_text("utf-8")), "utf-8")
    return tmp_path


def read_page(relative: str):
    (article,) = newsdeeply.read(EDITORIAL / relative)
    return article


def text_of(article) -> str:
    parts = []
    for block in article.body:
        for name in ("text", "caption", "question"):
            parts.append(getattr(block, name, ""))
        parts.extend(getattr(block, "paragraphs", ()) + getattr(block, "answer", ()) + getattr(block, "items", ()))
    return "\n".join(parts)


@pytest.fixture(scope="module")
def camps():
    return read_page(CAMPS)


# Promotions: one sign-up line per site form, and the Syria forms found in the real mirror.
@pytest.mark.parametrize("line", [
    # Syria Deeply, as the mirror has them
    "Never miss an update. Sign up here for our Syria Deeply newsletter to receive weekly updates, special reports"
    " and featured insights on one of the most critical issues of our time.",
    "To join future Deeply Talks, make sure you are signed up to our newsletter below.",
    # the sister sites' wordings
    "Never miss an update. Sign up here for our Refugees Deeply newsletter.",
    "Subscribe to our weekly newsletter to get the latest from Water Deeply.",
    "Don’t miss a story. Sign up for the Oceans Deeply newsletter.",
    "Want more stories like this? Sign up for the Women & Girls Deeply newsletter.",
    "Stay informed. Subscribe to the Cities Deeply weekly digest.",
    "Sign up to receive the Arctic Deeply newsletter in your inbox every Friday.",
    "Keep up to date. Subscribe to Peacebuilding Deeply's email updates.",
    "Never miss an update: sign up for our Malnutrition Deeply mailing list.",
])
def test_a_sign_up_line_is_all_promotion(line):
    spans = promos.sign_up_spans(line)
    assert spans and spans[0][0] == 0 and spans[-1][1] == len(line)


def test_only_the_sign_up_sentence_of_a_republishing_note_goes():
    note = ("This article originally appeared on The Example Post. For weekly updates about international news,"
            " sign up for The Example Post email list.")
    [(start, end)] = promos.sign_up_spans(note)
    assert note[:start] == "This article originally appeared on The Example Post."
    assert end == len(note)


@pytest.mark.parametrize("news", [
    "In the beginning, people refused to join, but today they are rushing to sign up.",
    "A Facebook page dedicated to these memes has gained over 16,000 subscribers.",
    "He was the first to sign up to challenge the president in the June election.",
])
def test_news_about_signing_up_is_not_a_promotion(news):
    assert promos.sign_up_spans(news) == []


@pytest.mark.parametrize("heading, related", [
    ("Related Reads on Syria Deeply", True),
    ("Related Reads On Refugees Deeply", True),
    ("More from Water Deeply", True),
    ("Related Stories", True),
    ("Recommended Reads", False),  # a briefing's section of outside news
    ("Recommended Reads From Elsewhere", False),
    ("Related Questions About Deeply Rooted Problems in the Camps Nobody Has Answered Yet", False),
])
def test_related_reads_headings(heading, related):
    assert promos.is_related_heading(heading) is related


def test_promos_and_related_reads_leave_the_article_body(camps):
    text = text_of(camps)
    assert "newsletter" not in text and "Never miss" not in text
    assert "Related Reads" not in text and "The Stove Makers" not in text
    assert [type(block).__name__ for block in camps.body] == [
        "Paragraph", "Paragraph", "Figure", "Paragraph", "Quote", "Figure",
    ]
    assert "promo 1" in camps.extra["cleanup"] and "related-reads 1" in camps.extra["cleanup"]


def test_a_promo_alone_in_its_paragraph_takes_the_paragraph_with_it():
    article = read_page("refugees/articles/2017/06/09/outlook-for-2018.html")
    assert article.body == (Paragraph("Planners expect fewer arrivals and longer stays."),)


# Asides
def test_an_aside_repeating_the_body_is_dropped_and_a_new_one_kept_as_a_quote(camps):
    quotes = [block for block in camps.body if isinstance(block, Quote)]
    assert quotes == [Quote(("Nine in ten families in the camp have no insulated floor.",))]
    assert "aside-dropped 1" in camps.extra["cleanup"] and "aside-kept 1" in camps.extra["cleanup"]


@pytest.mark.parametrize("aside, repeated", [
    ("In many cases people appeared to be detained for weeks..", True),  # shortened
    ("The [aid] agency says new stoves will arrive before the end of the month.", True),  # mended
    ("New stoves will arrive, the agency says, before the month ends.", True),  # paraphrased
    ("Nine in ten families in the camp have no insulated floor.", False),  # its own fact
    ("Stoves for winter", False),
])
def test_what_counts_as_a_pull_quote_repeating_the_body(aside, repeated):
    body = ("In many cases, people appeared to be detained for weeks. The agency says new stoves will arrive"
            " before the end of the month, but the roads are often closed by snow.")
    assert repeats(aside, body) is repeated


# Markdown reference definitions
def test_leaked_markdown_reference_definitions_are_removed(camps):
    text = text_of(camps)
    assert "]:" not in text and "beta.refugeesdeeply.org" not in text
    assert "reference-definition 2" in camps.extra["cleanup"]


# Credits written into captions
def test_credits_written_in_captions_go_to_the_credit(camps):
    assert camps.lead.credit == "Rich Pedroncelli, Associated Press"
    assert camps.lead.caption == "Families queue for blankets at the camp gate."
    figures = [block for block in camps.body if isinstance(block, Figure)]
    assert (figures[0].caption, figures[0].credit) == ("Stoves wait for delivery at the camp gate.",
                                                       "REUTERS/Omar Haddad")
    # an acronym in brackets is no credit: that caption stays whole
    assert (figures[1].caption, figures[1].credit) == ("Camps held by the Syrian Democratic Forces (SDF)", "")


@pytest.mark.parametrize("caption, credit", [
    ("Farmers at the gate. (Rich Pedroncelli, Associated Press)", "Rich Pedroncelli, Associated Press"),
    ("A camp near the border. Photo by Jane Doe", "Jane Doe"),
    ("A boy in the old city. AFP/Getty Images", "AFP/Getty Images"),
    ("Smoke over the suburbs. REUTERS/Omar Sanadiki", "REUTERS/Omar Sanadiki"),
    ("A school in Hatay. (Cem Genco/Anadolu Agency)", "Cem Genco/Anadolu Agency"),
    ("A bride in the city. / Courtesy of Ahmad Khalil", "Courtesy of Ahmad Khalil"),
    ("Books for sale at the fair. (Muhammad Kheir al-Hamwi)", "Muhammad Kheir al-Hamwi"),
    ("A boy on the road. (AP Photo/Manu Brabo, File)", "AP Photo/Manu Brabo, File"),
])
def test_a_credit_at_the_end_of_a_caption_is_split_off(caption, credit):
    start, found = credits.split_credit(caption)
    assert found == credit
    assert caption[:start].strip() and credit not in caption[:start]


@pytest.mark.parametrize("caption", [
    "Fighters of the Syrian Democratic Forces (SDF)",
    "The minister (left) and his aide (right)",
    "A map of the province (in red)",
    "The report was published in Arabic (Arabic)",
    "The school in Ras al-Ain (Hasakah province)",
    "The dam in winter (2016)",
    "The old gates. PHOTO/INVENTED",
    "Mohammed al-Khatieb for Syria Deeply",
])
def test_a_caption_without_a_credit_at_its_end_is_left_whole(caption):
    assert credits.split_credit(caption) is None


# People
@pytest.mark.parametrize("byline, names, shared", [
    ("Connie and Peter Roop", ("Connie Roop", "Peter Roop"), True),
    ("Nadia Farouk and Tom Reyes", ("Nadia Farouk", "Tom Reyes"), False),
    ("Syria Deeply and Ahmad Khalil", ("Syria Deeply", "Ahmad Khalil"), False),
    ("Human Rights Watch and Lama Fakih", ("Human Rights Watch", "Lama Fakih"), False),
    ("Marah and Rami", ("Marah", "Rami"), False),
    ("Marah", ("Marah",), False),
    ("Connie and Dr. Peter Roop", ("Connie", "Dr. Peter Roop"), False),
    ("Ahmad, Youmna al-Dimashqi and Karen Leigh", ("Ahmad", "Youmna al-Dimashqi", "Karen Leigh"), False),
    ("MSF and Peter Roop", ("MSF", "Peter Roop"), False),
])
def test_a_surname_is_shared_only_in_a_and_b_c(byline, names, shared):
    assert split_byline(byline) == (names, shared)


@pytest.mark.parametrize("name, organisation", [
    ("Syria Deeply", True), ("MSF Staff", True), ("HRW", True), ("Al-Fanar Media Reporting Team", True),
    ("Karen Leigh", False), ("Marah", False), ("Mohammad Wael al-Dighli", False),
])
def test_organisations(name, organisation):
    assert is_organisation(name) is organisation


def test_a_byline_sharing_a_surname_gives_two_full_names(camps):
    assert camps.authors == ("Connie Roop", "Peter Roop")


def test_a_regular_who_signs_alone_is_not_given_a_partner(tmp_path):
    root = mirror(tmp_path)
    source = (root / CAMPS).read_text("utf-8")
    for day in ("10", "11"):
        alone = source.replace("Connie and Peter Roop", "Peter Roop").replace("camps-in-winter", f"alone-{day}")
        target = root / f"refugees/articles/2017/06/{day}/alone-{day}.html"
        target.parent.mkdir(parents=True)
        target.write_text(alone.replace("/06/08/", f"/06/{day}/"), "utf-8")
    articles = {a.slug: a for a in deeplybook.read([root / "refugees"])}
    assert articles["camps-in-winter"].authors == ("Connie", "Peter Roop")
    assert "name-shared" not in articles["camps-in-winter"].extra["cleanup"]
    assert articles["alone-10"].authors == ("Peter Roop",)


# Interviews
def test_a_qa_wrapped_in_one_more_div_is_read_as_exchanges():
    article = read_page("oceans/community/2017/07/12/a-talk-with-a-fisheries-scientist.html")
    assert article.kind is Kind.QA
    assert article.body[0] == Paragraph("Oceans Deeply spoke to Ines Moreau about the cod that did not come back.")
    assert article.exchanges == (
        Exchange("Where did the cod go?", ("North, mostly, following colder water.", "Some stayed, but they are smaller now."),
                 "Oceans Deeply", "Ines Moreau"),
        Exchange("Will they return?", ("Not while the water stays this warm.",), "Oceans Deeply", "Moreau"),
    )


def test_an_interview_labelled_with_the_sites_initials_is_read_as_exchanges():
    article = read_page("cities/articles/2016/02/03/conversation-with-a-mayor.html")
    assert [(e.asker, e.question, e.speaker, e.answer) for e in article.exchanges] == [
        ("CD", "How many people ride the bus?", "Okafor", ("About half the town, every morning.",)),
        ("CD", "And the bridge?", "Okafor", ("It opens next spring, if the steel arrives.",)),
    ]
    assert "newsletter" not in text_of(article)


def test_a_transcript_in_plain_initials_takes_the_full_names_behind_them(tmp_path):
    page = (EDITORIAL / "cities/articles/2016/02/03/conversation-with-a-mayor.html").read_text("utf-8")
    start, end = page.index('<div class="body" itemprop="articleBody">'), page.index("</div>", page.index("articleBody"))
    body = "\n".join([
        "<p>Lena Ortiz: How did the plan start?</p>",
        "<p>Sam Okafor: With one bus and a borrowed driver.</p>",
        "<p>LO: And now?</p>",
        "<p>SO: Forty buses.</p>",
        "<p>LO: Who pays?</p>",
        "<p>SO: The riders, half of it.</p>",
    ])
    copy = tmp_path / "transcript.html"
    copy.write_text(page[:start] + '<div class="body" itemprop="articleBody">' + body + page[end:], "utf-8")
    (article,) = newsdeeply.read(copy)
    assert [(e.asker, e.question, e.speaker) for e in article.exchanges] == [
        ("Lena Ortiz", "How did the plan start?", "Sam Okafor"),
        ("LO", "And now?", "SO"),
        ("LO", "Who pays?", "SO"),
    ]


# HTTrack's copies and briefings
def test_httrack_copies_are_one_article_and_the_others_are_reported(tmp_path):
    root = mirror(tmp_path)
    query_copy = root / "refugees/articles/2017/06/08/camps-in-winter.html?p=12.html"
    shutil.copyfile(root / "refugees/articles/2017/06/08/camps-in-winter-3f2a.html", query_copy)
    report = ReadReport()
    articles = list(deeplybook.read([root / "refugees"], report=report))
    camps = [a for a in articles if a.slug == "camps-in-winter"]
    assert len(camps) == 1 and camps[0].source.endswith("camps-in-winter.html")
    duplicates = {Path(path).name: reason for path, reason in report.skipped if reason.startswith("duplicate of")}
    winner = str(root / "refugees/articles/2017/06/08/camps-in-winter.html")
    assert duplicates == {
        "camps-in-winter-3f2a.html": f"duplicate of {winner}",
        "camps-in-winter.html?p=12.html": f"duplicate of {winner}",
    }
    # a name ending in four hex digits with no page of the shorter name is a page of its own
    assert "outlook-for-2018" in {a.slug for a in articles}


def test_a_briefing_kept_only_as_a_copy_is_read_and_dated_in_its_title(tmp_path):
    root = mirror(tmp_path)
    report = ReadReport()
    briefings = [a for a in deeplybook.read([root / "refugees"], report=report) if a.kind is Kind.BRIEFING]
    assert [(b.title, b.slug) for b in briefings] == [("Executive Summary for June 8, 2017",
                                                       "executive-summary-2017-06-08")]
    assert not any("not a briefing page" in reason for _, reason in report.skipped)


def test_every_change_is_logged_at_debug_level(caplog):
    with caplog.at_level(logging.DEBUG, logger="deeplybook"):
        read_page(CAMPS)
    changes = [r.getMessage() for r in caplog.records if ": cleanup: " in r.getMessage()]
    kinds = sorted({message.split(": cleanup: ")[1].split(":")[0] for message in changes})
    assert kinds == ["aside-dropped", "aside-kept", "credit-split", "name-shared", "promo", "reference-definition",
                     "related-reads"]


def test_interviews_found_by_the_new_forms_are_counted():
    wrapped = read_page("oceans/community/2017/07/12/a-talk-with-a-fisheries-scientist.html")
    labelled = read_page("cities/articles/2016/02/03/conversation-with-a-mayor.html")
    assert "interview-unwrapped 1" in wrapped.extra["cleanup"]
    assert "interview-initials 1" in labelled.extra["cleanup"]


# The real mirror
@pytest.mark.corpus
def test_the_syria_mirror_is_cleaned(syria_walk):
    articles, _, _ = syria_walk
    cleanup = [a.extra.get("cleanup", "") for a in articles]

    def pages_with(kind: str) -> int:
        return sum(1 for line in cleanup if f"{kind} " in line)

    assert len(articles) >= 3250
    assert pages_with("promo") >= 100
    assert pages_with("aside-kept") >= 1
    assert pages_with("interview-initials") >= 15
    assert pages_with("briefing-dated") >= 1000
    assert pages_with("reference-definition") >= 30
    assert pages_with("credit-split") >= 100
    assert all(not a.title.endswith(("st", "nd", "rd", "th")) for a in articles if a.kind is Kind.BRIEFING)
    texts = "\n".join(text_of(a) for a in articles)
    assert "Sign up here for our Syria Deeply newsletter" not in texts
