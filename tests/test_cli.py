"""`mkdocs-yt2doc prefetch | status` as a user runs them, on a site served over loopback."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import (
    MediaServer,
    PluginLog,
    build_site,
    concatenated_speech,
    copy_clip,
    write_site,
)


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mkdocs_yt2doc.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )


def status_table(output: str) -> dict[str, str]:
    rows = {}
    for line in output.splitlines()[2:]:
        if not line.strip():
            break
        slug, state, *_ = line.split("  ")
        rows[slug] = state.strip()
    return rows


@pytest.fixture
def served_site(tmp_path: Path, media_server: MediaServer, whisper_model: str) -> Path:
    for i in range(3):
        copy_clip(i, media_server.root / f"talk{i}.wav")
    talks = {
        "talks": [{"url": media_server.url(f"talk{i}.wav"), "title": f"Talk {i}"} for i in range(3)]
    }
    project = tmp_path / "site"
    # mkdocs.yml says never: CI's setting; prefetch processes regardless
    write_site(project, talks, transcribe="never", whisper={"model": whisper_model, "beam_size": 1})
    return project


def test_prefetch_then_a_never_build_renders_everything(
    served_site: Path, media_server: MediaServer, plugin_log: PluginLog
) -> None:
    before = cli("status", cwd=served_site)
    assert before.returncode == 0, before.stderr
    assert media_server.requests == []  # status makes no network request
    assert set(status_table(before.stdout).values()) == {"uncached"}

    run = cli("prefetch", cwd=served_site)
    assert run.returncode == 0, run.stderr
    assert "3 processed, 3 cached in all, 0 failed" in run.stdout
    assert "talk-0" in run.stdout and "realtime" in run.stdout

    after = cli("status", cwd=served_site)
    assert status_table(after.stdout) == {f"talk-{i}": "cached" for i in range(3)}

    requests = len(media_server.requests)
    build_site(served_site / "mkdocs.yml", strict=True)
    assert plugin_log.warnings == []
    assert len(media_server.requests) == requests
    for i in range(3):
        page = served_site / "site" / "talks" / f"talk-{i}" / "index.html"
        assert 'class="yt2doc-p"' in page.read_text()


def test_prefetch_only_and_refresh_and_other_settings(served_site: Path) -> None:
    assert cli("prefetch", "--only", "talk-1", cwd=served_site).returncode == 0
    assert status_table(cli("status", cwd=served_site).stdout) == {
        "talk-0": "uncached",
        "talk-1": "cached",
        "talk-2": "uncached",
    }
    assert cli("prefetch", "--only", "no-such-talk", cwd=served_site).returncode == 2
    # a settings change is reported, never acted on by itself
    config = served_site / "mkdocs.yml"
    config.write_text(config.read_text().replace("beam_size: 1", "beam_size: 2"))
    status = cli("status", cwd=served_site).stdout
    assert status_table(status)["talk-1"] == "other settings"
    assert "beam_size: 1 -> 2" in status
    transcript = next((served_site / ".yt2doc").glob("*talk1*/transcript.json"))
    stamp = transcript.stat().st_mtime_ns
    assert cli("prefetch", "--only", "talk-1", cwd=served_site).returncode == 0
    assert transcript.stat().st_mtime_ns == stamp  # cached: not redone
    assert cli("prefetch", "--only", "talk-1", "--refresh", cwd=served_site).returncode == 0
    assert json.loads(transcript.read_text())["settings"]["beam_size"] == 2
    assert status_table(cli("status", cwd=served_site).stdout)["talk-1"] == "cached"


@pytest.mark.reliability("input")
def test_failures_are_reported_and_remembered(
    tmp_path: Path, media_server: MediaServer, whisper_model: str
) -> None:
    copy_clip(0, media_server.root / "ok.wav")
    talks = {
        "talks": [
            {"url": media_server.url("gone.wav"), "title": "Gone"},
            {"url": media_server.url("ok.wav"), "title": "Fine"},
        ]
    }
    project = tmp_path / "p"
    write_site(project, talks, whisper={"model": whisper_model, "beam_size": 1})
    run = cli("prefetch", cwd=project)
    assert run.returncode == 1
    assert "1 processed, 1 cached in all, 1 failed" in run.stdout
    assert "'Gone' (talks.yml:2)" in run.stderr and "404" in run.stderr
    status = cli("status", cwd=project)
    assert status_table(status.stdout) == {"gone": "failed", "fine": "cached"}
    assert "404" in status.stdout


@pytest.mark.reliability("fault")
def test_killed_prefetch_keeps_finished_talks_and_resumes(
    tmp_path: Path, media_server: MediaServer, whisper_model: str
) -> None:
    """SIGKILL in the middle of a transcription: no partial entry; a rerun completes."""
    concatenated_speech(media_server.root / "long.wav")  # ~25 s: long enough to interrupt
    for i in range(2):
        copy_clip(i, media_server.root / f"short{i}.wav")
    talks = {
        "talks": [
            {"url": media_server.url("short0.wav"), "title": "First"},
            {"url": media_server.url("long.wav"), "title": "Second"},
            {"url": media_server.url("short1.wav"), "title": "Third"},
        ]
    }
    project = tmp_path / "p"
    write_site(project, talks, whisper={"model": whisper_model, "beam_size": 5})
    process = subprocess.Popen(
        [sys.executable, "-m", "mkdocs_yt2doc.cli", "prefetch", "-v"],
        cwd=project,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert process.stderr is not None
    deadline = time.monotonic() + 120
    for line in process.stderr:  # wait until the second talk is being transcribed
        if "transcribing 'Second'" in line or time.monotonic() > deadline:
            break
    time.sleep(0.5)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    cache = project / ".yt2doc"
    entries = {
        p.parent.name: sorted(f.name for f in p.parent.iterdir())
        for p in cache.glob("*/media.json")
    }
    first = next(k for k in entries if "short0" in k)
    second = next(k for k in entries if "long" in k)
    assert entries[first] == [
        "captions.srt",
        "captions.vtt",
        "document.json",
        "media.json",
        "paragraphs.json",
        "topics.json",
        "transcript.json",
    ]
    assert "transcript.json" not in entries[second] and "document.json" not in entries[second]
    assert not list(cache.rglob("*.tmp"))
    status = status_table(cli("status", cwd=project).stdout)
    assert status == {"first": "cached", "second": "uncached", "third": "uncached"}

    rerun = cli("prefetch", cwd=project)
    assert rerun.returncode == 0, rerun.stderr
    assert "2 processed, 3 cached in all, 0 failed" in rerun.stdout
    assert set(status_table(cli("status", cwd=project).stdout).values()) == {"cached"}


@pytest.mark.reliability("fault")
def test_two_prefetch_runs_at_once_do_the_work_once(served_site: Path) -> None:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    command = [sys.executable, "-m", "mkdocs_yt2doc.cli", "prefetch"]
    runs = [
        subprocess.Popen(command, cwd=served_site, stdout=subprocess.PIPE, text=True, env=env)
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=300)[0] for run in runs]
    assert [run.returncode for run in runs] == [0, 0]
    processed = sorted(int(out.strip().splitlines()[-1].split()[0]) for out in outputs)
    assert processed == [0, 3]  # the second waited for the lock, then found all cached
    assert set(status_table(cli("status", cwd=served_site).stdout).values()) == {"cached"}
    assert (served_site / ".yt2doc" / ".gitignore").read_text().count(".lock") == 1
