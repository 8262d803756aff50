"""The default SaT model on a machine that cannot reach the hub: no wait, advice that works.

The hub's address is a closed port on loopback (huggingface_hub's HF_ENDPOINT, set on its
constants since the library reads the variable once, at import), its cache an empty folder.
Every name lookup and connection the build makes is recorded by an audit hook: the only one
allowed is the check that finds the hub unreachable.
"""

from __future__ import annotations

import shutil
import socket
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from mkdocs_yt2doc.document.paragraphs import PAUSES, Paragrapher
from mkdocs_yt2doc.records.settings import ParagraphSettings
from mkdocs_yt2doc.records.transcript import Word
from tests.conftest import PluginLog, build_site, copy_clip, write_site
from tests.sat_model import build_tiny_sat

_EVENTS: list[tuple[str, Any]] | None = None  # network events, while a test records them


def _hook(event: str, args: tuple[Any, ...]) -> None:
    if _EVENTS is not None and event in ("socket.connect", "socket.getaddrinfo"):
        address = args[1] if event == "socket.connect" else args[:2]
        _EVENTS.append((event, tuple(address) if isinstance(address, tuple) else address))


sys.addaudithook(_hook)  # hooks cannot be removed: it records only inside `network`


@pytest.fixture
def network() -> Iterator[list[tuple[str, Any]]]:
    global _EVENTS
    _EVENTS = []
    try:
        yield _EVENTS
    finally:
        _EVENTS = None


def _closed_port() -> int:
    with socket.socket() as probe:  # bound, never listening: a connection is refused
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def no_hub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[int, Path]:
    from huggingface_hub import constants

    port = _closed_port()
    cache = tmp_path / "hf-cache"
    cache.mkdir()
    monkeypatch.setattr(constants, "ENDPOINT", f"http://127.0.0.1:{port}")
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(cache))
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    return port, cache


def _words(text: str) -> list[Word]:
    return [Word(i * 0.4, i * 0.4 + 0.3, " " + w, 0.9) for i, w in enumerate(text.split())]


def test_default_sat_without_the_hub_falls_back_at_once_with_advice_that_works(
    tmp_path: Path,
    whisper_model: str,
    plugin_log: PluginLog,
    no_hub: tuple[int, Path],
    network: list[tuple[str, Any]],
) -> None:
    port, _ = no_hub
    project = tmp_path / "p"
    copy_clip(0, project / "talk.wav")
    talks = {"talks": [{"url": "talk.wav", "title": "Clip"}]}
    config = write_site(
        project, talks, whisper={"model": whisper_model, "beam_size": 1}, paragraphs={}
    )
    build_site(config)
    # one connection, refused on loopback; no lookup or connection anywhere else
    assert [e for e in network if e[0] == "socket.connect"] == [
        ("socket.connect", ("127.0.0.1", port))
    ]
    assert {e[1][0] for e in network} == {"127.0.0.1"}, network
    [warning] = [w for w in plugin_log.warnings if "SaT" in w]
    assert "cannot load SaT model 'sat-3l-sm': it is not in the Hugging Face cache" in warning
    assert f"the hub cannot be reached (127.0.0.1:{port}: Connection refused)" in warning
    assert "set `sat_model: false` under `paragraphs:`" in warning
    page = (project / "site" / "talks" / "clip" / "index.html").read_text()
    assert 'class="yt2doc-p"' in page

    # the advice, followed: the same site passes --strict with no word of SaT
    plugin_log.records.clear()
    network.clear()
    config = write_site(project, talks, whisper={"model": whisper_model, "beam_size": 1},
                        paragraphs={"sat_model": False})  # fmt: skip
    shutil.rmtree(project / ".yt2doc")
    build_site(config, strict=True)
    assert not [w for w in plugin_log.warnings if "SaT" in w]
    assert network == []


@pytest.mark.parametrize("written", ["null", "false", "~"])
def test_sat_model_null_means_false(
    tmp_path: Path, written: str, plugin_log: PluginLog, network: list[tuple[str, Any]]
) -> None:
    from mkdocs_yt2doc.cli import _settings

    project = tmp_path / "p"
    config = write_site(project, {"talks": []})
    data = yaml.safe_load(config.read_text())
    data["plugins"][1]["yt2doc"]["paragraphs"] = {}
    text = yaml.safe_dump(data, sort_keys=False).replace(
        "paragraphs: {}", f"paragraphs:\n      sat_model: {written}"
    )
    config.write_text(text)
    settings = _settings(str(config))[0]
    assert settings.paragraphs.sat_model is None
    paragraphs, name = Paragrapher(settings.paragraphs).paragraphs(_words("One. Two."))
    assert name == PAUSES and [p.text for p in paragraphs] == ["One. Two."]
    assert network == [] and not plugin_log.warnings


def _hub_copy(cache: Path, repo: str, files: Path) -> None:
    """A model laid out as the hub's client caches it: refs/main -> snapshots/<commit>."""
    folder = cache / f"models--{repo.replace('/', '--')}"
    commit = "0123456789abcdef0123456789abcdef01234567"
    (folder / "refs").mkdir(parents=True)
    (folder / "refs" / "main").write_text(commit)
    shutil.copytree(files, folder / "snapshots" / commit)


def test_a_cached_hub_model_loads_without_any_connection(
    tmp_path: Path, no_hub: tuple[int, Path], network: list[tuple[str, Any]]
) -> None:
    _, cache = no_hub
    text = "The starter needs flour. Is it alive? Bread needs heat."
    model, tokenizer = build_tiny_sat(tmp_path / "tiny", [text])
    _hub_copy(cache, "segment-any-text/sat-3l-sm", model)
    _hub_copy(cache, "facebookAI/xlm-roberta-base", tokenizer)
    paragraphs, name = Paragrapher(ParagraphSettings()).paragraphs(_words(text))
    assert name == "sat:sat-3l-sm"
    assert [p.text for p in paragraphs] == [
        "The starter needs flour. Is it alive?",
        "Bread needs heat.",
    ]
    assert network == []
