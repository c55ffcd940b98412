"""The plain text reader: a browser's text rendering of a News Deeply page, and plain texts."""

from __future__ import annotations

from pathlib import Path

import pytest

from deeplybook.errors import ReadError
from deeplybook.log import counting_warnings
from deeplybook.model import Exchange, Heading, Kind, Paragraph
from deeplybook.readers import plaintext

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "examples" / "syria-deeply-boukamal.txt"
SAMPLES = REPO / "tests" / "samples" / "plaintext"

BOILERPLATE = (
    "Dear Deeply Readers",
    "Welcome to the archives",
    "Suggest your story",
    "Share Your Story",
    "Have a story idea",
    "Learn more",
    "Written by",
    "Read time",
    "Getty Images",
)


def read_one(path: Path):
    articles = plaintext.read(path)
    assert len(articles) == 1
    return articles[0]


def every_text(article) -> list[str]:
    """Every string an article carries, for boilerplate checks."""
    texts = [article.title, article.dek, *article.authors]
    if article.lead:
        texts.append(article.lead.caption)
    for block in article.body:
        if isinstance(block, Exchange):
            texts += [block.question, *block.answer, block.asker, block.speaker]
        else:
            texts.append(block.text)
    return texts


@pytest.fixture(scope="module")
def seed():
    return read_one(SEED)


def test_seed_head(seed):
    assert seed.title == "What an ISIS Retreat in Boukamal Could Mean for the War in Syria"
    assert seed.dek.startswith("The Syrian government is trying to capture the last ISIS stronghold")
    assert seed.dek.endswith("according to Fabrice Balanche of the Hoover Institution.")
    assert seed.authors == ("Hashem Osseiran",)
    assert seed.read_time == 5
    assert seed.date is None
    assert seed.site == "Syria Deeply"
    assert seed.slug == "what-an-isis-retreat-in-boukamal-could-mean-for-the-war-in-syria"
    assert seed.source == str(SEED)


def test_seed_lead_caption_and_credit(seed):
    assert seed.lead.caption == (
        "Syrian soldiers and pro-government forces pose for a picture in front of damaged "
        "buildings in the eastern Syrian city of Deir Ezzor on November 3, 2017"
    )
    assert seed.lead.credit == "STRINGER/AFP/Getty Images"
    assert seed.lead.image is None


def test_seed_dateline_and_intro(seed):
    first = seed.body[0]
    assert isinstance(first, Paragraph)
    assert seed.dateline == "BEIRUT"
    assert first.text.startswith("After prematurely declaring a victory")
    intro = [b for b in seed.body if isinstance(b, Paragraph)]
    assert len(intro) == 5
    assert intro[-1].text.startswith("Syria Deeply spoke to Balanche")


def test_seed_exchanges(seed):
    exchanges = seed.exchanges
    # The seed has five "Syria Deeply:" questions.
    assert len(exchanges) == 5
    assert seed.kind is Kind.QA
    assert exchanges[0].question == "What would the capture of Boukamal mean for the government in Deir Ezzor?"
    assert {e.asker for e in exchanges} == {"Syria Deeply"}
    assert [e.speaker for e in exchanges] == ["Fabrice Balanche"] + ["Balanche"] * 4
    assert [len(e.answer) for e in exchanges] == [1, 4, 2, 3, 2]
    assert exchanges[1].answer[1].startswith("Also, Iran could more easily secure a landbridge")
    assert exchanges[-1].answer[-1].endswith("parts of the Iraqi border.")
    assert not any(answer.startswith("Balanche:") for e in exchanges for answer in e.answer)


def test_seed_has_no_boilerplate(seed):
    for text in every_text(seed):
        for phrase in BOILERPLATE:
            assert phrase not in text
    assert every_text(seed)[-1] != "Send"


def test_inline_text_is_escaped(tmp_path):
    source = tmp_path / "escape.txt"
    source.write_text("Fish & Chips <b>\n\nA < B and <script>alert(1)</script> is text.\n", encoding="utf-8")
    article = read_one(source)
    assert article.title == "Fish & Chips <b>"
    assert article.body == (Paragraph("A &lt; B and &lt;script&gt;alert(1)&lt;/script&gt; is text."),)


def test_wrapped_text_without_banner():
    article = read_one(SAMPLES / "no-banner-wrapped.txt")
    assert article.title == "Harbour Cranes Return to a Quiet Port"
    assert article.dek == (
        "After two idle winters, the cargo cranes of a small river port are moving again, "
        "and the town around them is counting the jobs."
    )
    assert article.authors == ("Mara Lindqvist", "Tomas Okafor")
    assert article.site == ""
    assert article.lead is None
    assert article.dateline == "RIVERTON"
    assert article.body[0].text.startswith("The first container ship in two years tied up at the east quay")
    assert article.body[2] == Heading("What the dockers want")
    assert article.exchanges == ()
    assert article.kind is Kind.ARTICLE
    assert len(article.body) == 4


def test_other_deeply_site():
    article = read_one(SAMPLES / "other-deeply-site.txt")
    assert article.site == "Water Deeply"
    assert article.title == "Why a Dry Valley Is Planting Rice Again"
    assert article.dek == "Farmers are betting on a new canal. Engineers are less sure."
    assert article.authors == ("Ines Carvalho", "Paul Mbeki", "Sun Li")
    assert article.date is not None and article.date.date().isoformat() == "2017-11-02"
    assert article.read_time == 3
    assert article.lead.credit == "AP Photo/Lucia Ferrante"
    assert article.lead.caption.endswith("near the village of Orvalle on October 12, 2017")
    assert article.dateline == "ORVALLE, Portugal"
    first, second = article.exchanges
    assert (first.asker, first.speaker) == ("Water Deeply", "Dr. Rosa Almeida")
    assert first.answer[1] == "That is the first thing to fix, she said."
    assert (second.speaker, second.answer) == ("Almeida", ("The district, in principle.",))
    assert not any(phrase in text for text in every_text(article) for phrase in BOILERPLATE)


def test_text_without_interview_or_byline():
    article = read_one(SAMPLES / "plain-report.txt")
    assert article.title == "Notes from the Library Basement"
    assert article.dek == ""
    assert article.authors == ()
    assert article.exchanges == ()
    assert article.dateline is None
    texts = [block.text for block in article.body]
    assert texts == [
        "The archive keeps its oldest newspapers below street level.",
        "Note: the reading room opens at nine.",
        "Visitors sign a ledger: name, date and the boxes they asked for.",
        "A reader who wants a copy asks at the desk; the clerk decides.",
    ]


def test_unparseable_byline_date_warns_and_stays_empty(tmp_path):
    source = tmp_path / "dated.txt"
    source.write_text(
        "A Title\n\nA dek.\n\nWritten by Ana Ruiz Published on sometime soon Read time Approx. 2 minutes\n\nBody.\n",
        encoding="utf-8",
    )
    with counting_warnings() as warnings:
        article = read_one(source)
    assert article.date is None
    assert article.read_time == 2
    assert article.authors == ("Ana Ruiz",)
    assert warnings.counts["date-unparsed"] == 1


@pytest.mark.parametrize(
    ("line", "caption", "credit"),
    [
        ("Men walk in Raqqa on May 2, 2017 DELIL SOULEIMAN/AFP/Getty Images", "Men walk in Raqqa on May 2, 2017", "DELIL SOULEIMAN/AFP/Getty Images"),
        ("A child in Douma, Syria, March 1, 2018. AP Photo/Hassan Ammar", "A child in Douma, Syria, March 1, 2018.", "AP Photo/Hassan Ammar"),
        ("Smoke rises over Idlib, Syria Omar Haj Kadour/AFP", "Smoke rises over Idlib, Syria", "Omar Haj Kadour/AFP"),
        ("Rebels near Daraa on June 5. Omar Sanadiki/Reuters", "Rebels near Daraa on June 5.", "Omar Sanadiki/Reuters"),
        ("A market in Aleppo, 2016. Photo by Jane Doe", "A market in Aleppo, 2016.", "Photo by Jane Doe"),
        ("Tents in Arsal, Lebanon, in 2015 (Photo courtesy of UNHCR)", "Tents in Arsal, Lebanon, in 2015", "Photo courtesy of UNHCR"),
        ("Fighters in Tabqa on April 30, 2017 Reuters", "Fighters in Tabqa on April 30, 2017", "Reuters"),
    ],
)
def test_split_credit(line, caption, credit):
    assert plaintext.split_credit(line) == (caption, credit)


@pytest.mark.parametrize(
    "line",
    ["The Syrian army said it captured the town.", "Talks in Geneva and/or Astana resumed", "Only A Title Case Line"],
)
def test_split_credit_refuses_lines_without_credit(line):
    assert plaintext.split_credit(line) is None


def test_sniff_takes_text_files_only():
    assert plaintext.sniff(Path("a.txt"), b"hello") > 0
    assert plaintext.sniff(Path("a.TXT"), b"hello") > 0
    assert plaintext.sniff(Path("a.html"), b"<html>") == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "empty file"), (b"  \n\n \t\n", "empty file"), (b"caf\xe9 au lait\n", "not UTF-8 text")],
)
def test_broken_input_is_a_one_line_read_error(tmp_path, content, message):
    source = tmp_path / "broken.txt"
    source.write_bytes(content)
    with pytest.raises(ReadError) as caught:
        plaintext.read(source)
    text = str(caught.value)
    assert text.startswith(f"{source}: ") and message in text
    assert "\n" not in text


def test_byline_cells_on_lines_of_their_own(tmp_path):
    seed = SEED.read_text(encoding="utf-8")
    split = seed.replace(
        "Written by Hashem Osseiran Published on Read time Approx. 5 minutes\n",
        "Written by\nHashem Osseiran\nPublished on\nNov. 10, 2017\nRead time\nApprox. 5 minutes\n",
    )
    assert split != seed
    source = tmp_path / "split.txt"
    source.write_text(split, encoding="utf-8")
    article = read_one(source)
    assert article.authors == ("Hashem Osseiran",)
    assert article.date is not None and article.date.date().isoformat() == "2017-11-10"
    assert article.read_time == 5
    assert article.lead.credit == "STRINGER/AFP/Getty Images"
    assert article.title == "What an ISIS Retreat in Boukamal Could Mean for the War in Syria"
    assert len(article.exchanges) == 5
