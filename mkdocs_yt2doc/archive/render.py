"""Records -> Markdown pages: one per talk, the index of all talks, and the index pages by
event, speaker and tag. Outside text goes through `escape` on its way in.
"""

from __future__ import annotations

import hashlib
import json
import posixpath
import re
from collections.abc import Callable, Iterable, Sequence
from urllib.parse import quote

from ..records.document import Paragraph
from ..util.escape import attr, clean, html_id, html_text, inert, safe_url
from ..util.names import Taken, slugify, unique
from ..util.timecode import format_timecode
from .player import player_for, player_html, time_url_template
from .search import talk_search_html
from .views import TalkView

# The index pages by event, speaker and tag: (kind, page name, title).
FACETS = (("events", "events", "By event"), ("speakers", "speakers", "By speaker"),
          ("tags", "tags", "By tag"))  # fmt: skip

_MAX_DESCRIPTION = 200
_URL_SAFE = ":/?#[]@!$&'*+,;=%~"  # kept as they are when a URL is quoted for an href


def front_matter(values: dict[str, object]) -> str:
    """YAML front matter, each value written as JSON (which YAML reads as it is): much faster
    than a YAML dumper, and one line per key."""
    lines = [f"{key}: {json.dumps(values[key], ensure_ascii=False)}" for key in sorted(values)]
    return "---\n" + "\n".join(lines) + "\n---\n\n"


def page_description(view: TalkView) -> str | None:
    """For search engines and link previews: the talk's description, the LLM's summary, or
    the opening words of the talk."""
    document = view.document
    text = view.description or (document.summary if document else None)
    if not text and document and document.paragraphs:
        text = document.paragraphs[0].text
    if not text:
        return None
    text = " ".join(clean(text).split())
    if len(text) > _MAX_DESCRIPTION:
        text = text[: _MAX_DESCRIPTION - 1].rsplit(" ", 1)[0] + "…"
    return text


def facet_anchor(name: str) -> str:
    """A speaker's, event's or tag's section on its index page; stable, never empty."""
    name = clean(name)
    return slugify(name) or "n-" + hashlib.sha1(name.encode("utf-8")).hexdigest()[:8]


def page_path(name: str) -> str:
    """Where a page's Markdown goes in the archive folder: the index at its top, every other
    page (a talk, an index by event, speaker or tag) as `<name>/index.md`, in the folder of
    its URL, where its downloads are too. So a relative URL in its raw HTML means the same
    to MkDocs (relative to the URL) and Zensical (relative to the source file)."""
    return f"{name}/index.md" if name else "index.md"


def _link(name: str, here: str) -> str:
    """A Markdown link target from page `here` to page `name` ("": the archive's index)."""
    return posixpath.relpath(page_path(name), posixpath.dirname(page_path(here)) or ".")


def _facet_link(view: TalkView, kind: str, name: str, here: str) -> str:
    if kind not in view.facets:
        return inert(name)
    return f"[{inert(name)}]({_link(kind, here)}#{facet_anchor(name)})"


def _meta_line(view: TalkView) -> str:
    """Speakers, event, date, duration and source: a Markdown paragraph (links to the index
    pages are Markdown links, which MkDocs resolves and checks)."""
    bits = [f'<span class="yt2doc-kind">{inert(view.kind)}</span>'] if view.kind else []
    if view.speakers:
        names = ", ".join(_facet_link(view, "speakers", s, view.slug) for s in view.speakers)
        bits.append(f'<span class="yt2doc-speakers">{names}</span>')
    if view.event:
        event = _facet_link(view, "events", view.event, view.slug)
        bits.append(f'<span class="yt2doc-event">{event}</span>')
    if view.date:
        bits.append(f'<time datetime="{attr(view.date)}">{inert(view.date)}</time>')
    if view.duration:
        bits.append(f'<span class="yt2doc-duration">{format_timecode(view.duration)}</span>')
    source = view.media and (
        view.media_href if view.media.extractor == "file" else safe_url(view.media.webpage_url)
    )
    if source:
        href = quote(source, safe=_URL_SAFE)
        bits.append(f'<a class="yt2doc-source" href="{attr(href)}">Source</a>')
    if not bits:
        return _related(view)
    # a <span>, not attr_list's `{: .class}`: the page needs no Markdown extension
    return '<span class="yt2doc-meta">' + " · ".join(bits) + "</span>\n\n" + _related(view)


def related_urls(view: TalkView) -> list[tuple[str, str]]:
    """The talk's slides and links, (label, URL), only http(s) ones."""
    links = [("Slides", view.slides)] if view.slides else []
    return [(label, url) for label, url in [*links, *view.links] if safe_url(url)]


def _related(view: TalkView) -> str:
    items = [
        f'<a class="yt2doc-link" href="{attr(quote(url, safe=_URL_SAFE))}">{inert(label)}</a>'
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


def _paragraph(link: _TimeLinks, paragraph: Paragraph, anchor: str, indexed: bool = True) -> str:
    """The anchor is an empty element at the paragraph's start, not the `<p>`'s id: Pagefind
    keeps the text of every element with an id, which doubled each page's part of the index
    and made indexing 40 % slower (bench/README.md)."""
    exclude = "" if indexed else " data-search-exclude"  # Material's search skips it
    return (
        f'<p class="yt2doc-p"{exclude}><span id="{anchor}"></span>{link(paragraph.start)} '
        f"{html_text(paragraph.text)}</p>\n\n"
    )


def paragraph_anchors(paragraphs: Sequence[Paragraph]) -> list[str]:
    """`t<second>`, stable across rebuilds; `-2` for a second paragraph in the same second."""
    taken = Taken()
    return [unique(f"t{int(paragraph.start)}", taken) for paragraph in paragraphs]


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
) -> str:
    """The talk's page. With `search_words_per_chapter`, only the first paragraphs of each
    chapter, up to that many words, go into Material's search index (0: all of them); with
    `search="pagefind"` none does (Pagefind indexes the text; Material keeps titles, speakers
    and chapters). `meta`: more front matter; `head`: raw HTML blocks before the title."""
    values: dict[str, object] = {"title": attr(view.title), **(meta or {})}
    description = page_description(view)
    if description:
        values["description"] = attr(description)
    if view.tags:
        values["tags"] = [attr(t) for t in view.tags]
    parts = [front_matter(values), head, f"# {inert(view.title)}\n\n", _meta_line(view)]
    pagefind = search == "pagefind"
    if pagefind:
        parts.append(talk_search_html(view))
    document = view.document
    if document is None:  # Pagefind indexes the title and names only
        reason = view.problem or "it has not been processed yet"
        parts.append(
            '<div class="admonition warning" data-pagefind-ignore>'
            '<p class="admonition-title">No transcript yet</p>'
            f"<p>This talk has no transcript: {inert(reason)}.</p></div>\n"
        )
        return "".join(parts)
    player = player_for(view) if view.player else None
    if player is not None:
        parts.append(player_html(view, player))
    if view.provenance:
        checked = " yt2doc-checked" if view.checked else ""
        parts.append(
            f'<p class="yt2doc-provenance{checked}" data-search-exclude>'
            f"{html_text(view.provenance)}</p>\n\n"
        )
    parts.append(_downloads(view))
    if not document.paragraphs:  # transcribed, but silence or music only
        parts.append('<p class="yt2doc-empty">No speech was found in this recording.</p>\n')
        return "".join(parts)
    anchors = paragraph_anchors(document.paragraphs)
    link = _TimeLinks(view, pagefind)
    if document.chapter_origin != "single":
        items = "".join(
            f'<li><a href="#{html_id(c.anchor)}">{inert(c.title)}</a> {link(c.start)}</li>'
            for c in document.chapters
        )
        parts.append(
            '<nav class="yt2doc-contents" aria-label="Contents">'
            f"<p><strong>Contents</strong></p><ol>{items}</ol></nav>\n\n"
        )
    cap = 0 if pagefind else search_words_per_chapter or None

    def section(indexes: Sequence[int]) -> None:
        words = 0
        for at in indexes:
            paragraph = document.paragraphs[at]
            parts.append(_paragraph(link, paragraph, anchors[at], cap is None or words < cap))
            words += len(paragraph.text.split())

    first = document.chapters[0].first_paragraph if document.chapters else len(anchors)
    section(range(first))  # speech before the first chapter mark
    for index, chapter in enumerate(document.chapters):
        parts.append(f"## {inert(chapter.title)} {{#{html_id(chapter.anchor)}}}\n\n")
        count = len(document.chapter_paragraphs(index))
        section(range(chapter.first_paragraph, chapter.first_paragraph + count))
    return "".join(parts)


def newest_first(views: Iterable[TalkView]) -> list[TalkView]:
    """Dated talks newest first, then undated ones in the order of talks.yml."""
    listed = list(views)
    dated = sorted((v for v in listed if v.date), key=lambda v: v.date or "", reverse=True)
    return dated + [v for v in listed if not v.date]


def facet_links(facets: Iterable[str], current: str | None = None, here: str = "") -> str:
    """'Browse: By event · By speaker · By tag', from page `here` (or the index page of
    `current`, which is left out)."""
    links = [
        f"[{title}]({_link(page, here or current or '')})"
        for kind, page, title in FACETS
        if kind in facets and kind != current
    ]
    browse = '<span class="yt2doc-browse">Browse: ' + " · ".join(links) + "</span>\n\n"
    return browse if links else ""


def index_page(
    views: Sequence[TalkView],
    title: str,
    facets: Iterable[str] = (),
    head: str = "",
    directory_urls: bool = True,
    box: str = "",
    intro: str = "",
) -> str:
    """The talks, newest first, as cards (all of them, or the newest with `intro` linking the
    rest)."""
    body = talk_cards(newest_first(views), directory_urls) or "No talks are listed yet.\n"
    top = front_matter({"title": attr(title)}) + head + f"# {inert(title)}\n\n"
    return top + box + facet_links(facets) + intro + body


def talk_cards(views: Sequence[TalkView], directory_urls: bool = True, base: str = "") -> str:
    """The index's cards: the site's own thumbnail (lazy), title, kind, speakers, event, date,
    duration and the summary's first sentence. One raw HTML block: no Markdown parse of a
    thousand talks, and no Markdown extension needed; so its links are written as URLs,
    relative to the archive's index or `base` from there."""

    def url(name: str, anchor: str = "") -> str:
        page = base + (f"{name}/" if directory_urls else f"{name}/index.html")
        return attr(page + (f"#{anchor}" if anchor else ""))

    def facet(kind: str, name: str) -> str:
        return f'<a href="{url(kind, facet_anchor(name))}">{html_text(name)}</a>'

    cards = []
    for view in views:
        link = url(view.slug)
        thumbnail = view.thumbnail_file
        image = (
            f'<img src="{attr(base + quote(f"{view.slug}/thumbnail{thumbnail.suffix}"))}" '
            'alt="" loading="lazy" decoding="async" width="320" height="180">'
            if thumbnail is not None and view.document is not None
            else ""
        )
        meta = [f'<span class="yt2doc-kind">{html_text(view.kind)}</span>'] if view.kind else []
        if view.speakers:
            meta.append(", ".join(facet("speakers", s) for s in view.speakers))
        if view.event:
            meta.append(facet("events", view.event))
        if view.date:
            meta.append(f'<time datetime="{attr(view.date)}">{html_text(view.date)}</time>')
        if view.duration:
            meta.append(format_timecode(view.duration))
        summary = first_sentence(page_description(view) or "")
        cards.append(
            f'<li class="yt2doc-card"><a class="yt2doc-card-image" href="{link}" tabindex="-1" '
            f'aria-hidden="true">{image}</a><div class="yt2doc-card-body">'
            f'<p class="yt2doc-card-title"><a href="{link}">{html_text(view.title)}</a></p>'
            f'<p class="yt2doc-card-meta">{" · ".join(meta)}</p>'
            + (f'<p class="yt2doc-card-summary">{html_text(summary)}</p>' if summary else "")
            + "</div></li>"
        )
    return '<ul class="yt2doc-cards">\n' + "\n".join(cards) + "\n</ul>\n" if cards else ""


def first_sentence(text: str, most: int = 160) -> str:
    """A summary's first sentence (cut at a word if it runs long)."""
    match = re.match(r"(.+?[.!?…])(\s|$)", text)
    sentence = match[1] if match else text
    if len(sentence) > most:
        sentence = sentence[: most - 1].rsplit(" ", 1)[0] + "…"
    return sentence


def facet_groups(views: Iterable[TalkView], kind: str) -> dict[str, list[TalkView]]:
    """Talks by event, speaker or tag; names that differ only in case or accents share a
    section (the first spelling names it)."""
    names: Callable[[TalkView], Iterable[str]] = {
        "events": lambda v: [v.event] if v.event else [],
        "speakers": lambda v: v.speakers,
        "tags": lambda v: v.tags,
    }[kind]
    groups: dict[str, tuple[str, list[TalkView]]] = {}
    for view in views:
        for name in dict.fromkeys(clean(n) for n in names(view) if clean(n)):
            groups.setdefault(facet_anchor(name), (name, []))[1].append(view)
    return {name: talks for name, talks in groups.values()}


def facet_page(
    views: Sequence[TalkView], kind: str, facets: Iterable[str], head: str = "", box: str = ""
) -> str:
    """One index page: a section per event, speaker or tag, its talks newest first."""
    title = next(t for k, _, t in FACETS if k == kind)
    groups = facet_groups(views, kind)
    order = sorted(groups, key=lambda name: name.casefold())
    if kind == "events":  # the latest event first
        order = sorted(order, key=lambda n: max(v.date or "" for v in groups[n]), reverse=True)
    # Section titles are what search ranks highest: a speaker's name finds this section.
    parts = [front_matter({"title": attr(title), "search": {"boost": 2}}), head, f"# {title}\n\n"]
    parts.append(box)
    parts.append(facet_links(facets, current=kind))
    for name in order:
        parts.append(f"## {inert(name)} {{#{facet_anchor(name)}}}\n\n")
        for view in newest_first(groups[name]):
            details = [inert(x) for x in (view.event if kind != "events" else None, view.date) if x]
            if view.duration:
                details.append(format_timecode(view.duration))
            if kind != "speakers" and view.speakers:
                details.append(inert(", ".join(view.speakers)))
            tail = f" — {' · '.join(details)}" if details else ""
            parts.append(f"- [{inert(view.title)}]({_link(view.slug, kind)}){tail}\n")
        parts.append("\n")
    return "".join(parts)
