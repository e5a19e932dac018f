"""kiosk_editorial: the editorial contract of shared/CONTENT.md, enforced.

Before Pelican reads anything (signal ``initialized``), every file under
content/ is validated: required keys, configured vocabularies (``SECTIONS``,
``REGIONS``, ``COLUMNS``), ISO dates, unknown keys, images and their alt text
and credit, bylines without a profile, duplicate or reserved slugs, aliases,
``{filename}`` links, empty and non-UTF-8 files. All problems are collected and
raised together as one ``EditorialError`` (one line each,
``path: Field: message``), so an editor fixes a whole batch per build. (The
live preview's standby build, which starts before the editor saves, validates
once told to go, in a forked process beside its reading, and takes the verdict
before it writes anything or when it fails: kiosk_standby.)

While reading (signal ``article_generator_context``), ``Section:`` becomes
Pelican's category, which gives sections their pages and feeds for free.

Header values are text, not HTML (CONTENT.md: "plain text (no HTML)"): the
Markdown files are read (signal ``readers_init``) by a kiosk_markdown reader
that escapes ``<``, ``>`` and ``&`` in the title before it gets typographic
quotes and dashes (kiosk_markdown) and typogrify, and in the Summary before
Markdown renders it (so *emphasis* still works but
raw HTML does not). ``article.title`` and ``article.summary`` are therefore
always HTML-safe, and a headline about ``<script>`` shows those characters,
never runs them. Every other header value is a plain string that templates
escape (Jinja autoescape is on); the Subtitle (dek) gets the headline's curly
quotes and dashes as characters (smartypants), when ``TYPOGRIFY`` is on.

Settings: ``SECTIONS``, ``REGIONS``, ``COLUMNS``, ``EDITORIAL_EXTRA_KEYS``
(header keys allowed beyond CONTENT.md's).
"""

import html
import os
import pickle

import smartypants
from pelican import signals
from pelican.urlwrappers import Category

import kiosk_standby
from kiosk_markdown import MarkdownReader

from . import memo
from .site import EditorialError, Problem, validate_site

__all__ = ["EditorialError", "Problem", "validate_site", "register"]


def validate(pelican):
    _beside.clear()  # an earlier build's in this process, which failed before taking it
    # A build getting ready before the editor's save validates once it goes.
    if not kiosk_standby.defer(lambda: _validate_beside(pelican.settings)):
        problems = validate_site(pelican.settings)
        if problems:
            raise EditorialError(problems)


_beside = []  # the validation running beside this build, until its verdict is taken


def _validate_beside(settings):
    """A standby build, told to go, validates in a forked process while it reads
    (the second core: ≈ 0.2 s of the editor's wait at N = 10,000), and takes the
    verdict before anything is written (``all_generators_finalized``) or when it
    fails first: Pelican's message on a broken file is then replaced by the
    validation's, which names the file and the field."""
    verdict = Verdict(settings)
    _beside.append(verdict)
    kiosk_standby.on_failure(verdict.check)


def verdict_before_writing(*_args):
    while _beside:
        _beside.pop().check()


class Verdict:
    """``validate_site(settings)`` in a forked process; ``check()`` waits for it
    and raises EditorialError if it found problems (in this process, if the
    other one did not answer)."""

    def __init__(self, settings):
        self.settings, self.problems = settings, None
        self.pipe, write_end = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:  # never returns: nothing of the build runs on here
            code = 1
            try:
                os.close(self.pipe)
                with os.fdopen(write_end, "wb") as answer:
                    pickle.dump(validate_site(settings), answer)
                code = 0
            finally:
                os._exit(code)
        os.close(write_end)

    def check(self):
        if self.problems is None:
            with os.fdopen(self.pipe, "rb") as answer:
                data = answer.read()
            _, status = os.waitpid(self.pid, 0)
            try:
                self.problems = pickle.loads(data) if status == 0 else None
            except Exception:  # noqa: BLE001 - no verdict: validate here
                self.problems = None
            if self.problems is None:
                self.problems = validate_site(self.settings)
        if self.problems:
            raise EditorialError(self.problems)


def section_is_category(generator, metadata):
    section = metadata.get("section")
    if section:
        metadata["category"] = Category(section, generator.settings)


class PlainTextHeaderReader(MarkdownReader):
    """Kiosk's Markdown reader, but the title and summary are text, not HTML."""

    def _parse_metadata(self, meta):
        # Summary is rendered as Markdown by the parent: escape raw HTML first.
        meta = {
            name: [html.escape(v, quote=False) for v in values] if name == "summary" else values
            for name, values in meta.items()
        }
        return super()._parse_metadata(meta)

    def process_metadata(self, name, value):
        if name == "title":
            value = html.escape(value, quote=False)
        elif name == "subtitle" and self.settings.get("TYPOGRIFY"):
            # The dek is shown beside the headline, which typogrify gives curly
            # quotes and dashes: the same, as characters, since it stays text.
            value = smartypants.smartypants(value, smartypants.Attr.default | smartypants.Attr.u)
        return super().process_metadata(name, value)


def plain_text_headers(readers):
    # Every Markdown extension, unless the site's READERS chose another reader
    # (or none) for it.
    chosen = readers.settings.get("READERS") or {}
    for extension in PlainTextHeaderReader.file_extensions:
        if extension not in chosen:
            readers.reader_classes[extension] = PlainTextHeaderReader


def no_warning_for_a_replaced_reader(generator):
    # Pelican warns about every file of a reader whose package is missing
    # (Python-Markdown is not installed), even when another reader reads it.
    readers = generator.readers
    for extension in [e for e in readers.disabled_readers if e in readers.readers]:
        del readers.disabled_readers[extension]


def register():
    signals.initialized.connect(validate)
    signals.all_generators_finalized.connect(verdict_before_writing)
    kiosk_standby.get_ready(memo.load_ahead)
    signals.readers_init.connect(plain_text_headers)
    signals.generator_init.connect(no_warning_for_a_replaced_reader)
    signals.article_generator_context.connect(section_is_category)
