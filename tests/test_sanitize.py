"""The sanitiser: hostile archived markup never reaches a book."""

from lxml import etree

from deeplybook.sanitize import inline, normalize_space, text


def test_scripts_handlers_and_dangerous_links_are_removed():
    dirty = ('<script>steal()</script><a href="javascript:alert(1)" onclick="x()">click</a>'
             '<img src="http://tracker/p.gif" onerror="x()"><iframe src="http://evil"></iframe>'
             '<style>body{}</style><b onmouseover="x()">bold</b>')
    clean = inline(dirty)
    for bad in ("script", "steal", "javascript", "onclick", "img", "iframe", "onerror", "style", "onmouseover"):
        assert bad not in clean
    assert clean == "<a>click</a><strong>bold</strong>"


def test_output_is_well_formed_xhtml_with_entities_resolved():
    clean = inline('Fish&nbsp;&amp;&nbsp;chips&mdash;caf&eacute;<br><i>it</i> <a href="https://x.org/?a=1&amp;b=2" target="_blank">x</a>')
    etree.fromstring(f"<p>{clean}</p>")  # raises if not XML
    assert clean == 'Fish &amp; chips—café<br/><em>it</em> <a href="https://x.org/?a=1&amp;b=2">x</a>'


def test_unknown_elements_keep_their_text_and_spaces_fold():
    assert inline('<span class="caps">ISIS</span>-held\n\n  town <div>here</div>') == "ISIS-held town here"
    assert inline("<strong> </strong>Yes, <em></em>we can.") == "Yes, we can."
    assert text(" a < b\u00a0 & c ") == "a &lt; b &amp; c"
    assert normalize_space("\u00a0x\u2009 y\n") == "x y"
