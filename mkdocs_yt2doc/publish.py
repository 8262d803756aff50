"""`mkdocs-yt2doc render`: the archive as ordinary files in docs_dir, for generators that run
no MkDocs plugins (Zensical, MkDocs 2) or for committing the pages themselves.

Options are the plugin's: the `yt2doc` entry of mkdocs.yml, or a `yt2doc.yml` with the same
keys (beside a zensical.toml or a mkdocs.yml without the plugin). What the site says about
URLs and Markdown extensions comes from its own configuration file.
"""

from __future__ import annotations

import contextlib
import logging
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from . import __version__
from .archive.files import ArchiveFile, build_archive
from .archive.groups import nav_yaml
from .archive.output import (
    MANIFEST,
    OutputError,
    apply,
    check_writable,
    lock_now,
    locked,
    plan,
    read_manifest,
    shown,
)
from .archive.render_record import Record, read_record, record_path, write_record
from .archive.views import views
from .cache.store import LOCK
from .catalog.talks_yaml import TalksYAMLError, check_unique_keys
from .config import (
    Yt2DocConfig,
    archive_options,
    output_folder,
    settings_from_config,
    unknown_option_message,
    unknown_options,
)
from .pipeline.run import Pipeline
from .pipeline.settings import PipelineSettings
from .records.errors import Yt2DocError

log = logging.getLogger("mkdocs.plugins.yt2doc")

OPTIONS_FILE = "yt2doc.yml"
NAV_FILE = ".yt2doc-nav.yml"  # a dotfile: never a page of the site


@dataclass(frozen=True)
class Site:
    """What render needs to know of a site."""

    root: Path  # the folder of its configuration file
    docs_dir: Path
    site_dir: Path
    options: Yt2DocConfig
    options_file: Path  # talks and cache_dir are relative to it
    site_url: str | None = None
    use_directory_urls: bool = True
    attr_list: bool = False
    docs_path: Path | None = None  # docs_dir as configured (absolute, no symlink resolved)


def _has_attr_list(extensions: Any) -> bool:
    names = extensions if isinstance(extensions, list) else list(extensions or {})
    flat = [next(iter(n)) if isinstance(n, dict) and n else n for n in names]
    return any(isinstance(n, str) and n.rsplit(".", 1)[-1] == "attr_list" for n in flat)


def _read_options(path: Path) -> Yt2DocConfig:
    """A yt2doc.yml, validated as the plugin's options are."""
    from mkdocs.utils.yaml import yaml_load

    try:
        text = path.read_text(encoding="utf-8")
        check_unique_keys(text, str(path))
        with open(path, encoding="utf-8") as handle:  # a file: INHERIT is relative to it
            data = yaml_load(handle)
    except TalksYAMLError:
        raise
    except (OSError, ValueError) as exc:
        raise Yt2DocError(f"cannot read {path}: {exc}") from None
    if not isinstance(data, dict):
        raise Yt2DocError(f"{path} must be a mapping of yt2doc options (talks: talks.yml, ...)")
    found = unknown_options(data)
    if found:  # an error, as in mkdocs.yml: a typo must not quietly build the default
        raise Yt2DocError(unknown_option_message(found, str(path), text))
    options = Yt2DocConfig(config_file_path=str(path))
    options.load_dict(data)
    failed, warnings = options.validate()
    for key, warning in warnings:
        log.warning("yt2doc: %s: %s: %s", path.name, key, warning)
    if failed:
        key, error = failed[0]
        raise Yt2DocError(f"{path}: option '{key}': {error}")
    return options


def _zensical(path: Path) -> dict[str, Any]:
    try:
        import tomllib
    except ImportError:  # Python 3.10
        import tomli as tomllib
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except (OSError, ValueError) as exc:
        raise Yt2DocError(f"cannot read {path}: {exc}") from None
    project = data.get("project", data)
    # Zensical's default extensions (none configured) include attr_list
    project.setdefault("markdown_extensions", {"attr_list": {}})
    return dict(project)


def load_site(config_file: str) -> Site:
    """mkdocs.yml (with the plugin, or a yt2doc.yml beside it), zensical.toml (and a
    yt2doc.yml beside it), or a yt2doc.yml (beside either of them, or alone: docs_dir docs)."""
    path = Path(config_file).resolve()
    if not path.is_file():
        raise Yt2DocError(f"{config_file} does not exist")
    root = path.parent
    options_file = root / OPTIONS_FILE
    if path.suffix == ".toml":
        project = _zensical(path)
    elif path.name == OPTIONS_FILE:
        options_file, project = path, {}
        if (root / "zensical.toml").is_file():
            project = _zensical(root / "zensical.toml")
        elif (root / "mkdocs.yml").is_file():
            return _mkdocs_site(root / "mkdocs.yml", path)
    else:
        return _mkdocs_site(path)
    if not options_file.is_file():
        raise Yt2DocError(f"{path.name}: put the yt2doc options in {options_file}")
    docs = root / str(project.get("docs_dir", "docs"))
    return Site(
        root=root,
        docs_path=Path(os.path.abspath(docs)),
        docs_dir=docs.resolve(),
        site_dir=(root / str(project.get("site_dir", "site"))).resolve(),
        options=_read_options(options_file),
        options_file=options_file,
        site_url=project.get("site_url") or None,
        use_directory_urls=bool(project.get("use_directory_urls", True)),
        attr_list=_has_attr_list(project.get("markdown_extensions")),
    )


def _mkdocs_site(path: Path, options_file: Path | None = None) -> Site:
    from mkdocs.config import load_config
    from mkdocs.exceptions import ConfigurationError

    from .plugin import Yt2DocPlugin

    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    try:
        config = load_config(str(path))
    except ConfigurationError as exc:
        raise Yt2DocError(f"{path}: {exc}") from None
    plugin = config.plugins.get("yt2doc")
    beside = path.parent / OPTIONS_FILE
    if options_file is None and not isinstance(plugin, Yt2DocPlugin) and beside.is_file():
        options_file = beside
    if options_file is not None:
        options = _read_options(options_file)
    elif isinstance(plugin, Yt2DocPlugin):
        options, options_file = plugin.config, path
    else:
        raise Yt2DocError(f"{path} does not use the yt2doc plugin, and there is no {OPTIONS_FILE}")
    return Site(
        root=path.parent,
        docs_path=Path(os.path.abspath(config.docs_dir)),
        docs_dir=Path(config.docs_dir).resolve(),
        site_dir=Path(config.site_dir).resolve(),
        options=options,
        options_file=options_file,
        site_url=config.site_url or None,
        use_directory_urls=config.use_directory_urls,
        attr_list=_has_attr_list(config.markdown_extensions),
    )


def _target(site: Site, out: str | None, settings: PipelineSettings) -> tuple[Path, str]:
    """The output folder, and its URL folder in the site. It lies inside the project, is
    reached through no symlink from the project's folder down (render writes and removes
    there: a link would take that elsewhere), and is none of the folders render must leave
    alone, nor inside or around one."""
    output_dir = output_folder(site.options.output_dir)
    docs = site.docs_path or site.docs_dir
    folder = Path(os.path.abspath(out)) if out else docs / output_dir  # lexical: links kept
    if folder == site.root or site.root not in folder.parents:
        raise OutputError(f"--out {out} is outside the site's folder {site.root}")
    here = site.root
    for part in folder.relative_to(site.root).parts:
        here = here / part
        if part == ".git":
            raise OutputError(f"{shown(here)} is git's folder: render does not write there")
        try:
            info = here.lstat()
        except FileNotFoundError:
            break  # render makes the rest
        except OSError as exc:
            raise OutputError(f"cannot read {shown(here)}: {exc.strerror or exc}") from None
        if stat.S_ISLNK(info.st_mode):
            raise OutputError(
                f"{shown(here)} is a symlink: render writes through none (make it a real "
                "folder, or choose another output folder; nothing was written)"
            )
    kept = {
        "the cache folder": settings.cache_dir,
        "the corrections folder": settings.corrections_dir,
        "the site folder": site.site_dir,
        "git's folder": site.root / ".git",
    }
    for what, path in kept.items():
        if path is not None and (
            folder == path or path in folder.parents or folder in path.parents
        ):
            raise OutputError(
                f"{shown(folder)} is, holds or lies inside {what} ({shown(path)}): "
                "choose another output folder (nothing was written)"
            )
    if docs in folder.parents:
        output_dir = folder.relative_to(docs).as_posix()
    return folder, output_dir


def _overlap(one: Path, other: Path) -> bool:
    """One is the other, or inside it."""
    return one == other or one in other.parents or other in one.parents


def _owned(folder: Path, record: Record | None) -> None:
    """Render writes into a folder it made, or one that was empty when it first did: one it
    holds a record of, or committed render output (its manifest; without a record nothing
    there is replaced or removed)."""
    if record is not None or (folder / MANIFEST).is_file():
        return
    first = min(os.listdir(folder), default=None)
    if first is not None:
        raise OutputError(
            f"{shown(folder / first)} is not a file render wrote, and {shown(folder)} is not "
            "a folder render made: it writes only into a folder of its own or an empty one; "
            "move the files away or choose another output folder (nothing was written)"
        )


@contextlib.contextmanager
def _made(folder: Path) -> Iterator[None]:
    """Create the output folder (and its parents) for the run; remove what was created if it
    is still empty when the run fails."""
    created = [p for p in (folder, *folder.parents) if not p.exists()]
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise OutputError(f"{shown(folder)} (or a folder above it) is a file") from None
    except OSError as exc:
        raise OutputError(f"cannot create {shown(folder)}: {exc.strerror or exc}") from None
    try:
        yield
    except BaseException:
        for path in created:
            with contextlib.suppress(OSError):
                path.rmdir()
        raise


def _cache_free(cache_dir: Path) -> None:
    """Stop at once when a build or prefetch holds the cache (the pipeline would wait)."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:  # the cache comes from the repository: a planted link or FIFO is not opened
        handle = os.fdopen(os.open(cache_dir / LOCK, flags), "rb")
    except OSError:
        return  # no lock file yet (or not one a run made): nobody holds it
    with handle:
        busy = f"another build or prefetch holds {cache_dir / LOCK}; wait for it to finish"
        lock_now(handle.fileno(), busy)


def render(config_file: str, out: str | None, stream: TextIO) -> int:
    site = load_site(config_file)
    folders = {"docs_dir": str(site.docs_dir), "site_dir": str(site.site_dir)}
    settings = settings_from_config(site.options, str(site.options_file), folders)
    folder, url_folder = _target(site, out, settings)
    talks_path = (site.options_file.parent / site.options.talks).resolve()
    with _made(folder), locked(folder):
        check_writable(folder)  # before any transcription
        manifest = read_manifest(folder)
        name = folder.relative_to(site.root).as_posix()
        inode = folder.lstat().st_ino
        record_file = record_path(settings.cache_dir, name)
        record = read_record(record_file, name, inode)
        _owned(folder, record)
        _cache_free(settings.cache_dir)
        pipeline = Pipeline(settings)
        jobs = pipeline.run(settings.load_catalog(talks_path, site.options.talks))
        options = archive_options(
            site.options,
            output_dir=url_folder,
            site_url=site.site_url,
            use_directory_urls=site.use_directory_urls,
            attr_list=site.attr_list,
        )
        archive = build_archive(views(jobs, pipeline.store, settings.corrections_dir), options)
        prefix = url_folder if (site.docs_path or site.docs_dir) in folder.parents else ""
        nav = nav_yaml(archive.nav, prefix, archive.nav_title)
        files = [*archive.files, ArchiveFile(NAV_FILE, nav)]
        work = plan(folder, files, record, manifest)

        def save(value: Record) -> None:
            try:
                write_record(record_file, name, inode, value)
            except OSError as exc:
                raise OutputError(
                    f"cannot write {shown(record_file)}, render's record of what it wrote: "
                    f"{exc.strerror or exc}; make the cache folder writable"
                ) from None

        changed = apply(folder, work, f"mkdocs-yt2doc {__version__}", record, save)
    if work.left:
        log.warning(
            "yt2doc: render left %d file(s) in %s that it has no record of writing (it "
            "replaces and removes only its own): %s; delete any left over from an earlier "
            "render, then render again",
            len(work.left), shown(folder), ", ".join(shown(folder / p) for p in work.left),
        )  # fmt: skip
    placeholders = sum(1 for j in jobs if j.document is None)
    stream.write(
        f"{len(jobs)} talks rendered into {shown(folder)}/: {len(work.write)} files written, "
        f"{work.unchanged} unchanged, {len(work.remove)} removed"
        + ("" if changed else " (nothing to do)")
        + (f"; {placeholders} without a transcript (see the warnings)" if placeholders else "")
        + "\n"
    )
    return 0
