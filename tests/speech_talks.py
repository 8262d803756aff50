"""Multi-topic talks written for this project (tests/data/talks/), read aloud by espeak-ng.

Each talk file has a `title:` and a `language:` line, then topics: a `# Title` line and the
topic's paragraphs, separated by blank lines. `speak` reads every paragraph with espeak-ng and
joins them with the same short silence everywhere, so a topic change has no acoustic cue:
only the words tell. It returns the recording, the time each topic starts (the reference
chapters of the chapter tests and of bench/chapters.py) and the script's words timed by the
recording (each sentence is read on its own, so its start is exact; its words are spread over
it by length): a transcript without recognition errors, for measuring the segmenter alone.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import wave
from dataclasses import dataclass
from pathlib import Path

TALKS = Path(__file__).parent / "data" / "talks"
VOICES = {"en": "en-us", "de": "de", "fr": "fr-fr"}
PAUSE_S = 0.5  # between paragraphs, topic change or not
SENTENCE_PAUSE_S = 0.2  # between the sentences of a paragraph
ESPEAK = shutil.which("espeak-ng")


@dataclass(frozen=True)
class Topic:
    title: str
    paragraphs: tuple[str, ...]


@dataclass(frozen=True)
class WrittenTalk:
    slug: str
    title: str
    language: str
    topics: tuple[Topic, ...]

    @property
    def words(self) -> int:
        return sum(len(p.split()) for t in self.topics for p in t.paragraphs)


@dataclass(frozen=True)
class TimedWord:
    start: float
    end: float
    text: str  # with its leading space, as Whisper gives words


@dataclass(frozen=True)
class SpokenTalk:
    talk: WrittenTalk
    audio: Path
    starts: tuple[float, ...]  # each topic's start, in seconds (the first is 0)
    duration: float
    words: tuple[TimedWord, ...]


def load(slug: str, folder: Path = TALKS) -> WrittenTalk:
    lines = (folder / f"{slug}.txt").read_text(encoding="utf-8").splitlines()
    header = dict(line.split(": ", 1) for line in lines[:2])
    topics: list[Topic] = []
    title, paragraphs, current = "", [], []  # type: ignore[var-annotated]
    for line in [*lines[2:], "# end"]:
        if line.startswith("# ") or not line.strip():
            if current:
                paragraphs.append(" ".join(current))
                current = []
            if line.startswith("# "):
                if title:
                    topics.append(Topic(title, tuple(paragraphs)))
                title, paragraphs = line[2:].strip(), []
        else:
            current.append(line.strip())
    return WrittenTalk(slug, header["title"], header["language"], tuple(topics))


def all_talks(folder: Path = TALKS) -> list[WrittenTalk]:
    return [load(path.stem, folder) for path in sorted(folder.glob("*.txt"))]


def speak(talk: WrittenTalk, dest: Path, words_per_minute: int = 150) -> SpokenTalk:
    """The talk as a 22.05 kHz mono WAV at `dest`, with the start time of each topic."""
    if ESPEAK is None:
        raise RuntimeError("espeak-ng is not installed (make test installs it)")
    dest.parent.mkdir(parents=True, exist_ok=True)
    voice = VOICES[talk.language]
    starts: list[float] = []
    words: list[TimedWord] = []
    with wave.open(str(dest), "wb") as out:
        rate = 0
        for topic in talk.topics:
            for number, paragraph in enumerate(topic.paragraphs):
                for position, sentence in enumerate(re.split(r"(?<=[.!?])\s+", paragraph)):
                    spoken = subprocess.run(
                        [ESPEAK, "-v", voice, "-s", str(words_per_minute), "--stdout", sentence],
                        capture_output=True,
                        check=True,
                        timeout=120,
                    ).stdout
                    with wave.open(io.BytesIO(spoken), "rb") as part:
                        if not rate:
                            rate = part.getframerate()
                            out.setparams(part.getparams())
                        if number == position == 0:
                            starts.append(out.tell() / rate)
                        begin = out.tell() / rate
                        out.writeframes(part.readframes(part.getnframes()))
                        words.extend(_timed(sentence, begin, out.tell() / rate))
                    out.writeframes(b"\0\0" * int(rate * SENTENCE_PAUSE_S))
                out.writeframes(b"\0\0" * int(rate * (PAUSE_S - SENTENCE_PAUSE_S)))
        duration = out.tell() / rate
    return SpokenTalk(talk, dest, tuple(starts), duration, tuple(words))


def _timed(sentence: str, start: float, end: float) -> list[TimedWord]:
    """The sentence's words spread over its reading by their length (espeak-ng leaves about
    0.1 s of silence at either end)."""
    start, end = start + 0.1, max(start + 0.2, end - 0.1)
    pieces = sentence.split()
    total = sum(len(p) + 1 for p in pieces)
    timed, done = [], 0
    for piece in pieces:
        begin = start + (end - start) * done / total
        done += len(piece) + 1
        timed.append(TimedWord(begin, start + (end - start) * done / total, " " + piece))
    return timed
