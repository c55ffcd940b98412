"""Slugs: the short ASCII names that name an article's file and anchor, made the same way by readers and editions."""

from __future__ import annotations

from slugify import slugify as _ascii_slug

#: The longest slug, before an "a-" in front of a digit or a "-2" against a clash.
LIMIT = 80


def slugify(value: str) -> str:
    """A file-name and XML-id safe slug: lower-case ASCII letters, digits and hyphens.

    Other scripts are transliterated ("Битва за Алеппо" -> "bitva-za-aleppo"), so a
    title in any language gives a readable name. The slug is cut at ``LIMIT``
    characters, mid-word if need be (the names of the Syria mirror's articles were
    always cut so); one starting with a digit gets "a-" in front, since an XML id
    cannot start with one; "article" when nothing is left.
    """
    # One transliteration table whatever else is installed: python-slugify would
    # prefer Unidecode when present, and the same title must give the same slug.
    slug = _ascii_slug(value, max_length=LIMIT, backend="text-unidecode")
    if not slug:
        return "article"
    return slug if slug[0].isalpha() else f"a-{slug}"
