"""Local recordings on a real build: their sizes against GitHub Pages' limits, `media_base_url`
(published elsewhere, nothing copied), and a talk whose `captions:` file went missing.

The talks' text comes from caption files named in talks.yml, so no model runs; the large
recording is a sparse file (101 MiB on paper, a few blocks on disk).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from mkdocs.config import load_config
from mkdocs.exceptions import Abort

from tests.conftest import PluginLog, build_site, copy_clip, write_site
from tests.htmlpage import read_page

CAPTIONS = (
    "WEBVTT\n\n00:00:00.500 --> 00:00:03.000\npurple giraffes dance quietly\n\n"
    "00:00:03.000 --> 00:00:06.000\nunder seventeen lanterns and kites\n"
)
MiB = 2**20


def _project(folder: Path, **options: Any) -> Path:
    """Two talks from local recordings: a 101 MiB one (sparse) and a small WAV."""
    folder.mkdir(parents=True)
    with open(folder / "big talk.opus", "wb") as big:
        big.truncate(101 * MiB)
    copy_clip(0, folder / "small.wav")
    (folder / "big.vtt").write_text(CAPTIONS)
    (folder / "small.vtt").write_text(CAPTIONS)
    talks = [
        {"url": "big talk.opus", "title": "Big", "captions": "big.vtt"},
        {"url": "small.wav", "title": "Small", "captions": "small.vtt"},
    ]
    return write_site(folder, talks, transcript_from=["captions"], search="material", **options)


def test_copied_recordings_over_pages_limits_are_named(
    tmp_path: Path, plugin_log: PluginLog
) -> None:
    config = _project(tmp_path / "p", media_warn_total_mib=100)
    build_site(config)
    site = tmp_path / "p" / "site" / "talks"
    assert (site / "big" / "big talk.opus").stat().st_size == 101 * MiB  # copied
    [big] = [w for w in plugin_log.warnings if "101 MiB, over 100 MiB" in w]
    assert "'Big' (big)" in big and "big talk.opus" in big and "`media_base_url`" in big
    assert not any("small.wav" in w for w in plugin_log.warnings)  # under the limit
    [total] = [w for w in plugin_log.warnings if "MiB in all" in w]
    assert "2 local recordings" in total and "over 100 MiB" in total
    assert "`media_base_url`" in total and "1 GB" in total
    with pytest.raises(Abort):  # --strict fails on them
        build_site(config, strict=True)


def test_media_base_url_links_the_recordings_and_copies_none(
    tmp_path: Path, plugin_log: PluginLog
) -> None:
    base = "https://media.example.org/conf-2026/"
    config = _project(tmp_path / "p", media_base_url=base)
    build_site(config, strict=True)  # no size warning: nothing is copied
    site = tmp_path / "p" / "site" / "talks"
    assert not list(site.glob("*/*.opus")) and not list(site.glob("*/*.wav"))
    page = read_page(site / "big" / "index.html")
    html = (site / "big" / "index.html").read_text()
    url = base + "big%20talk.opus"
    assert f'<audio class="yt2doc-media" controls preload="metadata" src="{url}"' in html
    assert page.paragraphs and all(p.link.href.startswith(url + "#t=") for p in page.paragraphs)
    # the captions track and the downloads stay on the site, next to the page
    assert '<track kind="captions" src="big.vtt"' in html
    assert (site / "big" / "big.vtt").is_file() and (site / "big" / "big.json").is_file()
    small = (site / "small" / "index.html").read_text()
    assert f'src="{base}small.wav"' in small
    assert plugin_log.warnings == []


@pytest.mark.reliability("input", 4)
@pytest.mark.parametrize(
    "value", ["media.example.org/x", "ftp://example.org/x", "https://e.org/x?sig=1", "https://"]
)
def test_a_media_base_url_that_is_no_folder_url_is_refused(
    tmp_path: Path, plugin_log: PluginLog, value: str
) -> None:
    config = _project(tmp_path / "p", media_base_url=value)
    with pytest.raises(Abort):
        load_config(str(config))
    [error] = plugin_log.errors
    assert "option 'media_base_url': expected an http(s) URL of a folder" in error
    assert repr(value) in error


def test_two_recordings_of_one_name_under_media_base_url(
    tmp_path: Path, plugin_log: PluginLog
) -> None:
    project = tmp_path / "p"
    for folder in ("day1", "day2"):
        copy_clip(0, project / folder / "opening.wav")
        (project / folder / "opening.vtt").write_text(CAPTIONS)
    talks = [{"url": f"{d}/opening.wav", "title": d, "captions": f"{d}/opening.vtt"}
             for d in ("day1", "day2")]  # fmt: skip
    config = write_site(project, talks, transcript_from=["captions"], search="material",
                        media_base_url="https://media.example.org")  # fmt: skip
    build_site(config)
    [clash] = [w for w in plugin_log.warnings if "are both published as" in w]
    assert "https://media.example.org/opening.wav" in clash and "day2" in clash


@pytest.mark.reliability("input")
def test_a_cached_talk_s_missing_caption_file_is_a_warning(
    tmp_path: Path, plugin_log: PluginLog
) -> None:
    config = _project(tmp_path / "p")
    build_site(config)
    assert (
        "purple giraffes"
        in (tmp_path / "p" / "site" / "talks" / "small" / "index.html").read_text()
    )
    (tmp_path / "p" / "small.vtt").unlink()
    plugin_log.records.clear()
    build_site(config)
    [lost] = [w for w in plugin_log.warnings if "small.vtt" in w]
    lines = (tmp_path / "p" / "talks.yml").read_text().splitlines()
    line = next(n for n, text in enumerate(lines, 1) if "captions: small.vtt" in text)
    assert "'Small' (talks.yml:" in lost and f"small.vtt (talks.yml:{line}) is missing" in lost
    assert "Restore the file, or remove `captions:`" in lost
    # the page is still built from the cache
    assert (
        "purple giraffes"
        in (tmp_path / "p" / "site" / "talks" / "small" / "index.html").read_text()
    )
    with pytest.raises(Abort):
        build_site(config, strict=True)
