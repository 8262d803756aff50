"""What a person changed in a corrections file: the file compared with what `correct` wrote.

`correct` keeps, in `corrected_from.json`, the file as it read it back (each paragraph's
marker and text, the headings, title and summary) and where each paragraph started in the
transcript. A paragraph that reads back the same was not edited, whatever its words look
like (hyphens, numbers, scripts without spaces): the comparison is of what the same reader
made of the same text, so an unchanged file has no edits. Files from before this format hold
only the machine words; their paragraphs are compared as text without white space.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .corrections import Corrections

RESYNC = 4_000  # characters an old-format file's paragraph is looked for around its place


@dataclass(frozen=True)
class Written:
    """One paragraph as `correct` wrote it and read it back."""

    seconds: float  # its marker
    text: str
    start: float  # its first word's time in the transcript it was written from
    first_word: int  # ... and that word's index


@dataclass(frozen=True)
class Base:
    """`corrected_from.json`: what the corrections file was written from."""

    digest: str  # the transcript's
    paragraphs: tuple[Written, ...] = ()
    chapters: tuple[tuple[int, str], ...] = ()
    title: str | None = None
    summary: str | None = None
    words: tuple[str, ...] = ()  # an old-format file: the machine words, nothing else

    @property
    def old_format(self) -> bool:
        return not self.paragraphs

    def to_json(self) -> dict[str, Any]:
        return {
            "transcript_digest": self.digest,
            "paragraphs": [
                {"seconds": p.seconds, "text": p.text, "start": p.start, "first_word": p.first_word}
                for p in self.paragraphs
            ],
            "chapters": [{"first": first, "title": title} for first, title in self.chapters],
            "title": self.title,
            "summary": self.summary,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Base:
        return cls(
            digest=data["transcript_digest"],
            paragraphs=tuple(
                Written(p["seconds"], p["text"], p["start"], p["first_word"])
                for p in data.get("paragraphs", ())
            ),
            chapters=tuple((c["first"], c["title"]) for c in data.get("chapters", ())),
            title=data.get("title"),
            summary=data.get("summary"),
            words=tuple(data.get("words", ())),
        )


@dataclass(frozen=True)
class Edit:
    line: int
    before: str
    after: str


@dataclass(frozen=True)
class Compared:
    """For each paragraph of the file: whether a person edited it, and the paragraph
    `correct` wrote that its marker still stands for (its start is known to the word)."""

    edited: tuple[bool, ...]
    written: tuple[Written | None, ...]
    edits: tuple[Edit, ...]


def _key(paragraph: Any) -> str:
    return f"{paragraph.seconds!r}\n{paragraph.text}"


def compare(corrections: Corrections, base: Base | None) -> Compared:
    """The file against what it was written from; without `base` (a file written by hand, or
    a cache without `corrected_from.json`) every paragraph is the person's."""
    count = len(corrections.paragraphs)
    if base is None:
        return Compared((True,) * count, (None,) * count, ())
    if base.old_format:
        return _compare_old(corrections, base.words)
    from rapidfuzz.distance import Levenshtein  # imported here: only corrected talks need it

    edited = [False] * count
    written: list[Written | None] = [None] * count
    edits: list[Edit] = []
    paragraphs = corrections.paragraphs
    for op in Levenshtein.opcodes([_key(p) for p in base.paragraphs],
                                  [_key(p) for p in paragraphs]):  # fmt: skip
        mine = range(op.dest_start, op.dest_end)
        theirs = base.paragraphs[op.src_start : op.src_end]
        if op.tag == "equal":
            for offset, index in enumerate(mine):
                written[index] = theirs[offset]
            continue
        by_marker = {}
        for paragraph in reversed(theirs):
            by_marker[paragraph.seconds] = paragraph
        for index in mine:  # a marker left alone still starts where it did
            edited[index] = True
            written[index] = by_marker.pop(paragraphs[index].seconds, None)
        if not mine and count:  # paragraphs deleted: the one above now covers their time
            edited[max(op.dest_start - 1, 0)] = True
        line = paragraphs[min(op.dest_start, count - 1)].line if count else 0
        edits += _word_edits(line, [p.text for p in theirs], [paragraphs[i].text for i in mine])
    edits += _other_edits(corrections, base)
    return Compared(tuple(edited), tuple(written), tuple(edits))


def _word_edits(line: int, before: list[str], after: list[str]) -> list[Edit]:
    """The words changed between two runs of paragraphs; a moved marker alone is one edit."""
    from rapidfuzz.distance import Levenshtein

    old = " ".join(before).split()
    new = " ".join(after).split()
    found = [
        Edit(line, " ".join(old[op.src_start : op.src_end]),
             " ".join(new[op.dest_start : op.dest_end]))
        for op in Levenshtein.opcodes(old, new)
        if op.tag != "equal"
    ]  # fmt: skip
    return found or [Edit(line, "(a paragraph marker)", "(moved)")]


def _other_edits(corrections: Corrections, base: Base) -> list[Edit]:
    edits = []
    if corrections.title != base.title:
        edits.append(Edit(1, base.title or "", corrections.title or ""))
    if corrections.summary != base.summary:
        edits.append(Edit(1, base.summary or "", corrections.summary or ""))
    from rapidfuzz.distance import Levenshtein

    theirs, mine = base.chapters, corrections.chapters
    for op in Levenshtein.opcodes([f"{f}\n{t}" for f, t in theirs],
                                  [f"{f}\n{t}" for f, t in mine]):  # fmt: skip
        if op.tag == "equal":
            continue
        first = mine[op.dest_start][0] if op.dest_end > op.dest_start else 0
        line = corrections.paragraphs[min(first, len(corrections.paragraphs) - 1)].line
        edits.append(Edit(line, " / ".join(t for _, t in theirs[op.src_start : op.src_end]),
                          " / ".join(t for _, t in mine[op.dest_start : op.dest_end])))  # fmt: skip
    return edits


def _compare_old(corrections: Corrections, words: tuple[str, ...]) -> Compared:
    """An old-format base (the machine words only): a paragraph is unedited where its text,
    without white space, goes on the words' text where the paragraph above left off (or,
    after an edit, is found again near there). White space is where the two differ: a
    transcript's "en" "-wrench" is the file's "en-wrench"."""
    stream = "".join("".join(w.split()) for w in words)
    edited: list[bool] = []
    edits: list[Edit] = []
    cursor = 0
    for index, paragraph in enumerate(corrections.paragraphs):
        chars = "".join(paragraph.text.split())
        if stream.startswith(chars, cursor):
            edited.append(False)
            cursor += len(chars)
            continue
        low = max(0, cursor - RESYNC)
        found = stream.find(chars, low, cursor + len(chars) + RESYNC) if chars else -1
        if found >= 0:  # the text above it changed in length, or some was deleted
            edited.append(False)
            if index and not edited[index - 1]:
                edited[index - 1] = True
                edits.append(Edit(corrections.paragraphs[index - 1].line, "", ""))
            cursor = found + len(chars)
            continue
        edited.append(True)
        edits.append(Edit(paragraph.line, "", paragraph.text))
        cursor += len(chars)
    count = len(corrections.paragraphs)
    return Compared(tuple(edited), (None,) * count, tuple(edits))
