"""A page's content: `Paragraph`s, the chapter plan (`Topics`), `Chapter`s and the
`Document` made of them."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, replace
from typing import Any

# Ids a chapter may not take. An element's id is also a global of the page (DOM named access),
# which shadows a global the page's scripts test before they set it (assets/yt2doc*.js):
# `window.__yt2doc` would be the heading, and the player would never start.
# Also Material's own ids (`__drawer`, `__search`, ...), the contents list, and the paragraphs'
# `t<second>` anchors (`render.paragraph_anchors`).
SCRIPT_GLOBALS = frozenset({"__yt2doc", "__yt2docSearch", "YT", "Vimeo", "onYouTubeIframeAPIReady"})
_RESERVED = re.compile(r"_.*|t\d+(?:-\d+)*|contents", re.DOTALL)


def reserved_anchor(anchor: str) -> bool:
    return anchor in SCRIPT_GLOBALS or _RESERVED.fullmatch(anchor) is not None


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
            chapters=_free_anchors([Chapter.from_json(c) for c in data["chapters"]]),
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


def _free_anchors(chapters: list[Chapter]) -> tuple[Chapter, ...]:
    """A stored anchor that is reserved (a document.json from a pull request) gets a suffix
    (`-chapter`, then `-2`, ... while taken); every other keeps its id, so links keep working."""
    if not any(reserved_anchor(c.anchor) for c in chapters):
        return tuple(chapters)
    taken = {c.anchor for c in chapters}
    freed = []
    for chapter in chapters:
        if reserved_anchor(chapter.anchor):
            base = name = f"{chapter.anchor}-chapter"
            n = 2
            while name in taken:
                name, n = f"{base}-{n}", n + 1
            taken.add(name)
            chapter = replace(chapter, anchor=name)
        freed.append(chapter)
    return tuple(freed)
