"""Records -> Markdown pages (one per talk, one index).

All escaping of outside text lives here. Text from the internet (titles, descriptions, names,
transcripts) is written as character references, so neither Markdown, HTML, Jinja (for sites
using mkdocs-macros) nor attribute lists can read it as syntax. Only http(s) URLs become links.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import yaml

from .chapters import Document
from .paragraphs import Paragraph
from .sources import Media
from .timecode import format_timecode

# Characters that Markdown, HTML, attribute lists, Jinja or YAML may read as syntax, and the
# character reference that replaces each (this runs on every word of every talk: a regex
# substitution measured twice as fast as str.translate here).
_SYNTAX_CHARS = "\\`*_{}[]()#+-.!<>&|~^=:\"'$%@;/"
_SYNTAX = re.compile("[" + re.escape(_SYNTAX_CHARS) + "]")
_REFERENCE = {ch: f"&#{ord(ch)};" for ch in _SYNTAX_CHARS}
_MAX_DESCRIPTION = 200


@dataclass(frozen=True)
class TalkView:
    """Everything a talk page shows; built by the pipeline."""

    slug: str
    title: str
    speakers: tuple[str, ...]
    event: str | None
    date: str | None  # ISO date
    tags: tuple[str, ...]
    description: str | None
    media: Media | None
    document: Document | None
    problem: str | None  # why there is no transcript (placeholder page)
    local_path: Path | None = None  # a recording on disk, copied into the site
    media_href: str | None = None  # for local files: the copy in the site, relative to the page

    @property
    def duration(self) -> float | None:
        return self.media.duration if self.media else None


def clean(text: str) -> str:
    """One line, without control and invisible formatting characters (zero-width, bidi)."""
    text = " ".join(text.split())
    if text.isprintable():  # the common case, checked in C
        return text
    return "".join(ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cf", "Co"))


def inert(text: str) -> str:
    """Text that renders as itself in Markdown and HTML, on one line."""
    return _SYNTAX.sub(lambda match: _REFERENCE[match.group()], clean(text))


def attr(text: str) -> str:
    """Text for an HTML attribute value or YAML front matter read by templates unescaped."""
    escaped = html.escape(clean(text), quote=True)
    return escaped.replace("{", "&#123;").replace("}", "&#125;")  # nothing for Jinja (macros)


def safe_url(url: str | None) -> str | None:
    """The URL if it is http(s), percent-encoded so it cannot break out of an attribute."""
    if not url:
        return None
    url = clean(url).strip()
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return quote(url, safe=":/?#[]@!$&'*+,;=%~")


def time_url(media: Media, seconds: float, media_href: str | None = None) -> str | None:
    """The source at that second: YouTube ?t=Ns, Vimeo #t=Ns, anything else #t=N."""
    second = max(0, int(seconds))
    if media.extractor == "file":
        return f"{quote(media_href)}#t={second}" if media_href else None
    if media.extractor == "youtube" and re.fullmatch(r"[\w-]{6,20}", media.id):
        return f"https://www.youtube.com/watch?v={media.id}&t={second}s"
    if media.extractor == "vimeo" and media.id.isdigit():
        return f"https://vimeo.com/{media.id}#t={second}s"
    base = safe_url(media.webpage_url)
    if not base:
        return None
    scheme, netloc, path, query, _ = urlsplit(base)
    return urlunsplit((scheme, netloc, path, query, f"t={second}"))


def front_matter(values: dict[str, object]) -> str:
    body = yaml.safe_dump(values, allow_unicode=True, sort_keys=True, width=1_000_000)
    return f"---\n{body}---\n\n"


def _description(view: TalkView) -> str | None:
    text = view.description or (view.document.summary if view.document else None)
    if not text:
        return None
    text = " ".join(clean(text).split())
    if len(text) > _MAX_DESCRIPTION:
        text = text[: _MAX_DESCRIPTION - 1].rsplit(" ", 1)[0] + "…"
    return text


def _meta_line(view: TalkView) -> str:
    bits = []
    if view.speakers:
        bits.append(f'<span class="yt2doc-speakers">{inert(", ".join(view.speakers))}</span>')
    if view.event:
        bits.append(f'<span class="yt2doc-event">{inert(view.event)}</span>')
    if view.date:
        bits.append(f'<time datetime="{attr(view.date)}">{inert(view.date)}</time>')
    if view.duration:
        bits.append(f'<span class="yt2doc-duration">{format_timecode(view.duration)}</span>')
    source = view.media and (
        view.media_href if view.media.extractor == "file" else safe_url(view.media.webpage_url)
    )
    if source:
        href = quote(source, safe=":/?#[]@!$&'*+,;=%~")
        bits.append(f'<a class="yt2doc-source" href="{attr(href)}">Source</a>')
    if not bits:
        return ""
    return '<p class="yt2doc-meta">' + " · ".join(bits) + "</p>\n\n"


def _paragraph(view: TalkView, paragraph: Paragraph, anchor: str, indexed: bool = True) -> str:
    stamp = format_timecode(paragraph.start)
    href = time_url(view.media, paragraph.start, view.media_href) if view.media else None
    link = (
        f'<a class="yt2doc-t" href="{attr(href)}" data-t="{int(paragraph.start)}">{stamp}</a>'
        if href
        else f'<span class="yt2doc-t">{stamp}</span>'
    )
    exclude = "" if indexed else " data-search-exclude"  # Material's search skips it
    return f'<p class="yt2doc-p" id="{anchor}"{exclude}>{link} {inert(paragraph.text)}</p>\n\n'


def paragraph_anchors(paragraphs: Sequence[Paragraph]) -> list[str]:
    """`t<second>`, stable across rebuilds; `-2` for a second paragraph in the same second."""
    taken: set[str] = set()
    anchors = []
    for paragraph in paragraphs:
        base = f"t{int(paragraph.start)}"
        anchor, n = base, 2
        while anchor in taken:
            anchor, n = f"{base}-{n}", n + 1
        taken.add(anchor)
        anchors.append(anchor)
    return anchors


def talk_page(view: TalkView, search_words_per_chapter: int = 0) -> str:
    """The talk's page. With `search_words_per_chapter`, only the first paragraphs of each
    chapter, up to that many words, go into the search index (0: all of them)."""
    meta: dict[str, object] = {"title": attr(view.title)}
    description = _description(view)
    if description:
        meta["description"] = attr(description)
    if view.tags:
        meta["tags"] = [attr(t) for t in view.tags]
    parts = [front_matter(meta), f"# {inert(view.title)}\n\n", _meta_line(view)]
    document = view.document
    if document is None:
        reason = view.problem or "it has not been processed yet"
        parts.append(
            '<div class="admonition warning"><p class="admonition-title">No transcript yet</p>'
            f"<p>This talk has no transcript: {inert(reason)}.</p></div>\n"
        )
        return "".join(parts)
    if not document.paragraphs:  # transcribed, but silence or music only
        parts.append('<p class="yt2doc-empty">No speech was found in this recording.</p>\n')
        return "".join(parts)
    anchors = paragraph_anchors(document.paragraphs)
    if document.chapter_origin != "single":
        items = "".join(
            f'<li><a href="#{c.anchor}">{inert(c.title)}</a> '
            f'<span class="yt2doc-time">{format_timecode(c.start)}</span></li>'
            for c in document.chapters
        )
        parts.append(
            '<nav class="yt2doc-contents" aria-label="Contents">'
            f"<p><strong>Contents</strong></p><ol>{items}</ol></nav>\n\n"
        )
    cap = search_words_per_chapter or None

    def section(indexes: Sequence[int]) -> None:
        words = 0
        for at in indexes:
            paragraph = document.paragraphs[at]
            parts.append(_paragraph(view, paragraph, anchors[at], cap is None or words < cap))
            words += len(paragraph.text.split())

    first = document.chapters[0].first_paragraph if document.chapters else len(anchors)
    section(range(first))  # speech before the first chapter mark
    for index, chapter in enumerate(document.chapters):
        parts.append(f"## {inert(chapter.title)} {{#{chapter.anchor}}}\n\n")
        count = len(document.chapter_paragraphs(index))
        section(range(chapter.first_paragraph, chapter.first_paragraph + count))
    return "".join(parts)


def _summary(view: TalkView) -> str:
    summary = view.document.summary if view.document else None
    return f'<br><span class="yt2doc-summary">{inert(summary)}</span>' if summary else ""


def index_page(views: Sequence[TalkView], title: str) -> str:
    rows = []
    for view in views:
        rows.append(
            "| "
            + " | ".join(
                [
                    f"[{inert(view.title)}]({view.slug}.md)" + _summary(view),
                    inert(", ".join(view.speakers)),
                    inert(view.event or ""),
                    inert(view.date or ""),
                    format_timecode(view.duration) if view.duration else "",
                ]
            )
            + " |"
        )
    table = "| Talk | Speakers | Event | Date | Duration |\n| --- | --- | --- | --- | --- |\n"
    body = table + "\n".join(rows) + "\n" if rows else "No talks are listed yet.\n"
    return front_matter({"title": attr(title)}) + f"# {inert(title)}\n\n" + body
