"""The rebuild benchmark: how long `make-ebook` takes again after one article of N changed.

    python benchmarks/rebuild_bench.py MIRROR/syria --count 1000

It copies the N oldest article pages of the mirror into a scratch mirror, builds EPUB
and PDF with an empty cache (the full time), changes a word in the body of one
article, builds again (the rebuild), and builds once more with nothing changed.
Each build is `make-ebook` in a fresh process, measured like the archive benchmark.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import measure  # noqa: E402  (a sibling module, not a package)


def scratch_mirror(site: Path, count: int, folder: Path) -> list[Path]:
    """Copy the ``count`` oldest articles' pages of ``site`` into ``folder``, keeping their paths."""
    import deeplybook
    from deeplybook.model import Kind

    chosen = [a for a in deeplybook.read([site]) if a.kind is not Kind.BRIEFING][:count]
    copies = []
    for article in chosen:
        source = Path(article.source)
        target = folder / site.name / source.relative_to(site)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        copies.append(target)
    return copies


def change_one_word(page: Path) -> None:
    """Change one word of the article body, as an editor fixing a typo would."""
    text = page.read_text("utf-8")
    body = text.index('itemprop="articleBody"')
    at = text.index(" the ", body)
    page.write_text(text[:at] + " THE " + text[at + 5:], "utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mirror", type=Path, help="a News Deeply site folder (e.g. mirror/syria)")
    parser.add_argument("--count", type=int, default=1000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        pages = scratch_mirror(args.mirror, args.count, work / "mirror")
        env = {**os.environ, "DEEPLYBOOK_CACHE": str(work / "cache"), "SOURCE_DATE_EPOCH": "1700000000"}
        command = [sys.executable, "-m", "deeplybook.cli", str(work / "mirror" / args.mirror.name),
                   "-o", str(work / "out" / "book"), "--title", "Rebuild benchmark", "--group-by", "year", "-q"]
        print(f"rebuild benchmark: {len(pages)} articles, EPUB and PDF, {os.cpu_count()} cores")
        full = measure.run(command, env=env)
        print(f"  full build, empty cache  {full.seconds:7.1f} s  peak {full.peak_mb:6.0f} MB")
        change_one_word(pages[len(pages) // 2])
        changed = measure.run(command, env=env)
        print(f"  one article changed      {changed.seconds:7.1f} s  peak {changed.peak_mb:6.0f} MB"
              f"  ({100 * changed.seconds / full.seconds:.0f}% of the full build)")
        same = measure.run(command, env=env)
        print(f"  nothing changed          {same.seconds:7.1f} s  peak {same.peak_mb:6.0f} MB"
              f"  ({100 * same.seconds / full.seconds:.0f}% of the full build)")


if __name__ == "__main__":
    main()
