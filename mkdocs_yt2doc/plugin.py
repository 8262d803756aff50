"""The MkDocs adapter: options in, pipeline run, generated pages out. No stage logic here."""

from __future__ import annotations

import dataclasses
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
from .catalog import load_catalog
from .config import Yt2DocConfig
from .llm import LLMSettings
from .paragraphs import ParagraphSettings
from .pipeline import Pipeline, PipelineSettings, views
from .render import TalkView, index_page, talk_page
from .transcribe import WhisperSettings

log = logging.getLogger("mkdocs.plugins.yt2doc")


T = TypeVar("T")


def _settings(kind: type[T], options: Any, **overrides: Any) -> T:
    """A stage's settings from its config section: the option names are the field names."""
    names = {f.name for f in dataclasses.fields(kind)}  # type: ignore[arg-type]
    return kind(**{**{n: options[n] for n in names if n in options}, **overrides})


def settings_from_config(options: Yt2DocConfig, config_file: str | None) -> PipelineSettings:
    base = Path(config_file).parent if config_file else Path.cwd()
    paragraphs, llm = options.paragraphs, options.llm
    return PipelineSettings(
        cache_dir=(base / options.cache_dir).resolve(),
        transcribe=options.transcribe,
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
        settings = settings_from_config(self.config, config.config_file_path)
        # Kept across `mkdocs serve` rebuilds, so the Whisper model loads once.
        if self.pipeline is None or self.pipeline.settings != settings:
            self.pipeline = Pipeline(settings)
        if "attr_list" not in config.markdown_extensions:  # chapter headings carry explicit ids
            config.markdown_extensions.append("attr_list")
        return config

    def on_files(self, files: Files, /, *, config: MkDocsConfig) -> Files:
        assert self.pipeline is not None
        try:
            catalog = load_catalog(self.talks_path, self.config.talks)
            jobs = self.pipeline.run(catalog)
        except Yt2DocError as exc:
            raise PluginError(f"yt2doc: {exc}") from None
        self._page_uris = []
        talk_views = []
        for view in views(jobs):
            uri = f"{self.output_dir}/{view.slug}.md"
            if view.local_path is not None and view.document:
                view = self._add_local_media(files, config, view, uri)
            talk_views.append(view)
            self._page_uris.append(uri)
            page = talk_page(view, self.config.search_words_per_chapter)
            files.append(File.generated(config, uri, content=page))
        self._index_uri = f"{self.output_dir}/index.md"
        content = index_page(talk_views, self.config.nav_title)
        files.append(File.generated(config, self._index_uri, content=content))
        return files

    def _add_local_media(
        self, files: Files, config: MkDocsConfig, view: TalkView, page_uri: str
    ) -> TalkView:
        """Copy a local recording into the site next to its page, so timestamps can link it."""
        path = view.local_path
        assert path is not None
        media_file = File.generated(
            config, f"{self.output_dir}/{view.slug}/{path.name}", abs_src_path=str(path)
        )
        files.append(media_file)
        page_url = File(page_uri, None, config.site_dir, config.use_directory_urls).url
        href = get_relative_url(media_file.url, page_url)
        return dataclasses.replace(view, media_href=href)

    def on_nav(self, nav: Navigation, /, *, config: MkDocsConfig, files: Files) -> Navigation:
        ours = [files.get_file_from_path(uri) for uri in [self._index_uri, *self._page_uris]]
        pages = [f.page for f in ours if f is not None and f.page is not None]
        if config.nav is not None and any(p in nav.pages for p in pages):
            return nav  # the user placed the pages themselves
        ours_ids = set(map(id, pages))
        position = _position(nav.items, ours_ids)
        survivors = _without(nav.items[:position], ours_ids)
        items = survivors + _without(nav.items[position:], ours_ids)
        items.insert(len(survivors), Section(self.config.nav_title, list(pages)))
        return _navigation(items)

    def on_serve(self, server: Any, /, *, config: MkDocsConfig, builder: Any) -> Any:
        server.watch(str(self.talks_path))
        if self.pipeline is not None:
            server.watch(str(self.pipeline.settings.cache_dir))
        return server


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
