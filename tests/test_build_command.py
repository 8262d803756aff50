"""`mkdocs-yt2doc build`: Zensical in one command, on the project `init` writes (zensical.toml
and yt2doc.yml, or a mkdocs.yml Zensical reads): render, `zensical build` with the archive's
navigation, the Pagefind index; offline. The user's configuration files keep every byte, the
navigation is grouped in talks.yml's order with the talks' titles, the chapters are in the
table of contents, and search works in chromium (the archive's page, Zensical's own box).
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mkdocs_yt2doc.project.build import write_config
from mkdocs_yt2doc.project.init import cache_example
from tests.browser import Seen, needs_chromium, serve
from tests.test_init import init, offline_env, probe, tomllib
from tests.test_search import _results
from tests.test_search_zensical import _open_zensical_search

pytest.importorskip("zensical")
TALK = "welcome-to-your-talk-archive"
SECOND = """\
  - url: media/another.wav
    title: Another look at the archive
    speakers: [A. Speaker]
    date: 2026-02-01
    captions: captions/welcome.vtt
    slug: another-look
"""
_LINK = re.compile(
    r'<(?:a href="([^"]*)"|label)[^>]*class="md-nav__link[^"]*"[^>]*>\s*'
    r'<span class="md-ellipsis">\s*(.*?)\s*</span>',
    re.S,
)


def nav(page: Path) -> list[tuple[str | None, str]]:
    """(href or None for a section, title) of each entry of a page's main navigation."""
    text = page.read_text().split("md-nav--primary")[1].split("md-sidebar--secondary")[0]
    return [(m[1], html.unescape(m[2])) for m in _LINK.finditer(text)]


def build(tmp: Path, project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs_yt2doc.cli", "build", *args],
        cwd=project, capture_output=True, text=True, env=offline_env(tmp), timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def _with_second_talk(project: Path, config: str) -> None:
    """A second talk after the first, whose title sorts before it (so the order shows)."""
    shutil.copy(project / "media" / "welcome.wav", project / "media" / "another.wav")
    talks = project / "talks.yml"
    text = talks.read_text()
    cut = text.index("  # A recording online")
    talks.write_text(text[:cut] + SECOND + text[cut:])
    assert cache_example(project / config) == 0


@pytest.fixture(scope="module")
def zensical_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    tmp = tmp_path_factory.mktemp("build-zensical")
    project = tmp / "archive"
    init(tmp, project, "--generator", "zensical")
    _with_second_talk(project, "zensical.toml")
    mine = {n: (project / n).read_bytes() for n in ("zensical.toml", "yt2doc.yml", "talks.yml")}
    # no model library on the Python side; no connection leaves the machine
    assert probe(tmp, project, "yt2doc", "build", "--strict") == []
    assert {n: (project / n).read_bytes() for n in mine} == mine  # only read
    with serve(project / "site") as local:
        yield project, local


def test_build_groups_the_navigation(zensical_site: tuple[Path, str]) -> None:
    project, _ = zensical_site
    entries = nav(project / "site" / "talks" / "search" / "index.html")
    assert entries == [
        ("../..", "Talk archive"),
        (None, "Talks"),
        ("../", "Talks"),
        ("../speakers/", "By speaker"),
        ("../tags/", "By tag"),
        ("././", "Search"),
        (f"../{TALK}/", "Welcome to your talk archive"),
        ("../another-look/", "Another look at the archive"),  # talks.yml's order
    ]
    own = (project / ".yt2doc-build.toml").read_text()
    assert own.startswith("# Written by `mkdocs-yt2doc build` from zensical.toml")


def test_chapters_are_in_the_table_of_contents(zensical_site: tuple[Path, str]) -> None:
    project, _ = zensical_site
    page = (project / "site" / "talks" / TALK / "index.html").read_text()
    contents = page.split("md-nav--secondary")[1]
    assert re.findall(r'href="(#[^"]+)"', contents)[:2] == [
        "#what-the-archive-does",
        "#adding-your-talks",
    ]


@needs_chromium
def test_search_works(zensical_site: tuple[Path, str], page: Any) -> None:
    _, local = zensical_site
    seen = Seen(page, local)
    page.goto(f"{local}/talks/search/", wait_until="load")
    page.wait_for_function("document.querySelector('.yt2doc-filters') !== null")
    page.locator("#yt2doc-q").click()
    page.keyboard.type("workflow publishes", delay=10)
    page.wait_for_selector(".yt2doc-hit")
    page.wait_for_timeout(400)
    results = {r["title"]: r for r in _results(page)}
    assert sorted(results) == ["Another look at the archive", "Welcome to your talk archive"]
    hit = results["Welcome to your talk archive"]["hits"][0]
    assert hit["href"].startswith(f"/talks/{TALK}/#t="), hit  # the paragraph where it was said
    assert hit["chapter"] == "Adding your talks"
    # Zensical's own box: words said in a talk open the archive's search
    link = _open_zensical_search(page, local, "commit the cache folder")
    link.wait_for(state="visible")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url("**/talks/search/?q=commit+the+cache+folder")
    page.wait_for_selector(".yt2doc-hit")
    assert seen.outside == [] and seen.errors == [], seen.as_dict()
    assert any("/pagefind/" in url for url in seen.requests)


def test_build_on_a_mkdocs_yml(tmp_path: Path) -> None:
    """Zensical reading the mkdocs.yml `init` writes (no markdown_extensions): the chapters
    are in its table of contents too, and mkdocs.yml keeps every byte."""
    project = tmp_path / "archive"
    init(tmp_path, project)
    mine = (project / "mkdocs.yml").read_bytes()
    said = build(tmp_path, project, "-f", "mkdocs.yml").stdout
    assert "Pagefind indexed" in said
    assert (project / "mkdocs.yml").read_bytes() == mine
    own = (project / ".yt2doc-build.yml").read_text()
    assert 'INHERIT: "mkdocs.yml"' in own
    page = project / "site" / "talks" / TALK / "index.html"
    contents = page.read_text().split("md-nav--secondary")[1]
    assert 'href="#what-the-archive-does"' in contents
    assert [title for _, title in nav(page)].count("Search") == 1
    assert (project / "site" / "pagefind" / "pagefind.js").is_file()


def test_a_nav_of_ones_own_comes_first(tmp_path: Path) -> None:
    project = tmp_path / "archive"
    init(tmp_path, project, "--generator", "zensical")
    (project / "docs" / "about.md").write_text("# About us\n")
    (project / "docs" / "unlisted.md").write_text("# Not in my nav\n")
    config = project / "zensical.toml"
    config.write_text(
        config.read_text().replace(
            'site_dir = "site"\n', 'site_dir = "site"\nnav = [{"Home" = "index.md"}, "about.md"]\n'
        )
    )
    mine = config.read_bytes()
    build(tmp_path, project)
    assert config.read_bytes() == mine
    titles = [t for _, t in nav(project / "site" / "about" / "index.html")]
    assert titles[:4] == ["Home", "About us", "Talks", "Talks"]
    assert "Not in my nav" not in titles


def test_an_uncached_talk_fails_strict_and_a_config_not_ignored_is_named(tmp_path: Path) -> None:
    git = shutil.which("git")
    project = tmp_path / "archive"
    init(tmp_path, project, "--generator", "zensical")
    (project / ".gitignore").write_text("site/\n")  # without .yt2doc-build.*
    if git:
        subprocess.run([git, "init", "-q"], cwd=project, check=True, timeout=60)
    said = build(tmp_path, project)
    if git:
        assert ".yt2doc-build.toml is not git-ignored: add `.yt2doc-build.*` to .gitignore" in (
            said.stderr
        )
    talks = project / "talks.yml"
    shutil.copy(project / "media" / "welcome.wav", project / "media" / "uncached.wav")
    talks.write_text(talks.read_text() + "  - url: media/uncached.wav\n    title: Not cached\n")
    env = offline_env(tmp_path, YT2DOC_TRANSCRIBE="never")
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs_yt2doc.cli", "build", "--strict"],
        cwd=project, capture_output=True, text=True, env=env, timeout=300,
    )  # fmt: skip
    assert done.returncode == 2, done.stdout + done.stderr
    # the talk's own warning, and the one that says which two commands cache it
    assert "mkdocs-yt2doc: render warned 2 time(s) (--strict): see above" in done.stderr
    assert "run `mkdocs-yt2doc prefetch` where they can be transcribed, then commit" in (
        done.stderr
    )


def test_its_configuration_is_the_users_plus_the_nav(tmp_path: Path) -> None:
    """What `build` writes reads back as the user's zensical.toml, key for key, plus `nav`."""
    config = tmp_path / "zensical.toml"
    config.write_text(
        '[project]\nsite_name = "Vorträge \\"quoted\\""\nuse_directory_urls = false\n'
        'copyright = "line\\none"\n[project.theme]\nfeatures = ["navigation.instant"]\n'
        '[project.theme.palette]\nprimary = "indigo"\n'
        "[project.markdown_extensions.toc]\npermalink = true\ntoc_depth = 3\n"
        "[project.markdown_extensions.attr_list]\n"
    )
    nav = ["index.md", {"Talks": ["talks/index.md", {"2026": ["talks/a/index.md"]}]}]
    own = write_config(config, nav)
    assert own == tmp_path / ".yt2doc-build.toml"
    mine = tomllib.loads(config.read_text())["project"]
    assert tomllib.loads(own.read_text())["project"] == {**mine, "nav": nav}
