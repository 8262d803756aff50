"""The MkDocs (and ProperDocs) front-end: options in, pipeline run, the archive's files
(`archive/files.py`) as generated files of the build. No stage logic here."""

from __future__ import annotations

import dataclasses
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mkdocs.config.base import ConfigErrors, ConfigWarnings, ValidationError
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

from .archive.files import ASSET_DIR, Archive, build_archive, open_graph_html
from .archive.groups import NavItem
from .archive.output import MANIFEST, OutputError, read_manifest
from .archive.search import SITE_SCRIPT
from .archive.splice import anchor_ids, splice
from .archive.views import views
from .config import (
    Yt2DocConfig,
    archive_options,
    output_folder,
    settings_from_config,
    unknown_option_message,
    unknown_options,
)
from .nav import place_pages
from .pipeline.run import Pipeline
from .records.errors import Yt2DocError
from .util.byte_ranges import serve_with_ranges
from .util.escape import log_safe
from .util.memory import give_back

if TYPE_CHECKING:
    from .archive.search_shards import ShardedIndex

__all__ = ["Yt2DocPlugin", "settings_from_config"]

log = get_plugin_logger("yt2doc")
# From so many archive pages on, a talk page's HTML (`page.content`) is let go once written:
# a plugin reading it after `on_post_page` (in `on_post_build`, say) finds None. Fewer keep it.
RELEASE_FROM_PAGES = 2000


def _pagefind_site(config: MkDocsConfig, output_dir: str) -> None:
    """With Material: its search box offers the archive's search on every page (the script
    reads its box), and each page's navigation holds only its own section (navigation.prune),
    so a page's size does not grow with the archive."""
    if config.theme.name != "material":
        return
    script = f"{output_dir}/{ASSET_DIR}/{SITE_SCRIPT}"
    if script not in [str(s) for s in config.extra_javascript]:
        config.extra_javascript.append(script)
    features = config.theme.get("features") or []
    if "navigation.prune" not in features and "navigation.expand" not in features:
        config.theme["features"] = [*features, "navigation.prune"]


def _rendered(manifest: Path) -> bool:
    """Whether docs_dir holds render output: a manifest render could have written. Another
    file there (junk, a symlink, another format) is named, and the plugin builds the archive."""
    if not os.path.lexists(manifest):
        return False
    try:
        read_manifest(manifest.parent)
    except OutputError as exc:
        log.warning("%s; the plugin builds the archive itself, as if it were not there", exc)
        return False
    return True


def _unknown_as_errors(
    options: dict[str, Any],
    config_file_path: str | None,
    errors: ConfigErrors,
    warnings: ConfigWarnings,
) -> tuple[ConfigErrors, ConfigWarnings]:
    found = unknown_options(options)
    if not found:
        return errors, warnings
    name, text = "mkdocs.yml", None
    if config_file_path:
        name = Path(config_file_path).name
        try:
            text = Path(config_file_path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):  # MkDocs has read it: the line is a bonus
            text = None
    message = unknown_option_message(found, name, text, after="yt2doc")
    kept = [w for w in warnings if "Unrecognised configuration name" not in str(w[1])]
    return [*errors, (found[0][0], ValidationError(message))], kept


class _Released(File):
    """A generated file (a download) let go of once written: read back from the site after
    (MkDocs copies a file onto itself as nothing to do), so that a build of 10,000 talks does
    not hold their captions and transcripts until its end."""

    def copy_file(self, dirty: bool = False) -> None:
        super().copy_file(dirty)
        if self._content is not None and os.path.isfile(self.abs_dest_path):
            self._content = None
            self.abs_src_path = self.abs_dest_path


def _add_files(
    files: Files, archive: Archive, config: MkDocsConfig, output_dir: str
) -> tuple[dict[str, str], dict[str, list[str]]]:
    """The archive's files into the build's; (archive path -> src_uri of each page, src_uri
    -> the raw HTML its page leaves out)."""
    uris, html = {}, {}
    for item in archive.files:
        uri = f"{output_dir}/{item.path}"
        if item.path.startswith(f"{ASSET_DIR}/") and files.get_file_from_path(uri):
            continue  # a site may bring its own styles or script
        existing = files.get_file_from_path(uri)
        if existing is not None:  # the plugin's page replaces a docs file of its path
            files.remove(existing)
        if item.source is not None:
            file = File.generated(config, uri, abs_src_path=str(item.source))
        else:
            assert item.content is not None
            made = File.generated if item.is_page else _Released.generated
            file = made(config, uri, content=item.content)
        files.append(file)
        if item.is_page:
            uris[item.path] = uri
            if item.path in archive.html:
                html[uri] = archive.html[item.path]
    return uris, html


def _spliced(html: str, page: Page, blocks: list[str]) -> str:
    html, lost = splice(html, blocks)
    if lost:
        log.warning(
            "%s: %d of its HTML blocks are missing (another plugin changed its Markdown)",
            page.file.src_uri, len(lost),
        )  # fmt: skip
    if page.present_anchor_ids is not None:  # for MkDocs' check of links to anchors
        page.present_anchor_ids |= anchor_ids(blocks)
    return html


def _say_release(pages: int) -> None:
    if pages >= RELEASE_FROM_PAGES:
        log.info("%d archive pages: each one's HTML (page.content) is let go once written, "
                 "to bound the build's memory", pages)  # fmt: skip


def _with_open_graph(output: str, page: Page, config: MkDocsConfig) -> str:
    """The page's Open Graph tags (from its front matter) in its <head>."""
    if "</head>" not in output:
        return output
    head = open_graph_html(page.meta.get("og"), page.canonical_url if config.site_url else None)
    return output.replace("</head>", head + "</head>", 1) if head else output


class Yt2DocPlugin(BasePlugin[Yt2DocConfig]):
    supports_multiple_instances = False
    # A talk page's raw HTML kept out of Python-Markdown (archive/splice.py); False: in its
    # Markdown, as `render` writes it (the same site, slower: tests/test_splice.py)
    splice_html = True

    def __init__(self) -> None:
        self.pipeline: Pipeline | None = None
        self.talks_path = Path()
        self.output_dir = "talks"
        self.rendered = False  # docs_dir holds `mkdocs-yt2doc render` output: add nothing
        self._page_uris: dict[str, str] = {}  # archive path -> src_uri of our pages
        self._nav: list[NavItem] = []
        self._nav_title = "Talks"  # escaped (Archive.nav_title)
        self._pages: set[str] = set()
        self._html: dict[str, list[str]] = {}  # src_uri -> the raw HTML its page leaves out
        self._written = 0  # of our pages, in this build
        self._index: ShardedIndex | None = None  # Pagefind, fed the pages as they are written
        self._index_tried = True  # (on_pre_build: False when the search is Pagefind's)
        self._server: Any = None  # `mkdocs serve`'s, to watch corrections_dir once it exists
        self._watched: set[Path] = set()

    def on_startup(self, *, command: str, dirty: bool) -> None:
        """Having this hook keeps the plugin object across `mkdocs serve` rebuilds (MkDocs
        1.4+), and with it the loaded Whisper model and the parsed cache."""

    def load_config(
        self, options: dict[str, Any], config_file_path: str | None = None
    ) -> tuple[ConfigErrors, ConfigWarnings]:
        """MkDocs' checks, and an unknown option an error with the closest known name: a
        mistyped `transcibe: never` must not quietly build with `auto`, strict or not."""
        errors, warnings = super().load_config(options, config_file_path)
        return _unknown_as_errors(options, config_file_path, errors, warnings)

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        base = Path(config.config_file_path).parent if config.config_file_path else Path.cwd()
        self.talks_path = (base / self.config.talks).resolve()
        try:
            self.output_dir = output_folder(self.config.output_dir)
        except Yt2DocError as exc:
            raise PluginError(f"yt2doc: {log_safe(str(exc))}") from None
        if self.config.search == "pagefind":
            _pagefind_site(config, self.output_dir)
        manifest = Path(config.docs_dir) / self.output_dir / MANIFEST
        self.rendered = _rendered(manifest)
        if self.rendered:
            log.info(
                "%s holds the output of `mkdocs-yt2doc render`: its pages are built as they "
                "are, and the plugin adds none (render again to update them)",
                manifest.parent,
            )
            return config
        try:
            settings = settings_from_config(
                self.config,
                config.config_file_path,
                {"docs_dir": config.docs_dir, "site_dir": config.site_dir},
            )
        except Yt2DocError as exc:
            raise PluginError(f"yt2doc: {log_safe(str(exc))}") from None
        # Kept across `mkdocs serve` rebuilds, so the Whisper model loads once.
        if self.pipeline is None or self.pipeline.settings != settings:
            self.pipeline = Pipeline(settings)
        if "attr_list" not in config.markdown_extensions:  # so chapters are in the theme's TOC
            config.markdown_extensions.append("attr_list")
        return config

    def on_files(self, files: Files, /, *, config: MkDocsConfig) -> Files:
        self._page_uris, self._nav, self._html = {}, [], {}
        if self.rendered:
            return files
        assert self.pipeline is not None
        try:
            catalog = self.pipeline.settings.load_catalog(self.talks_path, self.config.talks)
            jobs = self.pipeline.run(catalog)
        except Yt2DocError as exc:
            raise PluginError(f"yt2doc: {log_safe(str(exc))}") from None
        options = archive_options(
            self.config,
            output_dir=self.output_dir,
            site_url=config.site_url,
            use_directory_urls=config.use_directory_urls,
            attr_list=True,
        )
        options = dataclasses.replace(options, splice=self.splice_html)  # on_page_content
        archive = build_archive(
            views(jobs, self.pipeline.store, self.pipeline.settings.corrections_dir), options
        )
        self._nav, self._nav_title = archive.nav, archive.nav_title
        self._page_uris, self._html = _add_files(files, archive, config, self.output_dir)
        self._pages = set(self._page_uris.values())
        _say_release(len(self._pages))
        return files

    def on_nav(self, nav: Navigation, /, *, config: MkDocsConfig, files: Files) -> Navigation:
        pages = {}
        for path, uri in self._page_uris.items():
            file = files.get_file_from_path(uri)
            if file is not None and file.page is not None:
                pages[path] = file.page
        return place_pages(nav, self._nav, pages, self._nav_title, config.nav is not None)

    def on_pre_build(self, *, config: MkDocsConfig) -> None:
        self._written = 0
        self._stop_index()  # a build of `mkdocs serve` that failed half-way
        self._watch_corrections()
        self._index_tried = self.config.search != "pagefind"

    def _live_index(self, config: MkDocsConfig) -> ShardedIndex | None:
        """Started with the first page written (not while talks are transcribed)."""
        if not self._index_tried:
            self._index_tried = True
            from .archive.search_index import SearchIndexError
            from .archive.search_shards import ShardedIndex

            try:
                site, timeout = Path(config.site_dir), self.config.search_timeout
                self._index = ShardedIndex(site, timeout, self.config.search_shard_talks)
            except SearchIndexError as exc:
                log.warning("the search index was not built: %s", exc)
        return self._index

    @event_priority(100)  # before other plugins: they see the whole page
    def on_page_content(
        self, html: str, /, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str:
        """A talk page's raw HTML, which its Markdown left out (`archive/splice.py`)."""
        blocks = self._html.pop(page.file.src_uri, None)
        return html if blocks is None else _spliced(html, page, blocks)

    @event_priority(-100)  # after other plugins: the page as it is written
    def on_post_page(self, output: str, /, *, page: Page, config: MkDocsConfig) -> str:
        """Open Graph tags from the page's front matter, in the <head> (render output needs
        the README's theme override for this); then the page goes to Pagefind."""
        if page.file.src_uri in self._pages:
            output = _with_open_graph(output, page, config)
        index = self._live_index(config)
        if index is not None and page.file.dest_uri.endswith(".html"):
            index.add(page.file.dest_uri, output)
        if page.file.src_uri in self._pages and len(self._pages) >= RELEASE_FROM_PAGES:
            page.content = None  # written: its HTML is let go (10,000 talks: 0.6 GiB)
            if self._written % 100 == 0:  # (the first: the downloads, written just before)
                give_back()
            self._written += 1
        return output

    @event_priority(-100)  # after other plugins, which may write pages of their own
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        """Pagefind indexes the finished site, talk pages and all (a warning if it cannot:
        the site works without search, and `--strict` fails). It read the pages as they
        were written; what is left is the rest of the site's HTML and writing the index."""
        index = self._live_index(config)  # (a site without pages: the rest is read here)
        self._index = None
        if index is None:
            return
        from .archive.search_index import SearchIndexError

        waited = time.perf_counter()
        try:
            done = index.finish()
        except SearchIndexError as exc:
            log.warning("the search index was not built: %s", exc)
            return
        log.info(
            "Pagefind indexed %d pages (%.1f MiB, %d shard%s, in %.1f s; its largest binary's "
            "peak %.0f MiB); the build waited %.1f s for it",
            done.pages, done.bytes / 2**20, index.shards, "s" if index.shards > 1 else "",
            done.seconds, done.peak_mib, time.perf_counter() - waited,
        )  # fmt: skip

    def on_build_error(self, *, error: Exception) -> None:
        self._stop_index()

    def _stop_index(self) -> None:
        index, self._index = self._index, None
        if index is not None:
            index.close()

    def on_serve(self, server: Any, /, *, config: MkDocsConfig, builder: Any) -> Any:
        """Rebuild on an edit of talks.yml, the cache or a corrections file; recordings are
        served with byte ranges, so the player seeks as it will on the published site."""
        server.watch(str(self.talks_path))
        if self.pipeline is not None:
            server.watch(str(self.pipeline.settings.cache_dir))
        self._server = server
        self._watch_corrections()
        serve_with_ranges(server)
        return server

    def _watch_corrections(self) -> None:
        """corrections_dir, once it exists: `correct` makes it while `serve` runs (and writes
        the cache, which is watched: the rebuild that follows watches the new folder)."""
        settings = self.pipeline.settings if self.pipeline is not None else None
        folder = settings.corrections_dir if settings is not None else None
        if self._server is None or folder is None or folder in self._watched:
            return
        if folder.is_dir():
            self._server.watch(str(folder))
            self._watched.add(folder)
