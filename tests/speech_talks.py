"""Multi-topic talks written for this project (tests/data/talks/), read aloud by espeak-ng.

Each talk file has a `title:` and a `language:` line, then topics: a `# Title` line and the
topic's paragraphs, separated by blank lines. `speak` reads every paragraph with espeak-ng and
joins them with the same short silence everywhere, so a topic change has no acoustic cue:
only the words tell. It returns the recording and the time each topic starts (the reference
chapters of the chapter tests and of bench/chapters.py).
"""

from __future__ import annotations

import io
import shutil
import subprocess
import wave
from dataclasses import dataclass
from pathlib import Path

TALKS = Path(__file__).parent / "data" / "talks"
VOICES = {"en": "en-us", "de": "de", "fr": "fr-fr"}
PAUSE_S = 0.5  # between paragraphs, topic change or not
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
class SpokenTalk:
    talk: WrittenTalk
    audio: Path
    starts: tuple[float, ...]  # each topic's start, in seconds (the first is 0)
    duration: float


def load(slug: str) -> WrittenTalk:
    lines = (TALKS / f"{slug}.txt").read_text(encoding="utf-8").splitlines()
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


def all_talks() -> list[WrittenTalk]:
    return [load(path.stem) for path in sorted(TALKS.glob("*.txt"))]


def speak(talk: WrittenTalk, dest: Path, words_per_minute: int = 150) -> SpokenTalk:
    """The talk as a 22.05 kHz mono WAV at `dest`, with the start time of each topic."""
    if ESPEAK is None:
        raise RuntimeError("espeak-ng is not installed (make test installs it)")
    dest.parent.mkdir(parents=True, exist_ok=True)
    voice = VOICES[talk.language]
    starts: list[float] = []
    with wave.open(str(dest), "wb") as out:
        rate = 0
        for topic in talk.topics:
            for number, paragraph in enumerate(topic.paragraphs):
                spoken = subprocess.run(
                    [ESPEAK, "-v", voice, "-s", str(words_per_minute), "--stdout", paragraph],
                    capture_output=True,
                    check=True,
                    timeout=120,
                ).stdout
                with wave.open(io.BytesIO(spoken), "rb") as part:
                    if not rate:
                        rate = part.getframerate()
                        out.setparams(part.getparams())
                    if number == 0:
                        starts.append(out.tell() / rate)
                    out.writeframes(part.readframes(part.getnframes()))
                out.writeframes(b"\0\0" * int(rate * PAUSE_S))
        duration = out.tell() / rate
    return SpokenTalk(talk, dest, tuple(starts), duration)
