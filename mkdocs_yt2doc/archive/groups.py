"""Talk views -> the archive's navigation, grouped so that no page lists the whole archive.

A small archive is one list. Past `nav_group_size` talks, the talks are grouped by year (the
newest first, undated ones last), a crowded year by event, and a crowded group in parts; each
year gets a page of its own listing its talks. With Material's `navigation.prune` a page then
carries the years, its own year's groups and its own group's talks: its size depends on how
the archive is shaped, not on how many talks it holds. Every talk stays two clicks from the
archive's index: the index links each year's page, which links each of its talks.
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Sequence
from dataclasses import dataclass

from ..util.escape import attr, clean, html_text, inert
from .render import (
    facet_anchor,
    facet_groups,
    facet_links,
    front_matter,
    newest_first,
    page_path,
    talk_cards,
)
from .views import TalkView

YEARS = "years"  # the year pages' folder in the archive (a reserved slug)
UNDATED = "undated"
OTHER_TALKS = "Other talks"


@dataclass(frozen=True)
class NavSection:
    """A titled section of the navigation. Themes print nav titles unescaped (MkDocs' Jinja
    does not autoescape), so the title is escaped as the pages' front matter titles are."""

    title: str
    items: tuple[NavItem, ...]


NavItem = str | NavSection  # a page (its path in the archive folder) or a section


@dataclass(frozen=True)
class Year:
    """One year's talks (`name` is the year, or "undated"), grouped by event when crowded."""

    name: str
    talks: tuple[TalkView, ...]  # newest first

    @property
    def title(self) -> str:
        return "Undated" if self.name == UNDATED else self.name

    @property
    def page(self) -> str:
        return f"{YEARS}/{self.name}"


def years(views: Sequence[TalkView], most: int) -> list[Year]:
    """The archive's years, newest first; none when it holds at most `most` talks."""
    if len(views) <= most:
        return []
    found: dict[str, list[TalkView]] = {}
    for view in newest_first(views):
        year = view.date[:4] if view.date and view.date[:4].isdigit() else UNDATED
        found.setdefault(year, []).append(view)
    return [Year(name, tuple(talks)) for name, talks in found.items()]


def by_event(talks: Sequence[TalkView]) -> list[tuple[str, list[TalkView]]]:
    """A year's talks by event, the latest event first (the talks come newest first); talks
    of no event last."""
    groups = list(facet_groups(talks, "events").items())
    others = [view for view in talks if not clean(view.event or "")]
    return [*groups, (OTHER_TALKS, others)] if others else groups


def archive_nav(index_pages: Sequence[str], views: Sequence[TalkView], most: int) -> list[NavItem]:
    """The archive's navigation: its index pages first, then its talks, grouped by year past
    `most` talks."""
    grouped = years(views, most)
    if not grouped:
        return [*index_pages, *(page_path(v.slug) for v in views)]
    items: list[NavItem] = list(index_pages)
    for year in grouped:
        talks: list[NavItem] = [page_path(year.page)]
        events = by_event(year.talks)
        if len(year.talks) > most and len(events) > 1:
            talks += [NavSection(attr(name), _parts(group, most)) for name, group in events]
        else:
            talks += _parts(year.talks, most)
        items.append(NavSection(attr(year.title), tuple(talks)))
    return items


def _parts(talks: Sequence[TalkView], most: int) -> tuple[NavItem, ...]:
    """Talk pages; in sections of `most` ("1-50", "51-100", ...) when there are more."""
    pages = [page_path(view.slug) for view in talks]
    if len(pages) <= most:
        return tuple(pages)
    return tuple(
        NavSection(
            f"{start + 1}\N{EN DASH}{min(start + most, len(pages))}",
            tuple(pages[start : start + most]),
        )
        for start in range(0, len(pages), most)
    )


def year_page(
    year: Year, facets: Sequence[str], head: str = "", box: str = "", directory_urls: bool = True
) -> str:
    """One year's talks as cards, by event."""
    here = year.page
    parts = [front_matter({"title": attr(year.title)}), head, f"# {inert(year.title)}\n\n", box]
    parts.append(facet_links(facets, here=here))
    for name, talks in by_event(year.talks):
        anchor = "other-talks" if name == OTHER_TALKS else facet_anchor(name)
        parts.append(f"## {inert(name)} {{#{anchor}}}\n\n")
        parts.append(talk_cards(talks, directory_urls, base="../../"))
        parts.append("\n")
    return "".join(parts)


def years_html(grouped: Sequence[Year], directory_urls: bool = True) -> str:
    """The index's links to every year's page, with its number of talks."""
    links = []
    for year in grouped:
        url = f"{year.page}/" if directory_urls else f"{year.page}/index.html"
        count = f"{len(year.talks):,} talk" + ("s" if len(year.talks) != 1 else "")
        links.append(
            f'<li><a href="{attr(url)}">{html_text(year.title)}</a> '
            f'<span class="yt2doc-count">{count}</span></li>'
        )
    return '<ul class="yt2doc-years">' + "".join(links) + "</ul>\n\n"


def nav_yaml(nav: Sequence[NavItem], prefix: str, title: str) -> str:
    """The archive's navigation as a `nav:` entry of mkdocs.yml (Zensical reads the same):
    automatic navigation sorts pages by name instead, and lists every talk on every page.
    `title` and the sections' titles are escaped already (`Archive.nav_title`)."""
    lines = [
        "# Written by `mkdocs-yt2doc render`: the archive's pages, as its navigation groups them.",
        "# Paste it under `nav:` in mkdocs.yml.",
        f"- {json.dumps(title, ensure_ascii=False)}:",
    ]

    def add(items: Sequence[NavItem], depth: int) -> None:
        indent = "    " * depth
        for item in items:
            if isinstance(item, NavSection):
                lines.append(f"{indent}- {json.dumps(item.title, ensure_ascii=False)}:")
                add(item.items, depth + 1)
            else:
                lines.append(f"{indent}- {json.dumps(posixpath.join(prefix, item))}")

    add(nav, 1)
    return "\n".join(lines) + "\n"
