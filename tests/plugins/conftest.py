"""Tiny sites for plugin tests.

``make_site`` writes a handful of Markdown files (and, if a test wants to see
what a plugin computed, a few Jinja templates) into ``tmp_path``, builds them
with the project's real ``pelicanconf.py`` and returns the output folder. The
test then reads that folder as a reader or a feed reader would.

Templates missing from the test theme fall back to Pelican's ``simple`` theme,
so a test only writes the pages it looks at. The project's own ``theme/`` is
deliberately not used: plugin tests must not break when a template changes.
"""

import functools
import gc
from pathlib import Path

import blinker
import pytest
from pelican import Pelican
from pelican.settings import read_settings

SETTINGS_FILE = Path(__file__).resolve().parents[2] / "pelicanconf.py"

# Page kinds of pelicanconf.py and Kiosk's plugins that the simple theme lacks.
_MINIMAL_TEMPLATES = {
    f"{name}.html": f"<!doctype html><title>{name}</title><main>{name}</main>"
    for name in ("home", "search", "notfound", "region", "column", "series")
}


def header(body="Body text.", **fields):
    """Return a Markdown source with Pelican's ``Key: value`` header.

    ``image_alt="…"`` becomes ``Image_Alt: …``; ``None`` values are left out.
    """
    lines = [
        f"{'_'.join(part.capitalize() for part in key.split('_'))}: {value}"
        for key, value in fields.items()
        if value is not None
    ]
    return "\n".join(lines) + "\n\n" + body + "\n"


def _disconnect_plugin_receivers():
    # Pelican's signals are process-wide, so a plugin registered by an earlier
    # test would otherwise still run in this one.
    for signal in list(blinker.default_namespace.values()):
        for receiver in list(signal.receivers_for(blinker.ANY)):
            signal.disconnect(receiver)
    # pelican-sitemap's module-level generator waits for the first build it saw
    # to finish: after an earlier test's failed build it would write no
    # sitemap. kiosk_seo resets it at ``initialized``; a test site without
    # kiosk_seo gets the same here.
    from pelican.plugins.sitemap.sitemap import generator as sitemap

    sitemap._main_pelican = None
    sitemap.page_queue = []


def build_site(root, files, plugins=(), settings=None, templates=None):
    """Write a tiny site under ``root``, build it and return the output Path.

    ``files`` maps paths under ``content/`` (``"articles/a.md"``,
    ``"authors/ana-ortiz.md"``, ``"images/x.jpg"``) to text or bytes;
    ``templates`` maps template file names to Jinja source.
    """
    root = Path(root)
    content = root / "content"
    for relative, data in files.items():
        target = content / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            target.write_bytes(data)
        else:
            target.write_text(data, encoding="utf-8")
    theme = root / "theme"
    (theme / "templates").mkdir(parents=True, exist_ok=True)
    for name, text in {**_MINIMAL_TEMPLATES, **(templates or {})}.items():
        (theme / "templates" / name).write_text(text, encoding="utf-8")
    output = root / "output"
    override = {
        "PATH": str(content),
        "OUTPUT_PATH": str(output),
        "THEME": str(theme),
        "PLUGINS": list(plugins),
        "CACHE_CONTENT": False,
        "LOAD_CONTENT_CACHE": False,
        **(settings or {}),
    }
    _disconnect_plugin_receivers()
    Pelican(read_settings(path=str(SETTINGS_FILE), override=override)).run()
    gc.unfreeze()  # as tasks.build_site's last kiosk_memory.release does
    return output


@pytest.fixture
def make_site(tmp_path):
    """Return ``build(files, plugins=…, settings=…, templates=…) -> output Path``.

    See :func:`build_site`; a module-scoped fixture can call that directly
    with a folder from ``tmp_path_factory`` to share one build between tests.
    """
    return functools.partial(build_site, tmp_path)


def spy(monkeypatch, owner, name, note):
    """Replace ``owner.name`` by a function that calls ``note`` with its arguments,
    then the original, whose result it returns."""
    real = getattr(owner, name)

    def spying(*args, **kwargs):
        note(*args, **kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, spying)
