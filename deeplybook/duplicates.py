"""The same story published twice (republished days later, or on two sites) found and printed once.

Two articles are one story when their titles are the same once normalised (case,
accents, punctuation) or their texts open with the same words, and their texts are
near-identical: the Jaccard similarity of their sets of five-word shingles is at least
``THRESHOLD``. Only articles that share such a key are compared, so an archive of
thousands of articles costs a few hundred comparisons. Two briefings both called
"Executive Summary" share a title but not their text, and stay apart.

Of each story the earliest article is kept (on the same day, the one with more words,
then the first address), and the others' addresses go into its ``also_at``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from typing import Sequence
from urllib.parse import urlsplit

from .model import Article, Figure, inline_texts

#: Shingle Jaccard similarity from which two texts are the same story. Republished
#: stories measure 0.9 and more (a corrected word, a changed sentence); different
#: stories under one title measure under 0.3 (docs/duplicates-and-pictures.md).
THRESHOLD = 0.8
#: Words in a shingle.
SHINGLE = 5
#: Words of the opening that make a second key, so a retitled republication is found.
OPENING = 12
#: Texts shorter than this many words are never merged: too little to tell.
MINIMUM_WORDS = 60

_TAG = re.compile(r"<[^>]*>")
_WORD = re.compile(r"[^\W_]+")
_COMBINING = re.compile(r"[\u0300-\u036f]+")


@dataclass(frozen=True, slots=True)
class Merge:
    """One article left out because it is the same story as another that is printed."""

    kept: Article
    """The article printed."""
    dropped: Article
    """The article left out; its address goes into the kept one's ``also_at``."""
    similarity: float
    """The Jaccard similarity of their texts' shingles (0 to 1)."""

    @property
    def reason(self) -> str:
        """"republished" (one site), or "on two sites" (by name, or by the addresses' first folders)."""
        if self.dropped.site and self.kept.site and self.dropped.site != self.kept.site:
            return "on two sites"
        if _site_folder(self.kept.url) != _site_folder(self.dropped.url):
            return "on two sites"
        return "republished"


def merge(articles: Sequence[Article]) -> tuple[list[Article], list[Merge]]:
    """``articles`` with each story once, in their order, and the merges made.

    The kept article of a story takes the place of the first of its copies in the
    order given, and lists the others' addresses in ``also_at``.
    """
    texts = _Texts(articles)
    stories = texts.stories()
    merges: list[Merge] = []
    placed: dict[int, Article] = {}
    for members in stories:
        ranked = sorted(members, key=lambda n: _preference(articles[n], len(texts.words(n)), n))
        keep, others = ranked[0], ranked[1:]
        kept = articles[keep]
        addresses = dict.fromkeys([*kept.also_at, *(u for n in others for u in (articles[n].url, *articles[n].also_at))])
        also = tuple(u for u in addresses if u and u != kept.url)
        placed[min(members)] = dataclasses.replace(kept, also_at=also) if also != kept.also_at else kept
        merges.extend(Merge(kept, articles[n], texts.similarity(keep, n)) for n in others)
    left_out = {n for members in stories for n in members} - placed.keys()
    out = [placed.get(n, article) for n, article in enumerate(articles) if n not in left_out]
    return out, merges


class _Texts:
    """The articles' texts as words and shingles, each made once and only when compared."""

    def __init__(self, articles: Sequence[Article]) -> None:
        self.articles = articles
        self._words: dict[int, list[str]] = {}
        self._shingles: dict[int, frozenset[int]] = {}
        self._scores: dict[tuple[int, int], float] = {}

    def words(self, n: int) -> list[str]:
        """The normalised words of article ``n``'s text (its figures' captions left out)."""
        if n not in self._words:
            self._words[n] = _words(self.articles[n])
        return self._words[n]

    def similarity(self, a: int, b: int) -> float:
        """The shingle Jaccard similarity of articles ``a`` and ``b``; 0 when either is too short to tell."""
        pair = (min(a, b), max(a, b))
        if pair not in self._scores:
            if len(self.words(a)) < MINIMUM_WORDS or len(self.words(b)) < MINIMUM_WORDS:
                self._scores[pair] = 0.0
            else:
                for n in pair:
                    if n not in self._shingles:
                        self._shingles[n] = _shingles(self.words(n))
                self._scores[pair] = _jaccard(self._shingles[a], self._shingles[b])
        return self._scores[pair]

    def stories(self) -> list[list[int]]:
        """The groups of two or more articles that are one story, each in the order given."""
        candidates: dict[tuple[str, str], list[int]] = defaultdict(list)
        for n, article in enumerate(self.articles):
            title = normalise(article.title)
            if title:
                candidates[("title", title)].append(n)
            opening = _opening(article)
            if opening:
                candidates[("opening", opening)].append(n)
        parent = list(range(len(self.articles)))

        def root(n: int) -> int:
            while parent[n] != n:
                parent[n] = parent[parent[n]]
                n = parent[n]
            return n

        for members in candidates.values():
            for i, a in enumerate(members):
                for b in members[i + 1:]:
                    if root(a) != root(b) and self.similarity(a, b) >= THRESHOLD:
                        parent[root(b)] = root(a)
        groups: dict[int, list[int]] = defaultdict(list)
        for n in range(len(self.articles)):
            groups[root(n)].append(n)
        return [members for members in groups.values() if len(members) > 1]


def normalise(text: str) -> str:
    """``text`` compared as words alone: case folded, accents and punctuation gone, spaces single."""
    return " ".join(_plain_words(text))


def _plain_words(text: str) -> list[str]:
    folded = text.casefold()
    if not folded.isascii():
        folded = _COMBINING.sub("", unicodedata.normalize("NFKD", folded))
    return _WORD.findall(folded)


def _site_folder(url: str) -> str:
    """The host and first folder of an address ("www.newsdeeply.com/syria"): News Deeply's sites share a host."""
    parts = urlsplit(url)
    first = next((s for s in parts.path.split("/") if s), "")
    return f"{parts.hostname or ''}/{first}" if parts.hostname else ""


def _opening(article: Article) -> str:
    """The first ``OPENING`` words of the text, "" when it is shorter: a key to find a retitled copy."""
    found: list[str] = []
    for block in article.body:
        if isinstance(block, Figure):
            continue
        for text in inline_texts((block,)):
            found += _plain_words(_TAG.sub(" ", text))
            if len(found) >= OPENING:
                return " ".join(found[:OPENING])
    return ""


def _words(article: Article) -> list[str]:
    texts = [t for block in article.body if not isinstance(block, Figure) for t in inline_texts((block,))]
    return _plain_words(_TAG.sub(" ", " ".join(texts)))


def _shingles(words: list[str]) -> frozenset[int]:
    if len(words) < SHINGLE:
        return frozenset({hash(" ".join(words))})
    return frozenset(hash(" ".join(words[i:i + SHINGLE])) for i in range(len(words) - SHINGLE + 1))


def _jaccard(a: frozenset[int], b: frozenset[int]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


_NO_DATE = dt.datetime.max.replace(tzinfo=dt.timezone.utc)


def _preference(article: Article, words: int, index: int) -> tuple:
    """The kept copy sorts first: the earliest day, then the fuller text, then the first address."""
    day = article.date.date() if article.date else _NO_DATE.date()
    return (day, -words, article.url or article.source, index)
