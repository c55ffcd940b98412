"""The extraction benchmark: deeplybook's generic reader against plain trafilatura on the sample pages.

    python benchmarks/extraction_bench.py [FOLDER]

FOLDER (``tests/samples/extraction`` by default) holds pages ``NAME.html``, each with
a gold file ``NAME.gold.txt``: ``key: value`` lines (``title``, and ``author`` and
``date`` where the page has them), a ``---`` line, then the article's text one
paragraph a line. Both extractors read the same bytes in one run:

* deeplybook: ``deeplybook.readers.generic.read`` (the text of every block of the
  body: paragraphs, headings, list items, quotes, table cells, captions);
* trafilatura: ``trafilatura.extract(html, output_format="txt")`` with tables and
  without comments, and ``trafilatura.extract_metadata`` for the title.

Body text is scored by token-level precision and recall over normalised words
(lower case, letters and digits only, counted as a multiset); F1 is their harmonic
mean, per page and as the mean of the pages. A title counts when it equals the gold
title after the same normalisation. A page is "empty" when no text came back.
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT / "tests" / "samples" / "extraction"
_WORD = re.compile(r"\w+", re.UNICODE)
_TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class Gold:
    """What a page should give: its title and body text (and metadata, for the tests)."""

    title: str
    body: str
    fields: dict[str, str]


@dataclass(frozen=True)
class Score:
    """One extractor on one page."""

    precision: float
    recall: float
    f1: float
    title_ok: bool
    empty: bool


def load_gold(path: Path) -> Gold:
    """The gold file ``path`` (see the module docstring)."""
    head, _, body = path.read_text(encoding="utf-8").partition("\n---\n")
    fields = dict(line.split(": ", 1) for line in head.splitlines() if ": " in line)
    return Gold(fields.get("title", ""), body.strip(), fields)


def words(text: str) -> Counter[str]:
    """The normalised words of ``text`` as a multiset."""
    return Counter(word.casefold() for word in _WORD.findall(text.replace("_", " ")))


def f1_score(found: str, expected: str) -> tuple[float, float, float]:
    """(precision, recall, F1) of the words of ``found`` against those of ``expected``."""
    got, want = words(found), words(expected)
    common = sum((got & want).values())
    if not got or not want:
        return (1.0, 1.0, 1.0) if got == want else (0.0, 0.0, 0.0)
    precision, recall = common / sum(got.values()), common / sum(want.values())
    return precision, recall, (2 * precision * recall / (precision + recall) if common else 0.0)


def same_title(found: str, expected: str) -> bool:
    """Whether two titles are equal word for word (case and punctuation aside)."""
    return bool(expected) and list(words(found).elements()) == list(words(expected).elements()) and \
        _WORD.findall(found.casefold()) == _WORD.findall(expected.casefold())


def score(text: str, title: str, gold: Gold) -> Score:
    """One extraction scored against ``gold``."""
    precision, recall, f1 = f1_score(text, gold.body)
    return Score(precision, recall, f1, same_title(title, gold.title), not text.strip())


def deeplybook_extract(page: Path) -> tuple[str, str]:
    """(body text, title) of ``page`` by deeplybook's generic reader; ("", "") when it gives no article."""
    from deeplybook.model import Figure, Quote, inline_texts
    from deeplybook.readers import ReadError, Skip, generic

    try:
        articles = generic.read(page)
    except (Skip, ReadError):
        return "", ""
    article = articles[0]
    texts = list(inline_texts(article.body))
    texts += [b.cite for b in article.body if isinstance(b, Quote) and b.cite]
    texts += [b.credit for b in article.body if isinstance(b, Figure) and b.credit]
    return "\n".join(_TAG.sub(" ", text) for text in texts), article.title


def trafilatura_extract(page: Path) -> tuple[str, str]:
    """(body text, title) of ``page`` by plain trafilatura."""
    import trafilatura

    raw = page.read_bytes()
    text = trafilatura.extract(raw, output_format="txt", include_tables=True, include_comments=False) or ""
    metadata = trafilatura.extract_metadata(raw)
    return text, (metadata.title or "") if metadata is not None else ""


EXTRACTORS = {"deeplybook": deeplybook_extract, "trafilatura": trafilatura_extract}


def run(folder: Path) -> dict[str, dict[str, Score]]:
    """Every extractor's score on every page of ``folder``: extractor -> page name -> score."""
    results: dict[str, dict[str, Score]] = {name: {} for name in EXTRACTORS}
    for page in sorted(folder.glob("*.html")):
        gold = load_gold(page.with_name(page.stem + ".gold.txt"))
        for name, extract in EXTRACTORS.items():
            text, title = extract(page)
            results[name][page.stem] = score(text, title, gold)
    return results


def mean_f1(scores: dict[str, Score]) -> float:
    """The mean body F1 over the pages."""
    return sum(s.f1 for s in scores.values()) / len(scores)


def report(results: dict[str, dict[str, Score]]) -> str:
    """The figures as text: a line per page, then the means, counts and ratios."""
    ours, theirs = results["deeplybook"], results["trafilatura"]
    lines = [f"{'page':28} {'deeplybook F1':>13} {'trafilatura F1':>14}  titles (d/t)"]
    for name in ours:
        lines.append(f"{name:28} {ours[name].f1:13.3f} {theirs[name].f1:14.3f}  "
                     f"{'ok' if ours[name].title_ok else '--'}/{'ok' if theirs[name].title_ok else '--'}")
    pages = len(ours)
    lines.append("")
    for label, scores in (("deeplybook", ours), ("trafilatura", theirs)):
        precision = sum(s.precision for s in scores.values()) / pages
        recall = sum(s.recall for s in scores.values()) / pages
        lines.append(f"{label:12} body F1 {mean_f1(scores):.3f} (precision {precision:.3f}, recall {recall:.3f}), "
                     f"titles {sum(s.title_ok for s in scores.values())}/{pages}, "
                     f"empty {sum(s.empty for s in scores.values())}/{pages}")
    title_ratio = (sum(s.title_ok for s in ours.values()) / max(1, sum(s.title_ok for s in theirs.values())))
    lines.append(f"ratios deeplybook/trafilatura: body F1 {mean_f1(ours) / mean_f1(theirs):.3f}, "
                 f"titles {title_ratio:.3f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Score both extractors on FOLDER and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, default=DEFAULT)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))  # the checkout's deeplybook, wherever the script is run from
    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
    print(report(run(args.folder)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
