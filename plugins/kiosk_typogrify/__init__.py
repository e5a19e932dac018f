"""kiosk_typogrify: Pelican's typogrify pass, skipped where it would change nothing.

With ``TYPOGRIFY`` on, Pelican runs each article's body, title and summary
through ``typogrify.filters.typogrify`` as it reads them. Kiosk leaves out
every typogrify filter but ``amp`` (``TYPOGRIFY_OMIT_FILTERS`` in
pelicanconf.py says why), and ``amp`` changes one thing only: an ampersand
written ``&``, ``&amp;`` or ``&#38;`` with whitespace or ``&nbsp;`` on both
sides becomes ``<span class="amp">&amp;</span>``. To find those, typogrify
cuts the text at its ignored tags (``<pre>``, ``<code>`` …) and runs a
regular expression with nested repetitions over every piece: 0.28 ms for a
7 kB body, 2.8 s of the read workers' CPU at N = 10,000, for bodies that
had not one such ampersand (BENCHMARKS.md, lever 133).

:func:`typogrify` gives the text back as it is when every filter but
``amp`` is off and no such ampersand is anywhere in it, and calls
typogrify's own function otherwise. The result is the same: typogrify's
pieces are consecutive slices of the text, each filter off leaves a piece
as it is, and ``amp`` rewrites only matches of its pattern inside a piece,
which would be matches in the whole text too (the pattern has no anchor and
no lookaround). tests/plugins/test_typogrify.py compares the two on any
text. Pelican imports ``typogrify`` from ``typogrify.filters`` at each read,
so :func:`register` puts this function there; the read workers, forked from
the build, inherit it.
"""

from __future__ import annotations

import re

from typogrify import filters as typogrify_filters

__all__ = ["register", "typogrify"]

_ORIGINAL = typogrify_filters.typogrify
# typogrify's filters, each on unless given as a false keyword argument.
FILTERS = frozenset({"amp", "smartypants", "caps", "initial_quotes", "widont"})
# What ``typogrify.filters.amp`` looks for (its ``amp_finder``).
_AMPERSAND = re.compile(r"(\s|&nbsp;)(&|&amp;|&\#38;)(\s|&nbsp;)")
# Ignored-tag lists already given once to typogrify: its own function would
# have raised for a list it cannot make a pattern of, whatever the text.
_checked_ignores: set[tuple] = set()


def _unchanged(text, ignore_tags, kwargs) -> bool:
    """True if typogrify's own function would give back ``text`` as it is."""
    if type(text) is not str or not FILTERS.issuperset(kwargs):
        return False
    if any(kwargs.get(name, True) for name in FILTERS - {"amp"}):
        return False
    ignores = tuple(ignore_tags or ())
    if ignores not in _checked_ignores:
        typogrify_filters.process_ignores("", list(ignores))
        _checked_ignores.add(ignores)
    return not kwargs.get("amp", True) or "&" not in text or _AMPERSAND.search(text) is None


def typogrify(text, ignore_tags=None, **kwargs):
    """``typogrify.filters.typogrify``, without the work where it would change nothing."""
    if _unchanged(text, ignore_tags, kwargs):
        return text
    return _ORIGINAL(text, ignore_tags, **kwargs)


def register():
    """Put :func:`typogrify` where Pelican's reader imports it from."""
    typogrify_filters.typogrify = typogrify
