"""The :class:`Term` of a taxonomy that Pelican does not know: region, column."""

import functools
import os

from pelican.utils import slugify


@functools.total_ordering
class Term:
    """A region or column: a named group of articles with a page and a feed.

    ``url``, ``save_as`` and ``feed_url`` are relative to SITEURL, like
    Pelican's own Category and Tag URLs. Terms sort in the order the settings
    list them (``REGIONS``, ``COLUMNS``), which is the editors' order, not the
    alphabet.
    """

    def __init__(self, kind, name, order, settings, feed_pattern=None):
        self.kind = kind
        self.name = name
        self.order = order
        self.slug = slugify(
            name,
            regex_subs=settings.get("SLUG_REGEX_SUBSTITUTIONS", []),
            preserve_case=settings.get("SLUGIFY_PRESERVE_CASE", False),
            use_unicode=settings.get("SLUGIFY_USE_UNICODE", False),
        )
        prefix = kind.upper()
        self.url = settings[f"{prefix}_URL"].format(slug=self.slug)
        self.save_as = settings[f"{prefix}_SAVE_AS"].format(slug=self.slug)
        # Pelican's paginator and templates build "page 2" links from this.
        self.page_name = os.path.splitext(self.url)[0]
        self.feed_url = feed_pattern.format(slug=self.slug) if feed_pattern else None
        self.description = settings.get(f"{prefix}_DESCRIPTIONS", {}).get(name)
        # Published articles only, newest first; filled by the plugin.
        self.articles = []

    def kiosk_fingerprint(self):
        """What a page can show of a term (kiosk_incremental): not its article
        list, which templates never read from the term; a listing page gets
        its articles as ``articles``."""
        return (self.kind, self.name, self.order, self.slug, self.url, self.save_as,
                self.page_name, self.feed_url, self.description)  # fmt: skip

    def _key(self):
        return (self.kind, self.order, self.slug)

    def __eq__(self, other):
        if not isinstance(other, Term):
            return NotImplemented
        return (self.kind, self.slug) == (other.kind, other.slug)

    def __lt__(self, other):
        if not isinstance(other, Term):
            return NotImplemented
        return self._key() < other._key()

    def __hash__(self):
        return hash((self.kind, self.slug))

    def __str__(self):
        return self.name

    def __repr__(self):
        return f"<Term {self.kind} {self.name!r}>"
