"""Paragraphs + chapter marks or topics -> `Document`, the page's content.

Precedence: chapters in talks.yml, else chapters from the source (unless
`ignore_source_chapters`), else the topics stage (LLM or offline segmenter), else one chapter.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Sequence
from typing import Any

from ..records.document import Chapter, Document, Paragraph, Topics, reserved_anchor
from ..records.media import Media
from ..records.talk import ChapterMark, Talk
from ..records.transcript import Transcript
from ..util.names import Taken, unique
from ..util.spans import span_marks
from ..util.timecode import format_timecode
from .paragraphs import snap_to_sentences, split_at

log = logging.getLogger("mkdocs.plugins.yt2doc")

# Part of every document's inputs: a document of an older format is rebuilt from the stored
# transcript, paragraphs and topics (cheap, no model). 2: the language, and the caption files
# written beside the document.
DOCUMENT_FORMAT = 2


def transcript_digest(transcript: Transcript) -> str:
    text = json.dumps(transcript.to_json(), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def chapter_marks(talk: Talk, media: Media) -> tuple[tuple[ChapterMark, ...], str]:
    """The chapters given for a talk and where they come from; "auto" when none are."""
    if talk.chapters:
        return talk.chapters, "yaml"
    marks = span_marks(media.chapters, talk) if talk.span else media.chapters
    if marks and not talk.ignore_source_chapters:
        return merge_short(marks), "source"
    return (), "auto"


def merge_short(marks: Sequence[ChapterMark], minimum: float = 20.0) -> tuple[ChapterMark, ...]:
    """Source chapters shorter than `minimum` seconds are merged into the one before."""
    kept: list[ChapterMark] = []
    for index, mark in enumerate(marks):
        following = marks[index + 1].start if index + 1 < len(marks) else float("inf")
        if kept and following - mark.start < minimum:
            continue
        kept.append(mark)
    return tuple(kept)


def document_inputs(talk: Talk, media: Media) -> dict[str, Any]:
    """What a stored document depends on that can change in talks.yml; compared each build."""
    marks, origin = chapter_marks(talk, media)
    return {
        "chapters": [{"start": m.start, "title": m.title} for m in marks],
        "source": origin,
        "format": DOCUMENT_FORMAT,
    }


def anchor_for(title: str, taken: Taken) -> str:
    base = re.sub(r"[^\w]+", "-", title.lower(), flags=re.UNICODE).strip("-_")[:48] or "chapter"
    return unique(f"{base}-chapter" if reserved_anchor(base) else base, taken)


def build_document(
    talk: Talk,
    media: Media,
    transcript: Transcript,
    paragraphs: Sequence[Paragraph],
    paragrapher: str,
    topics: Topics | None,
) -> Document:
    """Group paragraphs under chapters; marks split paragraphs at the nearest sentence start."""
    marks, origin = chapter_marks(talk, media)
    words = transcript.words
    if transcript.duration:
        beyond = [m for m in marks if m.start >= transcript.duration]
        if beyond:
            log.warning(
                "yt2doc: %s: chapter %r starts at %s, after the end of the recording (%s); "
                "it is left out", talk.label, beyond[0].title, format_timecode(beyond[0].start),
                format_timecode(transcript.duration),
            )  # fmt: skip
        marks = tuple(m for m in marks if m.start < transcript.duration)
    chapters_at: list[tuple[float, str, int]] = []  # (start, title, first paragraph)
    summary = topics.summary if topics else None
    if marks:
        cuts = snap_to_sentences(words, [m.start for m in marks])
        paragraphs = split_at(words, paragraphs, cuts)
        first_of = {p.first_word: i for i, p in enumerate(paragraphs)}
        for mark, cut in zip(marks, cuts, strict=True):
            index = first_of.get(cut, _first_after(paragraphs, cut))
            chapters_at.append((mark.start, mark.title, index))
    elif topics is not None and len(topics.starts) > 1:
        origin = topics.origin
        cuts = list(topics.first_words[1:])
        if len(topics.first_words) == len(topics.starts) and all(c < len(words) for c in cuts):
            # a chapter may start inside a paragraph: split it there
            paragraphs = split_at(words, paragraphs, cuts)
            first_of = {p.first_word: i for i, p in enumerate(paragraphs)}
            starts = [0, *(first_of.get(c, _first_after(paragraphs, c)) for c in cuts)]
        else:
            starts = [s if s < len(paragraphs) else len(paragraphs) - 1 for s in topics.starts]
        for start, title in zip(starts, topics.titles, strict=True):
            chapters_at.append((paragraphs[start].start if start else 0.0, title, start))
    else:
        origin = "single"
        chapters_at.append((0.0, "Transcript", 0))
    taken = Taken({"contents"})
    chapters = [Chapter(s, t, i, anchor_for(t, taken)) for s, t, i in chapters_at]
    return Document(
        paragraphs=tuple(paragraphs),
        chapters=tuple(chapters),
        chapter_origin=origin,
        inputs=document_inputs(talk, media),
        transcript_digest=transcript_digest(transcript),
        paragrapher=paragrapher,
        summary=summary,
        language=transcript.language,
        text_source=text_source(transcript.settings),
    )


def text_source(settings: dict[str, Any]) -> str:
    """Where a transcript's text came from, as the document records it."""
    source = str(settings.get("source") or "whisper")
    if source not in ("captions", "auto-captions"):
        return source if source in ("whisper", "captions-file") else "whisper"
    language = re.sub(r"[^A-Za-z0-9_-]", "-", str(settings.get("captions_language") or ""))
    return f"{source}:{language[:32] or 'und'}"


def _first_after(paragraphs: Sequence[Paragraph], cut: int) -> int:
    """The first paragraph at or after word `cut` (a mark after the last word: none)."""
    return next((i for i, p in enumerate(paragraphs) if p.first_word >= cut), len(paragraphs))
