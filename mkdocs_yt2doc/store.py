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
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from . import Yt2DocError

log = logging.getLogger("mkdocs.plugins.yt2doc")

SCHEMA_VERSION = 1
LOCK = ".lock"
# Written into the cache folder: what is local to one machine stays out of commits.
GITIGNORE = "# written by mkdocs-yt2doc\n/.lock\n*.tmp\n/failures.json\n"

MEDIA = "media.json"
TRANSCRIPT = "transcript.json"
PARAGRAPHS = "paragraphs.json"
TOPICS = "topics.json"
DOCUMENT = "document.json"
CAPTIONS = {"srt": "captions.srt", "vtt": "captions.vtt"}  # made with the document
THUMBNAIL, THUMBNAIL_SUFFIXES = "thumbnail", (".jpg", ".png", ".webp")  # fetched with the audio
SOURCES = "sources.json"
FAILURES = "failures.json"


class StoreError(Yt2DocError):
    """A cache file cannot be read or written."""


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
    """The file's content, None if absent; `StoreError` if unreadable or of another schema."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise StoreError(f"cannot read cache file {path}: {exc}") from None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise StoreError(f"cache file {path} is not valid JSON ({exc})") from None
    if not isinstance(value, dict) or value.get("schema") != SCHEMA_VERSION:
        found = value.get("schema") if isinstance(value, dict) else None
        raise StoreError(
            f"cache file {path} has schema {found}, this version reads {SCHEMA_VERSION}"
        )
    return value


class Store:
    """The cache folder. One sub-folder per talk, named by the talk's key."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.write_error: str | None = None  # set by `lock` when the folder is not writable
        # Parsed files by (mtime, size): `mkdocs serve` rebuilds re-read nothing unchanged.
        self._parsed: dict[Path, tuple[int, int, dict[str, Any]]] = {}

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the cache for this run: a second build or prefetch waits, then finds the
        first one's work done instead of doing it again."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            ignore = self.root / ".gitignore"
            if not ignore.exists():
                ignore.write_text(GITIGNORE, encoding="utf-8")
            handle = open(self.root / LOCK, "a+")  # noqa: SIM115 - held for the whole run
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
        any temp file is left over; the entry it would have replaced is still whole."""
        for folder in (self.root, *(p for p in self.root.iterdir() if p.is_dir())):
            for path in folder.glob(".*.tmp"):
                with contextlib.suppress(OSError):
                    path.unlink()
                    log.info("yt2doc: removed %s, left by an interrupted run", path)

    def talk_dir(self, key: str) -> Path:
        return self.root / key

    def read(self, key: str, name: str) -> dict[str, Any] | None:
        path = self.talk_dir(key) / name
        try:
            stat = path.stat()
        except OSError:
            return read_json(path)  # absent (None) or unreadable (StoreError)
        known = self._parsed.get(path)
        if known and known[:2] == (stat.st_mtime_ns, stat.st_size):
            return known[2]
        value = read_json(path)
        if value is not None:
            self._parsed[path] = (stat.st_mtime_ns, stat.st_size, value)
        return value

    def write(self, key: str, name: str, value: dict[str, Any]) -> None:
        self._write(self.talk_dir(key) / name, value)

    def write_text(self, key: str, name: str, text: str) -> None:
        self.write_bytes(key, name, text.encode("utf-8"))

    def write_bytes(self, key: str, name: str, data: bytes) -> None:
        path = self.talk_dir(key) / name
        try:
            write_bytes(path, data)
        except OSError as exc:
            raise StoreError(write_problem(path, exc)) from None

    def thumbnail(self, key: str) -> Path | None:
        """The talk's thumbnail (fetched with its transcript), if the cache holds one."""
        for suffix in THUMBNAIL_SUFFIXES:
            path = self.talk_dir(key) / f"{THUMBNAIL}{suffix}"
            if path.is_file():
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

    @staticmethod
    def _write(path: Path, value: dict[str, Any]) -> None:
        try:
            write_json(path, value)
        except OSError as exc:
            raise StoreError(write_problem(path, exc)) from None
