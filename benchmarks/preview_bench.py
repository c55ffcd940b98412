"""The preview benchmark: how long ``make-ebook serve`` takes to build, and to rebuild after each kind of change.

    python benchmarks/preview_bench.py MIRROR/syria/articles/2017/11

It makes a preview of the folder as ``make-ebook serve FOLDER`` does, with a cache
of its own in a temporary folder, and prints the wall time of: the first build with
the cache empty; the first build again with the cache warm (a restarted server); a
rebuild after a theme file changed (render only); a rebuild after a source file
changed (the sources read again through the cache). No file is edited: the rebuilds
are asked for as the watcher asks, with the path that changed.
"""

from __future__ import annotations

import argparse
import logging
import tempfile
import time
from pathlib import Path

from deeplybook.cache import Cache
from deeplybook.preview import Preview


def _timed(label: str, work):
    start = time.perf_counter()
    result = work()
    print(f"{label:<42} {time.perf_counter() - start:6.2f} s")
    return result


def main() -> None:
    """Measure and print the four figures for the folder given."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="a folder of articles (a part of a mirror)")
    folder = parser.parse_args().folder
    logging.getLogger("deeplybook").setLevel(logging.ERROR)  # the archive's missing pictures, said once each run
    with tempfile.TemporaryDirectory() as scratch:
        cache = Cache(Path(scratch) / "cache", key_file=Path(scratch) / "key")
        site = _timed("first build, empty cache", Preview(folder, cache=cache).build)
        preview = Preview(folder, cache=cache)
        _timed("first build, warm cache", preview.build)
        assert preview.theme is not None
        css = preview.theme.dirs[0] / "css" / "epub.css"
        _timed("theme change (render only)", lambda: preview.changed({css}))
        source = next(path for path in sorted(folder.rglob("*")) if path.is_file())
        _timed("source change (read through the cache)", lambda: preview.changed({source}))
        print(f"{len(site.plan.articles)} articles, {len(site.pages)} pages")


if __name__ == "__main__":
    main()
