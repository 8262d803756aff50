"""The MkDocs adapter: options in, pipeline run, generated pages out. No stage logic here."""

from __future__ import annotations

import dataclasses
import html
import logging
import posixpath
from pathlib import Path
from typing import Any, TypeVar

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation, Section
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url

from . import Yt2DocError
from .captions import chapters_vtt, transcript_json, transcript_text
from .config import Yt2DocConfig
from .escape import safe_url
from .llm import LLMSettings
from .paragraphs import ParagraphSettings
from .pipeline import Pipeline, PipelineSettings, views
from .player import head_html
from .render import (
    FACETS,
    TalkView,
    facet_groups,
    facet_page,
    index_page,
    talk_page,
)
from .store import check_cache_dir
from .transcribe import WhisperSettings

log = logging.getLogger("mkdocs.plugins.yt2doc")

ASSETS = Path(__file__).parent / "assets"
ASSET_URI = "assets/yt2doc"  # where the player's script and styles go in the site
EXPORTS = {"srt": "SRT", "vtt": "WebVTT", "json": "JSON", "txt": "Text"}


T = TypeVar("T")


def _settings(kind: type[T], options: Any, **overrides: Any) -> T:
    """A stage's settings from its config section: the option names are the field names."""
    names = {f.name for f in dataclasses.fields(kind)}  # type: ignore[arg-type]
    return kind(**{**{n: options[n] for n in names if n in options}, **overrides})


def settings_from_config(
    options: Yt2DocConfig, config_file: str | None, folders: dict[str, str] | None = None
) -> PipelineSettings:
    """The pipeline's settings; `folders`: the site's docs_dir and site_dir, which the cache
    must stay out of (`StoreError` if it does not)."""
    base = Path(config_file).parent if config_file else Path.cwd()
    paragraphs, llm = options.paragraphs, options.llm
    cache_dir = base / options.cache_dir
    others = {name: Path(folder) for name, folder in (folders or {}).items()}
    check_cache_dir(cache_dir, base, given=options.cache_dir, others=others)
    return PipelineSettings(
        cache_dir=cache_dir.resolve(),
        project=base.resolve(),
        allow_outside_files=options.allow_outside_files,
        transcribe="never" if options.transcribe == "never" else "auto",
        refresh_playlists=options.refresh_playlists,
        whisper=_settings(WhisperSettings, options.whisper),
        # `sat_model: false` in mkdocs.yml turns SaT off
        paragraphs=_settings(ParagraphSettings, paragraphs, sat_model=paragraphs.sat_model or None),
        llm=_settings(
            LLMSettings,
            llm,
            timeout=float(llm.timeout),
            min_chapter_seconds=float(llm.min_chapter_seconds),
        ),
    )


class Yt2DocPlugin(BasePlugin[Yt2DocConfig]):
    supports_multiple_instances = False

    def __init__(self) -> None:
        self.pipeline: Pipeline | None = None
        self.talks_path = Path()
        self.output_dir = "talks"
        self._index_uri = ""
        self._page_uris: list[str] = []
        self._facet_uris: list[str] = []
        self._heads: dict[str, TalkView] = {}  # talk page URI -> what its <head> tells

    def on_startup(self, *, command: str, dirty: bool) -> None:
        """Having this hook keeps the plugin object across `mkdocs serve` rebuilds (MkDocs
        1.4+), and with it the loaded Whisper model and the parsed cache."""

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        base = Path(config.config_file_path).parent if config.config_file_path else Path.cwd()
        self.talks_path = (base / self.config.talks).resolve()
        output_dir = posixpath.normpath(self.config.output_dir.strip().strip("/"))
        if output_dir in (".", "") or output_dir.startswith(".."):
            raise PluginError(f"yt2doc: output_dir {self.config.output_dir!r} must be a sub-folder")
        self.output_dir = output_dir
        try:
            settings = settings_from_config(
                self.config,
                config.config_file_path,
                {"docs_dir": config.docs_dir, "site_dir": config.site_dir},
            )
        except Yt2DocError as exc:
            raise PluginError(f"yt2doc: {exc}") from None
        # Kept across `mkdocs serve` rebuilds, so the Whisper model loads once.
        if self.pipeline is None or self.pipeline.settings != settings:
            self.pipeline = Pipeline(settings)
        if "attr_list" not in config.markdown_extensions:  # chapter headings carry explicit ids
            config.markdown_extensions.append("attr_list")
        if f"{ASSET_URI}/yt2doc.css" not in config.extra_css:
            config.extra_css.append(f"{ASSET_URI}/yt2doc.css")
        if self.config.player and f"{ASSET_URI}/yt2doc.js" not in map(str, config.extra_javascript):
            # With Material's instant navigation the script loads once and follows `document$`.
            config.extra_javascript.append(f"{ASSET_URI}/yt2doc.js")
        return config

    def on_files(self, files: Files, /, *, config: MkDocsConfig) -> Files:
        assert self.pipeline is not None
        try:
            catalog = self.pipeline.settings.load_catalog(self.talks_path, self.config.talks)
            jobs = self.pipeline.run(catalog)
        except Yt2DocError as exc:
            raise PluginError(f"yt2doc: {exc}") from None
        for name in ("yt2doc.css", "yt2doc.js"):
            uri = f"{ASSET_URI}/{name}"
            if files.get_file_from_path(uri) is None:  # a site may bring its own
                files.append(File.generated(config, uri, abs_src_path=str(ASSETS / name)))
        all_views = views(jobs, self.pipeline.store)
        facets = frozenset(kind for kind, _, _ in FACETS if facet_groups(all_views, kind))
        self._page_uris, self._heads = [], {}
        talk_views = []
        for view in all_views:
            uri = f"{self.output_dir}/{view.slug}.md"
            view = dataclasses.replace(view, player=self.config.player, facets=facets)
            if view.document is not None:
                view = self._add_files(files, config, view, uri)
            talk_views.append(view)
            self._page_uris.append(uri)
            self._heads[uri] = view
            page = talk_page(view, self.config.search_words_per_chapter)
            files.append(File.generated(config, uri, content=page))
        self._index_uri = f"{self.output_dir}/index.md"
        content = index_page(talk_views, self.config.nav_title, facets)
        files.append(File.generated(config, self._index_uri, content=content))
        self._facet_uris = []
        for kind, name, _ in FACETS:
            if kind in facets:
                uri = f"{self.output_dir}/{name}.md"
                content = facet_page(talk_views, kind, facets)
                files.append(File.generated(config, uri, content=content))
                self._facet_uris.append(uri)
        return files

    def _add_files(
        self, files: Files, config: MkDocsConfig, view: TalkView, page_uri: str
    ) -> TalkView:
        """The talk's downloads, and a local recording, next to its page."""
        document = view.document
        assert document is not None
        folder = f"{self.output_dir}/{view.slug}"
        page_url = File(page_uri, None, config.site_dir, config.use_directory_urls).url

        def add(name: str, content: str | None = None, path: Path | None = None) -> str:
            if content is not None:
                file = File.generated(config, f"{folder}/{name}", content=content)
            else:
                file = File.generated(config, f"{folder}/{name}", abs_src_path=str(path))
            files.append(file)
            return get_relative_url(file.url, page_url)

        changes: dict[str, Any] = {}
        if view.local_path is not None:
            changes["media_href"] = add(view.local_path.name, path=view.local_path)
        if view.thumbnail_file is not None and self.config.player:
            name = f"thumbnail{view.thumbnail_file.suffix}"
            changes["thumbnail_href"] = add(name, path=view.thumbnail_file)
        source = safe_url(view.media.webpage_url) if view.media else None
        downloads = []
        for kind in self.config.exports:
            name = f"{view.slug}.{kind}"
            if kind in ("srt", "vtt"):  # made with the document: copied from the cache
                if kind not in view.caption_files:
                    continue
                href = add(name, path=view.caption_files[kind])
            elif kind == "json":
                href = add(name, transcript_json(_export_meta(view, source), document))
            else:
                href = add(name, transcript_text(view.title, source, document))
            downloads.append((EXPORTS[kind], href))
            if kind == "vtt":
                changes["captions_href"] = href
        if document.chapter_origin != "single" and self.config.player:
            duration = view.duration
            changes["chapters_href"] = add(
                f"{view.slug}.chapters.vtt", chapters_vtt(document, duration)
            )
        return dataclasses.replace(view, downloads=tuple(downloads), **changes)

    def on_nav(self, nav: Navigation, /, *, config: MkDocsConfig, files: Files) -> Navigation:
        uris = [self._index_uri, *self._facet_uris, *self._page_uris]
        ours = [files.get_file_from_path(uri) for uri in uris]
        pages = [f.page for f in ours if f is not None and f.page is not None]
        if config.nav is not None and any(p in nav.pages for p in pages):
            return nav  # the user placed the pages themselves
        ours_ids = set(map(id, pages))
        position = _position(nav.items, ours_ids)
        survivors = _without(nav.items[:position], ours_ids)
        items = survivors + _without(nav.items[position:], ours_ids)
        items.insert(len(survivors), Section(self.config.nav_title, list(pages)))
        return _navigation(items)

    def on_post_page(self, output: str, /, *, page: Page, config: MkDocsConfig) -> str:
        """Open Graph tags and schema.org JSON-LD (chapters as key moments) in the head."""
        view = self._heads.get(page.file.src_uri)
        if view is None or "</head>" not in output:
            return output
        page_url = page.canonical_url if config.site_url else None
        description = page.meta.get("description")
        head = head_html(view, page_url, html.unescape(description) if description else None)
        return output.replace("</head>", head + "</head>", 1)

    def on_serve(self, server: Any, /, *, config: MkDocsConfig, builder: Any) -> Any:
        server.watch(str(self.talks_path))
        if self.pipeline is not None:
            server.watch(str(self.pipeline.settings.cache_dir))
        return server


def _export_meta(view: TalkView, source: str | None) -> dict[str, Any]:
    return {
        "title": view.title,
        "speakers": list(view.speakers),
        "event": view.event,
        "date": view.date,
        "duration": view.duration,
        "source": source,
        "language": view.document.language if view.document else None,
    }


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
