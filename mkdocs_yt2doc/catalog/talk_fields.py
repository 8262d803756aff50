"""talks.yml field values -> typed values: text, names, dates, links. Each error names the
talk's file and line and the key, as load.py's do."""

from __future__ import annotations

import datetime as dt
import difflib
import logging
import re
import unicodedata
from pathlib import Path
from typing import Any

from ..records.errors import Yt2DocError
from ..records.talk import Speaker
from ..util.escape import clean, safe_url

log = logging.getLogger("mkdocs.plugins.yt2doc")


class CatalogError(Yt2DocError):
    """talks.yml cannot be read or is invalid."""


def http_url(value: Any, where: str, key: str) -> str | None:
    text = plain_text(value)
    if text is not None and not re.match(r"https?://\S+$", text, re.IGNORECASE):
        raise CatalogError(f"{where}: '{key}' must be an http(s) URL, not {text!r}")
    if text is not None and safe_url(text) is None:  # https:///etc/passwd: a page drops it
        log.warning("yt2doc: %s: '%s' %r names no host; it is not shown", where, key, text)
        return None
    return text


def link_pairs(value: Any, where: str) -> tuple[tuple[str, str], ...]:
    """`links:` as (label, URL) pairs; a link needs both, and only http(s) is linked."""
    found = []
    file = where.rsplit(":", 1)[0]
    for item in value or []:
        at = f"{file}:{getattr(item, 'line', 0)}" if getattr(item, "line", 0) else where
        if not isinstance(item, dict) or not isinstance(item.get("url"), str):
            raise CatalogError(f"{at}: each of 'links' needs 'label' and 'url', not {item!r}")
        label = item.get("label")
        if (
            isinstance(label, bool)
            or not isinstance(label, (str, int, float))
            or not plain_text(label)
        ):
            raise CatalogError(f"{at}: the link to {item['url']} needs a 'label' (text)")
        url = http_url(item["url"], at, "url")
        if url is not None:
            found.append((str(plain_text(label)), url))
    return tuple(found)


def plain_text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def name_list(value: Any, where: str, key: str, *, numbers: bool) -> tuple[str, ...]:
    """Speakers or tags: text (tags may be numbers, such as a year); nothing else is shown."""
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    allowed = (str, int, float) if numbers else (str,)
    names = []
    for name in value:
        if isinstance(name, bool) or not isinstance(name, allowed):
            kind = "text" if not numbers else "text or a number"
            raise CatalogError(f"{where}: each of '{key}' must be {kind}, not {name!r}")
        if str(name).strip():
            names.append(str(name).strip())
    return tuple(names)


def calendar_date(value: Any, where: str) -> dt.date | None:
    """A real calendar date. YAML's own dates are read as text (a YAML date of 2026-13-45
    raises inside the parser), so every date is checked here."""
    if value is None or isinstance(value, dt.date):
        return value if not isinstance(value, dt.datetime) else value.date()
    text = str(value).strip()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        pass
    try:
        return dt.datetime.fromisoformat(text).date()
    except ValueError:
        raise CatalogError(
            f"{where}: 'date' must be a calendar date like 2026-05-14, not {value!r}"
        ) from None


SPEAKER_FIELDS = ("affiliation", "url", "photo")
# A photo is copied into the site as a thumbnail is: an image of the thumbnails' types and cap.
PHOTO_TYPES = {".jpg": b"\xff\xd8\xff", ".jpeg": b"\xff\xd8\xff", ".png": b"\x89PNG\r\n\x1a\n",
               ".webp": b"RIFF"}  # fmt: skip
PHOTO_BYTES = 2 * 2**20


def speaker_key(name: str) -> str:
    """A talk's speaker names an entry of `speakers:` whatever the case, accents or spacing."""
    text = unicodedata.normalize("NFKD", clean(name)).casefold()
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def speaker_map(
    value: Any, name: str, folder: Path, project: Path, allow_outside_files: bool
) -> dict[str, Speaker]:
    """The top-level `speakers:` map, by name. A bad url or photo is a warning with its line:
    the speaker is still shown, without it."""
    if value is None:
        return {}
    where = f"{name}:{getattr(value, 'line', 0) or 1}"
    if not isinstance(value, dict):
        raise CatalogError(f"{where}: 'speakers' must be a mapping of name -> "
                           "{affiliation, url, photo}")  # fmt: skip
    found = {}
    for key, entry in value.items():
        key_line = getattr(value, "lines", {}).get(str(key))
        at = f"{name}:{key_line}" if key_line else where
        speaker = plain_text(key) if isinstance(key, str) else None
        if speaker is None:
            raise CatalogError(f"{at}: a speaker's name must be text, not {key!r}")
        entry = {} if entry is None else entry
        if not isinstance(entry, dict):
            raise CatalogError(
                f"{at}: speaker {speaker!r} must be a mapping with {', '.join(SPEAKER_FIELDS)}, "
                f"not {entry!r}"
            )

        def line(field: str, entry: Any = entry, at: str = at) -> str:
            return f"{name}:{entry.lines[field]}" if field in getattr(entry, "lines", {}) else at

        for field in [f for f in entry if f not in SPEAKER_FIELDS]:
            hint = difflib.get_close_matches(str(field), SPEAKER_FIELDS, n=1)
            suggestion = f"; did you mean '{hint[0]}'?" if hint else ""
            log.warning("yt2doc: %s: unknown key '%s' of speaker %r is ignored%s",
                        line(field), field, speaker, suggestion)  # fmt: skip
        for field in SPEAKER_FIELDS:
            item = entry.get(field)
            if item is not None and (isinstance(item, bool) or not isinstance(item, str)):
                raise CatalogError(f"{line(field)}: '{field}' of speaker {speaker!r} must be "
                                   f"text, not {item!r}")  # fmt: skip
        url = plain_text(entry.get("url"))
        if url is not None and (not re.match(r"https?://\S+$", url, re.I) or not safe_url(url)):
            log.warning("yt2doc: %s: the url of speaker %r must be an http(s) URL, not %r; it "
                        "is not shown", line("url"), speaker, url)  # fmt: skip
            url = None
        photo = _photo(plain_text(entry.get("photo")), line("photo"), folder, project,
                       allow_outside_files)  # fmt: skip
        found[speaker] = Speaker(speaker, plain_text(entry.get("affiliation")), url, photo)
    return found


def _photo(text: str | None, where: str, folder: Path, project: Path, outside: bool) -> Path | None:
    """A speaker's photo, under the rules of a local recording (inside the project once
    symlinks are resolved, outside hidden folders) and more: no symlink, an image of a
    thumbnail's types (by its first bytes, too) and size. Else a warning, and no photo."""
    if text is None:
        return None
    given = folder / text
    path = given.resolve()
    relative = path.relative_to(project) if path.is_relative_to(project) else path
    problem = None
    if not outside and not path.is_relative_to(project):
        problem = f"lies outside the project ({project}); move it into the project"
    elif any((folder / Path(*Path(text).parts[: n + 1])).is_symlink()
             for n in range(len(Path(text).parts))):  # fmt: skip
        problem = "is a symlink (a photo is copied into the site, never through a link)"
    elif any(part.startswith(".") for part in relative.parts):
        problem = "lies in a hidden folder"
    elif path.suffix.lower() not in PHOTO_TYPES:
        problem = f"is not an image ({', '.join(sorted(PHOTO_TYPES))})"
    else:
        try:
            size = path.stat().st_size
            with open(path, "rb") as handle:
                head = handle.read(12)
        except OSError as exc:
            problem = f"cannot be read: {exc.strerror or exc}"
        else:
            if size > PHOTO_BYTES:
                problem = f"is over {PHOTO_BYTES // 2**20} MiB ({size} bytes)"
            elif not head.startswith(PHOTO_TYPES[path.suffix.lower()]) or (
                path.suffix.lower() == ".webp" and head[8:12] != b"WEBP"
            ):
                problem = f"is not a {path.suffix.lower()} image (its first bytes say otherwise)"
    if problem:
        log.warning("yt2doc: %s: photo %s %s; it is not shown", where, text, problem)
        return None
    return path
