"""Transcript words -> paragraphs.

The paragrapher here is deliberately simple and honest: it ends a paragraph at the end of a
sentence once the paragraph is long enough, or earlier where the speaker paused. Each
paragraph starts at its first word's timestamp, so links land on the word, not the segment.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .transcribe import Word

NAME = "pauses-v2"  # v2: chapter starts snap to sentence starts


@dataclass(frozen=True)
class ParagraphSettings:
    target_words: int = 90  # end at the first sentence end after this many words
    min_words: int = 25  # a pause only ends a paragraph this long
    max_words: int = 200  # hard stop for unpunctuated speech
    pause: float = 1.2  # seconds of silence that read as a paragraph break


@dataclass(frozen=True)
class Paragraph:
    start: float
    end: float
    text: str

    def to_json(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "text": self.text}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Paragraph:
        return cls(start=data["start"], end=data["end"], text=data["text"])


_CLOSERS = "\"')]\u00bb\u201d\u2019"  # quotes and brackets after a full stop
_STOPS = (".", "!", "?", "\u2026", "\u3002", "\uff01", "\uff1f")  # incl. CJK full stops


def _ends_sentence(text: str) -> bool:
    return text.rstrip().rstrip(_CLOSERS).endswith(_STOPS)


def snap_to_sentences(
    words: Sequence[Word], times: Sequence[float], tolerance: float = 4.0
) -> list[float]:
    """Move each time (a chapter start) to the nearest sentence start within `tolerance`.

    Human chapter marks are a second or two off; snapping keeps "Now let us move on" in the
    chapter it opens instead of a one-word paragraph at the end of the previous one.
    """
    starts = [w.start for i, w in enumerate(words) if i == 0 or _ends_sentence(words[i - 1].text)]
    snapped = []
    for time in times:
        near = [s for s in starts if abs(s - time) <= tolerance]
        snapped.append(min(near, key=lambda s: abs(s - time)) if near else time)
    return snapped


def split_paragraphs(
    words: Sequence[Word],
    settings: ParagraphSettings | None = None,
    breaks: Sequence[float] = (),
) -> list[Paragraph]:
    """Group words into paragraphs; a time in `breaks` (a chapter start) always starts one."""
    settings = settings or ParagraphSettings()
    forced = sorted(breaks)
    paragraphs: list[Paragraph] = []
    current: list[Word] = []

    def flush() -> None:
        if current:
            text = "".join(w.text for w in current).strip()
            text = " ".join(text.split())
            if text:
                paragraphs.append(Paragraph(current[0].start, current[-1].end, text))
            current.clear()

    for index, word in enumerate(words):
        if current and forced and word.start >= forced[0] > current[0].start:
            flush()
        while forced and forced[0] <= word.start:
            forced.pop(0)
        current.append(word)
        following = words[index + 1] if index + 1 < len(words) else None
        gap = (following.start - word.end) if following else 0.0
        count = len(current)
        if (
            _ends_sentence(word.text)
            and (
                count >= settings.target_words
                or (gap >= settings.pause and count >= settings.min_words)
            )
        ) or count >= settings.max_words:
            flush()
    flush()
    return paragraphs
