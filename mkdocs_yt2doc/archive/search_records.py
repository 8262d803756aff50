"""A built talk page -> the records Pagefind indexes: one for the talk (its title, names and
any speech before the first chapter) and one per chapter, each with the chapter's own text.

A result's fragment is its record: the chapter around the hit (a few KiB), not the talk's
whole transcript. Pagefind is given each word once: the speech and chapter titles, the
talk's filters and metadata; never the player, meta line, contents, downloads or
provenance. Pages that are not talk pages are handed over as they are.
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
_ID = re.compile(r'\bid="([^"]*)"')
_SPEECH = re.compile(r'<p class="yt2doc-p"')
_TAG = re.compile(r"<[^>]*>")
_HEADERLINK = re.compile(r'<a class="headerlink"[^>]*>.*?</a>', re.S)
_CHAPTER_META = '<span data-pagefind-meta="chapter">{}</span>'
_END = re.compile(r"</article>|</main>", re.I)


@dataclass(frozen=True)
class Record:
    url: str  # the site's path, with `#chapter` for a chapter
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
    """The records of a talk page, or None for any other page (indexed as it is)."""
    block = _BLOCK.search(html)
    if block is None:
        return None
    opening = _HTML.search(html)
    title = _H1.search(html)
    head = (opening[0] if opening else "<html>") + "<body>" + (title[0] if title else "")
    head += f"<div hidden>{block[1]}</div>"
    end_match = _END.search(html, block.end())
    end = end_match.start() if end_match else len(html)
    starts = [m.start() for m in _CHAPTER.finditer(html, block.end(), end)]
    url = page_url(path)
    first = starts[0] if starts else end
    speech = _SPEECH.search(html, block.end(), first)  # speech before the first chapter
    before = html[speech.start() : first] if speech else ""
    records = [Record(url, f"{head}{block[2]}{before}</body></html>")]
    for at, start in enumerate(starts):
        stop = starts[at + 1] if at + 1 < len(starts) else end
        found = _ID.search(html, start, html.find(">", start))
        anchor = f"#{found[1]}" if found else f"#chapter-{at + 1}"
        heading = html[start : html.find("</h2>", start)]
        name = _TAG.sub("", _HEADERLINK.sub("", heading)).strip()  # (escaped as it was)
        meta = f"<div hidden data-pagefind-ignore>{_CHAPTER_META.format(name)}</div>"
        chapter = f"{head}{meta}{html[start:stop]}</body></html>"
        records.append(Record(url + anchor, chapter))
    return records
