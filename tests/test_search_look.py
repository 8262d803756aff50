"""The search as a visitor sees it, in Debian's chromium, on the example site built by MkDocs +
Material (light and dark: slate), ProperDocs and Zensical:

- the "Search the talks for ..." entry of the theme's header box reads (text contrast against
  its background at least 4.5:1, from the computed styles);
- a `talks/search/?q=` link (shared, or Enter in the header box) opens the results with
  Material's search toggle unchecked and the hits in view, nothing over them;
- the form is the theme's (its button style), and its button stays beside the field at 390 px;
- results hold talks only, and their excerpts are speech: no meta line, provenance or player.

Screenshots of the search page and the header box's entry go to $YT2DOC_SHOTS when set.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser import Seen, needs_chromium, serve
from tests.conftest import build_site, fragments
from tests.test_generators import _run, _zensical_toml
from tests.test_search import EXAMPLE, PHRASE, TALK, _results

pytestmark = needs_chromium
FOLDERS: dict[str, Path] = {}  # generator -> its built site (set by the fixture)
SCRIPT = 'extra_javascript = ["talks/assets/yt2doc-site.js"]\n'
SHOTS = os.environ.get("YT2DOC_SHOTS")
PALETTE = "  name: material\n  palette:\n    scheme: default\n"
# WCAG's contrast of an element's text against the first opaque background behind it
CONTRAST = """el => {
  const rgb = c => { const m = c.match(/[\\d.]+/g).map(Number);
    return { v: m.slice(0, 3), a: m.length > 3 ? m[3] : 1 }; };
  const lum = v => { const [r, g, b] = v.map(x => { x /= 255;
    return x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4); });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const over = (top, under) => top.v.map((x, i) => x * top.a + under[i] * (1 - top.a));
  const layers = [];
  for (let n = el; n; n = n.parentElement || (n.getRootNode() && n.getRootNode().host)) {
    const bg = rgb(getComputedStyle(n).backgroundColor);
    if (bg.a > 0) layers.push(bg);
    if (bg.a >= 1) break;
  }
  let back = [255, 255, 255];
  for (const layer of layers.reverse()) back = over(layer, back);
  const fg = over(rgb(getComputedStyle(el).color), back);
  const [a, b] = [lum(fg), lum(back)].sort((x, y) => y - x);
  return (a + 0.05) / (b + 0.05);
}"""


def _project(root: Path) -> Path:
    project = root / "example"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns("site"))
    return project


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """The example site built three ways, each served on loopback: {generator: base URL}."""
    root = tmp_path_factory.mktemp("search-look")
    project = _project(root)
    config = project / "mkdocs.yml"  # a palette: the page may switch to slate (`dark`)
    config.write_text(config.read_text().replace("  name: material\n", PALETTE, 1))
    with pytest.MonkeyPatch.context() as env:
        env.setenv("YT2DOC_TRANSCRIBE", "never")
        build_site(project / "mkdocs.yml", strict=True)
    built = {"mkdocs": project / "site"}
    if _has("properdocs"):
        _run("-m", "properdocs", "build", "-f", "mkdocs.yml", "-d", "site-pd", cwd=project)
        built["properdocs"] = project / "site-pd"
    if _has("zensical"):
        zensical = _project(root / "z")
        options = (zensical / "mkdocs.yml").read_text().split("  - yt2doc:\n")[1]
        (zensical / "yt2doc.yml").write_text(textwrap.dedent(options))
        toml = _zensical_toml(zensical, "http://127.0.0.1/", "served", SCRIPT)
        toml.write_text(toml.read_text() + '[project.theme.palette]\nscheme = "default"\n')
        _run("-m", "mkdocs_yt2doc.cli", "render", "-f", "zensical.toml", cwd=zensical)
        _run("-m", "zensical", "build", "-f", "zensical.toml", cwd=zensical)
        _run("-m", "mkdocs_yt2doc.cli", "index", "served", cwd=zensical)
        built["zensical"] = zensical / "served"
    FOLDERS.update(built)
    with contextlib.ExitStack() as stack:  # a loopback server per site
        yield {name: stack.enter_context(serve(folder)) for name, folder in built.items()}


def _has(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


def _site(sites: dict[str, str], generator: str) -> str:
    if generator not in sites:
        pytest.skip(f"{generator} is not installed")
    return sites[generator]


def dark(page: Any) -> None:
    """Material's (and Zensical's) dark scheme, as its palette toggle sets it."""
    page.evaluate("document.body.setAttribute('data-md-color-scheme', 'slate')")
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background not in ("rgb(255, 255, 255)", "rgba(0, 0, 0, 0)"), background  # dark


def shot(page: Any, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"))


def _header_entry(page: Any, local: str, generator: str, query: str) -> Any:
    """The header box's entry after typing `query` (Zensical: its dialog, opened by "/")."""
    if generator == "zensical":
        page.keyboard.press("/")
        page.locator("dialog input[role=combobox]").wait_for()
        page.keyboard.type(query)
        link = page.locator("dialog a.yt2doc-fulltext")
    else:
        page.locator(".md-search__input").click()
        page.keyboard.type(query)
        link = page.locator("a.yt2doc-fulltext")
    link.wait_for(state="visible")
    return link


SCHEMES = [("mkdocs", "light"), ("mkdocs", "slate"), ("properdocs", "light"),
           ("zensical", "light"), ("zensical", "slate")]  # fmt: skip


@pytest.mark.parametrize(("generator", "scheme"), SCHEMES)
@pytest.mark.parametrize("width", [1280, 390])
def test_header_entry_reads(
    sites: dict[str, str], browser: Any, generator: str, scheme: str, width: int
) -> None:
    local = _site(sites, generator)
    context = browser.new_context(viewport={"width": width, "height": 900 if width > 400 else 844})
    page = context.new_page()
    page.goto(f"{local}/", wait_until="load")
    if scheme == "slate":
        dark(page)
    if width < 400 and generator != "zensical":  # the phone's header: the search icon
        page.locator("label[for=__search]").first.click()
    link = _header_entry(page, local, generator, "rings")
    assert "Search the talks for “rings”" in link.inner_text()
    ratio = link.evaluate(CONTRAST)
    assert ratio >= 4.5, (generator, scheme, ratio)
    box = link.bounding_box()
    assert box and box["width"] > 100 and box["height"] > 10  # on screen, not a sliver
    shot(page, f"entry-{generator}-{scheme}-{width}")
    context.close()


@pytest.mark.parametrize("generator", ["mkdocs", "properdocs"])
def test_q_link_opens_results_without_overlay(
    sites: dict[str, str], page: Any, generator: str
) -> None:
    local = _site(sites, generator)
    seen = Seen(page, local)
    for arrive in ("link", "enter"):
        if arrive == "link":  # a shared link, opened
            page.goto(f"{local}/talks/search/?q=rings+clearly", wait_until="load")
        else:  # Enter in the header box, on another page
            page.goto(f"{local}/", wait_until="load")
            page.locator(".md-search__input").click()
            page.keyboard.type("rings clearly")
            page.keyboard.press("Enter")
            page.wait_for_url("**/talks/search/?q=rings*")
        page.wait_for_selector(".yt2doc-hit")
        page.wait_for_timeout(300)  # (Material's search would open by now)
        assert page.evaluate("document.getElementById('__search').checked") is False, arrive
        assert (
            page.evaluate("document.querySelector('input[data-md-toggle=search]').checked") is False
        )
        hit = page.locator(".yt2doc-hit a").first
        box = hit.bounding_box()
        assert box and 0 <= box["y"] < 900 - box["height"], box  # in view
        # nothing over it: the element at its middle is the link (or inside it)
        on_top = hit.evaluate(
            """a => { const r = a.getBoundingClientRect();
                const e = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
                return a.contains(e); }"""
        )
        assert on_top, arrive
        assert "q=rings+clearly" in page.url  # the address is still a link to these results
        assert _results(page)[0]["title"] == "Small telescopes"
        assert page.locator("#yt2doc-q").input_value() == "rings clearly"
    assert seen.errors == [] and seen.outside == [], seen.as_dict()


@pytest.mark.parametrize("generator", ["mkdocs", "zensical"])
@pytest.mark.parametrize("scheme", ["light", "slate"])
@pytest.mark.parametrize("width", [1280, 390])
def test_search_page_in_the_theme_look(
    sites: dict[str, str], browser: Any, generator: str, scheme: str, width: int
) -> None:
    local = _site(sites, generator)
    context = browser.new_context(viewport={"width": width, "height": 900 if width > 400 else 844})
    page = context.new_page()
    page.goto(f"{local}/talks/search/?q=telescope", wait_until="load")
    if scheme == "slate":
        dark(page)
    page.wait_for_selector(".yt2doc-hit")
    field, button = page.locator("#yt2doc-q"), page.locator(".yt2doc-search-button")
    f, b = field.bounding_box(), button.bounding_box()
    assert f and b and abs(f["y"] - b["y"]) < 8 and b["x"] > f["x"] + f["width"] - 1  # one line
    assert b["x"] + b["width"] <= width  # inside the screen
    # the theme's primary button: its colours, readable
    look = button.evaluate("b => [getComputedStyle(b).backgroundColor, getComputedStyle(b).color]")
    primary = page.evaluate(
        "getComputedStyle(document.body).getPropertyValue('--md-primary-fg-color').trim()"
    )
    assert primary and look[0] != "rgba(0, 0, 0, 0)", look
    page.click(".yt2doc-filters-toggle")  # (the filters load when opened)
    page.wait_for_selector(".yt2doc-search[data-filters=loaded]")
    for selector in ("#yt2doc-q", ".yt2doc-search-button", ".yt2doc-hit-link",
                     ".yt2doc-excerpt", ".yt2doc-result-meta", ".yt2doc-filter"):  # fmt: skip
        ratio = page.locator(selector).first.evaluate(CONTRAST)
        assert ratio >= 4.5, (selector, ratio)
    shot(page, f"search-{generator}-{scheme}-{width}")
    context.close()


def test_results_are_talks_and_their_speech(sites: dict[str, str], page: Any) -> None:
    local = _site(sites, "mkdocs")
    page.goto(f"{local}/talks/search/?q=the", wait_until="load")
    page.wait_for_selector(".yt2doc-result")
    page.wait_for_timeout(300)
    status = page.inner_text(".yt2doc-search-status")
    results = _results(page)
    assert status.startswith(f"{len(results)} talks found"), status
    assert {r["title"] for r in results} == {
        "Small telescopes",
        "Sourdough at home",
        "Bicycles in the city",
        "Rain gardens for small yards",
    }  # fmt: skip  (no index page, nor the site's own pages)
    text = " ".join(h["text"] for r in results for h in r["hits"])
    for noise in ("Source", "Machine transcript", "Whisper", "Follow along", "Contents"):
        assert noise not in text, noise
    # chapter titles: each a title of its own, never run into the next
    page.goto(f"{local}/talks/search/?q=moon", wait_until="load")
    page.wait_for_selector(".yt2doc-hit")
    chapters = [h["chapter"] for r in _results(page) for h in r["hits"] if h["chapter"]]
    assert "Full moon" in chapters, chapters


def test_index_holds_only_talk_content(sites: dict[str, str]) -> None:
    """What Pagefind read: the talk pages only (speech, chapter titles, title and names,
    each a block of its own), none of the index pages nor the site's own."""
    folder = FOLDERS["mkdocs"]
    records = {r["url"]: r for r in fragments(folder)}
    talks = {f"/talks/{p.parent.name}/" for p in (folder / "talks").glob("*/index.html")}
    talks -= {"/talks/search/", "/talks/speakers/", "/talks/events/", "/talks/tags/"}
    talks = {t for t in talks if not t.strip("/").split("/")[-1].isdigit()}  # year pages
    assert {url.split("#")[0] for url in records} == talks, sorted(records)
    talk = {"content": " ".join(r["content"] for u, r in sorted(records.items())
                                if u.startswith(f"/talks/{TALK}/"))}  # fmt: skip
    assert PHRASE in talk["content"]
    assert "Full moon." in talk["content"]  # a chapter title, then a full stop
    assert "Source" not in talk["content"] and "Machine transcript" not in talk["content"]
    assert "Small telescopes." in talk["content"] and "Alex Stargazer." in talk["content"]
