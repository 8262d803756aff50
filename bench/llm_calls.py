"""How many LLM calls and prompt tokens does chaptering cost per hour of talk?

    python bench/llm_calls.py [--context 16384]

Talks of 15 minutes to 2 hours are made from the test talk's text (about 150 words a minute,
paragraphs of about 90 words) and chaptered by the real topics stage through the real `ollama`
client, against the test suite's fake Ollama server (which counts prompt tokens as Ollama
does, roughly 1.3 per word), answering as a good model ("responder"), as a grammar-constrained
one that says any instance of the schema ("grammar"), and as one that ignores counts and
lengths ("sloppy"). Goal: at most 3 calls for a one-hour talk, a retry included (yt2doc needs
about 20).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--context", type=int, default=16384)
    args = parser.parse_args()
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
