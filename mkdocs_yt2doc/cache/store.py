"""The cache folder: paths, atomic JSON files, schema versions.

Users commit this folder, so every file is JSON with sorted keys and one small record per line
(a word, a paragraph), which keeps diffs readable. Files are written to a temporary name and
renamed, so an interrupted run never leaves a half-written file where a reader would look.
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import math
import os
import re
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..records.errors import Yt2DocError
from .files import KEY, SCHEMA_VERSION, CacheFileError, NewerCacheFile, validate

log = logging.getLogger("mkdocs.plugins.yt2doc")

LOCK = ".lock"
# Written into the cache folder: what is local to one machine stays out of commits.
GITIGNORE = "# written by mkdocs-yt2doc\n/.lock\n*.tmp\n/failures.json\n/rendered-*.json\n"

MEDIA = "media.json"
TRANSCRIPT = "transcript.json"
PARAGRAPHS = "paragraphs.json"
TOPICS = "topics.json"
DOCUMENT = "document.json"
CAPTIONS = {"srt": "captions.srt", "vtt": "captions.vtt"}  # made with the document
THUMBNAIL, THUMBNAIL_SUFFIXES = "thumbnail", (".jpg", ".png", ".webp")  # fetched with the audio
SOURCES = "sources.json"
CORRECTED_FROM = "corrected_from.json"  # the machine words a corrections file was made from
FAILURES = "failures.json"


class StoreError(Yt2DocError):
    """A cache file cannot be read or written, or is not what its schema says."""


class NewerStoreError(StoreError):
    """A cache file from a newer mkdocs-yt2doc: it is left exactly where it is."""


# The names this package writes in a talk's folder, and the temp files of their writes.
TALK_FILES = {
    MEDIA,
    TRANSCRIPT,
    PARAGRAPHS,
    TOPICS,
    DOCUMENT,
    CORRECTED_FROM,
    *CAPTIONS.values(),
} | {f"{THUMBNAIL}{suffix}" for suffix in THUMBNAIL_SUFFIXES}
_TEMP = re.compile(r"^\.(?P<name>[A-Za-z0-9_.-]+)\.[A-Za-z0-9_]{6,12}\.tmp$")


_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
_READ_ONLY = {errno.EROFS, errno.EACCES, errno.EPERM}


def write_problem(path: Path, exc: OSError) -> str:
    """Why `path` cannot be written, and what to do; the cache is left as it was."""
    why = exc.strerror or str(exc)
    if exc.errno in _FULL:
        advice = "free some disk space, then build again (nothing cached was changed)"
    elif exc.errno in _READ_ONLY:
        advice = (
            "make the cache folder writable, or build with `transcribe: never` "
            "to render only what is cached"
        )
    else:
        advice = "nothing cached was changed"
    return f"cannot write {path}: {why}; {advice}"


def dumps(value: Any) -> str:
    """Stable, diff-friendly JSON: sorted keys, indented, flat records on one line."""
    return _dump(value, "") + "\n"


def _dump(value: Any, indent: str) -> str:
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("cannot store a non-finite number")
    if isinstance(value, dict):
        if not value:
            return "{}"
        if all(not isinstance(v, (dict, list)) for v in value.values()) and len(value) <= 8:
            return json.dumps(value, sort_keys=True, ensure_ascii=False)
        inner = indent + "  "
        items = [
            f"{inner}{json.dumps(str(k), ensure_ascii=False)}: {_dump(value[k], inner)}"
            for k in sorted(value)
        ]
        return "{\n" + ",\n".join(items) + "\n" + indent + "}"
    if isinstance(value, (list, tuple)):
        if not value:
            return "[]"
        if all(not isinstance(v, (dict, list, tuple)) for v in value):
            return json.dumps(list(value), ensure_ascii=False)
        inner = indent + "  "
        return "[\n" + ",\n".join(inner + _dump(v, inner) for v in value) + "\n" + indent + "]"
    return json.dumps(value, ensure_ascii=False)


def write_json(path: Path, value: dict[str, Any]) -> None:
    """Write `value` with the schema version, atomically."""
    write_text(path, dumps({**value, "schema": SCHEMA_VERSION}))


def write_text(path: Path, text: str) -> None:
    """Write `text` atomically."""
    write_bytes(path, text.encode("utf-8"))


def write_bytes(path: Path, data: bytes) -> None:
    """Write `data` atomically: a temp file in the same folder, then a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; these files are committed and shared
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_json(path: Path) -> dict[str, Any] | None:
    """The file's content, checked against its schema (`files.py`); None if absent.

    `StoreError` if it is unreadable, a symlink or invalid; `NewerStoreError` if a newer
    mkdocs-yt2doc wrote it.
    """
    try:
        # O_NOFOLLOW: a symlink committed in place of a cache file is refused, not read
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except FileNotFoundError:
        return None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise StoreError(f"cache file {path} is a symlink; the cache follows none") from None
        raise StoreError(f"cannot read cache file {path}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "rb") as handle:
            text = handle.read().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise StoreError(f"cannot read cache file {path}: {exc}") from None
    try:
        return validate(path.name, text)
    except NewerCacheFile as exc:
        raise NewerStoreError(f"cache file {path} was {exc}") from None
    except CacheFileError as exc:
        raise StoreError(f"cache file {path} is invalid: {exc}") from None


def check_key(key: str) -> str:
    """A talk's folder name, refused unless it is a plain name (it may come from a file)."""
    if not KEY.match(key):
        raise StoreError(f"{key!r} is not a cache key (letters, digits, '-' and '_' only)")
    return key


def check_cache_dir(cache_dir: Path, project: Path, *, given: str, others: dict[str, Path]) -> None:
    """`cache_dir` must be a folder of its own inside the project: never the project itself,
    never the docs or site folder (or inside them), never a symlink. `others`: those folders
    by option name."""
    where = f"cache_dir {given!r}"
    resolved, project = cache_dir.resolve(), project.resolve()
    if cache_dir.is_symlink() or (cache_dir.exists() and not cache_dir.is_dir()):
        raise StoreError(f"{where} must be a plain folder, not a symlink or a file")
    if resolved == project or not resolved.is_relative_to(project):
        raise StoreError(
            f"{where} must be a folder of its own inside the project ({project}), "
            "like the default .yt2doc"
        )
    for option, folder in others.items():
        folder = folder.resolve()
        if resolved.is_relative_to(folder) or folder.is_relative_to(resolved):
            raise StoreError(f"{where} must not be, hold or lie inside {option} ({folder})")


class Store:
    """The cache folder. One sub-folder per talk, named by the talk's key."""

    def __init__(self, root: Path, *, repair: bool = False) -> None:
        self.root = root
        self.repair = repair  # set aside invalid files (a run that may redo them), or refuse
        self.write_error: str | None = None  # set by `lock` when the folder is not writable
        # Parsed files by (mtime, size): `mkdocs serve` rebuilds re-read nothing unchanged.
        self._parsed: dict[Path, tuple[int, int, dict[str, Any]]] = {}

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the cache for this run: a second build or prefetch waits, then finds the
        first one's work done instead of doing it again."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            _create(self.root / ".gitignore", GITIGNORE)
            flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
            handle = os.fdopen(os.open(self.root / LOCK, flags, 0o644), "r+")
        except OSError as exc:  # a read-only checkout: runs may render, not write
            log.debug("yt2doc: no lock on %s: %s", self.root, exc)
            self.write_error = write_problem(self.root, exc)
            yield
            return
        self.write_error = None
        try:
            try:
                import fcntl
            except ImportError:  # Windows: no advisory locks; runs are not serialised
                yield
                return
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                log.info("yt2doc: waiting for another run to release %s", self.root / LOCK)
                fcntl.flock(handle, fcntl.LOCK_EX)
            self._remove_stale_temps()
            yield
        finally:
            handle.close()  # releases the lock

    def _remove_stale_temps(self) -> None:
        """Temp files of a run killed mid-write. Only lock holders write, so under the lock
        any temp file is left over; the entry it would have replaced is still whole. Only our
        own names are touched, and no symlinked folder is entered."""
        folders = [self.root]
        with contextlib.suppress(OSError):
            folders += [p for p in self.root.iterdir() if KEY.match(p.name) and _plain_dir(p)]
        ours = {*TALK_FILES, SOURCES, FAILURES, ".gitignore"}
        for folder in folders:
            for path in folder.glob(".*.tmp"):
                match = _TEMP.match(path.name)
                if not match or match["name"] not in ours or path.is_symlink():
                    continue
                with contextlib.suppress(OSError):
                    path.unlink()
                    log.info("yt2doc: removed %s, left by an interrupted run", path)

    def talk_dir(self, key: str) -> Path:
        """The talk's folder; `StoreError` for a key that is no plain name or a folder that
        is a symlink (a cache from a pull request may hold either)."""
        folder = self.root / check_key(key)
        if folder.is_symlink():
            raise StoreError(f"cache folder {folder} is a symlink; the cache follows none")
        return folder

    def _path(self, key: str, name: str) -> Path:
        if name not in TALK_FILES:
            raise StoreError(f"{name!r} is not a cache file name")
        return self.talk_dir(key) / name

    def read(self, key: str, name: str) -> dict[str, Any] | None:
        path = self._path(key, name)
        try:
            stat = path.lstat()
        except OSError:
            return read_json(path)  # absent (None) or unreadable (StoreError)
        known = self._parsed.get(path)
        if known and known[:2] == (stat.st_mtime_ns, stat.st_size):
            return known[2]
        value = read_json(path)
        if value is not None:
            self._parsed[path] = (stat.st_mtime_ns, stat.st_size, value)
        return value

    def read_stage(self, key: str, name: str, label: str) -> dict[str, Any] | None:
        """A stage's stored result for talk `label`, checked against its schema.

        With `repair`, an invalid file is set aside (never deleted) and None returned, so the
        stage is redone; without (`transcribe: never`, status) `StoreError` says what to do and
        the file stays exactly as it is. A newer version's file is never touched.
        """
        try:
            return self.read(key, name)
        except NewerStoreError:
            raise
        except StoreError as exc:
            if not self.repair:
                raise StoreError(
                    f"{exc}; `mkdocs-yt2doc prefetch` (or a build with transcribe: auto) sets "
                    "it aside and redoes it"
                ) from None
            aside = self.set_aside(key, name)
            done = f"moved it to {aside}; it is redone" if aside else "it is redone"
            log.warning("yt2doc: %s: %s; %s", label, exc, done)
            return None

    def set_aside(self, key: str, name: str) -> str | None:
        """Move an invalid file out of the way (never delete it: a person may have edited
        it); the new name, or None if it could not be moved."""
        return _set_aside(self._path(key, name))

    def file(self, key: str, name: str) -> Path | None:
        """A plain file of the talk's folder to copy into the site, or None: a symlink is
        never followed (it could point at any file the build can read)."""
        try:
            path = self._path(key, name)
        except StoreError as exc:
            log.warning("yt2doc: %s; %s is not copied into the site", exc, name)
            return None
        if path.is_symlink():
            log.warning(
                "yt2doc: cache file %s is a symlink; the cache follows none, and it is not "
                "copied into the site",
                path,
            )
            return None
        return path if _plain_dir(path.parent) and _plain_file(path) else None

    def write(self, key: str, name: str, value: dict[str, Any]) -> None:
        self._write(self._path(key, name), value)

    def write_text(self, key: str, name: str, text: str) -> None:
        self.write_bytes(key, name, text.encode("utf-8"))

    def write_bytes(self, key: str, name: str, data: bytes) -> None:
        path = self._path(key, name)
        try:
            write_bytes(path, data)
        except OSError as exc:
            raise StoreError(write_problem(path, exc)) from None

    def thumbnail(self, key: str) -> Path | None:
        """The talk's thumbnail (fetched with its transcript), if the cache holds one."""
        for suffix in THUMBNAIL_SUFFIXES:
            path = self.file(key, f"{THUMBNAIL}{suffix}")
            if path is not None:
                return path
        return None

    def read_sources(self) -> dict[str, Any]:
        """The stored URL expansions: talks.yml URL -> entries with their keys."""
        value = read_json(self.root / SOURCES)
        return dict(value.get("urls", {})) if value else {}

    def write_sources(self, urls: dict[str, Any]) -> None:
        self._write(self.root / SOURCES, {"urls": urls})

    def read_failures(self) -> dict[str, Any]:
        """The last error of each talk that failed, by URL (for `status`)."""
        value = read_json(self.root / FAILURES)
        return dict(value.get("talks", {})) if value else {}

    def write_failures(self, talks: dict[str, Any]) -> None:
        self._write(self.root / FAILURES, {"talks": talks})

    def set_sources_aside(self) -> str | None:
        return _set_aside(self.root / SOURCES)

    @staticmethod
    def _write(path: Path, value: dict[str, Any]) -> None:
        try:
            write_json(path, value)
        except OSError as exc:
            raise StoreError(write_problem(path, exc)) from None


def _plain_dir(path: Path) -> bool:
    return not path.is_symlink() and path.is_dir()


def _plain_file(path: Path) -> bool:
    return not path.is_symlink() and path.is_file()


def _set_aside(path: Path) -> str | None:
    """`NAME.corrupt-<time>` beside it (the symlink itself, if it is one); None if it
    cannot be moved."""
    aside = path.with_name(f"{path.name}.corrupt-{time.strftime('%Y%m%d%H%M%S')}")
    try:
        path.rename(aside)
    except OSError:
        return None
    return aside.name


def _create(path: Path, text: str) -> None:
    """Write `path` if nothing is there, a dangling symlink included (O_EXCL: no temp file,
    which a concurrent run's clean-up could take, and no link followed)."""
    try:
        fd = os.open(
            path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644
        )
    except FileExistsError:
        return
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
