"""The source's thumbnail is kept in the cache with the transcript, so the player's facade can
show it from the site: the reader's browser asks the video service for nothing until play."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import pytest

from mkdocs_yt2doc.pipeline.run import Pipeline
from mkdocs_yt2doc.pipeline.settings import PipelineSettings
from mkdocs_yt2doc.records.job import Job
from mkdocs_yt2doc.records.media import Media
from mkdocs_yt2doc.records.talk import Talk
from mkdocs_yt2doc.sources.fetch import networks
from mkdocs_yt2doc.sources.ytdlp import SourceError, fetch_thumbnail
from tests.conftest import LOOPBACK, MediaServer


def png(width: int = 4, height: int = 3) -> bytes:
    """A real PNG image (grey pixels)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
            + chunk(b"IEND", b""))  # fmt: skip


def test_fetch_thumbnail_takes_images_only(media_server: MediaServer) -> None:
    (media_server.root / "thumb.png").write_bytes(png())
    (media_server.root / "page.html").write_text("<p>not an image</p>")
    (media_server.root / "huge.jpg").write_bytes(b"\xff" * (3 * 2**20))
    data, suffix = fetch_thumbnail(media_server.url("thumb.png"), allowed=networks(LOOPBACK))
    assert data == png() and suffix == ".png"
    for url, why in (
        (media_server.url("page.html"), "text/html, not an image"),
        (media_server.url("huge.jpg"), "is over 2 MiB"),
        (media_server.url("missing.png"), "cannot fetch the thumbnail"),
        ("javascript:alert(1)", r"is not an http\(s\) URL"),
        ("file:///etc/passwd", r"is not an http\(s\) URL"),
    ):
        with pytest.raises(SourceError, match=why):
            fetch_thumbnail(url, allowed=networks(LOOPBACK))


def test_the_pipeline_keeps_a_thumbnail_once(tmp_path: Path, media_server: MediaServer) -> None:
    (media_server.root / "thumb.png").write_bytes(png())
    settings = PipelineSettings(
        cache_dir=tmp_path / "cache", fetch_allow_networks=networks(LOOPBACK)
    )
    pipeline = Pipeline(settings)
    media = Media(key="youtube-abcdefghijk", url="u", webpage_url="u", extractor="youtube",
                  id="abcdefghijk", thumbnail=media_server.url("thumb.png"))  # fmt: skip
    job = Job(talk=Talk(url="u", where="talks.yml:1"), key=media.key, media=media)
    pipeline.recorder.keep_thumbnail(job)
    pipeline.recorder.keep_thumbnail(job)  # already there: not fetched again
    stored = pipeline.store.thumbnail(media.key)
    assert stored is not None and stored.name == "thumbnail.png"
    assert stored.read_bytes() == png()
    assert media_server.requests == ["/thumb.png"]
    # a dead thumbnail URL costs the talk nothing
    dead = Job(talk=Talk(url="v", where="talks.yml:2"), key="youtube-bbbbbbbbbbb",
               media=Media(key="youtube-bbbbbbbbbbb", url="v", webpage_url="v",
                           extractor="youtube", id="bbbbbbbbbbb",
                           thumbnail=media_server.url("gone.png")))  # fmt: skip
    pipeline.recorder.keep_thumbnail(dead)
    assert pipeline.store.thumbnail("youtube-bbbbbbbbbbb") is None and not dead.failed
