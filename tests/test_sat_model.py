"""wtpsplit's real SaT code path, offline, on the tiny synthetic model of tests/sat_model.py."""

from __future__ import annotations

import socket
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.sat_model import ELSEWHERE, PARAGRAPH_END, SENTENCE_END, build_tiny_sat, tokens_of

TEXT = "The starter needs flour. It needs water. Is it alive? Bread needs heat. Is it done?"
# SaT keeps the whitespace after a boundary at the end of the sentence before it, so the
# pieces join back to the text; the last piece has none.
SENTENCES = [
    "The starter needs flour. ",
    "It needs water. ",
    "Is it alive? ",
    "Bread needs heat. ",
    "Is it done?",
]
PARAGRAPHS = [SENTENCES[:3], SENTENCES[3:]]
CPU = ["CPUExecutionProvider"]


def _load(model_dir: Path, tok_dir: Path) -> Any:
    from wtpsplit import SaT

    return SaT(str(model_dir), tokenizer_name_or_path=str(tok_dir), ort_providers=CPU)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    # SaT's default sentence threshold here is 0.025 (or 0.25 should the temporary path hold "sm").
    return build_tiny_sat(tmp_path_factory.mktemp("tiny"), [TEXT])


@pytest.fixture(scope="module")
def sat(tiny: tuple[Path, Path]) -> Any:
    return _load(*tiny)


def _offline(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError("network access in an offline test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def test_tokenizer_cuts_punctuation_off_words() -> None:
    assert tokens_of(["flour.", "Is it alive?"]) == [".", "?", "alive", "flour", "is", "it"]


def test_onnx_session_takes_what_wtpsplit_feeds(sat: Any) -> None:
    session = sat.model.ort_session
    assert [(i.name, i.type) for i in session.get_inputs()] == [
        ("input_ids", "tensor(int64)"),
        ("attention_mask", "tensor(float16)"),
    ]
    assert [o.name for o in session.get_outputs()] == ["logits"]
    assert sat.model.config.model_type == "xlm-token" and sat.model.config.num_labels == 1
    tokenizer = sat.tokenizer
    assert (tokenizer.cls_token_id, tokenizer.pad_token_id, tokenizer.sep_token_id) == (0, 1, 2)


def test_newline_probability_sits_on_the_last_character_of_each_token(sat: Any) -> None:
    probabilities = sat.predict_proba(TEXT)
    assert probabilities.shape == (len(TEXT),)
    spans = sat.tokenizer(TEXT, return_offsets_mapping=True, add_special_tokens=False)
    ends = {end - 1 for _, end in spans["offset_mapping"]}
    expected = np.zeros(len(TEXT))  # sigmoid(-inf): characters inside a token or spaces
    for i in ends:
        expected[i] = {".": SENTENCE_END, "?": PARAGRAPH_END}.get(TEXT[i], ELSEWHERE)
    assert len(ends) == 21
    # The logits pass through float16 in wtpsplit: about 3 significant digits.
    np.testing.assert_allclose(probabilities, expected, rtol=0.01, atol=1e-6)


def test_paragraphs_end_at_question_marks_and_sentences_at_periods(sat: Any) -> None:
    assert sat.split(TEXT, do_paragraph_segmentation=True) == PARAGRAPHS
    assert sat.split(TEXT, do_paragraph_segmentation=True, paragraph_threshold=0.99) == [SENTENCES]
    stripped = sat.split(TEXT, do_paragraph_segmentation=True, strip_whitespace=True)
    assert stripped == [[s.strip() for s in p] for p in PARAGRAPHS]


def test_plain_sentence_splitting(sat: Any) -> None:
    assert sat.split(TEXT) == SENTENCES
    assert sat.split(TEXT, threshold=0.5) == ["".join(SENTENCES[:3]), "".join(SENTENCES[3:])]
    assert sat.split(TEXT, threshold=0.99) == [TEXT]
    assert list(sat.split([TEXT, "Is it done? It is."])) == [SENTENCES, ["Is it done? ", "It is."]]


def test_unknown_words_become_unk_and_still_split(sat: Any) -> None:
    text = "Zymurgy rocks. Gluten forms? Yes."
    assert sat.tokenizer.tokenize("Zymurgy rocks.") == ["<unk>", "<unk>", "."]
    assert sat.split(text, do_paragraph_segmentation=True) == [
        ["Zymurgy rocks. ", "Gluten forms? "],
        ["Yes."],
    ]


def test_text_longer_than_one_block_is_chunked_and_stitched(sat: Any) -> None:
    # 21 tokens a copy: 50 copies are 1050 tokens, several 510-token chunks 64 tokens apart.
    text = " ".join([TEXT] * 50)
    assert len(sat.tokenizer.tokenize(text)) == 1050
    paragraphs = sat.split(text, do_paragraph_segmentation=True)
    assert len(paragraphs) == 100
    assert "".join(s for p in paragraphs for s in p) == text
    assert paragraphs[:2] == [SENTENCES[:3], [*SENTENCES[3:4], SENTENCES[4] + " "]]
    assert all(len(p) in (2, 3) for p in paragraphs)


def test_a_model_path_with_sm_raises_the_default_threshold_and_splits_the_same(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    # SaT picks its default sentence threshold from the model *string*: 0.25 when it contains
    # "sm" (anywhere in a local path), else 0.025. The tiny model's 0.3 clears both.
    model_dir, tok_dir = build_tiny_sat(tmp_path_factory.mktemp("sat-sm"), [TEXT])
    assert "sm" in str(model_dir)
    sat = _load(model_dir, tok_dir)
    assert sat.split(TEXT, do_paragraph_segmentation=True) == PARAGRAPHS
    assert sat.split(TEXT) == SENTENCES


def test_loads_and_splits_offline_and_fast(
    tiny: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    import wtpsplit  # noqa: F401  (a one-off import of several seconds, not timed)

    _offline(monkeypatch)
    started = time.perf_counter()
    sat = _load(*tiny)
    loaded = time.perf_counter()
    assert sat.split(TEXT, do_paragraph_segmentation=True) == PARAGRAPHS
    done = time.perf_counter()
    # About 0.1 s load and a few ms split here; the bound leaves room for slow machines.
    assert loaded - started < 3.0 and done - loaded < 1.0, (loaded - started, done - loaded)
