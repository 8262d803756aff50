"""The Pagefind index in shards (`search_shard_talks`), for real: the example site built by
MkDocs + Material under a sub-path, each talk a shard of its own indexed by its own Pagefind
binary, merged by the search page in Debian's chromium.

- a phrase from each shard finds its talk first, and the hit opens the player at its second;
- the merged shards give the same top hit as one index of the same site;
- a page outside the search page fetches no Pagefind file, and the theme's index it fetches
  holds none of the archive's pages;
- shards of two builds (a deploy cut short): the search page says so and searches nothing;
- a shard whose binary fails fails the whole index, with a warning naming the shard;
- Pagefind killed by the kernel for memory (a memory cgroup's limit): the warning says so,
  with the peak it reached and the option that bounds it.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mkdocs_yt2doc.archive.search_shards import build_index
from tests.browser import Seen, needs_chromium, serve
from tests.conftest import PluginLog, build_site, write_site
from tests.test_search import EXAMPLE, _results, _search

TALKS = (
    "small-telescopes", "sourdough-at-home", "bicycles-in-the-city",
    "rain-gardens-for-small-yards",
)  # fmt: skip


def _phrase(project: Path, slug: str) -> tuple[str, int]:
    """Five telling words of the talk's third paragraph (the run with the longest words: "up
    the water and it" is said in other talks too), and that paragraph's second."""
    stem = {"rain-gardens-for-small-yards": "rain-gardens"}.get(slug, slug)  # its file's name
    [path] = (project / ".yt2doc").glob(f"file-{stem}-*/document.json")
    document = json.loads(path.read_text())
    paragraph = document["paragraphs"][min(2, len(document["paragraphs"]) - 1)]
    words = paragraph["text"].replace(",", "").replace(".", "").split()
    start = max(range(len(words) - 4), key=lambda i: sum(len(w) for w in words[i : i + 5]))
    return " ".join(words[start : start + 5]), int(paragraph["start"])


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str, str]]:
    """The example site with a shard per talk, and a copy indexed as one: (project, the
    sharded site's URL, the one-index site's URL)."""
    root = tmp_path_factory.mktemp("shards")
    project = root / "example"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns("site"))
    config = project / "mkdocs.yml"
    text = config.read_text().replace("      cache_dir:", "      search_shard_talks: 1\n"
                                      "      cache_dir:", 1)  # fmt: skip
    config.write_text(text + "site_dir: ../served/archive\n")
    with serve(root / "served") as local, pytest.MonkeyPatch.context() as env:
        (root / "served").mkdir()
        env.setenv("YT2DOC_TRANSCRIBE", "never")
        env.setenv("SITE_URL", f"{local}/archive/")
        build_site(config, strict=True)
        shutil.copytree(root / "served" / "archive", root / "served" / "one")
        build_index(root / "served" / "one", shard_talks=0)
        yield project, f"{local}/archive", f"{local}/one"


def test_shards_are_written_and_listed(sites: tuple[Path, str, str]) -> None:
    project, _, _ = sites
    bundle = project.parent / "served" / "archive" / "pagefind"
    manifest = json.loads((bundle / "yt2doc-shards.json").read_text())
    assert manifest["shards"] == ["", "shard-2/", "shard-3/", "shard-4/"]
    for shard in manifest["shards"]:
        stamp = json.loads((bundle / shard / "yt2doc-build.json").read_text())
        assert stamp["build"] == manifest["build"]
        assert (bundle / shard / "pagefind-entry.json").is_file()
    one = json.loads((project.parent / "served" / "one" / "pagefind" / "yt2doc-shards.json")
                     .read_text())  # fmt: skip
    assert one["shards"] == [""]


@needs_chromium
def test_a_phrase_from_each_shard_opens_its_moment(sites: tuple[Path, str, str], page: Any) -> None:
    project, local, _ = sites
    seen = Seen(page, local.rsplit("/", 1)[0])
    page.goto(f"{local}/talks/search/", wait_until="load")
    for slug in TALKS:
        phrase, second = _phrase(project, slug)
        results = _search(page, phrase)
        # found: its talk among the results, the hit on its paragraph (the ranking across
        # shards: the next test)
        hrefs = [h["href"] for r in results for h in r["hits"]]
        assert f"/archive/talks/{slug}/#t={second}" in hrefs, (slug, phrase, hrefs)
    shards = {u.split("/pagefind/")[1].split("/")[0] for u in seen.requests if "/pagefind/" in u}
    assert {"shard-2", "shard-3", "shard-4"} <= shards  # every shard was read
    # the hit opens the player at its second
    page.goto(f"{local}/talks/search/", wait_until="load")
    phrase, second = _phrase(project, TALKS[2])
    _search(page, phrase)
    page.locator(f".yt2doc-hit a[href$='#t={second}']").first.click()
    page.wait_for_url(f"**/talks/{TALKS[2]}/#t={second}")
    page.wait_for_function(
        "s => { const m = document.querySelector('.yt2doc-media');"
        " return m && Math.abs(m.currentTime - s) <= 1; }",
        arg=second,
    )
    assert seen.outside == [] and seen.errors == [], seen.as_dict()


@needs_chromium
def test_merged_shards_rank_as_one_index(sites: tuple[Path, str, str], page: Any) -> None:
    """The same top hit as one index of the same site, for a phrase of each talk."""
    project, local, one = sites
    tops = {}
    for site in (local, one):
        page.goto(f"{site}/talks/search/", wait_until="load")
        for slug in TALKS:
            phrase, _ = _phrase(project, slug)
            tops.setdefault(phrase, []).append(_search(page, phrase)[0]["title"])
    assert all(sharded == single for sharded, single in tops.values()), tops


@needs_chromium
def test_pages_outside_the_search_page_fetch_no_index(
    sites: tuple[Path, str, str], page: Any
) -> None:
    project, local, _ = sites
    seen = Seen(page, local.rsplit("/", 1)[0])
    scripts = {}  # each page's own scripts: the player's on a talk's page only
    for path in ("", "talks/", f"talks/{TALKS[0]}/", "talks/speakers/", "talks/events/"):
        before = len(seen.requests)
        page.goto(f"{local}/{path}", wait_until="load")
        page.wait_for_timeout(500)  # (what its scripts fetch once loaded)
        names = [u.rsplit("/", 1)[-1] for u in seen.requests[before:]]
        scripts[path] = sorted(n for n in names if n.startswith("yt2doc") and n.endswith(".js"))
    assert not [u for u in seen.requests if "/pagefind/" in u], seen.requests
    site, talk = ["yt2doc-site.js"], ["yt2doc-site.js", "yt2doc.js"]
    assert scripts == {"": site, "talks/": site, f"talks/{TALKS[0]}/": talk,
                       "talks/speakers/": site, "talks/events/": site}, scripts  # fmt: skip
    # Material's own index, which its script fetches on every page: the site's pages only
    theme = [u for u in seen.requests if u.endswith("search_index.json")]
    docs = json.loads((project.parent / "served" / "archive" / "search" / "search_index.json")
                      .read_text())["docs"]  # fmt: skip
    assert not [d for d in docs if d["location"].startswith("talks/")], (theme, docs)


@needs_chromium
def test_shards_of_two_builds_are_reported(sites: tuple[Path, str, str], page: Any) -> None:
    project, local, _ = sites
    served = project.parent / "served"
    partial = served / "partial"
    shutil.copytree(served / "archive", partial)
    (partial / "pagefind" / "shard-2" / "yt2doc-build.json").write_text('{"build": "older"}')
    page.goto(f"{local.rsplit('/', 1)[0]}/partial/talks/search/?q=telescope", wait_until="load")
    page.wait_for_selector(".yt2doc-search[data-failed=shards]")
    status = page.inner_text(".yt2doc-search-status")
    assert "shard-2/" in status and "deployed" in status, status
    assert _results(page) == []


# -- faults ---------------------------------------------------------------------------------

REAL = Path(__import__("pagefind_bin").__file__).parent / "pagefind"
TWO = {"talks": [
    {"url": "https://example.org/a.mp3", "title": "First talk", "speakers": ["Ada"]},
    {"url": "https://example.org/b.mp3", "title": "Second talk", "speakers": ["Bo"]},
]}  # fmt: skip


@pytest.mark.reliability("fault", 1)
def test_a_failing_shard_fails_the_whole_index(
    tmp_path: Path, plugin_log: PluginLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second shard's binary fails: no index is left, and the warning names the shard."""
    config = write_site(tmp_path / "p", TWO, transcribe="never", search_shard_talks=1)
    count, wrapper = tmp_path / "launches", tmp_path / "pagefind"
    wrapper.write_text(
        f"#!/bin/sh\necho x >> {count}\n"
        f'[ "$(wc -l < {count})" -ge 2 ] && {{ echo "error: disk full" >&2; exit 3; }}\n'
        f'exec {REAL} "$@"\n'
    )
    wrapper.chmod(0o755)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(wrapper))
    build_site(config)
    [warning] = [w for w in plugin_log.warnings if "search index" in w]
    assert "shard 2" in warning and "no index was written" in warning, warning
    assert "exit status 3" in warning and "disk full" in warning, warning
    assert not (tmp_path / "p" / "site" / "pagefind").exists()  # not half an index


def _memory_cgroup(tmp_path: Path, limit: int) -> tuple[Path, str]:
    """A memory cgroup (v2, else v1) holding at most `limit` bytes, and how to join it."""
    v2 = Path("/sys/fs/cgroup/cgroup.controllers")
    if v2.is_file() and "memory" in v2.read_text():
        group = Path("/sys/fs/cgroup") / f"yt2doc-test-{os.getpid()}"
        group.mkdir()
        (group / "memory.max").write_text(str(limit))
        (group / "memory.swap.max").write_text("0")
    else:
        group = Path("/sys/fs/cgroup/memory") / f"yt2doc-test-{os.getpid()}"
        group.mkdir()
        (group / "memory.limit_in_bytes").write_text(str(limit))
        swap = group / "memory.memsw.limit_in_bytes"  # (else its pages go to swap)
        if swap.exists():
            swap.write_text(str(limit))
    return group, f"echo $$ > {group}/cgroup.procs"


@pytest.mark.reliability("fault", 1)
def test_pagefind_killed_for_memory_is_reported(
    tmp_path: Path, plugin_log: PluginLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The kernel kills the binary (SIGKILL) at the cgroup's limit: the warning says it was
    killed, at what peak, and which option bounds it."""
    config = write_site(tmp_path / "p", TWO, transcribe="never")
    group, join = _memory_cgroup(tmp_path, 6 * 2**20)
    wrapper = tmp_path / "pagefind"
    wrapper.write_text(f'#!/bin/sh\n{join}\nexec {REAL} "$@"\n')
    wrapper.chmod(0o755)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(wrapper))
    try:
        build_site(config)
    finally:
        group.rmdir()
    [warning] = [w for w in plugin_log.warnings if "search index" in w]
    assert "killed (SIGKILL)" in warning and "out of memory" in warning, warning
    assert "search_shard_talks" in warning and "--shard-talks" in warning, warning
    peak = float(warning.split("resident peak of ")[1].split(" MiB")[0])
    assert 1 <= peak <= 64, warning  # what the binary reached (its RSS, near the limit)
    assert "\n" not in warning and "Traceback" not in warning
