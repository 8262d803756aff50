"""A build of cached talks reads each talk's stage files once: the pipeline reads what the
cache holds for a talk into one `Cached` record and hands it down the stages."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml
from mkdocs.commands.build import build
from mkdocs.config import load_config

from mkdocs_yt2doc.cache import store as store_module
from mkdocs_yt2doc.cache.store import DOCUMENT, MEDIA, PARAGRAPHS, TOPICS, TRANSCRIPT

ROOT = Path(__file__).resolve().parent.parent
STAGE_FILES = {MEDIA, TRANSCRIPT, PARAGRAPHS, TOPICS, DOCUMENT}


def counted_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, edit: Any = None
) -> Counter[tuple[str, str]]:
    """Build a copy of the example site (transcribe: never); the stage files read, by
    (talk folder, file name)."""
    site = tmp_path / "site-src"
    shutil.copytree(ROOT / "example-site", site, ignore=shutil.ignore_patterns("site"))
    if edit:
        edit(site)
    monkeypatch.setenv("YT2DOC_TRANSCRIBE", "never")
    reads: Counter[tuple[str, str]] = Counter()
    real = store_module.read_json

    def counting(path: Path) -> dict[str, Any] | None:
        if path.name in STAGE_FILES:
            reads[(path.parent.name, path.name)] += 1
        return real(path)

    monkeypatch.setattr(store_module, "read_json", counting)
    config = load_config(str(site / "mkdocs.yml"))
    config["site_dir"] = str(tmp_path / "built")
    build(config)
    assert (tmp_path / "built" / "index.html").exists()
    return reads


def test_a_cached_build_reads_each_stage_file_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads = counted_build(tmp_path, monkeypatch)
    talks = {folder for folder, _ in reads}
    listed = yaml.safe_load((ROOT / "example-site" / "talks.yml").read_text(encoding="utf-8"))
    assert len(talks) == len(listed["talks"]) == 4
    for talk in talks:  # each talk's media and document, nothing it does not need
        assert reads[(talk, MEDIA)] == 1
        assert reads[(talk, DOCUMENT)] == 1
    twice = {k: n for k, n in reads.items() if n > 1}
    assert not twice, f"read more than once: {twice}"


def test_a_document_rebuilt_from_the_cache_reads_each_file_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Changed chapters in talks.yml: the document is rebuilt from the stored transcript and
    paragraphs, each read once, the stale document too."""

    def new_chapters(site: Path) -> None:
        talks_file = site / "talks.yml"
        data = yaml.safe_load(talks_file.read_text(encoding="utf-8"))
        data["talks"][0]["chapters"][1]["title"] = "Folding the dough"
        talks_file.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")

    reads = counted_build(tmp_path, monkeypatch, new_chapters)
    rebuilt = [folder for folder, name in reads if name == PARAGRAPHS]
    assert len(rebuilt) == 1 and "sourdough" in rebuilt[0]
    assert reads[(rebuilt[0], TRANSCRIPT)] == 1
    twice = {k: n for k, n in reads.items() if n > 1}
    assert not twice, f"read more than once: {twice}"
    page = next((tmp_path / "built").rglob("sourdough-at-home/index.html"))
    assert "Folding the dough" in page.read_text(encoding="utf-8")
