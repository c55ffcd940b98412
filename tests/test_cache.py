"""The cache: unchanged pages are not parsed again; any change to a page makes a new entry."""

import io
import os
import pickle
import stat
import threading
from pathlib import Path

import pikepdf

from deeplybook import pipeline, readers
from deeplybook.cache import Cache, key
from deeplybook.log import counting_warnings

SAMPLE = Path(__file__).resolve().parent.parent / "examples" / "syria-deeply-boukamal.txt"


class CountingReader:
    """A reader that counts how often it really reads, and warns once per read."""

    NAME = "counting"

    def __init__(self, inner):
        self.inner = inner
        self.reads = 0

    def sniff(self, path, head):
        return 100

    def read(self, path):
        self.reads += 1
        from deeplybook.log import warn
        warn("date-unparsed", "no date in this page", path)
        return self.inner.read(path)


def test_unchanged_file_is_read_once_and_its_warnings_come_again(tmp_path, monkeypatch):
    page = tmp_path / "page.txt"
    page.write_bytes(SAMPLE.read_bytes())
    counting = CountingReader(readers.get("plaintext"))
    monkeypatch.setattr(readers, "available", lambda: {"counting": counting})
    cache = Cache(tmp_path / "cache")
    first = list(readers.read([page], cache=cache))
    with counting_warnings() as warnings:
        second = list(readers.read([page], cache=cache))
    assert counting.reads == 1 and first == second and cache.hits == 1
    assert warnings.counts == {"date-unparsed": 1}

    page.write_bytes(SAMPLE.read_bytes().replace(b"Boukamal", b"Abu Kamal"))
    third = list(readers.read([page], cache=cache))
    assert counting.reads == 2 and "Abu Kamal" in third[0].title

    list(readers.read([page], cache=Cache(tmp_path / "cache", enabled=False)))
    assert counting.reads == 3


def test_keys_separate_their_parts_and_clear_empties(tmp_path):
    assert key("ab", "c") != key("a", "bc")
    cache = Cache(tmp_path / "c")
    cache.put("x", key("one"), b"data")
    assert cache.get("x", key("one")) == b"data"
    cache.clear()
    assert cache.get("x", key("one")) is None
    cache.put("x", "ab" * 32, b"not a pickle")
    assert cache.get_object("x", "ab" * 32) is None


SAMPLES = Path(__file__).resolve().parent / "samples"
BOOK_INPUTS = [SAMPLES / "plaintext", SAMPLES / "frontmatter"]


def _entries(cache_root, namespace):
    return sorted(p for p in (cache_root / namespace).rglob("*") if p.is_file())


def _build(out, cache, formats=("epub",)):
    result = pipeline.build(BOOK_INPUTS, out, title="Signed", formats=list(formats), pdf_options={"jobs": 1},
                            cache=cache)
    return {fmt: path.read_bytes() for fmt, path in result.outputs.items()}


def _rewrite_payload(path, change):
    """Unpickle the entry's payload, ``change`` it and store it back where it was, the bytes before it kept."""
    data = path.read_bytes()
    start = data.index(b"\x80\x05\x95")  # pickle protocol 5 opens with PROTO 5 and a FRAME
    path.write_bytes(data[:start] + pickle.dumps(change(pickle.loads(data[start:])), protocol=5))


class _Touch:
    """Unpickling this creates a file: what an attacker would put in a cache entry."""

    def __init__(self, target):
        self.target = target

    def __reduce__(self):
        return (os.system, (f"touch {self.target}",))


def test_every_sample_page_comes_back_from_the_cache(tmp_path):
    cache = Cache(tmp_path / "cache")
    paths = [SAMPLES / "plaintext", SAMPLES / "frontmatter", SAMPLES / "generic", SAMPLES / "newsdeeply"]
    first = list(readers.read(paths, cache=cache))
    again = Cache(tmp_path / "cache")
    assert list(readers.read(paths, cache=again)) == first
    assert again.misses == 0 and again.hits == len(_entries(tmp_path / "cache", "articles"))


def test_an_edited_entry_is_a_miss_and_the_book_is_the_clean_one(tmp_path):
    clean = _build(tmp_path / "clean", False)
    cache = tmp_path / "cache"
    assert _build(tmp_path / "first", Cache(cache)) == clean
    edited = 0
    for entry in _entries(cache, "articles"):
        data = entry.read_bytes()
        if b"Basement" in data:  # one byte of a title: the entry still unpickles, to a different article
            entry.write_bytes(data.replace(b"Basement", b"Basemenx"))
            edited += 1
    assert edited == 1
    with counting_warnings() as warnings:
        assert _build(tmp_path / "again", Cache(cache)) == clean
    assert warnings.counts["cache-damaged"] == 1


def test_a_poisoned_entry_runs_nothing(tmp_path):
    clean = _build(tmp_path / "clean", False)
    cache = tmp_path / "cache"
    _build(tmp_path / "first", Cache(cache))
    target = tmp_path / "pwned"
    for entry in _entries(cache, "articles"):
        _rewrite_payload(entry, lambda stored: (stored[0], [_Touch(target)], stored[2]))
    assert _build(tmp_path / "again", Cache(cache)) == clean
    assert not target.exists()


def test_a_truncated_foreign_or_moved_entry_is_a_miss(tmp_path):
    cache = Cache(tmp_path / "cache", key_file=tmp_path / "key")
    cache.put("x", "ab" * 32, b"payload")
    path = cache._path("x", "ab" * 32)
    whole = path.read_bytes()
    path.write_bytes(whole[:-1])
    assert Cache(tmp_path / "cache", key_file=tmp_path / "key").get("x", "ab" * 32) is None
    path.write_bytes(whole)
    assert Cache(tmp_path / "cache", key_file=tmp_path / "key").get("x", "ab" * 32) == b"payload"
    assert Cache(tmp_path / "cache", key_file=tmp_path / "other-key").get("x", "ab" * 32) is None
    moved = cache._path("x", "cd" * 32)
    moved.parent.mkdir(parents=True)
    moved.write_bytes(whole)
    assert Cache(tmp_path / "cache", key_file=tmp_path / "key").get("x", "cd" * 32) is None


def test_an_edited_pdf_part_is_rendered_again(tmp_path):
    clean = _build(tmp_path / "clean", False, formats=("pdf",))
    cache = tmp_path / "cache"
    assert _build(tmp_path / "first", Cache(cache), formats=("pdf",)) == clean
    parts = _entries(cache, "pdf-parts")
    assert parts

    def move_anchors(stored):  # every anchor a point lower: links and page numbers would land elsewhere
        data, pages, anchors, *rest = stored
        return data, pages, {name: (page, x, y + 1.0) for name, (page, x, y) in anchors.items()}, *rest

    for entry in parts:
        _rewrite_payload(entry, move_anchors)
    rebuilt = _build(tmp_path / "again", Cache(cache), formats=("pdf",))
    assert rebuilt == clean
    with pikepdf.open(io.BytesIO(rebuilt["pdf"])) as pdf:
        assert list(pdf.check_pdf_syntax()) == []


def test_the_key_is_made_once_private_and_outside_the_cache(tmp_path, monkeypatch):
    monkeypatch.delenv("DEEPLYBOOK_CACHE_KEY")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    cache = Cache(tmp_path / "cache")
    cache.put("x", "ab" * 32, b"data")
    key = tmp_path / "config" / "deeplybook" / "cache-key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600 and len(key.read_bytes()) == 32
    assert not any(p.name == "cache-key" for p in (tmp_path / "cache").rglob("*"))
    made = key.read_bytes()
    cache.clear()
    assert Cache(tmp_path / "cache").get("x", "ab" * 32) is None and key.read_bytes() == made


def test_a_key_others_may_read_turns_the_cache_off(tmp_path):
    key = tmp_path / "key"
    key.write_bytes(b"k" * 32)
    key.chmod(0o644)
    cache = Cache(tmp_path / "cache", key_file=key)
    with counting_warnings() as warnings:
        cache.put("x", "ab" * 32, b"data")
        assert cache.get("x", "ab" * 32) is None
    assert warnings.counts["cache-damaged"] == 1 and not cache.enabled
    assert not (tmp_path / "cache").exists()


def test_a_fifo_in_the_cache_is_not_opened(tmp_path):
    cache = Cache(tmp_path / "cache")
    path = cache._path("x", "ab" * 32)
    path.parent.mkdir(parents=True)
    os.mkfifo(path)
    answer = []
    reader = threading.Thread(target=lambda: answer.append(cache.get("x", "ab" * 32)), daemon=True)
    reader.start()
    reader.join(60)
    assert answer == [None]
