"""Shared page chrome: a partial rendered once per build for each set of values it reads.

The header, the footer and the rails are the same on thousands of pages (the
header differs only by the section, region or column it marks as current).
A template writes ``{{ shared("partials/footer.html") }}`` where it would
include the partial; :meth:`Fragments.render` renders the partial with the
page's context, recording every name it reads (as the render memo records a
page's), and keeps the text under the fingerprints of those names' values.
The next page whose values of those names have the same fingerprints gets
the kept text: the same code and the same values read make the same reads
and the same text (the render memo's argument, memo.py, for a part of a page).

A shared partial sees the page's context (with the calling template's
top-level ``{% set %}`` values, which Jinja keeps there) and nothing else: not
the local variables of the template that calls it (a ``{% set %}`` inside a
block, a loop variable), which an ``{% include %}`` would pass. So
everything it reads is in the values its key is made from.

The names a partial read are added to the page's own record, so the page's
key covers them exactly as if the partial had been included. In check mode
(``KIOSK_INCREMENTAL["check"]``) every kept text is rendered again and
compared, and a difference fails the build.

A macro call can be shared too: ``{{ shared_call(story_card, a, "list",
lazy=true) }}`` calls ``story_card(a, "list", lazy=true)`` once per build for
each story (its first argument, taken by identity) and each set of other
arguments, and gives that text to every later call with the same ones. A
story's card is the same on each listing that shows it (its section, region,
tags, authors, the latest pages: at N = 10,000, 60,011 of 78,227 calls were
reused), and the cards were most of a listing page's render. A macro imported without context reads
only its arguments and the environment's globals, whose values are the
build's; the story does not change while pages are written. The names the
call read are added to the page's record, as a partial's are, and in check
mode every reused text is made again and compared.

Without the render memo (``KIOSK_INCREMENTAL["enabled"] = False``, or a
template rendered outside a build) ``shared`` renders the partial each time
and ``shared_call`` calls the macro each time.
"""

from __future__ import annotations

import logging

from jinja2 import pass_context, pass_environment
from markupsafe import Markup

from .fingerprint import _h
from .memo import _RECORDING, MISSING

logger = logging.getLogger(__name__)


class Fragments:
    """One build's shared partials: texts by partial and fingerprints of the values read."""

    def __init__(self, fingerprints, check: bool = False, mismatches=None):
        self.of = fingerprints.of
        self.check = check
        self.mismatches = [] if mismatches is None else mismatches
        # partial -> the distinct sets of names its renders read, as sorted tuples
        self.reads: dict[str, list[tuple]] = {}
        self.texts: dict[str, str] = {}  # key -> text
        self.rendered = 0
        self.reused = 0
        # (where the macro is, its name, id of the first argument, the other arguments)
        # -> (text, names read, that argument and the macro: kept alive, so that no
        # other object takes either id while the key is in use)
        self.calls: dict[tuple, tuple] = {}
        self.calls_made = 0
        self.calls_reused = 0

    def release(self) -> None:
        """The build is over: let go of the rendered texts."""
        self.reads, self.texts, self.calls = {}, {}, {}

    def _key(self, name: str, names: tuple, values: dict) -> str:
        of = self.of
        return _h(name, *[f"{n}={of(values[n]) if n in values else MISSING}" for n in names])

    def render(self, template, values: dict) -> str:
        name = template.name
        for names in self.reads.get(name, ()):
            text = self.texts.get(self._key(name, names, values))
            if text is not None:
                self.reused += 1
                if _RECORDING:
                    _RECORDING[-1].update(names)
                if self.check:
                    self._check(template, values, text)
                return text
        text, names = _render_recording(template, values)
        known = self.reads.setdefault(name, [])
        if names not in known:
            known.append(names)
        self.texts[self._key(name, names, values)] = text
        self.rendered += 1
        return text

    def call(self, macro, args: tuple, kwargs: dict) -> str:
        """``macro(*args, **kwargs)``, made once per build for the same arguments."""
        try:
            # The macro by its template file, line and name: each generator has its
            # own environment, hence its own Macro object, made from the same
            # source with the same globals (check mode compares the texts all the
            # same). A template without a file (from a string) by the object.
            code = macro._func.__code__
            where = (code.co_filename, code.co_firstlineno)
            if code.co_filename == "<template>":
                where = id(macro)
            key = (where, macro.name, id(args[0]), args[1:], tuple(sorted(kwargs.items())))
            found = self.calls.get(key)
        except (IndexError, TypeError, AttributeError):  # no argument or not a key; not a macro
            return macro(*args, **kwargs)
        if found is not None:
            text, names = found[:2]
            self.calls_reused += 1
            if _RECORDING:
                _RECORDING[-1].update(names)
            if self.check:
                fresh, _ = _call_recording(macro, args, kwargs)
                if fresh != text:
                    self.mismatches.append(macro.name)
                    logger.error("kiosk_incremental: the shared call of macro %s differs from "
                                 "a fresh one (it reads something besides its arguments)",
                                 macro.name)  # fmt: skip
            return text
        text, names = _call_recording(macro, args, kwargs)
        self.calls[key] = (text, names, args[0], macro)
        self.calls_made += 1
        return text

    def _check(self, template, values: dict, text: str) -> None:
        fresh, _ = _render_recording(template, values)
        if fresh != text:
            self.mismatches.append(template.name)
            logger.error(
                "kiosk_incremental: %s: the shared text differs from a fresh render "
                "(a value the partial reads is missing from its key)",
                template.name,
            )


def _recording(function, *args, **kwargs) -> tuple[str, tuple]:
    """``function(*args, **kwargs)`` and the names it read, sorted (also added to the
    record of the page being rendered)."""
    _RECORDING.append(set())
    try:
        text = function(*args, **kwargs)
    finally:
        names = _RECORDING.pop()
    if _RECORDING:
        _RECORDING[-1].update(names)
    return text, tuple(sorted(names))


def _render_recording(template, values: dict) -> tuple[str, tuple]:
    """The partial's text and the names its render read."""
    return _recording(template.render, values)


def _call_recording(macro, args: tuple, kwargs: dict) -> tuple[str, tuple]:
    """The macro's text and the names it read."""
    return _recording(macro, *args, **kwargs)


@pass_environment
def shared_call(environment, macro, *args, **kwargs) -> Markup:
    """Template global: ``macro(*args, **kwargs)``, shared by the pages of a build."""
    fragments = getattr(environment, "kiosk_fragments", None)
    if fragments is None:
        return macro(*args, **kwargs)
    return fragments.call(macro, args, kwargs)


@pass_context
def shared(context, name: str) -> Markup:
    """Template global: the partial ``name`` rendered with this page's context."""
    environment = context.environment
    template = environment.get_template(name)
    values = context.get_all()
    fragments = getattr(environment, "kiosk_fragments", None)
    if fragments is None:
        return Markup(template.render(values))
    return Markup(fragments.render(template, values))
