"""Pagefind search, for real: the example site built with the plugin (Material, instant
navigation), indexed by the real Pagefind binary, searched in Debian's chromium.

A phrase said in the middle of a talk, typed into the search page, finds that talk; its link
opens the page at the paragraph that holds the phrase, with the player at that paragraph's
second. Filters narrow the results, Material's search box reaches the search page, every
request stays on the site, and a site under a sub-path finds its index.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mkdocs_yt2doc.archive.search_shards import build_index
from tests.browser import Seen, needs_chromium, serve
from tests.conftest import build_site, fragments

pytestmark = needs_chromium

EXAMPLE = Path(__file__).parent.parent / "example-site"
PHRASE = "rings are clearly visible"  # Small telescopes, its fourth paragraph (1:34)
TALK = "small-telescopes"


def paragraph_with(project: Path, phrase: str) -> dict[str, Any]:
    for path in (project / ".yt2doc").glob("*/document.json"):
        for paragraph in json.loads(path.read_text())["paragraphs"]:
            if phrase in paragraph["text"]:
                return dict(paragraph)
    raise AssertionError(f"no paragraph says {phrase!r}")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """The example site under a sub-path (`/archive/`): served from the folder above it."""
    root = tmp_path_factory.mktemp("search")
    project = root / "example"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns("site"))
    config = project / "mkdocs.yml"
    config.write_text(config.read_text() + "site_dir: ../served/archive\n")
    with serve(root / "served") as local, pytest.MonkeyPatch.context() as env:
        (root / "served").mkdir()
        env.setenv("YT2DOC_TRANSCRIBE", "never")
        env.setenv("SITE_URL", f"{local}/archive/")  # instant navigation needs it
        build_site(config, strict=True)
        yield project, f"{local}/archive"


def _results(page: Any) -> list[dict[str, Any]]:
    return list(
        page.eval_on_selector_all(
            ".yt2doc-result",
            """items => items.map(li => ({
                title: li.querySelector('.yt2doc-result-title').textContent,
                meta: (li.querySelector('.yt2doc-result-meta') || {}).textContent || '',
                hits: [...li.querySelectorAll('.yt2doc-hit')].map(h => ({
                    href: h.querySelector('a').getAttribute('href'),
                    time: (h.querySelector('.yt2doc-hit-time') || {}).textContent || '',
                    chapter: (h.querySelector('.yt2doc-hit-chapter') || {}).textContent || '',
                    marks: [...h.querySelectorAll('mark')].map(m => m.textContent),
                    text: h.querySelector('.yt2doc-excerpt').textContent }))}))""",
        )
    )


def _search(page: Any, query: str) -> list[dict[str, Any]]:
    ready = page.get_attribute(".yt2doc-search", "data-ready")
    page.fill("#yt2doc-q", query)
    page.wait_for_function(
        "r => document.querySelector('.yt2doc-search').getAttribute('data-ready') !== r", arg=ready
    )
    page.wait_for_timeout(200)
    return _results(page)


def phrase_opens_its_paragraph(page: Any, project: Path, local: str) -> None:
    """The phrase typed into the archive's search page gives its talk first; the hit's link,
    by keyboard, opens the page in place (the theme's instant navigation) at the paragraph,
    with the player at that paragraph's second. Shared by the MkDocs and Zensical sites."""
    seen = Seen(page, local.rsplit("/", 1)[0])
    page.goto(f"{local}/talks/search/", wait_until="load")
    page.wait_for_function("document.querySelector('.yt2doc-filters') !== null")
    page.evaluate("window.__sameDocument = true")
    page.locator("#yt2doc-q").click()
    page.keyboard.type(PHRASE, delay=10)
    page.wait_for_selector(".yt2doc-hit")
    page.wait_for_timeout(400)
    results = _results(page)
    # titles without the "¶" a theme puts in headings
    assert results[0]["title"] == "Small telescopes", results
    assert results[0]["meta"] == "Alex Stargazer · Hobby Night 2026 · 2026-04-09"
    paragraph = paragraph_with(project, PHRASE)
    second = int(paragraph["start"])
    hit = results[0]["hits"][0]
    assert hit["href"] == f"/archive/talks/{TALK}/#t={second}", hit
    assert hit["time"] == f"{second // 60}:{second % 60:02d}"
    assert hit["chapter"] == "Full moon"  # the chapter the paragraph is in
    assert {"rings", "clearly", "visible"} <= {m.lower() for m in hit["marks"]}
    assert "12:" not in hit["text"] and "1:34" not in hit["text"]  # timestamps not in excerpts
    page.locator(f".yt2doc-hit a[href$='#t={second}']").first.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/talks/{TALK}/#t={second}")
    page.wait_for_function("document.querySelector('audio.yt2doc-media') !== null")
    page.wait_for_function(
        "s => Math.abs(document.querySelector('audio.yt2doc-media').currentTime - s) <= 1",
        arg=paragraph["start"],
    )
    assert page.evaluate("window.__sameDocument") is True  # swapped in, not loaded
    paragraph_element = f"p:has(> #t{second})"
    box = page.eval_on_selector(paragraph_element, "p => p.getBoundingClientRect().top")
    assert 0 <= box < 900  # the paragraph is on screen
    assert PHRASE in page.inner_text(paragraph_element)
    assert seen.outside == [] and seen.errors == [], seen.as_dict()
    assert any("/archive/pagefind/" in url for url in seen.requests)


def test_phrase_opens_the_talk_at_its_paragraph(site: tuple[Path, str], page: Any) -> None:
    phrase_opens_its_paragraph(page, *site)


@pytest.mark.reliability("hostile", 1)
def test_a_word_named_like_a_property_is_searched(site: tuple[Path, str], page: Any) -> None:
    """The common words (none on this site) are looked up in a map without a prototype:
    "constructor" is a word like any other, not left out of the query."""
    _, local = site
    page.goto(f"{local}/talks/search/", wait_until="load")
    _search(page, "constructor telescope")
    status = page.inner_text(".yt2doc-search-status")
    assert "left out" not in status and "constructor" in status, status


def test_filters_narrow_results(site: tuple[Path, str], page: Any) -> None:
    _, local = site
    seen = Seen(page, local.rsplit("/", 1)[0])
    page.goto(f"{local}/talks/search/?q=the", wait_until="load")
    page.wait_for_selector(".yt2doc-result")
    everything = {r["title"] for r in _results(page)}
    assert {
        "Small telescopes",
        "Sourdough at home",
        "Bicycles in the city",
        "Rain gardens for small yards",
    } <= everything
    # the filters' values are fetched when the reader opens them, not with the page
    assert not [u for u in seen.requests if "/pagefind/filter/" in u], seen.requests
    assert page.is_hidden(".yt2doc-filters")
    page.click(".yt2doc-filters-toggle")
    page.wait_for_selector(".yt2doc-search[data-filters=loaded]")
    assert [u for u in seen.requests if "/pagefind/filter/" in u]
    assert page.get_attribute(".yt2doc-filters-toggle", "aria-expanded") == "true"
    options = page.eval_on_selector_all(
        "select[data-filter=speaker] option", "os => os.map(o => o.value)"
    )
    assert options == ["", "Alex Stargazer", "Jo Fern", "Robin Baker", "Sam Rider"]
    page.select_option("select[data-filter=speaker]", "Sam Rider")
    page.wait_for_function(
        "!document.querySelector('.yt2doc-results').textContent.includes('Small telescopes')"
    )
    assert {r["title"] for r in _results(page)} == {"Bicycles in the city"}
    assert "speaker=Sam+Rider" in page.url  # a link to these results
    page.select_option("select[data-filter=speaker]", "")
    page.select_option("select[data-filter=year]", "2026")
    page.select_option("select[data-filter=tag]", "astronomy")
    page.wait_for_function(
        "[...document.querySelectorAll('.yt2doc-result-title')].map(a => a.textContent)"
        ".join() === 'Small telescopes'"
    )
    labels = page.eval_on_selector_all(
        ".yt2doc-filter", "ls => ls.filter(l => !l.hidden).map(l => l.textContent.split(' ')[0])"
    )
    assert labels == ["Speaker", "Event", "Tag", "Year", "Language"]


def test_material_search_box_reaches_it(site: tuple[Path, str], page: Any) -> None:
    _, local = site
    seen = Seen(page, local.rsplit("/", 1)[0])
    page.goto(f"{local}/", wait_until="load")  # a page of the site that is not the archive's
    page.locator(".md-search__input").click()
    page.keyboard.type("perfect shape floating")
    link = page.locator("a.yt2doc-fulltext")
    link.wait_for(state="visible")
    assert "perfect shape floating" in link.inner_text()
    page.keyboard.press("Enter")
    page.wait_for_url("**/archive/talks/search/?q=perfect*")
    page.wait_for_selector(".yt2doc-hit")
    assert _results(page)[0]["title"] == "Small telescopes"
    assert seen.outside == [] and seen.errors == [], seen.as_dict()


def test_index_holds_talks_and_the_rest(site: tuple[Path, str]) -> None:
    project, _ = site
    records = {r["url"]: r for r in fragments(project.parent / "served" / "archive")}
    # a record per talk: its title and names, then its chapters' titles and speech
    talk = records[f"/talks/{TALK}/"]
    assert talk["content"].startswith("Small telescopes. Alex Stargazer. Hobby Night 2026. ")
    assert PHRASE in talk["content"] and "Good evening" in talk["content"]
    chapters = [a["text"] for a in talk["anchors"] if a["element"] == "h2"]
    assert chapters[:2] == ["Cheap telescope", "Full moon"]  # (Pagefind's sub-results)
    assert talk["filters"]["speaker"] == ["Alex Stargazer"]
    assert talk["filters"]["event"] == ["Hobby Night 2026"]
    assert talk["filters"]["language"] == ["en"]
    assert talk["meta"]["title"] == "Small telescopes"
    ids = [a["id"] for a in talk["anchors"] if a["element"] == "span"]
    assert ids and all(i.startswith("t") for i in ids)
    # an anchor's text is kept beside the page's: the paragraphs' anchors are empty
    assert all(a["text"] == "" for a in talk["anchors"] if a["element"] == "span")
    # the theme's navigation is not indexed: other talks' titles are not in this page's text
    assert "Sourdough" not in talk["content"] and "Download" not in talk["content"]
    # talk pages only: not the archive's index pages, nor the site's own (the theme's search)
    assert {url.split("#")[0] for url in records} == {
        f"/talks/{t}/"
        for t in (TALK, "sourdough-at-home", "bicycles-in-the-city", "rain-gardens-for-small-yards")
    }


def test_index_read_while_building_is_the_index_of_the_site(
    site: tuple[Path, str], tmp_path: Path
) -> None:
    """The plugin hands Pagefind each page as it is written, and the rest of the site's HTML
    (404.html) at the end: the index is the one Pagefind makes reading the finished folder."""
    project, _ = site
    built = project.parent / "served" / "archive"
    again = tmp_path / "archive"
    shutil.copytree(built, again)
    done = build_index(again)  # the binary reads the folder (as `mkdocs-yt2doc index` does)
    html = [p for p in again.rglob("*.html") if "pagefind" not in p.parts]
    assert done.pages == len(html)  # every page read, 404.html too (MkDocs hands it to none)
    by_url = {r["url"]: r for r in fragments(built)}
    assert len({url.split("#")[0] for url in by_url}) == 4  # and indexed: the talk pages
    assert by_url == {r["url"]: r for r in fragments(again)}
    names = [
        sorted(p.name for p in (s / "pagefind" / "fragment").iterdir()) for s in (built, again)
    ]
    assert names[0] == names[1]  # (named by their content)


def test_material_index_keeps_the_sites_own_pages(site: tuple[Path, str]) -> None:
    """With Pagefind, the theme's index (fetched by every page) holds none of the archive's
    pages: its size does not grow with the archive. The site's own pages stay in it."""
    project, _ = site
    search = project.parent / "served" / "archive" / "search" / "search_index.json"
    docs = json.loads(search.read_text())["docs"]
    assert docs and not [d for d in docs if d["location"].startswith("talks/")], docs
    assert any(d["location"] == "" for d in docs)  # the site's home page
