"""Talk views -> every file of the archive: pages, downloads, copies and the player's assets.

One list of records, paths relative to the archive folder, for any front-end: the MkDocs
plugin turns each into an in-memory file of the build, `mkdocs-yt2doc render` writes them
into docs_dir for generators that run no MkDocs plugins (Zensical, MkDocs 2). So each page
carries what a plugin used to add for it: its script and styles (relative URLs), chapter ids
that need no Markdown extension the site lacks, JSON-LD in the body, Open Graph in front matter.
"""

from __future__ import annotations

import dataclasses
import hashlib
import html
import logging
import os
import posixpath
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from ..document.captions import chapters_vtt, transcript_json, transcript_text
from ..util.escape import attr, clean_lines, safe_url
from .facet_pages import FacetPages
from .groups import NavItem, archive_nav, year_page, years, years_html
from .player import json_ld_html
from .recordings import FILE_MIB, TOTAL_MIB, check_recordings, hosted_href
from .render import FACETS, facet_groups, index_page, newest_first, page_description, page_path
from .search import SCRIPT, SEARCH_PAGE, SITE_SCRIPT, out_of_theme_search, search_box, search_page
from .splice import PageParts, lists_apart
from .talk_page import related_urls, talk_page
from .views import TalkView

log = logging.getLogger("mkdocs.plugins.yt2doc")

ASSETS = Path(__file__).parent.parent / "assets"
ASSET_DIR = "assets"  # inside the archive folder ("assets" is never a talk's slug)
EXPORTS = {"srt": "SRT", "vtt": "WebVTT", "json": "JSON", "txt": "Text"}
# A chapter or index-page heading as render.py writes it for attr_list: `## Title {#id}`.
_ATTR_HEADING = re.compile(r"^## (.*) \{#([^}\s]+)( data-pagefind-body=\"\")?\}$", re.MULTILINE)


@dataclass(frozen=True)
class ArchiveFile:
    """One file of the archive: generated content, or a file to copy (recordings, captions)."""

    path: str  # posix, relative to the archive folder
    content: str | bytes | None = None
    source: Path | None = None

    def __post_init__(self) -> None:
        if (self.content is None) == (self.source is None):
            raise ValueError(f"{self.path}: give content or a source, not both or neither")

    @property
    def is_page(self) -> bool:
        return self.path.endswith(".md")

    def data(self) -> bytes:
        if self.content is None:
            assert self.source is not None
            return self.source.read_bytes()
        return self.content.encode("utf-8") if isinstance(self.content, str) else self.content

    def sha256(self) -> str:
        if self.content is not None:
            return hashlib.sha256(self.data()).hexdigest()
        assert self.source is not None
        return file_sha256(self.source)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class ArchiveOptions:
    """The plugin's options that shape the archive, and what it needs to know of the site."""

    output_dir: str = "talks"  # URL folder of the archive in the site
    player: bool = True
    exports: tuple[str, ...] = ("srt", "vtt", "json", "txt")
    search_words_per_chapter: int = 0
    nav_title: str = "Talks"
    site_url: str | None = None  # absolute URLs in JSON-LD when set
    use_directory_urls: bool = True  # page URLs `talks/slug/` or `talks/slug/index.html`
    attr_list: bool = True  # the site has attr_list: `## Title {#id}` (and its TOC lists it)
    search: str = "pagefind"  # or "material": Material's search indexes the transcripts
    nav_group_size: int = 50  # past this many talks, the nav and the index group them by year
    media_base_url: str | None = None  # local recordings are published there, not copied
    media_warn_mib: tuple[int, int] = (FILE_MIB, TOTAL_MIB)  # a copied file's, all copies'
    splice: bool = False  # talk pages' raw HTML apart (`Archive.html`), for the plugin


@dataclass(frozen=True)
class Archive:
    files: list[ArchiveFile]  # the pages first: the index pages, then the talks
    nav: list[NavItem]  # the pages' place in the site's navigation
    # The nav section holding `nav`: escaped as NavSection titles are (themes print it raw).
    nav_title: str = "Talks"
    # With `ArchiveOptions.splice`: page path -> the raw HTML its placeholders stand for.
    html: dict[str, list[str]] = field(default_factory=dict)


def archive_files(views: Sequence[TalkView], options: ArchiveOptions) -> list[ArchiveFile]:
    return build_archive(views, options).files


def build_archive(views: Sequence[TalkView], options: ArchiveOptions) -> Archive:
    """Every file of the archive, and its navigation. Pages come first: the index, the index
    pages by event, speaker and tag (and by year, for a large archive), the search page, then
    the talks in talks.yml order."""
    facets = frozenset(kind for kind, _, _ in FACETS if facet_groups(views, kind))
    talks: list[ArchiveFile] = []
    others: list[ArchiveFile] = []
    shown: list[TalkView] = []
    spliced: dict[str, list[str]] = {}
    for view in views:
        view = dataclasses.replace(view, player=options.player, facets=facets)
        path = page_path(view.slug)
        if view.document is not None:
            view, downloads = _talk_files(view, options, path)
            others.extend(downloads)
        shown.append(view)
        parts = PageParts(options.splice)
        talks.append(ArchiveFile(path, _talk_page(view, options, path, parts)))
        if parts.blocks:
            spliced[path] = parts.blocks
    check_recordings(shown, options.media_base_url, options.media_warn_mib)
    pagefind = options.search == "pagefind"
    grouped = years(shown, options.nav_group_size)
    head, box = _assets_html("index.md", options), _box("index.md", options)
    cards, intro = shown, ""
    if grouped:  # the newest talks, and every year's page: each talk two clicks away
        cards = newest_first(shown)[: options.nav_group_size]
        intro = (
            f'<p class="yt2doc-newest">The {len(cards)} newest of {len(shown):,} talks; '
            "all of them by year:</p>\n" + years_html(grouped, options.use_directory_urls)
        )
    index = index_page(
        cards, options.nav_title, facets, head=head, box=box,
        directory_urls=options.use_directory_urls, intro=intro,
    )  # fmt: skip
    pages = [ArchiveFile(page_path(""), _headings(index, options))]
    facet_files: list[ArchiveFile] = []  # the pages of each speaker, event and tag
    for kind, _, _ in FACETS:
        if kind in facets:
            made = FacetPages(
                shown, kind, facets, names_per_page=_names_per_page(kind, options),
                cards_per_page=options.nav_group_size,
                directory_urls=options.use_directory_urls,
            ).pages(
                lambda name: _assets_html(page_path(name), options),
                lambda name: _box(page_path(name), options),
            )  # fmt: skip
            pages.append(ArchiveFile(page_path(kind), _headings(str(made[0][1]), options)))
            for name, content in made[1:]:
                facet_files.append(
                    ArchiveFile(page_path(name), _headings(content, options))
                    if isinstance(content, str)
                    else ArchiveFile(name, source=content)
                )
    if pagefind:
        path = page_path(SEARCH_PAGE)
        pages.append(
            ArchiveFile(path, search_page(options.output_dir, _assets_html(path, options, SCRIPT)))
        )
    index_pages = [page.path for page in pages]
    for year in grouped:
        path = page_path(year.page)
        content = year_page(
            year, sorted(facets), _assets_html(path, options), _box(path, options),
            options.use_directory_urls,
        )  # fmt: skip
        pages.append(ArchiveFile(path, _headings(content, options)))
    assets = [ArchiveFile(f"{ASSET_DIR}/{name}", source=ASSETS / name)
              for name in ("yt2doc.css", SITE_SCRIPT)]  # fmt: skip
    if options.player:
        assets.append(ArchiveFile(f"{ASSET_DIR}/yt2doc.js", source=ASSETS / "yt2doc.js"))
    if pagefind:
        assets.append(ArchiveFile(f"{ASSET_DIR}/{SCRIPT}", source=ASSETS / SCRIPT))
    nav = archive_nav(index_pages, shown, options.nav_group_size)
    files = [*pages, *(f for f in facet_files if f.is_page), *talks, *others, *assets]
    if pagefind:  # the theme's own search keeps the site's pages only
        files = [
            dataclasses.replace(f, content=out_of_theme_search(f.content))
            if f.is_page and isinstance(f.content, str) else f
            for f in files
        ]  # fmt: skip
    if options.splice:  # index pages: their lists apart too
        files = [_lists_apart(f, spliced) if f.path not in spliced else f for f in files]
    files += [f for f in facet_files if not f.is_page]  # speakers' photos
    return Archive(files, nav, attr(options.nav_title), spliced)


def _names_per_page(kind: str, options: ArchiveOptions) -> int:
    """Names an index page lists before it links their groups' pages instead: events go by
    year past a group of the navigation's (a year's events read better than a long list,
    and the index stays light whatever the archive's length); speakers and tags by initial
    past ten."""
    return options.nav_group_size if kind == "events" else max(100, 10 * options.nav_group_size)


def _lists_apart(file: ArchiveFile, spliced: dict[str, list[str]]) -> ArchiveFile:
    if not file.is_page or not isinstance(file.content, str):
        return file
    content, blocks = lists_apart(file.content)
    if not blocks:
        return file
    spliced[file.path] = blocks
    return dataclasses.replace(file, content=content)


def _box(path: str, options: ArchiveOptions) -> str:
    if options.search != "pagefind":
        return ""
    target = page_path(SEARCH_PAGE)
    href = _href(posixpath.dirname(target), posixpath.dirname(path)) + "/"
    return search_box(href if options.use_directory_urls else href + "index.html")


def page_url(path: str, options: ArchiveOptions) -> str | None:
    """The page's absolute URL (None without site_url), as MkDocs' canonical_url."""
    if not options.site_url:
        return None
    base = options.site_url.rstrip("/") + "/" + options.output_dir.strip("/") + "/"
    folder = posixpath.dirname(path)
    if not folder:
        return base
    return base + (f"{folder}/" if options.use_directory_urls else f"{folder}/index.html")


def _href(target: str, folder: str) -> str:
    return posixpath.relpath(target, folder or ".")


def _assets_html(path: str, options: ArchiveOptions, script: str | None = None) -> str:
    """The archive's styles and every page's small script (`yt2doc-site.js`), and the page's
    own `script` where it has one (the player's, the search page's), referenced from the page
    itself (relative URLs): a page that needs neither does not fetch them. Each script is
    loaded once per document however many tags name it, and follows Material's instant
    navigation."""
    folder = posixpath.dirname(path)
    tags = f'<link rel="stylesheet" href="{attr(_href(f"{ASSET_DIR}/yt2doc.css", folder))}">'
    for name in (script, SITE_SCRIPT):
        if name:
            tags += f'<script src="{attr(_href(f"{ASSET_DIR}/{name}", folder))}" defer></script>'
    # a <div> keeps both in one raw HTML block (Markdown wraps a bare <link> in a <p>)
    return f'<div class="yt2doc-assets" hidden>{tags}</div>\n\n'


def _headings(page: str, options: ArchiveOptions) -> str:
    """Without attr_list, `## Title {#id}` would show as text: write the heading as HTML,
    which every Markdown reads with its id. `markdown` lets md_in_html (Zensical's default,
    on a mkdocs.yml too) parse it, so that the table of contents lists it; a Markdown without
    md_in_html keeps it as it is (and the attribute with it)."""
    if options.attr_list:
        return page

    def html(m: re.Match[str]) -> str:
        body = " data-pagefind-body" if m[3] else ""  # a chapter Pagefind reads (search.py)
        return f'<h2 id="{attr(m[2])}"{body} markdown="1">{m[1]}</h2>'

    return _ATTR_HEADING.sub(html, page)


def _talk_page(view: TalkView, options: ArchiveOptions, path: str, parts: PageParts) -> str:
    description = page_description(view)
    json_ld = json_ld_html(view, page_url(path, options), description)
    player = "yt2doc.js" if options.player else None
    head = _assets_html(path, options, player) + json_ld + "\n\n"
    meta: dict[str, object] = {"og": open_graph(view, description)}
    content = talk_page(
        view, options.search_words_per_chapter, meta=meta, head=head, search=options.search,
        page=parts,
    )  # fmt: skip
    return _headings(content, options)


def open_graph(view: TalkView, description: str | None) -> dict[str, str]:
    """Open Graph properties for the page's front matter (`og`), escaped as the title is: the
    plugin prints them in the <head>, a theme override (README) does so for other builds."""
    values = {"type": "video.other", "title": attr(view.title)}
    if description:
        values["description"] = attr(description)
    thumbnail = safe_url(view.media.thumbnail) if view.media else None
    if thumbnail:
        values["image"] = attr(thumbnail)
    return values


def open_graph_html(og: Any, page_url: str | None) -> str:
    """<meta> tags from a page's `og` front matter (values are escaped there already)."""
    if not isinstance(og, dict):
        return ""
    tags = [
        f'<meta property="og:{html.escape(str(key))}" content="{value}">'
        for key, value in og.items()
        if isinstance(value, str) and re.fullmatch(r"[a-z_:]+", str(key))
    ]
    if page_url:
        tags.append(f'<meta property="og:url" content="{attr(page_url)}">')
    return "".join(f"{tag}\n" for tag in tags)


def _talk_files(
    view: TalkView, options: ArchiveOptions, page: str
) -> tuple[TalkView, list[ArchiveFile]]:
    """The talk's downloads, and a local recording, next to its page."""
    document = view.document
    assert document is not None
    folder = view.slug
    base = posixpath.dirname(page)  # the page's own folder (render.page_path)
    files: list[ArchiveFile] = []

    def add(name: str, content: str | None = None, source: Path | None = None) -> str:
        # the downloads are cleaned as the page is: no controls, no bidi overrides
        content = clean_lines(content) if content is not None else None
        files.append(ArchiveFile(f"{folder}/{name}", content=content, source=source))
        # percent-encoded here, once: a recording may be called `talk #1?a=%41.opus`
        return quote(_href(f"{folder}/{name}", base))

    changes: dict[str, Any] = {}
    if view.local_path is not None and options.media_base_url:  # published elsewhere
        changes["media_href"] = hosted_href(options.media_base_url, view.local_path)
    elif view.local_path is not None:
        changes["media_href"] = add(view.local_path.name, source=view.local_path)
    if view.thumbnail_file is not None:  # the player's facade and the index's card
        changes["thumbnail_href"] = add(
            f"thumbnail{view.thumbnail_file.suffix}", source=view.thumbnail_file
        )
    source = safe_url(view.media.webpage_url) if view.media else None
    downloads = []
    for kind in options.exports:
        name = f"{view.slug}.{kind}"
        if kind in ("srt", "vtt"):  # made with the document: copied from the cache
            if kind in view.caption_texts:  # with the talk's replacements
                href = add(name, view.caption_texts[kind])
            elif kind in view.caption_files:  # read, to be cleaned (it may come from a PR)
                text = _read_captions(view.caption_files[kind])
                if text is None:
                    continue
                href = add(name, text)
            else:
                continue
        elif kind == "json":
            href = add(name, transcript_json(_export_meta(view, source), document))
        else:
            href = add(name, transcript_text(view.title, source, document))
        downloads.append((EXPORTS[kind], href))
        if kind == "vtt":
            changes["captions_href"] = href
    if document.chapter_origin != "single" and options.player:
        changes["chapters_href"] = add(
            f"{view.slug}.chapters.vtt", chapters_vtt(document, view.duration)
        )
    return dataclasses.replace(view, downloads=tuple(downloads), **changes), files


def _read_captions(path: Path) -> str | None:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))  # the cache follows none
        with os.fdopen(fd, "rb") as handle:
            return handle.read().decode("utf-8", "replace")
    except OSError as exc:
        log.warning("yt2doc: cannot read %s: %s", path, exc.strerror or exc)
        return None


def _export_meta(view: TalkView, source: str | None) -> dict[str, Any]:
    """The talk's metadata; the keys pyvideo's talk files use where they mean the same
    (`recorded`, `related_urls`, `thumbnail_url`, `videos`, `language`)."""
    thumbnail = safe_url(view.media.thumbnail) if view.media else None
    return {
        "title": view.title,
        "speakers": list(view.speakers),
        "event": view.event,
        "date": view.date,
        "recorded": view.date,
        "duration": view.duration,
        "source": source,
        "videos": [{"type": view.media.extractor, "url": source}] if view.media and source else [],
        "start": view.start,
        "end": view.end,
        "kind": view.kind,
        "tags": list(view.tags),
        "description": view.description,
        "related_urls": [{"label": label, "url": url} for label, url in related_urls(view)],
        "thumbnail_url": thumbnail,
        "language": view.document.language if view.document else None,
        "checked_by_person": view.checked,
        "provenance": view.provenance,
    }
