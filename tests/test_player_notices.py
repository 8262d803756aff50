"""The player's notices in real chromium: a recording whose server cannot seek (no byte
ranges), a page opened from file://; and a recording published at `media_base_url`, another
origin, that seeks with its caption track still on the site.

The talk is a 27 s WAV (Chromium seeks in a WAV only where the server sends byte ranges) with
its text from a caption file, so no model runs. The site and the recording's host are two
loopback servers: two origins.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser import Seen, _Quiet, needs_chromium, serve
from tests.conftest import build_site, concatenated_speech, write_site
from tests.test_player_sticky import _Ranges

pytestmark = needs_chromium

CUES = "".join(
    f"00:00:{start:02d}.000 --> 00:00:{start + 4:02d}.000\nPart {n} of the reading ends here.\n\n"
    for n, start in enumerate(range(0, 25, 6), 1)
)
NO_SEEK = "cannot seek (it answers no byte-range requests)"
FROM_FILE = "opened from a file (file://)"


def _site(folder: Path, media_base_url: str | None = None) -> Path:
    """A site with one talk from a local recording, chapters at 0:00 and 0:18; its folder."""
    concatenated_speech(folder / "media" / "reading.wav")
    (folder / "reading.vtt").write_text("WEBVTT\n\n" + CUES)
    talks = [{
        "url": "media/reading.wav", "title": "Reading", "captions": "reading.vtt",
        "chapters": [{"start": "0:00", "title": "Opening"}, {"start": "0:18", "title": "Later"}],
    }]  # fmt: skip
    options = {"media_base_url": media_base_url} if media_base_url else {}
    config = write_site(folder, talks, transcript_from=["captions"], search="material", **options)
    build_site(config, strict=True)
    return folder / "site"


@pytest.fixture(scope="module")
def hosted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """handler name -> the talk page's URL: the recording on a host of its own, one that sends
    byte ranges and one that sends whole files only."""
    root = tmp_path_factory.mktemp("notices")
    concatenated_speech(root / "host" / "reading.wav")
    urls = {}
    with serve(root / "host", _Ranges) as ranged, serve(root / "host", _Quiet) as whole:
        for name, host in (("ranges", ranged), ("whole files", whole)):
            site = _site(root / name.replace(" ", "-"), media_base_url=host + "/")
            urls[name] = site
        with serve(urls["ranges"]) as a, serve(urls["whole files"]) as b:
            yield {"ranges": f"{a}/talks/reading/", "whole files": f"{b}/talks/reading/"}


def _notices(page: Any) -> list[str]:
    return page.eval_on_selector_all(".yt2doc-notice", "ns => ns.map(n => n.textContent)")


def _click_later(page: Any) -> None:
    page.wait_for_function("document.querySelector('audio').readyState >= 1")
    page.locator("nav.yt2doc-contents a.yt2doc-t[data-t='18']").click()


def test_a_host_with_byte_ranges_seeks_across_origins(hosted: dict[str, str], page: Any) -> None:
    url = hosted["ranges"]
    seen = Seen(page, url.split("/talks/")[0])
    page.goto(url, wait_until="load")
    src = page.evaluate("document.querySelector('audio').currentSrc")
    assert src.endswith("/reading.wav") and not src.startswith(url.split("/talks/")[0])
    _click_later(page)
    page.wait_for_function("Math.abs(document.querySelector('audio').currentTime - 18) <= 0.5")
    # the caption track stays on the site, and loads next to a recording of another origin
    page.evaluate("document.querySelector('audio').textTracks[0].mode = 'hidden'")
    page.wait_for_function("document.querySelector('audio').textTracks[0].cues?.length > 0")
    assert _notices(page) == []
    assert seen.errors == [] and seen.dialogs == []


def test_a_host_without_byte_ranges_is_told(hosted: dict[str, str], page: Any) -> None:
    page.goto(hosted["whole files"], wait_until="load")
    page.wait_for_function("document.querySelector('.yt2doc-notice')?.textContent.length > 0")
    [text] = _notices(page)
    assert NO_SEEK in text
    notice = page.locator(".yt2doc-notice")
    assert notice.get_attribute("role") == "status" and notice.is_visible()
    # next to the player, where a reader looks when a timestamp does not jump
    assert (
        page.evaluate("document.querySelector('.yt2doc-player').nextElementSibling.className")
        == "yt2doc-notice"
    )
    _click_later(page)  # the seek lands at 0: still one notice
    page.wait_for_timeout(300)
    assert len(_notices(page)) == 1


def test_a_page_opened_from_file_is_told(tmp_path: Path, page: Any) -> None:
    site = _site(tmp_path / "p")
    page.goto((site / "talks" / "reading" / "index.html").as_uri(), wait_until="load")
    page.wait_for_function("document.querySelector('.yt2doc-notice')?.textContent.length > 0")
    [text] = _notices(page)
    assert FROM_FILE in text and "python3 -m http.server" in text
    assert page.evaluate("document.querySelector('h1').nextElementSibling.className") == (
        "yt2doc-notice"
    )
    # an index page, which has no player, says it too (every page's script)
    page.goto((site / "talks" / "index.html").as_uri(), wait_until="load")
    page.wait_for_function("document.querySelector('.yt2doc-notice')?.textContent.length > 0")
    assert FROM_FILE in _notices(page)[0]
    with serve(site, _Ranges) as local:  # the same page over HTTP says nothing
        page.goto(f"{local}/talks/reading/", wait_until="load")
        page.wait_for_function("document.querySelector('audio').readyState >= 1")
        page.wait_for_timeout(200)
        assert _notices(page) == []


def test_mkdocs_serve_lets_a_wav_seek(tmp_path: Path, page: Any) -> None:
    """The real `mkdocs serve`: its own server sends whole files, the plugin's wrapper parts."""
    from tests.test_serve import mkdocs_serve

    _site(tmp_path / "p")
    with mkdocs_serve(tmp_path / "p") as local:
        page.goto(f"{local}/talks/reading/", wait_until="load")
        _click_later(page)
        page.wait_for_function("Math.abs(document.querySelector('audio').currentTime - 18) <= 0.5")
        assert _notices(page) == []
