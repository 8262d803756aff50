"""Talks' Pagefind fragments made small (`search_fragments.py`), on the example site's real
index: each talk's fragment loses its text, which goes into parts of whole paragraphs, and
put back together the parts are Pagefind's own text, word for word at its positions. (The
search page's excerpts from the parts: tests/test_search.py, in chromium.)"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from mkdocs_yt2doc.archive import search_index
from mkdocs_yt2doc.archive.search_fragments import (
    FragmentError,
    common_words,
    compact,
    part_bounds,
    read,
    split_words,
)
from mkdocs_yt2doc.archive.search_shards import build_index
from tests.conftest import build_site
from tests.test_search import EXAMPLE


def _span(location: int, second: int) -> dict[str, object]:
    return {"element": "span", "id": f"t{second}", "text": "", "location": location}


def test_parts_are_whole_paragraphs() -> None:
    anchors = [_span(3, 0), _span(203, 60), _span(503, 120), _span(1703, 180), _span(1800, 240)]
    anchors.append({"element": "h2", "id": "x", "text": "A chapter", "location": 503})
    # the title and names (words 0-2) go with the first paragraphs, as many as fit; a
    # paragraph longer than a part is one of its own; every part starts where one does
    assert part_bounds(["w"] * 1900, anchors) == [(0, 503), (503, 1703), (1703, 1900)]
    assert part_bounds(["w"] * 10, []) == [(0, 10)]  # no paragraphs: one part
    assert part_bounds([], "garbage") == [(0, 0)]


def test_words_are_split_as_pagefind_splits_them() -> None:
    assert split_words("a b\u00a0c\u2003d\n e") == (["a", "b", "c", "d", "e"], " ")
    assert split_words("这\u200b是") == (["这", "是"], "")


@pytest.fixture(scope="module")
def indexes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    """The example site built (its fragments made small), and the same site indexed by
    Pagefind with its fragments left as Pagefind wrote them."""
    root = tmp_path_factory.mktemp("fragments")
    project = root / "example"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns("site"))
    with pytest.MonkeyPatch.context() as env:
        env.setenv("YT2DOC_TRANSCRIBE", "never")
        build_site(project / "mkdocs.yml", strict=True)
        whole = root / "whole"
        shutil.copytree(project / "site", whole)
        env.setattr(search_index, "compact", lambda bundle, site: Counter())
        build_index(whole)
    yield project / "site", whole


def test_talks_fragments_lose_their_text_to_parts(indexes: tuple[Path, Path]) -> None:
    site, whole = indexes
    made = {read(f)["url"]: (f, read(f)) for f in (site / "pagefind" / "fragment").iterdir()}
    pagefinds = {read(f)["url"]: read(f) for f in (whole / "pagefind" / "fragment").iterdir()}
    assert set(made) == set(pagefinds) and len(made) == 4
    for url, (file, small) in made.items():
        original = pagefinds[url]
        text = small.pop("yt2doc_text")
        assert small.pop("content") == ""
        # all else as Pagefind wrote it: filters, metadata, anchors (chapters, paragraphs)
        assert small == {k: v for k, v in original.items() if k != "content"}, url
        words, joiner = split_words(original["content"])
        assert joiner == text["joiner"] == " "
        paragraphs = {a["location"] for a in original["anchors"] if a["element"] == "span"}
        joined: list[str] = []
        for start, name in text["parts"]:
            assert start == len(joined) and (start == 0 or start in paragraphs), (url, start)
            piece = read(site / name)
            assert piece["from"] == start
            joined += piece["words"]
            assert (site / name).stat().st_size < 3 * 1024  # what a hit fetches
        assert joined == words, url  # Pagefind's text, at Pagefind's positions
        assert file.stat().st_size < 2 * 1024  # (was the whole talk)


@pytest.mark.reliability("input", 1)
def test_a_fragment_that_is_not_pagefinds_is_named(tmp_path: Path) -> None:
    bundle = tmp_path / "site" / "pagefind"
    (bundle / "fragment").mkdir(parents=True)
    (bundle / "fragment" / "en_1234567.pf_fragment").write_bytes(b"not gzip at all")
    with pytest.raises(FragmentError, match=r"en_1234567\.pf_fragment is not a fragment"):
        compact(bundle, tmp_path / "site")


def test_common_words_each_fill_a_chunk_in_every_shard(indexes: tuple[Path, Path]) -> None:
    said = Counter({"the": 45_000, "can": 39_999, "rare": 3})
    assert common_words(said, 2) == ["the"]  # 20,000 positions a chunk, in each of 2 shards
    assert common_words(said, 1) == ["can", "the"]
    site, _ = indexes
    manifest = json.loads((site / "pagefind" / "yt2doc-shards.json").read_text())
    assert manifest["common"] == []  # four short talks: no word fills a chunk
