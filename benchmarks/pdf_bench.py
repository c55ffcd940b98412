"""Benchmark the chunked PDF writer against one WeasyPrint document: wall time, peak memory, pages.

    python benchmarks/pdf_bench.py 100                    # 100 seed-sized articles
    python benchmarks/pdf_bench.py 1000 --jobs 2
    python benchmarks/pdf_bench.py 100 --mirror MIRROR/syria [--skip 1000]   # real articles

Each render runs in a fresh child process; this process samples the resident
memory and CPU time of that child and all its descendants (the render workers)
every 50 ms, so "peak" is the largest total the whole process tree held at once.
``--verify`` reads each PDF back and counts the contents entries whose printed
number is the page their title starts on. Seed-sized
articles are the bundled sample article's paragraphs shuffled, N times over.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import measure as measure_tools  # noqa: E402  (a sibling module, not a package)

MODES = ("chunked", "one-document")
_PAGE = os.sysconf("SC_PAGE_SIZE")
_TICKS = os.sysconf("SC_CLK_TCK")


def seed_edition(count: int):
    """An edition of ``count`` seed-sized articles, grouped by year, the way the baseline made them."""
    import datetime as dt

    import deeplybook
    from deeplybook.model import Paragraph
    from deeplybook.sample import sample_path

    seed = next(iter(deeplybook.read([sample_path()])))
    paragraphs = [block for block in seed.body if isinstance(block, Paragraph)]
    shuffler = random.Random(20171110)
    start = dt.datetime(2013, 1, 1, tzinfo=dt.timezone.utc)
    articles = []
    for n in range(count):
        body = list(seed.body)
        order = paragraphs[:]
        shuffler.shuffle(order)
        body = [order.pop() if isinstance(block, Paragraph) else block for block in body]
        articles.append(replace(seed, title=f"{seed.title} ({n + 1})", body=tuple(body),
                                date=start + dt.timedelta(days=2 * n), slug="", url=f"{seed.url}?copy={n + 1}"))
    return deeplybook.make_edition(articles, title="Seed benchmark", group_by=["year"])


def real_edition(mirror: Path, count: int, skip: int):
    """An edition of ``count`` real articles from the mirror, oldest first, after the first ``skip``."""
    import deeplybook

    everything = deeplybook.make_edition(deeplybook.read([mirror]), title="Syria Deeply")
    chosen = everything.articles[skip:skip + count]
    return deeplybook.make_edition(chosen, title="Syria Deeply", group_by=["year"])


def run_child(args: argparse.Namespace) -> None:
    """Build the edition, write the PDF once in the asked mode to ``--out``, print the figures as JSON."""
    from deeplybook.writers.pdf import write_pdf

    stages = logging.StreamHandler(sys.stderr)
    stages.setFormatter(logging.Formatter("      %(message)s"))
    logger = logging.getLogger("deeplybook")
    logger.setLevel(logging.INFO)
    logger.addHandler(_StagesOnly(stages))
    edition = real_edition(Path(args.mirror), args.count, args.skip) if args.mirror else seed_edition(args.count)
    started = time.perf_counter()
    write_pdf(edition, args.out, one_document=args.child == "one-document", jobs=args.jobs, chunk_size=args.chunk_size)
    seconds = time.perf_counter() - started
    own_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"seconds": seconds, "articles": len(edition.articles), "main_peak": own_peak}))


class _StagesOnly(logging.Handler):
    """Passes on the writer's "PDF: ..." stage timings and nothing else (readers warn a lot)."""

    def __init__(self, target: logging.Handler) -> None:
        super().__init__(logging.INFO)
        self.target = target

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().startswith("PDF"):
            self.target.handle(record)


def _letters(text: str) -> str:
    return re.sub(r"[^0-9a-z]+", "", text.lower())


def verify(path: Path) -> tuple[int, int]:
    """How many contents entries print the page where their title starts, of how many.

    Read back from the finished PDF: each bookmark's title is found in the contents
    text with the number after it; an entry is right when its title is on the page
    that number names and not on the page before (where a late number would find it).
    """
    from pypdf import PdfReader

    reader = PdfReader(path)
    titles: list[str] = []

    def walk(items) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                titles.append(item.title)

    walk(reader.outline)
    contents = []
    for page in reader.pages[1:]:
        text = page.extract_text() or ""
        if ". . ." not in text and contents:
            break
        contents.append(text)
    text = "\n".join(contents)
    # Each entry is its title (wrapped between words or after a hyphen), dotted
    # leaders, then its number.
    numbers: list[int] = []
    position = 0
    for title in titles:
        words = (re.escape(word).replace(r"\-", r"-\s*") for word in title.split())
        pattern = r"\s*".join(words) + r"[\s.]*?(\d+)(?!\d)"
        match = re.compile(pattern).search(text, position)
        numbers.append(int(match.group(1)) if match else 0)
        position = match.end() if match else position
    texts: dict[int, str] = {}

    def page(number: int) -> str:
        if number not in texts:
            texts[number] = _letters(reader.pages[number - 1].extract_text() or "") if 0 < number <= len(reader.pages) else ""
        return texts[number]

    right = sum(1 for title, number in zip(titles, numbers)
                if _letters(title) in page(number) and _letters(title) not in page(number - 1))
    return right, len(titles)


def tree_usage(root: int) -> tuple[int, dict[int, float]]:
    """Resident bytes of process ``root`` and all its descendants, and each one's CPU seconds so far."""
    cpu = {pid: (int(fields[11]) + int(fields[12])) / _TICKS for pid, fields in measure_tools.process_tree(root).items()}
    return measure_tools.tree_rss(root), cpu


def measure(mode: str, args: argparse.Namespace, out: Path) -> dict:
    """Run one mode in a child process; return its figures with the tree's peak memory and CPU time.

    The PDF is read back here, after the child has ended, so that reading it
    counts in no figure.
    """
    from pypdf import PdfReader

    command = [sys.executable, __file__, str(args.count), "--child", mode, "--skip", str(args.skip), "--out", str(out)]
    if args.mirror:
        command += ["--mirror", str(args.mirror)]
    if args.jobs:
        command += ["--jobs", str(args.jobs)]
    if args.chunk_size:
        command += ["--chunk-size", str(args.chunk_size)]
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    peak = 0
    cpu: dict[int, float] = {}
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            rss, seconds = tree_usage(child.pid)
            peak = max(peak, rss)
            cpu.update(seconds)
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output, _ = child.communicate()
    done.set()
    sampler.join()
    if child.returncode != 0:
        raise SystemExit(f"{mode} render failed (exit {child.returncode})")
    figures = json.loads(output.strip().splitlines()[-1])
    figures["process_seconds"] = time.perf_counter() - started
    figures["cpu_seconds"] = sum(cpu.values())
    figures["peak_mb"] = peak / 1e6
    figures["pages"] = len(PdfReader(out).pages)
    figures["bytes"] = out.stat().st_size
    figures["right"], figures["total"] = verify(out) if args.verify else (None, None)
    return figures


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int, help="how many articles")
    parser.add_argument("--mirror", type=Path, help="a News Deeply site folder: use its real articles")
    parser.add_argument("--skip", type=int, default=0, help="real articles to pass over first (oldest first)")
    parser.add_argument("--jobs", type=int, help="worker processes for the chunked render (default: all cores)")
    parser.add_argument("--chunk-size", type=int, help="articles per chunk (default: automatic)")
    parser.add_argument("--modes", default=",".join(MODES), help="which renders to run, comma separated")
    parser.add_argument("--verify", action="store_true",
                        help="read each PDF back and count contents numbers that name the right page")
    parser.add_argument("--child", choices=MODES, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        run_child(args)
        return

    if args.mirror and not (Path(__file__).resolve().parent.parent / "deeplybook" / "readers" / "newsdeeply").is_dir():
        raise SystemExit("real articles need the News Deeply reader (deeplybook/readers/newsdeeply/)")
    work = f"{args.count} {'real' if args.mirror else 'seed-sized'} articles"
    print(f"PDF benchmark: {work}, {os.cpu_count()} cores, jobs={args.jobs or os.cpu_count()}")
    results = {}
    for mode in args.modes.split(","):
        with tempfile.TemporaryDirectory() as folder:
            results[mode] = figures = measure(mode, args, Path(folder) / f"{mode}.pdf")
        print(f"  {mode:13} {figures['seconds']:7.1f} s writing ({figures['process_seconds']:6.1f} s process,"
              f" {figures['cpu_seconds']:6.1f} s CPU)"
              f"  peak {figures['peak_mb']:6.0f} MB (main process {figures['main_peak'] / 1e6:4.0f} MB)"
              f"  {figures['pages']:5d} pages  {figures['bytes'] / 1e6:6.1f} MB file")
        if figures["total"] is not None:
            print(f"  {'':13} contents numbers right: {figures['right']} of {figures['total']}")
    if set(MODES) <= results.keys():
        chunked, single = results["chunked"], results["one-document"]
        print(f"  one-document / chunked: time x{single['seconds'] / chunked['seconds']:.2f}, "
              f"CPU x{single['cpu_seconds'] / chunked['cpu_seconds']:.2f}, "
              f"peak memory x{single['peak_mb'] / chunked['peak_mb']:.2f}")


if __name__ == "__main__":
    main()
