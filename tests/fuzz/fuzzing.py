"""Hypothesis strategies for hostile input: mutated sample pages, made-up HTML, front matter, WARC files.

The CI run is small and the same every time (``derandomize``). Set
``DEEPLYBOOK_FUZZ_EXAMPLES=N`` to try N inputs per reader test (a tenth of that per
book test) with fresh randomness on each run.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import os
import re
import shutil
from dataclasses import fields, is_dataclass
from pathlib import Path

import tomli_w
import yaml
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
#: Inputs per test asked for on the command line; 0 means the small, fixed CI run.
LARGE = int(os.environ.get("DEEPLYBOOK_FUZZ_EXAMPLES", "0") or 0)


def fuzz_settings(ci_examples: int, *, share: float = 1.0) -> settings:
    """``ci_examples`` fixed inputs in CI; ``share`` of ``DEEPLYBOOK_FUZZ_EXAMPLES`` random ones when set."""
    return settings(
        max_examples=max(1, int(LARGE * share)) if LARGE else ci_examples,
        deadline=None,
        derandomize=not LARGE,
        database=None,
        print_blob=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )


def _seeds() -> list[tuple[str, bytes]]:
    """(file name, bytes) of the sample pages the mutations start from."""
    chosen = [
        *sorted((SAMPLES / "generic").glob("*.html")),
        *sorted((SAMPLES / "frontmatter").glob("*.md")),
        SAMPLES / "frontmatter" / "html-body.html",
        *sorted((SAMPLES / "plaintext").glob("*.txt")),
        *sorted(p for p in (SAMPLES / "newsdeeply" / "site").rglob("*.html")),
    ]
    return [(path.name, path.read_bytes()) for path in chosen]


SEEDS = _seeds()
HTML_SEEDS = [(name, data) for name, data in SEEDS if name.endswith(".html")]

#: Pieces inserted into pages: markup that readers trip on, bytes XML forbids, ways out of the archive.
SNIPPETS = [
    b"<div>", b"</div>", b"<p>", b"</p>", b"<h1>", b"</h1>", b"<li>", b"</ul>", b"<table><tr><td>",
    b"<!-- a comment -->", b"<!--", b"-->", b"<![CDATA[ x ]]>", b"<?pi data?>", b"<!DOCTYPE x>",
    b"<figure><figcaption><!-- c -->caption</figcaption></figure>", b"<figcaption><?pi?></figcaption>",
    b"<blockquote><!-- q --><p>quoted</p></blockquote>", b"<time datetime=\"not a date\">when</time>",
    b"\x00", b"\x08", b"\x0b", b"\x15", b"\x1f", b"\x7f", b"\xc2\x85", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff",
    b"\xed\xa0\x80", b"\xc3", b"\xf4\x90\x80\x80", b"&#0;", b"&#x15;", b"&#xD800;", b"&#1114112;", b"&bogus;",
    b"<script>alert(1)</script>", b"<style>p{}</style>", b"<iframe src=\"https://x.example\"></iframe>",
    b"<img src=\"file:///etc/passwd\">", b"<img src=\"../../../../../../etc/passwd\">", b"<img src=\"\">",
    b"<img src=\"data:image/png;base64,AAAA\">", b"<img src=\"http://x.example/a.jpg\">",
    b"<a href=\"javascript:alert(1)\">x</a>", b"<a href=\"../../../../etc/passwd\">y</a>",
    b"<svg onload=\"alert(1)\"><use href=\"#a\"/></svg>", b"<math><mi>x</mi></math>", b"<p onclick=\"x()\">",
    b"\n---\n", b"\n+++\n", b"\n...\n", b"title: x\n", b"title = \"x\"\n", b"date: 2017-13-45\n",
    b"<html>", b"</html>", b"<body>", b"</body>", b"<head>", b"<meta charset=\"utf-16\">",
    b"<meta charset=\"bogus\">", b"<article class=\"detail type-article\">", b"<div class=\"body\">",
    b"WARC/1.0\r\n", b"\r\n\r\n",
]

_flip = st.tuples(st.just("flip"), st.floats(0, 1), st.integers(1, 255))
_truncate = st.tuples(st.just("truncate"), st.floats(0, 1), st.just(0))
_insert = st.tuples(st.just("insert"), st.floats(0, 1), st.integers(0, len(SNIPPETS) - 1))
_nest = st.tuples(st.just("nest"), st.floats(0, 1), st.integers(1, 600))
_delete = st.tuples(st.just("delete"), st.floats(0, 1), st.integers(1, 200))
_repeat = st.tuples(st.just("repeat"), st.floats(0, 1), st.integers(1, 300))
OPERATIONS = st.lists(st.one_of(_flip, _truncate, _insert, _nest, _delete, _repeat), min_size=1, max_size=6)


def mutate(data: bytes, operations) -> bytes:
    """``data`` with each operation applied: a position is a fraction of the length, so shrinking stays simple."""
    for name, where, amount in operations:
        at = int(where * len(data))
        if name == "flip" and data:
            at = min(at, len(data) - 1)
            data = data[:at] + bytes([data[at] ^ amount]) + data[at + 1:]
        elif name == "truncate":
            data = data[:at]
        elif name == "insert":
            data = data[:at] + SNIPPETS[amount] + data[at:]
        elif name == "nest":  # deeper than the parser keeps (about 255)
            data = data[:at] + b"<div><span>" * amount + b"deep text" + b"</span></div>" * amount + data[at:]
        elif name == "delete":
            data = data[:at] + data[at + amount:]
        elif name == "repeat":  # one stretch many times over: repeated paragraphs, long lines
            data = data[:at] + data[at:at + 64] * amount + data[at:]
    return data


@st.composite
def mutated_samples(draw, seeds=None) -> tuple[str, bytes]:
    """(file name, bytes): a sample page with a few byte flips, cuts, insertions or deep nests."""
    name, data = draw(st.sampled_from(seeds or SEEDS))
    return name, mutate(data, draw(OPERATIONS))


# --- made-up HTML ---------------------------------------------------------

_TAGS = ["p", "div", "span", "a", "em", "strong", "b", "i", "h1", "h2", "h3", "h4", "h5", "h6", "figure",
         "figcaption", "img", "ul", "ol", "li", "blockquote", "table", "tr", "td", "th", "article", "header",
         "section", "main", "time", "br", "script", "style", "iframe", "svg", "math", "pre", "code", "sup",
         "small", "cite", "q", "dl", "dt", "dd", "hr", "video", "audio", "source", "picture", "noscript",
         "template", "title", "meta", "link", "object", "embed", "form", "input", "button", "aside", "footer"]
_CLASSES = ["title", "body", "lede", "meta", "caps", "fin", "detail type-article", "wng-sunset-panel",
            "entry-content", "article-body", "byline", "author", "caption", "credit", "categories",
            "category", "post", "question", "answer", "related", "share", "tags"]
_URLS = ["images/lanterns.jpg", "images/ferry.jpg", "../images/x.png", "file:///etc/passwd",
         "javascript:alert(1)", "data:text/html,<script>x</script>", "https://example.org/a",
         "//example.org/b", "#top", "mailto:a@example.org", "", " ", "../../../../etc/hostname"]
# Any character at all, with the ones that break books made likely.
_TEXT = st.text(st.one_of(st.characters(codec="utf-8"), st.sampled_from("\x00\x01\x08\x0b\x0c\x15\x1f\x7f"
                                                                        "\x85\u2028\ufeff\ufffe\uffff<>&\"'")),
                max_size=30)
_ATTRIBUTES = st.dictionaries(
    st.sampled_from(["class", "id", "href", "src", "alt", "itemprop", "datetime", "style", "onclick", "lang",
                     "data-uri", "property", "content", "name", "srcset", "width", "rel", "title", "dir"]),
    st.one_of(st.sampled_from(_CLASSES), st.sampled_from(_URLS), _TEXT), max_size=4)


def _element(tag: str, attributes: dict[str, str], children: list[str]) -> str:
    attrs = "".join(f' {name}="{html.escape(value)}"' for name, value in attributes.items())
    return f"<{tag}{attrs}>{''.join(children)}</{tag}>"


_TREE = st.recursive(
    st.one_of(_TEXT.map(html.escape), _TEXT, st.sampled_from(["<!-- note -->", "<br>", "&amp;", "&#x15;", "&nbsp;"])),
    lambda children: st.builds(_element, st.sampled_from(_TAGS), _ATTRIBUTES, st.lists(children, max_size=5)),
    max_leaves=40,
)


#: Invented sentences, so that made-up pages hold enough text to be taken for articles.
_SENTENCES = [
    "The ferry crossed the bay twice a day until the engine failed in March.",
    "Farmers along the lower valley say the new dam has cut their water by half.",
    "Three bakeries reopened in the covered market this week, the first since the siege.",
    "The council will vote on the budget after a month of hearings and one long night.",
    "Q: What changed when the river moved? A: Everything downstream of the old mill.",
]
_PARAGRAPHS = st.sampled_from(_SENTENCES).map(lambda text: f"<p>{text}</p>")
_BODIES = st.lists(st.one_of(_TREE, _PARAGRAPHS, _PARAGRAPHS), min_size=1, max_size=8).map("".join)
_TITLES = st.one_of(st.sampled_from(["Bakers Reopen in the Old Souk", "Rivers Need Rules", "A Hydrologist Talks"]),
                    _TEXT)


def _generic_page(title: str, body: str) -> str:
    return (f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title></head>"
            f"<body><article><h1>{title}</h1>{body}</article></body></html>")


def _newsdeeply_page(title: str, body: str) -> str:
    """A page in the structure of the News Deeply mirror (HTTrack's stamp, the article's classes)."""
    return ("<!DOCTYPE html><html lang=\"en\"><!-- Mirrored from www.newsdeeply.com/water/articles/2017/03/02/fuzz "
            "by HTTrack Website Copier/3.x -->"
            f"<head><meta charset=\"utf-8\"><title>{title} | Water Deeply</title></head><body>"
            "<article class=\"detail type-article\" data-uri=\"/water/articles/2017/03/02/fuzz\">"
            f"<h1 class=\"title\" itemprop=\"headline\">{title}</h1><p class=\"lede\">{title}</p>"
            "<table class=\"meta\"><tr><td><small>Written by</small> "
            "<a href=\"/water/contributor/x\">Mira Stone</a></td>"
            "<td><small>Published</small> March 2, 2017</td></tr></table>"
            f"<div class=\"body\" itemprop=\"articleBody\">{body}</div></article></body></html>")


@st.composite
def made_up_pages(draw) -> tuple[str, bytes]:
    """(file name, bytes): random elements, texts and attributes, bare or in a generic or a News Deeply page."""
    title, body = html.escape(draw(_TITLES)), draw(_BODIES)
    shell = draw(st.sampled_from([_generic_page, _newsdeeply_page, _newsdeeply_page, None]))
    page = shell(title, body) if shell else body
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8", "utf-16", "latin-1"]))
    return "made-up.html", page.encode(encoding, errors="replace")


# --- front matter ---------------------------------------------------------

_KEYS = ["title", "dek", "description", "subtitle", "authors", "author", "date", "modified", "updated", "lastmod",
         "topics", "tags", "kind", "category", "url", "site", "slug", "read_time", "image", "caption", "credit"]
_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), _TEXT,
    st.sampled_from(["q&a", "op-ed", "briefing", "images/ferry.jpg", "../../etc/passwd", "2017-03-02", "yesterday",
                     "javascript:alert(1)", "data:text/html,<script>x</script>", "https://x.example/a b\x85c%zz",
                     "/relative/page", "http://[unclosed"]),
    st.dates(), st.datetimes(timezones=st.sampled_from([None, dt.timezone.utc, dt.timezone(dt.timedelta(hours=-5))])),
)
_VALUES = st.recursive(_SCALARS, lambda inner: st.lists(inner, max_size=4)
                       | st.dictionaries(st.sampled_from(["name", "url", "x"]) | _TEXT, inner, max_size=3),
                       max_leaves=10)
_HEADERS = st.builds(
    lambda title, others: {"title": title, **others} if title is not None else others,
    st.one_of(_TITLES, _TITLES, _SCALARS),
    st.dictionaries(st.sampled_from(_KEYS) | _TEXT.filter(bool), _VALUES, max_size=8))
_MARKDOWN = st.lists(st.one_of(_TEXT, st.sampled_from(
    ["# A heading", "## Sub", "> quoted", "- item", "1. first", "![alt](images/ferry.jpg)", "![x](/etc/passwd)",
     "[link](javascript:alert(1))", "<script>x</script>", "<div>raw <b>html</b></div>", "```\ncode\n```",
     "| a | b |\n|---|---|\n| 1 | 2 |", "---", "+++", "<!-- c -->", "***bold***"])), max_size=12).map("\n\n".join)


def _toml_ready(value):
    """TOML has no null: leave nulls out, keys as text."""
    if isinstance(value, dict):
        return {str(k): _toml_ready(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_toml_ready(v) for v in value if v is not None]
    return value


@st.composite
def front_matter_files(draw) -> tuple[str, bytes]:
    """(file name, bytes): a Markdown (or HTML) file under a YAML or TOML header of made-up keys and values."""
    header = draw(_HEADERS)
    body = draw(_MARKDOWN)
    if draw(st.booleans()):
        text = "---\n" + yaml.safe_dump(header, allow_unicode=draw(st.booleans())) + "---\n" + body
    else:
        text = "+++\n" + tomli_w.dumps(_toml_ready(header)) + "+++\n" + body
    name = draw(st.sampled_from(["post.md", "post.md", "post.markdown", "post.html"]))
    return name, text.encode("utf-8", errors="surrogatepass")


# --- WARC files -----------------------------------------------------------

_URIS = st.one_of(st.sampled_from([
    "https://ledger.example/2019/04/lantern-makers", "https://www.newsdeeply.com/syria/articles/2017/11/12/bakers",
    "https://www.newsdeeply.com/water/community/2017/05/12/gates", "http://x.example/", "https://x.example/a.jpg",
    "file:///etc/passwd", "urn:x", "https://x.example/../../etc/passwd", "https://x.example/index.html?q=1#f"]),
    _TEXT.map(lambda t: "https://fuzz.example/" + re.sub(r"\s", "", t)))
_CONTENT_TYPES = st.sampled_from([
    "text/html", "text/html", "text/html", "text/html; charset=utf-8", "text/html; charset=latin-1",
    "text/html; charset=utf-16",
    "text/html; charset=bogus", "application/xhtml+xml", "text/plain", "image/jpeg", "application/pdf", "",
    "text/markdown"])
_STATUSES = st.sampled_from(["200 OK", "200 OK", "404 Not Found", "301 Moved Permanently", "500 Server Error",
                             "204 No Content"])
_PAYLOADS = st.one_of(mutated_samples(HTML_SEEDS).map(lambda sample: sample[1]),
                      made_up_pages().map(lambda page: page[1]),
                      st.sampled_from(HTML_SEEDS).map(lambda s: s[1]), st.sampled_from(HTML_SEEDS).map(lambda s: s[1]))
_RECORDS = st.lists(st.tuples(st.sampled_from(["response", "response", "resource", "revisit", "request", "metadata"]),
                              _URIS, _CONTENT_TYPES, _STATUSES, _PAYLOADS), max_size=4)


@st.composite
def warc_files(draw) -> tuple[str, bytes]:
    """(file name, bytes): a WARC of made-up records (pages, revisits, requests), gzipped or not, at times damaged."""
    compress = draw(st.booleans())
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=compress)
    if draw(st.booleans()):
        writer.write_record(writer.create_warcinfo_record("fuzz.warc", {"software": "deeplybook fuzz"}))
    first = ("response", draw(_URIS), "text/html", "200 OK", draw(_PAYLOADS))  # at least one page to read
    for kind, uri, content_type, status, payload in [first, *draw(_RECORDS)]:
        if kind == "response":
            headers = StatusAndHeaders(status, [("Content-Type", content_type)], protocol="HTTP/1.1")
            record = writer.create_warc_record(uri, "response", payload=io.BytesIO(payload), http_headers=headers)
        elif kind == "revisit":
            record = writer.create_revisit_record(uri, "sha1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", uri,
                                                  "2019-04-01T00:00:00Z")
        elif kind == "request":
            headers = StatusAndHeaders("GET / HTTP/1.1", [("Host", "x.example")], is_http_request=True)
            record = writer.create_warc_record(uri, "request", http_headers=headers)
        else:
            record = writer.create_warc_record(uri, kind, payload=io.BytesIO(payload),
                                               warc_content_type=content_type or "application/octet-stream")
        writer.write_record(record)
    data = buffer.getvalue()
    if draw(st.integers(0, 5)) == 0:  # now and then, damage the archive itself
        data = mutate(data, draw(OPERATIONS))
    return ("fuzz.warc.gz" if compress else "fuzz.warc"), data


ANY_INPUT = st.one_of(mutated_samples(), made_up_pages(), front_matter_files(), warc_files())


# --- checks -----------------------------------------------------------------

#: Characters XML 1.0 forbids: none may reach a book.
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def strings_of(value):
    """Every string inside an article that a book may print (its fields, blocks, figures, extra), recursively.

    ``source`` is left out: it names the input file (any bytes a file name may hold)
    for messages, and no book prints it.
    """
    if isinstance(value, str):
        yield value
    elif is_dataclass(value):
        for field in fields(value):
            if field.name != "source":
                yield from strings_of(getattr(value, field.name))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from strings_of(key)
            yield from strings_of(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from strings_of(item)


def inline_strings_of(value):
    """Every ``Inline`` string (sanitised XHTML, by the model's annotations) inside an article's blocks."""
    if is_dataclass(value):
        for field in fields(value):
            item = getattr(value, field.name)
            if "Inline" in str(field.type):
                yield from (item,) if isinstance(item, str) else item
            else:
                yield from inline_strings_of(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from inline_strings_of(item)


def workspace(folder: Path) -> Path:
    """A folder holding the samples' pictures, so that fuzzed pages naming them find them."""
    for images in (SAMPLES / "generic" / "images", SAMPLES / "frontmatter" / "images"):
        shutil.copytree(images, folder / "images", dirs_exist_ok=True)
    return folder
