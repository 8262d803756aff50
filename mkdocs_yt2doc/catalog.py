"""talks.yml -> `Talk` records.

Every error names the file and the line, because the person reading it is editing that file.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from . import Yt2DocError
from .timecode import parse_timecode

log = logging.getLogger("mkdocs.plugins.yt2doc")


class CatalogError(Yt2DocError):
    """talks.yml cannot be read or is invalid."""


@dataclass(frozen=True)
class ChapterMark:
    start: float
    title: str


@dataclass(frozen=True)
class Talk:
    """One item of talks.yml, defaults merged in. `url` may still be a playlist."""

    url: str
    where: str  # "talks.yml:12", for messages
    title: str | None = None
    speakers: tuple[str, ...] = ()
    event: str | None = None
    date: dt.date | None = None
    tags: tuple[str, ...] = ()
    language: str | None = None
    slug: str | None = None
    description: str | None = None
    chapters: tuple[ChapterMark, ...] = ()
    ignore_source_chapters: bool = False
    local_path: Path | None = None  # set when `url` names a file on disk

    @property
    def label(self) -> str:
        """How messages name this talk."""
        return f"{self.title or self.url} ({self.where})"

    def merged(self, override: Talk) -> Talk:
        """This talk with every field `override` sets in talks.yml taken from it."""
        changes = {
            f.name: getattr(override, f.name)
            for f in dataclasses.fields(self)
            if f.name not in ("url", "local_path") and getattr(override, f.name) not in (None, ())
        }
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True)
class Catalog:
    path: Path
    talks: tuple[Talk, ...] = field(default_factory=tuple)


# key -> (accepted types, description for messages)
_FIELDS: dict[str, tuple[tuple[type, ...], str]] = {
    "url": ((str,), "a URL or a path"),
    "title": ((str,), "text"),
    "speakers": ((list, str), "a list of names"),
    "event": ((str,), "text"),
    "date": ((dt.date, str), "a date like 2026-05-14"),
    "tags": ((list, str), "a list of tags"),
    "language": ((str,), "a language code like en"),
    "slug": ((str,), "text"),
    "description": ((str,), "text"),
    "chapters": ((list,), "a list of {start, title}"),
    "ignore_source_chapters": ((bool,), "true or false"),
}
_DEFAULTABLE = set(_FIELDS) - {"url", "slug", "title", "chapters"}
_URL_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")


# libyaml when PyYAML has it (10x faster on a talks.yml of hundreds of talks)
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LineLoader(_SafeLoader):  # type: ignore[valid-type,misc]
    """A SafeLoader whose mappings remember the line they start on."""


class _LineDict(dict[str, Any]):
    line: int = 0


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> _LineDict:
    mapping = _LineDict(loader.construct_mapping(node, deep=True))
    mapping.line = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_catalog(path: Path, name: str | None = None) -> Catalog:
    """Read and validate talks.yml; raise `CatalogError` naming file and line.

    `name` is how messages call the file (as the user wrote it in mkdocs.yml).
    """
    name = name or path.name
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CatalogError(f"cannot read talks file {name}: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise CatalogError(f"{name}: not UTF-8 text ({exc.reason})") from None
    try:
        data = yaml.load(text, Loader=_LineLoader)
    except yaml.MarkedYAMLError as exc:
        raise CatalogError(_yaml_message(name, exc)) from None
    except yaml.YAMLError as exc:
        raise CatalogError(f"{name}: invalid YAML: {exc}") from None

    defaults: dict[str, Any] = {}
    if data is None:
        items: list[Any] = []
    elif isinstance(data, list):
        items = data
    elif isinstance(data, dict):
        unknown = set(data) - {"defaults", "talks"}
        if unknown:
            raise CatalogError(
                f"{name}:{getattr(data, 'line', 1)}: unknown top-level key(s) "
                f"{', '.join(sorted(map(str, unknown)))}; expected 'defaults' and 'talks'"
            )
        items = data.get("talks") or []
        raw_defaults = data.get("defaults") or {}
        if not isinstance(items, list):
            raise CatalogError(f"{name}: 'talks' must be a list of talks")
        if not isinstance(raw_defaults, dict):
            raise CatalogError(f"{name}: 'defaults' must be a mapping")
        for key in raw_defaults:
            if key not in _DEFAULTABLE:
                line = getattr(raw_defaults, "line", 1)
                raise CatalogError(f"{name}:{line}: '{key}' cannot be a default")
        defaults = dict(raw_defaults)
    else:
        raise CatalogError(f"{name}: expected a list of talks or a mapping with 'talks'")

    line_of_list = _list_item_lines(text)
    talks = []
    for index, item in enumerate(items):
        line = getattr(item, "line", None) or (
            line_of_list[index] if index < len(line_of_list) else 0
        )
        talks.append(_parse_talk(item, defaults, path, f"{name}:{line}"))
    return Catalog(path=path, talks=tuple(talks))


def _yaml_message(name: str, exc: yaml.MarkedYAMLError) -> str:
    """Where the broken construct starts (what the user must fix), then what went wrong."""
    first = exc.context_mark or exc.problem_mark
    where = f"{name}:{first.line + 1}:{first.column + 1}" if first else name
    what = f"{exc.context}: {exc.problem}" if exc.context else str(exc.problem)
    if exc.context_mark and exc.problem_mark:
        what += f" (line {exc.problem_mark.line + 1}, column {exc.problem_mark.column + 1})"
    return f"{where}: invalid YAML: {what}"


def _list_item_lines(text: str) -> list[int]:
    """Lines of the talk items, for bare-URL items (scalars carry no line of their own)."""
    node = yaml.compose(text, Loader=_SafeLoader)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value == "talks":
                node = value
                break
    if isinstance(node, yaml.SequenceNode):
        return [child.start_mark.line + 1 for child in node.value]
    return []


def _parse_talk(item: Any, defaults: dict[str, Any], path: Path, where: str) -> Talk:
    if isinstance(item, str):
        item = {"url": item}
    if not isinstance(item, dict):
        raise CatalogError(f"{where}: a talk is a URL or a mapping with 'url', not {item!r}")
    values = {**defaults, **item}
    for key in [k for k in values if k not in _FIELDS]:
        # A warning, not an error: the talk still builds, and `--strict` still fails.
        hint = difflib.get_close_matches(str(key), _FIELDS, n=1)
        suggestion = f"; did you mean '{hint[0]}'?" if hint else ""
        log.warning("yt2doc: %s: unknown key '%s' is ignored%s", where, key, suggestion)
        del values[key]
    for key, value in values.items():
        types, description = _FIELDS[key]
        if value is not None and not isinstance(value, types):
            raise CatalogError(f"{where}: '{key}' must be {description}, not {value!r}")
    url = values.get("url")
    if not isinstance(url, str) or not url.strip():
        raise CatalogError(f"{where}: talk has no 'url'")
    url = url.strip()
    local_path = None
    if not _URL_SCHEME.match(url):
        local_path = (path.parent / url).resolve()
        if not local_path.is_file():
            raise CatalogError(f"{where}: no such file: {url} (paths are relative to {path.name})")
    return Talk(
        url=url,
        where=where,
        title=_text(values.get("title")),
        speakers=_names(values.get("speakers")),
        event=_text(values.get("event")),
        date=_date(values.get("date"), where),
        tags=_names(values.get("tags")),
        language=_text(values.get("language")),
        slug=_text(values.get("slug")),
        description=_text(values.get("description")),
        chapters=_chapters(values.get("chapters"), where),
        ignore_source_chapters=bool(values.get("ignore_source_chapters", False)),
        local_path=local_path,
    )


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _names(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    return tuple(str(v).strip() for v in value if str(v).strip())


def _date(value: Any, where: str) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value if not isinstance(value, dt.datetime) else value.date()
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise CatalogError(f"{where}: 'date' must look like 2026-05-14, not {value!r}") from None


def _chapters(value: Any, where: str) -> tuple[ChapterMark, ...]:
    if not value:
        return ()
    marks: list[ChapterMark] = []
    for item in value:
        if not isinstance(item, dict) or "start" not in item or "title" not in item:
            raise CatalogError(f"{where}: each chapter needs 'start' and 'title', not {item!r}")
        try:
            start = parse_timecode(item["start"])
        except ValueError as exc:
            raise CatalogError(f"{where}: chapter {item.get('title')!r}: {exc}") from None
        title = _text(item["title"])
        if not title:
            raise CatalogError(f"{where}: chapter at {item['start']} has an empty title")
        if marks and start <= marks[-1].start:
            raise CatalogError(
                f"{where}: chapter {title!r} starts at or before the chapter above it; "
                "list chapters in order"
            )
        marks.append(ChapterMark(start=start, title=title))
    return tuple(marks)
