"""The project's own fetches (a `captions:` URL, the source's caption tracks, thumbnails) as a
stranger would aim them: at a server that trickles a byte a second, at loopback and private
addresses spelled every way, through a redirect; and a committed thumbnail far over the cap.

Every server here is real and listens on loopback; the builds are real MkDocs builds with
`transcribe: auto`. A fetch that must work allows loopback through `fetch_allow_networks`; a
fetch that must be refused runs with the product's default (nothing allowed).
"""

from __future__ import annotations

import http.server
import logging
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from mkdocs.exceptions import Abort

from mkdocs_yt2doc.pipeline.run import Pipeline
from mkdocs_yt2doc.pipeline.settings import PipelineSettings
from mkdocs_yt2doc.records.job import Job
from mkdocs_yt2doc.records.media import Media
from mkdocs_yt2doc.records.talk import Talk
from mkdocs_yt2doc.sources.fetch import FetchError, fetch, networks, refusal
from mkdocs_yt2doc.sources.ytdlp import SourceError, fetch_thumbnail
from tests.conftest import LOOPBACK, PluginLog, build_site, copy_clip, write_site
from tests.test_thumbnails import png

CUES = "WEBVTT\n\n00:00:00.500 --> 00:00:02.000\nsilver herons count the lanterns\n"
WORD = "herons"  # in the served captions only: on a page, they were fetched
TYPES = {"png": "image/png", "html": "text/html", "wav": "audio/wav"}


class Server:
    """A threaded HTTP server on `host`: `routes` maps a path to a body (bytes) or to a
    redirect ("-> URL"); every request path is logged."""

    def __init__(self, host: str = "127.0.0.1", routes: dict[str, Any] | None = None) -> None:
        self.routes: dict[str, Any] = dict(routes or {})
        self.requests: list[str] = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.requests.append(self.path)
                route = server.routes.get(self.path)
                if isinstance(route, str) and route.startswith("-> "):
                    self.send_response(302)
                    self.send_header("Location", route[3:])
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if route is None:
                    self.send_error(404)
                    return
                body = route if isinstance(route, bytes) else str(route).encode()
                self.send_response(200)
                suffix = self.path.rsplit(".", 1)[-1]
                self.send_header("Content-Type", TYPES.get(suffix, "text/vtt"))
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        kind = type("Httpd", (http.server.ThreadingHTTPServer,), {"address_family": family})
        self.httpd = kind((host, 0), Handler)
        self.host, self.port = host, self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self, path: str, host: str | None = None) -> str:
        shown = host or (f"[{self.host}]" if ":" in self.host else self.host)
        return f"http://{shown}:{self.port}/{path}"

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class Trickle:
    """A server that sends its reply one byte a second (or every `pause`): `body` trickles
    the body after prompt headers (no length, so only the connection's end would end it);
    `headers` trickles the status line and headers too. Each connection stops when the
    client hangs up, after `most` bytes, or at `stop()`."""

    def __init__(self, part: str = "body", most: int = 600, pause: float = 1.0) -> None:
        self.part, self.most, self.pause = part, most, pause
        self.stopped = threading.Event()
        self.hung_up: list[float] = []  # when each client went away
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def url(self, path: str = "slow.vtt") -> str:
        return f"http://127.0.0.1:{self.port}/{path}"

    def _accept(self) -> None:
        while not self.stopped.is_set():
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        head = b"HTTP/1.0 200 OK\r\nContent-Type: text/vtt\r\n\r\n"
        body = (CUES + "".join(f"\n{n}\n" for n in range(1000))).encode()
        with client:
            client.recv(65536)
            prompt, slow = (head, body) if self.part == "body" else (b"", head + body)
            try:
                client.sendall(prompt)
                for byte in slow[: self.most]:
                    if self.stopped.wait(self.pause):
                        return
                    client.sendall(bytes([byte]))
            except OSError:
                self.hung_up.append(time.monotonic())

    def stop(self) -> None:
        self.stopped.set()
        self.sock.close()


@pytest.fixture
def server() -> Iterator[Server]:
    running = Server()
    yield running
    running.stop()


@pytest.fixture
def second() -> Iterator[Server]:
    """Another server, on 127.0.0.2: refused where only 127.0.0.1 is allowed."""
    running = Server("127.0.0.2")
    yield running
    running.stop()


ALLOW = networks(LOOPBACK)


# -- the deadline and the cap -------------------------------------------------------------------


@pytest.mark.reliability("hostile")
@pytest.mark.parametrize("part", ["body", "headers"])
def test_a_trickling_server_is_cut_off_at_the_deadline(part: str) -> None:
    slow = Trickle(part)
    try:
        started = time.monotonic()
        with pytest.raises(FetchError, match=r"no complete reply within 2 s"):
            fetch(slow.url(), limit_bytes=2**20, deadline_s=2, allowed=ALLOW)
        taken = time.monotonic() - started
        assert 1.9 < taken < 4, taken  # the whole reply's deadline, not one read's
        # the connection is closed, not left trickling: the server's next sends fail
        until = time.monotonic() + 4
        while not slow.hung_up and time.monotonic() < until:
            time.sleep(0.1)
        assert slow.hung_up
    finally:
        slow.stop()


@pytest.mark.reliability("hostile", 2)
def test_a_reply_over_the_cap_is_refused(server: Server) -> None:
    server.routes["/big.vtt"] = b"x" * 5000
    with pytest.raises(FetchError, match=r"the reply is over 4096 bytes \(5000 bytes\)"):
        fetch(server.url("big.vtt"), limit_bytes=4096, deadline_s=5, allowed=ALLOW)
    slow = Trickle("body", most=10_000, pause=0)  # no length given: counted while it comes
    try:
        with pytest.raises(FetchError, match=r"the reply is over 50 bytes"):
            fetch(slow.url(), limit_bytes=50, deadline_s=100, allowed=ALLOW)
    finally:
        slow.stop()


@pytest.mark.parametrize("deadline", [0, -1, float("inf"), float("nan")])
def test_a_deadline_must_be_finite_and_positive(server: Server, deadline: float) -> None:
    with pytest.raises(FetchError, match="finite number of seconds"):
        fetch(server.url("x.vtt"), limit_bytes=10, deadline_s=deadline, allowed=ALLOW)


# -- the address rule ---------------------------------------------------------------------------


@pytest.mark.reliability("hostile")
@pytest.mark.parametrize(
    ("host", "cause"),
    [
        ("127.0.0.1", "127.0.0.1 is a loopback address"),
        ("127.1", "127.1 is 127.0.0.1, a loopback address"),
        ("2130706433", "2130706433 is 127.0.0.1, a loopback address"),
        ("0x7f000001", "is 127.0.0.1, a loopback address"),
        ("localhost", "localhost is "),
        ("[::1]", "::1 is a loopback address"),
        ("[::ffff:127.0.0.1]", "::ffff:127.0.0.1 is a loopback address"),
        ("0.0.0.0", "0.0.0.0 is a"),
        ("169.254.169.254", "169.254.169.254 is a link-local address"),
        ("10.0.0.1", "10.0.0.1 is a private address"),
        ("192.168.1.1", "192.168.1.1 is a private address"),
        ("[fe80::1]", "fe80::1 is a link-local address"),
        ("[fd00::1]", "fd00::1 is a private address"),
    ],
)
def test_loopback_and_private_addresses_are_refused(server: Server, host: str, cause: str) -> None:
    server.routes["/x.vtt"] = CUES
    url = f"http://{host}:{server.port}/x.vtt"
    started = time.monotonic()
    with pytest.raises(FetchError) as raised:
        fetch(url, limit_bytes=2**20, deadline_s=5)
    message = str(raised.value)
    assert cause in message and "refused" in message and "fetch_allow_networks" in message
    assert time.monotonic() - started < 2  # refused before connecting
    assert server.requests == []


@pytest.mark.parametrize(
    ("address", "allowed", "cause"),
    [
        ("8.8.8.8", (), None),  # None: allowed; "refused": whatever reason this Python gives
        ("2606:4700:4700::1111", (), None),
        ("::ffff:8.8.8.8", (), None),  # a mapped global address is that address
        ("100.64.0.1", (), "a non-global address"),  # carrier-grade NAT
        ("224.0.0.1", (), "a multicast address"),
        ("240.0.0.1", (), "refused"),
        ("255.255.255.255", (), "refused"),
        ("::", (), "an unspecified address"),
        ("ff02::1", (), "a multicast address"),
        ("fec0::1", (), "refused"),
        ("2002:7f00:1::", (), "a 6to4 address of 127.0.0.1, a loopback address"),
        ("10.1.2.3", ("10.0.0.0/8",), None),
        ("::ffff:10.1.2.3", ("10.0.0.0/8",), None),
        ("10.1.2.3", ("10.9.0.0/16",), "a private address"),
        ("::1", LOOPBACK, "a loopback address"),  # 127.0.0.0/8 is not ::1
        ("fe80::1%eth0", (), "a link-local address"),
    ],
)
def test_the_address_rule(address: str, allowed: tuple[str, ...], cause: str | None) -> None:
    found = refusal(address, networks(allowed))
    assert found is not None if cause == "refused" else found == cause


def test_an_allowed_network_lets_the_fetch_through(server: Server) -> None:
    server.routes["/x.vtt"] = CUES
    reply = fetch(server.url("x.vtt"), limit_bytes=2**20, deadline_s=5, allowed=ALLOW)
    assert reply.data == CUES.encode() and reply.content_type == "text/vtt"


@pytest.mark.reliability("hostile", 3)
def test_every_redirect_hop_is_held_to_the_rule(server: Server, second: Server) -> None:
    second.routes["/x.vtt"] = CUES
    server.routes["/away"] = "-> " + second.url("x.vtt")
    server.routes["/file"] = "-> file:///etc/passwd"
    server.routes["/loop"] = "-> /loop"
    only_first = networks(["127.0.0.1/32"])
    with pytest.raises(FetchError) as raised:
        fetch(server.url("away"), limit_bytes=2**20, deadline_s=5, allowed=only_first)
    assert str(raised.value).startswith(f"redirected to '{second.url('x.vtt')}': 127.0.0.2 is a "
                                        "loopback address: refused")  # fmt: skip
    assert second.requests == [] and server.requests == ["/away"]
    with pytest.raises(FetchError, match=r"redirected to 'file:///etc/passwd': it is not an http"):
        fetch(server.url("file"), limit_bytes=2**20, deadline_s=5, allowed=only_first)
    with pytest.raises(FetchError, match="more than 5 redirects"):
        fetch(server.url("loop"), limit_bytes=2**20, deadline_s=5, allowed=only_first)
    # both allowed: the redirect is followed
    reply = fetch(server.url("away"), limit_bytes=2**20, deadline_s=5, allowed=ALLOW)
    assert reply.data == CUES.encode() and second.requests == ["/x.vtt"]


@pytest.mark.reliability("hostile", 2)
def test_thumbnails_follow_the_same_rule(tmp_path: Path, server: Server, second: Server) -> None:
    second.routes["/thumb.png"] = png()
    server.routes["/thumb.png"] = "-> " + second.url("thumb.png")
    with pytest.raises(SourceError, match=r"127\.0\.0\.1 is a loopback address: refused"):
        fetch_thumbnail(server.url("thumb.png"))
    with pytest.raises(SourceError, match=r"redirected to .*127\.0\.0\.2 is a loopback address"):
        fetch_thumbnail(server.url("thumb.png"), allowed=networks(["127.0.0.1/32"]))
    assert second.requests == []
    # the pipeline, as built with the default options: no thumbnail, and the talk is fine
    pipeline = Pipeline(PipelineSettings(cache_dir=tmp_path / "cache"))
    media = Media(key="youtube-abcdefghijk", url="u", webpage_url="u", extractor="youtube",
                  id="abcdefghijk", thumbnail=second.url("thumb.png"))  # fmt: skip
    job = Job(talk=Talk(url="u", where="talks.yml:1"), key=media.key, media=media)
    pipeline.recorder.keep_thumbnail(job)
    assert pipeline.store.thumbnail(media.key) is None and not job.failed
    assert second.requests == []


# -- real builds ---------------------------------------------------------------------------------


def _site(project: Path, talks: Any, **options: Any) -> Path:
    """A site whose talks come from captions only (no Whisper); `fetch_allow_networks` only
    where given: the product's default otherwise."""
    config = write_site(project, talks, transcript_from=["captions"], **options)
    if "fetch_allow_networks" not in options:
        data = yaml.safe_load(config.read_text())
        del data["plugins"][1]["yt2doc"]["fetch_allow_networks"]
        config.write_text(yaml.safe_dump(data, sort_keys=False))
    return config


def _warned(log: PluginLog, title: str) -> str:
    return "\n".join(w for w in log.warnings if f"'{title}' (talks.yml:" in w)


@pytest.mark.reliability("hostile")
def test_a_slow_caption_server_does_not_hang_the_build(
    tmp_path: Path, plugin_log: PluginLog
) -> None:
    slow = Trickle("body")
    try:
        project = tmp_path / "p"
        copy_clip(0, project / "talk.wav")
        talks = [{"url": "talk.wav", "title": "Slow", "captions": slow.url()}]
        config = _site(project, talks, fetch_allow_networks=LOOPBACK, fetch_timeout=2)
        started = time.monotonic()
        build_site(config)
        taken = time.monotonic() - started
    finally:
        slow.stop()
    warned = _warned(plugin_log, "Slow")
    assert f"cannot fetch {slow.url()} (talks.yml:" in warned
    assert "no complete reply within 2 s" in warned, plugin_log.warnings
    assert taken < 30, taken
    assert "No transcript yet" in (project / "site/talks/slow/index.html").read_text()


@pytest.mark.reliability("hostile", 5)
def test_captions_from_loopback_are_refused_by_default(
    tmp_path: Path, server: Server, second: Server, plugin_log: PluginLog
) -> None:
    """The product's default refuses each spelling of loopback, and a redirect out of an
    allowed network; nothing is fetched and nothing the servers hold is published."""
    server.routes["/x.vtt"] = CUES
    server.routes["/away.vtt"] = "-> " + second.url("x.vtt")
    second.routes["/x.vtt"] = CUES
    ipv6 = Server("::1", {"/x.vtt": CUES})
    project = tmp_path / "p"
    urls = {
        "Plain": server.url("x.vtt"),
        "Short": server.url("x.vtt", host="127.1"),
        "Decimal": server.url("x.vtt", host="2130706433"),
        "Six": ipv6.url("x.vtt"),
    }
    for number, title in enumerate(urls):
        copy_clip(number, project / f"{title}.wav")
    talks = [{"url": f"{t}.wav", "title": t, "captions": u} for t, u in urls.items()]
    try:
        started = time.monotonic()
        build_site(_site(project, talks))
        assert time.monotonic() - started < 30
        for title in urls:
            warned = _warned(plugin_log, title)
            assert "a loopback address: refused" in warned, (title, plugin_log.warnings)
            assert "fetch_allow_networks" in warned
        assert server.requests == [] and ipv6.requests == []
        for page in (project / "site").rglob("*.html"):
            assert WORD not in page.read_text(), page
        # allowed: 127.0.0.1 only; the redirect to 127.0.0.2 is refused, the rest is fetched
        plugin_log.records.clear()
        talks = [
            {"url": "Plain.wav", "title": "Away", "captions": server.url("away.vtt")},
            {"url": "Short.wav", "title": "Here", "captions": server.url("x.vtt")},
        ]
        build_site(_site(project, talks, fetch_allow_networks=["127.0.0.1/32"]))
    finally:
        ipv6.stop()
    warned = _warned(plugin_log, "Away")
    assert "redirected to" in warned and "127.0.0.2 is a loopback address: refused" in warned
    assert second.requests == []
    assert WORD in (project / "site/talks/here/index.html").read_text()
    assert WORD not in (project / "site/talks/away/index.html").read_text()


@pytest.mark.reliability("hostile", 2)
def test_a_sources_caption_track_and_thumbnail_follow_the_rule(
    tmp_path: Path,
    server: Server,
    second: Server,
    plugin_log: PluginLog,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A page read by the real yt-dlp offers a caption track and a thumbnail (og:image):
    fetched by the project, so held to the rule; yt-dlp's own requests are not."""
    caplog.set_level(logging.INFO, logger="mkdocs.plugins.yt2doc")  # "no thumbnail" is info
    copy_clip(0, tmp_path / "clip.wav")
    server.routes["/clip.wav"] = (tmp_path / "clip.wav").read_bytes()
    server.routes["/x.vtt"] = CUES
    second.routes["/thumb.png"] = png()
    server.routes["/page.html"] = (
        f'<html><head><title>Herons</title><meta property="og:image" '
        f'content="{second.url("thumb.png")}"></head><body><video src="clip.wav">'
        '<track kind="captions" src="x.vtt" srclang="en"></video></body></html>'
    )
    talks = [{"url": server.url("page.html"), "title": "Herons", "language": "en"}]
    project = tmp_path / "p"
    build_site(_site(project, talks))
    assert "the source's captions (en)" in _warned(plugin_log, "Herons")
    assert "127.0.0.1 is a loopback address: refused" in _warned(plugin_log, "Herons")
    assert "/x.vtt" not in server.requests and second.requests == []
    # the track's server allowed, the thumbnail's not: the talk is built, with no thumbnail
    build_site(_site(project, talks, fetch_allow_networks=["127.0.0.1/32"]))
    page = project / "site/talks/herons"
    assert WORD in (page / "index.html").read_text()
    assert second.requests == [] and not list(page.glob("thumbnail.*"))
    assert any("no thumbnail" in r.getMessage() and "127.0.0.2" in r.getMessage()
               for r in plugin_log.records)  # fmt: skip


@pytest.mark.reliability("hostile")
def test_a_committed_thumbnail_over_the_cap_is_not_published(
    tmp_path: Path, plugin_log: PluginLog
) -> None:
    project = tmp_path / "p"
    copy_clip(0, project / "talk.wav")
    (project / "talk.vtt").write_text(CUES)
    talks = [{"url": "talk.wav", "title": "Big", "captions": "talk.vtt"}]
    config = _site(project, talks)
    build_site(config)
    [folder] = [p for p in (project / ".yt2doc").iterdir() if (p / "transcript.json").is_file()]
    (folder / "thumbnail.png").write_bytes(png())
    config = _site(project, talks, transcribe="never")  # as CI builds a committed cache
    build_site(config)
    assert (project / "site/talks/big/thumbnail.png").is_file()  # within the cap: published
    (folder / "thumbnail.png").unlink()
    with open(folder / "thumbnail.webp", "wb") as huge:
        huge.truncate(60 * 2**20)  # 60 MB, sparse
    plugin_log.records.clear()
    started = time.monotonic()
    build_site(config)
    assert time.monotonic() - started < 30
    [warning] = [w for w in plugin_log.warnings if "thumbnail.webp" in w]
    assert "'Big' (talks.yml:" in warning and "is over 2 MiB (62914560 bytes)" in warning
    site = project / "site"
    assert not list(site.rglob("thumbnail.*"))
    assert "thumbnail" not in (site / "talks/big/index.html").read_text()


@pytest.mark.reliability("input", 3)
@pytest.mark.parametrize(
    ("value", "message"),
    [
        (["10.0.0.0/33"], "'10.0.0.0/33' is not a network"),
        (["intranet"], "'intranet' is not a network"),
        ("10.0.0.0/8", "option 'fetch_allow_networks'"),  # a list, not one string
    ],
)
def test_a_bad_network_is_a_config_error(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, value: Any, message: str
) -> None:
    config = write_site(tmp_path / "p", {"talks": []}, fetch_allow_networks=value)
    with pytest.raises(Abort):
        build_site(config)
    assert message in caplog.text and "Traceback" not in caplog.text
