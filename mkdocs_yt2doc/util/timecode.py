"""Seconds <-> "h:mm:ss" text, shared by the catalog (parsing) and the renderer (display)."""

from __future__ import annotations

import math
import re

_CLOCK = re.compile(r"^\s*(?:(\d+):)?(\d{1,2}):(\d{1,2}(?:\.\d+)?)\s*$")

# The longest time read anywhere (talks.yml, corrections, the cache): no talk lasts a week, and
# every time can then be formatted (a 400-digit one overflows a float).
MAX_SECONDS = 7 * 24 * 3600
# A talk or caption file longer than this is most likely a typo: it warns.
LONG_SECONDS = 12 * 3600


def _bounded(seconds: float | int, value: object) -> float:
    if seconds > MAX_SECONDS:
        shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:37] + "..."
        raise ValueError(f"time {shown} is beyond 7 days")
    return float(seconds)


def parse_timecode(value: object) -> float:
    """Read "1:02:03", "12:30", "754", 754 or 754.5 as seconds.

    YAML 1.1 reads an unquoted ``12:30`` as the sexagesimal integer 750, which is the same
    number of seconds, so integers are taken as they are.
    """
    if isinstance(value, bool):
        raise ValueError(f"not a time: {value!r}")
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"not a time: {value!r} (a time is a finite number of seconds)")
        if value < 0:
            raise ValueError(f"negative time: {value!r}")
        return _bounded(value, value)
    if isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"\d+(?:\.\d+)?", text):
            whole = text.partition(".")[0]
            _bounded(int(whole) if len(whole) < 20 else MAX_SECONDS + 1, value)
            return float(text)
        match = _CLOCK.match(text)
        if match:
            hours, minutes, seconds = match.groups()
            if int(minutes) >= 60 and hours is not None:
                raise ValueError(f"minutes out of range in {value!r}")
            if float(seconds) >= 60:
                raise ValueError(f"seconds out of range in {value!r}")
            if len(hours or "") > 6:
                return _bounded(MAX_SECONDS + 1, value)
            clock = int(hours or 0) * 3600 + int(minutes) * 60
            return _bounded(clock + float(seconds), value)
    raise ValueError(f'not a time: {value!r} (write "m:ss", "h:mm:ss" or seconds)')


def format_timecode(seconds: float) -> str:
    """754.9 -> "12:34"; 3723 -> "1:02:03". Truncates, like video players do."""
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"


def lost_text(spans: tuple[tuple[float, float], ...], most: int = 10) -> str:
    """Time ranges for a message: "0:12-0:26, 3:01-3:09" (and how many more)."""
    shown = ", ".join(f"{format_timecode(s)}-{format_timecode(e)}" for s, e in spans[:most])
    return shown + (f" and {len(spans) - most} more" if len(spans) > most else "")
