"""kiosk_termindex: Pelican's tag, section and author pages in linear time.

For every term, Pelican's ``generate_tags``, ``generate_categories`` and
``generate_authors`` compute ``[a for a in self.dates if a in articles]``,
where ``articles`` is the term's list. As Pelican writes it, every article is
looked for in every term's list: articles × terms membership tests, each a
scan of the term's list. Measured on a synthetic 10,000-article magazine (300
Zipf tags, 6 sections, 80 authors): 9.6 s, half of Hugo's whole cold build
(BENCHMARKS.md, lever 5).

At ``article_generator_finalized`` this plugin does two things, and the pages
come out byte for byte the same:

- each term's list becomes a :class:`TermArticles`, a ``list`` with the same
  items and order whose ``in`` is one set lookup by identity (articles have no
  ``__eq__``, so a list's ``in`` already meant identity; a list whose length
  changes re-indexes itself);
- the generator's ``generate_tags``, ``generate_categories`` and
  ``generate_authors`` are wrapped (on this generator only) so that Pelican's
  own method runs once per term, with the generator's term collection
  narrowed to that one term and its ``dates`` narrowed to that term's
  articles in ``dates`` order (:func:`dates_of`). Pelican's comprehension then
  walks the term's own articles instead of every article, and yields exactly
  the list it yielded before. The work is proportional to the (article, term)
  pairs: at 10,000 articles, 3 million membership tests become about 70,000.
  Both attributes are put back after each method, also when it fails, and
  nothing else is overridden: the pages are still written by Pelican's code.

Pelican's ``process_translations`` (which articles are originals and which
translations) ends with ``[x for x in content_list if x not in index]``:
every item looked for in the list of all originals, 0.8-1.3 s at 10,000
articles under cProfile. :func:`per_group` runs Pelican's own function on
each translation group at a time (the groups it forms itself: the items
sorted and grouped by ``translation_id``), so that scan covers a group of one
to a few items; the lists, each item's ``translations``, the order and the
warnings are those of one call on the whole list (tested against it).
"""

from functools import wraps
from itertools import groupby
from operator import attrgetter

from pelican import generators as pelican_generators
from pelican import signals
from pelican.utils import process_translations as pelican_process_translations

# Pelican's method, the generator attribute it iterates, and how to narrow that
# attribute to one (term, articles) pair.
TERM_METHODS = (
    ("generate_tags", "tags", lambda term, articles: {term: articles}),
    ("generate_categories", "categories", lambda term, articles: [(term, articles)]),
    ("generate_authors", "authors", lambda term, articles: [(term, articles)]),
)


class TermArticles(list):
    """A term's articles whose ``in`` is a set lookup by identity."""

    __slots__ = ("_ids", "_indexed_length")

    def __init__(self, items=()):
        super().__init__(items)
        self._ids, self._indexed_length = frozenset(), -1

    def __contains__(self, item):
        if self._indexed_length != len(self):
            self._ids, self._indexed_length = frozenset(map(id, self)), len(self)
        return id(item) in self._ids


def positions(dates):
    """{id(article): [its indexes in ``dates``]} for :func:`dates_of`."""
    found = {}
    for index, article in enumerate(dates):
        found.setdefault(id(article), []).append(index)
    return found


def dates_of(articles, dates, where):
    """``[a for a in dates if a in articles]`` (identity), in time proportional
    to ``len(articles)``; ``where`` is ``positions(dates)``."""
    indexes = set()
    for article in articles:
        indexes.update(where.get(id(article), ()))
    return [dates[index] for index in sorted(indexes)]


def one_term_at_a_time(generator, method_name, attribute, narrow):
    """Wrap ``generator.<method_name>`` so Pelican's method runs once per term."""
    pelican_method = getattr(generator, method_name)

    @wraps(pelican_method)
    def generate(write):
        terms, dates = getattr(generator, attribute), generator.dates
        pairs = list(terms.items() if isinstance(terms, dict) else terms)
        where = positions(dates)
        try:
            for term, articles in pairs:
                setattr(generator, attribute, narrow(term, articles))
                generator.dates = dates_of(articles, dates, where)
                pelican_method(write)
        finally:
            setattr(generator, attribute, terms)
            generator.dates = dates

    generate.kiosk_termindex = True
    setattr(generator, method_name, generate)


def index_terms(generator):
    """Swap the generator's term lists for ``TermArticles`` with the same items,
    and have its term pages generated one term at a time."""
    for tag, articles in list(generator.tags.items()):
        generator.tags[tag] = TermArticles(articles)
    generator.categories = [(term, TermArticles(items)) for term, items in generator.categories]
    generator.authors = [(term, TermArticles(items)) for term, items in generator.authors]
    for method_name, attribute, narrow in TERM_METHODS:
        if not getattr(getattr(generator, method_name), "kiosk_termindex", False):
            one_term_at_a_time(generator, method_name, attribute, narrow)


def per_group(content_list, translation_id):
    """Pelican's ``process_translations``, called once per translation group."""
    if not translation_id:
        return pelican_process_translations(content_list, translation_id)
    key = attrgetter(*({translation_id} if isinstance(translation_id, str) else translation_id))
    try:
        content_list.sort(key=key)  # as Pelican sorts it, in place
    except (TypeError, AttributeError):  # Pelican's own call says what is wrong
        return pelican_process_translations(content_list, translation_id)
    index, translations = [], []
    for _, items in groupby(content_list, key):
        originals, others = pelican_process_translations(list(items), translation_id)
        index += originals
        translations += others
    return index, translations


def use_per_group(*_args):
    """At ``initialized``: Pelican's generators find their translations a group at a time."""
    pelican_generators.process_translations = per_group


def register():
    """Connect kiosk_termindex to Pelican's signals."""
    signals.initialized.connect(use_per_group)
    signals.article_generator_finalized.connect(index_terms)
