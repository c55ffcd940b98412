"""The edit-loop benchmark: `make-ebook list` and an EPUB rebuild with nothing changed, against their cold runs.

    python benchmarks/edit_loop_bench.py MIRROR/syria --runs 3

It writes an edition file for the whole site folder (grouped by month, one volume a
year, EPUB only, as examples/editions/syria-complete.toml) into a scratch folder,
then runs `make-ebook` in a fresh process each time:

1. `list` with an empty cache (cold), then `list` again ``--runs`` times (warm), then
   ``--runs`` times more, each after one article page was edited (a word of its body);
2. `build` with another empty cache (cold), then `build` again ``--runs`` times with
   nothing changed (warm), each warm book compared byte for byte with the cold one
   (``SOURCE_DATE_EPOCH`` is fixed).

The pages are edited in a scratch copy of the site folder (about 420 MB for Syria
Deeply), so the mirror itself is never changed.

Each figure is the wall time and the CPU time (user + system, the process and its
children); of the warm runs the fastest is kept, as the machine may be shared. The
warm figures are also given as a share of the cold ones, and the load average is
printed before each step, so that a figure from a busy machine can be told apart.
"""

from __future__ import annotations

import argparse
import filecmp
import itertools
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

EDITION = """\
[book]
title = "Edit loop benchmark"
language = "en"

[sources]
paths = [{mirror}]
reader = "newsdeeply"

[group]
by = ["month"]
order = "date"

[volumes]
by = "year"

[output]
folder = "books"
stem = "bench"
formats = ["epub"]
"""


@dataclass(frozen=True)
class Timed:
    """One run of a command: wall and CPU seconds."""

    wall: float
    """Seconds from start to exit."""
    cpu: float
    """User and system seconds of the process and every child it waited for."""


def run(command: list[str], env: dict[str, str]) -> Timed:
    """Run ``command`` to its end, its output thrown away; fail loudly if it fails."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command[2:5])} failed (exit {done.returncode}): {done.stderr.strip()[-500:]}")
    return Timed(wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))


def load() -> str:
    """The machine's load averages over 1, 5 and 15 minutes."""
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


def best(runs: list[Timed]) -> Timed:
    """The fastest run by wall time, and the least CPU time of any."""
    return Timed(min(r.wall for r in runs), min(r.cpu for r in runs))


def line(name: str, timed: Timed, cold: Timed | None = None) -> str:
    """One row of the table, with the share of ``cold`` when given."""
    share = f"   {timed.wall / cold.wall:6.1%} of cold wall, {timed.cpu / cold.cpu:6.1%} of cold CPU" if cold else ""
    return f"  {name:<28} {timed.wall:8.2f} s wall {timed.cpu:8.2f} s CPU{share}"


def scratch_copy(site: Path, folder: Path) -> Path:
    """A copy of ``site`` in ``folder``: the pages are edited there, never in the mirror (nor its files' times)."""
    return Path(shutil.copytree(site, folder / site.name, symlinks=True))


def article_pages(site: Path, count: int) -> list[Path]:
    """The first ``count`` article pages of ``site``, in sorted order, that have a body to edit."""
    found = (page for page in sorted((site / "articles").rglob("*.html"))
             if 'itemprop="articleBody"' in page.read_text("utf-8", errors="replace"))
    return list(itertools.islice(found, count))


def edit(page: Path) -> None:
    """Change a word of the page's body as an editor would, the new text written beside it and renamed over it."""
    text = page.read_text("utf-8")
    at = text.index(" the ", text.index('itemprop="articleBody"'))
    fresh = page.with_name(page.name + ".edited")
    fresh.write_text(text[:at] + " THE " + text[at + 5:], "utf-8")
    os.replace(fresh, page)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mirror", type=Path, help="a News Deeply site folder (e.g. mirror/syria)")
    parser.add_argument("--runs", type=int, default=3, help="warm runs of each command (the fastest is kept)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        site = scratch_copy(args.mirror.resolve(), work / "mirror")
        edition = work / "edition.toml"
        edition.write_text(EDITION.format(mirror=f'"{site}"'), "utf-8")
        command = [sys.executable, "-m", "deeplybook.cli"]
        env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000"}
        print(f"edit-loop benchmark: {args.mirror}, {os.cpu_count()} cores, fastest of {args.runs} warm runs")

        env["DEEPLYBOOK_CACHE"] = str(work / "list-cache")
        print(f"  (load {load()})")
        cold_list = run([*command, "list", str(edition), "-q"], env)
        print(line("list, empty cache", cold_list))
        print(f"  (load {load()})")
        warm_list = best([run([*command, "list", str(edition), "-q"], env) for _ in range(args.runs)])
        print(line("list, warm cache", warm_list, cold_list))
        edited = []
        for page in article_pages(site, args.runs):
            edit(page)
            edited.append(run([*command, "list", str(edition), "-q"], env))
        print(line("list, one page edited", best(edited), cold_list))

        env["DEEPLYBOOK_CACHE"] = str(work / "build-cache")
        built = work / "books"
        print(f"  (load {load()})")
        cold_build = run([*command, "build", str(edition), "-q"], env)
        print(line("build EPUB, empty cache", cold_build))
        reference = work / "reference"
        built.rename(reference)
        print(f"  (load {load()})")
        warm = []
        for _ in range(args.runs):
            warm.append(run([*command, "build", str(edition), "-q"], env))
            _same_books(reference, built)
        print(line("build EPUB, nothing changed", best(warm), cold_build))
        print(f"  (load {load()}); every warm book is byte-identical to the cold one")


def _same_books(reference: Path, built: Path) -> None:
    """Fail unless ``built`` holds exactly the books of ``reference``, byte for byte."""
    names = sorted(path.name for path in reference.iterdir())
    if names != sorted(path.name for path in built.iterdir()):
        raise SystemExit(f"the warm build made other files: {sorted(p.name for p in built.iterdir())}")
    _, mismatch, errors = filecmp.cmpfiles(reference, built, names, shallow=False)
    if mismatch or errors:
        raise SystemExit(f"the warm build's books differ from the cold build's: {mismatch + errors}")


if __name__ == "__main__":
    main()
