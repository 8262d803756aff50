"""Talks of names: espeak-ng sentences full of names mixed between LibriVox passages, with the
layout of the mix (where each piece is), so that speech lost is measured against what was
put in, not against the VAD the transcriber uses (tests/test_coverage.py, bench/glossary.py).
"""

from __future__ import annotations

import subprocess
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.conftest import CLIPS, reference_text
from tests.speech_talks import ESPEAK

RATE = 16000
GAP_S = 0.5  # silence between pieces
NAMES = ["Andrej Karpathy", "Fei-Fei Li", "Demis Hassabis", "Yann LeCun", "Geoffrey Hinton"]
# (sentence, the names it says); written for these tests
SENTENCES = [
    ("Before we start, I want to thank Andrej Karpathy, Fei-Fei Li, Demis Hassabis, Yann LeCun "
     "and Geoffrey Hinton, who all sent us their slides, their notes and their good wishes for "
     "this meeting.", NAMES),
    ("Our opening keynote today is shared by Andrej Karpathy and Fei-Fei Li, and they will be "
     "followed by Demis Hassabis, then by a discussion between Yann LeCun and Geoffrey Hinton.",
     NAMES),
    ("Andrej Karpathy and Fei-Fei Li built the first version, Demis Hassabis and Yann LeCun "
     "tested it, and Geoffrey Hinton wrote the paper that everybody now cites.", NAMES),
]  # fmt: skip


@dataclass(frozen=True)
class Piece:
    start: float
    end: float
    text: str
    names: tuple[str, ...]  # empty: a LibriVox passage


def spoken(sentence: str, dest: Path) -> Any:
    """The sentence read by espeak-ng, as 16 kHz samples."""
    from faster_whisper.audio import decode_audio

    if ESPEAK is None:
        raise RuntimeError("espeak-ng is not installed (make test installs it)")
    subprocess.run([ESPEAK, "-v", "en-us", "-s", "150", "-w", str(dest), sentence], check=True,
                   timeout=120)  # fmt: skip
    return decode_audio(str(dest))


def mix(order: list[int | str], dest: Path) -> list[Piece]:
    """A 16 kHz WAV of the pieces in order (an int: that LibriVox clip; text: a sentence of
    SENTENCES), GAP_S apart; the layout of what is where."""
    import numpy as np
    from faster_whisper.audio import decode_audio

    parts, layout, at = [], [], 0.0
    for n, item in enumerate(order):
        if isinstance(item, int):
            audio, text, names = decode_audio(str(CLIPS[item])), reference_text(CLIPS[item]), ()
        else:
            names = next(tuple(ns) for s, ns in SENTENCES if s == item)
            audio, text = spoken(item, dest.with_suffix(f".{n}.wav")), item
        layout.append(Piece(at, at + len(audio) / RATE, text, names))
        parts += [audio, np.zeros(int(GAP_S * RATE), np.float32)]
        at += len(audio) / RATE + GAP_S
    samples = (np.clip(np.concatenate(parts), -1, 1) * 32767).astype(np.int16)
    with wave.open(str(dest), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(samples.tobytes())
    return layout


def seconds_lost(
    layout: list[Piece], words: list[Any], pad: float = 0.5, least: float = 1.5
) -> float:
    """Seconds of the pieces with no word within `pad` of them, in stretches of `least` or
    more (a pause inside a LibriVox reading is shorter)."""
    covered = sorted((w.start - pad, w.end + pad) for w in words)
    total = 0.0
    for piece in layout:
        at = piece.start
        for start, end in [*covered, (piece.end, piece.end)]:
            if end <= at:
                continue
            if min(start, piece.end) - at >= least:
                total += min(start, piece.end) - at
            at = max(at, end)
            if at >= piece.end:
                break
    return round(total, 2)


def names_right(layout: list[Piece], text: str) -> tuple[int, int]:
    """(names spelled right, names said): each said name counted once per sentence."""
    said = [name for piece in layout for name in piece.names]
    found = sum(min(text.count(name), said.count(name)) for name in set(said))
    return found, len(said)
