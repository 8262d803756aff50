"""The cache folder: paths, atomic JSON files, schema versions.

Users commit this folder, so every file is JSON with sorted keys and one small record per line
(a word, a paragraph), which keeps diffs readable. Files are written to a temporary name and
renamed, so an interrupted run never leaves a half-written file where a reader would look.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path
from typing import Any

from . import Yt2DocError

SCHEMA_VERSION = 1

MEDIA = "media.json"
TRANSCRIPT = "transcript.json"
PARAGRAPHS = "paragraphs.json"
TOPICS = "topics.json"
DOCUMENT = "document.json"
SOURCES = "sources.json"
FAILURES = "failures.json"


class StoreError(Yt2DocError):
    """A cache file cannot be read or written."""


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
    """Write `value` with the schema version, atomically (temp file in the folder + rename)."""
    text = dumps({**value, "schema": SCHEMA_VERSION})
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; these files are committed and shared
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
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

    def talk_dir(self, key: str) -> Path:
        return self.root / key

    def read(self, key: str, name: str) -> dict[str, Any] | None:
        return read_json(self.talk_dir(key) / name)

    def write(self, key: str, name: str, value: dict[str, Any]) -> None:
        try:
            write_json(self.talk_dir(key) / name, value)
        except OSError as exc:
            raise StoreError(f"cannot write {self.talk_dir(key) / name}: {exc}") from None

    def has(self, key: str, name: str) -> bool:
        return (self.talk_dir(key) / name).is_file()

    def read_sources(self) -> dict[str, Any]:
        """The stored URL expansions: talks.yml URL -> entries with their keys."""
        value = read_json(self.root / SOURCES)
        return dict(value.get("urls", {})) if value else {}

    def write_sources(self, urls: dict[str, Any]) -> None:
        self._write_root(SOURCES, {"urls": urls})

    def read_failures(self) -> dict[str, Any]:
        """The last error of each talk that failed, by URL (for `status`)."""
        value = read_json(self.root / FAILURES)
        return dict(value.get("talks", {})) if value else {}

    def write_failures(self, talks: dict[str, Any]) -> None:
        self._write_root(FAILURES, {"talks": talks})

    def _write_root(self, name: str, value: dict[str, Any]) -> None:
        try:
            write_json(self.root / name, value)
        except OSError as exc:
            raise StoreError(f"cannot write {self.root / name}: {exc}") from None
