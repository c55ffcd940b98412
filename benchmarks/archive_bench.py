"""The archive benchmark: deeplybook against pandoc and plain WeasyPrint on real Syria Deeply pages.

    python benchmarks/archive_bench.py MIRROR/syria --counts 100,1000,all

For each count N it takes the N oldest distinct articles of the mirror and measures,
each in a fresh process (wall time, peak memory of the whole process tree):

* deeplybook EPUB: from the raw mirror pages to a finished EPUB (reading included),
  through ``deeplybook.build``, the function ``make-ebook`` runs;
* deeplybook PDF: the same to a PDF (reading included; chunked, on all cores);
* pandoc ``-t epub3 --toc`` on the articles' clean HTML (``h1`` title, dek, body),
  which this script cuts out of the raw pages beforehand, untimed: work pandoc
  cannot do itself;
* plain WeasyPrint: one HTML document of the same clean HTML with a
  ``target-counter()`` contents and bookmarks, A5, rendered in one process.

It prints each figure and the ratios. No cache is used, so every run reads
everything: the cold build a user meets first.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import measure  # noqa: E402  (a sibling module, not a package)

BASELINE_CSS = """
@page { size: A5; margin: 18mm 15mm; @bottom-center { content: counter(page); } }
body { font-family: serif; font-size: 10pt; line-height: 1.4; }
h1 { bookmark-level: 1; page-break-before: always; font-size: 16pt; }
nav a::after { content: leader('.') target-counter(attr(href), page); }
nav li { list-style: none; }
"""


def oldest_articles(mirror: Path) -> list:
    """Every distinct article (no briefings) of the mirror, oldest first."""
    import deeplybook
    from deeplybook.model import Kind

    return [a for a in deeplybook.read([mirror]) if a.kind is not Kind.BRIEFING]


def clean_html(page: Path) -> tuple[str, str]:
    """(title, clean HTML) of one raw page: the h1 title, the dek and the body, as a person would cut them."""
    import lxml.html

    document = lxml.html.fromstring(page.read_bytes())
    title = "".join(document.xpath("string(//h1[contains(@class,'title')])")).strip()
    dek = "".join(document.xpath("string(//p[contains(@class,'lede')])")).strip()
    bodies = document.xpath("//div[@itemprop='articleBody']")
    body = "".join(lxml.html.tostring(child, encoding="unicode") for child in bodies[0]) if bodies else ""
    return title, f"<h1>{html.escape(title)}</h1>\n<p><em>{html.escape(dek)}</em></p>\n{body}\n"


def write_baseline_inputs(articles: list, folder: Path) -> tuple[list[Path], Path]:
    """Clean HTML files for pandoc, and one HTML document for plain WeasyPrint."""
    files, parts, toc = [], [], []
    for n, article in enumerate(articles):
        title, fragment = clean_html(Path(article.source))
        file = folder / f"article-{n:04d}.html"
        file.write_text(f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
                        f"</head><body>{fragment}</body></html>", "utf-8")
        files.append(file)
        toc.append(f'<li><a href="#a{n}">{html.escape(title)}</a></li>')
        parts.append(f'<section id="a{n}">{fragment}</section>')
    document = folder / "one-document.html"
    document.write_text(
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><style>{BASELINE_CSS}</style></head><body>"
        f"<nav><h1>Contents</h1><ol>{''.join(toc)}</ol></nav>{''.join(parts)}</body></html>", "utf-8")
    return files, document


def run_child(kind: str, list_file: Path, out: Path) -> None:
    """Inside the measured process: deeplybook from raw pages to one format, as ``make-ebook`` does it."""
    import deeplybook

    paths = list_file.read_text("utf-8").splitlines()
    result = deeplybook.build(paths, out, title="Syria Deeply", formats=[kind], group_by=["year"], cache=False)
    print(json.dumps({"articles": len(result.edition.articles)}))


def pdf_pages(path: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(path).pages)


def bench(articles: list, label: str, formats: set[str], pandoc: bool, weasyprint: bool, work: Path) -> dict:
    """Measure every tool on ``articles``; return the figures by tool."""
    sources = work / "sources.txt"
    sources.write_text("\n".join(a.source for a in articles), "utf-8")
    files, document = write_baseline_inputs(articles, work)
    results: dict[str, dict] = {}
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000", "DEEPLYBOOK_CACHE": str(work / "cache")}
    for kind in ("epub", "pdf"):
        if kind in formats:
            out = work / f"deeplybook.{kind}"
            run = measure.run([sys.executable, __file__, "--child", kind, str(sources), str(out)], env=env)
            # Pages are counted here, outside the measured process, as for plain WeasyPrint.
            results[f"deeplybook {kind}"] = {"seconds": run.seconds, "peak_mb": run.peak_mb,
                                             "pages": pdf_pages(out) if kind == "pdf" else 0,
                                             "bytes": out.stat().st_size}
    if pandoc and "epub" in formats and shutil.which("pandoc"):
        out = work / "pandoc.epub"
        run = measure.run(["pandoc", "-f", "html", "-t", "epub3", "--toc", "--metadata", "title=Syria Deeply",
                           "-o", str(out), *map(str, files)], env=env, quiet=True)
        results["pandoc epub"] = {"seconds": run.seconds, "peak_mb": run.peak_mb, "pages": 0,
                                  "bytes": out.stat().st_size}
    if weasyprint and "pdf" in formats:
        out = work / "weasyprint.pdf"
        code = f"import weasyprint; weasyprint.HTML({str(document)!r}).write_pdf({str(out)!r})"
        run = measure.run([sys.executable, "-c", code], env=env, quiet=True)
        results["weasyprint pdf"] = {"seconds": run.seconds, "peak_mb": run.peak_mb, "pages": pdf_pages(out),
                                     "bytes": out.stat().st_size}
    print(f"\n{label}: {len(articles)} articles")
    for tool, f in results.items():
        pages = f"{f['pages']:6d} pages" if f["pages"] else " " * 12
        print(f"  {tool:16} {f['seconds']:8.1f} s  peak {f['peak_mb']:7.0f} MB  {pages}  {f['bytes'] / 1e6:6.1f} MB file")
    for ours, theirs in (("deeplybook epub", "pandoc epub"), ("deeplybook pdf", "weasyprint pdf")):
        if ours in results and theirs in results:
            a, b = results[ours], results[theirs]
            print(f"  {theirs} / {ours}: time x{b['seconds'] / a['seconds']:.1f}, "
                  f"peak memory x{b['peak_mb'] / a['peak_mb']:.1f}")
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mirror", type=Path, nargs="?", help="a News Deeply site folder (e.g. mirror/syria)")
    parser.add_argument("--counts", default="100,1000,all", help="article counts, comma separated ('all')")
    parser.add_argument("--formats", default="epub,pdf")
    parser.add_argument("--no-pandoc", action="store_true", help="leave pandoc out")
    parser.add_argument("--no-weasyprint", action="store_true", help="leave plain WeasyPrint out")
    parser.add_argument("--child", nargs=3, metavar=("KIND", "LIST", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        kind, list_file, out = args.child
        run_child(kind, Path(list_file), Path(out))
        return
    if args.mirror is None:
        parser.error("the mirror folder is required")
    started = time.perf_counter()
    everything = oldest_articles(args.mirror)
    print(f"archive benchmark: {args.mirror.name}, {len(everything)} articles found "
          f"in {time.perf_counter() - started:.1f} s, {os.cpu_count()} cores, "
          f"pandoc {'present' if shutil.which('pandoc') else 'absent'}")
    formats = set(args.formats.split(","))
    for count in args.counts.split(","):
        chosen = everything if count == "all" else everything[: int(count)]
        with tempfile.TemporaryDirectory() as folder:
            bench(chosen, f"{count} oldest" if count != "all" else "the whole archive", formats,
                  not args.no_pandoc, not args.no_weasyprint, Path(folder))


if __name__ == "__main__":
    main()
