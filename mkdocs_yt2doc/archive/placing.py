"""A person's corrections laid on a transcript, paragraph by paragraph.

Each paragraph of the file covers the time from its marker to the next one. In the transcript
shown now (whichever model or captions made it) the words of that time are split among the
paragraphs by time, each word to exactly one. A paragraph nobody edited shows the transcript's
words, broken where the document breaks them; a run of edited paragraphs shows the person's
words, aligned onto the run's words as a whole (a diff over words), so that each takes the
time of the word it matches or replaces, and breaks where the person's paragraphs do. A
person's paragraph whose time has no words at all is shown at its marker, and reported.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..records.transcript import Word
from .corrections import Corrections
from .edits import Compared

_WORD = re.compile(r"[^\w']+")
HAND_MARKER = 5.0  # seconds: how far from its marker a paragraph's first word is looked for
STEP = 0.4  # seconds a word is given where nothing in the transcript times it
SEAM = 1.0  # seconds around a paragraph's old start where a new transcript's is looked for


@dataclass
class Placed:
    """The corrected text laid on a transcript: each word with a time."""

    words: list[tuple[str, float, float]] = field(default_factory=list)  # (text, start, end)
    paragraph_starts: list[int] = field(default_factory=list)  # index of each first word
    paragraph_owners: list[int] = field(default_factory=list)  # ... and its file paragraph
    unplaced: list[str] = field(default_factory=list)  # "file:line: text", no speech there
    edited: int = 0  # the file's paragraphs a person edited


def key(word: str) -> str:
    """What two spellings of a word share for alignment: no case, no punctuation."""
    return _WORD.sub("", word.casefold())


def place(
    corrections: Corrections,
    words: Sequence[Word],
    breaks: set[int],
    compared: Compared,
    same_transcript: bool,
) -> Placed:
    """Lay the file on the transcript's `words`; `breaks`: the words that start the
    document's paragraphs; `same_transcript`: the file was written from these very words."""
    firsts = _firsts(corrections, words, breaks, compared, same_transcript)
    heads = {first for first, _ in corrections.chapters}
    placed = Placed(edited=sum(compared.edited))
    count = len(corrections.paragraphs)
    index = 0
    while index < count:
        if not compared.edited[index]:
            _machine(placed, words, firsts, index, breaks, forced=index in heads or index == 0
                     or compared.edited[index - 1])  # fmt: skip
            index += 1
            continue
        stop = index
        while stop < count and compared.edited[stop]:
            stop += 1
        _person(placed, corrections, words, firsts, range(index, stop))
        index = stop
    return placed


def _firsts(
    corrections: Corrections,
    words: Sequence[Word],
    breaks: set[int],
    compared: Compared,
    same: bool,
) -> list[int]:
    """Each file paragraph's first word in `words` (the first paragraph's is 0: words
    before its marker are its own, never dropped); never before the one above."""
    starts = [w.start for w in words]
    middles = [(w.start + w.end) / 2 for w in words]
    firsts: list[int] = []
    for index, paragraph in enumerate(corrections.paragraphs):
        written = compared.written[index]
        if index == 0:
            first = 0
        elif written is not None and same:
            first = written.first_word
        elif written is not None:
            first = _seam(written.start, words, starts, breaks)
            first = bisect.bisect_left(middles, written.start) if first < 0 else first
        else:
            first = _near(paragraph.seconds, paragraph.text, words, starts)
        firsts.append(min(max(first, firsts[-1] if firsts else 0), len(words)))
    return firsts


def _seam(seconds: float, words: Sequence[Word], starts: list[float], breaks: set[int]) -> int:
    """Where a paragraph that started at `seconds` in the old transcript starts in a new one:
    a new model's word there starts a little earlier or later, so the split is at the
    widest pause within a second of it (one the new document breaks at, before others)."""
    low = bisect.bisect_left(starts, seconds - SEAM)
    high = bisect.bisect_right(starts, seconds + SEAM)
    best: tuple[float, int] | None = None
    for index in range(max(low, 1), high):
        if not words[index].text.strip():
            continue
        pause = words[index].start - words[index - 1].end + (SEAM if index in breaks else 0.0)
        if best is None or pause > best[0]:
            best = (pause, index)
    return best[1] if best is not None else -1  # no word near: split by the words' middles


def _near(seconds: float, text: str, words: Sequence[Word], starts: list[float]) -> int:
    """A marker typed by a person (whole seconds, perhaps moved): the word near it that its
    paragraph starts with, or else the first word after it."""
    after = bisect.bisect_left(starts, seconds)
    wanted = key(text.split()[0]) if text.split() else ""
    low = bisect.bisect_left(starts, seconds - HAND_MARKER)
    high = bisect.bisect_right(starts, seconds + HAND_MARKER)
    best: tuple[float, int] | None = None
    for index in range(low, high):
        found = key(words[index].text)
        if found and wanted.startswith(found):
            late = starts[index] - seconds  # a marker is its second, truncated
            distance = 0.0 if 0 <= late < 1 else abs(late)
            if best is None or distance < best[0]:
                best = (distance, index)
    return best[1] if best is not None else after


def _machine(
    placed: Placed, words: Sequence[Word], firsts: list[int], index: int, breaks: set[int],
    forced: bool,
) -> None:  # fmt: skip
    """A paragraph nobody edited: the transcript's words in its time, as the document
    breaks them."""
    stop = firsts[index + 1] if index + 1 < len(firsts) else len(words)
    pending = forced or not placed.words
    for position in range(firsts[index], stop):
        word = words[position]
        pending = pending or position in breaks
        if not word.text.strip():
            continue
        if pending:
            placed.paragraph_starts.append(len(placed.words))
            placed.paragraph_owners.append(index)
            pending = False
        placed.words.append((word.text, word.start, word.end))


def _person(
    placed: Placed,
    corrections: Corrections,
    words: Sequence[Word],
    firsts: list[int],
    run: range,
) -> None:
    """A run of edited paragraphs: the person's words, aligned onto the run's words."""
    stop = firsts[run.stop] if run.stop < len(firsts) else len(words)
    machine = [w for w in words[firsts[run.start] : stop] if w.text.strip()]
    mine: list[str] = []
    owner: list[int] = []
    spans: dict[int, range] = {}  # each paragraph's words in `mine`
    for index in run:
        tokens = corrections.paragraphs[index].text.split()
        spans[index] = range(len(mine), len(mine) + len(tokens))
        mine += tokens
        owner += [index] * len(tokens)
    times = _times([key(w) for w in mine], machine)
    for index in run:  # a paragraph with no speech in its time: shown at its marker
        last = firsts[index + 1] if index + 1 < len(firsts) else len(words)
        if any(w.text.strip() for w in words[firsts[index] : last]):
            continue
        if any(times[n] is not None for n in spans[index]):
            continue
        paragraph = corrections.paragraphs[index]
        placed.unplaced.append(f"{corrections.path.name}:{paragraph.line}: {paragraph.text}")
        for step, n in enumerate(spans[index]):
            at = paragraph.seconds + STEP * step
            times[n] = (at, at + STEP)
    previous = -1
    after = placed.words[-1][2] if placed.words else 0.0
    later = next((w.start for w in words[stop:] if w.text.strip()), None)  # after the run
    filled = _fill(times, after, later)
    for word, who, (start, end) in zip(mine, owner, filled, strict=True):
        if who != previous:
            placed.paragraph_starts.append(len(placed.words))
            placed.paragraph_owners.append(who)
            previous = who
        placed.words.append((" " + word, start, end))


def _times(corrected: list[str], machine: Sequence[Word]) -> list[tuple[float, float] | None]:
    """Each corrected word's time: its machine word's; the span of the machine words it
    replaces, shared out; or None, for a word the person added."""
    from rapidfuzz.distance import Levenshtein  # imported here: only corrected talks need it

    times: list[tuple[float, float] | None] = []
    for op in Levenshtein.opcodes(corrected, [key(w.text) for w in machine]):
        count = op.src_end - op.src_start
        if op.tag == "equal":
            times.extend((w.start, w.end) for w in machine[op.dest_start : op.dest_end])
        elif op.tag == "replace":
            start, end = machine[op.dest_start].start, machine[op.dest_end - 1].end
            step = (end - start) / count
            times.extend((start + step * n, start + step * (n + 1)) for n in range(count))
        elif op.tag == "delete":  # words only the person wrote
            times.extend([None] * count)
    return times


def _fill(
    times: list[tuple[float, float] | None], after: float, until: float | None
) -> list[tuple[float, float]]:
    """Words without a time share the gap between the timed words around them (the first
    ones: from `after`, the end of the word before the run; the last: up to `until`, the
    start of the word after it)."""
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
        start = filled[-1][1] if filled else after
        following = times[run] if run < len(times) else None
        if following is not None:
            end = following[0]
        elif until is not None and until > start:
            end = until
        else:
            end = start + STEP * (run - index)
        step = max(end - start, 0.0) / (run - index)
        filled.extend((start + step * n, start + step * (n + 1)) for n in range(run - index))
        index = run
    return filled
