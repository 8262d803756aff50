"""The pages of speakers, events and tags, and their index pages (`speakers/`, `events/`,
`tags/`), each page light whatever the archive's size.

- An index page lists every name with its number of talks, linking the name's page; past
  `names_per_page` names it lists their initials instead (`speakers/a-z/b/`: the names in B)
  and the names with the most talks. Events go by year instead (`events/years/2024/`: the
  events whose latest talk is of 2024), with the latest events.
- A name's page (`speakers/<slug>/`, `render.facet_page_path`) shows its talks as cards, newest
  first, `cards_per_page` a page (`speakers/<slug>/2/`, ...); a speaker's page the affiliation,
  link and photo that talks.yml's `speakers:` map gives.

Pages are raw HTML after the title (no Markdown parse of a thousand names); their links are
relative URLs, as the cards' are (`render.page_path` puts every page in its URL's folder).
"""

from __future__ import annotations

import posixpath
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from ..catalog.talk_fields import speaker_key
from ..records.talk import Speaker
from ..util.escape import attr, clean, html_text, inert, safe_url
from .render import (
    FACETS,
    facet_groups,
    facet_links,
    facet_page_path,
    facet_slug,
    front_matter,
    newest_first,
    talk_cards,
)
from .views import TalkView

Chrome = Callable[[str], str]  # a page's path -> what goes before its title (styles, scripts)
Box = Callable[[str], str]  # a page's path -> the search box under its title
LETTERS = "a-z"  # the initials' folder (render.FACET_SUBPAGES)
YEARS = "years"  # the events' years' folder (render.FACET_SUBPAGES)
LATEST_EVENTS = 20  # on the events' index, past names_per_page events
UNDATED = "undated"
_NOUN = {"speakers": ("Speaker", "speakers"), "events": ("Event", "events"),
         "tags": ("Tag", "tags")}  # fmt: skip


def talks_count(count: int) -> str:
    return f"{count:,} talk" + ("" if count == 1 else "s")


def _folder_url(target: str, here: str, directory_urls: bool) -> str:
    """The relative URL from page `here` to page `target` (page names, as `page_path`)."""
    rel = posixpath.relpath(target or ".", here or ".")
    return attr((f"{rel}/" if rel != "." else "./") + ("" if directory_urls else "index.html"))


def _initial(name: str) -> str:
    text = unicodedata.normalize("NFKD", clean(name)).casefold()
    first = next((ch for ch in text if ch.isalnum()), "")
    return first if "a" <= first <= "z" else "other"


def _year_order(group: tuple[str, list[str]]) -> tuple[bool, int]:
    """The latest year first, the undated last."""
    return (group[0] == UNDATED, -int(group[0]) if group[0].isdigit() else 0)


def _dates(talks: Iterable[TalkView]) -> str:
    dates = sorted(v.date for v in talks if v.date)
    if not dates:
        return ""
    span = dates[0] if dates[0] == dates[-1] else f"{dates[0]} \N{EN DASH} {dates[-1]}"
    return html_text(span)


class FacetPages:
    """The pages of one kind ("speakers", "events", "tags") of an archive's talks."""

    def __init__(
        self,
        views: Sequence[TalkView],
        kind: str,
        facets: Iterable[str],
        *,
        names_per_page: int,
        cards_per_page: int,
        directory_urls: bool = True,
    ) -> None:
        self.kind, self.facets = kind, sorted(facets)
        self.groups = facet_groups(views, kind)
        self.order = sorted(self.groups, key=lambda name: name.casefold())
        if kind == "events":  # the latest event first
            self.order.sort(key=lambda n: max(v.date or "" for v in self.groups[n]), reverse=True)
        self.names_per_page, self.cards_per_page = names_per_page, max(1, cards_per_page)
        self.directory_urls = directory_urls
        self.profiles = {speaker_key(p.name): p for v in views for p in v.profiles}

    def pages(self, chrome: Chrome, box: Box) -> list[tuple[str, str | Path]]:
        """(page name, Markdown) for each page, and (file path, source) for each photo."""
        title = next(t for k, _, t in FACETS if k == self.kind)
        found: list[tuple[str, str | Path]] = []
        if len(self.order) <= self.names_per_page:
            found.append((self.kind, self._index(title, chrome, box, None)))
        else:
            groups = self._groups()
            found.append((self.kind, self._index(title, chrome, box, groups)))
            for key, names in groups.items():
                here = f"{self.kind}/{self._folder}/{key}"
                page = self._index(f"{title}: {self._label(key, True)}", chrome, box, None,
                                   (key, names))  # fmt: skip
                found.append((here, page))
        for name in self.order:
            found.extend(self._name_pages(name, chrome, box))
        return found

    @property
    def _folder(self) -> str:
        return YEARS if self.kind == "events" else LETTERS

    def _label(self, key: str, whole: bool) -> str:
        if self.kind == "events":
            return "Undated" if key == UNDATED else key
        if key == "other":
            return "0\N{EN DASH}9 and others" if whole else "0\N{EN DASH}9 …"
        return key.upper()

    def _groups(self) -> dict[str, list[str]]:
        """The names by initial, A to Z (others last); events by year, the latest first."""
        groups: dict[str, list[str]] = {}
        if self.kind == "events":
            for name in self.order:  # (the latest first)
                latest = max(v.date or "" for v in self.groups[name])[:4]
                groups.setdefault(latest if latest.isdigit() else UNDATED, []).append(name)
            return dict(sorted(groups.items(), key=_year_order))
        for name in sorted(self.order, key=str.casefold):
            groups.setdefault(_initial(name), []).append(name)
        return dict(sorted(groups.items(), key=lambda item: (item[0] == "other", item[0])))

    def _index(
        self,
        title: str,
        chrome: Chrome,
        box: Box,
        groups: dict[str, list[str]] | None,
        group: tuple[str, Sequence[str]] | None = None,
    ) -> str:
        """The index page (`groups`: its links to the initials' or years' pages), or the page
        of one `group` (its key and names)."""
        here = self.kind if group is None else f"{self.kind}/{self._folder}/{group[0]}"
        noun = _NOUN[self.kind][1]
        parts = [front_matter({"title": attr(title)}), chrome(here), f"# {inert(title)}\n\n"]
        parts += [box(here), facet_links(self.facets, current=self.kind, here=here)]
        shown = self.order if group is None else group[1]
        if group is not None:
            back = _folder_url(self.kind, here, self.directory_urls)
            parts.append(f'<p class="yt2doc-facet-count">{len(shown):,} {noun} · '
                         f'<a href="{back}">all {noun}</a></p>\n\n')  # fmt: skip
        else:
            parts.append(f'<p class="yt2doc-facet-count">{len(self.order):,} {noun}</p>\n\n')
        if groups is None:
            parts.append(self._names(shown, here))
            return "".join(parts)
        links = []
        for key, names in groups.items():
            url = _folder_url(f"{self.kind}/{self._folder}/{key}", here, self.directory_urls)
            links.append(f'<li><a href="{url}">{self._label(key, False)}</a> '
                         f'<span class="yt2doc-count">{len(names):,}</span></li>')  # fmt: skip
        kind = "yt2doc-years" + ("" if self.kind == "events" else " yt2doc-initials")
        parts.append(f'<ul class="{kind}">' + "".join(links) + "</ul>\n\n")
        if self.kind == "events":
            parts.append(f"## Latest events\n\n{self._names(self.order[:LATEST_EVENTS], here)}")
            return "".join(parts)
        most = sorted(self.order, key=lambda n: -len(self.groups[n]))[: self.names_per_page // 5]
        parts.append(f"## Most talks\n\n{self._names(most, here)}")
        return "".join(parts)

    def _names(self, names: Sequence[str], here: str) -> str:
        items = []
        for name in names:
            talks = self.groups[name]
            url = _folder_url(facet_page_path(self.kind, name), here, self.directory_urls)
            when = _dates(talks) if self.kind == "events" else ""
            items.append(
                f'<li id="{facet_slug(name)}"><a href="{url}">{html_text(name)}</a> '
                f'<span class="yt2doc-count">{talks_count(len(talks))}'
                + (f" · {when}" if when else "")
                + "</span></li>"
            )
        return '<ul class="yt2doc-facets">\n' + "\n".join(items) + "\n</ul>\n\n"

    def _name_pages(self, name: str, chrome: Chrome, box: Box) -> list[tuple[str, str | Path]]:
        page = facet_page_path(self.kind, name)
        talks = newest_first(self.groups[name])
        parts = range(0, len(talks), self.cards_per_page)
        profile = self.profiles.get(speaker_key(name)) if self.kind == "speakers" else None
        found: list[tuple[str, str | Path]] = []
        photo = None
        if profile is not None and profile.photo is not None:
            photo = f"photo{profile.photo.suffix.lower()}"
            found.append((f"{page}/{photo}", profile.photo))
        for number, start in enumerate(parts, 1):
            here = page if number == 1 else f"{page}/{number}"
            title = name if number == 1 else f"{name} (page {number})"
            top = "../" * here.count("/") + "../"  # to the archive's folder
            # a speaker's name in Material's search finds their page first
            meta: dict[str, object] = {"title": attr(title), "search": {"boost": 2}}
            html = [front_matter(meta), chrome(here), f"# {inert(title)}\n\n"]
            html.append(box(here))
            photo_url = (f"../{photo}" if number > 1 else photo) if photo else None
            html.append(self._about(name, talks, here, profile, photo_url))
            html.append(talk_cards(talks[start : start + self.cards_per_page],
                                   self.directory_urls, base=top))  # fmt: skip
            html.append(self._pager(page, here, number, len(parts)))
            found.append((here, "".join(html)))
        return found

    def _about(
        self,
        name: str,
        talks: Sequence[TalkView],
        here: str,
        profile: Speaker | None,
        photo: str | None,
    ) -> str:
        """What the name is, how many talks it has (and when), and the speaker's profile."""
        noun, plural = _NOUN[self.kind]
        back = _folder_url(self.kind, here, self.directory_urls)
        bits = [noun, talks_count(len(talks))]
        if self.kind == "events" and _dates(talks):
            bits.append(_dates(talks))
        if profile is not None and profile.affiliation:
            bits.append(f'<span class="yt2doc-affiliation">{html_text(profile.affiliation)}</span>')
        url = safe_url(profile.url) if profile is not None else None
        if url:
            bits.append(f'<a class="yt2doc-website" href="{attr(url)}" rel="nofollow ugc">'
                        "Website</a>")  # fmt: skip
        bits.append(f'<a href="{back}">All {plural}</a>')
        text = f'<p class="yt2doc-facet-count">{" · ".join(bits)}</p>'
        if not photo:
            return f'<div class="yt2doc-about">{text}</div>\n\n'
        image = (f'<img class="yt2doc-photo" src="{attr(photo)}" alt="" width="96" '
                 'height="96" decoding="async">')  # fmt: skip
        return f'<div class="yt2doc-about yt2doc-profile">{image}{text}</div>\n\n'

    def _pager(self, page: str, here: str, number: int, count: int) -> str:
        if count <= 1:
            return ""
        links = []
        for n in range(1, count + 1):
            target = page if n == 1 else f"{page}/{n}"
            if n == number:
                links.append(f'<li><span aria-current="page">{n}</span></li>')
            else:
                url = _folder_url(target, here, self.directory_urls)
                links.append(f'<li><a href="{url}">{n}</a></li>')
        return ('<nav class="yt2doc-pager" aria-label="Pages"><ul class="yt2doc-years">'
                + "".join(links) + "</ul></nav>\n")  # fmt: skip
