"""Records -> the archive's index pages: the index of all talks (cards), the index pages by
event, speaker and tag, and the links between pages that talk pages use too (`talk_page`).
Outside text goes through `escape` on its way in.
"""

from __future__ import annotations

import hashlib
import json
import posixpath
import re
import unicodedata
from collections.abc import Iterable, Sequence
from urllib.parse import quote

from ..util.escape import attr, clean, html_text, inert
from ..util.names import slugify
from ..util.timecode import format_timecode
from .views import TalkView

# The index pages by event, speaker and tag: (kind, page name, title).
FACETS = (("events", "events", "By event"), ("speakers", "speakers", "By speaker"),
          ("tags", "tags", "By tag"))  # fmt: skip

_MAX_DESCRIPTION = 200
URL_SAFE = ":/?#[]@!$&'*+,;=%~"  # kept as they are when a URL is quoted for an href


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


# Folders inside an index page's folder that are not a name's page (`speakers/a-z/b/`,
# `events/years/2024/`).
FACET_SUBPAGES = frozenset({"a-z", "years"})
_SEPARATORS = re.compile(r"[\s\-_.,'\u2019]+")


def facet_slug(name: str) -> str:
    """The folder of a speaker's, event's or tag's page: its slug when the slug says all the
    name does (case, accents and separators aside), else the slug and a hash of the name, so
    "C" and "C++" get pages of their own. From the name alone: a page keeps its URL when
    talks are added, and a talk page links it without knowing the rest of the archive."""
    text = unicodedata.normalize("NFKD", clean(name)).casefold()
    key = "".join(ch for ch in text if not unicodedata.combining(ch))
    slug = slugify(name)
    if slug and slug == _SEPARATORS.sub("-", key).strip("-") and slug not in FACET_SUBPAGES:
        return slug
    return f"{slug[:60] or 'n'}-{hashlib.sha1(key.encode('utf-8')).hexdigest()[:8]}"


def facet_page_path(kind: str, name: str) -> str:
    """The page of a speaker, event or tag (`kind`: "speakers", "events", "tags"), as a page
    name for `page_path`: `speakers/ada-lovelace`, its URL `talks/speakers/ada-lovelace/`."""
    return f"{kind}/{facet_slug(name)}"


def speaker_page_path(name: str) -> str:
    return facet_page_path("speakers", name)


def event_page_path(name: str) -> str:
    return facet_page_path("events", name)


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
    """A link to the page of a speaker, event or tag, from page `here`."""
    if kind not in view.facets:
        return inert(name)
    return f"[{inert(name)}]({_link(facet_page_path(kind, name), here)})"


def speaker_link(view: TalkView, name: str, here: str) -> str:
    """A speaker's name linking their page (`speaker_page_path`)."""
    return _facet_link(view, "speakers", name, here)


def event_link(view: TalkView, name: str, here: str) -> str:
    """An event's name linking its page (`event_page_path`)."""
    return _facet_link(view, "events", name, here)


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

    def url(name: str) -> str:
        return attr(base + (f"{name}/" if directory_urls else f"{name}/index.html"))

    def facet(kind: str, name: str) -> str:
        return f'<a href="{url(facet_page_path(kind, name))}">{html_text(name)}</a>'

    cards = []
    for view in views:
        link = url(view.slug)
        thumbnail = view.thumbnail_file
        image = (
            f'<img src="{attr(base + quote(f"{view.slug}/thumbnail{thumbnail.suffix}"))}" '
            'alt="" loading="lazy" decoding="async" width="320" height="180">'
            if thumbnail is not None and view.document is not None
            else poster(view)
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
            + f'<p class="yt2doc-card-summary">{html_text(summary)}</p>'
            + "</div></li>"
        )
    return '<ul class="yt2doc-cards">\n' + "\n".join(cards) + "\n</ul>\n" if cards else ""


def poster(view: TalkView) -> str:
    """A card's picture for a talk with no thumbnail (audio, a local file): its title, event,
    date and speakers on a colour of its event's, in the thumbnail's 16:9 box."""
    seed = clean(view.event or view.title).encode("utf-8")
    hue = int(hashlib.sha1(seed).hexdigest()[:4], 16) % 360
    parts = [html_text(view.event)] if view.event else []
    if view.date:  # a date wraps whole, never at its hyphens
        parts.append(f'<span class="yt2doc-nowrap">{html_text(view.date)}</span>')
    top = " · ".join(parts)
    return (
        f'<span class="yt2doc-poster" style="--yt2doc-hue: {hue}">'
        + (f'<span class="yt2doc-poster-event">{top}</span>' if top else "")
        + f'<span class="yt2doc-poster-title">{html_text(view.title)}</span>'
        + (
            f'<span class="yt2doc-poster-speakers">{html_text(", ".join(view.speakers))}</span>'
            if view.speakers
            else ""
        )
        + "</span>"
    )


def first_sentence(text: str, most: int = 160) -> str:
    """A summary's first sentence (cut at a word if it runs long)."""
    match = re.match(r"(.+?[.!?…])(\s|$)", text)
    sentence = match[1] if match else text
    if len(sentence) > most:
        sentence = sentence[: most - 1].rsplit(" ", 1)[0] + "…"
    return sentence


def facet_names(view: TalkView, kind: str) -> list[str]:
    """The talk's event, speakers or tags, cleaned, each once."""
    names = {"events": [view.event] if view.event else [], "speakers": view.speakers,
             "tags": view.tags}[kind]  # fmt: skip
    return list(dict.fromkeys(clean(n) for n in names if clean(n)))


def facet_groups(views: Iterable[TalkView], kind: str) -> dict[str, list[TalkView]]:
    """Talks by event, speaker or tag; names that differ only in case, accents or separators
    share a page (the first spelling names it)."""
    groups: dict[str, tuple[str, list[TalkView]]] = {}
    for view in views:
        for slug, name in {facet_slug(n): n for n in reversed(facet_names(view, kind))}.items():
            groups.setdefault(slug, (name, []))[1].append(view)
    return {name: talks for name, talks in groups.values()}
