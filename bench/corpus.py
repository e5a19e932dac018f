"""A deterministic synthetic magazine for benchmarks: N articles, three formats.

``write_corpus(root, n, seed)`` writes the same magazine three times:

* ``root/kiosk/``   -- a Kiosk ``content/`` folder that follows shared/CONTENT.md
  exactly (sections, regions, the QiOSK column, series, ~80 authors with
  profiles, ~300 tags, top images with alt/caption/credit, inline figures with
  ``caption | credit``, pull quotes, author notes, 800-1,200 words each);
* ``root/pelican/`` -- the same articles for plain Pelican and its default
  theme: ``Category:`` instead of ``Section:``, no Kiosk-only keys;
* ``root/hugo/``    -- a Hugo site (``content/`` with YAML front matter and
  ``static/images/``); bench/run.py adds bench/hugo's config and layouts.

Everything is drawn from one ``random.Random(seed)``, dates are fixed (none
after 2026-11-01, so nothing is "scheduled") and images come from a small pool
drawn once with Pillow by scripts/make_sample_images.py, so the same seed
always gives the same bytes. Why a pool: a real archive has one image per
piece, but resizing 10,000 originals would measure Pillow, not the site
generator; the pool keeps every page realistic and the image work constant.
"""

from __future__ import annotations

import importlib.util
import json
import random
import shutil
import sys
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Bump when the generator's output changes, so that cached corpora are rebuilt.
VERSION = 3

SECTIONS = ["Analysis", "Reporting", "Opinion", "Review", "Interview", "Media"]
SECTION_WEIGHTS = [30, 30, 15, 8, 7, 10]
REGIONS = ["Africa", "Asia-Pacific", "Europe", "Latin America", "Middle East",
           "North America", "Global"]  # fmt: skip
FIRST_DATE = datetime(2019, 1, 7, 7, 0)
LAST_DATE = datetime(2026, 11, 1, 18, 0)
N_AUTHORS = 80
N_TAGS = 300
N_SERIES = 24
POOL = {"top": 12, "figure": 8, "portrait": 8}

# --- Vocabulary ---------------------------------------------------------------
FIRST = ["Ana", "Samuel", "Amara", "Kenji", "Layla", "Margaret", "Priya", "Tomás", "Yusuf",
         "Diego", "Ingrid", "Chidi", "Mei", "Omar", "Sofia", "Pavel", "Nadia", "Rafael",
         "Aiko", "Hamid", "Elena", "Kwame", "Lucía", "Ravi", "Zanele", "Jonas", "Farah",
         "Mateo", "Hana", "Teodor"]  # fmt: skip
LAST = ["Ortiz", "Hale", "Okafor", "Watanabe", "Haddad", "Chen", "Raman", "Lindqvist",
        "Demir", "Salinas", "Berg", "Mensah", "Novak", "Karimi", "Alvarez", "Duarte",
        "Ivanova", "Nakamura", "Osei", "Petrov", "Rossi", "Sato", "Tembo", "Varga",
        "Weiss", "Yilmaz", "Zhou", "Adeyemi", "Bauer", "Costa"]  # fmt: skip
ROLES = ["Senior Editor", "Africa Correspondent", "Eurasia Research Fellow",
         "Contributing Writer", "Economics Editor", "Security Analyst",
         "Latin America Correspondent", "Gulf Bureau Chief", "Asia Editor",
         "Media Critic", "Books Editor", "Energy Correspondent"]  # fmt: skip
TOPIC_ROOTS = ["Sanctions", "Energy", "Trade", "Migration", "Elections", "Climate",
               "Shipping", "Defence", "Diplomacy", "Debt", "Food Security", "Cyber",
               "Critical Minerals", "Water", "Nuclear", "Refugees", "Health",
               "Press Freedom", "Corruption", "Arms Control", "Borders", "Aid",
               "Tariffs", "Semiconductors", "Oil", "Gas", "Grain", "Ports", "Courts",
               "Protests"]  # fmt: skip
TOPIC_PLACES = ["Ukraine", "Russia", "China", "Taiwan", "Sahel", "Sudan", "Iran",
                "Israel", "Gaza", "Turkey", "India", "Pakistan", "Brazil", "Mexico",
                "Venezuela", "Nigeria", "Ethiopia", "Kenya", "Poland", "Germany",
                "France", "Japan", "Korea", "Indonesia", "Philippines", "Egypt",
                "Saudi Arabia", "Syria", "Colombia", "Argentina"]  # fmt: skip
NOUNS = ["ministry", "ceasefire", "pipeline", "summit", "treaty", "border", "port",
         "parliament", "coalition", "currency", "election", "embargo", "convoy",
         "delegation", "tariff", "refinery", "court", "militia", "harvest", "loan",
         "strait", "corridor", "budget", "mandate", "referendum", "blockade",
         "reactor", "cable", "mine", "camp", "market", "alliance"]  # fmt: skip
ADJECTIVES = ["fragile", "quiet", "contested", "unexpected", "costly", "regional",
              "new", "old", "long", "northern", "southern", "reluctant", "decisive",
              "informal", "temporary", "stubborn", "growing", "uneasy"]  # fmt: skip
VERBS = [
    "reshapes",
    "tests",
    "delays",
    "complicates",
    "ends",
    "revives",
    "divides",
    "strains",
    "outlasts",
    "redraws",
    "exposes",
    "funds",
    "blocks",
    "frames",
]
ACTORS = ["officials", "diplomats", "negotiators", "traders", "farmers", "analysts",
          "ministers", "voters", "lawyers", "engineers", "generals", "envoys",
          "bankers", "journalists", "residents", "insurers"]  # fmt: skip
CLAUSES = [
    "which few in the capital expected", "as the deadline approached",
    "despite repeated assurances from abroad", "for the second time in a decade",
    "while the talks stalled", "according to people familiar with the discussions",
    "after months of quiet preparation", "in a region used to sudden reversals",
    "though the money has yet to arrive", "even as prices kept rising",
]  # fmt: skip
CREDITS = ["REUTERS/Jane Photographer", "AP Photo/Samir Haddad", "AFP/Lena Vogt",
           "Getty Images", "Shutterstock", "Kiosk/Studio Brandt"]  # fmt: skip
ALTS = ["Delegates around a long conference table", "A port with cranes at dusk",
        "Trucks queue at a border crossing", "A city skyline under a grey sky",
        "Protesters gather in a square", "A map of shipping routes"]  # fmt: skip


@dataclass
class Article:
    """One generated piece, independent of the format it is written in."""

    slug: str
    title: str
    subtitle: str | None
    date: datetime
    modified: datetime | None
    section: str
    region: str | None
    column: str | None
    series: str | None
    authors: list[str]
    tags: list[str]
    summary: str | None
    image: dict | None
    featured: bool
    body: str
    figures: list[str] = field(default_factory=list)


def _title_case(words):
    return " ".join(w[:1].upper() + w[1:] for w in words)


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(ADJECTIVES), rng.choice(NOUNS), rng.choice(VERBS), "the",
             rng.choice(ADJECTIVES), rng.choice(NOUNS)]  # fmt: skip
    if rng.random() < 0.5:
        words += ["for", rng.choice(ACTORS), "in", rng.choice(TOPIC_PLACES)]
    if rng.random() < 0.4:
        words.append(", " + rng.choice(CLAUSES))
    text = " ".join(words).replace(" ,", ",")
    return text[0].upper() + text[1:] + "."


def _paragraph(rng, sentences):
    return " ".join(_sentence(rng) for _ in range(sentences))


def _words(text):
    return len(text.split())


def _people(rng):
    names = set()
    while len(names) < N_AUTHORS:
        names.add(f"{rng.choice(FIRST)} {rng.choice(LAST)}")
    return sorted(names)


def _tags(rng):
    tags = set()
    while len(tags) < N_TAGS:
        shape = rng.random()
        if shape < 0.35:
            tags.add(rng.choice(TOPIC_PLACES) + " " + rng.choice(TOPIC_ROOTS))
        elif shape < 0.7:
            tags.add(rng.choice(TOPIC_ROOTS) + " " + _title_case([rng.choice(NOUNS)]))
        else:
            tags.add(_title_case([rng.choice(ADJECTIVES), rng.choice(NOUNS)]))
    return sorted(tags | set(TOPIC_PLACES) | set(TOPIC_ROOTS))[:N_TAGS]


def _zipf_pick(rng, items, k):
    """k distinct items, popular ones (low index) far more often, like real tags."""
    weights = [1 / (rank + 1) ** 0.9 for rank in range(len(items))]
    chosen = []
    while len(chosen) < k:
        item = rng.choices(items, weights)[0]
        if item not in chosen:
            chosen.append(item)
    return chosen


def _body(rng, author_names, pool, figure_credits):
    """800-1,200 words: subheads, 1-2 captioned figures, a pull quote, maybe a note."""
    # Stop short enough that the last paragraph (at most ~120 words) stays under 1,200.
    target = rng.randint(800, 1080)
    blocks, words, figures = [], 0, []
    n_figures = rng.randint(1, 2)
    while words < target:
        if blocks and len(blocks) % 5 == 0:
            blocks.append("## " + _title_case(_sentence(rng).rstrip(".").split()[:2]))
        elif len(blocks) in (3, 9) and len(figures) < n_figures:
            src = f"images/pool/{rng.choice(pool['figure'])}"
            figures.append(src)
            caption = _sentence(rng)
            credit = rng.choice(figure_credits)
            blocks.append(f'![{rng.choice(ALTS)}]({src} "{caption} | {credit}")')
        elif len(blocks) == 6:
            quote = _sentence(rng)
            blocks.append(f"> [!pullquote]\n> {quote}")
            words += _words(quote)
        else:
            paragraph = _paragraph(rng, rng.randint(4, 7))
            blocks.append(paragraph)
            words += _words(paragraph)
    if rng.random() < 0.3:
        name = rng.choice(author_names)
        blocks.append(f"\u2014 {name}, {rng.choice(ROLES).lower()}, reported from the region.")
    return "\n\n".join(blocks) + "\n", figures


def generate(n: int, seed: int = 2026):
    """Return (authors, articles, pool): the magazine as data, before any format."""
    rng = random.Random(seed)
    pool = {kind: [f"{kind}-{i:02d}.jpg" for i in range(count)] for kind, count in POOL.items()}
    names = _people(rng)
    authors = [
        {"name": name, "slug": name.lower().replace(" ", "-").replace("á", "a").replace("í", "i")
         .replace("ú", "u").replace("ó", "o"), "role": rng.choice(ROLES),
         "photo": f"images/pool/{pool['portrait'][i % len(pool['portrait'])]}",
         "bio": _paragraph(rng, 3)}
        for i, name in enumerate(names)
    ]  # fmt: skip
    tags = _tags(rng)
    kinds = ["Watch", "Notebook", "Files", "Diary"]
    series_names = [f"{rng.choice(TOPIC_PLACES)} {rng.choice(kinds)}" for _ in range(N_SERIES)]
    series_names = sorted(set(series_names))
    span = (LAST_DATE - FIRST_DATE).total_seconds()
    # Evenly spread dates with jitter, sorted so that slugs number in date order.
    stamps = sorted(rng.random() * span for _ in range(n))
    articles = []
    for index, stamp in enumerate(stamps):
        date = (FIRST_DATE + timedelta(seconds=stamp)).replace(second=0, microsecond=0)
        section = rng.choices(SECTIONS, SECTION_WEIGHTS)[0]
        column = "QiOSK" if section in ("Reporting", "Analysis") and rng.random() < 0.2 else None
        region = rng.choice(REGIONS) if rng.random() < 0.9 else None
        series = rng.choice(series_names) if rng.random() < 0.1 else None
        words = [rng.choice(ADJECTIVES), rng.choice(NOUNS), rng.choice(VERBS), "the",
                 rng.choice(NOUNS)]  # fmt: skip
        title = (
            (f"{series}: " if series else "") + _title_case(words[:1]) + " " + " ".join(words[1:])
        )
        slug = "-".join(w.lower() for w in words) + f"-{index + 1}"
        image = None
        if rng.random() < 0.85:
            kind = "image" if rng.random() < 0.15 else "photo"
            image = {"src": f"images/pool/{rng.choice(pool['top'])}", "alt": rng.choice(ALTS),
                     "caption": _sentence(rng) if rng.random() < 0.8 else None,
                     "credit": rng.choice(CREDITS), "kind": kind}  # fmt: skip
        byline = [a["name"] for a in _zipf_pick(rng, authors, 1 if rng.random() < 0.8 else 2)]
        body, figures = _body(rng, byline, pool, CREDITS)
        articles.append(Article(
            slug=slug, title=title,
            subtitle=_sentence(rng) if rng.random() < 0.7 else None,
            date=date,
            modified=date + timedelta(hours=rng.randint(2, 72)) if rng.random() < 0.2 else None,
            section=section, region=region, column=column, series=series, authors=byline,
            tags=_zipf_pick(rng, tags, rng.randint(2, 5)),
            summary=_paragraph(rng, 2) if rng.random() < 0.7 else None,
            image=image, featured=rng.random() < 0.01, body=body, figures=figures,
        ))  # fmt: skip
    return authors, articles, pool


# --- Writers, one per format --------------------------------------------------
def _stamp(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M")


def kiosk_article(article: Article) -> str:
    """A Kiosk article: CONTENT.md's header, blank line, body."""
    image = article.image or {}
    header = [
        ("Title", article.title), ("Subtitle", article.subtitle), ("Date", _stamp(article.date)),
        ("Modified", article.modified and _stamp(article.modified)),
        ("Section", article.section), ("Region", article.region), ("Column", article.column),
        ("Series", article.series), ("Authors", ", ".join(article.authors)),
        ("Tags", ", ".join(article.tags)), ("Summary", article.summary),
        ("Image", image.get("src")), ("Image_Alt", image.get("alt")),
        ("Image_Caption", image.get("caption")),
        ("Image_Kind", "image" if image.get("kind") == "image" else None),
        ("Image_Credit", image.get("credit")),
        ("Slug", article.slug), ("Featured", "true" if article.featured else None),
    ]  # fmt: skip
    lines = [f"{key}: {value}" for key, value in header if value]
    return "\n".join(lines) + "\n\n" + article.body


def kiosk_author(author: dict) -> str:
    return (f"Name: {author['name']}\nRole: {author['role']}\nPhoto: {author['photo']}\n"
            f"Photo_Credit: Kiosk/Studio Brandt\nWebsite: https://example.org/{author['slug']}\n"
            f"\n{author['bio']}\n")  # fmt: skip


def pelican_article(article: Article) -> str:
    """Plain Pelican: Category is the section; Kiosk-only keys are left out."""
    header = [
        ("Title", article.title), ("Date", _stamp(article.date)),
        ("Modified", article.modified and _stamp(article.modified)),
        ("Category", article.section), ("Authors", ", ".join(article.authors)),
        ("Tags", ", ".join(article.tags)), ("Summary", article.summary), ("Slug", article.slug),
    ]  # fmt: skip
    lines = [f"{key}: {value}" for key, value in header if value]
    return "\n".join(lines) + "\n\n" + article.body


def hugo_article(article: Article) -> str:
    """Hugo: YAML front matter (JSON strings are valid YAML scalars) and the same body."""
    matter = {
        "title": article.title, "date": article.date.strftime("%Y-%m-%dT%H:%M:00+01:00"),
        "slug": article.slug, "sections": [article.section], "authors": article.authors,
        "tags": article.tags,
    }  # fmt: skip
    if article.modified:
        matter["lastmod"] = article.modified.strftime("%Y-%m-%dT%H:%M:00+01:00")
    for key, value in (("subtitle", article.subtitle), ("summary", article.summary)):
        if value:
            matter[key] = value
    if article.region:
        matter["regions"] = [article.region]
    if article.column:
        matter["columns"] = [article.column]
    if article.series:
        matter["series"] = [article.series]
    if article.image:
        matter["image"] = "/" + article.image["src"]
        matter["image_alt"] = article.image["alt"]
        matter["image_credit"] = article.image["credit"]
    lines = [f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in matter.items()]
    # Hugo resolves body image paths relative to the page; make them site-absolute.
    body = article.body.replace("](images/", "](/images/")
    return "---\n" + "\n".join(lines) + "\n---\n\n" + body


# --- Files --------------------------------------------------------------------
def _load_image_maker():
    spec = importlib.util.spec_from_file_location(
        "make_sample_images", ROOT / "scripts" / "make_sample_images.py"
    )
    module = importlib.util.module_from_spec(spec)
    # dataclasses look their module up in sys.modules while the class is made.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def make_pool(folder: Path, pool) -> None:
    """Draw the image pool once (deterministic: seeded by each file's path)."""
    folder.mkdir(parents=True, exist_ok=True)
    missing = [(kind, name) for kind, names in pool.items() for name in names
               if not (folder / name).exists()]  # fmt: skip
    if not missing:
        return
    maker = _load_image_maker()
    for kind, name in missing:
        ref = maker.Ref(f"images/pool/{name}", kind, "bench/corpus.py")
        (folder / name).write_bytes(maker.encode(maker.draw(ref)))


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def article_path(kind: str, article: Article) -> str:
    """Where an article lives inside a corpus of the given kind (relative path)."""
    year = article.date.year
    if kind == "hugo":
        return f"content/articles/{year}/{article.slug}.md"
    return f"articles/{year}/{article.slug}.md"


def write_corpus(root: Path, n: int, seed: int = 2026, pool_dir: Path | None = None,
                 discard=None) -> dict:  # fmt: skip
    """Write ``root/{kiosk,pelican,hugo}``; return a manifest (counts and paths).

    ``pool_dir`` caches the drawn images between corpora (default ``root/pool``).
    An earlier corpus's folders are deleted, or given to ``discard(path)``
    (the benchmark sets them aside: ``run.set_aside``).
    """
    root = Path(root)
    authors, articles, pool = generate(n, seed)
    pool_dir = Path(pool_dir or root / "pool")
    make_pool(pool_dir, pool)
    for kind in ("kiosk", "pelican", "hugo"):
        if discard is None:
            shutil.rmtree(root / kind, ignore_errors=True)
        else:
            discard(root / kind)
    kiosk, pelican, hugo = root / "kiosk", root / "pelican", root / "hugo"
    images = {"kiosk": kiosk / "images/pool", "pelican": pelican / "images/pool",
              "hugo": hugo / "static/images/pool"}  # fmt: skip
    for target in images.values():
        shutil.copytree(pool_dir, target)
    # The favicon the settings map to /favicon.svg, and robots.txt, as in content/.
    shutil.copytree(ROOT / "content" / "extra", kiosk / "extra")
    for author in authors:
        _write(kiosk / "authors" / f"{author['slug']}.md", kiosk_author(author))
    for article in articles:
        _write(kiosk / article_path("kiosk", article), kiosk_article(article))
        _write(pelican / article_path("pelican", article), pelican_article(article))
        _write(hugo / article_path("hugo", article), hugo_article(article))
    manifest = {
        "version": VERSION, "seed": seed, "articles": n, "authors": len(authors),
        "tags": len({t for a in articles for t in a.tags}),
        "series": len({a.series for a in articles if a.series}),
        "words": sum(_words(a.body) for a in articles),
        "paths": {kind: [article_path(kind, a) for a in articles]
                  for kind in ("kiosk", "pelican", "hugo")},
    }  # fmt: skip
    (root / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return manifest


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--articles", type=int, default=100)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    info = write_corpus(args.folder, args.articles, args.seed)
    print({k: v for k, v in info.items() if k != "paths"})
