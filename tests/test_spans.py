"""Several talks in one recording: `start:`/`end:` cut one served recording into three talks.

The recording (the LibriVox clips joined, 27 s) is served on 127.0.0.1 as a direct media URL,
read by the real yt-dlp and transcribed once by the real tiny.en; each talk's page, captions
and downloads hold its own span, and the player (real chromium) keeps to it.
"""

from __future__ import annotations

import functools
import http.server
import io
import json
import logging
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import pytest
from mkdocs.config.defaults import MkDocsConfig

from mkdocs_yt2doc.catalog.load import load_catalog
from mkdocs_yt2doc.catalog.talk_fields import CatalogError
from mkdocs_yt2doc.util.timecode import format_timecode
from tests.browser import needs_chromium, serve
from tests.conftest import (
    CLIPS,
    PluginLog,
    build_site,
    concatenated_speech,
    copy_clip,
    reference_text,
    wer,
    write_site,
)
from tests.htmlpage import read_page

# where each clip lies in the joined recording (half a second of silence between them)
SPANS = {"first": (0.0, 7.35), "second": (7.35, 16.65), "third": (16.65, None)}
CLIPS_OF = {"first": [0], "second": [1, 2], "third": [3, 4]}


class _Ranged(http.server.SimpleHTTPRequestHandler):
    """Serves byte ranges, as any real media host does: a browser seeks only in a recording
    served so (the stdlib's handler sends whole files). Logs each GET path."""

    log: ClassVar[list[str]] = []

    def send_head(self) -> Any:
        self.log.append(self.path)
        match = re.fullmatch(r"bytes=(\d+)-(\d*)", self.headers.get("Range", ""))
        path = Path(self.translate_path(self.path))
        if not match or not path.is_file():
            return super().send_head()
        data = path.read_bytes()
        first = int(match[1])
        last = min(int(match[2]) if match[2] else len(data) - 1, len(data) - 1)
        self.send_response(206)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Range", f"bytes {first}-{last}/{len(data)}")
        self.send_header("Content-Length", str(last - first + 1))
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        return io.BytesIO(data[first : last + 1])

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # the browser drops range requests it no longer needs: not an error


class RangedServer:
    def __init__(self, root: Path) -> None:
        self.root = root
        handler = type("Handler", (_Ranged,), {"log": []})
        self.requests: list[str] = handler.log
        self.httpd = _Server(("127.0.0.1", 0), functools.partial(handler, directory=str(root)))
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/{path}"

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@dataclass
class Cut:
    project: Path
    server: RangedServer
    config: MkDocsConfig
    log: PluginLog

    def page(self, slug: str) -> Path:
        return self.project / "site" / "talks" / slug / "index.html"

    def warnings_for(self, title: str) -> list[str]:
        return [w for w in self.log.warnings if f"'{title}' (talks.yml:" in w]


@pytest.fixture(scope="module")
def cut(tmp_path_factory: pytest.TempPathFactory, whisper_model: str) -> Iterator[Cut]:
    root = tmp_path_factory.mktemp("spans")
    served = root / "served"
    served.mkdir()
    server = RangedServer(served)
    concatenated_speech(served / "meetup.wav")
    copy_clip(0, served / "ep1.wav")
    (served / "feed.xml").write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Feed</title>'
        f"<link>{server.url('')}</link><description>d</description><item><title>One</title>"
        f'<guid>1</guid><enclosure url="{server.url("ep1.wav")}" type="audio/wav" length="1"/>'
        "</item></channel></rss>"
    )
    url = server.url("meetup.wav")
    talks: list[dict[str, Any]] = [
        {"url": url, "title": name.capitalize(), "slug": name, "start": s, "date": "2026-03-0" +
         str(i + 1), **({"end": e} if e is not None else {})}
        for i, (name, (s, e)) in enumerate(SPANS.items())
    ]  # fmt: skip
    talks += [
        {"url": url, "title": "Overlapping", "start": "0:05", "end": "0:09"},
        {"url": url, "title": "Too late", "start": "1:40", "end": "2:00"},
        {"url": server.url("feed.xml"), "title": "Feed cut", "start": 1, "end": 2},
    ]
    handler = PluginLog()
    logging.getLogger("mkdocs").addHandler(handler)
    try:
        config_file = write_site(
            root / "project", {"talks": talks}, whisper={"model": whisper_model, "beam_size": 1}
        )
        config = build_site(config_file)
    finally:
        logging.getLogger("mkdocs").removeHandler(handler)
    yield Cut(root / "project", server, config, handler)
    server.stop()


def test_the_recording_is_downloaded_and_transcribed_once(cut: Cut) -> None:
    counts = cut.config.plugins["yt2doc"].pipeline.counts
    assert counts["downloads"] == 1 and counts["transcriptions"] == 1
    # yt-dlp reads it once to probe, and twice to download (its info again, then the file)
    assert cut.server.requests.count("/meetup.wav") == 3, cut.server.requests
    cache = cut.project / ".yt2doc"
    [recording] = [p.parent for p in cache.glob("*/media.json") if "meetup" in p.parent.name]
    talks = sorted(p.name for p in cache.glob(f"{recording.name}--*"))
    assert talks == [f"{recording.name}--{k}" for k in ("0-7", "16-end", "5-9", "7-16")]
    for folder in talks:
        assert (cache / folder / "document.json").is_file()


def test_each_page_holds_its_own_span(cut: Cut) -> None:
    for name, (start, end) in SPANS.items():
        page = read_page(cut.page(name))
        text = " ".join(p.text for p in page.paragraphs)
        reference = " ".join(reference_text(CLIPS[i]) for i in CLIPS_OF[name])
        assert wer(reference, text) < 0.4, (name, text)
        # timestamps are seconds of the whole recording, inside the span
        times = [int(p.link.attrs["data-t"]) for p in page.paragraphs if p.link]
        assert times and times[0] >= int(start) and (end is None or times[-1] < end), times
        assert all(cut.server.url("meetup.wav") + "#t=" in p.link.href for p in page.paragraphs
                   if p.link)  # fmt: skip
    html = cut.page("second").read_text()
    assert 'data-start="7.35" data-end="16.65"' in html
    assert '<span class="yt2doc-duration">0:09</span>' in html
    # the last part (start:, no end:) is as long as the rest of the recording, on this first
    # build too: the recording's length is known once the audio of the first part is heard
    media = (cut.project / ".yt2doc").glob("*/media.json")
    recording = next(json.loads(p.read_text())["duration"] for p in media if "meetup" in str(p))
    assert recording
    third = json.loads((cut.project / "site/talks/third/third.json").read_text())
    assert third["duration"] == pytest.approx(recording - 16.65)
    shown = format_timecode(recording - 16.65)
    assert f'<span class="yt2doc-duration">{shown}</span>' in cut.page("third").read_text()


def test_captions_and_downloads_cover_the_span(cut: Cut) -> None:
    folder = cut.project / "site" / "talks" / "second"
    stamps = re.findall(r"(\d\d):(\d\d):(\d\d)\.(\d\d\d) --> ", (folder / "second.vtt").read_text())
    seconds = [int(h) * 3600 + int(m) * 60 + int(s) + int(ms) / 1000 for h, m, s, ms in stamps]
    assert seconds and min(seconds) >= 7.0 and max(seconds) < 16.65
    export = json.loads((folder / "second.json").read_text())
    assert export["duration"] == pytest.approx(9.3)
    assert all(7.0 <= p["start"] < 16.65 for p in export["paragraphs"])


@pytest.mark.reliability("input", 3)
def test_bad_spans_name_the_talk_and_the_cause(cut: Cut) -> None:
    overlaps = " ".join(cut.warnings_for("Overlapping"))
    assert "overlaps 'First' (talks.yml:" in overlaps and "(0:05 to 0:09)" in overlaps
    assert any("start 1:40 is after the end of the recording (0:27)" in w
               for w in cut.warnings_for("Too late"))  # fmt: skip
    assert any("this URL is a playlist" in w for w in cut.warnings_for("Feed cut"))
    assert "No transcript yet" in cut.page("too-late").read_text()


@pytest.mark.reliability("input", 3)
def test_start_after_end_and_bad_times_are_errors_with_their_line(tmp_path: Path) -> None:
    copy_clip(0, tmp_path / "a.wav")
    for body, message in (
        ("  start: '2:00'\n  end: '1:00'\n", r"talks.yml:3: the talk ends \(1:00\) before"),
        ("  start: 'soon'\n", r"talks.yml:2: 'start': not a time"),
        ("  end: -4\n", r"talks.yml:2: 'end': negative time"),
    ):
        (tmp_path / "talks.yml").write_text("- url: a.wav\n" + body)
        with pytest.raises(CatalogError, match=message):
            load_catalog(tmp_path / "talks.yml")


@needs_chromium
def test_the_player_starts_and_stops_at_the_talk(cut: Cut, browser: Any) -> None:
    with serve(cut.project / "site") as local:
        page = browser.new_page()
        page.goto(f"{local}/talks/second/")
        page.wait_for_function("document.querySelector('audio').readyState >= 1")
        page.wait_for_function("Math.abs(document.querySelector('audio').currentTime - 7.35) < 0.3")
        page.evaluate("const a = document.querySelector('audio'); a.playbackRate = 4; a.play()")
        page.wait_for_function("document.querySelector('audio').paused", timeout=15000)
        stopped = page.evaluate("document.querySelector('audio').currentTime")
        assert 16.6 <= stopped < 17.1, stopped  # at 4x speed: within 0.45 s of media
        status = page.evaluate("document.querySelector('.yt2doc-status').textContent")
        assert "This talk ends at 0:16" in status
        # the reader may play on: no second stop
        page.evaluate("document.querySelector('audio').play()")
        page.wait_for_function("document.querySelector('audio').currentTime > 18", timeout=15000)
        page.close()


def test_status_shows_each_part_s_own_duration(cut: Cut) -> None:
    from mkdocs_yt2doc.project.config_file import project_settings
    from mkdocs_yt2doc.status import status

    out = io.StringIO()
    assert status(*project_settings(str(cut.project / "mkdocs.yml")), out) == 0
    rows = {line.split()[0]: line.split() for line in out.getvalue().splitlines() if line}
    assert rows["first"][2] == "0:07" and rows["second"][2] == "0:09"
    assert rows["third"][2] == "0:10"  # 16.65 s to the end, 27 s
