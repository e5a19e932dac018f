"""kiosk_verify: the finished site is checked before it replaces the old one.

At ``finalized`` (after every other plugin has written its files, so it must be
last in ``PLUGINS``), ``verify_site`` walks the output folder: every internal
link, image, stylesheet, script, ``srcset`` entry and ``#fragment`` must
resolve (absolute URLs that start with SITEURL count as internal), every page
must parse as HTML without errors a browser would have to repair, and every
feed and sitemap must parse. Any problem raises ``SiteBroken`` listing each
broken thing with its page, which fails the build; ``invoke build`` then
discards the staging folder and the previous ``output/`` stays online.

Off unless ``VERIFY = {"enabled": True}`` (publishconf.py turns it on), so a
development build stays quick. ``invoke verify`` runs the same check on
``output/`` at any time.

Settings: ``VERIFY`` (see ``DEFAULTS``).
"""

from types import MappingProxyType

from kiosk_ahead import add_stage
from kiosk_filecache import forget
from kiosk_settings import given_settings
from kiosk_uptodate import site_finished

from .check import Problem, verify_site

DEFAULTS = MappingProxyType(
    {
        "enabled": False,
        # Regular expressions of references not to check: paths served by
        # another system on the same host (a newsletter endpoint, say).
        "ignore": (),
        # What each page's parse yields, kept by the digest of the page's bytes
        # so that a rebuild parses only pages that changed (relative to the
        # repository, like kiosk_publish's cache). None: no cache.
        "cache_path": ".kiosk-cache/verify",
        # The pages to parse are parsed in new Python processes while the build
        # waits when the build's process holds more than this (MB resident),
        # as kiosk_publish's are: a forked worker copies the pages it shares
        # with a big build as it allocates (at N = 10,000 the cold build's
        # worst moment was verify's forked worker beside the build: 663 MB
        # PSS). 0: always fresh; None: always forked.
        "fresh_workers_above_mb": 256,
    }
)

__all__ = ["DEFAULTS", "Problem", "SiteBroken", "register", "verify_settings", "verify_site"]


class SiteBroken(Exception):
    """The built site has broken things; ``problems`` lists each with its page."""

    def __init__(self, problems):
        self.problems = list(problems)
        noun = "thing" if len(self.problems) == 1 else "things"
        lines = "\n".join(str(problem) for problem in self.problems)
        # The last line is a summary so that a caller may append a sentence to
        # the message without running it into the last problem.
        super().__init__(
            f"{len(self.problems)} broken {noun} in the built site:\n{lines}\n"
            f"Fix the {noun} above and build again"
        )


def verify_settings(settings):
    """Return ``VERIFY`` merged over DEFAULTS, as a new dict; unknown keys fail."""
    given = given_settings(settings, "VERIFY", DEFAULTS)
    return {**DEFAULTS, **given}


def _check_settings(pelican):
    config = verify_settings(pelican.settings)
    if config["enabled"] and config["cache_path"]:
        # Each page rendered early can be parsed while the rest render (kiosk_ahead).
        add_stage("kiosk_verify.cache:ahead_step", (config["cache_path"],))


def _verify(pelican):
    config = verify_settings(pelican.settings)
    if not config["enabled"]:
        return
    # Nothing writes into the site after this: the no-change stamp's walk of it
    # runs beside the check (kiosk_uptodate).
    site_finished(pelican.output_path)
    try:
        problems = verify_site(
            pelican.output_path, pelican.settings.get("SITEURL", ""),
            ignore=config["ignore"], cache_path=config["cache_path"],
            fresh_above_mb=config["fresh_workers_above_mb"],
        )  # fmt: skip
    finally:
        forget()  # kiosk_publish's digests are this build's only
    if problems:
        raise SiteBroken(problems)


def register():
    """Connect kiosk_verify to Pelican's signals."""
    from pelican import signals  # on demand: see kiosk_filecache's docstring

    signals.initialized.connect(_check_settings)
    signals.finalized.connect(_verify)
