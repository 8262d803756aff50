"""The LLM path against a server that answers any instance of the schema (grammar-constrained)
or ignores counts and lengths (sloppy), replies cut off, repairs, and a model not pulled; all
through the real `ollama` client and the fake server (tests/fake_ollama.py)."""

from __future__ import annotations

import itertools
import json
import random
from collections.abc import Iterator
from typing import Any

import ollama as ollama_client
import pytest

from mkdocs_yt2doc.document.chapter_plan import max_chapters
from mkdocs_yt2doc.document.llm import LLM
from mkdocs_yt2doc.document.llm_chapters import (
    MAX_TITLE,
    boundaries_schema,
    repair_titles,
    titles_schema,
)
from mkdocs_yt2doc.document.llm_http import ranges_as_enums
from mkdocs_yt2doc.document.topics import find_topics, llm_topics
from mkdocs_yt2doc.records.document import Paragraph
from mkdocs_yt2doc.records.settings import LLMSettings
from tests.conftest import PluginLog
from tests.fake_ollama import FakeOllama
from tests.json_instances import instance
from tests.speech_talks import all_talks
from tests.test_topics import TITLES, TRUTH, _paragraphs, responder


@pytest.fixture
def server() -> Iterator[FakeOllama]:
    with FakeOllama() as fake:
        fake.responder = responder
        yield fake


def hour_talk() -> list[Paragraph]:
    """An hour of the project's talk texts in paragraphs of about 90 words, 2.6 words/s."""
    words = [w for t in all_talks() if t.language == "en" for p in (
        q for topic in t.topics for q in topic.paragraphs) for w in p.split()]  # fmt: skip
    paragraphs, t, i = [], 0.0, 0
    while t < 3600:
        chunk = [words[(i + k) % len(words)] for k in range(90)]
        i += 90
        paragraphs.append(Paragraph(t, t + 90 / 2.6, " ".join(chunk)))
        t += 90 / 2.6 + 0.5
    return paragraphs


def _settings(server: FakeOllama, **changes: Any) -> LLMSettings:
    values = {"model": "test-model", "host": server.url, "timeout": 5.0, "retries": 2}
    return LLMSettings(**{**values, **changes})


def test_schemas_pin_counts_ranges_and_lengths() -> None:
    rng = random.Random(1)
    for _ in range(50):
        starts = instance(boundaries_schema(1, 40, 5), rng)["starts"]
        assert len(starts) <= 5 and all(1 <= s <= 40 for s in starts)
        answer = instance(titles_schema(4), rng)
        assert len(answer["titles"]) == 4
        assert all(3 <= len(t) <= MAX_TITLE for t in answer["titles"])
    sloppy = [instance(titles_schema(4), rng, sloppy=True) for _ in range(50)]
    assert any(len(a["titles"]) != 4 for a in sloppy)
    assert any(len(t) > MAX_TITLE or not t for a in sloppy for t in a["titles"])


def test_modes_answer_the_schema_through_the_real_client(server: FakeOllama) -> None:
    client = ollama_client.Client(host=server.url, timeout=5)
    messages = [{"role": "user", "content": "Split this talk."}]
    for mode in ("grammar", "sloppy"):
        server.mode = mode
        reply = client.chat("test-model", messages, format=titles_schema(3), stream=False)
        answer = json.loads(reply.message.content or "")
        assert set(answer) == {"titles", "summary"} and isinstance(answer["titles"], list)
        again = client.chat("test-model", messages, format=titles_schema(3), stream=False)
        assert again.message.content == reply.message.content  # as at temperature 0
    server.mode = "grammar"
    reply = client.chat("test-model", messages, format=titles_schema(3), stream=False)
    assert len(json.loads(reply.message.content or "")["titles"]) == 3
    server.faults = ["length"]
    cut = client.chat("test-model", messages, format=titles_schema(3), stream=False)
    assert cut.done_reason == "length"
    with pytest.raises(json.JSONDecodeError):
        json.loads(cut.message.content or "")


@pytest.mark.reliability("fault", 2)
@pytest.mark.parametrize(("mode", "most_calls"), [("grammar", 2), ("sloppy", 3)])
def test_an_hour_takes_at_most_three_calls(server: FakeOllama, mode: str, most_calls: int) -> None:
    server.mode = mode
    paragraphs = hour_talk()
    duration = paragraphs[-1].end
    llm = LLM(_settings(server), sleep=lambda _: None)
    topics = llm_topics(paragraphs, "en", duration, llm)
    assert topics.origin == "llm" and topics.calls == server.chat_calls <= most_calls
    assert 1 <= len(topics.starts) <= max_chapters(duration, llm.settings)
    assert len(topics.titles) == len(topics.starts) and all(topics.titles)
    assert len(set(topics.titles)) == len(topics.titles) and topics.summary
    assert all(len(t) <= MAX_TITLE + 1 for t in topics.titles)
    chapter_times = [paragraphs[s].start for s in topics.starts]
    assert all(b - a >= 60 for a, b in itertools.pairwise(chapter_times))
    if mode == "sloppy":  # answers seeded by the prompt: what was repaired varies, not that
        assert topics.repairs


@pytest.mark.reliability("fault")
def test_a_cut_off_reply_is_asked_again_with_more_room(server: FakeOllama) -> None:
    server.faults = ["length"]
    paragraphs = _paragraphs()
    llm = LLM(_settings(server), sleep=lambda _: None)
    topics = llm_topics(paragraphs, "en", paragraphs[-1].end, llm)
    assert list(topics.starts) == TRUTH and topics.titles == tuple(TITLES.values())
    first, second = server.requests[:2]
    assert second["options"]["num_ctx"] == 2 * first["options"]["num_ctx"]
    assert topics.calls == 3 and topics.repairs == ()


@pytest.mark.reliability("input", 3)
def test_duplicate_empty_titles_and_a_summary_that_is_a_title_are_repaired(
    server: FakeOllama, plugin_log: PluginLog
) -> None:
    def careless(request: dict[str, Any]) -> dict[str, Any]:
        answer = responder(request)
        if "titles" in answer:
            return {"titles": ["Chapter 1: Keeping a starter", "Keeping a starter", " "],
                    "summary": "Keeping a starter"}  # fmt: skip
        return answer

    server.responder = careless
    paragraphs = _paragraphs()
    llm = LLM(_settings(server), sleep=lambda _: None)
    topics = find_topics(paragraphs, "en", paragraphs[-1].end, llm.settings, llm, "'Bread'")
    assert list(topics.starts) == TRUTH and topics.calls == 2
    assert topics.titles[0] == "Keeping a starter"  # the numbering is dropped
    assert len(set(topics.titles)) == 3 and all(topics.titles)
    assert topics.summary and topics.summary != "Keeping a starter"  # extractive instead
    (warning,) = plugin_log.warnings
    assert warning.startswith("yt2doc: 'Bread': the LLM's answer was repaired: ")
    assert "repeated title replaced offline" in warning and "empty title" in warning


def test_a_title_that_is_only_its_number_is_titled_offline() -> None:
    """Gemma 3 270M on llama.cpp's server titled every chapter "Chapter N"."""
    summary = "A talk about lighthouses, their lenses and their keepers, then and now."
    titled = repair_titles(["Chapter 1", "Chapter 2: The lens", "1984 and after", "Teil 3"],
                           summary)  # fmt: skip
    assert titled.titles == [None, "The lens", "1984 and after", None]
    assert titled.repairs == ["empty title replaced offline"] * 2


def test_bounded_integers_go_as_enums_for_llama_cpp_python() -> None:
    """Its grammar drops `minimum`/`maximum` (paragraph -1 of 1..30) but keeps `enum`."""
    sent = ranges_as_enums(boundaries_schema(3, 7, 2, least=1))
    assert sent["properties"]["starts"]["items"] == {"type": "integer", "enum": [3, 4, 5, 6, 7]}
    assert sent["properties"]["starts"]["minItems"] == 1
    wide = {"type": "integer", "minimum": 0, "maximum": 10**6}
    assert ranges_as_enums(wide) == wide  # too many values: left to the repairs
    assert ranges_as_enums(titles_schema(2)) == titles_schema(2)
