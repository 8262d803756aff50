"""Paragraphs from wtpsplit's real SaT code path (on a tiny synthetic model) and the fallback."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from mkdocs_yt2doc.document.paragraphs import PAUSES, Paragrapher
from mkdocs_yt2doc.records.settings import ParagraphSettings
from mkdocs_yt2doc.records.transcript import Word
from tests.conftest import PluginLog, build_site, copy_clip, write_site
from tests.sat_model import build_tiny_sat

TEXT = (
    "The starter needs flour. It needs water, every day. Is it alive? "
    "Bread needs heat. The crust needs steam. Is it done? Let it cool."
)


def _words(text: str) -> list[Word]:
    """Words as Whisper gives them: leading space, punctuation attached, 0.4 s apart."""
    return [Word(i * 0.4, i * 0.4 + 0.3, " " + w, 0.9) for i, w in enumerate(text.split())]


@pytest.fixture(scope="module")
def sat(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    vocabulary = re.findall(r"\w+", TEXT + " Mr John Dashwood had then leisure to consider")
    return build_tiny_sat(tmp_path_factory.mktemp("sat"), vocabulary)


def test_sat_paragraphs_map_back_to_word_timestamps(sat: tuple[Path, Path]) -> None:
    model, tokenizer = sat
    settings = ParagraphSettings(sat_model=str(model), sat_tokenizer=str(tokenizer))
    words = _words(TEXT)
    paragraphs, name = Paragrapher(settings).paragraphs(words)
    assert name == f"sat:{model}"
    assert [p.text for p in paragraphs] == [
        "The starter needs flour. It needs water, every day. Is it alive?",
        "Bread needs heat. The crust needs steam. Is it done?",
        "Let it cool.",
    ]
    assert [(p.first_word, p.last_word) for p in paragraphs] == [(0, 11), (12, 21), (22, 24)]
    for paragraph in paragraphs:  # each starts at its first word's time, to the word
        assert paragraph.start == words[paragraph.first_word].start
        assert paragraph.end == words[paragraph.last_word].end


@pytest.mark.reliability("input")
def test_sat_that_cannot_load_falls_back_with_one_warning(
    tmp_path: Path, sat: tuple[Path, Path], plugin_log: PluginLog
) -> None:
    # A model folder without weights. (A model name the hub cannot be asked for fails at
    # once: tests/test_sat_offline.py.)
    empty = tmp_path / "sat-without-weights"
    empty.mkdir()
    settings = ParagraphSettings(sat_model=str(empty), sat_tokenizer=str(sat[1]))
    paragrapher = Paragrapher(settings)
    for _ in range(2):
        paragraphs, name = paragrapher.paragraphs(_words(TEXT))
        assert name == PAUSES and paragraphs
    warnings = [w for w in plugin_log.warnings if "cannot load SaT model" in w]
    assert len(warnings) == 1 and "fall back to sentence ends and pauses" in warnings[0]


def test_a_build_with_sat_records_the_paragrapher(
    tmp_path: Path, sat: tuple[Path, Path], whisper_model: str, plugin_log: PluginLog
) -> None:
    model, tokenizer = sat
    project = tmp_path / "p"
    copy_clip(0, project / "talk.wav")
    config = write_site(
        project,
        {"talks": [{"url": "talk.wav", "title": "Clip"}]},
        whisper={"model": whisper_model, "beam_size": 1},
        paragraphs={"sat_model": str(model), "sat_tokenizer": str(tokenizer)},
    )
    build_site(config, strict=True)
    stored = json.loads(next((project / ".yt2doc").glob("*/paragraphs.json")).read_text())
    assert stored["paragrapher"] == f"sat:{model}"
    assert stored["paragraphs"][0]["text"].startswith("And Mr. John Dashwood")
    assert plugin_log.warnings == []
