"""Volumes: cutting by year or size, each volume a complete book with its own files."""

import dataclasses
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from factories import article

import deeplybook
from deeplybook import config, edition, pipeline, volumes
from deeplybook.config import Book, EditionConfig, Front, Grouping, Imprint, Output, Sources, Volumes
from deeplybook.model import Kind, Paragraph
from deeplybook.select import searchable_text, select

EDITIONS = Path(__file__).parent / "samples" / "editions"


def edition_config(tmp_path, **changes) -> EditionConfig:
    base = EditionConfig(
        path=tmp_path / "edition.toml",
        book=Book("Collected", subtitle="Sub"),
        sources=Sources(()),
        output=Output(tmp_path / "out", "collected", ("epub",)),
    )
    return dataclasses.replace(base, **changes)


def slugs(part):
    """The part's articles in book order."""
    return [a.slug for section in part.sections for a in section.walk()]


def cut(items, rule, *, group_by=(), order="date"):
    """Articles arranged and grouped once, then split by ``rule``."""
    ordered = edition.arrange(items, group_by=group_by, order=order)
    return volumes.split(ordered, edition.group(ordered, group_by), rule)


def test_split_by_year_runs_oldest_first_with_undated_last():
    items = [article(1, year=2017), dataclasses.replace(article(2), date=None), article(3, year=2015),
             article(4, year=2017, month=3), article(5, year=2015, month=6)]
    parts = cut(items, Volumes(by_year=True), order="date-desc")
    assert [(p.number, p.label) for p in parts] == [(1, "2015"), (2, "2017"), (3, "Undated")]
    assert [slugs(p) for p in parts] == [["story-5", "story-3"], ["story-4", "story-1"], ["story-2"]]


def test_split_by_size_follows_book_order_and_leaves_duplicates_out_first():
    items = [article(n, topics=(topic,)) for n, topic in enumerate("CABCABC")]
    twin = dataclasses.replace(items[0], title="A reprint")
    parts = cut([*items, twin], Volumes(max_articles=3), group_by=["topic"], order="date")
    assert [(p.number, p.label) for p in parts] == [(1, "Vol. 1"), (2, "Vol. 2"), (3, "Vol. 3")]
    assert [slugs(p) for p in parts] == [
        ["story-1", "story-4", "story-2"], ["story-5", "story-0", "story-3"], ["story-6"]]


def test_no_split_is_one_part_without_a_number():
    parts = cut([article(2), article(1)], Volumes())
    assert [(p.number, p.label, slugs(p)) for p in parts] == [(None, "", ["story-1", "story-2"])]


def test_each_volume_is_a_complete_book_in_a_series(tmp_path):
    cfg = edition_config(
        tmp_path,
        book=Book("Collected", subtitle="Sub", identifier="urn:isbn:9780000000000", language="ar"),
        volumes=Volumes(by_year=True),
        group=Grouping(("month",)),
        front=Front(cover=tmp_path / "cover.jpg", imprint=Imprint("An archive", None)),
        back_matter=("contributors",),
    )
    made = pipeline.make_volumes(cfg, [article(1, year=2016), article(2, year=2017), article(3, year=2017)])
    assert [v.edition.title for v in made] == ["Collected, 2016", "Collected, 2017"]
    assert [(v.edition.series, v.edition.series_position) for v in made] == [("Collected", 1), ("Collected", 2)]
    assert all(v.edition.subtitle == "Sub" and v.edition.language == "ar" for v in made)
    ids = [v.edition.identifier for v in made]
    assert len(set(ids)) == 2 and all(re.fullmatch(r"urn:uuid:[0-9a-f-]{36}", i) for i in ids)
    assert [v.edition.provenance for v in made] == [
        (("Source archive", "An archive"), ("Articles", "1"), ("Built", "14 November 2023")),
        (("Source archive", "An archive"), ("Articles", "2"), ("Built", "14 November 2023")),
    ]
    assert made[1].edition.back_matter == ("contributors",)
    assert made[0].edition.cover == made[1].edition.cover == str(tmp_path / "cover.jpg")
    assert [s.title for s in made[1].edition.sections] == ["January 2017"]
    assert [v.targets for v in made] == [
        {"epub": tmp_path / "out" / "collected-vol1.epub"}, {"epub": tmp_path / "out" / "collected-vol2.epub"}]


def test_a_book_not_cut_keeps_its_title_series_and_file(tmp_path):
    cfg = edition_config(tmp_path, book=Book("Collected", series="Shelf", series_position=4))
    [only] = pipeline.make_volumes(cfg, [article(1)], formats=("epub", "pdf"))
    assert (only.number, only.edition.title) == (None, "Collected")
    assert (only.edition.series, only.edition.series_position) == ("Shelf", 4)
    assert only.edition.provenance == ()
    assert only.targets == {"epub": tmp_path / "out" / "collected.epub", "pdf": tmp_path / "out" / "collected.pdf"}


def test_output_override_is_a_stem_or_a_folder(tmp_path):
    cfg = edition_config(tmp_path, volumes=Volumes(max_articles=1))
    made = pipeline.make_volumes(cfg, [article(1), article(2)], output=tmp_path / "books" / "mine.epub")
    assert [v.targets["epub"] for v in made] == [tmp_path / "books" / "mine-vol1.epub", tmp_path / "books" / "mine-vol2.epub"]
    made = pipeline.make_volumes(cfg, [article(1)], output=tmp_path)
    assert made[0].targets["epub"] == tmp_path / "collected-vol1.epub"


def test_links_lead_inside_a_volume_and_to_the_web_across_volumes(tmp_path):
    first, second = article(1, year=2016), article(2, year=2017)
    third = article(3, year=2017, body=(Paragraph(f'See <a href="{first.url}">one</a> and <a href="{second.url}">two</a>.'),))
    made = pipeline.make_volumes(edition_config(tmp_path, volumes=Volumes(by_year=True)), [first, second, third])
    text = made[1].edition.articles[1].body[0].text
    assert f'href="{first.url}"' in text and 'href="story-2.xhtml"' in text


def test_build_edition_from_a_file_writes_each_volume(tmp_path, epubcheck):
    stages = []
    results = deeplybook.build_edition(EDITIONS / "chronicle.toml", output=tmp_path / "chronicle",
                                       progress=lambda stage, done, total: stages.append((stage, done, total)))
    titles = [r.edition.title for r in results]
    assert titles == ["A Sample Chronicle, 2016", "A Sample Chronicle, 2017", "A Sample Chronicle, 2018",
                      "A Sample Chronicle, Undated"]
    assert [len(r.edition.articles) for r in results] == [2, 2, 1, 1]
    assert [r.outputs for r in results] == [{"epub": tmp_path / f"chronicle-vol{n}.epub"} for n in range(1, 5)]
    assert stages[-5] == ("read", 6, 6)
    assert [s for s in stages if s[0] == "write"] == [("write", n, 4) for n in range(1, 5)]
    for result in results:
        epubcheck(result.outputs["epub"])
    with zipfile.ZipFile(tmp_path / "chronicle-vol2.epub") as book:
        opf = book.read("EPUB/content.opf").decode()
        names = book.namelist()
        pages = "".join(book.read(n).decode() for n in names if n.endswith(".xhtml"))
    assert "<dc:title>A Sample Chronicle, 2017</dc:title>" in opf
    assert "Sample Chronicles, volume 2" in pages
    assert "Schools Reopen in a Northern Town" in pages and "A Doctor on the Winter Clinics" in pages
    assert "Bakers of the Old Market" not in pages
    assert "About these pages" in pages and "Hand-written test pages" in pages


def test_build_from_a_loaded_config_is_reproducible(tmp_path, epubcheck):
    loaded = config.load(EDITIONS / "chronicle.toml")
    single = dataclasses.replace(loaded, volumes=Volumes())
    [first] = deeplybook.build_edition(single, output=tmp_path / "a")
    [again] = deeplybook.build_edition(single, output=tmp_path / "b")
    assert first.edition.title == "A Sample Chronicle" and len(first.edition.articles) == 6
    assert first.outputs["epub"].read_bytes() == again.outputs["epub"].read_bytes()
    epubcheck(first.outputs["epub"])


def test_no_article_matching_the_selection_is_an_error(tmp_path):
    loaded = config.load(EDITIONS / "chronicle.toml")
    empty = dataclasses.replace(loaded, select=dataclasses.replace(loaded.select, text="no such words anywhere"))
    with pytest.raises(deeplybook.DeeplybookError, match=r"chronicle.toml: none of the 6 articles read matches"):
        deeplybook.build_edition(empty, output=tmp_path / "x")
    assert list(tmp_path.iterdir()) == []


def examples_beside(mirror_root: Path, tmp_path: Path) -> Path:
    """The example edition files in a folder whose ``../../mirror`` is the shared corpus."""
    examples = Path(__file__).parent.parent / "examples" / "editions"
    folder = tmp_path / "examples" / "editions"
    shutil.copytree(examples, folder)
    (tmp_path / "mirror").symlink_to(mirror_root, target_is_directory=True)
    return folder


@pytest.mark.corpus
def test_complete_syria_edition_from_the_example(mirror_root, tmp_path, epubcheck):
    """examples/editions/syria-complete.toml, its mirror path pointed at the shared corpus."""
    folder = examples_beside(mirror_root, tmp_path)
    loaded = config.load(folder / "syria-complete.toml")
    results = deeplybook.build_edition(loaded, formats=("epub",), cache=False)
    years = [r.edition.title.rsplit(", ", 1)[1] for r in results]
    assert years == [str(year) for year in range(2012, 2012 + len(results))]
    assert 2000 < sum(len(r.edition.articles) for r in results) < 3500
    assert [r.edition.series_position for r in results] == list(range(1, len(results) + 1))
    assert all(r.edition.foreword and r.edition.back_matter == ("contributors", "topics", "sources") for r in results)
    assert [r.outputs["epub"].name for r in results] == [
        f"syria-deeply-complete-vol{n}.epub" for n in range(1, len(results) + 1)]
    for result in results:
        assert result.outputs["epub"].parent == tmp_path / "build"
        epubcheck(result.outputs["epub"])


@pytest.mark.corpus
def test_example_editions_choose_what_they_say(mirror_root, tmp_path):
    folder = examples_beside(mirror_root, tmp_path)
    interviews = config.load(folder / "syria-interviews.toml")
    deir_ezzor = config.load(folder / "syria-deir-ezzor-2017.toml")
    articles = deeplybook.read(interviews.sources.paths, reader=interviews.sources.reader)
    chosen = select(articles, interviews.select)
    assert len(chosen) > 20 and all(a.kind is Kind.QA for a in chosen)
    chosen = select(articles, deir_ezzor.select)
    assert 10 < len(chosen) < 200
    for found in chosen:
        assert found.date.year == 2017 and found.kind is not Kind.BRIEFING
        assert "deir ezzor" in " ".join(searchable_text(found).casefold().split())
