"""The transcription stage on real faster-whisper models and real speech."""

from __future__ import annotations

from pathlib import Path

import pytest

from mkdocs_yt2doc.records.settings import WhisperSettings
from mkdocs_yt2doc.records.transcript import Segment
from mkdocs_yt2doc.transcribe.whisper import (
    TranscribeError,
    Transcriber,
    choose_batch_size,
    guard_segments,
    initial_prompt,
)
from tests.conftest import CLIPS, concatenated_speech, reference_text, wer


@pytest.fixture(scope="module")
def speech(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    return concatenated_speech(tmp_path_factory.mktemp("speech") / "speech.wav")


@pytest.mark.parametrize("batch_size", [0, 4])
def test_sequential_and_batched_give_words_and_accuracy(
    whisper_model: str, speech: tuple[Path, str], batch_size: int
) -> None:
    audio, reference = speech
    transcriber = Transcriber(
        WhisperSettings(model=whisper_model, device="auto", batch_size=batch_size, beam_size=1)
    )
    transcript = transcriber.transcribe(audio)
    assert transcriber.device == "cpu" and transcriber.compute_type == "int8"
    assert transcriber.batch_size == batch_size
    words = transcript.words
    assert len(words) > 50
    assert all(w.start <= w.end for w in words)
    assert [w.start for w in words] == sorted(w.start for w in words)
    assert words[-1].end <= transcript.duration + 0.5
    text = " ".join(s.text for s in transcript.segments)
    assert wer(reference, text) <= 0.15, text


def test_language_is_detected_or_forced(multilingual_model: str) -> None:
    audio = CLIPS[0]  # one 7 s sentence: decoding English as German is slow on a CPU
    transcriber = Transcriber(WhisperSettings(model=multilingual_model, beam_size=1))
    detected = transcriber.transcribe(audio)
    assert detected.language == "en" and detected.settings["language"] is None
    assert wer(reference_text(audio), detected.segments[0].text) <= 0.15
    # the talk's language (talks.yml) is forced on the same loaded model
    forced = transcriber.transcribe(audio, language="de")
    assert forced.language == "de" and forced.settings["language"] == "de"
    assert "Dashwood" in forced.segments[0].text and "Mr" in forced.segments[0].text


@pytest.mark.reliability("input")
def test_missing_model_is_a_clear_error_raised_once(
    tmp_path: Path, speech: tuple[Path, str]
) -> None:
    transcriber = Transcriber(WhisperSettings(model=str(tmp_path / "no-such-model")))
    with pytest.raises(TranscribeError, match="cannot load Whisper model") as first:
        transcriber.transcribe(speech[0])
    with pytest.raises(TranscribeError) as second:
        transcriber.transcribe(speech[0])
    assert second.value is first.value  # loaded once, failed once


@pytest.mark.reliability("input")
def test_audio_that_is_not_audio_is_a_clear_error(whisper_model: str, tmp_path: Path) -> None:
    bogus = tmp_path / "talk.mp3"
    bogus.write_text("this is not audio")
    transcriber = Transcriber(WhisperSettings(model=whisper_model))
    with pytest.raises(TranscribeError, match=r"cannot decode the audio of talk\.mp3"):
        transcriber.transcribe(bogus)


def test_batch_size_defaults() -> None:
    assert choose_batch_size(None, "cuda") == 16
    assert choose_batch_size(None, "cpu") == 8
    assert choose_batch_size(1, "cuda") == 1
    assert choose_batch_size(8, "cpu") == 8


def test_prompt_is_cleaned_and_bounded() -> None:
    prompt = initial_prompt(
        "Parsing at scale",
        "Slides: https://example.org/s #pycon 0:00 intro 12:30 parser mail me@example.org "
        + "word " * 400,
        ["Welcome", "The new parser"],
    )
    assert prompt.startswith("Parsing at scale. Welcome. The new parser. Slides:")
    for noise in ("https", "#pycon", "0:00", "12:30", "@"):
        assert noise not in prompt
    assert len(prompt) <= 600


def test_repetition_loops_are_cut() -> None:
    loop = [Segment(float(i), i + 1.0, "Thank you.", ()) for i in range(6)]
    normal = [Segment(10.0, 11.0, "Next point.", ())]
    kept = list(guard_segments([*loop, *normal]))
    assert [s.text for s in kept] == ["Thank you.", "Thank you.", "Next point."]
