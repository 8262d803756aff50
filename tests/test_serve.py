"""`mkdocs serve`: the plugin survives rebuilds, watches talks.yml, the cache and the
corrections, and serves recordings with byte ranges."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from mkdocs.config import load_config
from mkdocs.livereload import LiveReloadServer

from tests.conftest import build_site, write_site


def test_serve_keeps_the_plugin_and_watches_its_files(tmp_path: Path) -> None:
    talks = {"talks": [{"url": "https://example.org/a.mp3", "title": "A"}]}
    config_file = write_site(tmp_path / "p", talks, transcribe="never")
    first = build_site(config_file).plugins["yt2doc"]
    again = load_config(str(config_file)).plugins["yt2doc"]
    assert again is first  # on_startup: MkDocs reuses the object across serve rebuilds

    server = LiveReloadServer(builder=lambda: None, host="127.0.0.1", port=0, root=str(tmp_path))
    try:
        config = load_config(str(config_file))
        config.plugins.on_config(config)
        config.plugins.on_serve(server, config=config, builder=lambda: None)
        watched = set(server._watched_paths)
    finally:
        server.server_close()
    assert str((tmp_path / "p" / "talks.yml").resolve()) in watched
    assert str((tmp_path / "p" / ".yt2doc").resolve()) in watched


# -- the real `mkdocs serve`, over loopback ---------------------------------------------------

EXAMPLE = Path(__file__).parent.parent / "example-site"
_EPOCH = re.compile(r"livereload\((\d+),")


@contextlib.contextmanager
def mkdocs_serve(project: Path) -> Iterator[str]:
    """`mkdocs serve` on the project, in its own process on 127.0.0.1; yields its base URL."""
    with socket.socket() as probe:  # a free port (the server binds it a moment later)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "YT2DOC_TRANSCRIBE": "never", "NO_MKDOCS_2_WARNING": "1"}
    log = (project / "serve.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}"],
        cwd=project, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):  # the first build, Pagefind's index included
            if process.poll() is not None:
                break
            try:
                urllib.request.urlopen(base + "/", timeout=5).close()
                break
            except OSError:
                time.sleep(0.2)
        assert process.poll() is None, (project / "serve.log").read_text()
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def _get(url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(request, timeout=60) as reply:
        return reply.status, dict(reply.headers), reply.read()


def _epoch(base: str, page: str) -> int:
    """The build the server shows now (its live-reload script names it)."""
    found = _EPOCH.search(_get(base + page)[2].decode())
    assert found is not None
    return int(found[1])


def _rebuilt(base: str, page: str, epoch: int) -> str:
    """The page once a build newer than `epoch` is visible: the live-reload poll answers as
    soon as there is one (or after a minute, with the same epoch)."""
    for _ in range(5):
        if int(_get(f"{base}/livereload/{epoch}/1")[2]) > epoch:
            return _get(base + page)[2].decode()
    raise AssertionError("no rebuild after the change")


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    project = tmp_path / "example"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns("site", "corrections"))
    with mkdocs_serve(project) as base:
        yield project, base


def test_serve_rebuilds_on_a_corrections_edit(served: tuple[Path, str]) -> None:
    project, base = served
    page = "/talks/bicycles-in-the-city/"
    assert "Lanes and infrastructure" in _get(base + page)[2].decode()
    # `correct` makes corrections/ while serve runs: the rebuild after it watches the folder
    cli = [sys.executable, "-m", "mkdocs_yt2doc.cli", "correct", "bicycles-in-the-city"]
    epoch = _epoch(base, page)
    subprocess.run(cli, cwd=project, check=True, capture_output=True)
    before = _rebuilt(base, page, epoch)
    assert "checked by a person" not in before  # the file as `correct` wrote it: no edit yet
    export = base + page + "bicycles-in-the-city.json"
    assert json.loads(_get(export)[2])["checked_by_person"] is False
    fixed = project / "corrections" / "bicycles-in-the-city.md"
    text = fixed.read_text()
    assert "## Lanes and infrastructure" in text
    epoch = _epoch(base, page)
    fixed.write_text(text.replace("## Lanes and infrastructure", "## Streets for riding"))
    after = _rebuilt(base, page, epoch)
    assert "Streets for riding" in after and "Lanes and infrastructure" not in after
    assert "Transcript checked by a person" in after
    assert json.loads(_get(export)[2])["checked_by_person"] is True


def test_serve_answers_range_requests(served: tuple[Path, str]) -> None:
    project, base = served
    recording = (project / "media" / "small-telescopes.opus").read_bytes()
    url = base + "/talks/small-telescopes/small-telescopes.opus"
    status, headers, body = _get(url, Range="bytes=100-1099")
    assert status == 206 and body == recording[100:1100]
    assert headers["Content-Range"] == f"bytes 100-1099/{len(recording)}"
    assert headers["Accept-Ranges"] == "bytes"
    kind = headers["Content-Type"]
    status, headers, body = _get(url, Range="bytes=-10")  # the last ten bytes
    assert status == 206 and body == recording[-10:]
    status, headers, body = _get(url)  # no range: MkDocs' own answer, the whole file
    assert status == 200 and body == recording and headers["Content-Type"] == kind
    with pytest.raises(urllib.error.HTTPError) as missing:  # MkDocs' 404, range or not
        _get(base + "/talks/small-telescopes/nothing.opus", Range="bytes=0-10")
    assert missing.value.code == 404
    with pytest.raises(urllib.error.HTTPError) as refused:
        _get(url, Range=f"bytes={len(recording)}-")
    assert refused.value.code == 416
    # pages still come from MkDocs, with its live-reload script
    status, _, body = _get(base + "/talks/small-telescopes/", Range="bytes=0-10")
    assert status == 200 and b"livereload(" in body
