"""Bad sources and a damaged cache: a warning naming the talk and the cause, the other talks
build, nothing already cached is lost. Real builds, real yt-dlp and faster-whisper."""

from __future__ import annotations

import html
import http.server
import json
import socket
import threading
import wave
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import MediaServer, PluginLog, build_site, copy_clip, write_site


def _silence(path: Path, seconds: float = 4.0) -> None:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes(b"\0\0" * int(16000 * seconds))


@pytest.fixture
def bad_site(tmp_path: Path, media_server: MediaServer, whisper_model: str) -> Path:
    project = tmp_path / "p"
    copy_clip(0, project / "good.wav")
    copy_clip(1, project / "other.wav")
    (project / "empty.mp3").write_bytes(b"")
    (project / "notes.mp3").write_text("these are my slides, not audio\n" * 50)
    _silence(project / "silence.wav")
    page = "<html><body><p>No video here</p></body></html>"
    (media_server.root / "nomedia.html").write_text(page)
    talks = {
        "talks": [
            {"url": "good.wav", "title": "Good"},
            {"url": "empty.mp3", "title": "Zero bytes"},
            {"url": "notes.mp3", "title": "Not audio"},
            {"url": "silence.wav", "title": "Silence"},
            {"url": media_server.url("nomedia.html"), "title": "No media"},
            {"url": media_server.url("gone.mp3"), "title": "Not found"},
            {"url": "http://127.0.0.1:9/talk.mp3", "title": "Refused"},
            {"url": "good.wav", "title": "Listed twice"},
            {"url": "ftp://127.0.0.1:9/talk.mp3", "title": "Unsupported"},
            {"url": "other.wav", "slug": "../../etc/passwd", "title": "Escaping slug"},
        ]
    }
    write_site(project, talks, whisper={"model": whisper_model, "beam_size": 1})
    return project


@pytest.mark.reliability("input", 9)
def test_each_bad_source_is_a_warning_naming_talk_and_cause(
    bad_site: Path, plugin_log: PluginLog
) -> None:
    build_site(bad_site / "mkdocs.yml")
    warnings = "\n".join(plugin_log.warnings)
    expected = {
        "Zero bytes": "empty.mp3",
        "Not audio": "cannot decode the audio of notes.mp3",
        "No media": "nomedia.html",
        "Not found": "404",
        "Refused": "127.0.0.1:9",
        "Unsupported": "ftp://127.0.0.1:9",
    }
    for title, cause in expected.items():
        lines = [w for w in plugin_log.warnings if f"'{title}' (talks.yml:" in w]
        assert lines, f"no warning for {title}:\n{warnings}"
        assert cause in lines[0], lines[0]
    assert "Traceback" not in warnings
    assert any("talks.yml:16 lists good.wav again (first at talks.yml:2)" in w
               for w in plugin_log.warnings)  # fmt: skip
    site = bad_site / "site"
    good = (site / "talks" / "good" / "index.html").read_text()
    assert 'class="yt2doc-p"' in good
    for slug in ("zero-bytes", "not-audio", "no-media", "not-found", "refused", "unsupported"):
        page = (site / "talks" / slug / "index.html").read_text()
        assert "This talk has no transcript" in page
    # silence is not an error: the page says there is no speech
    assert "No speech was found" in (site / "talks" / "silence" / "index.html").read_text()
    # the duplicate was dropped, the unsafe slug made safe and kept inside the site
    assert not (site / "talks" / "listed-twice").exists()
    assert not (bad_site / "etc").exists() and not (site / "etc").exists()
    assert not (site / "talks" / "escaping-slug").exists()
    assert (site / "talks" / "etc-passwd" / "index.html").is_file()


def test_a_broken_source_fails_strict_and_does_not_touch_the_cache(
    bad_site: Path, plugin_log: PluginLog
) -> None:
    from mkdocs.exceptions import Abort

    with pytest.raises(Abort):
        build_site(bad_site / "mkdocs.yml", strict=True)
    cache = bad_site / ".yt2doc"
    before = {p: p.read_bytes() for p in cache.rglob("*.json") if p.name != "failures.json"}
    with pytest.raises(Abort):
        build_site(bad_site / "mkdocs.yml", strict=True)
    after = {p: p.read_bytes() for p in cache.rglob("*.json") if p.name != "failures.json"}
    assert after == before  # the good talk's entry is untouched by the failing ones


def _cached_talk(tmp_path: Path, model: str) -> tuple[Path, Any, dict[str, Any], Path]:
    """A project with one transcribed talk: (project, talks, whisper options, cache folder)."""
    project = tmp_path / "p"
    copy_clip(0, project / "talk.wav")
    talks = {"talks": [{"url": "talk.wav", "title": "Talk"}]}
    whisper = {"model": model, "beam_size": 1}
    build_site(write_site(project, talks, whisper=whisper))
    folder = next(p for p in (project / ".yt2doc").iterdir() if p.is_dir())
    return project, talks, whisper, folder


@pytest.mark.reliability("fault", 2)
def test_corrupt_cache_files_are_set_aside_never_deleted(
    tmp_path: Path, whisper_model: str, plugin_log: PluginLog
) -> None:
    project, talks, whisper, folder = _cached_talk(tmp_path, whisper_model)
    transcript, document = folder / "transcript.json", folder / "document.json"
    good = transcript.read_text()
    transcript.write_text(good[: len(good) // 2])  # truncated by a crash or a bad merge
    before = sorted(p.name for p in folder.iterdir())
    document.unlink()
    build_site(write_site(project, talks, whisper=whisper, transcribe="never"))
    # never (CI): the repository is not changed; the talk is a placeholder that says why
    assert sorted(p.name for p in folder.iterdir()) == [n for n in before if n != "document.json"]
    assert transcript.read_text() == good[: len(good) // 2]
    assert any("transcript.json is invalid" in w and "'Talk'" in w for w in plugin_log.warnings)
    page = project / "site" / "talks" / "talk" / "index.html"
    assert "This talk has no transcript" in page.read_text()
    build_site(write_site(project, talks, whisper=whisper))  # auto: set aside, transcribed again
    aside = [p for p in folder.iterdir() if p.name.startswith("transcript.json.corrupt-")]
    assert len(aside) == 1 and aside[0].read_text() == good[: len(good) // 2]  # kept, as it was
    assert json.loads(transcript.read_text())["segments"]
    assert 'class="yt2doc-p"' in page.read_text()


def test_newer_cache_files_are_left_where_they_are(
    tmp_path: Path, whisper_model: str, plugin_log: PluginLog
) -> None:
    project, talks, whisper, folder = _cached_talk(tmp_path, whisper_model)
    (folder / "document.json").write_text(json.dumps({"schema": 99, "from": "the future"}))
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    for transcribe in ("never", "auto"):
        build_site(write_site(project, talks, whisper=whisper, transcribe=transcribe))
        assert {p.name: p.read_bytes() for p in folder.iterdir()} == before, transcribe
        assert any("made by a newer mkdocs-yt2doc" in w for w in plugin_log.warnings)
        page = project / "site" / "talks" / "talk" / "index.html"
        shown = html.unescape(page.read_text())  # the cause is the log's, not the page's
        assert "This talk has no transcript yet." in shown and "newer" not in shown


class _CutHandler(http.server.BaseHTTPRequestHandler):
    """Announces a whole file, sends a third of it, then drops the connection."""

    body = b""

    def do_HEAD(self) -> None:
        self._headers()

    def do_GET(self) -> None:
        self._headers()
        self.wfile.write(self.body[: len(self.body) // 3])
        self.wfile.flush()
        self.connection.shutdown(socket.SHUT_RDWR)

    def _headers(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "audio/wav")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.mark.reliability("fault")
def test_a_download_cut_midway_leaves_no_transcript(
    tmp_path: Path, whisper_model: str, plugin_log: PluginLog
) -> None:
    clip = copy_clip(0, tmp_path / "clip.wav")
    handler = type("Cut", (_CutHandler,), {"body": clip.read_bytes()})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/talk.wav"
        project = tmp_path / "p"
        talks = {"talks": [{"url": url, "title": "Cut"}]}
        build_site(write_site(project, talks, whisper={"model": whisper_model, "beam_size": 1}))
    finally:
        server.shutdown()
        server.server_close()
    [warning] = [w for w in plugin_log.warnings if "'Cut' (talks.yml:2)" in w]
    assert url in warning
    assert not list((project / ".yt2doc").rglob("transcript.json"))
    assert not list((project / ".yt2doc").rglob("document.json"))
    page = project / "site" / "talks" / "cut" / "index.html"
    assert "This talk has no transcript" in page.read_text()


@pytest.mark.reliability("input")
def test_missing_transcribe_extra_names_the_fix(tmp_path: Path) -> None:
    """As on a render-only install: faster-whisper cannot be imported."""
    import os
    import subprocess
    import sys

    project = tmp_path / "p"
    copy_clip(0, project / "talk.wav")
    config = write_site(project, {"talks": [{"url": "talk.wav", "title": "Talk"}]})
    probe = (
        "import sys; sys.modules['faster_whisper'] = None  # not installed\n"
        "from mkdocs.commands.build import build\n"
        "from mkdocs.config import load_config\n"
        f"build(load_config({str(config)!r}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "'Talk' (talks.yml:2): faster-whisper is missing" in result.stderr
    assert 'pip install "mkdocs-yt2doc[transcribe]"' in result.stderr
    assert "Traceback" not in result.stderr


# An HLS playlist whose key needs Apple's FairPlay: yt-dlp's extractor refuses it, as it
# refuses a private or removed video, with its own error.
DRM_PLAYLIST = """#EXTM3U
#EXT-X-VERSION:5
#EXT-X-TARGETDURATION:10
#EXT-X-KEY:METHOD=SAMPLE-AES,URI="skd://key",KEYFORMAT="com.apple.streamingkeydelivery"
#EXTINF:10.0,
seg0.ts
#EXT-X-ENDLIST
"""


@pytest.mark.reliability("input", 2)
def test_unknown_host_and_an_extractor_refusal_are_warnings(
    tmp_path: Path, media_server: MediaServer, whisper_model: str, plugin_log: PluginLog
) -> None:
    (media_server.root / "protected.m3u8").write_text(DRM_PLAYLIST)
    project = tmp_path / "p"
    copy_clip(0, project / "good.wav")
    talks = [
        {"url": "http://nonexistent.invalid/talk.mp3", "title": "No such host"},
        {"url": media_server.url("protected.m3u8"), "title": "Protected"},
        {"url": "good.wav", "title": "Good"},
    ]
    build_site(write_site(project, {"talks": talks}, whisper={"model": whisper_model}))
    causes = {  # a name that does not resolve may be the network: both are said
        "No such host": "cannot look up nonexistent.invalid: the network is down, or the host "
        "name in the URL is wrong; build again once the network is back, or fix the URL",
        "Protected": "This video is DRM protected; check the URL, then build again",
    }
    for title, cause in causes.items():
        [warning] = [w for w in plugin_log.warnings if f"'{title}' (talks.yml:" in w]
        assert warning.endswith(cause), warning
        assert "caused by" not in warning  # yt-dlp's repetition of the cause is cut
    assert "Traceback" not in "\n".join(plugin_log.warnings)
    site = project / "site" / "talks"
    assert 'class="yt2doc-p"' in (site / "good" / "index.html").read_text()
    for slug in ("no-such-host", "protected"):
        assert "This talk has no transcript" in (site / slug / "index.html").read_text()


@pytest.mark.reliability("input")
def test_a_thirty_hour_claim_warns_and_the_audio_sets_the_length(
    tmp_path: Path, media_server: MediaServer, whisper_model: str, plugin_log: PluginLog
) -> None:
    """A page whose metadata (JSON-LD) says 30 hours for what is a 7 s recording."""
    copy_clip(0, media_server.root / "clip.wav")
    metadata = json.dumps({
        "@context": "https://schema.org", "@type": "VideoObject", "name": "All day",
        "duration": "PT30H", "contentUrl": media_server.url("clip.wav"),
    })  # fmt: skip
    page = f'<html><script type="application/ld+json">{metadata}</script><p>Live</p></html>'
    (media_server.root / "day.html").write_text(page)
    project = tmp_path / "p"
    talks = {"talks": [{"url": media_server.url("day.html"), "title": "Day"}]}
    build_site(write_site(project, talks, whisper={"model": whisper_model, "beam_size": 1}))
    [warning] = [w for w in plugin_log.warnings if "'Day' (talks.yml:" in w]
    assert "is 30:00:00 long by its source's metadata; is it a live stream" in warning
    [media] = (project / ".yt2doc").glob("*/media.json")
    assert json.loads(media.read_text())["duration"] < 10  # what the audio says
    html = (project / "site" / "talks" / "day" / "index.html").read_text()
    assert 'class="yt2doc-p"' in html and "30:00:00" not in html


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("title: [a, list]", "'title' must be text, not ['a', 'list']"),
        ("speakers: 5", "'speakers' must be a list of names, not 5"),
        (
            "ignore_source_chapters: 'yes'",
            "'ignore_source_chapters' must be true or false, not 'yes'",
        ),
    ],
)
@pytest.mark.reliability("input")
def test_a_value_of_the_wrong_type_is_located(
    tmp_path: Path, field: str, message: str, plugin_log: PluginLog
) -> None:
    from mkdocs.exceptions import Abort

    talks = f"talks:\n  - https://example.org/a\n  - url: https://example.org/b\n    {field}\n"
    with pytest.raises(Abort):
        build_site(write_site(tmp_path / "p", talks, transcribe="never"))
    assert plugin_log.errors == [f"yt2doc: talks.yml:4: {message}"]  # the line of the key


@pytest.mark.reliability("input", 3)
def test_taken_reserved_and_path_slugs_warn_and_stay_inside_the_site(
    tmp_path: Path, plugin_log: PluginLog
) -> None:
    talks = [
        {"url": "https://example.org/a", "title": "A", "slug": "same"},
        {"url": "https://example.org/b", "title": "B", "slug": "same"},
        {"url": "https://example.org/c", "title": "C", "slug": "search"},
        {"url": "https://example.org/d", "title": "D", "slug": "/etc/passwd"},
    ]
    project = tmp_path / "p"
    build_site(write_site(project, {"talks": talks}, transcribe="never"))
    slugs = [w for w in plugin_log.warnings if "slug '" in w]
    assert slugs == [
        "yt2doc: 'B' (talks.yml:5): slug 'same' is reserved or already taken; the page is "
        "'same-2' (set another slug: to choose)",
        "yt2doc: 'C' (talks.yml:8): slug 'search' is reserved or already taken; the page is "
        "'search-2' (set another slug: to choose)",
        "yt2doc: 'D' (talks.yml:11): slug '/etc/passwd' is not a plain name; the page is "
        "'etc-passwd' (set another slug: to choose)",
    ]
    site = project / "site"
    for slug in ("same", "same-2", "search-2", "etc-passwd"):
        assert (site / "talks" / slug / "index.html").is_file()
    assert (site / "search" / "search_index.json").is_file()  # Material's search is intact
    assert not (site / "etc").exists() and not Path("/etc/passwd.html").exists()
