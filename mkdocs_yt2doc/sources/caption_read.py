"""Caption files (WebVTT, SRT) -> `Transcript`: text written by people, timed by cue.

A caption file becomes the same record Whisper makes, so paragraphs, chapters, captions,
search, the player and corrections need nothing new. Each cue's words share its time in
proportion to their length. pysubs2 parses both formats (imported when a file is read);
what it leaves in cue text (YouTube's word-timing tags, entities) is cleaned here, and the
faults of real caption files (cues out of order, overlapping, rolling repeats, past the end of
the recording) are repaired with one message each.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..records.errors import Yt2DocError
from ..records.transcript import Cue, Segment, Transcript, Word
from ..util.timecode import LONG_SECONDS, MAX_SECONDS, format_timecode

CAPTION_SUFFIXES = (".vtt", ".srt")
CAPTION_BYTES = 20 * 2**20  # hours of captions are a few MiB
_TAG = re.compile(r"<[^>]*>|\{\\[^}]*\}")  # VTT/SRT markup and pysubs2's ASS override codes
_HEADER_LANGUAGE = re.compile(r"^Language:\s*([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]+)*)\s*$", re.M)
_NAME_LANGUAGE = re.compile(r"\.([a-z]{2,3}(?:-[A-Za-z0-9]+)?)\.(?:vtt|srt)$", re.IGNORECASE)


class CaptionError(Yt2DocError):
    """A caption file that cannot be used: the next source of `transcript_from` is tried."""


@dataclass(frozen=True)
class Captions:
    """A caption file's cues (cleaned, in order), the language it declares, and what was
    repaired in it (for warnings)."""

    cues: tuple[Cue, ...]
    language: str | None
    repairs: tuple[str, ...] = ()


def primary_language(code: str | None) -> str | None:
    """ "en-US" -> "en"; YouTube's "en-orig" too."""
    if not code:
        return None
    return re.split(r"[-_]", code.strip(), maxsplit=1)[0].lower() or None


def declared_language(text: str, name: str) -> str | None:
    """The language a file says it is in: a WebVTT `Language:` header, else `talk.de.vtt`."""
    header = text.split("\n\n", 1)[0] if text.startswith("WEBVTT") else ""
    found = _HEADER_LANGUAGE.search(header)
    if found:
        return primary_language(found[1])
    named = _NAME_LANGUAGE.search(name)
    return primary_language(named[1]) if named else None


def parse_captions(data: bytes, name: str, duration: float | None) -> Captions:
    """Cues from a WebVTT or SRT file; `CaptionError` naming `name` if it has none.

    `duration`: the recording's length, when known; cues past it are cut off."""
    import pysubs2

    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CaptionError(f"{name} is not UTF-8 text ({exc.reason})") from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise CaptionError(f"{name} is empty")
    try:
        parsed = pysubs2.SSAFile.from_string(text)
    except Exception as exc:  # pysubs2 raises its own errors, and ValueError on bad timings
        raise CaptionError(
            f"{name} is not a WebVTT or SRT caption file ({type(exc).__name__}: {exc})"
        ) from None
    if parsed.format not in ("vtt", "srt"):
        raise CaptionError(f"{name} is a {parsed.format} file, not WebVTT or SRT")
    cues = []
    for event in parsed:
        if event.is_comment:
            continue
        words = _cue_text(event.text)
        if words and event.end > event.start >= 0:
            cues.append(Cue(event.start / 1000, event.end / 1000, words))
    if not cues:
        raise CaptionError(f"{name} has no cues with text")
    far = sum(c.end > MAX_SECONDS for c in cues)
    cues = [c for c in cues if c.end <= MAX_SECONDS] if far else cues
    if not cues:
        raise CaptionError(f"{name}: every cue ends more than 7 days in")
    repaired, repairs = repair_cues(cues, duration)
    if not repaired:
        raise CaptionError(f"{name}: every cue starts after the end of the recording")
    if far:
        repairs.append(f"{far} cue(s) end more than 7 days in and were left out")
    if repaired[-1].end > LONG_SECONDS:
        repairs.append(
            f"the cues run to {format_timecode(repaired[-1].end)}, over "
            f"{LONG_SECONDS // 3600} hours: check the file's times"
        )
    return Captions(tuple(repaired), declared_language(text, name), tuple(repairs))


def _cue_text(text: str) -> str:
    text = text.replace("\\N", " ").replace("\\n", " ").replace("\\h", " ")
    return " ".join(html.unescape(_TAG.sub("", text)).split())


def repair_cues(cues: Sequence[Cue], duration: float | None) -> tuple[list[Cue], list[str]]:
    """Cues in order, without overlaps or rolling repeats, inside the recording; and a note
    of each kind of repair made."""
    repairs = []
    ordered = sorted(cues, key=lambda c: (c.start, c.end))
    if ordered != list(cues):
        repairs.append("cues were out of order (sorted by start time)")
    if duration:
        inside = [c for c in ordered if c.start < duration]
        if len(inside) < len(ordered) or any(c.end > duration + 0.5 for c in inside):
            repairs.append(
                f"{len(ordered) - len(inside)} cue(s) start after the end of the recording "
                f"({duration:.0f} s) and were left out; later ends were cut there"
            )
        ordered = [Cue(c.start, min(c.end, duration), c.text) for c in inside]
    result: list[Cue] = []
    overlaps = 0
    for cue in ordered:
        if result and cue.start < result[-1].end:
            overlaps += 1
            before = result[-1]
            text = _without_repeat(before.text, cue.text)
            result[-1] = Cue(before.start, max(cue.start, before.start + 0.01), before.text)
            if not text:  # a rolling caption repeating the line above: only its time is new
                continue
            cue = Cue(cue.start, max(cue.end, cue.start + 0.01), text)
        elif result:
            text = _without_repeat(result[-1].text, cue.text)
            if not text:
                continue
            cue = Cue(cue.start, cue.end, text)
        result.append(cue)
    if overlaps:
        repairs.append(f"{overlaps} cue(s) overlapped the one before (its end was moved)")
    return result, repairs


def _without_repeat(before: str, text: str) -> str:
    """`text` less the words it repeats from the end of `before` (YouTube's rolling
    captions show each line twice, in two cues)."""
    old, new = before.split(), text.split()
    size = _overlap([w.lower() for w in old], [w.lower() for w in new])
    if size and (size >= 3 or size in (len(new), len(old))):
        return " ".join(new[size:])
    return text


def _overlap(old: list[str], new: list[str]) -> int:
    """The most words at the end of `old` that start `new`: Knuth-Morris-Pratt, linear in
    both (comparing every size was quadratic in a long cue)."""
    fallback = [0] * len(new)  # the longest proper prefix of new[:i + 1] that ends it
    matched = 0
    for index in range(1, len(new)):
        while matched and new[index] != new[matched]:
            matched = fallback[matched - 1]
        if new[index] == new[matched]:
            matched += 1
        fallback[index] = matched
    matched = 0
    for word in old[-len(new) :] if new else ():
        while matched and (matched == len(new) or word != new[matched]):
            matched = fallback[matched - 1]
        if word == new[matched]:
            matched += 1
    return matched


def transcript_from_cues(
    cues: Sequence[Cue], language: str, duration: float | None, settings: dict[str, Any]
) -> Transcript:
    """One segment per cue; its words share the cue's time in proportion to their length
    (a space counted with each), so a paragraph's timestamp lands near its first word."""
    segments = []
    for cue in cues:
        pieces = cue.text.split()
        weights = [len(piece) + 1 for piece in pieces]
        span, total = cue.end - cue.start, sum(weights)
        words, at = [], cue.start
        for piece, weight in zip(pieces, weights, strict=True):
            end = at + span * weight / total
            words.append(Word(round(at, 3), round(end, 3), " " + piece, 1.0))
            at = end
        segments.append(Segment(round(cue.start, 3), round(cue.end, 3), cue.text, tuple(words)))
    end = max(c.end for c in cues) if cues else 0.0
    return Transcript(
        language=language[:16],
        duration=round(max(duration or 0.0, end), 2),
        segments=tuple(segments),
        settings=settings,
        versions=_versions(),
    )


def _versions() -> dict[str, str]:
    from importlib import metadata

    try:
        return {"pysubs2": metadata.version("pysubs2")}
    except metadata.PackageNotFoundError:
        return {}
