"""Kiosk: development settings (``invoke build``).

Every default the site and its templates rely on lives here, not in Jinja.
``publishconf.py`` imports this file and changes only what production needs.
The URL scheme below is the contract of ``shared/CONTENT.md``: permalinks, so
change it only with a redirect plan.
"""

SITENAME = "Kiosk"
SITE_TAGLINE = "Foreign policy, analysis and reporting from every region"
SITE_DESCRIPTION = (
    "Kiosk is an independent magazine of international affairs: analysis, "
    "reporting and the QiOSK column of short news, filed by region."
)
AUTHOR = "Kiosk"
SITEURL = ""
RELATIVE_URLS = False
TIMEZONE = "Europe/Brussels"
DEFAULT_LANG = "en"
LOCALE = ("C.UTF-8", "C")
DEFAULT_DATE_FORMAT = "%B %-d, %Y"

PATH = "content"
OUTPUT_PATH = "output"
THEME = "theme"
ARTICLE_PATHS = ["articles"]
PAGE_PATHS = ["pages"]
# Author profiles (content/authors/) are read by the kiosk_authors plugin, not
# as articles or pages.
STATIC_PATHS = ["images", "extra"]
EXTRA_PATH_METADATA = {
    "extra/favicon.svg": {"path": "favicon.svg"},
}
USE_FOLDER_AS_CATEGORY = False
DELETE_OUTPUT_DIRECTORY = True
WITH_FUTURE_DATES = False
SLUGIFY_SOURCE = "title"
# CONTENT.md: without a Summary, the teaser is the body's first paragraph, whole.
SUMMARY_MAX_PARAGRAPHS = 1
SUMMARY_MAX_LENGTH = None

# --- Editorial vocabulary (CONTENT.md). Validation reads these lists. ---------
SECTIONS = ["Analysis", "Reporting", "Opinion", "Review", "Interview", "Media"]
REGIONS = [
    "Africa",
    "Asia-Pacific",
    "Europe",
    "Latin America",
    "Middle East",
    "North America",
    "Global",
]
COLUMNS = ["QiOSK"]
# Header keys an editor may use beyond those of CONTENT.md (none by default).
EDITORIAL_EXTRA_KEYS = []

SECTION_DESCRIPTIONS = {
    "Analysis": "Arguments built on evidence: what is happening, why, and what comes next.",
    "Reporting": "Dispatches from the places where policy meets the people it governs.",
    "Opinion": "Signed positions from writers who make a case and defend it.",
    "Review": "Books, films and reports on world affairs, weighed and compared.",
    "Interview": "Long conversations with people who make or study foreign policy.",
    "Media": "How the world's news is made, bought, censored and believed.",
}
REGION_DESCRIPTIONS = {
    "Africa": "From the Sahel to the Cape: governance, trade, security and the new scramble for influence.",
    "Asia-Pacific": "The region where the century's balance of power is being settled, strait by strait.",
    "Europe": "A union tested by war on its border, energy shocks and its own enlargement.",
    "Latin America": "Democracies under strain, commodity booms and busts, and a hemisphere hedging its bets.",
    "Middle East": "Wars, truces and the diplomacy that runs between them.",
    "North America": "The foreign policy of the United States, Canada and Mexico, and the politics behind it.",
    "Global": "Institutions, markets, climate and technology: the questions no single region owns.",
}
SERIES_DESCRIPTIONS = {
    "Diplomacy Watch": "Reporting from the rooms where wars are paused and deals are made: ceasefire talks, prisoner exchanges and the negotiators in between.",
    "The Energy Map": "How gas, minerals and power lines are redrawing the world's alliances, one supply route at a time.",
}
COLUMN_DESCRIPTIONS = {
    "QiOSK": "Short news and briefs: what happened today and why it matters, in a few hundred words.",
}

# --- URLs (CONTENT.md "URLs"). Each page is written as .../index.html. --------
ARTICLE_URL = "{slug}/"
ARTICLE_SAVE_AS = "{slug}/index.html"
DRAFT_URL = "drafts/{slug}/"
DRAFT_SAVE_AS = "drafts/{slug}/index.html"
PAGE_URL = "{slug}/"
PAGE_SAVE_AS = "{slug}/index.html"
DRAFT_PAGE_URL = "drafts/pages/{slug}/"
DRAFT_PAGE_SAVE_AS = "drafts/pages/{slug}/index.html"
CATEGORY_URL = "section/{slug}/"
CATEGORY_SAVE_AS = "section/{slug}/index.html"
TAG_URL = "tag/{slug}/"
TAG_SAVE_AS = "tag/{slug}/index.html"
AUTHOR_URL = "author/{slug}/"
AUTHOR_SAVE_AS = "author/{slug}/index.html"
REGION_URL = "region/{slug}/"
REGION_SAVE_AS = "region/{slug}/index.html"
COLUMN_URL = "column/{slug}/"
COLUMN_SAVE_AS = "column/{slug}/index.html"
SERIES_URL = "series/{slug}/"
SERIES_SAVE_AS = "series/{slug}/index.html"

# "index" is Pelican's paginated list of every article: our /latest/.
DIRECT_TEMPLATES = ["home", "index", "search", "notfound"]
HOME_URL = ""
HOME_SAVE_AS = "index.html"
INDEX_URL = "latest/"
INDEX_SAVE_AS = "latest/index.html"
SEARCH_URL = "search/"
SEARCH_SAVE_AS = "search/index.html"
NOTFOUND_URL = "404.html"
NOTFOUND_SAVE_AS = "404.html"
ARCHIVES_SAVE_AS = ""
AUTHORS_SAVE_AS = ""
CATEGORIES_SAVE_AS = ""
TAGS_SAVE_AS = ""
YEAR_ARCHIVE_SAVE_AS = ""
MONTH_ARCHIVE_SAVE_AS = ""
DAY_ARCHIVE_SAVE_AS = ""

DEFAULT_PAGINATION = 10
PAGINATED_TEMPLATES = {
    "index": None,
    "tag": None,
    "category": None,
    "author": None,
    "region": None,
    "column": None,
}
PAGINATION_PATTERNS = (
    (1, "{url}", "{save_as}"),
    (2, "{url}{number}/", "{base_name}/{number}/index.html"),
)

# --- Feeds (CONTENT.md). Development builds write them too, so that feed
# links are testable; publishconf.py makes them absolute. -----------------------
# Pelican joins feed URLs onto this, so it must be a string (None crashes the writer).
# Development feeds point at `invoke serve`; publishconf.py uses the real domain.
FEED_DOMAIN = "http://127.0.0.1:8000"
FEED_ALL_ATOM = "feeds/latest.atom.xml"
FEED_ALL_RSS = "feeds/latest.rss.xml"
CATEGORY_FEED_ATOM = "feeds/section/{slug}.atom.xml"
CATEGORY_FEED_RSS = None
AUTHOR_FEED_ATOM = "feeds/author/{slug}.atom.xml"
AUTHOR_FEED_RSS = None
TAG_FEED_ATOM = None
TAG_FEED_RSS = None
TRANSLATION_FEED_ATOM = None
TRANSLATION_FEED_RSS = None
FEED_MAX_ITEMS = 50
RSS_FEED_SUMMARY_ONLY = False

# --- Plugins, in dependency order ------------------------------------------
PLUGIN_PATHS = ["plugins"]
# Each helper-owned line is uncommented when its package lands.
PLUGINS = [
    "kiosk_editorial",  # validation; Section -> category
    "kiosk_readcache",  # each article read once (cache) and on every core
    "kiosk_typogrify",  # typogrify's pass skipped for text it would not change
    "kiosk_authors",  # author.profile
    "kiosk_taxonomies",  # region/column terms, kicker, label, listing pages
    "kiosk_series",  # article.series, series pages
    "kiosk_figures",  # figures with credits, top_image, responsive images
    "kiosk_related",  # article.related teasers
    "kiosk_home",  # home page lead/top/bands, Latest and QiOSK rails
    "kiosk_feeds",  # JSON Feed, region/column/series feeds, rich items
    "kiosk_seo",  # canonical, OpenGraph, JSON-LD, news sitemap, redirects
    "kiosk_termindex",  # Pelican's tag/section/author pages without its quadratic filter
    "kiosk_urls",  # each article's url and save_as worked out once per build
    "kiosk_pagination",  # page links: first, last, current and neighbours, not every number
    "kiosk_incremental",  # a page is rendered again only when what it reads changed
    # At `finalized`: after every plugin that lets go of what rendering needed
    # (kiosk_feeds, kiosk_incremental), before those that run processes beside
    # the build's (Pagefind, publish and verify workers).
    "kiosk_memory",  # bounded content memos; memory given back before the after-build steps
    "kiosk_search",  # Pagefind index after the build
    # After kiosk_incremental (which decides at `get_writer` whether a core idles
    # while rendering) and before kiosk_publish and kiosk_verify, whose stages it
    # runs; its worker goes on beside Pagefind (which keeps ~1.6 of 2 cores busy)
    # and stops at `finalized` here, before publish.
    "kiosk_ahead",  # pages finished (minified, compressed, parsed) on the idle core
    # pelican-sitemap writes /sitemap.xml at `finalized` too: before kiosk_verify reads it.
    "pelican.plugins.sitemap",
    # After every plugin that writes files at `finalized` (Pagefind, sitemap), so
    # that each text file it finds gets minified/fingerprinted and precompressed.
    "kiosk_publish",  # publish only: minify, fingerprint assets, precompress
    # After kiosk_publish, whose fingerprinted asset names _headers lists.
    "kiosk_headers",  # publish only: _headers and .htaccess for static hosts
    "kiosk_verify",  # last: integrity check of the finished site (on in publishconf.py)
]

# --- Markdown and typography --------------------------------------------------
# Markdown is CommonMark with tables, footnotes and smart punctuation, rendered
# by cmark-gfm (plugins/kiosk_markdown.py; what editors may write:
# docs/editors.md). Pelican's MARKDOWN setting is not used.
TYPOGRIFY = True
# Typogrify's widont and caps wrapping change headline text for screen readers
# and search snippets. Its smartypants is not needed: Markdown comes out with
# curly quotes and dashes already (kiosk_markdown), titles too (its reader runs
# smartypants on them); on every sample and benchmark file it changed no byte
# after cmark-gfm, and took half of the reading's time. What is left: `amp`.
TYPOGRIFY_IGNORE_TAGS = ["pre", "code", "script"]
TYPOGRIFY_OMIT_FILTERS = ["widont", "caps", "initial_quotes", "smartypants"]

# --- Templates ----------------------------------------------------------------
# Every value is escaped unless a template says `|safe`, which it says only for
# HTML that Kiosk produced: rendered bodies, titles and summaries (escaped while
# reading, see kiosk_editorial), teaser excerpts, bios and JSON-LD (kiosk_seo).
JINJA_ENVIRONMENT = {
    "trim_blocks": True,
    "lstrip_blocks": True,
    "extensions": [],
    "autoescape": True,
    # Each build makes its own environments, so a template cannot change
    # while one is in use: without this, Jinja checks the file's mtime at
    # every include, import and extends (3.9 % of a cold render at N = 10,000).
    "auto_reload": False,
}

# --- Reader-facing furniture --------------------------------------------------
NEWSLETTER = {
    "title": "The Kiosk Weekly",
    "pitch": "Our weekly round-up of analysis and reporting, every Friday.",
    # The mailing provider's sign-up form, which receives the address by POST
    # (a static host answers none) and sends the confirmation message; its
    # origin is added to the Content-Security-Policy's form-action (kiosk_headers).
    "action": "https://newsletter.kiosk.example/subscribe",
}
SOCIAL = [
    ("X", "https://x.com/kioskmagazine"),
    ("Bluesky", "https://bsky.app/profile/kioskmagazine.bsky.social"),
    ("Mastodon", "https://mastodon.social/@kioskmagazine"),
    ("Facebook", "https://www.facebook.com/kioskmagazine"),
]
PREFERRED_SOURCE = {
    "enabled": True,
    "url": "https://www.google.com/preferences/source?q=kiosk.example",
}

# --- kiosk_seo / sitemap: discovery by search engines and aggregators ----------
# pelican-sitemap: every article, listing and page; lastmod from Modified/Date.
# The search page and the 404 page are not content a crawler should list.
SITEMAP = {
    "format": "xml",
    "exclude": [r"^404\.html$", r"^search/$"],
    "changefreqs": {"articles": "weekly", "indexes": "daily", "pages": "monthly"},
}
