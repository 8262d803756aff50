"""talks.yml -> real `mkdocs build` (Material + search) -> pages, on real parts.

One archive is built once for the module from four kinds of source served on 127.0.0.1 or read
from disk: a direct media URL, an HTML page with a <video> (yt-dlp's html5 extractor), an RSS
feed (a playlist, with one entry overridden by a later item), and a local file. Whisper is the
real tiny.en model; the speech is real (LibriVox).
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from mkdocs.config.defaults import MkDocsConfig

from tests.conftest import (
    CLIPS,
    MediaServer,
    build_site,
    concatenated_speech,
    copy_clip,
    fragments,
    reference_text,
    wer,
    write_site,
)
from tests.htmlpage import read_page


@dataclass
class Archive:
    project: Path
    config_file: Path
    server: MediaServer
    config: MkDocsConfig
    reference: str

    @property
    def site(self) -> Path:
        return self.project / "site"

    def page(self, slug: str) -> Path:
        return self.site / "talks" / slug / "index.html"


def _feed(server: MediaServer, names: list[str]) -> str:
    items = "".join(
        f"<item><title>Episode {i + 1}</title><guid>ep{i + 1}</guid>"
        f'<enclosure url="{server.url(name)}" type="audio/wav" length="1"/></item>'
        for i, name in enumerate(names)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>Meetup podcast</title><link>{server.url('')}</link>"
        f"<description>Readings</description>{items}</channel></rss>"
    )


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory, whisper_model: str) -> Any:
    root = tmp_path_factory.mktemp("archive")
    served = root / "served"
    served.mkdir()
    server = MediaServer(served)
    _, reference = concatenated_speech(served / "speech.wav")
    for i in (1, 2, 3):
        copy_clip(i, served / f"clip{i}.wav")
    (served / "page.html").write_text(
        "<html><head><title>Clip one on a page</title></head><body>"
        '<video controls src="clip1.wav"></video></body></html>'
    )
    (served / "feed.xml").write_text(_feed(server, ["clip2.wav", "clip3.wav"]))
    project = root / "project"
    copy_clip(4, project / "recordings" / "local.wav")
    talks = {
        "defaults": {"event": "Test Conf"},
        "talks": [
            {
                "url": server.url("speech.wav"),
                "title": "Sense and Sensibility, chapter one",
                "speakers": ["A Reader"],
                "date": "2026-05-14",
                "tags": ["austen"],
                "slug": "sense",
                "chapters": [
                    {"start": "0:00", "title": "Opening"},
                    {"start": "0:12", "title": "The Dashwoods"},
                ],
            },
            server.url("page.html"),
            server.url("feed.xml"),
            {"url": server.url("clip3.wav"), "title": "Overridden episode", "speakers": ["B"]},
            {"url": "recordings/local.wav", "title": "A local recording"},
        ],
    }
    config_file = write_site(project, talks, whisper={"model": whisper_model, "beam_size": 1})
    config = build_site(config_file)
    yield Archive(project, config_file, server, config, reference)
    server.stop()


def test_every_source_kind_becomes_a_page(archive: Archive) -> None:
    talks = archive.site / "talks"
    index_pages = {"events", "speakers", "tags", "search"}  # tested elsewhere
    pages = sorted(
        p.parent.name for p in talks.glob("*/index.html") if p.parent.name not in index_pages
    )
    assert pages == [
        "a-local-recording",
        "clip-one-on-a-page-1",
        "episode-1",
        "overridden-episode",
        "sense",
    ]
    assert read_page(archive.page("episode-1")).headings[0] == ("h1", "episode-1", "Episode 1")
    overridden = read_page(archive.page("overridden-episode"))
    assert (
        "B" in [a.text for a in overridden.links]
        or "B" in archive.page("overridden-episode").read_text()
    )
    # the local file is copied next to its page, so its timestamps work on a static host
    assert (talks / "a-local-recording" / "local.wav").is_file()


def test_contents_links_resolve_to_chapter_headings(archive: Archive) -> None:
    page = read_page(archive.page("sense"))
    chapters = [a for a in page.contents if a.href.startswith("#")]
    assert [a.text for a in chapters] == ["Opening", "The Dashwoods"]
    for link in chapters:
        assert link.href[1:] in page.ids
    # each chapter also has its timestamp, a link to the source at that second
    times = [a for a in page.contents if not a.href.startswith("#")]
    assert [a.text for a in times] == ["0:00", "0:12"]
    assert all(a.href.startswith(archive.server.url("")) and "#t=" in a.href for a in times)
    chapter_headings = [h for h in page.headings if h[0] == "h2"]
    assert [(h[1], h[2]) for h in chapter_headings] == [
        ("opening", "Opening"),
        ("the-dashwoods", "The Dashwoods"),
    ]


def test_timestamps_link_the_source_at_the_paragraphs_first_word(archive: Archive) -> None:
    page = read_page(archive.page("sense"))
    document = json.loads(
        next((archive.project / ".yt2doc").glob("generic-speech-*/document.json")).read_text()
    )
    transcript = json.loads(
        next((archive.project / ".yt2doc").glob("generic-speech-*/transcript.json")).read_text()
    )
    word_starts = {w["start"] for s in transcript["segments"] for w in s["words"]}
    assert len(page.paragraphs) == len(document["paragraphs"]) >= 2
    for shown, stored in zip(page.paragraphs, document["paragraphs"], strict=True):
        second = int(stored["start"])
        assert shown.link is not None
        assert shown.link.href == f"{archive.server.url('speech.wav')}#t={second}"
        assert shown.id == f"t{second}" or shown.id.startswith(f"t{second}-")
        assert stored["start"] in word_starts  # the first word's time, not the segment's
    # the second chapter (marked 0:12) starts a paragraph at the nearest sentence start
    dashwoods = document["chapters"][1]
    opening = document["paragraphs"][dashwoods["first_paragraph"]]
    assert 8 <= opening["start"] <= 16 and opening["text"][0].isupper()
    previous = document["paragraphs"][dashwoods["first_paragraph"] - 1]
    assert previous["text"].endswith(".")
    # playlist entries link to their own enclosure; local files to the copy in the site
    episode = read_page(archive.page("episode-1"))
    assert all(
        p.link and p.link.href.startswith(archive.server.url("clip2.wav#t="))
        for p in episode.paragraphs
    )
    local = read_page(archive.page("a-local-recording"))
    assert all(p.link and p.link.href.startswith("local.wav#t=") for p in local.paragraphs)


def test_transcript_is_accurate(archive: Archive) -> None:
    page = read_page(archive.page("sense"))
    text = " ".join(p.text for p in page.paragraphs)
    assert wer(archive.reference, text) <= 0.15
    local = read_page(archive.page("a-local-recording"))
    assert wer(reference_text(CLIPS[4]), " ".join(p.text for p in local.paragraphs)) <= 0.15


def test_search_index_holds_talk_records(archive: Archive) -> None:
    """With Pagefind, Material's index (fetched by every page) holds none of the archive's
    pages; Pagefind has a record per talk, its chapters as headings, its words at their
    paragraph."""
    from mkdocs_yt2doc.archive.search_fragments import split_words

    index = json.loads((archive.site / "search" / "search_index.json").read_text())
    assert not [d for d in index["docs"] if d["location"].startswith("talks/")]
    records = {r["url"]: r for r in fragments(archive.site)}
    sense = records["/talks/sense/"]
    headings = {a["text"]: a["location"] for a in sense["anchors"] if a["element"] == "h2"}
    words, _ = split_words(sense["content"])
    at = words.index(next(w for w in words if "amiable" in w))
    assert headings["The Dashwoods"] <= at
    before = [a for a in sense["anchors"] if a["element"] == "span" and a["location"] <= at]
    assert before and before[-1]["id"].startswith("t")


def test_index_page_and_nav_list_talks_in_order(archive: Archive) -> None:
    expected = [
        ("sense/", "Sense and Sensibility, chapter one"),
        ("clip-one-on-a-page-1/", "Clip one on a page (1)"),
        ("episode-1/", "Episode 1"),
        ("overridden-episode/", "Overridden episode"),
        ("a-local-recording/", "A local recording"),
    ]
    index = read_page(archive.site / "talks" / "index.html")
    table = [(a.href, a.text) for a in index.links if (a.href, a.text) in expected]
    # newest first: the loopback server dates its files today (yt-dlp reads Last-Modified),
    # talks.yml dates sense 2026-05-14, the local file has no date and comes last
    assert table == [*expected[1:4], expected[0], expected[4]]
    assert "Test Conf" in (archive.site / "talks" / "index.html").read_text()
    # the automatic nav shows them under "Talks", in talks.yml order (on the archive's pages:
    # Material's navigation.prune leaves other sections folded)
    home = read_page(archive.site / "talks" / "index.html")
    nav_links = [a.text.strip() for a in home.links if "md-nav__link" in a.classes]
    talk_titles = [title for _, title in expected]
    shown = [t for t in nav_links if t in talk_titles]
    assert shown == talk_titles


def test_cache_is_diff_friendly_json(archive: Archive) -> None:
    cache = archive.project / ".yt2doc"
    folders = sorted(p.name for p in cache.iterdir() if p.is_dir())
    assert len(folders) == 5
    for folder in folders:
        for name in ("media.json", "transcript.json", "document.json"):
            text = (cache / folder / name).read_text()
            data = json.loads(text)
            assert data["schema"] == 1
            assert list(data) == sorted(data)
            assert text.count("\n") > 5  # indented, one record a line
    transcript = json.loads(next(cache.glob("generic-speech-*/transcript.json")).read_text())
    assert transcript["settings"]["beam_size"] == 1
    assert "faster-whisper" in transcript["versions"]
    sources = json.loads((cache / "sources.json").read_text())
    feed = sources["urls"][archive.server.url("feed.xml")]
    assert feed["playlist"] is True and len(feed["entries"]) == 2


def test_second_build_offline_is_identical(archive: Archive) -> None:
    """Cached talks need no network: the server is stopped and nothing is fetched."""
    before = {p: p.read_bytes() for p in (archive.site / "talks").rglob("*.html")}
    archive.server.stop()
    requests_before = len(archive.server.requests)
    config = build_site(archive.config_file)
    pipeline = config.plugins["yt2doc"].pipeline
    assert dict(pipeline.counts) == {}  # no probe, no download, no transcription
    assert len(archive.server.requests) == requests_before
    after = {p: p.read_bytes() for p in (archive.site / "talks").rglob("*.html")}
    assert after == before
    # and the same from a clean site folder with transcribe: never and --strict, as CI runs it
    settings = yaml.safe_load(archive.config_file.read_text())
    settings["plugins"][1]["yt2doc"]["transcribe"] = "never"
    ci_config = archive.config_file.with_name("mkdocs-ci.yml")
    ci_config.write_text(yaml.safe_dump(settings))
    shutil.rmtree(archive.site)
    build_site(ci_config, strict=True)
    assert {p: p.read_bytes() for p in (archive.site / "talks").rglob("*.html")} == before
