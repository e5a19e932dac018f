"""The home page's running order and the Latest / QiOSK rails.

Editors choose the lead with ``Featured: true``; everything else on the home
page follows from dates. At ``article_generator_finalized`` this plugin puts
in the shared context (so every template, not only ``home.html``, can show
the rails):

- ``home``: a :class:`Home` with
  ``lead`` (the newest featured article, else the newest article),
  ``top`` (the next newest articles that have a top image and are not in the
  QiOSK column, the lead excluded) and
  ``bands`` (``[(region Term, its newest articles)]`` in the editors' region
  order, from kiosk_taxonomies' ``regions``; empty without that plugin);
- ``latest_rail``: the newest articles;
- ``qiosk_rail``: the newest articles of the QiOSK column.

Only published articles count: Pelican keeps drafts, scheduled and hidden
articles out of ``generator.articles``.

Settings: ``KIOSK_HOME = {"top_count": 6, "band_size": 3, "rail_size": 5,
"qiosk_column": "QiOSK"}``.
"""

from dataclasses import dataclass, field
from operator import attrgetter
from types import MappingProxyType

from pelican import signals

from kiosk_settings import given_settings

__all__ = ["Home", "register"]

DEFAULTS = MappingProxyType(
    {"top_count": 6, "band_size": 3, "rail_size": 5, "qiosk_column": "QiOSK"}
)


def plugin_settings(settings):
    """Return KIOSK_HOME merged over the defaults; reject unknown keys."""
    given = given_settings(settings, "KIOSK_HOME", DEFAULTS)
    return {**DEFAULTS, **given}


@dataclass(frozen=True)
class Home:
    """The home page's stories, in the order the page shows them."""

    lead: object
    top: list = field(default_factory=list)
    bands: list = field(default_factory=list)


def is_featured(article):
    # Pelican hands header values over as strings; a plugin may have made it a bool.
    return str(getattr(article, "featured", "")).strip().lower() == "true"


def has_top_image(article):
    # kiosk_figures' top_image when it runs, else the raw Image: header.
    return bool(getattr(article, "top_image", None) or getattr(article, "image", None))


def in_column(article, column):
    # str() covers both kiosk_taxonomies' Term and the raw header string.
    return str(getattr(article, "column", None) or "") == column


def build_home(articles, regions, options):
    """Return the :class:`Home` for ``articles`` (published, any order)."""
    newest = sorted(articles, key=attrgetter("date"), reverse=True)
    if not newest:
        return Home(lead=None)
    lead = next((a for a in newest if is_featured(a)), newest[0])
    top = [
        a
        for a in newest
        if a is not lead and has_top_image(a) and not in_column(a, options["qiosk_column"])
    ][: options["top_count"]]
    bands = [(region, region.articles[: options["band_size"]]) for region in regions]
    return Home(lead=lead, top=top, bands=bands)


def add_home_context(generator):
    """Compute the home page and the rails into the shared context."""
    options = plugin_settings(generator.settings)
    articles = generator.articles
    newest = sorted(articles, key=attrgetter("date"), reverse=True)
    size = options["rail_size"]
    context = generator.context
    context["home"] = build_home(articles, context.get("regions", []), options)
    context["latest_rail"] = newest[:size]
    context["qiosk_rail"] = [a for a in newest if in_column(a, options["qiosk_column"])][:size]


def register():
    signals.article_generator_finalized.connect(add_home_context)
