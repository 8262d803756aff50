"""A built talk page -> what Pagefind indexes of it: one record, the talk's title and names,
then its chapters' titles and speech, each word once; never the player, meta line, contents,
downloads or provenance. Pages that are not talk pages are handed over as they are.

One record a talk keeps Pagefind's metadata small (it lists every record: about 7 bytes
each, fetched by the search page before a first query) and its results talks. What a result
fetches is made small afterwards (`search_fragments.py`): the record's text is cut into parts
and a hit loads the part it is in, not the whole talk.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_HTML = re.compile(r"<html\b[^>]*>", re.I)
_H1 = re.compile(r"<h1\b[^>]*>.*?</h1>", re.S | re.I)
# the talk's hidden block (search.py): filters and metadata, then the title and names
_BLOCK = re.compile(
    r'<div class="yt2doc-pagefind"[^>]*>(<div data-pagefind-ignore[^>]*>.*?</div>)(.*?)</div>',
    re.S,
)
_CHAPTER = re.compile(r"<h2\b[^>]*\bdata-pagefind-body\b[^>]*>", re.I)
_SPEECH = re.compile(r'<p class="yt2doc-p"')
_END = re.compile(r"</article>|</main>", re.I)


@dataclass(frozen=True)
class Record:
    url: str  # the site's path
    html: str


def is_talk_page(html: str) -> bool:
    return '<div class="yt2doc-pagefind"' in html


def page_url(path: str) -> str:
    """The URL Pagefind gives a page at `path` (relative to the site)."""
    path = path.lstrip("/")
    if path == "index.html" or path.endswith("/index.html"):
        path = path[: -len("index.html")]
    return "/" + path


def talk_records(path: str, html: str) -> list[Record] | None:
    """The talk page's record (a list of one), or None for any other page (indexed as it is)."""
    block = _BLOCK.search(html)
    if block is None:
        return None
    opening = _HTML.search(html)
    title = _H1.search(html)
    head = (opening[0] if opening else "<html>") + "<body>" + (title[0] if title else "")
    head += f"<div hidden>{block[1]}</div>"
    end_match = _END.search(html, block.end())
    end = end_match.start() if end_match else len(html)
    chapter = _CHAPTER.search(html, block.end(), end)
    speech = _SPEECH.search(html, block.end(), end)
    starts = [m.start() for m in (chapter, speech) if m is not None]
    body = html[min(starts) : end] if starts else ""
    return [Record(page_url(path), f"{head}{block[2]}{body}</body></html>")]
