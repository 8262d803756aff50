"""Talk metadata (kind, slides, links) and the index of cards, in a real build and chromium.

Forty talks are cached as a maintainer's committed cache would hold them (media.json, a
transcript made from caption cues, the source's thumbnail), then built with `transcribe:
never`: the pipeline makes their paragraphs and documents, the archive its pages.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from typing import Any

import pytest

from mkdocs_yt2doc.cache.store import MEDIA, TRANSCRIPT, Store
from mkdocs_yt2doc.catalog.load import load_catalog
from mkdocs_yt2doc.catalog.talk_fields import CatalogError
from mkdocs_yt2doc.sources.caption_read import parse_captions, transcript_from_cues
from tests.browser import needs_chromium, serve
from tests.conftest import build_site, copy_clip, write_site
from tests.htmlpage import read_page
from tests.test_thumbnails import png

COUNT = 40
KINDS = ["keynote", "talk", "lightning", "panel", "workshop"]


def _cache(project: Path) -> list[dict[str, Any]]:
    store = Store(project / ".yt2doc")
    talks, sources = [], {}
    for i in range(COUNT):
        video_id = f"vid{i:05d}abc"
        url = f"https://www.youtube.com/watch?v={video_id}"
        key = f"youtube-{video_id}"
        store.write(key, MEDIA, {
            "key": key, "url": url, "webpage_url": url, "extractor": "youtube", "id": video_id,
            "title": f"Talk {i}", "duration": 600.0 + i, "upload_date": None, "chapters": [],
            "thumbnail": f"https://i.ytimg.com/vi/{video_id}/hqdefault.jpg",
        })  # fmt: skip
        cues = (
            "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n"
            f"Talk number {i} opens here. Then it goes on at length\n"
        )
        captions = parse_captions(cues.encode(), "t.vtt", 600.0)
        transcript = transcript_from_cues(captions.cues, "en", 600.0, {"source": "captions"})
        store.write(key, TRANSCRIPT, transcript.to_json())
        store.write_bytes(key, "thumbnail.png", png(32, 18))
        sources[url] = {"playlist": False, "entries": [{"url": url, "key": key}]}
        talks.append({
            "url": url, "title": f"Talk {i}", "kind": KINDS[i % 5],
            "speakers": [f"Speaker {i % 7}"], "event": f"Conf {2020 + i % 3}",
            "date": f"2026-01-{1 + i % 28:02d}" if i != 7 else "2026-12-31",
        })  # fmt: skip
    store.write_sources(sources)
    talks[0].update(
        slides="https://example.org/slides.pdf",
        links=[{"label": "Code", "url": "https://example.org/code"}],
    )
    return talks


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    project = tmp_path_factory.mktemp("cards") / "project"
    project.mkdir()
    talks = _cache(project)
    build_site(write_site(project, {"talks": talks}, transcribe="never"), strict=True)
    yield project / "site"


def test_a_talk_page_shows_kind_slides_and_links(site: Path) -> None:
    page = read_page(site / "talks" / "talk-0" / "index.html")
    links = {a.text: a.href for a in page.links if "yt2doc-link" in a.classes}
    assert links == {"Slides": "https://example.org/slides.pdf", "Code": "https://example.org/code"}
    html = (site / "talks" / "talk-0" / "index.html").read_text()
    assert '<span class="yt2doc-kind">keynote</span>' in html


def test_the_json_export_keeps_pyvideo_fields(site: Path) -> None:
    export = json.loads((site / "talks" / "talk-0" / "talk-0.json").read_text())
    assert export["kind"] == "keynote" and export["recorded"] == "2026-01-01"
    assert export["related_urls"] == [
        {"label": "Slides", "url": "https://example.org/slides.pdf"},
        {"label": "Code", "url": "https://example.org/code"},
    ]
    assert export["thumbnail_url"] == "https://i.ytimg.com/vi/vid00000abc/hqdefault.jpg"
    assert export["language"] == "en" and export["speakers"] == ["Speaker 0"]
    assert export["videos"] == [
        {"type": "youtube", "url": "https://www.youtube.com/watch?v=vid00000abc"}
    ]


def test_the_index_is_cards_newest_first(site: Path) -> None:
    html = (site / "talks" / "index.html").read_text()
    page = read_page(site / "talks" / "index.html")
    titles = [a.text for a in page.links if a.text.startswith("Talk ")]
    assert len(titles) == COUNT and titles[0] == "Talk 7"  # 2026-12-31 is the newest
    assert html.count('class="yt2doc-card"') == COUNT
    card = unescape(html.split('<li class="yt2doc-card">')[1])  # Talk 7's
    assert 'src="talk-7/thumbnail.png"' in card and 'loading="lazy"' in card
    assert '<span class="yt2doc-kind">workshop</span>' not in card  # 7 % 5 = 2: lightning
    assert '<span class="yt2doc-kind">lightning</span>' in card
    assert 'href="speakers/speaker-0/"' in card and 'href="events/conf-2021/"' in card
    assert "10:07" in card and "Talk number 7 opens here." in card
    assert "Then it goes on" not in card  # only the first sentence
    assert (site / "talks" / "talk-7" / "thumbnail.png").is_file()
    browse = [a.href for a in page.links if a.text in ("By event", "By speaker", "By tag")]
    assert browse == ["events/", "speakers/"]  # no tags given: no page by tag


@needs_chromium
def test_cards_load_their_thumbnails_lazily(site: Path, browser: Any) -> None:
    with serve(site) as local:
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        page = context.new_page()
        images: list[str] = []
        page.on("request", lambda r: "thumbnail" in r.url and images.append(r.url))
        page.goto(f"{local}/talks/", wait_until="load")
        page.wait_for_timeout(300)
        first = len(images)
        assert 0 < first < COUNT / 2, images
        columns = page.evaluate(
            "getComputedStyle(document.querySelector('.yt2doc-cards')).gridTemplateColumns"
        )
        assert len(columns.split()) >= 2  # a grid, not a table
        page.evaluate("document.querySelector('.yt2doc-card:last-child').scrollIntoView()")
        page.wait_for_function(
            "document.querySelector('.yt2doc-card:last-child img').complete && "
            "document.querySelector('.yt2doc-card:last-child img').naturalWidth === 32"
        )
        assert len(images) > first
        context.close()


@pytest.mark.reliability("input", 4)
@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("  slides: javascript:alert(1)\n", "talks.yml:2: 'slides' must be an http"),
        ("  links: [{label: Code}]\n", "each of 'links' needs 'label' and 'url'"),
        ("  links: [{url: 'https://x.org'}]\n", "the link to https://x.org needs a 'label'"),
        ("  links: [{label: X, url: 'file:///etc/passwd'}]\n", "'url' must be an http"),
    ],
)
def test_bad_slides_and_links_are_errors_with_their_line(
    tmp_path: Path, body: str, message: str
) -> None:
    copy_clip(0, tmp_path / "a.wav")
    (tmp_path / "talks.yml").write_text("- url: a.wav\n" + body)
    with pytest.raises(CatalogError, match=message):
        load_catalog(tmp_path / "talks.yml")
