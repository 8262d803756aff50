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

    @property
    def words(self) -> list[Word]:
        return [w for s in self.segments for w in s.words]

    def to_json(self) -> dict[str, Any]:
        return {
            "language": self.language,
            "duration": self.duration,
            "settings": self.settings,
            "versions": self.versions,
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
