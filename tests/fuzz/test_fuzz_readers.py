"""Fuzzing the readers: damaged and made-up pages, front matter and WARC files end as articles, Skip or our errors."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fuzzing import (
    ANY_INPUT,
    FORBIDDEN,
    OPERATIONS,
    SAMPLES,
    front_matter_files,
    fuzz_settings,
    inline_strings_of,
    made_up_pages,
    mutate,
    mutated_samples,
    strings_of,
    warc_files,
    workspace,
)
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

import deeplybook
from deeplybook.errors import DeeplybookError
from deeplybook.model import Article
from deeplybook.readers import Skip, read_file
from deeplybook.sanitize import INLINE_TAGS


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return workspace(tmp_path_factory.mktemp("fuzz-readers"))


def read_one(folder, sample) -> list[Article]:
    """``read_file`` on the sample written into ``folder``: articles, or nothing for Skip and our own errors."""
    name, data = sample
    path = folder / name
    path.write_bytes(data)
    try:
        articles = read_file(path)
    except (Skip, DeeplybookError):
        return []
    finally:
        path.unlink()
    for article in articles:
        assert isinstance(article, Article)
        assert article.title.strip(), "an article without a title"
        bad = [text for text in strings_of(article) if FORBIDDEN.search(text)]
        assert not bad, f"characters XML forbids reach the article: {bad[:3]!r}"
        for inline in inline_strings_of(article):
            fragment = etree.fromstring(f"<p>{inline}</p>")  # raises unless well-formed
            assert {element.tag for element in fragment.iter()} <= {"p", *INLINE_TAGS} - {"b", "i"}, inline
    return articles


@fuzz_settings(120)
@given(sample=mutated_samples())
def test_damaged_sample_pages(folder, sample):
    read_one(folder, sample)


@fuzz_settings(80)
@given(page=made_up_pages())
def test_made_up_html(folder, page):
    read_one(folder, page)


@fuzz_settings(80)
@given(document=front_matter_files())
def test_front_matter_headers(folder, document):
    read_one(folder, document)


@fuzz_settings(60)
@given(archive=warc_files())
def test_warc_files(folder, archive):
    read_one(folder, archive)


@fuzz_settings(12, share=0.2)
@given(samples=st.lists(ANY_INPUT, min_size=1, max_size=4))
def test_reading_a_folder_of_them_raises_nothing(tmp_path_factory, samples):
    """``deeplybook.read`` reports each bad file and goes on: nothing at all escapes it."""
    folder = workspace(tmp_path_factory.mktemp("fuzz-folder"))
    for number, (name, data) in enumerate(samples):
        (folder / f"{number}-{name}").write_bytes(data)
    articles = deeplybook.read([folder], cache=False)
    assert all(isinstance(article, Article) for article in articles)


MIRROR = SAMPLES / "newsdeeply" / "site"
MIRROR_PAGES = sorted(path.relative_to(MIRROR).as_posix() for path in MIRROR.rglob("*.html"))


def titles_by_page(site, articles) -> dict[str, str]:
    return {Path(article.source).relative_to(site).as_posix(): article.title for article in articles}


@pytest.fixture(scope="module")
def clean_mirror() -> dict[str, str]:
    return titles_by_page(MIRROR, deeplybook.read([MIRROR], cache=False))


@fuzz_settings(10, share=0.1)
@given(damage=st.lists(st.tuples(st.sampled_from(MIRROR_PAGES), OPERATIONS), min_size=1, max_size=4))
def test_a_mirror_with_damaged_pages_loses_only_those(tmp_path_factory, clean_mirror, damage):
    """The News Deeply mirror walk: damaged pages are reported or read, and every other article is still there."""
    site = tmp_path_factory.mktemp("fuzz-mirror") / "site"
    shutil.copytree(MIRROR, site)
    for page, operations in damage:
        (site / page).write_bytes(mutate((site / page).read_bytes(), operations))
    articles = deeplybook.read([site], cache=False)
    assert all(isinstance(article, Article) for article in articles)
    damaged = {page for page, _ in damage}
    # A damaged page may now be taken for a copy of another page, or win over one: those are left aside.
    damaged_titles = {clean_mirror[page] for page in damaged if page in clean_mirror}
    read = titles_by_page(site, articles)
    for page, title in clean_mirror.items():
        if page not in damaged and title not in damaged_titles:
            assert read.get(page) == title, f"{page} was lost because other pages were damaged"
