"""The Pagefind index built by the real binary, and what happens when it cannot be: a
warning naming the cause and the install command, the site still built, `--strict` failing;
a binary that never answers stopped at the timeout (`search_timeout`, `index --timeout`); a
talk without text indexed by its title."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from mkdocs.exceptions import Abort

from mkdocs_yt2doc.cli import main
from tests.conftest import PluginLog, build_site, fragments, write_site

TALKS = {"talks": [{"url": "https://example.org/missing.mp3", "title": "Unprocessed talk",
                    "speakers": ["Ada Lovelace"], "event": "Placeholders 2026"}]}  # fmt: skip


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write_site(tmp_path / "p", TALKS, transcribe="never")


def test_placeholder_is_indexed_by_title(project: Path, plugin_log: PluginLog) -> None:
    build_site(project)
    records = {r["url"]: r for r in fragments(project.parent / "site")}
    talk = records["/talks/unprocessed-talk/"]
    assert talk["meta"]["title"] == "Unprocessed talk"
    assert talk["filters"] == {"speaker": ["Ada Lovelace"], "event": ["Placeholders 2026"]}
    assert "transcript" not in talk["content"].lower()  # the placeholder's notice is not text
    assert "Pagefind" not in " ".join(plugin_log.warnings)


@pytest.mark.reliability("fault", 3)
@pytest.mark.parametrize("binary", ["missing", "failing", "garbage"])
def test_broken_binary_warns_and_the_site_builds(
    project: Path, plugin_log: PluginLog, monkeypatch: pytest.MonkeyPatch, binary: str
) -> None:
    path = project.parent / "pagefind"
    if binary == "failing":
        path.write_text("#!/bin/sh\necho 'error: cannot map memory' >&2\nexit 3\n")
    elif binary == "garbage":
        path.write_text("#!/bin/sh\nprintf 'not base64 at all,'\n")
    if binary != "missing":
        path.chmod(0o755)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(path))
    build_site(project)
    assert (project.parent / "site" / "talks" / "unprocessed-talk" / "index.html").is_file()
    [warning] = [w for w in plugin_log.warnings if "search index" in w]
    assert 'pip install "pagefind[bin]' in warning, warning
    if binary == "failing":
        assert "exit status 3" in warning and "cannot map memory" in warning, warning
    assert "\n" not in warning and "Traceback" not in warning
    with pytest.raises(Abort, match="strict"):
        build_site(project, strict=True)


@pytest.mark.reliability("fault", 2)
def test_hung_binary_is_stopped_at_the_timeout(
    project: Path,
    plugin_log: PluginLog,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A stand-in that starts, reads nothing and never answers (the API would wait for ever)."""
    pids = project.parent / "pids"
    path = project.parent / "pagefind"
    path.write_text(f"#!/bin/sh\necho $$ >> '{pids}'\nexec sleep 3600\n")
    path.chmod(0o755)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(path))
    config = write_site(project.parent, TALKS, transcribe="never", search_timeout=3)
    started = time.monotonic()
    build_site(config)
    assert time.monotonic() - started < 3 + 10
    assert (project.parent / "site" / "talks" / "unprocessed-talk" / "index.html").is_file()
    [warning] = [w for w in plugin_log.warnings if "search index" in w]
    assert "did not answer its first request within the 3 s timeout (it hangs)" in warning
    assert "search_timeout" in warning and "--timeout" in warning and "pip install" in warning
    assert "\n" not in warning and "Traceback" not in warning
    # the command, as after a Zensical build
    started = time.monotonic()
    assert main(["index", str(project.parent / "site"), "--timeout", "1.5"]) == 2
    assert time.monotonic() - started < 1.5 + 10
    assert "within the 1.5 s timeout (it hangs) and was stopped" in capsys.readouterr().err
    for pid in pids.read_text().split():  # each stand-in was stopped, not left behind
        with pytest.raises(ProcessLookupError):
            os.kill(int(pid), 0)


@pytest.mark.reliability("input", 4)
def test_timeouts_are_seconds_above_zero(
    project: Path, plugin_log: PluginLog, capsys: pytest.CaptureFixture[str]
) -> None:
    for value in (0, -5, True):
        with pytest.raises(Abort, match="configuration error"):
            build_site(write_site(project.parent, TALKS, search_timeout=value))
        error = plugin_log.records[-1].getMessage()
        assert "'search_timeout': Expected a number of seconds above 0" in error, error
    with pytest.raises(SystemExit):
        main(["index", str(project.parent), "--timeout", "0"])
    assert "a number of seconds above 0" in capsys.readouterr().err


def test_material_search_builds_no_pagefind_index(tmp_path: Path) -> None:
    config = write_site(tmp_path / "m", TALKS, transcribe="never", search="material")
    build_site(config)
    site = tmp_path / "m" / "site"
    assert not (site / "pagefind").exists() and not (site / "talks" / "search").exists()
    assert (site / "search" / "search_index.json").is_file()


def test_index_command(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    build_site(project)
    site = project.parent / "site"
    stale = site / "pagefind" / "fragment" / "en_0000000.pf_fragment"
    stale.write_bytes(b"old")
    monkeypatch.chdir(project.parent.parent)
    assert main(["index", "p/site"]) == 0
    assert "Pagefind indexed" in capsys.readouterr().out
    assert not stale.exists() and fragments(site)  # a fresh index, in the site
    assert not (project.parent.parent / "pagefind").exists()  # nothing in the working folder
    assert main(["index", str(project.parent / "nowhere")]) == 2
    assert "is not a folder" in capsys.readouterr().err


@pytest.mark.reliability("fault", 1)
def test_failed_build_stops_the_binary(
    project: Path, plugin_log: PluginLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pages are handed to Pagefind while the site is built: a build that fails half-way
    (here a hook, on the third page) ends the binary that was reading them."""
    from pagefind_bin import get_executable

    pids = project.parent / "pids"
    path = project.parent / "pagefind"
    path.write_text(f"#!/bin/sh\necho $$ >> '{pids}'\nexec '{get_executable()}' \"$@\"\n")
    path.chmod(0o755)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(path))
    # (the binary starts on a thread of its own: the hook fails once it has, or a busy
    # machine's build would fail before it)
    (project.parent / "hooks.py").write_text(
        "import os, time\nseen = []\n\ndef on_post_page(output, page, config):\n"
        "    seen.append(page)\n"
        "    if len(seen) == 3:\n"
        "        deadline = time.monotonic() + 30\n"
        f"        while not os.path.exists({str(pids)!r}) and time.monotonic() < deadline:\n"
        "            time.sleep(0.05)\n"
        "        raise RuntimeError('a hook failed')\n"
        "    return output\n"
    )
    config = write_site(
        project.parent, TALKS, transcribe="never", extra_plugins="hooks: [hooks.py]\n"
    )
    with pytest.raises(RuntimeError, match="a hook failed"):
        build_site(config)
    started = pids.read_text().split()
    assert len(started) == 1  # it was reading the first pages
    with pytest.raises(ProcessLookupError):
        os.kill(int(started[0]), 0)
    assert not (project.parent / "site" / "pagefind").exists()  # no half-written index


@pytest.mark.reliability("hostile", 1)
def test_pages_read_at_the_end_stay_in_the_site(tmp_path: Path) -> None:
    """After the pages handed over, the rest of the site's HTML is read from disk: a link
    to a file outside the site is not followed into the index."""
    from mkdocs_yt2doc.archive.search_index import LiveIndex

    site = tmp_path / "site"
    (site / "talks" / "a").mkdir(parents=True)
    page = "<html><body><main><h1>Handed over</h1><p>telescope words</p></main></body></html>"
    (site / "talks" / "a" / "index.html").write_text(page)
    (site / "404.html").write_text("<html><body><main><p>Not found here</p></main></body></html>")
    (tmp_path / "secret.html").write_text("<html><body><p>private diary entry</p></body></html>")
    (site / "leak.html").symlink_to(tmp_path / "secret.html")
    live = LiveIndex(site, 60)
    live.add("talks/a/index.html", page)
    done = live.finish()
    texts = {r["url"]: r["content"] for r in fragments(site)}
    assert done.pages == 2 and set(texts) == {"/talks/a/", "/404.html"}, texts
    assert "telescope words" in texts["/talks/a/"]
    assert not any("diary" in t for t in texts.values())
