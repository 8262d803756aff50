"""`status` compares each talk with its effective settings: its own `language:`, talks.yml's
defaults, mkdocs.yml's `whisper.language`; a talk transcribed from captions with its captions.

Right after a build has transcribed the talks, and again after `prefetch --refresh`, no talk
may be reported as made with "other settings", wherever its language is set.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

from mkdocs_yt2doc.cli import _settings, prefetch
from mkdocs_yt2doc.status import status
from tests.conftest import PluginLog, build_site, copy_clip, write_site

CAPTIONS = "WEBVTT\n\n00:00.000 --> 00:02.500\nA line of the talk.\n\n"


def _status(config: Path) -> str:
    out = io.StringIO()
    assert status(*_settings(str(config)), out) == 0
    return out.getvalue()


def status_table(report: str) -> dict[str, str]:
    """slug -> state, from the table's rows (up to the blank line before the counts)."""
    rows = {}
    for line in report.splitlines()[2:]:
        if not line.strip():
            break
        slug, rest = line.split(maxsplit=1)
        rows[slug] = "other settings" if rest.startswith("other settings") else rest.split()[0]
    return rows


def _talks(project: Path, defaults: str | None) -> dict[str, Any]:
    """Whisper talks and caption talks, each with its own language and without."""
    for index in range(2):
        copy_clip(index, project / f"clip{index}.wav")
        copy_clip(index, project / f"cap{index}.wav")
        (project / f"cap{index}.vtt").write_text(CAPTIONS)
    talks: list[dict[str, Any]] = [
        {"url": "clip0.wav", "title": "Own language", "language": "en"},
        {"url": "clip1.wav", "title": "Inherited language"},
        {"url": "cap0.wav", "title": "Captions own", "captions": "cap0.vtt", "language": "en"},
        {"url": "cap1.wav", "title": "Captions inherited", "captions": "cap1.vtt"},
    ]
    return {"defaults": {"language": defaults}, "talks": talks} if defaults else {"talks": talks}


@pytest.mark.parametrize("in_defaults", [None, "en"], ids=["no-default", "default-en"])
@pytest.mark.parametrize("in_config", [None, "en"], ids=["no-global", "global-en"])
def test_status_after_a_build_and_a_refresh_reports_no_other_settings(
    tmp_path: Path,
    whisper_model: str,
    plugin_log: PluginLog,
    in_defaults: str | None,
    in_config: str | None,
) -> None:
    project = tmp_path / "p"
    whisper = {"model": whisper_model, "beam_size": 1, "language": in_config}
    config = write_site(project, _talks(project, in_defaults), whisper=whisper)
    build_site(config, strict=True)
    expected = {
        "own-language": "cached",
        "inherited-language": "cached",
        "captions-own": "cached",
        "captions-inherited": "cached",
    }
    first = _status(config)
    assert status_table(first) == expected, first
    assert "other settings" not in first

    assert prefetch(str(config), [], "all", io.StringIO()) == 0
    again = _status(config)
    assert status_table(again) == expected, again
    assert "other settings" not in again


def test_captions_talks_ignore_the_whisper_backend(tmp_path: Path) -> None:
    """Text from captions was never Whisper's: a backend of mkdocs.yml's is no change."""
    project = tmp_path / "p"
    talks = _talks(project, "en")
    talks["talks"] = talks["talks"][2:]
    config = write_site(project, talks, whisper={"backend": "whisper.cpp", "language": "en"})
    assert prefetch(str(config), [], None, io.StringIO()) == 0
    report = _status(config)
    assert status_table(report) == {"captions-own": "cached", "captions-inherited": "cached"}


def test_status_shows_a_parts_own_duration(tmp_path: Path, whisper_model: str) -> None:
    project = tmp_path / "p"
    copy_clip(0, project / "day.wav")  # 7.1 s
    talks = {
        "talks": [
            {"url": "day.wav", "title": "First", "start": 0, "end": 3},
            {"url": "day.wav", "title": "Second", "start": 3},
        ]
    }
    config = write_site(project, talks, whisper={"model": whisper_model, "beam_size": 1})
    assert prefetch(str(config), [], None, io.StringIO()) == 0
    rows = {line.split()[0]: line.split()[1:3] for line in _status(config).splitlines()[2:4]}
    assert rows == {"first": ["cached", "0:03"], "second": ["cached", "0:04"]}
