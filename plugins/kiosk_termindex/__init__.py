"""kiosk_termindex: Pelican's tag, section and author pages in linear time.

For every term, Pelican's ``generate_tags``, ``generate_categories`` and
``generate_authors`` compute ``[a for a in self.dates if a in articles]``,
where ``articles`` is the term's list: every article is looked for in every
term's list, so the work grows with articles × (articles per term), summed over
terms. Measured on a synthetic 10,000-article magazine (300 Zipf tags, 6
sections, 80 authors): 9.6 s, half of Hugo's whole cold build (BENCHMARKS.md).

At ``article_generator_finalized`` this plugin gives each of those term lists
a set of its members' identities, so that ``in`` is one set lookup. The lists
keep their items and order (a ``list`` subclass), and the pages come out
byte for byte the same: articles have no ``__eq__``, so a list's ``in`` already
meant identity. A list changed later (its length changes) re-indexes itself.
"""

from pelican import signals


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


def index_terms(generator):
    """Swap the generator's term lists for ``TermArticles`` with the same items."""
    for tag, articles in list(generator.tags.items()):
        generator.tags[tag] = TermArticles(articles)
    generator.categories = [(term, TermArticles(items)) for term, items in generator.categories]
    generator.authors = [(term, TermArticles(items)) for term, items in generator.authors]


def register():
    """Connect kiosk_termindex to Pelican's signals."""
    signals.article_generator_finalized.connect(index_terms)
