"""The offline segmenter on talks the project wrote (tests/data/talks/), read by espeak-ng with
no pause at a topic change: through the whole pipeline (real tiny.en, a real build), and on
the German and French talks with the recording's timing of the script's words."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from mkdocs_yt2doc.document.paragraphs import by_pauses
from mkdocs_yt2doc.document.segmenter import sentences
from mkdocs_yt2doc.document.topics import offline_topics
from mkdocs_yt2doc.records.settings import LLMSettings, ParagraphSettings
from mkdocs_yt2doc.records.transcript import Word
from tests.conftest import build_site, write_site
from tests.htmlpage import read_page
from tests.speech_talks import ESPEAK, SpokenTalk, load, speak

pytestmark = pytest.mark.skipif(ESPEAK is None, reason="espeak-ng is not installed")
TOLERANCE = 15.0  # seconds, as in bench/chapters.py


def matched(found: list[float], truth: tuple[float, ...]) -> int:
    """Reference topic changes (after the first) with a found chapter start within 15 s."""
    return sum(any(abs(f - t) <= TOLERANCE for f in found[1:]) for t in truth[1:])


@pytest.fixture(scope="module")
def spoken_site(tmp_path_factory: pytest.TempPathFactory, whisper_model: str) -> Any:
    """'Scaling language models' (about 6 minutes, four topics) read, transcribed, built."""
    project = tmp_path_factory.mktemp("spoken")
    spoken = speak(load("scaling-language-models"), project / "talk.wav")
    talks = {"talks": [{"url": "talk.wav", "title": "Scaling language models"}]}
    whisper = {"model": whisper_model, "language": "en", "beam_size": 1}
    build_site(write_site(project, talks, whisper=whisper), strict=True)
    return project, spoken


def test_topics_found_in_real_speech_through_the_pipeline(spoken_site: Any) -> None:
    project, spoken = spoken_site
    document = json.loads(next((project / ".yt2doc").glob("*/document.json")).read_text())
    assert document["chapter_origin"] == "offline"
    found = [c["start"] for c in document["chapters"]]
    assert len(found) == len(spoken.starts) and matched(found, spoken.starts) >= 2
    # chapters start at a sentence, inside the pause paragrapher's ~90-word paragraphs
    paragraphs = document["paragraphs"]
    assert all(paragraphs[c["first_paragraph"]]["start"] == c["start"]
               for c in document["chapters"])  # fmt: skip
    titles = [c["title"] for c in document["chapters"]]
    assert len(set(titles)) == len(titles) and not any("," in t for t in titles)
    assert all(t[0].isupper() and len(t) <= 60 for t in titles)
    topics = json.loads(next((project / ".yt2doc").glob("*/topics.json")).read_text())
    assert topics["settings"]["segmenter"] == "sentences-v1" and len(topics["first_words"]) == 4
    page = project / "site" / "talks" / "scaling-language-models" / "index.html"
    summary = document["summary"]
    assert summary and summary.split(".")[0] in page.read_text()  # the page description
    assert [a.text for a in read_page(page).contents if a.href.startswith("#")] == titles


def _script_transcript(spoken: SpokenTalk) -> list[Word]:
    return [Word(w.start, w.end, w.text, 1.0) for w in spoken.words]


@pytest.mark.parametrize(("slug", "expected_words"), [
    ("kaffee", {"Kaffee", "Bohnen", "Espresso", "Strauch", "Röst", "Börse", "Preis"}),
    ("energie-solaire", {"silicium", "Silicium", "panneaux", "Panneaux", "batteries",
                         "Batteries", "chaleur", "toit", "Toit", "sel", "Sel"}),
])  # fmt: skip
def test_german_and_french_talks(tmp_path: Path, slug: str, expected_words: set[str]) -> None:
    spoken = speak(load(slug), tmp_path / f"{slug}.wav")
    words = _script_transcript(spoken)
    paragraphs = by_pauses(words, ParagraphSettings())
    started = time.perf_counter()
    topics = offline_topics(paragraphs, spoken.duration, LLMSettings(), words=words,
                            language=spoken.talk.language)  # fmt: skip
    assert time.perf_counter() - started < 10  # sanity only; bench/chapters.py measures
    found = [words[i].start for i in topics.first_words]
    assert matched(found, spoken.starts) >= len(spoken.starts) - 2
    assert len(set(topics.titles)) == len(topics.titles)
    assert any(any(w in title for w in expected_words) for title in topics.titles)
    assert topics.summary and topics.summary.split()[0][0].isupper()
    text = "".join(w.text for w in words)
    assert all(sentence.strip() in text for sentence in topics.summary.split(". ")[:1])


def test_without_word_timings_chapters_start_at_paragraphs(tmp_path: Path) -> None:
    spoken = speak(load("city-bees"), tmp_path / "bees.wav")
    paragraphs = by_pauses(_script_transcript(spoken), ParagraphSettings())
    untimed = [type(p)(p.start, p.end, p.text) for p in paragraphs]  # no word ranges
    units = sentences(untimed, None)
    assert len(units) > len(untimed) and all(u.first_word == -1 for u in units)
    topics = offline_topics(untimed, spoken.duration, LLMSettings(), language="en")
    assert topics.first_words == () and list(topics.starts) == sorted(set(topics.starts))
    assert 2 <= len(topics.starts) <= 5 and topics.starts[0] == 0


_WITHOUT = """
import sys
sys.modules["wordfreq"] = None  # as in a core install: importing it raises ImportError
from mkdocs.commands.build import build
from mkdocs.config import load_config
build(load_config(sys.argv[1]))
"""


@pytest.mark.reliability("input")
def test_without_the_chapter_libraries_a_talk_is_one_chapter(tmp_path: Path) -> None:
    example = Path(__file__).parent.parent / "example-site"
    project = tmp_path / "example"
    shutil.copytree(example, project, ignore=shutil.ignore_patterns("site"))
    folder = next((project / ".yt2doc").glob("file-small-telescopes-*"))
    for name in ("paragraphs.json", "topics.json", "document.json"):
        (folder / name).unlink()  # a cached transcript whose structure is to be made
    config = project / "mkdocs.yml"
    config.write_text(config.read_text().replace("site_url: !ENV SITE_URL\n", ""))
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "YT2DOC_TRANSCRIBE": "auto"}
    result = subprocess.run([sys.executable, "-c", _WITHOUT, str(config)], env=env,
                            capture_output=True, text=True, timeout=300, check=True)  # fmt: skip
    assert result.stderr.count("finding chapters needs wordfreq") == 1
    assert 'pip install "mkdocs-yt2doc[transcribe]"' in result.stderr
    assert not (folder / "topics.json").exists()  # nothing degraded is kept
    document = json.loads((folder / "document.json").read_text())
    assert document["chapter_origin"] == "single"
    assert (project / "site" / "talks" / "small-telescopes" / "index.html").is_file()
