"""The talk page reads like a talk page: an abstract near the top (the description, else the
summary marked as machine-written), speakers linking their pages, the event and kind in the
meta block, and each chapter's length in the contents. Real builds of a cached talk (tiny.en
on real speech); hostile descriptions and summaries stay inert in chromium."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from mkdocs_yt2doc.archive.render import speaker_page_path
from tests.browser import serve
from tests.conftest import build_site
from tests.test_hostile_repo import PWNED, _edit, _key_dir, _site, _talks, cached

__all__ = ["cached"]  # the cached project, transcribed once for this module

MARKUP = f"<img src=x onerror={PWNED}> <script>{PWNED}</script> {{{{ x }}}} [a](javascript:x)"


def _build(cached: Path, tmp_path: Path, whisper_model: str, **talk: Any) -> tuple[Path, str]:
    """The cached project built (no transcription) with the talk's fields changed; returns
    the project and the talk page's HTML."""
    project = tmp_path / "project"
    if not project.exists():
        shutil.copytree(cached, project, symlinks=True)
    build_site(_site(project, _talks(**talk), whisper_model, transcribe="never"))
    page = project / "site" / "talks" / "talk" / "index.html"
    return project, page.read_text(encoding="utf-8")


def _look(site: Path, page: Any, check: Any) -> None:
    """The talk page in chromium, for `check(page)`."""
    with serve(site) as base:
        page.goto(f"{base}/talks/talk/")
        page.wait_for_load_state("load")
        check(page)


def _texts(page: Any, selector: str) -> list[str]:
    return [t.strip() for t in page.locator(selector).all_inner_texts()]


def test_the_description_is_the_abstract(
    cached: Path, tmp_path: Path, whisper_model: str, page: Any
) -> None:
    text = "How Marianne met Willoughby.\n\nA reading of chapter ten, with notes."
    project, html = _build(cached, tmp_path, whisper_model, description=text, kind="keynote")
    # near the top: after the meta block, before the player and the transcript
    assert html.index("yt2doc-meta") < html.index("yt2doc-abstract") < html.index("yt2doc-p")

    def check(page: Any) -> None:
        assert page.locator(".yt2doc-abstract").count() == 1
        assert _texts(page, ".yt2doc-abstract p") == [
            "How Marianne met Willoughby.",
            "A reading of chapter ten, with notes.",
        ]
        assert page.locator(".yt2doc-abstract-note").count() == 0
        assert [t.lower() for t in _texts(page, ".yt2doc-meta .yt2doc-kind")] == ["keynote"]
        assert _texts(page, ".yt2doc-meta .yt2doc-event") == ["Conf"]

    _look(project / "site", page, check)


def test_the_summary_is_marked_as_machine_written(
    cached: Path, tmp_path: Path, whisper_model: str, page: Any
) -> None:
    project, _ = _build(cached, tmp_path, whisper_model)
    summary = json.loads((_key_dir(project) / "document.json").read_text())["summary"]
    assert summary, "the cached talk has an offline summary"

    def check(page: Any) -> None:
        paragraphs = _texts(page, ".yt2doc-abstract p")
        assert paragraphs[0] == " ".join(summary.split())
        assert "written by machine" in paragraphs[-1]
        assert page.locator(".yt2doc-abstract .yt2doc-abstract-note").count() == 1
        # no kind in talks.yml: what the recording is
        assert [t.lower() for t in _texts(page, ".yt2doc-meta .yt2doc-kind")] == ["audio"]

    _look(project / "site", page, check)


def test_speakers_link_their_pages(
    cached: Path, tmp_path: Path, whisper_model: str, page: Any
) -> None:
    project, _ = _build(cached, tmp_path, whisper_model, speakers=["Ada Lovelace", "Bo"])

    def check(page: Any) -> None:
        links = page.locator(".yt2doc-meta .yt2doc-speakers a")
        assert links.all_inner_texts() == ["Ada Lovelace", "Bo"]
        for number in range(links.count()):
            name = links.nth(number).inner_text()
            links.nth(number).click()
            page.wait_for_load_state("load")
            title = page.locator("article h1")  # the speaker's own page
            assert title.inner_text().strip() == name, page.url
            assert page.url.endswith(f"/talks/{speaker_page_path(name)}/"), page.url
            page.go_back()

    _look(project / "site", page, check)


def test_the_contents_shows_each_chapter_length(
    cached: Path, tmp_path: Path, whisper_model: str, page: Any
) -> None:
    chapters = [{"start": 0, "title": "Opening"}, {"start": 3, "title": "The letter"}]
    project, _ = _build(cached, tmp_path, whisper_model, chapters=chapters)
    media = json.loads(next((project / ".yt2doc").glob("*/media.json")).read_text())
    rest = media["duration"] - 3
    assert rest > 0
    expected = f"{max(1, int(rest))} s" if rest < 60 else f"{round(rest / 60)} min"

    def check(page: Any) -> None:
        assert _texts(page, ".yt2doc-contents li .yt2doc-length") == ["3 s", expected]
        assert _texts(page, ".yt2doc-contents li a:not(.yt2doc-t)") == ["Opening", "The letter"]

    _look(project / "site", page, check)


@pytest.mark.parametrize("where", ["description", "summary"])
def test_hostile_abstracts_stay_inert(
    where: str, cached: Path, tmp_path: Path, whisper_model: str, page: Any
) -> None:
    project = tmp_path / "project"
    shutil.copytree(cached, project, symlinks=True)
    if where == "summary":
        _edit(_key_dir(project) / "document.json", lambda d: d.update(summary=MARKUP))
        _, html = _build(cached, tmp_path, whisper_model)
    else:
        _, html = _build(cached, tmp_path, whisper_model, description=MARKUP)
    assert "javascript:x)" in html and not re.search(r"<a [^>]*javascript", html)

    def check(page: Any) -> None:
        assert page.evaluate("window.__pwned") is None
        assert page.locator("article img[src='x']").count() == 0
        assert page.locator(".yt2doc-abstract script, .yt2doc-abstract a").count() == 0
        shown = page.locator(".yt2doc-abstract p").first.inner_text()
        assert f"<img src=x onerror={PWNED}>" in shown and "{{ x }}" in shown
        note = page.locator(".yt2doc-abstract-note").count()
        assert note == (1 if where == "summary" else 0)

    _look(project / "site", page, check)
