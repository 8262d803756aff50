"""`whisper.backend: whisper.cpp`: real whisper.cpp (pywhispercpp) on tiny.en converted to ggml
by tests/ggml_model.py, against faster-whisper on the same weights and the same speech."""

from __future__ import annotations

import difflib
import hashlib
import json
import shutil
import socket
import sys
from pathlib import Path

import pytest

from mkdocs_yt2doc.document.paragraphs import Paragrapher
from mkdocs_yt2doc.records.settings import ParagraphSettings, WhisperSettings
from mkdocs_yt2doc.records.transcript import Transcript
from mkdocs_yt2doc.transcribe.backend import make_transcriber
from mkdocs_yt2doc.transcribe.ggml_file import read_ggml
from mkdocs_yt2doc.transcribe.whisper import TranscribeError
from mkdocs_yt2doc.transcribe.whisper_cpp import CppTranscriber
from tests.conftest import (
    CLIPS,
    PluginLog,
    build_site,
    concatenated_speech,
    copy_clip,
    wer,
    write_site,
)
from tests.test_cli import cli, status_table


@pytest.fixture(scope="module")
def speech(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    return concatenated_speech(tmp_path_factory.mktemp("speech") / "speech.wav")


@pytest.fixture(scope="module")
def both(speech: tuple[Path, str], whisper_model: str, ggml_model: str) -> dict[str, Transcript]:
    """The same speech through both backends, same weights, greedy, sequential."""
    return {
        backend: make_transcriber(
            WhisperSettings(backend=backend, model=model, beam_size=1, batch_size=0)
        ).transcribe(speech[0])
        for backend, model in (("faster-whisper", whisper_model), ("whisper.cpp", ggml_model))
    }


def _text(transcript: Transcript) -> str:
    return " ".join(s.text for s in transcript.segments)


def test_both_backends_are_equally_accurate(
    both: dict[str, Transcript], speech: tuple[Path, str]
) -> None:
    reference = speech[1]
    cpp, fw = both["whisper.cpp"], both["faster-whisper"]
    assert cpp.language == "en" and cpp.duration == fw.duration
    assert cpp.settings["backend"] == "whisper.cpp" and "pywhispercpp" in cpp.versions
    assert fw.settings["backend"] == "faster-whisper"
    words = cpp.words
    assert len(words) > 50
    assert all(w.start <= w.end for w in words)
    assert [w.start for w in words] == sorted(w.start for w in words)
    assert words[-1].end <= cpp.duration + 0.5
    assert all(0 < w.probability <= 1 for w in words)
    cpp_wer, fw_wer = wer(reference, _text(cpp)), wer(reference, _text(fw))
    assert cpp_wer <= 0.15, _text(cpp)
    assert abs(cpp_wer - fw_wer) <= 0.03, (cpp_wer, fw_wer)


def test_paragraph_times_agree_within_a_second(both: dict[str, Transcript]) -> None:
    # short paragraphs, so that the 25 s of speech makes several to compare
    paragrapher = Paragrapher(ParagraphSettings(sat_model=None, target_words=15))
    starts = {
        backend: [p.start for p in paragrapher.paragraphs(t.words)[0]]
        for backend, t in both.items()
    }
    assert len(starts["whisper.cpp"]) >= 3
    assert len(starts["whisper.cpp"]) == len(starts["faster-whisper"]), starts
    for cpp, fw in zip(starts["whisper.cpp"], starts["faster-whisper"], strict=True):
        assert abs(cpp - fw) <= 1.0, starts
    # each word both heard, where faster-whisper hears it (whisper.cpp's token timestamps)
    cpp_words, fw_words = both["whisper.cpp"].words, both["faster-whisper"].words
    matcher = difflib.SequenceMatcher(
        a=[w.text for w in cpp_words], b=[w.text for w in fw_words], autojunk=False
    )
    pairs = [
        (cpp_words[block.a + k], fw_words[block.b + k])
        for block in matcher.get_matching_blocks()
        for k in range(block.size)
    ]
    assert len(pairs) >= 0.9 * len(fw_words)
    offsets = sorted(abs(a.start - b.start) for a, b in pairs)
    assert offsets[-1] <= 1.0 and offsets[len(offsets) // 2] <= 0.3, offsets


def test_glossary_and_prompt_go_to_whisper_cpp(ggml_model: str) -> None:
    transcriber = CppTranscriber(
        WhisperSettings(backend="whisper.cpp", model=ggml_model, beam_size=1)
    )
    terms = tuple(f"Term{i} Dashwood" for i in range(60))  # more than the 223-token window
    transcript = transcriber.transcribe(CLIPS[0], glossary=terms)
    assert transcript.settings["glossary"] == list(terms)
    left_out = transcript.settings["glossary_left_out"]
    assert 0 < len(left_out) < len(terms) and left_out == list(terms[-len(left_out) :])
    assert "Dashwood" in _text(transcript)
    # the talk's language is forced "en" on an English-only model, as faster-whisper does
    german = transcriber.transcribe(CLIPS[0], language="de")
    assert german.language == "en" and german.settings["language"] == "de"


def test_token_count_agrees_with_the_bpe_tokenizer(ggml_model: str, whisper_model: str) -> None:
    from tokenizers import Tokenizer

    model = read_ggml(Path(ggml_model))
    assert model.hparams["n_audio_layer"] == 4 and not model.multilingual
    hf = Tokenizer.from_file(str(Path(whisper_model) / "tokenizer.json"))
    for text in (" Dashwood, Norland Park", " it's 2026: PyCon!", " hello world"):
        assert model.token_count(text) == len(hf.encode(text, add_special_tokens=False).ids)


def test_a_page_is_built_from_either_backend_and_status_tells_them_apart(
    tmp_path: Path, whisper_model: str, ggml_model: str, speech: tuple[Path, str]
) -> None:
    talks = {"talks": [{"url": "talk.wav", "title": "The reading"}]}
    paragraphs = {"sat_model": False, "target_words": 15}
    pages = {}
    for backend, model in (("faster-whisper", whisper_model), ("whisper.cpp", ggml_model)):
        project = tmp_path / backend
        project.mkdir()
        shutil.copy(speech[0], project / "talk.wav")
        whisper = {"backend": backend, "model": model, "beam_size": 1}
        build_site(write_site(project, talks, whisper=whisper, paragraphs=paragraphs))
        folder = project / "site" / "talks" / "the-reading"
        assert 'id="t0"' in (folder / "index.html").read_text()
        pages[backend] = json.loads((folder / "the-reading.json").read_text())["paragraphs"]
        text = " ".join(p["text"] for p in pages[backend])
        assert wer(speech[1], text) <= 0.15, (backend, text)
    cpp, fw = ([p["start"] for p in pages[b]] for b in ("whisper.cpp", "faster-whisper"))
    assert len(cpp) >= 3 and len(cpp) == len(fw), (cpp, fw)
    assert all(abs(a - b) <= 1.0 for a, b in zip(cpp, fw, strict=True)), (cpp, fw)
    # the whisper.cpp transcript read with faster-whisper settings: made by another backend
    project = tmp_path / "whisper.cpp"
    write_site(project, talks, whisper={"model": ggml_model, "beam_size": 1}, paragraphs=paragraphs)
    run = cli("status", cwd=project)
    assert run.returncode == 0, run.stderr
    assert status_table(run.stdout) == {"the-reading": "other settings"}
    assert "backend: 'whisper.cpp' -> 'faster-whisper'" in run.stdout


# -- bad input -------------------------------------------------------------------------------


def _error(settings: WhisperSettings, audio: Path) -> str:
    transcriber = make_transcriber(settings)
    with pytest.raises(TranscribeError) as first:
        transcriber.transcribe(audio)
    with pytest.raises(TranscribeError) as second:
        transcriber.transcribe(audio)
    assert second.value is first.value  # loaded once, failed once
    return str(first.value)


@pytest.mark.reliability("input")
def test_without_pywhispercpp_the_error_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, ggml_model: str, speech: tuple[Path, str]
) -> None:
    for name in ("pywhispercpp", "pywhispercpp.model", "_pywhispercpp"):
        monkeypatch.setitem(sys.modules, name, None)  # what an import of a missing one does
    message = _error(WhisperSettings(backend="whisper.cpp", model=ggml_model), speech[0])
    assert 'pip install "mkdocs-yt2doc[whispercpp]"' in message


_VOCAB = 4 + 11 * 4 + 8 + 4 * 80 * 201 + 4  # magic, hparams, mel filters, token count


def _damaged(folder: Path, ggml_model: str) -> dict[str, tuple[Path, str]]:
    """Files whisper.cpp would load as an empty model, abort on, or run out of memory on."""
    data = Path(ggml_model).read_bytes()
    cases = {
        "missing": (folder / "ggml-gone.bin", "does not exist"),
        "folder": (folder, "is a folder"),
        "truncated in the weights": (len(data) // 2, "truncated"),
        "truncated in the vocabulary": (200_000, "truncated"),
        "not a model": (b"<html>404 Not Found</html>" * 10, "wrong magic number"),
        "absurd sizes": (data[:4] + b"\xff\xff\xff\x7f" * 11 + data[48:], "n_vocab is"),
        "damaged vocabulary": (data[:_VOCAB] + b"\xff\xff\xff\x7f" + data[_VOCAB + 4 :], "token 0"),
    }
    files = {}
    for label, (content, expected) in cases.items():
        path = folder / f"{label.replace(' ', '-')}.bin"
        if isinstance(content, Path):
            path = content
        elif isinstance(content, int):
            path.write_bytes(data[:content])
        else:
            path.write_bytes(content)
        files[label] = (path, expected)
    return files


@pytest.mark.reliability("input", 7)
def test_damaged_ggml_files_are_clear_errors(
    tmp_path: Path, ggml_model: str, speech: tuple[Path, str]
) -> None:
    for label, (path, expected) in _damaged(tmp_path, ggml_model).items():
        message = _error(WhisperSettings(backend="whisper.cpp", model=str(path)), speech[0])
        assert expected in message and str(path.name) in message, (label, message)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.reliability("input", 2)
def test_a_model_name_without_network_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, speech: tuple[Path, str]
) -> None:
    from pywhispercpp import constants

    models = tmp_path / "models"
    monkeypatch.setattr(constants, "MODELS_DIR", models)
    proxy = f"http://127.0.0.1:{_closed_port()}"  # the download goes nowhere but loopback
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"):
        monkeypatch.setenv(name, proxy)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    message = _error(WhisperSettings(backend="whisper.cpp", model="tiny.en"), speech[0])
    assert "cannot download whisper.cpp model 'tiny.en'" in message
    assert "path of a ggml model file" in message
    assert not any(models.glob("*.bin"))  # no half model left to load next time
    unknown = _error(WhisperSettings(backend="whisper.cpp", model="large-v9"), speech[0])
    assert "'large-v9' is unknown" in unknown and "large-v3-turbo" in unknown


def _digests(cache: Path) -> dict[str, str]:
    return {
        str(p.relative_to(cache)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(cache.rglob("*"))
        if p.is_file()
    }


@pytest.mark.reliability("input")
def test_a_broken_model_in_a_build_names_the_talk_and_keeps_the_cache(
    tmp_path: Path, whisper_model: str, ggml_model: str, plugin_log: PluginLog
) -> None:
    project = tmp_path / "p"
    copy_clip(0, project / "old.wav")
    copy_clip(1, project / "new.wav")
    old = {"url": "old.wav", "title": "Old talk"}
    build_site(write_site(project, {"talks": [old]}, whisper={"model": whisper_model}))
    cache = project / ".yt2doc"
    before = _digests(cache)
    broken = tmp_path / "ggml-cut.bin"
    broken.write_bytes(Path(ggml_model).read_bytes()[:1_000_000])
    talks = {"talks": [old, {"url": "new.wav", "title": "New talk"}]}
    whisper = {"backend": "whisper.cpp", "model": str(broken)}
    build_site(write_site(project, talks, whisper=whisper))
    warnings = [w for w in plugin_log.warnings if "New talk" in w]
    assert warnings and "truncated" in warnings[0] and "ggml-cut.bin" in warnings[0], warnings
    after = _digests(cache)
    assert {k: v for k, v in after.items() if k in before} == before
    assert "Old talk" in (project / "site" / "talks" / "old-talk" / "index.html").read_text()
