"""Timed text: a `Transcript` of `Segment`s of `Word`s (Whisper's or a caption file's), and
caption `Cue`s."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Cue:
    start: float
    end: float
    text: str


@dataclass(frozen=True)
class Word:
    start: float
    end: float
    text: str
    probability: float


@dataclass(frozen=True)
class Segment:
    start: float
    end: float
    text: str
    words: tuple[Word, ...]


@dataclass(frozen=True)
class Transcript:
    language: str
    duration: float
    segments: tuple[Segment, ...]
    settings: dict[str, Any] = field(default_factory=dict)  # what produced it
    versions: dict[str, str] = field(default_factory=dict)
    # speech VAD heard that no decoding put words on, (start, end) in seconds
    lost: tuple[tuple[float, float], ...] = ()

    @property
    def words(self) -> list[Word]:
        return [w for s in self.segments for w in s.words]

    def to_json(self) -> dict[str, Any]:
        return {
            "language": self.language,
            "duration": self.duration,
            "settings": self.settings,
            "versions": self.versions,
            **({"lost_speech": [list(span) for span in self.lost]} if self.lost else {}),
            "segments": [
                {
                    "start": s.start,
                    "end": s.end,
                    "text": s.text,
                    "words": [
                        {"start": w.start, "end": w.end, "text": w.text, "p": w.probability}
                        for w in s.words
                    ],
                }
                for s in self.segments
            ],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Transcript:
        return cls(
            language=data["language"],
            duration=data["duration"],
            settings=data.get("settings", {}),
            versions=data.get("versions", {}),
            lost=lost_spans(data.get("lost_speech")),
            segments=tuple(
                Segment(
                    start=s["start"],
                    end=s["end"],
                    text=s["text"],
                    words=tuple(
                        Word(w["start"], w["end"], w["text"], w.get("p", 1.0)) for w in s["words"]
                    ),
                )
                for s in data["segments"]
            ),
        )


MAX_SPANS = 1_000  # lost stretches kept from a cached file (a week-long talk has fewer)


def lost_spans(value: Any) -> tuple[tuple[float, float], ...]:
    """`lost_speech` as written; anything else in a cached file reads as none."""
    if not isinstance(value, list):
        return ()
    return tuple(
        (float(item[0]), float(item[1]))
        for item in value[:MAX_SPANS]
        if isinstance(item, list) and len(item) == 2 and all(map(_seconds, item))
    )


def _seconds(value: Any) -> bool:
    return (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and (
            0 <= value <= 7 * 24 * 3600  # false for NaN too
        )
    )
