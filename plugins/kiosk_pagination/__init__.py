"""kiosk_pagination: page links that stay short however deep the archive.

Listing pages (latest, sections, regions, columns, tags, authors) are
paginated by Pelican and link to other pages of the same listing by number.
Linking to every number grows with the archive on every page: at 10,000
articles ``/latest/`` has 1,000 pages, each carrying 1,000 links (117 kB of
HTML per page, 117 MB in all, and a wall of buttons on a phone). Readers get
the first and the last page, the current one with ``around`` pages either
side, and a gap (``None``) where numbers are skipped; a gap that would hide a
single number shows that number instead. At most ``2 * around + 5`` entries.

Templates call the Jinja global ``page_window(articles_paginator,
articles_page)`` (``partials/pagination.html``).

Settings: ``KIOSK_PAGINATION`` (see ``DEFAULTS``).
"""

from types import MappingProxyType

from pelican import signals

from kiosk_settings import given_settings

__all__ = ["page_numbers", "page_window", "register"]

DEFAULTS = MappingProxyType({"around": 2})


def pagination_settings(settings):
    config = {**DEFAULTS, **given_settings(settings, "KIOSK_PAGINATION", DEFAULTS)}
    if not isinstance(config["around"], int) or config["around"] < 1:
        raise ValueError(f"KIOSK_PAGINATION: around must be a whole number ≥ 1, "
                         f"not {config['around']!r}")  # fmt: skip
    return config


def register():
    signals.initialized.connect(_check_settings)
    signals.generator_init.connect(_install_global)


def _check_settings(pelican):
    pagination_settings(pelican.settings)


def _install_global(generator):
    env = getattr(generator, "env", None)
    if env is not None:
        env.globals["page_window"] = page_window


def page_numbers(current: int, last: int, around: int) -> list[int | None]:
    """The page numbers to link from page ``current`` of ``last``; None is a gap."""
    shown = {1, last, *range(max(1, current - around), min(last, current + around) + 1)}
    numbers: list[int | None] = []
    for number in sorted(shown):
        if numbers and number - numbers[-1] == 2:
            numbers.append(number - 1)  # a gap of one number: show it
        elif numbers and number - numbers[-1] > 2:
            numbers.append(None)
        numbers.append(number)
    return numbers


def page_window(paginator, page) -> list:
    """Pelican ``Page`` objects to link from ``page``, with None for each gap."""
    around = pagination_settings(paginator.settings)["around"]
    numbers = page_numbers(page.number, paginator.num_pages, around)
    return [None if n is None else page if n == page.number else paginator.page(n)
            for n in numbers]  # fmt: skip
