"""The guard that no speech is lost: window by window, a transcript's words must cover the
time Silero VAD hears speech in; a window that fails is decoded again, and what still fails is
reported as lost speech (`Transcript.lost`).

Why: Whisper can skip a whole sentence and still score well. With a prompt (a glossary's
hotwords, or `whisper.prompt`) and no timestamp tokens, as faster-whisper's batched pipeline
decodes, tiny.en skipped a 14 s sentence of names at the start of a window (issue 27).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from ..records.transcript import Segment, Word

log = logging.getLogger("mkdocs.plugins.yt2doc")

RATE = 16000
WINDOW_S = 30.0  # Whisper's window: the speech is checked in groups of this much
PAD_S = 0.5  # around a word: VAD pads speech, and a word's ends are approximate
LONGEST_WORD_S = 2.0  # a longer "word" is the aligner stretching one over speech not heard
JOIN_S = 1.0  # uncovered stretches this close are one stretch
MIN_LOST_S = 3.0  # voiced seconds without a word, in one stretch, that count as speech lost

Span = tuple[float, float]


@dataclass(frozen=True)
class Window:
    """A group of VAD's speech chunks, at most WINDOW_S of speech, in the recording's time."""

    start: float
    end: float
    voiced: tuple[Span, ...]

    def holds(self, segment: Segment) -> bool:
        return self.start <= (segment.start + segment.end) / 2 < self.end


def speech_chunks(samples: Any) -> list[dict[str, int]]:
    """VAD's speech chunks (in samples) as the batched pipeline finds them: none over 30 s."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    options = VadOptions(max_speech_duration_s=WINDOW_S, min_silence_duration_ms=160)
    return list(get_speech_timestamps(samples, options))


def windows(chunks: Sequence[dict[str, int]], rate: int = RATE) -> list[Window]:
    """Speech chunks grouped in order, up to WINDOW_S of speech a group."""
    found: list[Window] = []
    group: list[Span] = []
    for chunk in chunks:
        span = (chunk["start"] / rate, chunk["end"] / rate)
        if group and sum(e - s for s, e in group) + span[1] - span[0] > WINDOW_S:
            found.append(Window(group[0][0], group[-1][1], tuple(group)))
            group = []
        group.append(span)
    if group:
        found.append(Window(group[0][0], group[-1][1], tuple(group)))
    return found


def lost(window: Window, words: Iterable[Word]) -> list[Span]:
    """The stretches of the window's voiced time with no word near, MIN_LOST_S or longer."""
    covered = sorted(
        (w.start - PAD_S, min(w.end, w.start + LONGEST_WORD_S) + PAD_S)
        for w in words
        if w.end > window.start - PAD_S and w.start < window.end + PAD_S
    )
    stretches: list[list[float]] = []  # [start, end, voiced seconds uncovered]
    for start, end in window.voiced:
        for piece in _minus((start, end), covered):
            if stretches and piece[0] - stretches[-1][1] <= JOIN_S:
                stretches[-1][1] = piece[1]
                stretches[-1][2] += piece[1] - piece[0]
            else:
                stretches.append([piece[0], piece[1], piece[1] - piece[0]])
    return [(round(s, 2), round(e, 2)) for s, e, voiced in stretches if voiced >= MIN_LOST_S]


def _minus(span: Span, covered: list[Span]) -> list[Span]:
    pieces, at = [], span[0]
    for start, end in covered:
        if end <= at:
            continue
        if start >= span[1]:
            break
        if start > at:
            pieces.append((at, start))
        at = max(at, end)
    if at < span[1]:
        pieces.append((at, span[1]))
    return pieces


# decodes a window again: attempt 0, 1, ... -> its segments, or None when there is no such try
Redecode = Callable[[Window, int], "list[Segment] | None"]


@dataclass(frozen=True)
class Covered:
    segments: tuple[Segment, ...]
    redecoded: tuple[Window, ...]  # the windows decoded again
    lost: tuple[Span, ...]  # speech still without words after every try


def cover(segments: Sequence[Segment], found: Sequence[Window], redecode: Redecode) -> Covered:
    """Each window whose words leave voiced time uncovered is decoded again, try by try, until
    one covers it; the best try replaces the window's segments where it loses less."""
    result = list(segments)
    redecoded: list[Window] = []
    still: list[Span] = []
    for window in found:
        first = lost(window, (w for s in result for w in s.words))
        if not first:
            continue
        redecoded.append(window)
        best, best_lost = None, _seconds(first)
        left = first
        attempt = 0
        while (tried := _try(redecode, window, attempt)) is not None:
            attempt += 1
            mine = [s for s in tried if window.holds(s)]
            others = [w for s in result if not window.holds(s) for w in s.words]
            gaps = lost(window, [*others, *(w for s in mine for w in s.words)])
            if _seconds(gaps) < best_lost:
                best, best_lost, left = mine, _seconds(gaps), gaps
            if not gaps:
                break
        log.info(
            "yt2doc: speech at %.0f-%.0f s had no words; decoded again %d time(s), %s",
            window.start, window.end, attempt, "now covered" if not left else "still not",
        )  # fmt: skip
        if best is not None:
            result = sorted([*(s for s in result if not window.holds(s)), *best],
                            key=lambda s: s.start)  # fmt: skip
        still.extend(left)
    return Covered(tuple(result), tuple(redecoded), tuple(still))


def _try(redecode: Redecode, window: Window, attempt: int) -> list[Segment] | None:
    """A try that fails ends the tries: the first decoding's words are kept, never lost."""
    try:
        return redecode(window, attempt)
    except Exception as exc:  # the model on a clip: whatever it raises, the talk goes on
        log.warning("yt2doc: decoding %.0f-%.0f s again failed (%s: %s)",
                    window.start, window.end, type(exc).__name__, exc)  # fmt: skip
        return None


def _seconds(spans: Sequence[Span]) -> float:
    return sum(e - s for s, e in spans)


def shifted(segment: Segment, offset: float) -> Segment:
    """A segment decoded from a clip, in the recording's time."""
    words = tuple(
        Word(round(w.start + offset, 2), round(w.end + offset, 2), w.text, w.probability)
        for w in segment.words
    )
    return Segment(round(segment.start + offset, 2), round(segment.end + offset, 2),
                   segment.text, words)  # fmt: skip
