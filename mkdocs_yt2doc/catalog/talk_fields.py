"""talks.yml field values -> typed values: text, names, dates, links. Each error names the
talk's file and line and the key, as load.py's do."""

from __future__ import annotations

import datetime as dt
import logging
import re
from typing import Any

from ..records.errors import Yt2DocError
from ..util.escape import safe_url

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
