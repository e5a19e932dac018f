"""Jinja's autoescaping, the same bytes at a third of the cost. Not a Pelican plugin.

With autoescape on, every ``{{ value }}`` of a template goes through
``markupsafe.escape``, which since MarkupSafe 3 is Python code: the C
function that replaces ``& < > ' "``, then ``Markup(text)``, whose
``__new__`` is Python again. A cold build at N = 10,000 makes millions of
those calls, about 2.4 s of CPU in its profile (py-spy; BENCHMARKS.md,
lever 127), more than half of it in ``Markup.__new__``.

:func:`escape` returns exactly what ``markupsafe.escape`` returns (a
``Markup`` of the same text; tests/plugins/test_escape.py compares the two on
any text), but makes the ``Markup`` with ``str.__new__``, as kiosk_urls'
``href`` does. :class:`EscapingTemplate` puts it in place of the ``escape``
that a compiled template imports from ``jinja2.runtime``, in that template's
own namespace: nothing else in the process changes. kiosk_incremental makes
it the template class of the theme's environment (its ``MemoTemplate`` is
one too).
"""

from __future__ import annotations

from functools import partial

import jinja2
from markupsafe import Markup
from markupsafe import escape as markupsafe_escape

try:  # the C function markupsafe.escape itself calls
    from markupsafe._speedups import _escape_inner
except ImportError:  # a MarkupSafe without it (or laid out otherwise): its own escape
    _escape_inner = None

__all__ = ["EscapingTemplate", "escape", "markup"]

# Markup(text) for a str (no ``__html__`` to call), without markupsafe's
# Python-level constructor; kiosk_urls' ``href`` makes its links with it too.
markup = partial(str.__new__, Markup)


def _escape(value, /) -> Markup:
    if type(value) is str:
        return markup(_escape_inner(value))
    if type(value) is Markup:
        return value  # markupsafe: Markup(value.__html__()), an equal Markup
    if hasattr(value, "__html__"):
        html = value.__html__()
        return markup(html.__html__() if hasattr(html, "__html__") else html)
    return markup(_escape_inner(str(value)))


escape = markupsafe_escape if _escape_inner is None else _escape


class EscapingTemplate(jinja2.Template):
    """A template whose compiled code escapes with :func:`escape`."""

    @classmethod
    def from_code(cls, environment, code, globals, uptodate=None):  # noqa: A002 - Jinja's name
        # As jinja2.Template.from_code, with one name of the namespace replaced
        # between running the module code (its imports) and taking its functions.
        namespace = {"environment": environment, "__file__": code.co_filename}
        exec(code, namespace)  # noqa: S102 - Jinja's compiled template, as Jinja does
        if namespace.get("escape") is markupsafe_escape:
            namespace["escape"] = escape
        template = cls._from_namespace(environment, namespace, globals)
        template._uptodate = uptodate
        return template
