"""Autoescaping in the theme's templates (kiosk_escape).

What readers and editors rely on: a headline, a caption or a credit that
holds ``&``, ``<``, quotes or markup of its own reaches the page exactly as
MarkupSafe would escape it; only the cost changed.
"""

import datetime

import jinja2
import markupsafe
import pytest
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import Markup

import kiosk_escape
from kiosk_escape import EscapingTemplate


class Safe:
    """An object that renders itself as HTML, as Pelican's and the plugins' do."""

    def __init__(self, html):
        self.html = html

    def __html__(self):
        return self.html


VALUES = st.one_of(
    st.text(),
    st.builds(Markup, st.text()),
    st.builds(Safe, st.text()),
    st.builds(Safe, st.builds(Markup, st.text())),
    st.integers(),
    st.floats(allow_nan=False),
    st.none(),
    st.dates(),
)


@given(VALUES)
def test_escape_is_markupsafe_s_escape(value):
    ours, theirs = kiosk_escape.escape(value), markupsafe.escape(value)
    assert ours == theirs
    assert type(ours) is Markup


def _env(template_class):
    env = jinja2.Environment(
        autoescape=True,
        loader=jinja2.DictLoader({
            "page.html": "{% import 'macros.html' as m %}<h1>{{ title }}</h1>"
                         "{{ m.card(title, credit) }}<p>{{ credit }}</p>{{ n }}",
            "macros.html": "{% macro card(t, c) %}<a title=\"{{ t }}\">{{ t }}</a>"
                           "<small>{{ c }}</small>{% endmacro %}",
        }),
    )  # fmt: skip
    env.template_class = template_class
    return env


@given(st.text(), st.one_of(st.text(), st.builds(Markup, st.text())), st.integers())
def test_a_page_renders_as_it_does_with_jinja_s_own_template(title, credit, n):
    page = {"title": title, "credit": credit, "n": n}
    ours = _env(EscapingTemplate).get_template("page.html").render(page)
    assert ours == _env(jinja2.Template).get_template("page.html").render(page)


def test_the_templates_escape_with_it_and_nothing_else_changes():
    template = _env(EscapingTemplate).get_template("page.html")
    assert template.root_render_func.__globals__["escape"] is kiosk_escape.escape
    assert jinja2.runtime.escape is markupsafe.escape
    plain = _env(jinja2.Template).get_template("page.html")
    assert plain.root_render_func.__globals__["escape"] is markupsafe.escape


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("Tariffs & <the> \"deal\" 'so'", "Tariffs &amp; &lt;the&gt; &#34;deal&#34; &#39;so&#39;"),
        (Markup("<em>Vostok</em>"), "<em>Vostok</em>"),
        (datetime.date(2026, 12, 4), "2026-12-04"),
    ],
)  # fmt: skip
def test_what_a_reader_sees_of_a_headline(value, shown):
    template = _env(EscapingTemplate).from_string("{{ value }}")
    assert template.render(value=value) == shown
