"""`render` and the plugin's options against a hostile repository: a nav title with markup, an
output folder that is a symlink or someone else's folder, a manifest that claims a user's own
files, a junk or deeply nested manifest. Each as a stranger's pull request would send it, on
the example site (tests/test_render.py), built for real. Whatever the case: no file beside the
project changes, no user file is replaced or removed, the message names the file, and it is
done in seconds.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from mkdocs.exceptions import MkDocsException

from mkdocs_yt2doc.archive.output import MANIFEST
from mkdocs_yt2doc.util.json_bounds import check_depth
from tests.browser import Seen, serve
from tests.conftest import PluginLog, build_site
from tests.test_hostile_repo import CANARY, _digest, _outside
from tests.test_render import ENV, _project, render

XSS = "Talks <img src=x onerror=alert(document.domain)>"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _plugin_option(config: Path, line: str) -> None:
    """One more option in the yt2doc entry of a mkdocs.yml."""
    text = config.read_text()
    config.write_text(text.replace("  - yt2doc:\n", f"  - yt2doc:\n      {line}\n", 1))


def _drop_a_talk(project: Path) -> None:
    talks = yaml.safe_load((project / "talks.yml").read_text())
    talks["talks"] = [t for t in talks["talks"] if t["title"] != "Small telescopes"]
    (project / "talks.yml").write_text(yaml.safe_dump(talks, sort_keys=False))


def _forge(folder: Path, *paths: str) -> None:
    """A manifest as a pull request could commit it: the given files, with their checksums."""
    value = json.loads((folder / MANIFEST).read_text()) if (folder / MANIFEST).exists() else {}
    files = {f["path"]: f["sha256"] for f in value.get("files", [])}
    files.update({p: _sha(folder / p) for p in paths})
    entries = [{"path": p, "sha256": files[p]} for p in sorted(files)]
    (folder / MANIFEST).write_text(json.dumps({"format": 1, "generator": "x", "files": entries}))


def _timed(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    started = time.monotonic()
    result = render(project, *args)
    assert time.monotonic() - started < 30, args
    assert "Traceback" not in result.stderr, result.stderr
    return result


# -- 1. the nav title ----------------------------------------------------------------------


def _no_dialog(browser: Any, site: Path, paths: list[str]) -> None:
    """Every page shows the title as text, and none runs it."""
    with serve(site) as base:
        page = browser.new_page()
        seen = Seen(page, base)
        try:
            for path in paths:
                page.goto(f"{base}/{path}")
                page.wait_for_load_state("load")
                assert page.locator("img[src='x']").count() == 0, path
                nav = page.locator("nav.md-nav--primary").first.text_content() or ""
                assert XSS in nav, path
            page.wait_for_timeout(200)
        finally:
            page.close()
    assert seen.dialogs == [], seen.dialogs


@pytest.mark.reliability("hostile", 3)
def test_a_nav_title_with_markup_stays_text(tmp_path: Path, browser: Any) -> None:
    """In the plugin's nav (MkDocs + Material, ProperDocs) and in the nav render writes."""
    project = _project(tmp_path)
    plugin = project / "plugin.yml"
    _plugin_option(plugin, f"nav_title: {json.dumps(XSS)}")
    pages = ["", "talks/", "talks/small-telescopes/", "talks/speakers/"]
    build_site(plugin)
    _no_dialog(browser, project / "site-plugin", pages)
    html = (project / "site-plugin" / "index.html").read_text()
    assert "<img src=x" not in html and "&lt;img src=x" in html
    if _has("properdocs"):
        (project / "properdocs.yml").write_text(
            plugin.read_text().replace("site-plugin", "site-properdocs")
        )
        subprocess.run(
            [sys.executable, "-m", "properdocs", "build", "-f", "properdocs.yml"],
            cwd=project, env=ENV, check=True, capture_output=True, timeout=300,
        )  # fmt: skip
        _no_dialog(browser, project / "site-properdocs", pages)
    # render: the nav it writes for other generators, pasted into mkdocs.yml as it says
    options = project / "yt2doc.yml"
    options.write_text(options.read_text() + f"nav_title: {json.dumps(XSS)}\n")
    assert _timed(project).returncode == 0
    nav = yaml.safe_load((project / "docs" / "talks" / ".yt2doc-nav.yml").read_text())
    config = project / "mkdocs.yml"
    config.write_text(config.read_text() + yaml.safe_dump({"nav": ["index.md", *nav]}))
    build_site(config)
    _no_dialog(browser, project / "site", pages)


def _has(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


@pytest.mark.reliability("hostile", 2)
def test_an_output_dir_with_markup_is_refused(tmp_path: Path, plugin_log: PluginLog) -> None:
    project = _project(tmp_path)
    bad = 'talks"><img src=x onerror=alert(1)>'
    _plugin_option(project / "plugin.yml", f"output_dir: {json.dumps(bad)}")
    with pytest.raises(MkDocsException):
        build_site(project / "plugin.yml")
    assert any("output_dir 'talks\"><img" in e and "must be folder names" in e
               for e in plugin_log.errors), plugin_log.errors  # fmt: skip
    options = project / "yt2doc.yml"
    options.write_text(options.read_text() + f"output_dir: {json.dumps(bad)}\n")
    result = _timed(project)
    assert result.returncode == 2 and "must be folder names" in result.stderr
    assert not any("img" in p.name for p in (project / "docs").rglob("*"))


# -- 2. the output folder ------------------------------------------------------------------


@pytest.mark.reliability("hostile", 6)
def test_render_writes_through_no_symlink_nor_into_folders_it_must_leave(tmp_path: Path) -> None:
    project = _project(tmp_path)
    outside = _outside(tmp_path)
    media = project / "media"
    (project / ".git").mkdir()
    (project / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    # docs/talks -> ../media, with a manifest there claiming a recording
    recording = next(p.name for p in media.iterdir() if p.is_file())
    _forge(media, recording)
    beside, before = _digest(outside), _digest(project, skip=("site",))
    for target, message in [
        ("../media", "docs/talks is a symlink: render writes through none"),
        ("../.git", "docs/talks is a symlink: render writes through none"),
        (str(outside), "docs/talks is a symlink: render writes through none"),
    ]:
        (project / "docs" / "talks").unlink(missing_ok=True)
        (project / "docs" / "talks").symlink_to(target)
        result = _timed(project)
        assert result.returncode == 2 and message in result.stderr, result.stderr
        assert _digest(outside) == beside
        assert _digest(project, skip=("site",)) == {**before, "docs/talks": f"-> {target}"}
    (project / "docs" / "talks").unlink()
    # a symlink higher up, and folders render must leave alone
    (project / "linked").symlink_to(outside)
    for out, message in [
        ("linked/talks", "linked is a symlink: render writes through none"),
        (".git/talks", ".git is git's folder"),
        (".yt2doc/talks", "lies inside the cache folder"),
        ("corrections", "is, holds or lies inside the corrections folder"),
        ("site/talks", "lies inside the site folder"),
        ("docs", "docs/index.md is not a file render wrote, and docs is not a folder"),
    ]:
        result = _timed(project, "--out", out)
        assert result.returncode == 2 and message in result.stderr, (out, result.stderr)
        assert _digest(outside) == beside, out
        assert _digest(project, skip=("site", "linked")) == before, out
    assert not (project / "site").exists()


# -- 3. what render may replace or remove --------------------------------------------------


@pytest.mark.reliability("hostile", 4)
def test_a_forged_manifest_claims_no_user_file(tmp_path: Path) -> None:
    project = _project(tmp_path)
    assert _timed(project).returncode == 0
    talks = project / "docs" / "talks"
    notes = talks / "notes.md"
    notes.write_text("# My notes\n")
    _forge(talks, "notes.md")
    _drop_a_talk(project)
    result = _timed(project)  # the record knows what render wrote: its files go, not notes.md
    assert result.returncode == 0, result.stderr
    assert notes.read_text() == "# My notes\n"
    assert not (talks / "small-telescopes").exists()
    assert "notes.md" in result.stderr and "no record of writing" in result.stderr
    # a fresh clone: the committed manifest and pages, a record written for another copy
    clone = tmp_path / "clone"
    shutil.copytree(project, clone, symlinks=True)
    _forge(clone / "docs" / "talks", "notes.md")
    talks = yaml.safe_load((project / "talks.yml").read_text())
    talks["talks"].pop(0)  # a render that would remove this talk's files, with a record
    (clone / "talks.yml").write_text(yaml.safe_dump(talks, sort_keys=False))
    before = _digest(clone / "docs")
    result = _timed(clone)
    assert result.returncode == 0, result.stderr
    after = _digest(clone / "docs")
    assert set(before) <= set(after)  # nothing removed
    changed = [p for p in before if before[p] != after[p]]
    # nothing replaced but the manifest (the index differs, and is left and named)
    assert changed == [f"talks/{MANIFEST}"], changed
    assert "0 removed" in result.stdout
    assert "docs/talks/notes.md" in result.stderr and "docs/talks/index.md," in result.stderr
    assert (
        "docs/talks/sourdough-at-home/index.md" in result.stderr
    )  # the dropped talk's files, named


@pytest.mark.reliability("hostile", 3)
def test_an_output_dir_beside_the_users_own_pages(tmp_path: Path) -> None:
    project = _project(tmp_path)
    options = project / "yt2doc.yml"
    options.write_text(options.read_text() + "output_dir: guide\n")
    guide = project / "docs" / "guide"
    guide.mkdir()
    (guide / "index.md").write_text("# Guide\n")
    (guide / "setup.md").write_text("# Setup\n")
    before = _digest(project, skip=("site",))
    result = _timed(project)  # someone else's folder: refused before anything is written
    assert result.returncode == 2
    assert "docs/guide/index.md is not a file render wrote" in result.stderr
    assert _digest(project, skip=("site",)) == before
    _forge(guide, "index.md", "setup.md")  # a manifest claiming both
    result = _timed(project)
    assert result.returncode == 0, result.stderr
    assert (guide / "index.md").read_text() == "# Guide\n"
    assert (guide / "setup.md").read_text() == "# Setup\n"
    assert (
        "docs/guide" in result.stderr
        and "docs/guide/index.md, docs/guide/setup.md" in result.stderr
    )
    assert (guide / "small-telescopes" / "index.md").is_file()  # the rest is written


@pytest.mark.reliability("hostile", 3)
def test_the_record_is_git_ignored_and_tied_to_its_folder(tmp_path: Path) -> None:
    project = _project(tmp_path)
    cache = project / ".yt2doc"
    (cache / ".gitignore").write_text("# an older cache\n/.lock\n*.tmp")  # no record line
    assert _timed(project).returncode == 0
    [record] = cache.glob("rendered-*.json")
    value = json.loads(record.read_text())
    assert value["folder"] == "docs/talks" and "index.md" in value["files"]
    assert (cache / ".gitignore").read_text().endswith("*.tmp\n/rendered-*.json\n")
    if shutil.which("git"):
        subprocess.run(["git", "init", "-q"], cwd=project, check=True)
        ignored = subprocess.run(["git", "check-ignore", "-q", str(record)], cwd=project)
        assert ignored.returncode == 0
    # a record claiming a user's file, for this very folder: its inode does not match
    notes = project / "docs" / "talks" / "notes.md"
    notes.write_text("# Mine\n")
    forged = {**value, "inode": value["inode"] + 1}
    forged["files"] = {**value["files"], "notes.md": _sha(notes)}
    record.write_text(json.dumps(forged))
    _forge(notes.parent, "notes.md")
    result = _timed(project)
    assert result.returncode == 0 and notes.read_text() == "# Mine\n"
    # with the right inode, paths that climb out are not render's either
    outside = _outside(tmp_path)
    beside = _digest(outside)
    victim = outside / "secret.txt"
    climbing = {**value, "files": {**value["files"], "../../../outside/secret.txt": _sha(victim)}}
    record.write_text(json.dumps(climbing))
    _drop_a_talk(project)
    assert _timed(project).returncode == 0
    assert _digest(outside) == beside
    # junk or deep: said, and nothing is removed
    talks = (project / "talks.yml").read_text()
    for junk in ("{ junk", "[" * 100_000):
        record.write_text(junk)
        (project / "talks.yml").write_text(talks.replace("Bicycles in the city", "Other"))
        result = _timed(project)
        assert result.returncode == 0 and str(record.name) in result.stderr, result.stderr
        assert (project / "docs" / "talks" / "bicycles-in-the-city" / "index.md").is_file()
        assert notes.read_text() == "# Mine\n"


# -- 4 and 5. a junk manifest, in a plugin build and in render -----------------------------


@pytest.mark.reliability("hostile", 4)
@pytest.mark.parametrize("junk", ["{ junk", "[" * 100_000, "symlink"])
def test_a_junk_manifest_is_named_and_the_archive_still_built(
    tmp_path: Path, junk: str, plugin_log: PluginLog, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="mkdocs")
    project = _project(tmp_path)
    outside = _outside(tmp_path)
    beside = _digest(outside)
    manifest = project / "docs-plugin" / "talks" / MANIFEST
    manifest.parent.mkdir()
    if junk == "symlink":
        manifest.symlink_to(outside / "secret.txt")
    else:
        manifest.write_text(junk)
    started = time.monotonic()
    build_site(project / "plugin.yml")
    assert time.monotonic() - started < 60
    said = "\n".join(plugin_log.warnings)
    assert f"docs-plugin/talks/{MANIFEST}" in said and "builds the archive itself" in said
    assert "Traceback" not in said
    site = project / "site-plugin" / "talks"
    assert (site / "small-telescopes" / "index.html").is_file()
    assert all(CANARY.encode() not in p.read_bytes() for p in site.rglob("*") if p.is_file())
    assert _digest(outside) == beside
    # render refuses it, naming the file, on one line
    target = project / "docs" / "talks" / MANIFEST
    target.parent.mkdir()
    shutil.copy(manifest, target, follow_symlinks=False)
    result = _timed(project)
    assert result.returncode == 2
    [line] = result.stderr.splitlines()
    assert f"docs/talks/{MANIFEST}" in line
    if junk.startswith("["):
        assert "nested deeper than 64 levels (line 1)" in line


def test_check_depth_counts_brackets_outside_strings_only() -> None:
    check_depth(json.dumps({"a": "[" * 1000 + '\\"' + "{" * 1000}))
    check_depth("[" * 64 + "]" * 64)
    check_depth('"' + "[" * 100)  # an unterminated string: the parser says so
    for text in ("[" * 65, '{"a": ' * 65, '["\\\\", ' + "[" * 64):
        with pytest.raises(ValueError, match="nested deeper than 64 levels"):
            check_depth(text)
    with pytest.raises(ValueError, match=r"\(line 3\)"):
        check_depth("[\n[\n" + "[" * 10, limit=5)
    started = time.monotonic()
    check_depth('"\\"' * 500_000 + "[" * 10)  # escaped quotes: one look at each
    check_depth(json.dumps([{"path": "a" * 40, "sha256": "0" * 64}] * 100_000))
    assert time.monotonic() - started < 5
