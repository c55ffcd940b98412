"""The edit loop: a folder read again with nothing changed comes from its manifest, an unchanged book from the cache."""

from __future__ import annotations

import builtins
import importlib.util
import io
import os
import shutil
from pathlib import Path

import pytest
from PIL import Image as PILImage

from deeplybook import pipeline, readers
from deeplybook.cache import Cache
from deeplybook.log import counting_warnings
from deeplybook.readers import manifest
from deeplybook.writers import epub as epub_writer


def _sample_mirror():
    """tests/readers/sample_mirror.py, loaded by its path: the sample site dressed with HTTrack's stamps."""
    spec = importlib.util.spec_from_file_location("edit_loop_sample_mirror",
                                                  Path(__file__).parent / "readers" / "sample_mirror.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


sample_mirror = _sample_mirror()
DAMS = Path("water") / "articles" / "2017" / "03" / "02" / "dams-on-the-river.html"
TALK = Path("water") / "community" / "2017" / "04" / "10" / "a-talk-with-a-hydrologist.html"


@pytest.fixture
def mirror(tmp_path) -> Path:
    """A copy of the sample mirror that a test may change between reads."""
    copy = tmp_path / "mirror"
    shutil.copytree(sample_mirror.root(), copy, symlinks=True)
    return copy


def read(folder: Path, cache_root: Path):
    """The articles, the report and the warnings of one read through a cache at ``cache_root``."""
    report = readers.ReadReport()
    cache = Cache(cache_root)
    with counting_warnings() as warned:
        articles = list(readers.read([folder], report=report, cache=cache))
    return articles, report, warned.records, cache


def rewrite(path: Path, old: str, new: str) -> None:
    """Change the page's text and move its modification time on, as an editor saving it would."""
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new), "utf-8")
    info = path.stat()
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns + 1_000_000_000))


def test_a_warm_read_opens_no_page_and_gives_what_the_cold_read_gave(mirror, tmp_path, monkeypatch):
    cold, cold_report, cold_warnings, _ = read(mirror, tmp_path / "cache")
    opened: list[str] = []
    real_os_open, real_open = os.open, io.open

    def os_open(path, *args, **kwargs):
        opened.append(os.fspath(path))
        return real_os_open(path, *args, **kwargs)

    def io_open(file, *args, **kwargs):
        if isinstance(file, (str, os.PathLike)):
            opened.append(os.fspath(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(os, "open", os_open)
    monkeypatch.setattr(io, "open", io_open)
    monkeypatch.setattr(builtins, "open", io_open)
    warm, warm_report, warm_warnings, cache = read(mirror, tmp_path / "cache")
    monkeypatch.undo()
    assert warm == cold and len(warm) == 7
    assert warm_report == cold_report and warm_warnings == cold_warnings
    assert not [path for path in opened if path.startswith(str(mirror))]
    assert cache.hits == 1 and cache.misses == 0  # the folder's entry, and no page's


def test_an_edited_page_is_read_again(mirror, tmp_path):
    read(mirror, tmp_path / "cache")
    rewrite(mirror / DAMS, "Divide Two Valleys</h1>", "Join Two Valleys</h1>")
    titles = {a.title for a in read(mirror, tmp_path / "cache")[0]}
    assert "Dams on the River Join Two Valleys" in titles
    assert "Dams on the River Divide Two Valleys" not in titles


def test_a_deleted_page_is_gone_and_a_new_page_appears(mirror, tmp_path):
    read(mirror, tmp_path / "cache")
    (mirror / TALK).unlink()
    new = mirror / "water" / "articles" / "2017" / "10" / "01" / "a-new-dam.html"
    new.parent.mkdir(parents=True)
    new.write_text((mirror / DAMS).read_text("utf-8").replace("Divide Two Valleys", "Is Finished"), "utf-8")
    sources = {str(a.source): a.title for a in read(mirror, tmp_path / "cache")[0]}
    assert sources.get(str(new)) == "Dams on the River Is Finished"
    assert str(mirror / TALK) not in sources


def test_a_page_swapped_for_a_link_leading_out_is_refused_on_the_warm_path(mirror, tmp_path):
    read(mirror, tmp_path / "cache")
    outside = tmp_path / "outside.html"
    shutil.copy(mirror / DAMS, outside)
    rewrite(outside, "Divide Two Valleys</h1>", "From Outside</h1>")
    (mirror / DAMS).unlink()
    (mirror / DAMS).symlink_to(outside)
    articles, _, warned, _ = read(mirror, tmp_path / "cache")
    assert (("file-refused", f"{mirror / DAMS}: lies outside the files and folders given to the build "
                              f"({outside}); not read [file-refused]") in warned)
    assert "Dams on the River From Outside" not in {a.title for a in articles}
    assert str(mirror / DAMS) not in {str(a.source) for a in articles}


def test_a_picture_swapped_for_a_link_leading_out_is_refused_on_the_warm_path(mirror, tmp_path):
    site = mirror / "water"  # given alone: its pictures come from the mirror around it
    cold = read(site, tmp_path / "cache")[0]
    picture = mirror / "uploads" / "map.png"
    assert str(picture) in {f.image.path for a in cold for f in _figures(a) if f.image}
    outside = tmp_path / "map.png"
    shutil.copy(picture, outside)
    picture.unlink()
    picture.symlink_to(outside)
    warm, _, warned, _ = read(site, tmp_path / "cache")
    assert not {f.image.path for a in warm for f in _figures(a) if f.image} & {str(picture), str(outside)}
    assert any(code == "file-refused" and str(picture) in message for code, message in warned)


def test_the_signature_changes_with_any_entry_and_only_then(mirror):
    roots = (str(mirror),)
    first = manifest.folder_signature(mirror, roots)
    assert manifest.folder_signature(mirror, roots) == first
    (mirror / DAMS).touch()
    touched = manifest.folder_signature(mirror, roots)
    assert touched != first
    (mirror / "water" / "notes").mkdir()
    assert manifest.folder_signature(mirror, roots) != touched


def _figures(article):
    return ([article.lead] if article.lead else []) + [b for b in article.body if type(b).__name__ == "Figure"]


def build(folder: Path, out: Path, cache_root: Path) -> bytes:
    """The bytes of the EPUB of ``folder`` built through the cache at ``cache_root``."""
    result = pipeline.build([folder], out / "book", title="Edit loop", formats=["epub"], cache=Cache(cache_root))
    return result.outputs["epub"].read_bytes()


@pytest.fixture
def renders(monkeypatch) -> list[Path]:
    """The EPUBs the writer really packs from now on (its last step, once a book)."""
    packed: list[Path] = []
    real = epub_writer._repack

    def repack(*args, **kwargs):
        packed.append(args[0] if args else None)
        return real(*args, **kwargs)

    monkeypatch.setattr(epub_writer, "_repack", repack)
    return packed


def test_an_unchanged_book_is_copied_and_a_changed_picture_is_rendered_again(mirror, tmp_path, monkeypatch, renders):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    cold = build(mirror, tmp_path / "one", tmp_path / "cache")
    assert len(renders) == 1
    assert build(mirror, tmp_path / "two", tmp_path / "cache") == cold
    assert len(renders) == 1  # copied, not rendered
    picture = mirror / "uploads" / "map.png"
    with PILImage.open(picture) as shown:
        shown.rotate(90, expand=True).save(picture)
    changed = build(mirror, tmp_path / "three", tmp_path / "cache")
    assert len(renders) == 2 and changed != cold


def test_the_build_time_is_in_the_key_only_when_it_is_set(mirror, tmp_path, monkeypatch, renders):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    first = build(mirror, tmp_path / "one", tmp_path / "cache")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    assert build(mirror, tmp_path / "two", tmp_path / "cache") != first
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    unset = build(mirror, tmp_path / "three", tmp_path / "cache")
    assert build(mirror, tmp_path / "four", tmp_path / "cache") == unset
    assert len(renders) == 3  # the fourth book is the third's, copied


def test_a_read_that_ran_out_of_time_is_not_kept(mirror, tmp_path, monkeypatch):
    from deeplybook.inputs import Refused
    from deeplybook.readers.newsdeeply import mirror as mirror_walk

    parse = mirror_walk.parse_page

    def slow(data, path):
        if Path(path) == mirror / DAMS:
            raise Refused("reading took longer than 30 s; left out", path, code="read-timeout")
        return parse(data, path)

    monkeypatch.setattr(mirror_walk, "parse_page", slow)
    first = read(mirror, tmp_path / "cache")
    assert str(mirror / DAMS) not in {str(a.source) for a in first[0]}
    assert any(code == "read-timeout" for code, _ in first[2])
    monkeypatch.setattr(mirror_walk, "parse_page", parse)
    again = read(mirror, tmp_path / "cache")[0]
    assert str(mirror / DAMS) in {str(a.source) for a in again}


def test_a_few_changed_pages_are_read_again_without_a_pool_and_many_with_one(mirror, tmp_path, monkeypatch):
    from deeplybook.readers import pool

    pools: list[int] = []

    def supervised(task, items, report, jobs, notes):
        pools.append(len(items))  # the pool's own start, replaced: the test only asks whether it was wanted
        for item in items:
            yield from task(item, report)

    monkeypatch.setattr(pool, "POOL_THRESHOLD", 2)
    monkeypatch.setattr(pool, "_supervised", supervised)
    read(mirror, tmp_path / "cache")
    assert len(pools) == 1  # a first read: every page to parse
    rewrite(mirror / DAMS, "Divide Two Valleys</h1>", "Join Two Valleys</h1>")
    titles = {a.title for a in read(mirror, tmp_path / "cache")[0]}
    assert "Dams on the River Join Two Valleys" in titles and len(pools) == 1
    rewrite(mirror / DAMS, "Join Two Valleys</h1>", "Part Two Valleys</h1>")
    rewrite(mirror / TALK, "<title>", "<title>Again: ")
    titles = {a.title for a in read(mirror, tmp_path / "cache")[0]}
    assert "Dams on the River Part Two Valleys" in titles and len(pools) == 2


def test_a_site_folder_whose_mirror_page_is_gone_loses_the_mirror_pictures_on_the_warm_path(mirror, tmp_path):
    site = mirror / "water"  # its pictures may come from the mirror only while water.html lies beside it
    picture = str(mirror / "uploads" / "map.png")
    assert picture in {f.image.path for a in read(site, tmp_path / "cache")[0] for f in _figures(a) if f.image}
    (mirror / "water.html").unlink()
    warm, _, warned, _ = read(site, tmp_path / "cache")
    assert picture not in {f.image.path for a in warm for f in _figures(a) if f.image}
    assert any(code == "file-refused" and picture in message for code, message in warned)
