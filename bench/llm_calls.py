"""How many LLM calls and prompt tokens does chaptering cost per hour of talk?

    python bench/llm_calls.py [--context 16384]
    python bench/llm_calls.py --real [--cache DIR]


Talks of 15 minutes to 2 hours are made from the test talk's text (about 150 words a minute,
paragraphs of about 90 words) and chaptered by the real topics stage through the real `ollama`
client, against the test suite's fake Ollama server (which counts prompt tokens as Ollama
does, roughly 1.3 per word), answering as a good model ("responder"), as a grammar-constrained
one that says any instance of the schema ("grammar"), and as one that ignores counts and
lengths ("sloppy"). Goal: at most 3 calls for a one-hour talk, a retry included (yt2doc needs
about 20).

`--real`: the real model instead, llama.cpp's OpenAI-compatible server (llama-cpp-python) with
Gemma 3 270M on this machine's CPU (2 threads, seed 0, temperature 0, `--n_ctx` = `llm.context`
= 16384), on the talks of bench/chapters.py (the script's words timed by the espeak-ng
recording, pause paragraphs): calls and seconds per hour of talk, the share of replies valid
on the first try, and the boundary F1 (+-15 s) side by side with the offline segmenter's.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mkdocs_yt2doc.document.llm import LLM  # noqa: E402
from mkdocs_yt2doc.document.topics import llm_topics  # noqa: E402
from mkdocs_yt2doc.records.document import Paragraph  # noqa: E402
from mkdocs_yt2doc.records.settings import LLMSettings  # noqa: E402
from tests.fake_ollama import FakeOllama  # noqa: E402
from tests.test_topics import responder  # noqa: E402


def talk(minutes: float) -> list[Paragraph]:
    words = (ROOT / "tests" / "data" / "sourdough-at-home.txt").read_text().split()
    paragraphs, t, i = [], 0.0, 0
    while t < minutes * 60:
        chunk = [words[(i + k) % len(words)] for k in range(90)]
        i += 90
        seconds = 90 / 2.5
        paragraphs.append(Paragraph(t, t + seconds, " ".join(chunk)))
        t += seconds + 0.5
    return paragraphs


class CountedLLM(LLM):
    """Records, for each question, whether its first reply was valid (no attempt logged)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.first_try: list[bool] = []
        self.failed = 0
        counter = self

        class Failures(logging.Handler):
            def emit(self, record: logging.LogRecord) -> None:
                counter.failed += record.getMessage().startswith("yt2doc: LLM attempt")

        logging.getLogger("mkdocs.plugins.yt2doc").addHandler(Failures())
        logging.getLogger("mkdocs.plugins.yt2doc").setLevel(logging.INFO)

    def ask(self, *args: Any, **kwargs: Any) -> Any:
        before = self.failed
        try:
            return super().ask(*args, **kwargs)
        finally:
            self.first_try.append(self.failed == before)


def real_model(context: int, cache: Path | None) -> None:
    """Gemma 3 270M on llama.cpp's server against the offline segmenter, bench/chapters.py's
    talks, the script's words."""
    from bench.chapters import LONG_TALKS, scores
    from mkdocs_yt2doc.document.paragraphs import by_pauses
    from mkdocs_yt2doc.document.topics import find_topics
    from mkdocs_yt2doc.records.settings import ParagraphSettings
    from mkdocs_yt2doc.records.transcript import Word
    from tests.llama_server import MODEL, THREADS, LlamaServer, gguf_model
    from tests.speech_talks import all_talks, speak

    cache = cache or Path(tempfile.mkdtemp(prefix="yt2doc-llm-real-"))
    cache.mkdir(parents=True, exist_ok=True)
    server = LlamaServer(gguf_model(cache), cache / "server.log", n_ctx=context)
    started = time.perf_counter()
    if not server.start():
        raise SystemExit(f"llama_cpp.server did not start:\n{server.log()[-2000:]}")
    print(f"server up in {time.perf_counter() - started:.1f} s ({THREADS} threads, "
          f"n_ctx {context}); log {server.log_path}")  # fmt: skip
    settings = LLMSettings(model=MODEL, host=server.url, api="openai", context=context,
                           timeout=600, retries=2, seed=0)  # fmt: skip
    llm = CountedLLM(settings)
    print(f"{'talk':26} {'lang':4} {'min':>4} {'topics':>6} {'offline F1':>10} {'llm F1':>6} "
          f"{'chapters':>8} {'calls':>5} {'seconds':>7}  repairs / fallback")  # fmt: skip
    totals = {"minutes": 0.0, "calls": 0, "seconds": 0.0, "offline": [], "llm": []}
    titled = []
    try:
        for talk in [*all_talks(), *all_talks(LONG_TALKS)]:
            spoken = speak(talk, cache / f"{talk.slug}.wav")
            words = [Word(w.start, w.end, w.text, 1.0) for w in spoken.words]
            paragraphs = by_pauses(words, ParagraphSettings())
            found = {}
            for path in ("offline", "llm"):
                clock = time.perf_counter()
                asked = llm if path == "llm" else None
                topics = find_topics(paragraphs, talk.language, spoken.duration, settings,
                                     asked, talk.slug, words=words)  # fmt: skip
                seconds = time.perf_counter() - clock
                found[path] = (topics, [words[i].start for i in topics.first_words], seconds)
            (offline, at_off, _), (model, at_llm, seconds) = found["offline"], found["llm"]
            f_off = scores(at_off, list(spoken.starts))[2]
            f_llm = scores(at_llm, list(spoken.starts))[2]
            totals["minutes"] += spoken.duration / 60
            totals["calls"] += model.calls
            totals["seconds"] += seconds
            totals["offline"].append(f_off)
            totals["llm"].append(f_llm)
            note = model.fallback_reason or "; ".join(model.repairs)
            print(f"{talk.slug:26} {talk.language:4} {spoken.duration / 60:4.1f} "
                  f"{len(spoken.starts):>6} {f_off:>10.2f} {f_llm:>6.2f} "
                  f"{len(model.starts):>8} {model.calls:>5} {seconds:>7.1f}  "
                  f"{note[:80]}")  # fmt: skip
            titled.append((talk, offline, at_off, model, at_llm))
    finally:
        server.stop()
    hours = totals["minutes"] / 60
    valid = sum(llm.first_try) / max(1, len(llm.first_try))
    print()
    print(f"talks: {len(titled)}, {totals['minutes']:.1f} minutes")
    print(f"calls per hour of talk: {totals['calls'] / hours:.1f} "
          f"(server's log: {server.chat_posts()} chat requests)")  # fmt: skip
    print(f"seconds per hour of talk: {totals['seconds'] / hours:.0f}")
    print(f"replies valid on the first try: {sum(llm.first_try)}/{len(llm.first_try)} "
          f"= {valid:.0%}")  # fmt: skip
    for path in ("offline", "llm"):
        values = totals[path]
        print(f"mean boundary F1 (+-15 s), {path}: {sum(values) / len(values):.2f}")
    print("\ntitles: reference | offline | model")
    for talk, offline, at_off, model, at_llm in titled:
        print(f"  {talk.slug}:")
        print("    reference: " + " | ".join(t.title for t in talk.topics))
        for name, topics, at in (("offline", offline, at_off), ("model", model, at_llm)):
            stamps = [f"{t} ({s // 60:.0f}:{s % 60:02.0f})"
                      for t, s in zip(topics.titles, at, strict=True)]  # fmt: skip
            print(f"    {name + ':':10} " + " | ".join(stamps))
        print(f"    summary:   {model.summary}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--context", type=int, default=16384)
    parser.add_argument("--real", action="store_true", help="llama.cpp's server, Gemma 3 270M")
    parser.add_argument("--cache", type=Path, help="keep recordings and the model here")
    args = parser.parse_args()
    if args.real:
        real_model(args.context, args.cache)
        return
    print(
        f"{'mode':>9} {'talk':>8} {'paragraphs':>10} {'calls':>6} {'prompt tokens':>14} "
        f"{'calls/hour':>10} {'tokens/hour':>12}"
    )
    per_hour = {}
    with FakeOllama() as server:
        server.responder = responder
        for mode in (None, "grammar", "sloppy"):
            server.mode = mode
            for minutes in (15, 30, 60, 120):
                paragraphs = talk(minutes)
                llm = LLM(
                    LLMSettings(model="test-model", host=server.url, context=args.context),
                    sleep=lambda _: None,
                )
                topics = llm_topics(paragraphs, "en", paragraphs[-1].end, llm)
                hours = paragraphs[-1].end / 3600
                per_hour[mode, minutes] = topics.calls
                print(
                    f"{mode or 'responder':>9} {minutes:>6} m {len(paragraphs):>10} "
                    f"{topics.calls:>6} {topics.prompt_tokens:>14} "
                    f"{topics.calls / hours:>10.1f} {topics.prompt_tokens / hours:>12.0f}"
                )
    for mode in (None, "grammar", "sloppy"):
        print(f"calls for a one-hour talk, {mode or 'responder'}: {per_hour[mode, 60]} (goal <= 3)")


if __name__ == "__main__":
    main()
