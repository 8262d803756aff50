"""Chapters, titles and summaries through the real `ollama` client and a faithful fake server.

The fake server (tests/fake_ollama.py) answers deterministically from the prompt: it reads the
numbered paragraphs, and starts a chapter where the talk's topic words change.
"""

from __future__ import annotations

import itertools
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mkdocs_yt2doc.document.chapter_plan import max_chapters, wrong_language
from mkdocs_yt2doc.document.llm import LLM, LLMError
from mkdocs_yt2doc.document.topics import llm_topics, offline_topics
from mkdocs_yt2doc.records.document import Paragraph
from mkdocs_yt2doc.records.settings import LLMSettings
from tests.conftest import PluginLog, build_site, write_site
from tests.fake_ollama import FakeOllama
from tests.htmlpage import read_page

DATA = Path(__file__).parent / "data"

# The three topics of the test talk, and words that only one of them uses.
TOPICS = {
    "starter": {"starter", "yeast", "jar", "feed", "feeding", "flour", "water", "week"},
    "shaping": {"dough", "knead", "kneading", "shape", "shaping", "fold", "stretch", "basket"},
    "baking": {"steam", "oven", "crust", "bake", "baking", "pot", "lid", "loaf"},
}
TITLES = {"starter": "Keeping a starter", "shaping": "Kneading and shaping",
          "baking": "Baking with steam"}  # fmt: skip


def topic_of(text: str) -> str:
    words = re.findall(r"[a-z]+", text.lower())
    scores = {name: sum(w in vocab for w in words) for name, vocab in TOPICS.items()}
    return max(scores, key=lambda name: scores[name])


# How the speaker announces a new topic; a good model notices these.
TRANSITION = re.compile(r"^(now,? let us|finally|my (last|final) topic|let us change)", re.I)
TRUTH = [0, 3, 7]  # paragraphs of tests/data/sourdough-at-home.txt that open a topic


def responder(request: dict[str, Any]) -> dict[str, Any]:
    """Answer like a good model would: from the content of the prompt."""
    prompt = request["messages"][-1]["content"]
    numbered = re.findall(r"^\[(\d+)\] \([\d:]+\) (.*)$", prompt, flags=re.MULTILINE)
    if numbered:
        return {"starts": [int(i) for i, text in numbered if int(i) and TRANSITION.match(text)]}
    chapters = re.findall(r"^Chapter \d+ \(from [\d:]+\):\n(.*)$", prompt, flags=re.MULTILINE)
    return {
        "titles": [TITLES[topic_of(text)] for text in chapters],
        "summary": "A talk about sourdough at home. It covers the starter, the dough and the "
        "bake with steam.",
    }


@pytest.fixture
def ollama() -> Iterator[FakeOllama]:
    server = FakeOllama()
    server.responder = responder
    server.start()
    yield server
    server.stop()


def _paragraphs() -> list[Paragraph]:
    """The test talk's reference text, one paragraph a line, timed at 2.6 words a second."""
    lines = [p for p in (DATA / "sourdough-at-home.txt").read_text().split("\n\n") if p.strip()]
    paragraphs, t = [], 0.0
    for line in lines:
        seconds = len(line.split()) / 2.6
        paragraphs.append(Paragraph(t, t + seconds, " ".join(line.split())))
        t += seconds + 1
    return paragraphs


def _settings(ollama: FakeOllama, **changes: Any) -> LLMSettings:
    values = {"model": "test-model", "host": ollama.url, "timeout": 5.0, "retries": 1}
    return LLMSettings(**{**values, **changes})


def test_llm_finds_topics_titles_and_summary_in_two_calls(ollama: FakeOllama) -> None:
    paragraphs = _paragraphs()
    llm = LLM(_settings(ollama), sleep=lambda _: None)
    topics = llm_topics(paragraphs, "en", paragraphs[-1].end, llm)
    assert topics.origin == "llm" and list(topics.starts) == TRUTH
    assert topics.titles == ("Keeping a starter", "Kneading and shaping", "Baking with steam")
    assert topics.summary and topics.summary.startswith("A talk about sourdough")
    assert topics.calls == 2 == len(ollama.requests)
    assert topics.prompt_tokens > 0
    first = ollama.requests[0]
    assert first["format"]["required"] == ["starts"]  # the schema went as `format`
    assert first["options"]["temperature"] == 0 and first["options"]["seed"] == 42
    assert first["options"]["num_ctx"] >= 2048
    assert first["stream"] is False


def test_openai_compatible_api(ollama: FakeOllama) -> None:
    llm = LLM(_settings(ollama, api="openai"), sleep=lambda _: None)
    paragraphs = _paragraphs()
    topics = llm_topics(paragraphs, "en", paragraphs[-1].end, llm)
    assert list(topics.starts) == TRUTH and topics.calls == 2 and topics.prompt_tokens > 0
    schema = ollama.requests[0]["response_format"]["json_schema"]["schema"]
    assert schema["required"] == ["starts"] and ollama.requests[0]["temperature"] == 0


def test_long_talks_go_in_overlapping_windows(ollama: FakeOllama) -> None:
    paragraphs = _paragraphs() * 6  # ~19 minutes
    t, timed = 0.0, []
    for p in paragraphs:
        timed.append(Paragraph(t, t + (p.end - p.start), p.text))
        t += p.end - p.start + 1
    llm = LLM(_settings(ollama, context=2048 + 1500), sleep=lambda _: None)
    topics = llm_topics(timed, "en", t, llm)
    assert topics.calls > 2  # several windows, then one call for titles
    windows = [r for r in ollama.requests if r["format"]["required"] == ["starts"]]
    seen = [set(map(int, re.findall(r"^\[(\d+)\]", r["messages"][-1]["content"], re.M)))
            for r in windows]  # fmt: skip
    assert all(a & b for a, b in itertools.pairwise(seen))  # they overlap
    assert set().union(*seen) == set(range(len(timed)))
    assert topics.starts == tuple(sorted(set(topics.starts)))
    assert 3 <= len(topics.starts) <= max_chapters(t, llm.settings) == len(topics.titles)


@pytest.mark.parametrize(
    ("faults", "expect_calls", "accepted"),
    [
        (["wrapped"], 2, True),  # {"Result": {...}} is unwrapped (yt2doc issue #53)
        (["http500"], 3, True),  # one retry, then fine
        (["http500", "http500"], 2, False),
        (["invalid_json", "invalid_json"], 2, False),
        (["truncated", "empty"], 2, False),
    ],
)
@pytest.mark.reliability("fault")
def test_faults_are_retried_then_reported(
    ollama: FakeOllama, faults: list[str], expect_calls: int, accepted: bool
) -> None:
    ollama.faults = list(faults)
    llm = LLM(_settings(ollama), sleep=lambda _: None)
    paragraphs = _paragraphs()
    if accepted:
        assert llm_topics(paragraphs, "en", paragraphs[-1].end, llm).origin == "llm"
        assert ollama.chat_calls == expect_calls
    else:
        with pytest.raises(LLMError, match="after 2 attempts"):
            llm_topics(paragraphs, "en", paragraphs[-1].end, llm)
        assert ollama.chat_calls == expect_calls


@pytest.mark.reliability("fault")
def test_slow_server_times_out(ollama: FakeOllama) -> None:
    ollama.always_fault = "slow"
    ollama.slow_seconds = 1.5
    llm = LLM(_settings(ollama, timeout=0.5, retries=0), sleep=lambda _: None)
    with pytest.raises(LLMError, match="cannot reach"):
        llm_topics(_paragraphs(), "en", 180.0, llm)


@pytest.mark.reliability("fault", 2)
def test_out_of_range_and_wrong_language_answers_are_repaired(ollama: FakeOllama) -> None:
    def sloppy(request: dict[str, Any]) -> dict[str, Any]:
        answer = responder(request)
        return {"starts": [*answer["starts"], 99]} if "starts" in answer else answer

    ollama.responder = sloppy  # one number past the last paragraph: dropped, the rest kept
    llm = LLM(_settings(ollama), sleep=lambda _: None)
    paragraphs = _paragraphs()
    topics = llm_topics(paragraphs, "en", paragraphs[-1].end, llm)
    assert list(topics.starts) == TRUTH and topics.titles == tuple(TITLES.values())
    assert topics.repairs == ("1 paragraph number(s) outside the talk dropped",)

    def german(request: dict[str, Any]) -> dict[str, Any]:
        answer = responder(request)
        if "titles" in answer:
            names = ["Der Sauerteig", "Das Kneten", "Das Backen"]
            answer = {"titles": names[: len(answer["titles"])],
                      "summary": "Ein Vortrag über den Sauerteig und das Backen mit Dampf, "
                      "der die Grundlagen zeigt und nicht schwer ist."}  # fmt: skip
        return answer

    ollama.responder = german  # titles asked twice, then made offline; the starts are kept
    ollama.reset()
    llm = LLM(_settings(ollama), sleep=lambda _: None)
    topics = llm_topics(paragraphs, "en", paragraphs[-1].end, llm)
    assert topics.origin == "llm" and list(topics.starts) == TRUTH and ollama.chat_calls == 3
    assert "Der Sauerteig" not in topics.titles and len(set(topics.titles)) == 3
    assert "written in German, not English" in topics.repairs[0]
    assert "chapter starts are kept, titled offline" in topics.repairs[0]
    assert topics.summary and wrong_language(topics.summary, "en") is None


@pytest.mark.reliability("fault", 2)
def test_unknown_model_and_dead_host_are_clear(ollama: FakeOllama) -> None:
    llm = LLM(_settings(ollama, model="no-such-model", retries=0), sleep=lambda _: None)
    with pytest.raises(LLMError, match=r"not on the Ollama server.*run `ollama pull no-such"):
        llm_topics(_paragraphs(), "en", 180.0, llm)
    assert ollama.chat_calls == 1  # a missing model is not asked again
    dead = LLM(LLMSettings(model="m", host="http://127.0.0.1:9", retries=0, timeout=2))
    with pytest.raises(LLMError, match=r"cannot reach http://127\.0\.0\.1:9"):
        llm_topics(_paragraphs(), "en", 180.0, dead)


def test_offline_segmenter_finds_the_topics() -> None:
    paragraphs = _paragraphs()
    topics = offline_topics(paragraphs, paragraphs[-1].end, LLMSettings())
    assert topics.origin == "offline" and len(topics.starts) >= 2
    assert all(any(abs(s - t) <= 1 for t in TRUTH) for s in topics.starts[1:])
    assert all(title for title in topics.titles)


def test_wrong_language_detector() -> None:
    assert wrong_language("The starter and the dough are in the jar.", "en") is None
    assert wrong_language("Der Teig und die Hefe sind nicht mit dem Wasser.", "en") == "de"
    assert wrong_language("anything", "ja") is None  # no word list: no opinion


# -- through the whole pipeline ----------------------------------------------------------------


TALKS = {"talks": [{"url": "talk.opus", "title": "Sourdough at home"}]}


@pytest.fixture(scope="module")
def transcribed(tmp_path_factory: pytest.TempPathFactory, whisper_model: str) -> Path:
    """The test talk transcribed once (real tiny.en) for this module's builds."""
    project = tmp_path_factory.mktemp("transcribed")
    shutil.copy(DATA / "sourdough-at-home.opus", project / "talk.opus")
    build_site(write_site(project, TALKS, whisper={"model": whisper_model, "language": "en"}))
    return project


@pytest.fixture
def talk_site(tmp_path: Path, transcribed: Path, whisper_model: str, ollama: FakeOllama) -> Path:
    """A site whose talk has a transcript in the cache, and an LLM on the fake server."""
    project = tmp_path / "p"
    project.mkdir()
    shutil.copy(transcribed / "talk.opus", project / "talk.opus")
    for source in (transcribed / ".yt2doc").glob("*/*.json"):
        if source.name in ("media.json", "transcript.json"):
            target = project / ".yt2doc" / source.parent.name / source.name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, target)
    llm = {"model": "test-model", "host": ollama.url, "retries": 1, "timeout": 10}
    write_site(project, TALKS, whisper={"model": whisper_model, "language": "en"}, llm=llm)
    return project


def _document(project: Path) -> dict[str, Any]:
    return dict(json.loads(next((project / ".yt2doc").glob("*/document.json")).read_text()))


def test_pipeline_chapters_a_multi_topic_talk_with_the_llm(
    talk_site: Path, ollama: FakeOllama, plugin_log: PluginLog
) -> None:
    build_site(talk_site / "mkdocs.yml", strict=True)
    document = _document(talk_site)
    assert document["chapter_origin"] == "llm"
    assert [c["title"] for c in document["chapters"]] == list(TITLES.values())
    # the reference topic changes are at 63.0 and 130.2 s: found within one paragraph
    starts = [document["paragraphs"][c["first_paragraph"]]["start"] for c in document["chapters"]]
    paragraph_starts = [p["start"] for p in document["paragraphs"]]
    for truth, found in zip([63.0, 130.2], starts[1:], strict=True):
        nearest = min(range(len(paragraph_starts)), key=lambda i: abs(paragraph_starts[i] - truth))
        assert abs(paragraph_starts.index(found) - nearest) <= 1
    topics = json.loads(next((talk_site / ".yt2doc").glob("*/topics.json")).read_text())
    assert topics["calls"] == 2 and topics["settings"]["model"] == "test-model"
    page = talk_site / "site" / "talks" / "sourdough-at-home" / "index.html"
    html = page.read_text()
    assert 'content="A talk about sourdough at home' in html  # the summary as description
    contents = [a.text for a in read_page(page).contents if a.href.startswith("#")]
    assert contents == list(TITLES.values())
    index = (talk_site / "site" / "talks" / "index.html").read_text()
    assert "A talk about sourdough at home" in index
    # a second build asks the LLM nothing
    calls = ollama.chat_calls
    build_site(talk_site / "mkdocs.yml", strict=True)
    assert ollama.chat_calls == calls
    assert plugin_log.warnings == []


@pytest.mark.reliability("fault")
@pytest.mark.parametrize("fault", ["http500", "invalid_json", "slow"])
def test_every_llm_fault_ends_in_a_page_and_a_warning(
    talk_site: Path, ollama: FakeOllama, plugin_log: PluginLog, fault: str
) -> None:
    ollama.always_fault = fault
    ollama.slow_seconds = 12  # past the 10 s timeout
    if fault == "slow":
        config = talk_site / "mkdocs.yml"
        config.write_text(config.read_text().replace("timeout: 10", "timeout: 1"))
    build_site(talk_site / "mkdocs.yml")
    document = _document(talk_site)
    assert document["chapter_origin"] in ("offline", "single")
    warnings = [w for w in plugin_log.warnings if "LLM chaptering failed" in w]
    assert len(warnings) == 1 and "'Sourdough at home' (talks.yml:2)" in warnings[0]
    assert (talk_site / "site" / "talks" / "sourdough-at-home" / "index.html").is_file()


def test_changing_the_llm_is_reported_and_redone_only_on_request(
    talk_site: Path, ollama: FakeOllama
) -> None:
    from tests.test_cli import cli, status_table

    ollama.models.append("other-model:latest")
    build_site(talk_site / "mkdocs.yml", strict=True)
    config = talk_site / "mkdocs.yml"
    config.write_text(config.read_text().replace("model: test-model", "model: other-model"))
    status = cli("status", cwd=talk_site)
    assert status_table(status.stdout) == {"sourdough-at-home": "other settings"}
    assert "chapters by LLM 'test-model', now 'other-model'" in status.stdout
    calls = ollama.chat_calls
    build_site(config, strict=True)  # a build does not redo it
    assert ollama.chat_calls == calls
    transcript = next((talk_site / ".yt2doc").glob("*/transcript.json"))
    stamp = transcript.stat().st_mtime_ns
    run = cli("prefetch", "--refresh-structure", cwd=talk_site)
    assert run.returncode == 0, run.stderr
    assert ollama.chat_calls == calls + 2  # boundaries and titles, nothing else
    assert transcript.stat().st_mtime_ns == stamp  # not transcribed again
    topics = json.loads(next((talk_site / ".yt2doc").glob("*/topics.json")).read_text())
    assert topics["settings"]["model"] == "other-model"
    assert status_table(cli("status", cwd=talk_site).stdout)["sourdough-at-home"] == "cached"


@pytest.mark.reliability("input")
def test_a_model_not_pulled_is_found_before_the_first_talk(
    talk_site: Path, ollama: FakeOllama, plugin_log: PluginLog
) -> None:
    config = talk_site / "mkdocs.yml"
    config.write_text(config.read_text().replace("model: test-model", "model: llama9:70b"))
    build_site(config)
    assert ollama.chat_calls == 0  # found by asking for the model, not by chatting
    (warning,) = plugin_log.warnings
    assert "model 'llama9:70b' is not on the Ollama server at http://127.0.0.1:" in warning
    assert "run `ollama pull llama9:70b`" in warning and "found offline" in warning
    assert _document(talk_site)["chapter_origin"] in ("offline", "single")
