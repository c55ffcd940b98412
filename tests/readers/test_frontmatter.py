"""The front matter reader: Markdown or HTML files with YAML or TOML headers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from deeplybook.errors import ReadError
from deeplybook.model import Figure, Heading, ItemList, Kind, Paragraph, Quote
from deeplybook.readers import frontmatter

SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "frontmatter"


def read_one(path: Path):
    articles = frontmatter.read(path)
    assert len(articles) == 1
    return articles[0]


def test_yaml_markdown_metadata():
    article = read_one(SAMPLES / "yaml-oped.md")
    assert article.title == "Why the Ferry Matters More Than the Bridge"
    assert article.dek == "A new bridge will take years. The old ferry could run again next month."
    assert article.authors == ("Amira Sayegh", "Daniel Cho")
    assert article.date == dt.datetime(2018, 3, 7, tzinfo=dt.timezone.utc)
    assert article.topics == ("Transport", "Islands")
    assert article.kind is Kind.OPED
    assert article.url == "https://harbour.example/opinion/ferry-matters"
    assert article.extra == {"series": "Island Voices"}
    assert article.slug == "why-the-ferry-matters-more-than-the-bridge"
    assert article.lead.caption == "The old ferry moored at the north jetty."
    assert article.lead.credit == "Harbour Archive"
    assert Path(article.lead.image.path) == SAMPLES / "images" / "ferry.jpg"


def test_yaml_markdown_body_blocks():
    body = read_one(SAMPLES / "yaml-oped.md").body
    assert [type(block) for block in body] == [Paragraph, Heading, ItemList, Quote, Figure, ItemList]
    assert body[0].text.startswith("The island council voted last week to <strong>study</strong> a bridge.")
    assert body[1] == Heading("What the ferry did", 2)
    assert body[2].items[0] == 'carried <a href="https://harbour.example/schools">schoolchildren</a> every morning'
    assert body[3] == Quote(("A bridge is a promise. A ferry is a timetable.",))
    assert body[4].image.alt == "The ferry at dawn"
    assert body[5] == ItemList(("Repair the ramp.", "Hire two crews."), ordered=True)
    assert not any("alert" in str(block) or "script" in str(block) for block in body)


def test_toml_front_matter():
    article = read_one(SAMPLES / "toml-interview.md")
    assert article.title == "Ten Questions for a Lighthouse Keeper"
    assert article.dek == "The last keeper on the coast explains what the automated lights cannot do."
    assert article.authors == ("Oren Blake", "Maya Ruiz")
    assert article.date == dt.datetime(2020, 6, 1, 7, 15, tzinfo=dt.timezone.utc)
    assert article.topics == ("Coast", "Work")
    assert article.kind is Kind.QA
    assert article.read_time == 6
    assert [block.text for block in article.body] == [
        "What does a keeper do all night?",
        "Mostly, she listens. The foghorn has a rhythm and she knows when it is wrong.",
    ]


def test_html_body_with_yaml_front_matter():
    article = read_one(SAMPLES / "html-body.html")
    assert article.title == "Salt Pans at Low Tide"
    assert article.authors == ("Joana Prates",)
    assert article.date == dt.datetime(2016, 5, 12, tzinfo=dt.timezone.utc)
    # An unknown kind is the site's own label; the piece stays an article.
    assert (article.kind, article.category) == (Kind.ARTICLE, "Feature")
    assert article.body[1] == Heading("The rakers", 3)
    assert article.body[2] == Paragraph("Most rakers are over sixty; their grandchildren come in August.")
    figure = article.body[3]
    assert (figure.caption, figure.credit) == ("Salt drying in rows.", "Photo: Rui Matos")
    assert figure.image.url == "https://salt.example/pans.jpg" and figure.image.path is None
    assert len(article.body) == 4
    assert "steal" not in str(article.body) and "iframe" not in str(article.body)


def test_title_from_the_opening_heading():
    article = read_one(SAMPLES / "title-from-heading.md")
    assert article.title == "The Allotment Waiting List"
    assert article.topics == ("Gardens",)
    assert article.body == (Paragraph("Some people have waited nine years for a plot."),)


def test_markdown_without_front_matter(tmp_path):
    source = tmp_path / "plain.md"
    source.write_text("# Rain Gauges\n\nThe *wettest* week since 1990.\n", encoding="utf-8")
    article = read_one(source)
    assert article.title == "Rain Gauges"
    assert article.body == (Paragraph("The <em>wettest</em> week since 1990."),)


def test_author_mappings_and_text_dates(tmp_path):
    source = tmp_path / "people.md"
    source.write_text(
        "---\ntitle: Two Voices\nauthor:\n  - name: Lea Brandt\n  - name: Kofi Mensah\n"
        "date: 2019-02-03T10:00:00-05:00\nupdated: '4 February 2019'\n---\nText.\n",
        encoding="utf-8",
    )
    article = read_one(source)
    assert article.authors == ("Lea Brandt", "Kofi Mensah")
    assert article.date == dt.datetime(2019, 2, 3, 15, 0, tzinfo=dt.timezone.utc)
    assert article.modified == dt.datetime(2019, 2, 4, tzinfo=dt.timezone.utc)


def test_sniff():
    assert frontmatter.sniff(Path("a.md"), b"---\ntitle: x\n---\n") == 80
    assert frontmatter.sniff(Path("a.html"), b"+++\ntitle = 'x'\n+++\n") == 80
    assert frontmatter.sniff(Path("a.md"), b"# Just Markdown\n") == 40
    assert frontmatter.sniff(Path("a.html"), b"<!DOCTYPE html><html>") == 0
    assert frontmatter.sniff(Path("a.txt"), b"---\ntitle: x\n---\n") == 0


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.md", "", "empty file"),
        ("open.md", "---\ntitle: Never Closed\n\nBody text.\n", "YAML front matter opened with '---' on line 1 is never closed"),
        ("open.md", "+++\ntitle = 'x'\n", "TOML front matter opened with '+++' on line 1 is never closed"),
        ("bad.md", "+++\ntitle = 'ok'\ndate 2020-01-01\n+++\nBody\n", "invalid TOML front matter: Expected '=' after a key in a key/value pair (at line 3"),
        ("bad.md", "---\ntitle: ok\nauthors: [a, b\n---\nBody\n", "invalid YAML front matter on line 4"),
        ("list.md", "---\n- just\n- a list\n---\nBody\n", "YAML front matter is a list, not a mapping"),
        ("untitled.md", "---\ntags: x\n---\nNo heading here.\n", "no title"),
    ],
)
def test_broken_input_is_a_one_line_read_error(tmp_path, name, content, message):
    source = tmp_path / name
    source.write_text(content, encoding="utf-8")
    with pytest.raises(ReadError) as caught:
        frontmatter.read(source)
    text = str(caught.value)
    assert text.startswith(f"{source}: {message}")
    assert "\n" not in text
