"""Transcript + chapter marks -> `Document` (paragraphs grouped under chapters).

Chapters come from talks.yml, else from the source (yt-dlp), else the talk is one chapter.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass
from typing import Any

from .catalog import ChapterMark, Talk
from .paragraphs import NAME as PARAGRAPHER
from .paragraphs import Paragraph, ParagraphSettings, snap_to_sentences, split_paragraphs
from .sources import Media
from .transcribe import Transcript


@dataclass(frozen=True)
class Chapter:
    start: float
    title: str
    first_paragraph: int  # index of its first paragraph; paragraphs before chapter 1 are a preamble
    anchor: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Chapter:
        return cls(
            start=data["start"],
            title=data["title"],
            first_paragraph=data["first_paragraph"],
            anchor=data["anchor"],
        )


@dataclass(frozen=True)
class Document:
    paragraphs: tuple[Paragraph, ...]
    chapters: tuple[Chapter, ...]
    chapter_origin: str  # yaml | source | single
    inputs: dict[str, Any]  # chapter marks and paragrapher; a change rebuilds it (cheap)
    transcript_digest: str  # which transcript it was built from (provenance)
    summary: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "chapter_origin": self.chapter_origin,
            "inputs": self.inputs,
            "transcript_digest": self.transcript_digest,
            "summary": self.summary,
            "chapters": [c.to_json() for c in self.chapters],
            "paragraphs": [p.to_json() for p in self.paragraphs],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Document:
        return cls(
            paragraphs=tuple(Paragraph.from_json(p) for p in data["paragraphs"]),
            chapters=tuple(Chapter.from_json(c) for c in data["chapters"]),
            chapter_origin=data["chapter_origin"],
            inputs=data["inputs"],
            transcript_digest=data.get("transcript_digest", ""),
            summary=data.get("summary"),
        )

    def chapter_paragraphs(self, index: int) -> tuple[Paragraph, ...]:
        start = self.chapters[index].first_paragraph
        end = (
            self.chapters[index + 1].first_paragraph
            if index + 1 < len(self.chapters)
            else len(self.paragraphs)
        )
        return self.paragraphs[start:end]


def transcript_digest(transcript: Transcript) -> str:
    text = json.dumps(transcript.to_json(), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def chapter_marks(talk: Talk, media: Media) -> tuple[tuple[ChapterMark, ...], str]:
    """The chapters to use and where they come from, by precedence."""
    if talk.chapters:
        return talk.chapters, "yaml"
    if media.chapters and not talk.ignore_source_chapters:
        return media.chapters, "source"
    return (), "single"


def document_inputs(talk: Talk, media: Media, settings: ParagraphSettings) -> dict[str, Any]:
    """What a document depends on besides the transcript; compared on every build, so cheap."""
    marks, origin = chapter_marks(talk, media)
    return {
        "chapters": [{"start": m.start, "title": m.title} for m in marks],
        "chapter_origin": origin,
        "paragrapher": {"name": PARAGRAPHER, **asdict(settings)},
    }


def anchor_for(title: str, taken: set[str]) -> str:
    base = re.sub(r"[^\w]+", "-", title.lower(), flags=re.UNICODE).strip("-_")[:48] or "chapter"
    anchor, n = base, 2
    while anchor in taken:
        anchor, n = f"{base}-{n}", n + 1
    taken.add(anchor)
    return anchor


def build_document(
    talk: Talk,
    media: Media,
    transcript: Transcript,
    settings: ParagraphSettings | None = None,
) -> Document:
    settings = settings or ParagraphSettings()
    marks, origin = chapter_marks(talk, media)
    if transcript.duration:
        marks = tuple(m for m in marks if m.start < transcript.duration)
    words = transcript.words
    starts = snap_to_sentences(words, [m.start for m in marks])
    paragraphs = split_paragraphs(words, settings, breaks=starts)
    if not marks:
        marks, origin = (ChapterMark(0.0, "Transcript"),), "single"
    taken = {"contents"}
    chapters: list[Chapter] = []
    for mark, start in zip(marks, starts or [0.0], strict=False):
        first = next(
            (i for i, p in enumerate(paragraphs) if p.start >= start - 0.05), len(paragraphs)
        )
        chapters.append(Chapter(mark.start, mark.title, first, anchor_for(mark.title, taken)))
    return Document(
        paragraphs=tuple(paragraphs),
        chapters=tuple(chapters),
        chapter_origin=origin,
        inputs=document_inputs(talk, media, settings),
        transcript_digest=transcript_digest(transcript),
    )
