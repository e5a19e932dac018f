"""Equal sections, tags and authors of different articles become one object.

Pelican's reader makes a new ``Category``, ``Tag`` and ``Author`` for every
article that names one, and the read cache gives each stored article its own
copies: at N = 10,000 a build held about 35,000 tags for 300 names, and every
later step that looks at an article's terms (the plugins that attach a
profile or a description, the render memo's fingerprints) went through each
copy. :func:`share_terms` replaces each term of an article by the first equal
one met in this build, before any plugin looks at them
(``article_generator_pretaxonomy``), so the copies are freed and a value
attached later is attached once.

Equal means the same class, name, slug (worked out or given), whether the
slug follows the name, and the same settings object: everything a freshly
read term holds. A term holding anything else (an attribute a reader or a
plugin added) is left as it is. Lists are changed in place, so the article's
``metadata`` (which holds the same lists) sees the shared objects too.
"""

from __future__ import annotations

from pelican.urlwrappers import URLWrapper

_SCALARS = ("category", "author")
_LISTS = ("tags", "authors")


def share_terms(contents, shared: dict | None = None, skip=frozenset()) -> int:
    """Give equal terms of ``contents`` one object each; return how many were replaced.

    ``shared``: the terms met so far, by what makes them equal (filled in),
    when a build shares in two passes: the articles it unpickled ahead, then
    the others (those in ``skip``, ids, are done).
    """
    shared = {} if shared is None else shared
    replaced = 0

    def one(term):
        nonlocal replaced
        fields = getattr(term, "__dict__", None)
        # What a URLWrapper holds when Pelican's reader made it, and nothing else
        # (slug worked out or not): 60,000 terms at N = 10,000, so no set is built.
        if fields is None or len(fields) != 4 or not isinstance(term, URLWrapper):
            return term
        try:
            key = (type(term), fields["_name"], fields["_slug"], fields["_slug_from_name"],
                   id(fields["settings"]))  # fmt: skip
        except KeyError:
            return term
        first = shared.setdefault(key, term)
        if first is not term:
            replaced += 1
        return first

    for content in contents:
        if id(content) in skip:
            continue
        fields = vars(content)
        metadata = fields.get("metadata")
        if type(metadata) is not dict:
            metadata = {}
        for name in _SCALARS:
            term = fields.get(name)
            if term is not None:
                kept = one(term)
                if kept is not term:
                    fields[name] = kept
                    if metadata.get(name) is term:
                        metadata[name] = kept
        for name in _LISTS:
            terms = fields.get(name)
            if type(terms) is list and terms:
                terms[:] = [one(term) for term in terms]
            listed = metadata.get(name)
            if type(listed) is list and listed is not terms and listed:
                listed[:] = [one(term) for term in listed]
    return replaced
