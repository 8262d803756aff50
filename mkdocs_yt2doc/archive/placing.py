"""A person's corrections laid on a transcript: each corrected word gets a time.

The corrected words are aligned to the transcript's words (a diff over words), so an unchanged
word keeps its time and a changed one takes the time of the words it replaces. After a new
transcription the person's edits (the diff from `corrected_from.json`'s words to the file's)
are carried over, each placed where its surrounding machine words are found again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .corrections import Corrections

_WORD = re.compile(r"[^\w']+")


@dataclass
class Placed:
    """The corrected text laid on a transcript: each word with a time."""

    words: list[tuple[str, float, float]] = field(default_factory=list)  # (text, start, end)
    paragraph_starts: list[int] = field(default_factory=list)  # index of each first word
    paragraph_owners: list[int] = field(default_factory=list)  # ... and its file paragraph
    unplaced: list[str] = field(default_factory=list)  # "file:line: the text" of lost edits


def key(word: str) -> str:
    """What two spellings of a word share for alignment: no case, no punctuation."""
    return _WORD.sub("", word.casefold())


def place(
    corrections: Corrections,
    machine: list[tuple[str, float, float]],
    base: list[str] | None,
) -> Placed:
    """Lay the corrected words on the machine words (text, start, end) of the transcript.

    `base`: the machine words the file was corrected from, when they differ from `machine`
    (the talk was transcribed again): the edits are carried over, and those that cannot be
    placed are listed.
    """
    corrected = corrections.words
    owner = [i for i, p in enumerate(corrections.paragraphs) for _ in p.text.split()]
    placed = Placed()
    if base is not None and [key(w) for w in base] != [key(w) for w, _, _ in machine]:
        corrected, owner, placed.unplaced = _carry(corrections, base, machine, owner)
    times = _times([key(w) for w in corrected], machine)
    previous = -1
    for index, (word, (start, end)) in enumerate(zip(corrected, times, strict=True)):
        if owner[index] != previous:
            placed.paragraph_starts.append(index)
            placed.paragraph_owners.append(owner[index])
            previous = owner[index]
        placed.words.append((word, start, end))
    return placed


def _times(
    corrected: list[str], machine: list[tuple[str, float, float]]
) -> list[tuple[float, float]]:
    """Each corrected word's time: its machine word's; the span of the machine words it
    replaces, shared out; or, for a word the person added, a share of the gap it sits in."""
    from rapidfuzz.distance import Levenshtein  # imported here: only corrected talks need it

    times: list[tuple[float, float] | None] = []
    for op in Levenshtein.opcodes(corrected, [key(w) for w, _, _ in machine]):
        count = op.src_end - op.src_start
        if op.tag == "equal":
            times.extend(machine[op.dest_start + n][1:] for n in range(count))
        elif op.tag == "replace":
            start, end = machine[op.dest_start][1], machine[op.dest_end - 1][2]
            step = (end - start) / count
            times.extend((start + step * n, start + step * (n + 1)) for n in range(count))
        elif op.tag == "delete":  # words only the person wrote
            times.extend([None] * count)
    return _fill(times)


def _fill(times: list[tuple[float, float] | None]) -> list[tuple[float, float]]:
    """Words without a time share the gap between the timed words around them."""
    filled: list[tuple[float, float]] = []
    index = 0
    while index < len(times):
        known = times[index]
        if known is not None:
            filled.append(known)
            index += 1
            continue
        run = index
        while run < len(times) and times[run] is None:
            run += 1
        start = filled[-1][1] if filled else 0.0
        following = times[run] if run < len(times) else None
        end = following[0] if following is not None else start + 0.4 * (run - index)
        step = max(end - start, 0.0) / (run - index)
        filled.extend((start + step * n, start + step * (n + 1)) for n in range(run - index))
        index = run
    return filled


def _carry(
    corrections: Corrections,
    base: list[str],
    machine: list[tuple[str, float, float]],
    owner: list[int],
) -> tuple[list[str], list[int], list[str]]:
    """The new machine words with the person's edits (base -> corrected) applied where the
    base words they replaced are found again, in the same order; the edits that could not be
    placed ("file:line: text")."""
    from rapidfuzz.distance import Levenshtein

    corrected = corrections.words
    new = [w for w, _, _ in machine]
    base_keys = [key(w) for w in base]
    where: list[int | None] = [None] * len(base)  # each base word's place in the new words
    for op in Levenshtein.opcodes(base_keys, [key(w) for w in new]):
        if op.tag == "equal":
            for offset in range(op.src_end - op.src_start):
                where[op.src_start + offset] = op.dest_start + offset
    words: list[str] = []
    owners: list[int] = []
    unplaced: list[str] = []
    cursor, current = 0, 0  # next new word to copy; the paragraph being written

    def copy_until(stop: int) -> None:
        nonlocal cursor
        words.extend(new[cursor:stop])
        owners.extend([current] * max(0, stop - cursor))
        cursor = max(cursor, stop)

    # the edits are exact: a capital or a comma the person added is an edit too
    for op in Levenshtein.opcodes(base, corrected):
        if op.tag == "equal":
            for offset in range(op.src_end - op.src_start):
                current = owner[op.dest_start + offset]
                target = where[op.src_start + offset]
                if target is not None and target >= cursor:
                    copy_until(target)  # new words before it come along, as transcribed
                    words.append(corrected[op.dest_start + offset])  # the person's spelling
                    owners.append(current)
                    cursor = target + 1
            continue
        span = [where[i] for i in range(op.src_start, op.src_end)]
        before = where[op.src_start - 1] if op.src_start > 0 else -1
        after = where[op.src_end] if op.src_end < len(base) else len(new)
        found = [n for n in span if n is not None]
        if span:  # replaced or deleted words: all found again, together, in order
            ok = len(found) == len(span) and found[0] >= cursor
            ok = ok and found[-1] - found[0] == len(found) - 1
            start, end = (found[0], found[-1] + 1) if ok else (0, 0)
        else:  # inserted words: their neighbours found again, still side by side
            ok = before is not None and after is not None and after == before + 1
            start = end = (before if before is not None else -1) + 1
            ok = ok and start >= cursor
        if not ok:
            text = " ".join(corrected[op.dest_start : op.dest_end])
            text = text or "(deleted) " + " ".join(base[op.src_start : op.src_end])
            at = owner[min(op.dest_start, len(owner) - 1)] if owner else 0
            unplaced.append(f"{corrections.path.name}:{corrections.paragraphs[at].line}: {text}")
            continue
        copy_until(start)
        for index in range(op.dest_start, op.dest_end):
            current = owner[index]
            words.append(corrected[index])
            owners.append(current)
        cursor = max(cursor, end)
    copy_until(len(new))
    return words, owners, unplaced
