"""kiosk_urls: each article's ``url`` and ``save_as`` worked out once per build.

Pelican formats ``Content.url`` and ``Content.save_as`` from the settings
at every access (``get_url_setting``: the URL pattern, a dict of the
metadata, ``str.format``; about 20 µs for the two), and a build asks for
them many times per article: the writer, the sitemap, kiosk_seo's redirect
check, kiosk_search's shards, the feeds, the related stories. At N = 10,000
that was about half a second of every rebuild (BENCHMARKS.md, lever 68).

From ``article_generator_pretaxonomy`` (every article read, its slug, date,
category, language and status final), the articles the generator holds
answer ``get_url_setting`` from a memo of this build: the first access of
each key computes it with Pelican's own method, later ones return that
string. Other objects go to Pelican's method unchanged. The memo is kept
here, not on the articles, so no article gains an attribute a page could
read or a fingerprint could see; it holds the articles weakly, so they go
when the build lets go of them, and the next build starts with it empty.

Between builds, each value worked out from ``article_generator_pretaxonomy``
on is kept as a note of the article's read (kiosk_readcache's ``ReadNotes``):
a read of the same identity (the same source bytes, settings and code) is
the same article with the same slug, date, category, language and status,
so the next build answers from the note, also before pretaxonomy (Pelican's
``is_valid`` asks every article's ``save_as`` right after reading it). At
N = 10,000 the two took about 0.45 s of every rebuild (BENCHMARKS.md,
sixteenth session).

It also gives the theme ``href(url)``, the link to a page of the site from a
URL Pelican gives relative to ``SITEURL`` ("analysis/", "author/ana-ortiz/"):
the path of ``SITEURL`` with it ("/analysis/" for ``https://kiosk.example``,
"/kiosk/analysis/" for ``https://example.org/kiosk``), so a link works on any
host that serves the output, the live preview's and a staging copy's too. A
URL that is already absolute ("https://…", "mailto:…", "/…") is given as it
is. Every link of every page goes through it: as a Jinja macro it was 8 % of
a cold render at N = 10,000, as this function 0.5 % (py-spy, the lines of each).
"""

import re
from urllib.parse import urlsplit
from weakref import WeakKeyDictionary

from markupsafe import Markup
from pelican import signals
from pelican.contents import Content

from kiosk_content import every_article
from kiosk_escape import escape, markup
from kiosk_readcache.notes import READ_RECORD, ReadRecord

__all__ = ["register"]

NOTE = "kiosk_urls:"  # a read's note about its article's url is "kiosk_urls:url"

# Pelican's method, also if this module is imported again after it replaced it.
_pelican_get_url_setting = getattr(Content.get_url_setting, "pelican_method",
                                   Content.get_url_setting)  # fmt: skip
# article -> {key: value}, for the articles of the build in progress.
_memo: WeakKeyDictionary = WeakKeyDictionary()


def get_url_setting(self, key: str) -> str:
    """Pelican's ``Content.get_url_setting``, answered once per article and key."""
    values = _memo.get(self)
    value = values.get(key) if values is not None else None
    if value is not None:
        return value
    record = self.__dict__.get(READ_RECORD)
    if type(record) is not ReadRecord:
        record = None
    value = record.known.get(NOTE + key) if record is not None else None
    if value is None:
        value = _pelican_get_url_setting(self, key)
        if values is not None and record is not None:  # final from pretaxonomy on
            record.note(NOTE + key, value)
    if values is not None:
        values[key] = value
    return value


get_url_setting.pelican_method = _pelican_get_url_setting


def _remember(generator):
    for article in every_article(generator):
        _memo[article] = {}


def _forget(*_args, **_kwargs):
    _memo.clear()


# --- href(url), the theme's links ----------------------------------------------------
_GIVEN = ("https://", "http://", "mailto:", "/")  # absolute already: as it is
_NEEDS_ESCAPING = re.compile("[&<>\"']").search


def make_href(settings):
    """The theme's ``href(url)`` for a build with ``settings`` (see the module docstring)."""
    prefix = str(escape(urlsplit(settings.get("SITEURL") or "").path.rstrip("/") + "/"))

    def href(url) -> Markup:
        """The link to ``url``, escaped for an attribute value."""
        if type(url) is str and _NEEDS_ESCAPING(url) is None:
            # markupsafe's Markup() was a third of the function's time.
            return markup(url if url.startswith(_GIVEN) else prefix + url)
        if isinstance(url, str) and url.startswith(_GIVEN):
            return escape(url)
        return Markup(prefix) + escape(url)

    return href


def _install_href(generator):
    env = getattr(generator, "env", None)
    if env is not None:
        env.globals["href"] = make_href(generator.settings)


def register():
    """Answer the articles' URLs from a memo from pretaxonomy on; give the theme ``href``."""
    Content.get_url_setting = get_url_setting
    signals.initialized.connect(_forget)
    signals.article_generator_pretaxonomy.connect(_remember)
    signals.generator_init.connect(_install_href)
