"""A page's content: `Paragraph`s, the chapter plan (`Topics`), `Chapter`s and the
`Document` made of them."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Topics:
    starts: tuple[int, ...]  # paragraph index of each chapter's first paragraph (0 first)
    titles: tuple[str, ...]
    summary: str | None
    origin: str  # llm | offline
    settings: dict[str, Any] = field(default_factory=dict)  # what produced it
    calls: int = 0  # LLM calls it took
    prompt_tokens: int = 0
    fallback_reason: str | None = None  # why the LLM's answer is not used
    # The transcript word each chapter starts at; a start inside a paragraph splits it there.
    # Empty when made without word timings (and in files older than the sentence segmenter).
    first_words: tuple[int, ...] = ()
    repairs: tuple[str, ...] = ()  # what was wrong with the LLM's answer, and what was kept

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Topics:
        return cls(
            starts=tuple(data["starts"]),
            titles=tuple(data["titles"]),
            summary=data.get("summary"),
            origin=data["origin"],
            settings=data.get("settings", {}),
            calls=data.get("calls", 0),
            prompt_tokens=data.get("prompt_tokens", 0),
            fallback_reason=data.get("fallback_reason"),
            first_words=tuple(data.get("first_words", ())),
            repairs=tuple(data.get("repairs", ())),
        )


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
    chapter_origin: str  # yaml | source | llm | offline | single
    inputs: dict[str, Any]  # the talk's chapter marks; a change rebuilds it (cheap)
    transcript_digest: str  # which transcript it was built from (provenance)
    paragrapher: str = ""  # which paragrapher split the text
    summary: str | None = None
    language: str = ""  # the transcript's, for the caption track and the page
    text_source: str = "whisper"  # whisper | captions-file | captions:<lang> | auto-captions:<lang>

    def to_json(self) -> dict[str, Any]:
        return {
            "chapter_origin": self.chapter_origin,
            "inputs": self.inputs,
            "transcript_digest": self.transcript_digest,
            "paragrapher": self.paragrapher,
            "summary": self.summary,
            "chapters": [c.to_json() for c in self.chapters],
            "paragraphs": [p.to_json() for p in self.paragraphs],
            "language": self.language,
            "text_source": self.text_source,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Document:
        return cls(
            paragraphs=tuple(Paragraph.from_json(p) for p in data["paragraphs"]),
            chapters=tuple(Chapter.from_json(c) for c in data["chapters"]),
            chapter_origin=data["chapter_origin"],
            inputs=data["inputs"],
            transcript_digest=data.get("transcript_digest", ""),
            paragrapher=data.get("paragrapher", ""),
            summary=data.get("summary"),
            language=data.get("language", ""),
            text_source=data.get("text_source", "whisper"),
        )

    def chapter_paragraphs(self, index: int) -> tuple[Paragraph, ...]:
        start = self.chapters[index].first_paragraph
        end = (
            self.chapters[index + 1].first_paragraph
            if index + 1 < len(self.chapters)
            else len(self.paragraphs)
        )
        return self.paragraphs[start:end]


@dataclass(frozen=True)
class Paragraph:
    start: float
    end: float
    text: str
    first_word: int = 0  # index in the transcript's words
    last_word: int = 0

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Paragraph:
        return cls(
            start=data["start"],
            end=data["end"],
            text=data["text"],
            first_word=data.get("first_word", 0),
            last_word=data.get("last_word", 0),
        )
