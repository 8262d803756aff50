"""The archive's pages in MkDocs' navigation: one section, grouped as `groups.py` says."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from mkdocs.structure.nav import Navigation, Section
from mkdocs.structure.pages import Page

from .archive.groups import NavItem, NavSection


def place_pages(
    nav: Navigation, tree: Sequence[NavItem], pages: Mapping[str, Page], title: str, user_nav: bool
) -> Navigation:
    """`nav` with the archive's `pages` (by path in the archive) as one section, arranged as
    `tree`, where MkDocs' automatic nav had their folder; as it is when the user's `nav`
    places any of them. `title` is escaped already (themes print nav titles raw)."""
    if not pages or (user_nav and any(p in nav.pages for p in pages.values())):
        return nav
    ours = set(map(id, pages.values()))
    position = _position(nav.items, ours)
    survivors = _without(nav.items[:position], ours)
    items = survivors + _without(nav.items[position:], ours)
    items.insert(len(survivors), Section(title, _items(tree, pages)))
    return _navigation(items)


def _items(tree: Sequence[NavItem], pages: Mapping[str, Page]) -> list[Any]:
    items: list[Any] = []
    for item in tree:
        if isinstance(item, NavSection):
            items.append(Section(item.title, _items(item.items, pages)))
        elif item in pages:
            items.append(pages[item])
    return items


def _without(items: list[Any], drop: set[int]) -> list[Any]:
    """The nav items minus our pages, minus sections left empty."""
    kept = []
    for item in items:
        if id(item) in drop:
            continue
        if isinstance(item, Section):
            item.children = _without(item.children, drop)
            if not item.children:
                continue
        kept.append(item)
    return kept


def _position(items: list[Any], ours: set[int]) -> int:
    """Where MkDocs' automatic nav had our folder, else the end."""
    for index, item in enumerate(items):
        if id(item) in ours or (
            isinstance(item, Section) and any(id(c) in ours for c in _walk(item.children))
        ):
            return index
    return len(items)


def _walk(items: list[Any]) -> list[Any]:
    found = []
    for item in items:
        found.append(item)
        if isinstance(item, Section):
            found.extend(_walk(item.children))
    return found


def _navigation(items: list[Any]) -> Navigation:
    pages = [item for item in _walk(items) if isinstance(item, Page)]
    for item in items:
        item.parent = None
    for section in (i for i in _walk(items) if isinstance(i, Section)):
        for child in section.children:
            child.parent = section
    for previous, page in zip([None, *pages[:-1]], pages, strict=True):
        page.previous_page = previous
        if previous is not None:
            previous.next_page = page
    if pages:
        pages[-1].next_page = None
    return Navigation(items, pages)
