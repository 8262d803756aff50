"""A talk's document with a person's corrections laid over it (see `corrections`): paragraphs,
chapters, summary and caption cues follow the corrected text, each word at its second."""

from __future__ import annotations

import bisect
import itertools
import logging
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..cache.store import CORRECTED_FROM, TRANSCRIPT, Store, StoreError
from ..document.captions import caption_cues, srt, vtt
from ..document.chapters import anchor_for, transcript_digest
from ..records.document import Chapter, Document, Paragraph
from ..records.transcript import Transcript, Word
from ..util.names import Taken
from .corrections import MAX_PROBLEMS, Corrections, CorrectionsError, read
from .edits import Base, Written, compare
from .placing import Placed, place

log = logging.getLogger("mkdocs.plugins.yt2doc")


@dataclass(frozen=True)
class Corrected:
    document: Document
    title: str | None  # the file's title, if it gives one
    captions: dict[str, str]  # srt / vtt text of the corrected words
    unplaced: tuple[str, ...]  # paragraphs with no speech in their time ("file:line: text")
    problems: tuple[str, ...]  # what in the file was left out ("file:line: why")
    edited: int = 0  # paragraphs a person edited
    changed: bool = True  # False: the file reads as `correct` wrote it (nobody edited it)


def corrections_path(folder: Path, slug: str) -> Path:
    return folder / f"{slug}.md"


def corrected(
    store: Store, key: str, document: Document, path: Path, label: str
) -> Corrected | None:
    """The document as the corrections file says, or None (no usable file: a warning says
    why, and the machine text is shown)."""
    try:
        raw = store.read(key, TRANSCRIPT)
        base_file = store.read(key, CORRECTED_FROM)
    except StoreError as exc:
        log.warning("yt2doc: %s: %s; its corrections are not applied", label, exc)
        return None
    if raw is None:
        log.warning("yt2doc: %s: %s needs the cached transcript, which is missing", label, path)
        return None
    transcript = Transcript.from_json(raw)
    try:
        corrections = read(path, transcript.duration or None)
    except (CorrectionsError, OSError) as exc:
        log.warning("yt2doc: %s: %s; the machine transcript is shown", label, exc)
        return None
    base = Base.from_json(base_file) if base_file else None
    words = transcript.words
    digest = transcript_digest(transcript)
    if document.transcript_digest == digest:
        breaks = {p.first_word for p in document.paragraphs}
    else:  # a document of another transcript: its breaks by time
        starts = [w.start for w in words]
        breaks = {bisect.bisect_left(starts, p.start) for p in document.paragraphs}
    compared = compare(corrections, base)
    placed = place(corrections, words, breaks, compared, base is not None and base.digest == digest)
    for problem in corrections.problems:
        log.warning("yt2doc: %s: %s", label, problem)
    for lost in placed.unplaced[:MAX_PROBLEMS]:
        log.warning(
            "yt2doc: %s: %s: the transcript has no speech in this paragraph's time; it is "
            "shown as written, at its marker", label, _short(lost),
        )  # fmt: skip
    if len(placed.unplaced) > MAX_PROBLEMS:
        log.warning("yt2doc: %s: %s: %d more paragraphs with no speech in their time", label,
                    path.name, len(placed.unplaced) - MAX_PROBLEMS)  # fmt: skip
    new_document, cue_words = _document(document, corrections, placed)
    cues = caption_cues(cue_words)
    return Corrected(
        document=new_document,
        title=corrections.title,
        captions={"srt": srt(cues), "vtt": vtt(cues)},
        unplaced=tuple(placed.unplaced),
        problems=corrections.problems,
        edited=placed.edited,
        changed=bool(compared.edits) or any(compared.edited),
    )


def _short(text: str, most: int = 200) -> str:
    return text if len(text) <= most else text[: most - 1] + "…"


def _document(
    document: Document, corrections: Corrections, placed: Placed
) -> tuple[Document, list[Word]]:
    words = [Word(start, end, text, 1.0) for text, start, end in placed.words]
    paragraphs = []
    bounds = [*placed.paragraph_starts, len(words)]
    owners = placed.paragraph_owners
    for first, stop in itertools.pairwise(bounds):
        text = " ".join("".join(w.text for w in words[first:stop]).split())
        paragraphs.append(Paragraph(words[first].start, words[stop - 1].end, text, first, stop - 1))
    chapters = _chapters(corrections, owners, paragraphs)
    summary = corrections.summary or document.summary
    return (
        replace(
            document,
            paragraphs=tuple(paragraphs),
            chapters=tuple(chapters) if chapters else document.chapters[:0],
            chapter_origin="corrected" if chapters else "single",
            summary=summary,
        ),
        words,
    )


def _chapters(
    corrections: Corrections, owners: list[int], paragraphs: list[Paragraph]
) -> list[Chapter]:
    """The file's headings, each at the first paragraph after it."""
    taken = Taken({"contents"})
    chapters: list[Chapter] = []
    # the first paragraph whose owner is at or past a heading's: a search in the running
    # maximum of the owners (one scan per heading was quadratic in a file of many headings)
    reach = list(itertools.accumulate(owners, max))
    for first, title in corrections.chapters:
        index = bisect.bisect_left(reach, first)
        if index >= len(reach) or index >= len(paragraphs):
            continue
        if chapters and chapters[-1].first_paragraph == index:
            continue  # two headings over one paragraph: the first names it
        start = 0.0 if not chapters and index == 0 else paragraphs[index].start
        chapters.append(Chapter(start, title, index, anchor_for(title, taken)))
    if chapters and chapters[0].first_paragraph > 0:  # text before the first heading
        chapters.insert(0, Chapter(0.0, "Introduction", 0, anchor_for("Introduction", taken)))
    return chapters


def corrections_file(
    document: Document, title: str, transcript: Transcript, duration: float | None
) -> tuple[str, dict[str, Any]]:
    """The file `mkdocs-yt2doc correct` writes (the page's text, to edit), and what the cache
    keeps of it (`corrected_from.json`): the file as read back, each paragraph's first word."""
    from .corrections import parse, write

    sections: list[tuple[str, list[Paragraph]]] = []
    for index, chapter in enumerate(document.chapters):
        heading = "" if document.chapter_origin == "single" else chapter.title
        sections.append((heading, list(document.chapter_paragraphs(index))))
    before = (
        document.paragraphs[: document.chapters[0].first_paragraph] if document.chapters else ()
    )
    if before:
        sections.insert(0, ("", list(before)))
    text, lines = write(
        title, document.summary, [(h, [(p.start, p.text) for p in ps]) for h, ps in sections]
    )
    written = dict(zip(lines, (p for _, ps in sections for p in ps), strict=True))
    back = parse(Path("corrections.md"), text, duration)
    base = Base(
        digest=transcript_digest(transcript),
        paragraphs=tuple(
            Written(p.seconds, p.text, written[p.line].start, written[p.line].first_word)
            for p in back.paragraphs
        ),
        chapters=back.chapters,
        title=back.title,
        summary=back.summary,
    )
    return text, base.to_json()
