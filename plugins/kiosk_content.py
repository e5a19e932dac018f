"""What several plugins need from Pelican's article generator, said once."""

from itertools import chain


def every_article(generator):
    """Published, draft and hidden articles and their translations: everything
    a reader may see, if only in a preview, so every one gets the plugins' data."""
    return chain(
        generator.articles,
        generator.translations,
        generator.drafts,
        generator.drafts_translations,
        generator.hidden_articles,
        generator.hidden_translations,
    )
