"""Caption cues from transcript words, and a talk's downloads: SRT, WebVTT, JSON and text.

The captions are written into the cache when the document is built (the words and their
timings are at hand then), so a build that only renders copies them and never reads a
transcript. Cues follow common subtitle practice: at most two lines of 42 characters and 7
seconds on screen, a new cue after a pause or at a sentence end once the cue is half full.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from ..records.transcript import Cue
from ..util.escape import clean_lines, html_id
from ..util.timecode import format_timecode

if TYPE_CHECKING:
    from ..records.document import Document
    from ..records.transcript import Word

LINE = 42
MAX_CHARS = 2 * LINE
MAX_SECONDS = 7.0
PAUSE = 0.8
_STOPS = (".", "!", "?", "\u2026", "\u3002", "\uff01", "\uff1f")


def caption_cues(words: Sequence[Word]) -> list[Cue]:
    """Words -> cues that fit on screen."""
    cues: list[Cue] = []
    group: list[Word] = []

    def flush() -> None:
        if group:
            text = " ".join("".join(w.text for w in group).split())
            if text:
                cues.append(Cue(round(group[0].start, 3), round(group[-1].end, 3), text))
            group.clear()

    length = 0
    for word in words:
        piece = word.text.strip()
        if not piece:
            continue
        if group and (
            length + 1 + len(piece) > MAX_CHARS
            or word.end - group[0].start > MAX_SECONDS
            or word.start - group[-1].end > PAUSE
            or (length >= MAX_CHARS // 2 and group[-1].text.rstrip().endswith(_STOPS))
        ):
            flush()
            length = 0
        group.append(word)
        length += len(piece) + (1 if length else 0)
    flush()
    return cues


def _lines(text: str) -> str:
    """One cue's text on at most two lines, broken at the space nearest the middle."""
    if len(text) <= LINE:
        return text
    middle = len(text) // 2
    left, right = text.rfind(" ", 0, middle + 1), text.find(" ", middle)
    if left < 0 and right < 0:
        return text
    cut = right if left < 0 or (right >= 0 and right - middle < middle - left) else left
    return text[:cut] + "\n" + text[cut + 1 :]


def _clock(seconds: float, separator: str) -> str:
    millis = round(max(0.0, seconds) * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{millis:03d}"


def srt(cues: Iterable[Cue]) -> str:
    blocks = []
    for number, cue in enumerate(cues, 1):
        text = _lines(cue.text).replace("<", "\u2039").replace(">", "\u203a")  # no SRT tags
        timing = f"{_clock(cue.start, ',')} --> {_clock(cue.end, ',')}"
        blocks.append(f"{number}\n{timing}\n{text}\n")
    return "\n".join(blocks)


def _vtt_text(text: str) -> str:
    # WebVTT cue text: & and < start markup; "-->" would end the cue timing line.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def vtt(cues: Iterable[Cue]) -> str:
    blocks = ["WEBVTT\n"]
    for cue in cues:
        timing = f"{_clock(cue.start, '.')} --> {_clock(cue.end, '.')}"
        blocks.append(f"{timing}\n{_vtt_text(_lines(cue.text))}\n")
    return "\n".join(blocks)


def chapters_vtt(document: Document, duration: float | None) -> str:
    """WebVTT chapter cues (a `<track kind="chapters">`), one per chapter."""
    end_of_talk = duration or (document.paragraphs[-1].end if document.paragraphs else 0.0)
    blocks = ["WEBVTT\n"]
    for index, chapter in enumerate(document.chapters):
        following = (
            document.chapters[index + 1].start if index + 1 < len(document.chapters) else None
        )
        end = following if following is not None else max(end_of_talk, chapter.start + 1)
        timing = f"{_clock(chapter.start, '.')} --> {_clock(end, '.')}"
        blocks.append(
            f"{html_id(chapter.anchor)}\n{timing}\n{_vtt_text(' '.join(chapter.title.split()))}\n"
        )
    return "\n".join(blocks)


def transcript_text(title: str, source: str | None, document: Document) -> str:
    """Plain text: the title, then each chapter's paragraphs with their timestamps."""
    lines = [" ".join(title.split())]
    if source:
        lines.append(source)
    for index, chapter in enumerate(document.chapters):
        if document.chapter_origin != "single":
            lines += [
                "",
                f"## {' '.join(chapter.title.split())} [{format_timecode(chapter.start)}]",
            ]
        for paragraph in document.chapter_paragraphs(index):
            lines += ["", f"[{format_timecode(paragraph.start)}] {paragraph.text}"]
    return "\n".join(lines) + "\n"


def transcript_json(meta: dict[str, Any], document: Document) -> str:
    """The talk's metadata, chapters and paragraphs (times in seconds) as one JSON file."""
    value = {
        **meta,
        "chapters": [
            {"start": c.start, "title": c.title, "anchor": c.anchor} for c in document.chapters
        ],
        "summary": document.summary,
        "paragraphs": [
            {"start": p.start, "end": p.end, "text": p.text} for p in document.paragraphs
        ],
    }
    return json.dumps(_cleaned(value), ensure_ascii=False) + "\n"


def _cleaned(value: Any) -> Any:
    """Every string without the characters a page leaves out (`escape.clean_lines`): inside
    JSON a NUL or a bidi override would survive as an escape."""
    if isinstance(value, str):
        return clean_lines(value)
    if isinstance(value, dict):
        return {key: _cleaned(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_cleaned(item) for item in value]
    return value
