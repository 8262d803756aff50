"""A large archive's navigation, for real: 40 cached talks over four years and eight events,
`nav_group_size: 4`, built by MkDocs + Material (navigation.prune, which the plugin turns on).

No page's navigation lists the archive: a talk page carries the years, its year's events and
its own group's talks. Every talk is two clicks from the index (index -> year page -> talk),
and `render`'s nav snippet groups the same way for builds without the plugin.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from mkdocs.exceptions import Abort

from tests.conftest import build_site, write_site
from tests.test_index_cards import COUNT, _cache

MOST = 4
PAYLOAD = '<img src=x onerror="alert(1)"> Fest {{ config }}'


def _talks(project: Path) -> list[dict[str, object]]:
    talks = _cache(project)
    for i, talk in enumerate(talks):
        year = 2023 + i % 4
        talk["event"] = f"Conf {year} {'spring' if i % 8 < 4 else 'autumn'}"
        talk["date"] = f"{year}-{'03' if i % 8 < 4 else '10'}-{1 + i % 28:02d}"
    for talk in talks[2::8]:  # 2025 spring, named by a stranger: inert in every nav
        talk["event"] = PAYLOAD
    for talk in talks[-2:]:  # two with no date: the "Undated" year
        del talk["date"], talk["event"]
    return talks


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    project = tmp_path_factory.mktemp("groups") / "project"
    project.mkdir()
    talks = {"talks": _talks(project)}
    config = write_site(project, talks, transcribe="never", nav_group_size=MOST)
    build_site(config, strict=True)
    yield project


class _Nav(HTMLParser):
    """The links of Material's primary navigation (the left sidebar)."""

    def __init__(self) -> None:
        super().__init__()
        self.depth, self.inside, self.links = 0, None, []  # type: ignore[var-annotated]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "nav":
            self.depth += 1
            if self.inside is None and "md-nav--primary" in (values.get("class") or ""):
                self.inside = self.depth
        elif tag == "a" and self.inside is not None and values.get("href"):
            self.links.append(values["href"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "nav":
            if self.inside == self.depth:
                self.inside = None
            self.depth -= 1


def _nav_links(page: Path) -> list[str]:
    reader = _Nav()
    reader.feed(page.read_text())
    return reader.links


def _talk_links(links: list[str]) -> set[str]:
    return {m[1] for link in links if (m := re.search(r"(talk-\d+)/$", link))}


def test_a_talk_page_carries_its_group_not_the_archive(site: Path) -> None:
    talks = site / "site" / "talks"
    for n in (0, 13, 38):  # 2023 spring, 2024 autumn, undated
        links = _nav_links(talks / f"talk-{n}" / "index.html")
        shown = _talk_links(links) | ({f"talk-{n}"} if "./" in links else set())
        assert f"talk-{n}" in shown
        assert len(shown) <= MOST + 8  # its own group, and a first page for each other one
        assert len(links) < 40  # against 40 talks + 5 index pages + 5 years flat
    # the Undated year holds only the two undated talks
    links = _nav_links(talks / "talk-38" / "index.html")
    assert _talk_links(links) == {"talk-39"} and "./" in links


def _hrefs(html: str, block: str) -> list[str]:
    """The links inside the page's `<ul class="{block}">` lists (the content, not the nav)."""
    lists = re.findall(rf'<ul class="{block}">(.*?)</ul>', html, re.S)
    return [h for part in lists for h in re.findall(r'href="([^"]+)"', part)]


def test_every_talk_is_two_clicks_from_the_index(site: Path) -> None:
    talks = site / "site" / "talks"
    index = (talks / "index.html").read_text()
    years = _hrefs(index, "yt2doc-years")
    assert years == ["years/2026/", "years/2025/", "years/2024/", "years/2023/", "years/undated/"]
    assert len(_talk_links(_hrefs(index, "yt2doc-cards"))) == MOST  # the newest, not all 40
    reached = set()
    for year in years:
        links = _hrefs((talks / year / "index.html").read_text(), "yt2doc-cards")
        reached |= _talk_links(links)
        for link in links:  # every card's link resolves to a built page
            if not link.startswith("../../talk-"):
                continue
            target = (talks / year / link.split("#")[0]).resolve()
            assert (target / "index.html").is_file(), link
    assert reached == {f"talk-{i}" for i in range(COUNT)}
    year_page = (talks / "years" / "2024" / "index.html").read_text()
    assert year_page.index("Conf 2024 autumn") < year_page.index("Conf 2024 spring")


def _inert_everywhere(site: Path) -> None:
    """The stranger's event name is text on every page: no element, no template output."""
    pages = list(site.rglob("*.html"))
    assert pages
    for page in pages:
        html = page.read_text()
        assert not re.search(r"<img[^>]*onerror", html), page
    talk = (site / "talks" / "talk-2" / "index.html").read_text()
    assert "&lt;img src=x" in talk and "Fest &#123;&#123; config &#125;&#125;" in talk


def test_a_hostile_event_name_stays_inert_in_the_nav(site: Path) -> None:
    _inert_everywhere(site / "site")


def test_nav_groups_by_year_then_event(site: Path) -> None:
    html = (site / "site" / "talks" / "talk-13" / "index.html").read_text()
    for label in ("2026", "2025", "2024", "2023", "Undated", "Conf 2024 autumn"):
        assert f"{label}\n" in html or f">{label}<" in html, label


def test_the_render_snippet_groups_the_same_way(site: Path, tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(site, project, ignore=shutil.ignore_patterns("site"))
    subprocess.run(
        [sys.executable, "-m", "mkdocs_yt2doc.cli", "render"], cwd=project, check=True,
        capture_output=True, text=True,
    )  # fmt: skip
    nav = yaml.safe_load((project / "docs" / "talks" / ".yt2doc-nav.yml").read_text())
    talks = nav[0]["Talks"]
    assert talks[0] == "talks/index.md"
    years = [next(iter(item)) for item in talks if isinstance(item, dict)]
    assert years == ["2026", "2025", "2024", "2023", "Undated"]
    year_2024 = next(item["2024"] for item in talks if isinstance(item, dict) and "2024" in item)
    assert year_2024[0] == "talks/years/2024/index.md"
    assert [next(iter(e)) for e in year_2024[1:]] == ["Conf 2024 autumn", "Conf 2024 spring"]
    # MkDocs and Zensical build the rendered files with the snippet as their nav, no plugin;
    # with navigation.prune (which the plugin sets, and render's users set themselves) a
    # page's navigation holds its own group
    config = yaml.safe_load((project / "mkdocs.yml").read_text())
    config["plugins"] = ["search"]
    config["nav"] = [{"Home": "index.md"}, *nav]
    config["markdown_extensions"] = ["attr_list"]
    config["theme"]["features"] = ["navigation.prune"]
    for name, command in (("mkdocs", "mkdocs"), ("zensical", "zensical")):
        if name == "zensical":
            pytest.importorskip("zensical")
        config["site_dir"] = f"site-{name}"
        (project / f"{name}.yml").write_text(yaml.safe_dump(config))
        subprocess.run(
            [sys.executable, "-m", command, "build", "-f", f"{name}.yml"], cwd=project,
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        links = _nav_links(project / f"site-{name}" / "talks" / "talk-13" / "index.html")
        assert any(re.fullmatch(r"(\./)+", link) for link in links), name  # the page itself
        assert 0 < len(_talk_links(links)) <= MOST + 8, name
        assert len(links) < 40, name
        _inert_everywhere(project / f"site-{name}")


def test_nav_group_size_must_be_positive(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    config = write_site(tmp_path / "p", {"talks": []}, transcribe="never", nav_group_size=0)
    with pytest.raises(Abort):
        build_site(config)
    assert "option 'nav_group_size': expected a whole number of 1 or more, got 0" in caplog.text
