"""Typogrify's ampersands (kiosk_typogrify).

What readers get: an ampersand between words, in a headline or a body,
is wrapped for the stylesheet (``<span class="amp">``), as typogrify
always did; code is left alone. What changed is only that text without such
an ampersand is not taken apart to find that out: the result is typogrify's
own, on any text.
"""

import pytest
from bs4 import BeautifulSoup
from hypothesis import example, given
from hypothesis import strategies as st

import kiosk_typogrify
from tests.plugins.conftest import header

ORIGINAL = kiosk_typogrify._ORIGINAL
FILTERS = sorted(kiosk_typogrify.FILTERS)
# Pelican's call with pelicanconf.py's settings: every filter but amp omitted.
KIOSK = {name: False for name in FILTERS if name != "amp"}

# Pieces that typogrify's patterns care about, and plain text between them.
PIECES = st.sampled_from([
    "&", "&amp;", "&#38;", "&nbsp;", " ", "\n", "\t", "\u00a0", "<", ">", '"', "'",
    "<pre>", "</pre>", "<code>", "</code>", "<script>", "</script>", "<p>", "</p>",
    '<a href="/?a=1&amp;b=2">', "</a>", '<span class="amp">', "</span>",
    '<img alt="One & Two">', "A", "word", "CAPS", "--", "...", "“", "é",
])  # fmt: skip
TEXTS = st.one_of(st.lists(st.one_of(PIECES, st.text(max_size=4))).map("".join), st.text())
IGNORES = st.one_of(
    st.none(),
    st.just(["pre", "code", "script"]),
    st.lists(st.sampled_from(["pre", "code", "p", "span.amp", ".x", "#y"])),
)
SWITCHES = st.fixed_dictionaries({}, optional={name: st.booleans() for name in FILTERS})


def outcome(function, *args, **kwargs):
    """(True, result) or (False, the kind of error): some ignore lists make typogrify fail."""
    try:
        return True, function(*args, **kwargs)
    except Exception as err:  # noqa: BLE001 - the kind is what is compared
        return False, type(err)


@given(TEXTS, IGNORES)
@example("Salt & pepper", ["pre", "code", "script"])
@example("<code>a & b</code> and c &amp; d", ["pre", "code", "script"])
@example('<img alt="One & Two"> plain', None)
@example("One&nbsp;&#38;&nbsp;two", None)
def test_kiosk_s_typogrify_call_gives_typogrify_s_result(text, ignores):
    ours = outcome(kiosk_typogrify.typogrify, text, ignores, **KIOSK)
    assert ours == outcome(ORIGINAL, text, ignores, **KIOSK)


@given(TEXTS, IGNORES, SWITCHES)
def test_any_choice_of_filters_gives_typogrify_s_result(text, ignores, switches):
    ours = outcome(kiosk_typogrify.typogrify, text, ignores, **switches)
    assert ours == outcome(ORIGINAL, text, ignores, **switches)


def test_an_unknown_filter_is_refused_as_typogrify_refuses_it():
    # Pelican's reader falls back to an older typogrify's call on this error.
    with pytest.raises(TypeError):
        kiosk_typogrify.typogrify("plain text", None, **KIOSK, hyphenate=False)


def test_an_ignore_list_typogrify_cannot_use_fails_on_any_text():
    failed = outcome(ORIGINAL, "no ampersand", ["pre("], **KIOSK)
    assert failed[0] is False
    assert outcome(kiosk_typogrify.typogrify, "no ampersand", ["pre("], **KIOSK) == failed


ARTICLE_TEMPLATE = (
    "<!doctype html><title>{{ article.title|striptags }}</title>"
    "<h1>{{ article.title|safe }}</h1><div class=summary>{{ article.summary|safe }}</div>"
    "<main>{{ article.content|safe }}</main>"
)


@pytest.fixture
def built(make_site, monkeypatch):
    calls = []

    def counted(text, *args, **kwargs):
        calls.append(text)
        return ORIGINAL(text, *args, **kwargs)

    monkeypatch.setattr(kiosk_typogrify, "_ORIGINAL", counted)
    files = {
        "articles/trade.md": header(
            "Salt & pepper, and `a & b` in code.\n\nAn [index](/?a=1&b=2) link.",
            title="Trade & tariffs", date="2024-06-10 08:00", category="Reporting",
            summary="Ports & people.", slug="trade",
        ),
        "articles/calm.md": header(
            "Grain moved again on Monday.\n\nNo ampersand anywhere.",
            title="A calm week", date="2024-06-11 08:00", category="Reporting",
            summary="Nothing to wrap.", slug="calm",
        ),
    }  # fmt: skip
    output = make_site(files, plugins=["kiosk_typogrify"],
                       templates={"article.html": ARTICLE_TEMPLATE})  # fmt: skip
    page = {slug: BeautifulSoup((output / slug / "index.html").read_text("utf-8"),
                                "html.parser") for slug in ("trade", "calm")}  # fmt: skip
    return page, calls


def test_ampersands_between_words_are_wrapped_in_headline_summary_and_body(built):
    page, _ = built
    trade = page["trade"]
    assert [span.text for span in trade.select("h1 span.amp")] == ["&"]
    assert [span.text for span in trade.select(".summary span.amp")] == ["&"]
    assert [span.text for span in trade.select("main p span.amp")] == ["&"]
    assert trade.select_one("main code").text == "a & b"
    assert not trade.select("main code span")
    assert trade.select_one("main a")["href"] == "/?a=1&b=2"


def test_text_without_such_an_ampersand_is_left_as_typogrify_would_leave_it(built):
    page, calls = built
    calm = page["calm"]
    assert calm.select_one("h1").text == "A calm week"
    assert [p.text for p in calm.select("main p")] == [
        "Grain moved again on Monday.",
        "No ampersand anywhere.",
    ]
    assert not calm.select("span.amp")
    # typogrify's own function ran only for the texts with an ampersand to wrap.
    assert calls and all("&" in text for text in calls)
    assert not any("Grain moved" in text or "calm week" in text for text in calls)
