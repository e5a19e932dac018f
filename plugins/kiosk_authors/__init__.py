"""Author profiles: ``content/authors/<slug>.md`` attached to Pelican's authors.

An article's byline is a list of Pelican ``Author`` objects made from names.
This plugin reads one profile per author (the header format of articles:
``Name``, ``Role``, ``Photo``, ``Photo_Credit``, ``Website``, ``Twitter``,
``Bluesky``, ``Mastodon``, then a Markdown bio), matches bylines to profiles by
name, and on every matching ``Author`` sets

- ``author.profile``: a :class:`Profile` (name, slug, role, bio_html, photo,
  links), and
- ``author.slug``: the profile's file name, so ``/author/<slug>/`` and
  ``/feeds/author/<slug>.atom.xml`` follow the file, not the spelling of the name.

It runs at ``article_generator_pretaxonomy`` because Pelican groups articles by
author (keyed on the slug) right after that signal; a slug changed later would
split or misfile author pages. The context gets ``authors_by_slug``: every
profile, bylined or not, by slug. At ``article_generator_finalized`` a profile
with no published article yet joins Pelican's author list with no articles, so
that every author has a page (CONTENT.md), a new contributor's included.

Settings: ``KIOSK_AUTHORS = {"path": "authors"}`` (folder under ``PATH``).
"""

import logging
from functools import partial
from pathlib import Path
from types import MappingProxyType

from pelican import signals
from pelican.urlwrappers import Author

import kiosk_standby
from kiosk_content import every_article
from kiosk_settings import given_settings

from .profiles import Profile, read_profile

__all__ = ["Profile", "register"]

logger = logging.getLogger(__name__)

DEFAULTS = MappingProxyType({"path": "authors"})


def plugin_settings(settings):
    """Return KIOSK_AUTHORS merged over the defaults; reject unknown keys."""
    given = given_settings(settings, "KIOSK_AUTHORS", DEFAULTS)
    return {**DEFAULTS, **given}


def _profile_files(settings):
    return sorted((Path(settings["PATH"]) / plugin_settings(settings)["path"]).glob("*.md"))


def read_profiles(settings):
    """Read every profile under PATH/<path>/ and return them by slug (those a
    standby build read before the save, if unchanged: kiosk_standby)."""
    read = partial(read_profile, settings=settings)
    return {path.stem: kiosk_standby.reading(path, read) for path in _profile_files(settings)}


def read_profiles_ahead(generator):
    """A standby build's step: every profile read before the save."""
    read = partial(read_profile, settings=generator.settings)
    for path in _profile_files(generator.settings):
        kiosk_standby.read_ahead(path, read)


def attach_profiles(generator):
    """Give every byline of every article (drafts and hidden too) its profile."""
    profiles = read_profiles(generator.settings)
    by_name = {profile.name: profile for profile in profiles.values()}
    contents = every_article(generator)
    for article in contents:
        # Pelican makes a new Author per article, so each one is updated.
        for author in getattr(article, "authors", []):
            profile = by_name.get(author.name)
            if profile is None:
                # kiosk_editorial reports this as an error; without it, keep
                # building with Pelican's own slug rather than stopping here.
                logger.warning("%s: no author profile for %r", article.source_path, author.name)
                author.profile = None
                continue
            author.profile = profile
            author.slug = profile.slug
    generator.context["authors_by_slug"] = profiles


def list_every_profile(generator):
    """Add the profiles no published article names to the authors to write."""
    listed = {author.slug for author, _articles in generator.authors}
    for slug, profile in generator.context.get("authors_by_slug", {}).items():
        if slug not in listed:
            author = Author(profile.name, generator.settings)
            author.slug = slug
            author.profile = profile
            generator.authors.append((author, []))
    # The context holds this same list, so sorting in place keeps them in step.
    generator.authors.sort()


def register():
    signals.article_generator_pretaxonomy.connect(attach_profiles)
    signals.article_generator_finalized.connect(list_every_profile)
    kiosk_standby.get_ready(read_profiles_ahead)
