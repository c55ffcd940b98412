"""One file's articles through the cache, and their pictures kept within the edition's folders and limits."""

from __future__ import annotations

import dataclasses

from .. import cache as cache_module
from .. import inputs
from ..errors import ReadError
from ..inputs import Limits, Refused
from ..log import counting_warnings, logger, warn
from ..model import Article, Figure
from .report import Skip


def through_cache(cache: cache_module.Cache, parts: tuple, produce) -> list[Article]:
    """``produce()``'s articles, or its ``Skip``, stored under the key of ``parts``.

    ``parts`` must hold everything the result depends on: the file's bytes, its path
    (articles record it) and the reader. The warnings the first run gave are given
    again on a hit, so a cached build reports what an uncached one does.
    """
    entry = cache_module.key(*parts)
    stored = cache.get_object("articles", entry)
    if stored is None:
        with counting_warnings() as warnings:
            try:
                outcome = ("ok", produce())
            except Skip as why:
                outcome = ("skip", str(why))
            except ReadError as exc:  # the same bytes fail the same way: no need to try again
                outcome = ("fail", (str(exc), exc.path))
        stored = (*outcome, warnings.records)
        cache.put_object("articles", entry, stored)
    else:
        for code, message in stored[2]:
            logger.warning("%s", message, extra={"code": code})
    kind, payload, _ = stored
    if kind == "skip":
        raise Skip(payload)
    if kind == "fail":
        error = ReadError(payload[0])
        error.path = payload[1]
        raise error
    return payload


def contained(article: Article, roots: tuple[str, ...], limits: Limits) -> Article:
    """``article`` with each picture file checked like a page: resolved, under ``roots``, regular, not too large.

    A picture that fails keeps its URL but loses its file, with a warning naming it;
    one that passes points at its resolved file, which the writers then read.
    """
    lead = _contained_figure(article.lead, roots, limits) if article.lead is not None else None
    body = tuple(_contained_figure(block, roots, limits) if isinstance(block, Figure) else block
                 for block in article.body)
    if lead is article.lead and all(new is old for new, old in zip(body, article.body)):
        return article
    return dataclasses.replace(article, lead=lead, body=body)


def contained_blocks(blocks: tuple, roots: tuple[str, ...], limits: Limits) -> tuple:
    """``blocks`` with their pictures checked as in ``contained``."""
    return tuple(_contained_figure(block, roots, limits) if isinstance(block, Figure) else block for block in blocks)


def _contained_figure(figure: Figure, roots: tuple[str, ...], limits: Limits) -> Figure:
    image = figure.image
    if image is None or not image.path:
        return figure
    try:
        resolved = str(inputs.admit(image.path, roots, limits))
    except Refused as refused:
        warn(refused.code, refused.reason, refused.path)
        resolved = None
    if resolved == image.path:
        return figure
    return dataclasses.replace(figure, image=dataclasses.replace(image, path=resolved))
