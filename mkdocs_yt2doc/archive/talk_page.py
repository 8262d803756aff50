"""Records -> a talk's Markdown page: its meta line, abstract, player, contents with each
chapter's length, and every paragraph behind a timestamp that links its second.
Outside text goes through `escape` on its way in.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import quote

from ..records.document import Paragraph
from ..util.escape import attr, clean, html_id, html_text, inert, safe_url
from ..util.names import Taken, unique
from ..util.timecode import format_timecode
from .player import player_for, player_html, time_url_template
from .render import URL_SAFE, event_link, front_matter, page_description, speaker_link
from .search import PAGEFIND_BODY, talk_search_html
from .splice import PageParts
from .views import TalkView


def source_kind(view: TalkView) -> str | None:
    """What the recording is, for talks.yml without a `kind`: video or audio."""
    player = player_for(view) if view.media else None
    if player is not None:
        return "audio" if player.kind == "audio" else "video"
    extractor = view.media.extractor.lower() if view.media else ""
    return "podcast" if "podcast" in extractor else None


def _meta_line(view: TalkView) -> str:
    """Kind, speakers, event, date, duration and source: a Markdown paragraph (links to the
    index pages are Markdown links, which MkDocs resolves and checks)."""
    kind = view.kind or source_kind(view)
    bits = [f'<span class="yt2doc-kind">{inert(kind)}</span>'] if kind else []
    if view.speakers:
        names = ", ".join(speaker_link(view, s, view.slug) for s in view.speakers)
        bits.append(f'<span class="yt2doc-speakers">{names}</span>')
    if view.event:
        event = event_link(view, view.event, view.slug)
        bits.append(f'<span class="yt2doc-event">{event}</span>')
    if view.date:
        bits.append(f'<time datetime="{attr(view.date)}">{inert(view.date)}</time>')
    if view.duration:
        bits.append(f'<span class="yt2doc-duration">{format_timecode(view.duration)}</span>')
    source = _source_href(view)
    if source:
        href = quote(source, safe=URL_SAFE)
        bits.append(f'<a class="yt2doc-source" href="{attr(href)}">Source</a>')
    if not bits:
        return _related(view)
    # a <span>, not attr_list's `{: .class}`: the page needs no Markdown extension
    return '<span class="yt2doc-meta">' + " · ".join(bits) + "</span>\n\n" + _related(view)


def _placeholder(view: TalkView) -> str:
    """A neutral note and the way to the recording: why there is no transcript (a host name,
    an errno, an exception) is for the build log, not for the public site."""
    source = _source_href(view) or safe_url(view.source_url)
    link = (
        f' <a class="yt2doc-source" href="{attr(quote(source, safe=URL_SAFE))}">Watch or '
        "listen to it at its source</a>."
        if source
        else ""
    )
    return (
        '<div class="admonition note" data-pagefind-ignore>'
        '<p class="admonition-title">No transcript yet</p>'
        f"<p>This talk has no transcript yet.{link}</p></div>\n"
    )


def _source_href(view: TalkView) -> str | None:
    if view.media is None:
        return None
    return view.media_href if view.media.extractor == "file" else safe_url(view.media.webpage_url)


def related_urls(view: TalkView) -> list[tuple[str, str]]:
    """The talk's slides and links, (label, URL), only http(s) ones."""
    links = [("Slides", view.slides)] if view.slides else []
    return [(label, url) for label, url in [*links, *view.links] if safe_url(url)]


def _related(view: TalkView) -> str:
    items = [
        f'<a class="yt2doc-link" href="{attr(quote(url, safe=URL_SAFE))}">{inert(label)}</a>'
        for label, url in related_urls(view)
    ]
    return '<span class="yt2doc-related">' + " · ".join(items) + "</span>\n\n" if items else ""


class _TimeLinks:
    """Timestamps that link the source at their second (the URL worked out once per talk:
    this runs for every paragraph of every talk)."""

    def __init__(self, view: TalkView, pagefind: bool = False) -> None:
        # Pagefind skips the stamps: excerpts read as speech ("12:04" is shown apart)
        self.ignore = " data-pagefind-ignore" if pagefind else ""
        template = time_url_template(view.media, view.media_href) if view.media else None
        self.before, self.after = (attr(template[0]), attr(template[1])) if template else ("", "")
        self.linked = template is not None

    def __call__(self, seconds: float) -> str:
        stamp = format_timecode(seconds)
        if not self.linked:
            return f'<span class="yt2doc-t"{self.ignore}>{stamp}</span>'
        second = max(0, int(seconds))
        href = f"{self.before}{second}{self.after}"
        return f'<a class="yt2doc-t" href="{href}" data-t="{second}"{self.ignore}>{stamp}</a>'


def _paragraph(
    link: _TimeLinks, paragraph: Paragraph, anchor: str, indexed: bool = True, body: str = ""
) -> str:
    """The anchor is an empty element at the paragraph's start, not the `<p>`'s id: Pagefind
    keeps the text of every element with an id, which doubled each page's part of the index
    and made indexing 40 % slower (bench/README.md)."""
    exclude = "" if indexed else " data-search-exclude"  # Material's search skips it
    return (
        f'<p class="yt2doc-p"{exclude}{body}><span id="{anchor}"></span>{link(paragraph.start)} '
        f"{html_text(paragraph.text)}</p>\n\n"
    )


def paragraph_anchors(paragraphs: Sequence[Paragraph]) -> list[str]:
    """`t<second>`, stable across rebuilds; `-2` for a second paragraph in the same second."""
    taken = Taken()
    return [unique(f"t{int(paragraph.start)}", taken) for paragraph in paragraphs]


_MAX_ABSTRACT = 1500  # characters of a source's description shown (the rest: at the source)


def abstract_html(view: TalkView) -> str:
    """The abstract near the top: the talk's description (talks.yml or the source), else the
    summary, marked as written by machine. One raw HTML block: nothing in it is Markdown."""
    text = view.abstract
    if not text:
        return ""
    text = text.strip()
    if len(text) > _MAX_ABSTRACT:
        text = text[: _MAX_ABSTRACT - 1].rsplit(" ", 1)[0] + "…"
    blocks = [b for b in re.split(r"\n\s*\n", text) if clean(b)]
    body = "".join(f"<p>{html_text(b)}</p>" for b in blocks)
    note = (
        '<p class="yt2doc-abstract-note" data-search-exclude data-pagefind-ignore>'
        "Summary written by machine from the transcript.</p>"
        if view.machine_abstract
        else ""
    )
    return f'<div class="yt2doc-abstract">{body}{note}</div>\n\n'


def chapter_length(seconds: float) -> str:
    """A chapter's length for the contents: "45 s", "4 min", "1 h 05 min"."""
    if seconds < 60:
        return f"{max(1, int(seconds))} s"
    minutes = round(seconds / 60)
    return f"{minutes} min" if minutes < 60 else f"{minutes // 60} h {minutes % 60:02d} min"


def _chapter_ends(view: TalkView) -> list[float]:
    """Where each chapter ends: the next one's start, the last at the talk's end."""
    document = view.document
    if document is None or not document.chapters:
        return []
    recording = view.media.duration if view.media else None
    last = document.paragraphs[-1].end if document.paragraphs else document.chapters[-1].start
    end = view.end if view.end is not None else recording
    final = max(end if end is not None else last, document.chapters[-1].start)
    return [*(c.start for c in document.chapters[1:]), final]


def _downloads(view: TalkView) -> str:
    if not view.downloads:
        return ""
    links = " · ".join(
        f'<a href="{attr(href)}" download>{label}</a>' for label, href in view.downloads
    )
    ignored = "data-search-exclude data-pagefind-ignore"  # neither search indexes it
    return f'<p class="yt2doc-downloads" {ignored}>Transcript: {links}</p>\n\n'


def talk_page(
    view: TalkView,
    search_words_per_chapter: int = 0,
    *,
    meta: dict[str, object] | None = None,
    head: str = "",
    search: str = "material",
    page: PageParts | None = None,
) -> str:
    """The talk's page. With `search_words_per_chapter`, only the first paragraphs of each
    chapter, up to that many words, go into Material's search index (0: all of them); with
    `search="pagefind"` none does (Pagefind indexes the text; Material keeps titles, speakers
    and chapters). `meta`: more front matter; `head`: raw HTML blocks before the title;
    `page`: where its raw HTML goes (`splice.py`), else into the Markdown."""
    parts = page if page is not None else PageParts()
    values: dict[str, object] = {"title": attr(view.title), **(meta or {})}
    description = page_description(view)
    if description:
        values["description"] = attr(description)
    if view.tags:
        values["tags"] = [attr(t) for t in view.tags]
    parts.markdown(front_matter(values))
    parts.html(head)
    parts.markdown(f"# {inert(view.title)}\n\n" + _meta_line(view))
    parts.html(abstract_html(view))
    pagefind = search == "pagefind"
    if pagefind:
        parts.html(talk_search_html(view))
    document = view.document
    if document is None:  # Pagefind indexes the title and names only
        parts.html(_placeholder(view))
        return parts.text()
    player = player_for(view) if view.player else None
    if player is not None:
        parts.html(player_html(view, player))
    if view.provenance:
        checked = " yt2doc-checked" if view.checked else ""
        parts.html(
            f'<p class="yt2doc-provenance{checked}" data-search-exclude>'
            f"{html_text(view.provenance)}</p>\n\n"
        )
    parts.html(_downloads(view))
    if not document.paragraphs:  # transcribed, but silence or music only
        parts.html('<p class="yt2doc-empty">No speech was found in this recording.</p>\n')
        return parts.text()
    anchors = paragraph_anchors(document.paragraphs)
    link = _TimeLinks(view, pagefind)
    if document.chapter_origin != "single":
        items = "".join(
            f'<li><a href="#{html_id(c.anchor)}">{inert(c.title)}</a> {link(c.start)} '
            f'<span class="yt2doc-length">{chapter_length(end - c.start)}</span></li>'
            for c, end in zip(document.chapters, _chapter_ends(view), strict=True)
        )
        parts.html(
            '<nav class="yt2doc-contents" aria-label="Contents">'
            f"<p><strong>Contents</strong></p><ol>{items}</ol></nav>\n\n"
        )
    cap = 0 if pagefind else search_words_per_chapter or None
    # Pagefind reads only the speech and chapter titles (each its own block): not the meta
    # line, provenance, player or contents, and no page without a body (index pages)
    body, heading = (PAGEFIND_BODY, ' data-pagefind-body=""') if pagefind else ("", "")

    def section(indexes: Sequence[int]) -> None:
        words = 0
        for at in indexes:
            paragraph = document.paragraphs[at]
            indexed = cap is None or words < cap
            parts.html(_paragraph(link, paragraph, anchors[at], indexed, body))
            words += len(paragraph.text.split())

    first = document.chapters[0].first_paragraph if document.chapters else len(anchors)
    section(range(first))  # speech before the first chapter mark
    for index, chapter in enumerate(document.chapters):
        parts.markdown(f"## {inert(chapter.title)} {{#{html_id(chapter.anchor)}{heading}}}\n\n")
        count = len(document.chapter_paragraphs(index))
        section(range(chapter.first_paragraph, chapter.first_paragraph + count))
    return parts.text()
