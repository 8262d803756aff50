"""Build policies and bad input, through real `mkdocs build` runs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from mkdocs.exceptions import Abort

from tests.conftest import MediaServer, PluginLog, build_site, copy_clip, write_site
from tests.htmlpage import read_page


@pytest.mark.reliability("input")
def test_never_renders_placeholder_warns_and_fails_strict(
    tmp_path: Path, media_server: MediaServer, plugin_log: PluginLog
) -> None:
    copy_clip(0, media_server.root / "talk.wav")
    url = media_server.url("talk.wav")
    config_file = write_site(
        tmp_path / "p", {"talks": [{"url": url, "title": "Not yet"}]}, transcribe="never"
    )
    build_site(config_file)
    warnings = plugin_log.warnings
    assert any("'Not yet' (talks.yml:2)" in w and "transcribe: never" in w for w in warnings)
    page = tmp_path / "p" / "site" / "talks" / "not-yet" / "index.html"
    assert "This talk has no transcript" in page.read_text()
    assert media_server.requests == []  # never makes no network request
    assert not (tmp_path / "p" / ".yt2doc").exists()
    with pytest.raises(Abort):
        build_site(config_file, strict=True)


@pytest.mark.reliability("input")
def test_malformed_talks_file_names_file_and_line(tmp_path: Path, plugin_log: PluginLog) -> None:
    broken = "talks:\n  - url: https://example.org/a.mp3\n    title: [unclosed\n  - x\n"
    config_file = write_site(tmp_path / "p", broken, transcribe="never")
    with pytest.raises(Abort):
        build_site(config_file)
    # where the broken construct starts, what it is, and where parsing gave up
    [error] = plugin_log.errors
    assert error.startswith("yt2doc: talks.yml:3:12: invalid YAML: while parsing a flow sequence")
    assert error.endswith("(line 5, column 1)") and "','" in error


@pytest.mark.parametrize(
    ("talks", "message"),
    [
        ("talks:\n  - title: no url\n", r"talks\.yml:2: talk has no 'url'"),
        ("talks:\n  - url: x.mp3\n", r"talks\.yml:2: no such file: x\.mp3"),
        (
            "talks:\n  - url: https://example.org/a\n    date: next tuesday\n",
            r"talks\.yml:3: 'date' must be a calendar date like 2026-05-14",
        ),
        (
            "talks:\n  - url: https://example.org/a\n    chapters:\n"
            "      - {start: '5:00', title: B}\n      - {start: '1:00', title: A}\n",
            r"talks\.yml:5: chapter 'A' starts at or before the chapter above it",
        ),
    ],
)
@pytest.mark.reliability("input")
def test_invalid_talks_stop_the_build_with_a_located_message(
    tmp_path: Path, talks: str, message: str, plugin_log: PluginLog
) -> None:
    config_file = write_site(tmp_path / "p", talks, transcribe="never")
    with pytest.raises(Abort):
        build_site(config_file)
    assert len(plugin_log.errors) == 1
    assert re.match("yt2doc: " + message, plugin_log.errors[0])


@pytest.mark.reliability("input")
def test_unknown_key_warns_with_the_nearest_valid_key(
    tmp_path: Path, plugin_log: PluginLog
) -> None:
    talks = "talks:\n  - https://example.org/a\n  - url: https://example.org/b\n    speaker: [A]\n"
    config_file = write_site(tmp_path / "p", talks, transcribe="never")
    build_site(config_file)
    assert (
        "yt2doc: talks.yml:4: unknown key 'speaker' is ignored; did you mean 'speakers'?"
        in plugin_log.warnings
    )
    with pytest.raises(Abort):
        build_site(config_file, strict=True)


@pytest.mark.reliability("input")
def test_dead_url_becomes_a_warning_and_the_rest_still_builds(
    tmp_path: Path,
    media_server: MediaServer,
    whisper_model: str,
    plugin_log: PluginLog,
) -> None:
    project = tmp_path / "p"
    copy_clip(0, project / "ok.wav")
    talks = {
        "talks": [
            {"url": media_server.url("missing.mp3"), "title": "Gone"},
            {"url": "ok.wav", "title": "Fine"},
        ]
    }
    config_file = write_site(project, talks, whisper={"model": whisper_model, "beam_size": 1})
    build_site(config_file)
    warnings = plugin_log.warnings
    assert any("'Gone' (talks.yml:2)" in w and "404" in w for w in warnings), warnings
    assert read_page(project / "site" / "talks" / "fine" / "index.html").paragraphs
    gone = (project / "site" / "talks" / "gone" / "index.html").read_text()
    assert "This talk has no transcript yet." in gone and "404" not in gone  # the log's only
