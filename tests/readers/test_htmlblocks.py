"""The shared HTML-to-blocks walker used by the generic and front matter readers."""

from __future__ import annotations

from deeplybook.model import Figure, Heading, Image, ItemList, Paragraph, Quote, Table
from deeplybook.readers.htmlblocks import blocks_from_html


def test_block_kinds_in_order():
    blocks = blocks_from_html(
        "Loose <em>words</em> first"
        "<h1>Top</h1><h4>Deep</h4>"
        "<div><div>Nested <strong>text</strong></div></div>"
        "<ol><li>one</li><li>two</li></ol>"
        "<blockquote><p>Said it.</p><footer>— Ada Byron</footer></blockquote>"
        "<table><tr><th>Year</th><td>2017</td></tr></table>"
        "<pre>a  &lt;b&gt;</pre>"
    )
    assert blocks == (
        Paragraph("Loose <em>words</em> first"),
        Heading("Top", 2),
        Heading("Deep", 4),
        Paragraph("Nested <strong>text</strong>"),
        ItemList(("one", "two"), ordered=True),
        Quote(("Said it.",), cite="Ada Byron"),
        Table(("Year", "2017"), columns=2),
        Paragraph("a &lt;b&gt;"),
    )


def test_nested_list_items_are_run_together():
    blocks = blocks_from_html("<ul><li><p>Tools <b>first</b></p><ul><li>saw</li><li>plane</li></ul></li></ul>")
    assert blocks == (ItemList(("Tools <strong>first</strong> saw; plane",)),)


def test_figures_captions_and_credits():
    blocks = blocks_from_html(
        '<figure><img src="https://x.example/a.jpg" alt="A boat"><figcaption>The boat. '
        '<span class="credit">Jo Lee/Agency</span></figcaption></figure>'
        '<p>Before <img src="https://x.example/b.png"> after</p>'
    )
    assert blocks == (
        Figure("The boat.", "Jo Lee/Agency", Image("https://x.example/a.jpg", None, "A boat")),
        Paragraph("Before after"),
        Figure(image=Image("https://x.example/b.png")),
    )


def test_hostile_markup_never_becomes_blocks():
    blocks = blocks_from_html(
        '<script>alert(1)</script><style>p{}</style><iframe src="https://e.example"></iframe>'
        '<form><input value="secret"></form><nav><a href="/">Home</a></nav>'
        '<p onclick="x()">Safe <a href="javascript:steal()">link</a> text.</p>'
        '<img src="javascript:alert(1)"><img src="data:image/png;base64,AAAA">'
    )
    assert blocks == (Paragraph("Safe <a>link</a> text."),)


def test_local_pictures_only_inside_the_base_folder(tmp_path):
    (tmp_path / "pics").mkdir()
    (tmp_path / "pics" / "in.jpg").write_bytes(b"jpeg")
    (tmp_path.parent / "out.jpg").write_bytes(b"jpeg")
    blocks = blocks_from_html(
        '<img src="pics/in.jpg"><img src="../out.jpg"><img src="/etc/passwd"><img src="pics/missing.jpg">',
        base=tmp_path,
    )
    paths = [block.image.path for block in blocks]
    assert paths == [str(tmp_path / "pics" / "in.jpg"), None, None, None]
