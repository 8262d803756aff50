"""A talk's document with a person's corrections laid over it (see `corrections`): paragraphs,
chapters, summary and caption cues follow the corrected text, each word at its second."""

from __future__ import annotations

import bisect
import itertools
import logging
from dataclasses import dataclass, replace
from pathlib import Path

from ..cache.store import CORRECTED_FROM, TRANSCRIPT, Store, StoreError
from ..document.captions import caption_cues, srt, vtt
from ..document.chapters import anchor_for
from ..records.document import Chapter, Document, Paragraph
from ..records.transcript import Transcript, Word
from ..util.names import Taken
from .corrections import Corrections, CorrectionsError, read
from .placing import Placed, place

log = logging.getLogger("mkdocs.plugins.yt2doc")

HAND_MARKER = 5.0  # seconds: a marker this far from its first word's time was set by hand


@dataclass(frozen=True)
class Corrected:
    document: Document
    title: str | None  # the file's title, if it gives one
    captions: dict[str, str]  # srt / vtt text of the corrected words
    unplaced: tuple[str, ...]  # edits the new transcript had no place for ("file:line: text")
    problems: tuple[str, ...]  # what in the file was left out ("file:line: why")


def corrections_path(folder: Path, slug: str) -> Path:
    return folder / f"{slug}.md"


def machine_words(transcript: Transcript) -> list[tuple[str, float, float]]:
    return [(w.text.strip(), w.start, w.end) for w in transcript.words if w.text.strip()]


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
    machine = machine_words(transcript)
    base = list(base_file["words"]) if base_file else None
    placed = place(corrections, machine, base)
    for problem in corrections.problems:
        log.warning("yt2doc: %s: %s", label, problem)
    for edit in placed.unplaced:
        log.warning(
            "yt2doc: %s: %s: this correction has no place in the new transcript; it is kept in "
            "the file, and the machine text is shown there", label, edit,
        )  # fmt: skip
    new_document, words = _document(document, corrections, placed, machine)
    cues = caption_cues(words)
    return Corrected(
        document=new_document,
        title=corrections.title,
        captions={"srt": srt(cues), "vtt": vtt(cues)},
        unplaced=tuple(placed.unplaced),
        problems=corrections.problems,
    )


def _document(
    document: Document,
    corrections: Corrections,
    placed: Placed,
    machine: list[tuple[str, float, float]],
) -> tuple[Document, list[Word]]:
    words = [Word(start, end, " " + text, 1.0) for text, start, end in placed.words]
    starts = [start for _, start, _ in machine]
    paragraphs = []
    bounds = [*placed.paragraph_starts, len(words)]
    owners = placed.paragraph_owners
    for number, (first, stop) in enumerate(itertools.pairwise(bounds)):
        if stop <= first:
            continue
        start = words[first].start
        marker = corrections.paragraphs[owners[number]].seconds
        if abs(marker - start) > HAND_MARKER and starts:  # moved by hand: snap to a word
            near = min(max(bisect.bisect_left(starts, marker), 0), len(starts) - 1)
            options = [i for i in (near - 1, near) if 0 <= i < len(starts)]
            start = starts[min(options, key=lambda i: abs(starts[i] - marker))]
        text = " ".join(w.text.strip() for w in words[first:stop])
        paragraphs.append(Paragraph(start, words[stop - 1].end, text, first, stop - 1))
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


def corrections_file(document: Document, title: str) -> str:
    """The file `mkdocs-yt2doc correct` writes: the page's text, to edit."""
    from .corrections import write

    sections = []
    for index, chapter in enumerate(document.chapters):
        paragraphs = document.chapter_paragraphs(index)
        heading = "" if document.chapter_origin == "single" else chapter.title
        sections.append((heading, [(p.start, p.text) for p in paragraphs]))
    before = (
        document.paragraphs[: document.chapters[0].first_paragraph] if document.chapters else ()
    )
    if before:
        sections.insert(0, ("", [(p.start, p.text) for p in before]))
    return write(title, document.summary, sections)
