"""kiosk_html: the fast reading of plain HTML gives exactly what BeautifulSoup gives.

Every test compares with ``BeautifulSoup(html, "html.parser")`` itself, the
reading kiosk_figures and kiosk_related used before (and still use whenever
``parse`` returns None): same serialisation byte for byte, same text strings.
"""

import pytest
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kiosk_html


def soup_text_strings(html):
    return list(BeautifulSoup(html, "html.parser").strings)


def assert_reads_like_bs4(html):
    root = kiosk_html.parse(html)
    assert root is not None, "expected the fast path to read this fragment"
    assert kiosk_html.serialize(root) == str(BeautifulSoup(html, "html.parser"))
    assert list(kiosk_html.strings(root)) == soup_text_strings(html)


# What the Markdown renderers (cmark-gfm, Python-Markdown before it) and typogrify
# write, and the raw HTML an editor may add, each with the detail bs4 changes on the way.
READ_FAST = {
    "paragraphs and headings": "<h2>Subhead</h2>\n<p>One.</p>\n<p>Two.</p>",
    "nested inline markup": '<p>A <em>very <strong>strong <a href="x">x</a></strong></em> case</p>',
    "named entities decoded, re-escaped minimally": (
        "<p>&ldquo;A&rdquo; &amp; B &lt;i&gt; &nbsp;</p>"
    ),
    "numeric references, decimal and hex": "<p>It&#8217;s &#x2014; &#8220;so&#8221;</p>",
    "windows-1252 range references": "<p>&#150; &#147;quoted&#148; &#128;</p>",
    "low and odd references": "<p>&#65;&#x41;&#0;&#1114111;</p>",
    "entities in attributes": '<p><a href="/a?x=1&amp;y=2" title="&quot;Q&quot; &amp; A">l</a></p>',
    "attribute with both quotes": '<p><a title="it&#39;s &quot;x&quot;">l</a></p>',
    "attribute with a double quote only": '<p><a title="say &quot;hi&quot;">l</a></p>',
    "greater-than in text": "<p>a > b</p>",
    "comments": "<!-- an editor's note -->\n<p>Text<!--inline-->more</p><!----><!-- \n -->",
    "empty paragraphs": "<p></p>\n<p> </p>\n<p>\n</p>",
    "whitespace-only runs collapse": "<ul>\n\n  <li>a</li>\t \t<li>b</li>\n</ul>",
    "whitespace kept inside pre": "<pre><code>  x = 1\n\n  y = 2\n</code></pre>\n<pre>   </pre>",
    "void elements, with and without slash": (
        '<p>a<br>b<br/>c<br />d<img alt="x" src="y.jpg" /></p><hr>'
    ),
    "class lists normalised": (
        '<p class="  a   b ">x</p><p class="">y</p><a rel="nofollow  me">z</a>'
    ),
    "attributes sorted": '<img src="s.jpg" alt="a" width="3" height="4" loading="lazy">',
    "figure inside a list": '<ol>\n<li>\n<p><img alt="x" src="a.jpg" title="T"></p>\n</li>\n</ol>',
    "footnotes": (
        '<p>Fact<sup id="fnref:1"><a class="footnote-ref" href="#fn:1">1</a></sup>.</p>\n'
        '<div class="footnote">\n<hr>\n<ol>\n<li id="fn:1">\n<p>Source.&#160;'
        '<a class="footnote-backref" href="#fnref:1" title="Jump back">&#8617;</a></p>\n'
        "</li>\n</ol>\n</div>"
    ),
    "tables": "<table>\n<thead>\n<tr>\n<th>A</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td>1</td>\n"
    "</tr>\n</tbody>\n</table>",
    "typogrify spans": '<p>Salt <span class="amp">&amp;</span> pepper&#8217;s</p>',
    "text only": "just text &amp; more",
    "empty": "",
}

# Left to BeautifulSoup: parse() must say None.
READ_BY_BS4 = {
    "script": "<p>x</p><script>if (a < b) {}</script>",
    "style": "<style>p > a {}</style>",
    "template": "<template><p>x</p></template>",
    "ruby text": "<ruby>漢<rt>kan</rt></ruby>",
    "textarea": "<textarea>  x  </textarea>",
    "unquoted attribute": "<p class=x>y</p>",
    "single-quoted attribute": "<p class='x'>y</p>",
    "attribute without value": "<input disabled>",
    "duplicate attribute": '<p class="a" class="b">y</p>',
    "upper-case tag": "<P>x</P>",
    "bare ampersand": "<p>AT&T</p>",
    "entity without semicolon": "<p>&copy 2024</p>",
    "unknown entity": "<p>&bogus;</p>",
    "bare less-than": "<p>a < b</p>",
    "stray end tag": "<p>x</p></div>",
    "misnested tags": "<p><em>x</p></em>",
    "unclosed element": "<div><p>x</p>",
    "self-closing non-void": "<p/>",
    "end tag of a void element": "<p>a<br></br></p>",
    "doctype": "<!DOCTYPE html><p>x</p>",
    "cdata": "<![CDATA[x]]>",
    "processing instruction": "<?php echo 1 ?>",
    "comment containing --": "<!-- a -- b -->",
    "comment opening with >": "<!--> x -->",
    "carriage return": "<p>a\r\nb</p>",
    "nul": "<p>a\x00b</p>",
    "meta": '<meta charset="utf-8">',
}


@pytest.mark.parametrize("html", READ_FAST.values(), ids=READ_FAST.keys())
def test_fast_reading_equals_beautifulsoup(html):
    assert_reads_like_bs4(html)


@pytest.mark.parametrize("html", READ_BY_BS4.values(), ids=READ_BY_BS4.keys())
def test_what_it_does_not_know_is_left_to_beautifulsoup(html):
    assert kiosk_html.parse(html) is None


def test_text_of_is_get_text_without_comments():
    html = "<p>— A.<!-- x --> <em>B</em>&amp;C</p>"
    root = kiosk_html.parse(html)
    assert kiosk_html.text_of(root) == BeautifulSoup(html, "html.parser").get_text()


# --- Random fragments -------------------------------------------------------------

NAMES = ["p", "em", "a", "span", "blockquote", "li", "ul", "figure", "figcaption", "sup", "pre"]
texts = st.sampled_from(
    ["word", " ", "\n", "  \n ", "\t", "a b", "&amp;", "&lt;", "&#8217;", "&#x2014;", "&#150;",
     "&nbsp;", "&rsquo;", "—", "[!pullquote]", ">", "\xa0", "é"]
)  # fmt: skip
attributes = st.dictionaries(
    st.sampled_from(["class", "id", "href", "title", "rel", "alt", "src", "data-x"]),
    st.sampled_from(["", "a", "a b", " a  b ", "x&amp;y", "&quot;q&quot;", "it&#39;s", "#f"]),
    max_size=3,
)


@st.composite
def fragments(draw, depth=0):
    """Well-formed HTML in the subset the fast path reads (and bs4 reads the same)."""
    parts = []
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(["text", "text", "element", "void", "comment"]))
        if kind == "text":
            parts.append(draw(texts))
        elif kind == "comment":
            parts.append(f"<!--{draw(st.sampled_from(['', ' note ', 'a-b', ' ']))}-->")
        elif kind == "void":
            name = draw(st.sampled_from(["br", "img", "hr"]))
            attrs = "".join(f' {k}="{v}"' for k, v in draw(attributes).items())
            parts.append(f"<{name}{attrs}{draw(st.sampled_from(['', '/', ' /']))}>")
        elif depth < 3:
            name = draw(st.sampled_from(NAMES))
            attrs = "".join(f' {k}="{v}"' for k, v in draw(attributes).items())
            parts.append(f"<{name}{attrs}>{draw(fragments(depth + 1))}</{name}>")
    return "".join(parts)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fragments())
def test_random_fragments_read_like_beautifulsoup(html):
    assert_reads_like_bs4(html)
