"""Pagefind search on a Zensical site, as a user makes it: the example site rendered
(`mkdocs-yt2doc render -f zensical.toml`), built by Zensical 0.0.73 with instant navigation
under a sub-path (`/archive/`), indexed by `mkdocs-yt2doc index SITE_DIR`, searched in
Debian's chromium.

What tests/test_search.py checks on the plugin's Material build, on this one: a phrase said
in the middle of a talk finds it, and its link opens the page at the paragraph with the
player at that paragraph's second. And Zensical's own search box (a dialog in a shadow root,
on Zensical's index, which has no transcripts) reaches the archive's search page.
"""

from __future__ import annotations

import re
import shutil
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser import Seen, needs_chromium, serve
from tests.conftest import fragments
from tests.test_generators import _run, _zensical_toml
from tests.test_search import EXAMPLE, PHRASE, TALK, _results, phrase_opens_its_paragraph

pytestmark = needs_chromium
SCRIPT = 'extra_javascript = ["talks/assets/yt2doc-site.js"]\n'  # the box on every page
# the element focused, inside the shadow root of Zensical's search dialog
FOCUSED = """() => { let a = document.activeElement;
    while (a && a.shadowRoot && a.shadowRoot.activeElement) a = a.shadowRoot.activeElement;
    return a.className; }"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """Served from `served/` (Zensical's site_dir must be inside the project)."""
    pytest.importorskip("zensical")
    project = tmp_path_factory.mktemp("zensical-search") / "example"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns("site"))
    options = (project / "mkdocs.yml").read_text().split("  - yt2doc:\n")[1]
    (project / "yt2doc.yml").write_text(textwrap.dedent(options))  # render reads it
    (project / "served").mkdir()
    with serve(project / "served") as local:
        _zensical_toml(project, f"{local}/archive/", "served/archive", SCRIPT)
        _run("-m", "mkdocs_yt2doc.cli", "render", "-f", "zensical.toml", cwd=project)
        _run("-m", "zensical", "build", "-f", "zensical.toml", cwd=project)
        said = _run("-m", "mkdocs_yt2doc.cli", "index", "served/archive", cwd=project)
        # every page is read (talk, speaker, event and index pages); only talks are indexed
        assert re.search(r"Pagefind indexed \d+ pages", said.stdout), said.stdout
        yield project, f"{local}/archive"


def test_phrase_opens_the_talk_at_its_paragraph(site: tuple[Path, str], page: Any) -> None:
    phrase_opens_its_paragraph(page, *site)  # through Zensical's instant navigation


def _open_zensical_search(page: Any, local: str, query: str) -> Any:
    """Zensical's box on the home page (not the archive's): "/" opens its dialog."""
    page.goto(f"{local}/", wait_until="load")
    page.keyboard.press("/")
    page.locator("dialog input[role=combobox]").wait_for()  # Playwright pierces the shadow
    page.keyboard.type(query)
    link = page.locator("dialog a.yt2doc-fulltext")
    link.wait_for(state="visible")
    return link


def test_zensical_search_box_reaches_it(site: tuple[Path, str], page: Any) -> None:
    _, local = site
    seen = Seen(page, local.rsplit("/", 1)[0])
    # words only the transcripts hold: Zensical finds nothing, Enter opens the archive's search
    link = _open_zensical_search(page, local, "perfect shape floating")
    # Zensical answers each keystroke: a prefix ("perf") may still show results, so wait
    page.wait_for_function(
        "() => [...document.body.children].some(h => h.shadowRoot && "
        "h.shadowRoot.querySelector('[role=status]')?.textContent === 'No results')"
    )
    expect(link).to_have_text("Search the talks for “perfect shape floating” (Enter)")
    page.keyboard.press("Enter")
    page.wait_for_url("**/archive/talks/search/?q=perfect+shape+floating")
    page.wait_for_selector(".yt2doc-hit")
    assert _results(page)[0]["title"] == "Small telescopes"
    # a talk's title: the talks are out of Zensical's own index (Pagefind searches them)
    link = _open_zensical_search(page, local, "telescopes")
    page.wait_for_function(
        "() => [...document.body.children].some(h => h.shadowRoot && "
        "h.shadowRoot.querySelector('[role=status]')?.textContent === 'No results')"
    )
    expect(link).to_have_text("Search the talks for “telescopes” (Enter)")
    # words Zensical finds (the site's own home page): Enter keeps opening its result ...
    link = _open_zensical_search(page, local, "meetup")
    page.locator("dialog [role=option][aria-selected=true]").wait_for()
    expect(link).to_have_text("Search the talks for “meetup”")
    # ... and Tab reaches the link (past Zensical's filters button)
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED) == "yt2doc-fulltext"
    page.keyboard.press("Enter")
    page.wait_for_url("**/archive/talks/search/?q=meetup")
    page.wait_for_selector(".yt2doc-search-status:not(:empty)")
    assert seen.outside == [] and seen.errors == [], seen.as_dict()


def test_index_of_the_zensical_build(site: tuple[Path, str]) -> None:
    project, _ = site
    records = {r["url"]: r for r in fragments(project / "served" / "archive")}
    talk = records[f"/talks/{TALK}/"]  # a record per talk
    assert "Full moon" in [a["text"] for a in talk["anchors"] if a["element"] == "h2"]
    assert PHRASE in talk["content"] and "¶" not in talk["content"]
    assert talk["filters"]["speaker"] == ["Alex Stargazer"]
    assert "Sourdough" not in talk["content"]  # Zensical's navigation is not indexed
    # Zensical's own index: no transcript, no search page, no hidden Pagefind block
    own = (project / "served" / "archive" / "search.json").read_text()
    assert PHRASE not in own and "talks/search/" not in own
    assert "Alex StargazerHobby Night" not in own
    assert "Follow along" not in own and "Copy link at this moment" not in own  # the player
    # no archive page at all: Zensical's index, fetched by every page, does not grow with it
    assert '"talks/' not in own and "Small telescopes" not in own, own[:2000]
    assert "meetup" in own  # the site's own pages stay in it
