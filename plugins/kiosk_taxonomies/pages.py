"""Write the region and column listing pages and their Atom feeds."""

from pelican.generators import Generator


class TaxonomyPagesGenerator(Generator):
    """Render ``region.html`` / ``column.html`` for every term with articles.

    Each page gets the variables Pelican gives a category page (the Term as
    ``region`` or ``column``, ``articles``, ``dates``, ``page_name`` and, through
    Pelican's writer, ``articles_page``, ``articles_paginator``,
    ``articles_previous_page``, ``articles_next_page``), so PAGINATED_TEMPLATES
    and PAGINATION_PATTERNS apply to it as to any listing.
    """

    def generate_output(self, writer):
        newest_first = self.settings.get("NEWEST_FIRST_ARCHIVES", True)
        for kind in ("region", "column"):
            template = self.get_template(kind)
            for term in self.context.get(f"{kind}s", []):
                dates = sorted(term.articles, key=lambda a: a.date, reverse=newest_first)
                writer.write_file(
                    term.save_as,
                    template,
                    self.context,
                    relative_urls=self.settings["RELATIVE_URLS"],
                    template_name=kind,
                    url=term.url,
                    page_name=term.page_name,
                    articles=term.articles,
                    dates=dates,
                    all_articles=self.context.get("articles", []),
                    blog=True,
                    **{kind: term},
                )
                if term.feed_url:
                    writer.write_feed(
                        term.articles,
                        self.context,
                        term.feed_url,
                        term.feed_url,
                        feed_title=term.name,
                    )
