"""What Pagefind reads on a talk page, and the archive's search page.

Pagefind indexes the built HTML (`search_index.py`); a talk page tells it the talk's filters
(speaker, event, tag, year, language) and metadata in a hidden block, chapters are `<h2 id>`
(its sub-results) and every paragraph starts with an empty `<span id="t<second>">` (its
anchors), from which the search page's script (`assets/yt2doc-search.js`) makes a link to
the paragraph and the moment.
"""

from __future__ import annotations

import posixpath
import re

from ..util.escape import attr, clean, inert
from .views import TalkView

SEARCHES = ("pagefind", "material")
# On a talk page's speech, chapter titles and names only: a page without one (the archive's
# index pages, the site's own pages) is not indexed, and the meta line, provenance, player
# and contents never come up as excerpts.
PAGEFIND_BODY = " data-pagefind-body"
QUERY = "talks"  # the search page's own name for `q` (Material opens its overlay on `?q=`)
SEARCH_PAGE = "search"  # the page's name in the archive folder (a reserved slug)
SCRIPT = "yt2doc-search.js"  # the search page's
SITE_SCRIPT = "yt2doc-site.js"  # every page's: the theme's box reaches the search page
FILTERS = (("speaker", "Speaker"), ("event", "Event"), ("tag", "Tag"), ("year", "Year"),
           ("language", "Language"))  # fmt: skip


_THEME_SEARCH = re.compile(r"^search: .*\n", re.M)
EXCLUDED = 'search: {"exclude": true}\n'


def out_of_theme_search(page: str) -> str:
    """The page with `search: {exclude: true}` in its front matter (Material's and Zensical's
    search skip it): Pagefind searches the archive, and the theme's index, fetched by every
    page of the site, holds only the site's own pages, so its size does not grow with the
    archive. A `search:` key the page had (a boost) is replaced."""
    if not page.startswith("---\n"):
        return f"---\n{EXCLUDED}---\n\n{page}"
    end = page.find("\n---\n", 3)
    head = _THEME_SEARCH.sub("", page[4 : end + 1])
    return f"---\n{head}{EXCLUDED}{page[end + 1 :]}"


def _span(kind: str, key: str, value: str) -> str:
    return f'<span data-pagefind-{kind}="{key}">{inert(value)}</span>'


def talk_search_html(view: TalkView) -> str:
    """The talk's filters and metadata for Pagefind: hidden, and ignored as text (Pagefind
    still reads filters and metadata inside `data-pagefind-ignore`; Material's and
    Zensical's search skip `data-search-exclude`)."""
    values: list[tuple[str, str]] = [("speaker", s) for s in view.speakers]
    values += [("event", view.event)] if view.event else []
    values += [("tag", t) for t in view.tags]
    values += [("year", view.date[:4])] if view.date else []
    language = view.document.language if view.document else None
    values += [("language", language)] if language else []
    parts = [_span("filter", key, value) for key, value in values if clean(value)]
    meta = [("talk", view.slug), ("speakers", ", ".join(view.speakers))]
    meta += [("event", view.event or ""), ("date", view.date or "")]
    parts += [_span("meta", key, value) for key, value in meta if clean(value)]
    # the title and names are searched (weighted as a title), each its own block
    names = [n for n in (view.title, *view.speakers, view.event or "") if clean(n)]
    said = "".join(f'<p{PAGEFIND_BODY} data-pagefind-weight="5">{inert(n)}</p>' for n in names)
    ignored = "data-pagefind-ignore data-search-exclude"  # nor in the theme's own index
    return (
        '<div class="yt2doc-pagefind" data-search-exclude hidden>'
        f"<div {ignored}>{''.join(parts)}</div>{said}</div>\n\n"
    )


def _bundle_href(output_dir: str) -> str:
    """The index's folder (`/pagefind/` at the site's root), relative to the search page:
    relative, so a site under a sub-path finds it too."""
    page_folder = posixpath.join(output_dir, SEARCH_PAGE)
    return posixpath.relpath("pagefind", page_folder) + "/"


# Run while the page is read, before the theme's bundle: Material opens its search overlay
# over the results when the address has `?q=`, so the query moves to the page's own name
# (the script puts `?q=` back once it has read it: links stay `?q=`).
_HIDE_Q = (
    "<script>(function(){var u=new URL(location.href),q=u.searchParams.get('q');"
    f"if(q===null)return;u.searchParams.delete('q');u.searchParams.set('{QUERY}',q);"
    "history.replaceState(history.state,'',u.toString())})()</script>"
)


def search_page(output_dir: str, head: str) -> str:
    """The archive's search page: a form that works without JavaScript (it only reloads the
    page with `?q=`), filters, and results the script fills in from Pagefind's index."""
    selects = "".join(
        f'<label class="yt2doc-filter">{label} <select name="{key}" data-filter="{key}">'
        '<option value="">Any</option></select></label>'
        for key, label in FILTERS
    )
    return (
        f"---\ntitle: Search\n{EXCLUDED}---\n\n{head}# Search\n\n"
        f'<div class="yt2doc-search" data-pagefind-ignore="all" '
        f'data-bundle="{attr(_bundle_href(output_dir))}">{_HIDE_Q}'
        '<form class="yt2doc-search-form" role="search" aria-label="Search the talks">'
        '<label for="yt2doc-q">Words said in a talk, a title or a name</label> '
        '<input id="yt2doc-q" name="q" type="search" autocomplete="off" '
        'placeholder="Search the talks"> <button type="submit" class="yt2doc-search-button '
        'md-button md-button--primary">Search</button>'
        ' <button type="button" class="yt2doc-filters-toggle md-button" aria-expanded="false" '
        'aria-controls="yt2doc-filters" hidden>Filters</button>'
        '<fieldset class="yt2doc-filters" id="yt2doc-filters" hidden><legend>Filters</legend>'
        f"{selects}</fieldset>"
        "</form>"
        '<p class="yt2doc-search-status" role="status" aria-live="polite"></p>'
        '<ol class="yt2doc-results"></ol>'
        '<button type="button" class="yt2doc-more md-button" hidden>More results</button>'
        "<noscript><p>Search needs JavaScript; the index pages list every talk.</p></noscript>"
        "</div>\n"
    )


def search_box(href: str) -> str:
    """A search field at the top of the archive's index pages, opening the search page."""
    return (
        f'<form class="yt2doc-searchbox" role="search" action="{attr(href)}" '
        'data-pagefind-ignore="all">'
        '<label for="yt2doc-box">Search the talks</label> '
        '<input id="yt2doc-box" name="q" type="search" placeholder="Words said in a talk">'
        ' <button type="submit" class="yt2doc-search-button md-button md-button--primary">'
        "Search</button></form>\n\n"
    )
