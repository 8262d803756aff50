"""Faults around the cache: a process killed mid-write, a read-only cache folder, a full disk.

Real processes are killed (SIGKILL) and real file systems refuse writes: a read-only bind mount
and a full tmpfs, each in a private mount namespace (`unshare`) that vanishes with the child.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from mkdocs_yt2doc.cache.store import Store, read_json
from tests.conftest import MediaServer, build_site, copy_clip, write_site
from tests.test_cli import cli, status_table

ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
TEMPS = ".*.json.*.tmp"

# Writes big entries (valid transcripts) through the store, round after round, as fast as it can.
WRITER = """
import itertools, sys
from pathlib import Path
from mkdocs_yt2doc.cache.store import Store
store = Store(Path(sys.argv[1]))
with store.lock():
    for n in itertools.count():
        for key in ("a", "b", "c"):
            words = [{"start": i, "end": i, "text": f"w{n}"} for i in range(int(sys.argv[2]))]
            segment = {"start": 0, "end": 1, "text": "", "words": words}
            store.write(key, "transcript.json", {"language": "en", "duration": 1,
                                                 "settings": {"n": n}, "segments": [segment]})
"""


def _temps(root: Path) -> list[Path]:
    return sorted(root.glob(TEMPS)) + sorted(root.glob(f"*/{TEMPS}"))


def _check_whole(root: Path, size: int) -> None:
    """Every entry present is one whole round's write."""
    for path in root.glob("*/transcript.json"):
        value = read_json(path)
        assert value is not None
        words = value["segments"][0]["words"]
        assert len(words) == size and {w["text"] for w in words} == {f"w{value['settings']['n']}"}


def _stop_mid_write(process: subprocess.Popen[bytes], root: Path, deadline: float) -> bool:
    """Freeze the child while a temp file of its exists: caught in the middle of a write."""
    while time.monotonic() < deadline and process.poll() is None:
        if _temps(root):
            process.send_signal(signal.SIGSTOP)
            if _temps(root):
                return True
            process.send_signal(signal.SIGCONT)  # it renamed in between: try again
    return False


@pytest.mark.reliability("fault")
def test_sigkill_during_cache_writes_leaves_only_whole_entries(tmp_path: Path) -> None:
    root, size = tmp_path / "cache", 60_000  # about 2 MB per entry
    rng = random.Random(6)
    caught = 0
    for round_ in range(8):  # each writer first clears what the killed one before it left
        process = subprocess.Popen([sys.executable, "-c", WRITER, str(root), str(size)], env=ENV)
        if round_ % 2:  # while a temp file is being written
            caught += _stop_mid_write(process, root, time.monotonic() + 30)
        else:  # at a random moment
            time.sleep(rng.uniform(0.3, 2.0))
        process.kill()
        process.wait(timeout=30)
        _check_whole(root, size)
    assert caught >= 3, "the writer was never caught in the middle of a write"
    assert _temps(root)  # what a killed writer leaves: a temp file, never a partial entry
    before = {p: p.read_bytes() for p in root.glob("*/transcript.json")}
    with Store(root).lock():  # the next run takes the lock and clears them
        assert not _temps(root)
    assert {p: p.read_bytes() for p in root.glob("*/transcript.json")} == before


@pytest.mark.reliability("fault")
def test_prefetch_killed_during_a_cache_write_resumes(
    tmp_path: Path, media_server: MediaServer, whisper_model: str
) -> None:
    for i in range(3):
        copy_clip(i, media_server.root / f"talk{i}.wav")
    talks = [{"url": media_server.url(f"talk{i}.wav"), "title": f"Talk {i}"} for i in range(3)]
    project = tmp_path / "p"
    write_site(project, {"talks": talks}, whisper={"model": whisper_model, "beam_size": 1})
    cache = project / ".yt2doc"
    command = [sys.executable, "-m", "mkdocs_yt2doc.cli", "prefetch"]
    process = subprocess.Popen(command, cwd=project, env=ENV, stdout=subprocess.DEVNULL)
    caught = _stop_mid_write(process, cache, time.monotonic() + 240)
    process.kill()
    process.wait(timeout=30)
    assert caught, "prefetch finished before a cache write could be caught"
    [temp] = _temps(cache)
    for path in cache.rglob("*.json"):
        assert read_json(path) is not None, path  # no half-written entry under a real name

    rerun = cli("prefetch", cwd=project)
    assert rerun.returncode == 0, rerun.stderr
    assert not temp.exists() and not _temps(cache)
    assert set(status_table(cli("status", cwd=project).stdout).values()) == {"cached"}
    build_site(project / "mkdocs.yml", strict=True)
    for i in range(3):
        page = project / "site" / "talks" / f"talk-{i}" / "index.html"
        assert 'class="yt2doc-p"' in page.read_text()


# -- a cache folder that refuses writes ---------------------------------------------------------


def _unshare() -> list[str]:
    """A private mount namespace for the child (as a mapped root where we are not root)."""
    command = ["unshare", "--mount", "--propagation", "private"]
    if os.geteuid() != 0:
        command.insert(1, "--map-root-user")
    if (
        shutil.which("unshare") is None
        or subprocess.run([*command, "true"], capture_output=True).returncode
    ):
        pytest.skip("needs `unshare` to mount a file system in a private namespace")
    return command


BUILDS = """
set -u
cd "$PROJECT"
"$PYTHON" -m mkdocs build > "$OUT/build.log" 2>&1; echo $? > "$OUT/build.rc"
"$PYTHON" -m mkdocs build --strict > "$OUT/strict.log" 2>&1; echo $? > "$OUT/strict.rc"
"""
READ_ONLY = 'mount --bind "$CACHE" "$CACHE" && mount -o remount,bind,ro "$CACHE"\n' + BUILDS
# the cached entries on a small tmpfs, filled up before the builds; what is left is copied out
FILL = """
cp -a "$CACHE" "$OUT/before" && mount -t tmpfs -o size=4m tmpfs "$CACHE"
cp -a "$OUT/before/." "$CACHE/" && head -c 8M /dev/zero > "$CACHE/filler" 2>/dev/null
"""
DISK_FULL = FILL + BUILDS + 'rm "$CACHE/filler"; cp -a "$CACHE" "$OUT/after"\n'


def _cached_and_new(project: Path, whisper_model: str) -> dict[Path, bytes]:
    """A site whose first talk is cached and whose second is new; the cache's bytes."""
    copy_clip(0, project / "good.wav")
    copy_clip(1, project / "other.wav")
    good = {"url": "good.wav", "title": "Good"}
    config = write_site(
        project, {"talks": [good]}, whisper={"model": whisper_model, "beam_size": 1}
    )
    build_site(config)
    other = {"url": "other.wav", "title": "Other"}
    (project / "talks.yml").write_text(yaml.safe_dump({"talks": [good, other]}))
    return _files(project / ".yt2doc")


def _files(root: Path) -> dict[Path, bytes]:
    return {p.relative_to(root): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _warnings(log: str, about: str) -> list[str]:
    return [line for line in log.splitlines() if line.startswith("WARNING") and about in line]


def _build_in_namespace(project: Path, script: str, out: Path) -> str:
    """Build, then build with --strict, in the child; the first build's log."""
    out.mkdir()
    env = {
        **ENV, "PROJECT": str(project), "CACHE": str(project / ".yt2doc"),
        "OUT": str(out), "PYTHON": sys.executable,
    }  # fmt: skip
    subprocess.run([*_unshare(), "bash", "-c", script], env=env, check=True, timeout=300)
    assert (out / "build.rc").read_text().strip() == "0", (out / "build.log").read_text()
    assert (out / "strict.rc").read_text().strip() == "1"  # --strict: a talk is not rendered
    assert "Traceback" not in (out / "strict.log").read_text()
    return (out / "build.log").read_text()


def _check_pages(project: Path) -> None:
    site = project / "site" / "talks"
    assert 'class="yt2doc-p"' in (site / "good" / "index.html").read_text()
    assert "This talk has no transcript" in (site / "other" / "index.html").read_text()


@pytest.mark.reliability("input")
def test_read_only_cache_renders_what_is_cached_and_says_what_to_do(
    tmp_path: Path, whisper_model: str
) -> None:
    project = tmp_path / "p"
    before = _cached_and_new(project, whisper_model)
    log = _build_in_namespace(project, READ_ONLY, tmp_path / "out")
    [warning] = _warnings(log, "'Other' (talks.yml:")
    assert "not transcribed: cannot write" in warning and "Read-only file system" in warning
    assert "make the cache folder writable, or build with `transcribe: never`" in warning
    assert "Traceback" not in log
    _check_pages(project)
    assert _files(project / ".yt2doc") == before


@pytest.mark.reliability("input")
def test_full_disk_on_a_cache_write_names_the_talk_and_keeps_the_cache(
    tmp_path: Path, whisper_model: str
) -> None:
    project = tmp_path / "p"
    _cached_and_new(project, whisper_model)
    out = tmp_path / "out"
    log = _build_in_namespace(project, DISK_FULL, out)
    [warning] = _warnings(log, "'Other' (talks.yml:")
    assert "transcript.json: No space left on device" in warning
    assert "free some disk space, then build again (nothing cached was changed)" in warning
    assert "failures.json: No space left on device" in log  # warned, not a failed build
    assert "Traceback" not in log
    _check_pages(project)
    # byte for byte; no temp file left, nothing added
    assert _files(out / "after") == _files(out / "before")
