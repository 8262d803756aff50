"""talks.yml -> `Talk` records.

Every error names the file and the line, because the person reading it is editing that file.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..records.talk import Catalog, ChapterMark, Talk
from ..util.glossary import merge_glossary, merge_replace, parse_glossary, parse_replace
from ..util.timecode import parse_timecode
from .talk_fields import (
    CatalogError,
    calendar_date,
    http_url,
    link_pairs,
    name_list,
    plain_text,
    speaker_key,
    speaker_map,
)
from .talks_yaml import TalksYAMLError, item_lines, load_yaml

log = logging.getLogger("mkdocs.plugins.yt2doc")


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
    # checked by `glossary`: a bad entry is a warning, and the talk builds from the rest
    "glossary": ((object,), "a list of terms"),
    "replace": ((object,), "a mapping of wrong -> right"),
    "captions": ((str,), "a caption file (.vtt or .srt): a path or an http(s) URL"),
    "start": ((str, int, float), 'a time like "12:30" or seconds'),
    "end": ((str, int, float), 'a time like "12:30" or seconds'),
    "slides": ((str,), "an http(s) URL"),
    "links": ((list,), "a list of {label, url}"),
    "kind": ((str,), "a word like keynote, talk, lightning, panel or workshop"),
}
_TOP_LEVEL = ("defaults", "speakers", "talks")
_NOT_DEFAULTABLE = {"url", "slug", "title", "chapters", "captions", "start", "end", "slides"}
_DEFAULTABLE = set(_FIELDS) - _NOT_DEFAULTABLE
_URL_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")
# A local recording is copied into the site: only media files, never a dotfile (.env, .git).
MEDIA_SUFFIXES = frozenset(
    {".aac", ".flac", ".m4a", ".m4v", ".mkv", ".mov", ".mp3", ".mp4", ".oga", ".ogg", ".ogv",
     ".opus", ".wav", ".weba", ".webm"}
)  # fmt: skip


def load_catalog(
    path: Path,
    name: str | None = None,
    *,
    project: Path | None = None,
    allow_outside_files: bool = False,
) -> Catalog:
    """Read and validate talks.yml; raise `CatalogError` naming file and line.

    `name` is how messages call the file (as the user wrote it in mkdocs.yml). Local
    recordings must lie inside `project` (default: the folder of talks.yml) after symlinks are
    resolved, unless `allow_outside_files`.
    """
    name = name or path.name
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CatalogError(f"cannot read talks file {name}: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise CatalogError(f"{name}: not UTF-8 text ({exc.reason})") from None
    try:
        data, node = load_yaml(text, name)
    except TalksYAMLError as exc:
        raise CatalogError(str(exc)) from None

    defaults: dict[str, Any] = {}
    raw_speakers: Any = None
    if data is None:
        items: list[Any] = []
    elif isinstance(data, list):
        items = data
    elif isinstance(data, dict):
        unknown = sorted(map(str, set(data) - set(_TOP_LEVEL)))
        if unknown:
            hint = difflib.get_close_matches(unknown[0], _TOP_LEVEL, n=1)
            line = getattr(data, "lines", {}).get(unknown[0], getattr(data, "line", 1))
            raise CatalogError(
                f"{name}:{line}: unknown top-level key(s) {', '.join(unknown)}"
                + (f"; did you mean '{hint[0]}'?" if hint else "")
                + "; expected 'defaults', 'speakers' and 'talks'"
            )
        raw_speakers = data.get("speakers")
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
        defaults = raw_defaults  # keeps its lines, for messages
    else:
        raise CatalogError(f"{name}: expected a list of talks or a mapping with 'talks'")

    line_of_list = item_lines(node)
    place = _Where(path, name, (project or path.parent).resolve(), allow_outside_files)
    speakers = speaker_map(raw_speakers, name, path.parent, place.project, allow_outside_files)
    known = {speaker_key(n): s for n, s in speakers.items()}
    shared = _shared_wording(defaults, name)  # once, not once a talk
    talks = []
    for index, item in enumerate(items):
        line = getattr(item, "line", None) or (
            line_of_list[index] if index < len(line_of_list) else 0
        )
        talk = _parse_talk(item, defaults, place, f"{name}:{line}", shared)
        if known and talk.speakers:  # an unknown name is just a name
            profiles = (known.get(speaker_key(n)) for n in talk.speakers)
            talk = dataclasses.replace(talk, profiles=tuple(p for p in profiles if p))
        talks.append(talk)
    return Catalog(path=path, talks=tuple(talks), speakers=speakers)


@dataclass(frozen=True)
class _Where:
    """Where talks.yml lies, and where its local recordings may lie."""

    path: Path
    name: str
    project: Path
    allow_outside_files: bool


def _parse_talk(
    item: Any, defaults: dict[str, Any], place: _Where, where: str, shared: dict[str, Any]
) -> Talk:
    if isinstance(item, str):
        item = {"url": item}
    if not isinstance(item, dict):
        raise CatalogError(f"{where}: a talk is a URL or a mapping with 'url', not {item!r}")
    values = {**defaults, **item}

    def at(key: str) -> str:  # the line of a key, in the talk or in `defaults`
        for mapping in (item, defaults):
            lines = getattr(mapping, "lines", {})
            if key in mapping and key in lines:
                return f"{place.name}:{lines[key]}"
        return where

    for key in [k for k in values if k not in _FIELDS]:
        # A warning, not an error: the talk still builds, and `--strict` still fails.
        hint = difflib.get_close_matches(str(key), _FIELDS, n=1)
        suggestion = f"; did you mean '{hint[0]}'?" if hint else ""
        log.warning("yt2doc: %s: unknown key '%s' is ignored%s", at(key), key, suggestion)
        del values[key]
    for key, value in values.items():
        types, description = _FIELDS[key]
        if value is not None and not isinstance(value, types):
            raise CatalogError(f"{at(key)}: '{key}' must be {description}, not {value!r}")
    url = values.get("url")
    if not isinstance(url, str) or not url.strip():
        raise CatalogError(f"{where}: talk has no 'url'")
    url = url.strip()
    local_path = _local_path(url, place, at("url")) if not _URL_SCHEME.match(url) else None
    return Talk(
        url=url,
        where=where,
        title=plain_text(values.get("title")),
        speakers=name_list(values.get("speakers"), at("speakers"), "speakers", numbers=False),
        event=plain_text(values.get("event")),
        date=calendar_date(values.get("date"), at("date")),
        tags=name_list(values.get("tags"), at("tags"), "tags", numbers=True),
        language=plain_text(values.get("language")),
        slug=plain_text(values.get("slug")),
        description=plain_text(values.get("description")),
        chapters=_chapters(values.get("chapters"), at("chapters")),
        ignore_source_chapters=bool(values.get("ignore_source_chapters", False)),
        local_path=local_path,
        **_wording(item, shared, place.name),
        **_captions(values.get("captions"), place, at("captions")),
        **_span(values.get("start"), values.get("end"), at),
        slides=http_url(values.get("slides"), at("slides"), "slides"),
        links=link_pairs(values.get("links"), at("links")),
        kind=plain_text(values.get("kind")),
    )


def _span(start: Any, end: Any, at: Any) -> dict[str, Any]:
    """`start:` and `end:`: where the talk lies in a recording it shares with others."""
    found: dict[str, Any] = {}
    for key, value in (("start", start), ("end", end)):
        if value is None:
            continue
        try:
            found[key] = parse_timecode(value)
        except ValueError as exc:
            raise CatalogError(f"{at(key)}: '{key}': {exc}") from None
    if found.get("end") == 0 and "start" not in found:
        raise CatalogError(f"{at('end')}: 'end' is 0, so the talk has no length; 'end' must be "
                           "after the talk's start")  # fmt: skip
    if "start" in found and "end" in found and found["start"] >= found["end"]:
        raise CatalogError(
            f"{at('end')}: the talk ends ({end}) before it starts ({start}); 'end' must be "
            "after 'start'"
        )
    return found


def _captions(value: Any, place: _Where, where: str) -> dict[str, Any]:
    """A caption file named in talks.yml. A path must lie inside the project, like a
    recording (its text is published); a missing or unusable file is found when the talk is
    processed, and the next source of `transcript_from` is used."""
    text = plain_text(value)
    if text is None:
        return {}
    found: dict[str, Any] = {"captions": text, "captions_at": where}
    if _URL_SCHEME.match(text):
        if not re.match(r"https?://", text, re.IGNORECASE):
            raise CatalogError(f"{where}: 'captions' must be a path or an http(s) URL")
        return found
    path = (place.path.parent / text).resolve()
    inside = path.is_relative_to(place.project)
    if not place.allow_outside_files and not inside:
        raise CatalogError(
            f"{where}: {text} lies outside the project ({place.project}); its text would be "
            "published: move it into the project, or set `allow_outside_files: true`"
        )
    relative = path.relative_to(place.project) if inside else path
    if path.suffix.lower() not in (".vtt", ".srt") or any(
        part.startswith(".") for part in relative.parts
    ):
        raise CatalogError(
            f"{where}: {text} is not a caption file (a .vtt or .srt file, outside hidden folders)"
        )
    return {**found, "captions_path": path}


def _at(mapping: dict[str, Any], key: str, name: str) -> str:
    return f"{name}:{getattr(mapping, 'lines', {}).get(key, getattr(mapping, 'line', 0))}"


def _shared_wording(defaults: dict[str, Any], name: str) -> dict[str, Any]:
    """The defaults' glossary and replacements, parsed (and warned about) once."""
    glossary = parse_glossary(defaults.get("glossary"), _at(defaults, "glossary", name))
    replace = parse_replace(defaults.get("replace"), _at(defaults, "replace", name))
    return {"glossary": merge_glossary((), glossary), "replace": merge_replace((), replace)}


def _wording(item: dict[str, Any], shared: dict[str, Any], name: str) -> dict[str, Any]:
    """The glossary and replacements: the defaults' and the talk's own, merged."""
    glossary = parse_glossary(item.get("glossary"), _at(item, "glossary", name))
    replace = parse_replace(item.get("replace"), _at(item, "replace", name))
    return {
        "glossary": merge_glossary(shared["glossary"], glossary),
        "replace": merge_replace(shared["replace"], replace),
    }


def _local_path(url: str, place: _Where, where: str) -> Path:
    """A recording on disk: inside the project after symlinks are resolved (it is copied into
    the published site), and a media file."""
    path = (place.path.parent / url).resolve()
    if not path.is_file():
        raise CatalogError(
            f"{where}: no such file: {url} (paths are relative to {place.path.name})"
        )
    if not place.allow_outside_files and not path.is_relative_to(place.project):
        raise CatalogError(
            f"{where}: {url} lies outside the project ({place.project}), and is not copied into "
            "the site; move it into the project, or set `allow_outside_files: true`"
        )
    relative = path.relative_to(place.project) if path.is_relative_to(place.project) else path
    if path.suffix.lower() not in MEDIA_SUFFIXES or any(
        part.startswith(".") for part in relative.parts
    ):
        raise CatalogError(
            f"{where}: {url} is not a recording (a local file must be an audio or video file "
            f"such as {', '.join(sorted(MEDIA_SUFFIXES)[:6])}, outside hidden folders)"
        )
    return path


def _chapters(value: Any, where: str) -> tuple[ChapterMark, ...]:
    if not value:
        return ()
    file = where.rsplit(":", 1)[0]
    marks: list[ChapterMark] = []
    for item in value:
        if not isinstance(item, dict) or "start" not in item or "title" not in item:
            raise CatalogError(f"{where}: each chapter needs 'start' and 'title', not {item!r}")
        line = getattr(item, "line", 0)
        at = f"{file}:{line}" if line else where
        try:
            start = parse_timecode(item["start"])
        except ValueError as exc:
            raise CatalogError(f"{at}: chapter {item.get('title')!r}: {exc}") from None
        raw_title = item["title"]
        if isinstance(raw_title, bool) or not isinstance(raw_title, (str, int, float)):
            raise CatalogError(f"{at}: a chapter's title must be text, not {raw_title!r}")
        title = plain_text(raw_title)
        if not title:
            raise CatalogError(f"{at}: chapter at {item['start']} has an empty title")
        if marks and start <= marks[-1].start:
            raise CatalogError(
                f"{at}: chapter {title!r} starts at or before the chapter above it; "
                "list chapters in order"
            )
        marks.append(ChapterMark(start=start, title=title))
    return tuple(marks)
