"""A talk page's raw HTML kept out of Python-Markdown (`archive/splice.py`): the site is the
same, byte for byte, as the build whose Markdown carries it all (as `render` writes it).

The example site built for real by MkDocs + Material, twice: as the plugin builds it, and
with `Yt2DocPlugin.splice_html` off. With Pagefind and with the theme's search (a cap on
its words), with the Markdown extensions Material sites use, and with outside text that
spells the placeholder (a title, a description, a corrected transcript). MkDocs
still knows the paragraphs' anchors (its check of links to them), and a plugin that drops a
placeholder from the Markdown is named in a warning.
"""

from __future__ import annotations

import ast
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from mkdocs_yt2doc.archive.splice import PLACEHOLDER, PageParts, anchor_ids, lists_apart
from mkdocs_yt2doc.plugin import Yt2DocPlugin
from tests.conftest import PluginLog, build_site
from tests.test_search import EXAMPLE

FORGED = PLACEHOLDER.format(0) + " " + PLACEHOLDER.format(1)  # what outside text may say
EXTENSIONS = """
markdown_extensions:
  - admonition
  - attr_list
  - md_in_html
  - pymdownx.superfences
  - toc: {permalink: true}
"""


def _example(root: Path, search: str) -> Path:
    """The example site, with outside text spelling the placeholders; its mkdocs.yml."""
    project = root / "example"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns("site"))
    talks_file = project / "talks.yml"
    talks = yaml.safe_load(talks_file.read_text())
    first = talks["talks"][0]
    first["title"] = f"Sourdough {FORGED} at home"
    first["description"] = f"A loaf.\n\n{FORGED}\n\n<b>{{{{ 7*7 }}}}</b> -->"
    talks_file.write_text(yaml.safe_dump(talks, sort_keys=False))
    corrected = project / "corrections" / "bicycles-in-the-city.md"  # the transcript's text
    corrected.write_text(corrected.read_text().replace("A painted line", f"A {FORGED} line", 1))
    config = project / "mkdocs.yml"
    text = config.read_text().replace("      cache_dir:", f"      search: {search}\n"
                                      "      search_words_per_chapter: 25\n"
                                      "      cache_dir:", 1)  # fmt: skip
    config.write_text(text + (EXTENSIONS if search == "material" else ""))
    return config


def _pages(site: Path) -> dict[str, bytes]:
    return {str(p.relative_to(site)): p.read_bytes() for p in sorted(site.rglob("*.html"))}


@pytest.mark.reliability("input")
@pytest.mark.parametrize("search", ["pagefind", "material"])
def test_the_spliced_site_is_the_site_of_the_whole_markdown(
    tmp_path: Path, search: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("YT2DOC_TRANSCRIBE", "never")
    config = _example(tmp_path, search)
    build_site(config, site_dir=str(tmp_path / "spliced"), strict=True)
    monkeypatch.setattr(Yt2DocPlugin, "splice_html", False)
    build_site(config, site_dir=str(tmp_path / "whole"), strict=True)
    spliced, whole = _pages(tmp_path / "spliced"), _pages(tmp_path / "whole")
    assert spliced.keys() == whole.keys()
    assert [p for p in spliced if spliced[p] != whole[p]] == []
    page = spliced["talks/bicycles-in-the-city/index.html"].decode()
    assert "A &#60;!--yt2doc-html-0--&#62;" in page and "<!--yt2doc" not in page  # as text
    [talk] = [spliced[p].decode() for p in spliced if p.startswith("talks/sourdough-")]
    assert 'class="yt2doc-p"' in talk and "<!--yt2doc" not in talk
    assert "Sourdough &#60;&#33;&#45;&#45;yt2doc" in talk  # the title, escaped


def test_mkdocs_checks_links_to_a_paragraphs_anchor(
    tmp_path: Path, plugin_log: PluginLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Anchors live in the spliced HTML: MkDocs still finds them (its anchor check)."""
    monkeypatch.setenv("YT2DOC_TRANSCRIBE", "never")
    config = _example(tmp_path, "material")
    page = tmp_path / "example" / "docs" / "index.md"
    page.write_text(
        page.read_text() + "\n[The sky](talks/small-telescopes/index.md#t0) and "
        "[nowhere](talks/small-telescopes/index.md#t99999).\n"
    )
    config.write_text(config.read_text() + "validation:\n  anchors: warn\n")
    build_site(config)
    missing = [w for w in plugin_log.warnings if "does not contain an anchor" in w]
    assert len(missing) == 1 and "#t99999" in missing[0], plugin_log.warnings


HOOK = """
def on_page_markdown(markdown, page, **kwargs):
    return markdown.replace("<!--yt2doc-html-1-->", "", 1)
"""


@pytest.mark.reliability("fault", 1)
def test_a_placeholder_another_plugin_dropped_is_named(
    tmp_path: Path, plugin_log: PluginLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("YT2DOC_TRANSCRIBE", "never")
    config = _example(tmp_path, "material")
    (tmp_path / "example" / "hook.py").write_text(HOOK)
    config.write_text(config.read_text() + "hooks:\n  - hook.py\n")
    build_site(config)
    lost = [w for w in plugin_log.warnings if "HTML blocks are missing" in w]
    assert any("talks/small-telescopes/index.md" in w for w in lost), plugin_log.warnings


KEEPER = """
seen = {}
def on_post_page(output, page, **kwargs):
    seen[page.file.src_uri] = page
def on_post_build(config, **kwargs):
    import pathlib
    kept = {uri: p.content is not None for uri, p in seen.items() if uri.startswith("talks/")}
    pathlib.Path(config.site_dir, "kept.txt").write_text(repr(sorted(kept.items())))
"""


def test_a_small_archive_keeps_its_pages_html_for_other_plugins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Below RELEASE_FROM_PAGES pages, a plugin reading page.content after the page was
    written (on_post_build) still finds it."""
    monkeypatch.setenv("YT2DOC_TRANSCRIBE", "never")
    config = _example(tmp_path, "material")
    (tmp_path / "example" / "keeper.py").write_text(KEEPER)
    config.write_text(config.read_text() + "hooks:\n  - keeper.py\n")
    build_site(config)
    kept = dict(ast.literal_eval((tmp_path / "example" / "site" / "kept.txt").read_text()))
    assert kept.get("talks/small-telescopes/index.md") is True and all(kept.values()), kept


class _Ids(HTMLParser):
    """What MkDocs' own scan of a page's raw HTML finds (mkdocs.structure.pages)."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for key, value in attrs:
            if value is not None and (key == "id" or (key == "name" and tag == "a")):
                self.ids.add(value)


def test_the_anchor_ids_are_those_an_html_parser_finds() -> None:
    blocks = [
        '<p class="yt2doc-p"><span id="t12"></span><a class="yt2doc-t" href="?t=12">0:12</a> '
        'he said id="x" &amp; <b id="a&amp;b">so</b></p>',
        '<ul class="yt2doc-facets">\n<li id="ada"><a href="ada/">Ada</a></li>\n</ul>',
    ]
    parser = _Ids()
    parser.feed("\n".join(blocks))
    assert anchor_ids(blocks) == parser.ids == {"t12", "a&b", "ada"}


def test_runs_of_raw_html_become_one_placeholder_each() -> None:
    parts = PageParts(splice=True)
    parts.markdown("# Title\n\n")
    parts.html("<div>a</div>\n\n")
    parts.html("<p>b</p>\n\n")
    parts.markdown("## Chapter {#c}\n\n")
    parts.html("<p>c</p>\n")  # the page's end: one line break is enough
    text = parts.text()
    assert text == "# Title\n\n<!--yt2doc-html-0-->\n\n## Chapter {#c}\n\n<!--yt2doc-html-1-->\n\n"
    assert parts.blocks == ["<div>a</div>\n\n<p>b</p>", "<p>c</p>"]
    whole = PageParts()
    for html in ("<div>a</div>\n\n", "<p>b</p>\n\n"):
        whole.html(html)
    assert whole.text() == "<div>a</div>\n\n<p>b</p>\n\n" and whole.blocks == []
    listed, blocks = lists_apart('# T\n\n<ul class="yt2doc-cards">\n<li>x</li>\n</ul>\n')
    assert listed == "# T\n\n<!--yt2doc-html-0-->\n" and blocks[0].endswith("</ul>")
