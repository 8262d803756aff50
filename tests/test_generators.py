"""The archive on MkDocs' successors: Zensical builds `render` output (it runs no MkDocs
plugins), ProperDocs builds with the plugin; and the player in a browser on render output
built by plain MkDocs and by Zensical, with instant navigation.

The site is tests/test_render.py's: the example site split in a plain mkdocs.yml, a
yt2doc.yml and a plugin.yml (the same site built by the plugin, into site-plugin/).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser import Seen, needs_chromium, serve
from tests.conftest import build_site
from tests.htmlpage import read_page
from tests.test_render import ENV, TALKS, _project, _visible

OVERRIDE = Path(__file__).parent.parent / "mkdocs_yt2doc" / "overrides" / "main.html"
EXAMPLE = Path(__file__).parent.parent / "example-site"


def _zensical_toml(
    project: Path,
    site_url: str = "https://example.org/archive/",
    site_dir: str = "site-zensical",
    extra: str = "",
) -> Path:
    """The site as Zensical configures it, with the README's one-file theme override;
    `extra`: more lines for [project]."""
    (project / "overrides").mkdir(exist_ok=True)
    shutil.copy(OVERRIDE, project / "overrides" / "main.html")
    path = project / "zensical.toml"
    path.write_text(
        f'[project]\nsite_name = "Example talk archive"\nsite_url = "{site_url}"\n'
        f'docs_dir = "docs"\nsite_dir = "{site_dir}"\n{extra}\n'
        '[project.theme]\ncustom_dir = "overrides"\nfont = false\n'
        'features = ["navigation.instant"]\n'
    )
    return path


def _run(*command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, *command], cwd=cwd, capture_output=True, text=True, env=ENV, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("zensical")
    pytest.importorskip("properdocs")
    project = _project(tmp_path_factory.mktemp("generators"))
    _zensical_toml(project)
    _run("-m", "mkdocs_yt2doc.cli", "render", "-f", "zensical.toml", cwd=project)
    _run("-m", "zensical", "build", "-f", "zensical.toml", cwd=project)
    _run("-m", "mkdocs", "build", "-f", "plugin.yml", cwd=project)
    plugin = (project / "plugin.yml").read_text()
    (project / "properdocs.yml").write_text(plugin.replace("site-plugin", "site-properdocs"))
    _run("-m", "properdocs", "build", "-f", "properdocs.yml", cwd=project)
    return project


def test_zensical_builds_the_rendered_archive(project: Path) -> None:
    site = project / "site-zensical" / "talks"
    for slug in TALKS:
        rendered = _visible(site / slug / "index.html")
        assert rendered == _visible(project / "site-plugin" / "talks" / slug / "index.html"), slug
    html = (site / "small-telescopes" / "index.html").read_text()
    page = read_page(site / "small-telescopes" / "index.html")
    # Zensical's default extensions include attr_list: chapter ids, and the TOC lists them
    assert 'href="#full-moon"' in html.split("md-nav--secondary")[1]
    # every relative URL of the page's raw HTML resolves (Zensical reads them as relative to
    # the source file, MkDocs as relative to the page's URL: the same folder here)
    urls = [a.href.split("#")[0] for a in page.links if a.href.startswith(("small-", "../as"))]
    urls += [s for s in page.scripts if "yt2doc" in s]
    assert len(urls) >= 8 and all((site / "small-telescopes" / u).is_file() for u in urls), urls
    # the theme override prints Open Graph from the front matter
    head = html.split("</head>")[0]
    assert '<meta property="og:type" content="video.other">' in head
    assert '<meta property="og:title" content="Small telescopes">' in head
    assert "https://example.org/archive/talks/small-telescopes/" in head


def test_the_readme_move_to_zensical_on_an_unchanged_mkdocs_yml(
    project: Path, tmp_path: Path
) -> None:
    """`mkdocs-yt2doc render -f mkdocs.yml && zensical build`, on the example site as it is
    (its mkdocs.yml lists the plugin, which Zensical ignores)."""
    example = tmp_path / "example"
    shutil.copytree(EXAMPLE, example, ignore=shutil.ignore_patterns("site"))
    said = _run("-m", "mkdocs_yt2doc.cli", "render", "-f", "mkdocs.yml", cwd=example)
    assert "talks rendered into docs/talks/" in said.stdout
    _run("-m", "zensical", "build", cwd=example)
    _run("-m", "mkdocs", "build", "-f", "mkdocs.yml", "-d", "site-plugin", cwd=example)
    for slug in (
        "sourdough-at-home",
        "bicycles-in-the-city",
        "small-telescopes",
        "rain-gardens-for-small-yards",
    ):
        zensical = _visible(example / "site" / "talks" / slug / "index.html")
        assert zensical[0], slug  # talk pages with paragraphs
        # the plugin adds no pages over render output: the same files, built by MkDocs
        assert zensical == _visible(example / "site-plugin" / "talks" / slug / "index.html")


def test_properdocs_builds_with_the_plugin(project: Path) -> None:
    from importlib.metadata import entry_points

    [entry] = [e for e in entry_points(group="properdocs.plugins") if e.name == "yt2doc"]
    assert entry.value == "mkdocs_yt2doc.plugin:Yt2DocPlugin"
    for slug in TALKS:
        built = _visible(project / "site-properdocs" / "talks" / slug / "index.html")
        assert built == _visible(project / "site-plugin" / "talks" / slug / "index.html"), slug
    html = project / "site-properdocs" / "talks" / "sourdough-on-youtube" / "index.html"
    assert '<meta property="og:type" content="video.other">' in html.read_text()


def test_a_plain_mkdocs_build_prints_open_graph_with_the_override(tmp_path: Path) -> None:
    project = _project(tmp_path)
    (project / "overrides").mkdir()
    shutil.copy(OVERRIDE, project / "overrides" / "main.html")
    config = project / "mkdocs.yml"
    config.write_text(config.read_text().replace("  name: material\n", "  name: material\n"
                                                 "  custom_dir: overrides\n"))  # fmt: skip
    _run("-m", "mkdocs_yt2doc.cli", "render", cwd=project)
    build_site(config, strict=True)
    head = (project / "site" / "talks" / "sourdough-on-youtube" / "index.html").read_text()
    head = head.split("</head>")[0]
    assert '<meta property="og:image" content="https://i.ytimg.com/vi/Yt2DocTest1/hq' in head
    index = (project / "site" / "talks" / "index.html").read_text().split("</head>")[0]
    assert "og:type" not in index  # only talk pages carry it


# -- the player on render output, in a browser -------------------------------------------------


@pytest.fixture(scope="module", params=["mkdocs", "zensical"])
def rendered_site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Path, str]]:
    """Render output built by plain MkDocs or Zensical, Material's instant navigation on, and
    a home page that links a talk page directly (so the script first runs on a swap)."""
    if request.param == "zensical":
        pytest.importorskip("zensical")
    project = _project(tmp_path_factory.mktemp(f"player-{request.param}"))
    home = project / "docs" / "index.md"
    home.write_text(home.read_text() + "\n[Small telescopes](talks/small-telescopes/index.md)\n")
    site = project / ("site-zensical" if request.param == "zensical" else "site")
    site.mkdir()
    with serve(site) as local:
        if request.param == "zensical":
            _zensical_toml(project, f"{local}/")
            _run("-m", "mkdocs_yt2doc.cli", "render", "-f", "zensical.toml", cwd=project)
            _run("-m", "zensical", "build", "-f", "zensical.toml", cwd=project)
        else:
            config = project / "mkdocs.yml"
            # the site also lists the script itself: it must set itself up once
            config.write_text(
                config.read_text().replace("site_url: !ENV SITE_URL", f"site_url: {local}/")
                + "extra_javascript:\n  - talks/assets/yt2doc.js\n"
            )
            _run("-m", "mkdocs_yt2doc.cli", "render", cwd=project)
            build_site(config, strict=True)
        yield site, local


@needs_chromium
def test_instant_navigation_to_a_rendered_talk_page(
    rendered_site: tuple[Path, str], browser: Any
) -> None:
    _, local = rendered_site
    page = browser.new_page()
    seen = Seen(page, local)
    page.goto(f"{local}/", wait_until="load")
    page.evaluate("window.__sameDocument = true")
    page.locator("article a", has_text="Small telescopes").first.click()
    page.wait_for_url(f"{local}/talks/small-telescopes/")
    page.wait_for_selector("audio")
    assert page.evaluate("window.__sameDocument") is True  # swapped in, not loaded
    page.wait_for_function("document.querySelector('audio').readyState >= 1")
    page.wait_for_selector(".yt2doc-controls:not([hidden])")
    page.locator("p.yt2doc-p a.yt2doc-t[data-t='39']").click()
    page.wait_for_function("Math.abs(document.querySelector('audio').currentTime - 39) <= 0.5")
    assert page.url == f"{local}/talks/small-telescopes/"
    assert page.evaluate("document.querySelector('.yt2doc-current > span[id]')?.id") == "t39"
    # a second talk page, swapped in too: the script re-attaches, once
    page.goto(f"{local}/talks/", wait_until="load")
    page.locator("article a", has_text="Bicycles in the city").first.click()
    page.wait_for_url(f"{local}/talks/bicycles-in-the-city/")
    page.wait_for_selector(".yt2doc-controls:not([hidden])")
    link = page.locator("p.yt2doc-p a.yt2doc-t").nth(1)
    second = int(link.get_attribute("data-t"))
    link.click()
    page.wait_for_function(
        f"Math.abs(document.querySelector('audio').currentTime - {second}) <= 0.5"
    )
    assert page.evaluate("window.__yt2doc") is True
    assert seen.as_dict() == {"dialogs": [], "errors": [], "outside": []}
    page.close()


@needs_chromium
def test_follow_along_and_deep_links_on_a_rendered_site(
    rendered_site: tuple[Path, str], browser: Any
) -> None:
    """What the plugin build's player does (tests/test_player.py), on render output."""
    _, local = rendered_site
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    seen = Seen(page, local)
    page.goto(f"{local}/talks/small-telescopes/#t=70", wait_until="load")
    starts = page.eval_on_selector_all(
        "p.yt2doc-p",
        "ps => ps.map(p => [p.querySelector('span[id]').id,"
        " +p.querySelector('[data-t]').dataset.t])",
    )
    at_70 = [pid for pid, start in starts if start <= 70][-1]
    page.wait_for_function(
        f"document.querySelector('.yt2doc-current > span[id]')?.id === '{at_70}'"
    )
    top = page.evaluate(
        f"document.getElementById('{at_70}').parentElement.getBoundingClientRect().top"
    )
    assert 0 <= top < 900  # scrolled into view
    page.wait_for_function("Math.abs(document.querySelector('audio').currentTime - 70) <= 0.5")
    for seconds in (5, 150):  # follow-along: the paragraph playing is highlighted
        page.evaluate(f"document.querySelector('audio').currentTime = {seconds}")
        expected = [pid for pid, start in starts if start <= seconds][-1]
        page.wait_for_function(
            f"document.querySelector('.yt2doc-current > span[id]')?.id === '{expected}'"
        )
        assert page.locator(".yt2doc-current").count() == 1
    assert page.locator(".yt2doc-contents .yt2doc-current-chapter").count() == 1
    assert seen.as_dict() == {"dialogs": [], "errors": [], "outside": []}
    page.close()
