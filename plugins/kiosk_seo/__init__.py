"""kiosk_seo: how search engines, news aggregators and social networks see Kiosk.

- Every template gets a ``kiosk_seo()`` Jinja global returning the page's
  ``PageHead`` (title, description, canonical URL, OpenGraph, Twitter card,
  JSON-LD); ``theme/templates/partials/meta.html`` prints it.
- A generator writes ``/news-sitemap.xml`` (articles of the last 48 hours),
  ``/robots.txt`` naming both sitemaps, a redirect page for every ``Aliases:``
  path and the ``_redirects`` file. ``/sitemap.xml`` is pelican-sitemap's
  (its listing pages dated by their newest article, its dates formatted
  without Pelican's slow ``strftime``).

Settings: ``KIOSK_SEO`` (see ``settings.DEFAULTS``).
"""

import datetime
import os

from jinja2 import pass_context
from pelican import signals
from pelican.plugins.sitemap import sitemap as _sitemap_module
from pelican.utils import sanitised_join

from .crawlers import build_time, news_sitemap, recent_articles, robots_txt
from .head import PageHead, page_head
from .redirects import redirect_map, redirect_page, redirects_file, save_as
from .settings import seo_settings

__all__ = ["DiscoveryGenerator", "PageHead", "page_head", "register"]


class DiscoveryGenerator:
    """Writes the crawler files once every article and page is known."""

    def __init__(self, context, settings, path, theme, output_path, **_ignored):
        self.context = context
        self.settings = settings
        self.output_path = output_path

    def _write(self, relative, data):
        path = sanitised_join(self.output_path, relative)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        mode, encoding = ("wb", None) if isinstance(data, bytes) else ("w", "utf-8")
        with open(path, mode, encoding=encoding) as handle:
            handle.write(data)

    def generate_output(self, writer):
        config = seo_settings(self.settings)
        articles = self.context.get("articles", [])
        recent = recent_articles(articles, build_time(), config["news_window_hours"])
        self._write(config["news_sitemap"], news_sitemap(self.settings, recent))
        self._write("robots.txt", robots_txt(self.settings, config))
        contents = [
            *articles,
            *self.context.get("hidden_articles", []),
            *self.context.get("pages", []),
            *self.context.get("hidden_pages", []),
        ]
        taken = {"/" + item.url.lstrip("/") for item in contents}
        redirects = redirect_map([*articles, *self.context.get("hidden_articles", [])], taken)
        for old, article in redirects.items():
            self._write(save_as(old), redirect_page(self.settings, article))
        if config["redirects_file"]:
            self._write(config["redirects_file"], redirects_file(redirects))


def _check_settings(pelican):
    # Fail before anything is read, not halfway through writing.
    seo_settings(pelican.settings)


def _install_head_global(generator):
    env = getattr(generator, "env", None)
    if env is None:
        return
    settings = generator.settings

    @pass_context
    def kiosk_seo(context):
        """The ``PageHead`` of the page being rendered."""
        return page_head(settings, context)

    env.globals["kiosk_seo"] = kiosk_seo


def _stable_sitemap_dates(generator):
    """Date listing pages in /sitemap.xml by the newest article, not by the clock.

    pelican-sitemap gives pages without a date of their own (home, sections,
    tags) the time its module was imported, so two builds of the same content
    differed (issue 7: reproducible builds). A listing changes when its
    newest article does, which is also the truer ``lastmod``.
    """
    try:
        from pelican.plugins.sitemap.sitemap import generator as sitemap
    except ImportError:
        return
    dates = [getattr(a, "modified", None) or a.date for a in generator.articles]
    if dates:
        sitemap.now = max(dates)


def _sitemap_date(date) -> str:
    """pelican-sitemap's ``format_date``, with datetime's own ``strftime``.

    Pelican's ``SafeDatetime.strftime`` takes the format apart in Python at
    every call (for ``%-d`` and locales), and /sitemap.xml dates every page
    twice: 36,000 calls, ≈ 0.4 s of every build at N = 10,000. These two
    formats have nothing it handles differently; the strings are the same
    (tests/plugins/test_seo.py checks them against pelican-sitemap's).
    """
    if not isinstance(date, datetime.datetime):
        return _pelican_sitemap_date(date)
    strftime = datetime.datetime.strftime
    if date.tzinfo:
        zone = strftime(date, "%z")
        zone = zone[:-2] + ":" + zone[-2:]
    else:
        zone = "-00:00"
    return strftime(date, "%Y-%m-%dT%H:%M:%S") + zone


# pelican-sitemap's function, also if this module is imported again after it was replaced.
_pelican_sitemap_date = getattr(_sitemap_module.format_date, "pelican_sitemap_function",
                                _sitemap_module.format_date)  # fmt: skip
_sitemap_date.pelican_sitemap_function = _pelican_sitemap_date


def _forget_failed_sitemap(pelican):
    """Start pelican-sitemap afresh for this build.

    Its module-level generator remembers the first build that started and
    writes /sitemap.xml only when *that* build finishes; a build that failed
    in the same process (livereload after a content error, tests) never
    finishes, so every later build silently had no sitemap.
    """
    try:
        from pelican.plugins.sitemap.sitemap import generator as sitemap
    except ImportError:
        return
    sitemap._main_pelican = None
    sitemap.page_queue = []


def _generators(pelican):
    return DiscoveryGenerator


def register():
    """Connect kiosk_seo to Pelican's signals."""
    _sitemap_module.format_date = _sitemap_date
    signals.initialized.connect(_check_settings)
    signals.initialized.connect(_forget_failed_sitemap)
    signals.generator_init.connect(_install_head_global)
    signals.get_generators.connect(_generators)
    signals.article_generator_finalized.connect(_stable_sitemap_dates)
