"""Messages a build gives that say what to do, and public pages that keep the causes out:
`transcribe: never` with talks to transcribe; the network down against no such recording
(real yt-dlp over loopback); the placeholder page of a talk whose URL is dead."""

from __future__ import annotations

import html
import io
import re
import socket
from pathlib import Path

from mkdocs_yt2doc.cli import _settings
from mkdocs_yt2doc.status import status
from tests.conftest import MediaServer, PluginLog, build_site, write_site


def _closed_port() -> int:
    with socket.socket() as probe:  # bound, never listening: a connection is refused
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _warning(plugin_log: PluginLog, title: str) -> str:
    [warning] = [w for w in plugin_log.warnings if f"'{title}' (talks.yml:" in w]
    return warning


def test_never_with_talks_to_transcribe_names_the_two_commands(
    tmp_path: Path, media_server: MediaServer, plugin_log: PluginLog
) -> None:
    talks = {
        "talks": [
            {"url": media_server.url("a.wav"), "title": "A"},
            {"url": media_server.url("b.wav"), "title": "B"},
        ]
    }
    build_site(write_site(tmp_path / "p", talks, transcribe="never", cache_dir="cache"))
    [summary] = [w for w in plugin_log.warnings if "mkdocs-yt2doc prefetch" in w]
    assert summary == (
        "yt2doc: 2 talk(s) without a transcript, which `transcribe: never` does not make: run "
        "`mkdocs-yt2doc prefetch` where they can be transcribed, then commit the cache folder "
        "(cache/)"
    )
    assert "not processed yet (transcribe: never)" in _warning(plugin_log, "A")
    out = io.StringIO()
    assert status(*_settings(str(tmp_path / "p" / "mkdocs.yml")), out) == 0
    assert out.getvalue().endswith(
        "2 uncached\n\nTo transcribe the uncached: `mkdocs-yt2doc prefetch`, then commit the "
        "cache folder (cache/).\n"
    )
    assert media_server.requests == []


# What a cause looks like when it leaks: errno and exception names, yt-dlp's and urllib3's
# wording, the resolver's.
RAW = re.compile(
    r"errno|Errno|Error\b|Exception|Traceback|refused|Connection|HTTP ?\d{3}|caused by|"
    r"resolve|Name or service|yt-dlp|yt_dlp|answers|cannot look up|check the URL",
)


def _text_files(site: Path) -> list[Path]:
    """Every page and data file of the built site but the theme's own bundles."""
    kinds = {".html", ".json", ".xml", ".txt", ".md", ".vtt", ".srt"}
    return [
        p
        for p in site.rglob("*")
        if p.suffix in kinds and "assets" not in p.relative_to(site).parts[:1]
    ]


def test_network_down_and_no_such_recording_are_told_apart_and_stay_off_the_pages(
    tmp_path: Path, media_server: MediaServer, plugin_log: PluginLog
) -> None:
    port = _closed_port()
    down = f"http://127.0.0.1:{port}/keynote.mp3"
    gone = media_server.url("removed.mp3")
    talks = {
        "talks": [
            {"url": down, "title": "Server down"},
            {"url": gone, "title": "Removed"},
            {"url": "http://nonexistent.invalid/talk.mp3", "title": "No such host"},
        ]
    }
    project = tmp_path / "p"
    build_site(write_site(project, talks))
    assert _warning(plugin_log, "Server down").endswith(
        f"{down}: 127.0.0.1:{port} refuses connections: the network or the server is down, "
        "not the URL; build again when it is back"
    )
    assert _warning(plugin_log, "Removed").endswith(
        f"{gone}: no such recording: 127.0.0.1:{media_server.port} answers HTTP 404; check the "
        "URL in talks.yml"
    )
    assert "cannot look up nonexistent.invalid" in _warning(plugin_log, "No such host")

    site = project / "site"
    for slug, url in (("server-down", down), ("removed", gone)):
        page = (site / "talks" / slug / "index.html").read_text()
        assert "This talk has no transcript yet." in page
        assert f'<a class="yt2doc-source" href="{url}">Watch or listen to it at its source' in (
            page
        )
    files = _text_files(site)
    assert len([p for p in files if p.name == "index.html"]) >= 4
    for path in files:
        text = html.unescape(path.read_text(errors="replace"))  # as a reader sees it
        # the talks' own URLs are links to their sources; nothing else may name a host
        text = re.sub(r'href="[^"]*"', "", text).replace(down, "").replace(gone, "")
        text = text.replace("http://nonexistent.invalid/talk.mp3", "")
        for host in (f"127.0.0.1:{port}", f"127.0.0.1:{media_server.port}", "nonexistent"):
            assert host not in text, (path, host)
        if path.suffix == ".html" and "talks" in path.parts:
            leaked = RAW.findall(re.sub(r"<script.*?</script>|<style.*?</style>", "", text,
                                        flags=re.S))  # fmt: skip
            assert not leaked, (path, leaked)


def test_an_extractor_saying_unavailable_is_no_such_video() -> None:
    """yt-dlp's YouTube extractor for a removed video (no loopback server makes one): its
    ExtractorError, wrapped in the DownloadError that extract_info raises."""
    import yt_dlp

    from mkdocs_yt2doc.sources.source_errors import advice

    url = "https://www.youtube.com/watch?v=aaaaaaaaaaa"
    cause = yt_dlp.utils.ExtractorError("Video unavailable", expected=True)
    error = yt_dlp.utils.DownloadError(f"ERROR: [youtube] {cause}", (type(cause), cause, None))
    cleaned = "[youtube] aaaaaaaaaaa: Video unavailable"
    assert advice(url, error, cleaned) == (
        "no such video: [youtube] aaaaaaaaaaa: Video unavailable; check the URL in talks.yml"
    )
