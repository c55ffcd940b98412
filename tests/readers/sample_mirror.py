"""The invented "water" site of tests/samples/newsdeeply/, dressed as an HTTrack mirror for the tests.

The sample pages are written here, not taken from the real mirror. Where HTTrack
stamps a saved page, they hold a marker of ours; this module copies the site into
a temporary folder and writes HTTrack's comment lines in place of the markers:

    <!-- mirror-stamp: created -->               a redirect stub's first line
    <!-- mirror-stamp: from ADDRESS on DATE -->  "Mirrored from ADDRESS by HTTrack ..., DATE"
    <!-- mirror-stamp: content-type -->          the meta element HTTrack adds to a page
"""

from __future__ import annotations

import atexit
import re
import shutil
import tempfile
from functools import lru_cache
from pathlib import Path

SAMPLE_SITE = Path(__file__).resolve().parent.parent / "samples" / "newsdeeply" / "site"

_COPIER = "HTTrack Website Copier"
_STAMPS = (
    (re.compile(r"<!-- mirror-stamp: created -->"), lambda m: f"<!-- Created by {_COPIER}/3.48-1 [XR&CO'2013] -->"),
    (re.compile(r"<!-- mirror-stamp: from (.+?) on (.+?) -->"), lambda m: stamp(m.group(1), m.group(2))),
    (re.compile(r"<!-- mirror-stamp: content-type -->"),
     lambda m: '<!-- Added by HTTrack --><meta http-equiv="content-type" content="text/html;charset=utf-8" />'
               "<!-- /Added by HTTrack -->"),
)


def stamp(address: str, when: str = "") -> str:
    """The comment HTTrack puts at the top of a page it saved from ``address`` (at ``when``)."""
    saved = f", {when}" if when else ""
    return f"<!-- Mirrored from {address} by {_COPIER}/3.x [XR&CO'2013]{saved} -->"


def dress(html: str) -> str:
    """A sample page with HTTrack's comment lines in place of its markers."""
    for pattern, replacement in _STAMPS:
        html = pattern.sub(replacement, html)
    return html


@lru_cache(maxsize=1)
def root() -> Path:
    """The mirror root (``water.html``, ``water/``, ``uploads/``), built once per test process."""
    folder = Path(tempfile.mkdtemp(prefix="deeplybook-sample-mirror-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    for source in sorted(SAMPLE_SITE.rglob("*")):
        target = folder / source.relative_to(SAMPLE_SITE)
        if source.is_dir():
            target.mkdir(parents=True, exist_ok=True)
        elif source.suffix == ".html":
            target.write_text(dress(source.read_text("utf-8")), "utf-8")
        else:
            shutil.copyfile(source, target)
    return folder
