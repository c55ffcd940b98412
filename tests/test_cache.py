"""The cache: unchanged pages are not parsed again; any change to a page makes a new entry."""

from pathlib import Path

from deeplybook import readers
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
