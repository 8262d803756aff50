"""`mkdocs-yt2doc render`: the archive as ordinary files in docs_dir, built without the plugin.

The site is the example site (three local recordings with committed transcripts) plus a
YouTube and a Vimeo talk whose cache the test writes. Its mkdocs.yml has no yt2doc plugin: the
options are in yt2doc.yml, and `render` writes docs/talks/, which a plain `mkdocs build` (no
attr_list either) turns into the site. `plugin.yml` is the same site built by the plugin.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from mkdocs_yt2doc.archive.output import MANIFEST
from mkdocs_yt2doc.cli import main
from tests.conftest import PluginLog, build_site, copy_clip, write_site
from tests.htmlpage import read_page
from tests.test_player import EXAMPLE, _hosted_talks

TALKS = ["sourdough-at-home", "bicycles-in-the-city", "small-telescopes",
         "rain-gardens-for-small-yards", "sourdough-on-youtube", "sourdough-on-vimeo"]  # fmt: skip
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "YT2DOC_TRANSCRIBE": "never"}


@pytest.fixture(autouse=True)
def _never(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YT2DOC_TRANSCRIBE", "never")  # render what is cached, as CI does


def _project(tmp_path: Path) -> Path:
    """The example site split in a plain mkdocs.yml, a yt2doc.yml and a plugin.yml."""
    project = tmp_path / "example"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns("site"))
    _hosted_talks(project)
    text = (project / "mkdocs.yml").read_text()
    plain, options = text.split("  - yt2doc:\n")
    (project / "mkdocs.yml").write_text(plain)
    (project / "yt2doc.yml").write_text(
        "\n".join(line.removeprefix("      ") for line in options.splitlines()) + "\n"
    )
    shutil.copytree(project / "docs", project / "docs-plugin")
    plugin = text.replace("plugins:\n", "docs_dir: docs-plugin\nsite_dir: site-plugin\nplugins:\n")
    (project / "plugin.yml").write_text(plugin)
    return project


def render(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The command as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "mkdocs_yt2doc.cli", "render", *args],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
        env=ENV,
    )


def _tree(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {
        p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Rendered, then built by plain MkDocs (strict), and built by the plugin."""
    project = _project(tmp_path_factory.mktemp("render"))
    with pytest.MonkeyPatch.context() as env:
        env.setenv("YT2DOC_TRANSCRIBE", "never")
        assert main(["render", "-f", str(project / "mkdocs.yml")]) == 0
        build_site(project / "mkdocs.yml", strict=True)
        build_site(project / "plugin.yml", strict=True)
    return project


def test_render_writes_pages_a_plain_build_turns_into_the_archive(built: Path) -> None:
    docs = built / "docs" / "talks"
    # each page in the folder of its URL, beside its downloads
    pages = sorted(p.relative_to(docs).as_posix() for p in docs.rglob("*.md"))
    facets = [p for p in pages if p.count("/") == 2]  # a page per event, speaker and tag
    assert facets and all(p.startswith(("events/", "speakers/", "tags/")) for p in facets)
    assert [p for p in pages if p not in facets] == sorted(
        [f"{t}/index.md" for t in [*TALKS, "events", "speakers", "tags", "search"]] + ["index.md"]
    )
    site = built / "site" / "talks"
    for slug in TALKS:
        assert (site / slug / "index.html").is_file()
    page = read_page(site / "small-telescopes" / "index.html")
    # chapter ids without attr_list (the site has none): raw HTML headings
    chapters = [(h[1], h[2]) for h in page.headings if h[0] == "h2"]
    assert chapters == [("cheap-telescope", "Cheap telescope"), ("full-moon", "Full moon"),
                        ("light-upward", "Light upward")]  # fmt: skip
    assert all(a.href[1:] in page.ids for a in page.contents if a.href.startswith("#"))
    html = (site / "small-telescopes" / "index.html").read_text()
    assert "{#" not in html and "{: " not in html
    # the player's script and styles, referenced from the page, relative, and present
    assert "../assets/yt2doc.js" in page.scripts
    assert '<link rel="stylesheet" href="../assets/yt2doc.css">' in html
    for name in ("yt2doc.js", "yt2doc.css"):
        assert (site / "assets" / name).read_bytes() == (
            Path(__file__).parent.parent / "mkdocs_yt2doc" / "assets" / name
        ).read_bytes()
    # downloads and the local recording, next to the page
    folder = site / "small-telescopes"
    downloads = {a.text: a.href for a in page.links if "download" in a.attrs}
    assert set(downloads) == {"SRT", "WebVTT", "JSON", "Text"}
    assert all((folder / href).is_file() for href in downloads.values())
    assert (folder / "small-telescopes.opus").is_file()
    assert (folder / "small-telescopes.chapters.vtt").is_file()
    assert page.paragraphs[1].link is not None
    assert page.paragraphs[1].link.href == "small-telescopes.opus#t=39"
    # JSON-LD in the body; Open Graph in the front matter (for a theme override to print)
    youtube = (site / "sourdough-on-youtube" / "index.html").read_text()
    data = youtube.split('<script type="application/ld+json">')[1].split("</script>")[0]
    assert json.loads(data)[0]["embedUrl"].endswith("/embed/Yt2DocTest1")
    assert (site / "sourdough-on-youtube" / "thumbnail.png").is_file()
    front = yaml.safe_load((docs / "sourdough-on-youtube" / "index.md").read_text().split("---")[1])
    assert front["og"]["type"] == "video.other" and front["og"]["title"] == "Sourdough on YouTube"
    # the nav snippet lists the pages in talks.yml order
    nav = yaml.safe_load((docs / ".yt2doc-nav.yml").read_text())
    assert nav[0]["Talks"][:5] == ["talks/index.md", "talks/events/index.md",
                                   "talks/speakers/index.md", "talks/tags/index.md",
                                   "talks/search/index.md"]  # fmt: skip
    assert nav[0]["Talks"][5:] == [f"talks/{t}/index.md" for t in TALKS]


def _visible(page_html: Path) -> tuple[object, ...]:
    page = read_page(page_html)
    return (
        [(p.id, p.text, p.link.href if p.link else None) for p in page.paragraphs],
        # (Zensical's default toc adds a ¶ permalink to each heading)
        [(h[0], h[1], h[2].removesuffix("¶")) for h in page.headings if h[0] in ("h1", "h2")],
        [(a.href, a.text) for a in page.contents],
    )


def test_plugin_and_render_builds_show_the_same_archive(built: Path) -> None:
    for slug in TALKS:
        rendered = _visible(built / "site" / "talks" / slug / "index.html")
        plugin = _visible(built / "site-plugin" / "talks" / slug / "index.html")
        assert rendered == plugin, slug
        assert rendered[0], slug  # paragraphs were compared
    for name in ("speakers", "events", "tags"):

        def names(site: str, name: str = name) -> list[str]:  # the index's links, by name
            html = (built / site / "talks" / name / "index.html").read_text()
            return re.findall(r'<li id="[^"]+"><a href="([^"]+)">', html)

        assert names("site") and names("site") == names("site-plugin")
    # the plugin's build keeps chapters in Material's table of contents (attr_list)
    toc = (built / "site-plugin" / "talks" / "small-telescopes" / "index.html").read_text()
    assert 'href="#full-moon"' in toc.split("md-nav--secondary")[1]
    # and prints Open Graph tags in the <head>
    head = toc.split("</head>")[0]
    assert '<meta property="og:type" content="video.other">' in head


def test_rerender_of_an_unchanged_archive_changes_no_byte(tmp_path: Path) -> None:
    project = _project(tmp_path)
    first = render(project)
    assert first.returncode == 0, first.stderr
    assert "6 talks rendered into docs/talks/" in first.stdout
    before = _tree(project / "docs")
    folders = {p: p.stat().st_mtime_ns for p in (project / "docs").rglob("*") if p.is_dir()}
    again = render(project)
    assert again.returncode == 0, again.stderr
    assert "0 files written" in again.stdout and "(nothing to do)" in again.stdout
    assert _tree(project / "docs") == before  # bytes and modification times
    assert {p: p.stat().st_mtime_ns for p in folders} == folders  # nothing even created
    manifest = json.loads((project / "docs" / "talks" / MANIFEST).read_text())
    assert manifest["format"] == 1 and manifest["generator"].startswith("mkdocs-yt2doc ")
    paths = [f["path"] for f in manifest["files"]]
    assert paths == sorted(paths) and "index.md" in paths and MANIFEST not in paths
    on_disk = {p for p in before if p.startswith("talks/")} - {f"talks/{MANIFEST}"}
    assert {f"talks/{p}" for p in paths} == on_disk


def test_a_dropped_talk_loses_exactly_its_files(tmp_path: Path) -> None:
    project = _project(tmp_path)
    assert render(project).returncode == 0
    (project / "docs" / "notes.md").write_text("# My notes\n")  # the user's own page
    talks = yaml.safe_load((project / "talks.yml").read_text())
    talks["talks"] = [t for t in talks["talks"] if t["title"] != "Small telescopes"]
    (project / "talks.yml").write_text(yaml.safe_dump(talks, sort_keys=False))
    before = _tree(project / "docs")
    result = render(project)
    assert result.returncode == 0, result.stderr
    after = _tree(project / "docs")
    gone = set(before) - set(after)
    # its own files, and the pages of the speaker and tags only it had
    own = {p for p in gone if p.startswith("talks/small-telescopes")}
    assert own and all(p.startswith(("talks/speakers/", "talks/tags/")) for p in gone - own)
    assert "talks/speakers/alex-stargazer/index.md" in gone
    assert not (project / "docs" / "talks" / "small-telescopes").exists()  # folder pruned
    assert set(after) - set(before) == set()
    assert after["notes.md"] == before["notes.md"]
    assert "small-telescopes" not in (project / "docs" / "talks" / "index.md").read_text()
    assert f"{len(gone)} removed" in result.stdout


@pytest.mark.reliability("input", 3)
def test_a_file_render_did_not_write_is_never_touched(tmp_path: Path) -> None:
    project = _project(tmp_path)
    docs = project / "docs"
    # a user's page where the archive's index goes: stopped before anything is written
    (docs / "talks").mkdir()
    (docs / "talks" / "index.md").write_text("# Mine\n")
    result = render(project)
    assert result.returncode == 2
    [line] = result.stderr.splitlines()
    assert "docs/talks/index.md is not a file render wrote" in line
    assert sorted(p.name for p in (docs / "talks").iterdir()) == ["index.md"]
    assert (docs / "talks" / "index.md").read_text() == "# Mine\n"
    # a generated page edited by hand is the user's now: neither replaced nor removed
    (docs / "talks" / "index.md").unlink()
    assert render(project).returncode == 0
    edited = docs / "talks" / "bicycles-in-the-city" / "index.md"
    edited.write_text(edited.read_text() + "\nMy note.\n")
    talks = yaml.safe_load((project / "talks.yml").read_text())
    talks["talks"][0]["title"] = "Sourdough, renamed"  # something to write
    (project / "talks.yml").write_text(yaml.safe_dump(talks, sort_keys=False))
    before = _tree(docs)
    result = render(project)
    assert result.returncode == 2
    assert "bicycles-in-the-city/index.md was changed after render wrote it" in result.stderr
    assert _tree(docs) == before
    # a symlink in the output folder is not followed
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "yt2doc.css").write_text("theirs")
    edited.write_text(edited.read_text().replace("\nMy note.\n", ""))
    shutil.rmtree(docs / "talks" / "assets")
    (docs / "talks" / "assets").symlink_to(outside)
    result = render(project)
    assert result.returncode == 2 and "is a symlink; render follows none" in result.stderr
    assert (outside / "yt2doc.css").read_text() == "theirs"


@pytest.mark.reliability("input")
@pytest.mark.parametrize(
    ("manifest", "message"),
    [
        ("{not json", "is not valid JSON"),
        ('{"format": 0, "files": []}', "has format 0, this version of mkdocs-yt2doc writes 1"),
        ('{"format": 1, "files": {"index.md": "x"}}', "'files' must be a list"),
        ('{"format": 1, "files": [{"path": "../secret.md", "sha256": "%s"}]}', "unsafe path"),
        ('{"format": 1, "files": [{"path": "%s", "sha256": "%s"}]}', "unsafe path"),
        ('{"format": 1, "files": [{"path": "index.md", "sha256": 5}]}', "no valid sha256"),
    ],
)
def test_a_hand_edited_manifest_is_refused(tmp_path: Path, manifest: str, message: str) -> None:
    project = _project(tmp_path)
    assert render(project).returncode == 0
    secret = project / "docs" / "secret.md"
    secret.write_text("# Keep me\n")
    digest = hashlib.sha256(secret.read_bytes()).hexdigest()
    if manifest.count("%s") == 2:
        manifest = manifest % (secret, digest)
    elif "%s" in manifest:
        manifest = manifest % digest
    (project / "docs" / "talks" / MANIFEST).write_text(manifest)
    talks = yaml.safe_load((project / "talks.yml").read_text())
    talks["talks"].pop(0)  # a dropped talk: render would remove files, if it went on
    (project / "talks.yml").write_text(yaml.safe_dump(talks, sort_keys=False))
    before = _tree(project / "docs")
    result = render(project)
    assert result.returncode == 2
    [line] = result.stderr.splitlines()
    assert f"docs/talks/{MANIFEST}" in line and message in line
    assert _tree(project / "docs") == before
    assert secret.read_text() == "# Keep me\n"


@pytest.mark.reliability("input", 2)
def test_out_must_be_inside_the_site(tmp_path: Path) -> None:
    project = _project(tmp_path)
    for out in (str(tmp_path / "elsewhere"), "../outside"):
        result = render(project, "--out", out)
        assert result.returncode == 2
        assert "is outside the site's folder" in result.stderr
    assert not (tmp_path / "elsewhere").exists() and not (tmp_path / "outside").exists()
    # inside it is fine: a folder of docs_dir gets the archive's URLs
    result = render(project, "--out", "docs/archive")
    assert result.returncode == 0, result.stderr
    nav = yaml.safe_load((project / "docs" / "archive" / ".yt2doc-nav.yml").read_text())
    assert nav[0]["Talks"][0] == "archive/index.md"


@pytest.mark.reliability("input", 2)
def test_a_second_render_or_a_build_holding_the_lock_stops_it(tmp_path: Path) -> None:
    project = _project(tmp_path)
    assert render(project).returncode == 0
    folder = os.open(project / "docs" / "talks", os.O_RDONLY)
    try:
        fcntl.flock(folder, fcntl.LOCK_EX | fcntl.LOCK_NB)
        result = render(project)
        assert result.returncode == 2
        assert "another render is writing docs/talks" in result.stderr
    finally:
        os.close(folder)
    with open(project / ".yt2doc" / ".lock", "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        result = render(project)
        assert result.returncode == 2
        assert "another build or prefetch holds" in result.stderr


@pytest.mark.reliability("input")
def test_a_read_only_docs_folder_is_reported(tmp_path: Path) -> None:
    from tests.test_faults import _unshare

    project = _project(tmp_path)
    docs = project / "docs"
    assert render(project).returncode == 0
    talks = yaml.safe_load((project / "talks.yml").read_text())
    talks["talks"].pop()  # something to do
    (project / "talks.yml").write_text(yaml.safe_dump(talks, sort_keys=False))
    before = _tree(docs)
    script = (
        f'mount --bind "{docs}" "{docs}" && mount -o remount,bind,ro "{docs}" && '
        f'cd "{project}" && "{sys.executable}" -m mkdocs_yt2doc.cli render'
    )
    result = subprocess.run(
        [*_unshare(), "bash", "-c", script], capture_output=True, text=True, env=ENV, timeout=300
    )
    assert result.returncode == 2
    [line] = result.stderr.splitlines()
    assert "cannot write in docs/talks: it is on a read-only file system" in line
    assert _tree(docs) == before


def test_the_plugin_adds_no_pages_over_render_output(
    tmp_path: Path, plugin_log: PluginLog, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="mkdocs")  # as `mkdocs build` shows it
    project = _project(tmp_path)
    result = render(project, "-f", "plugin.yml")  # the options of the plugin's entry
    assert result.returncode == 0, result.stderr
    build_site(project / "plugin.yml", strict=True)
    infos = [r.getMessage() for r in plugin_log.records if "holds the output" in r.getMessage()]
    assert len(infos) == 1 and "the plugin adds none" in infos[0]
    assert plugin_log.warnings == [] and plugin_log.errors == []
    page = read_page(project / "site-plugin" / "talks" / "small-telescopes" / "index.html")
    assert page.paragraphs and "../assets/yt2doc.js" in page.scripts


def test_without_directory_urls_the_relative_links_hold(tmp_path: Path) -> None:
    project = _project(tmp_path)
    config = project / "mkdocs.yml"
    config.write_text(config.read_text() + "use_directory_urls: false\n")
    assert render(project).returncode == 0
    build_site(config, strict=True)
    page_file = project / "site" / "talks" / "small-telescopes" / "index.html"
    page = read_page(page_file)
    assert "../assets/yt2doc.js" in page.scripts
    assert (page_file.parent / "../assets/yt2doc.js").is_file()
    hrefs = [a.href.split("#")[0] for a in page.links if a.href.startswith("small-telescopes.")]
    assert len(hrefs) >= 4 and all((page_file.parent / h).is_file() for h in hrefs)
    assert page.paragraphs[1].link is not None
    assert page.paragraphs[1].link.href == "small-telescopes.opus#t=39"
    assert any(a.href == "../speakers/alex-stargazer/index.html" for a in page.links)


def test_rendering_cached_talks_imports_no_heavy_module(tmp_path: Path) -> None:
    from tests.test_lazy_imports import HEAVY

    project = _project(tmp_path)
    probe = (
        "import json, sys\nfrom mkdocs_yt2doc.cli import main\nassert main(['render']) == 0\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules} & set(sys.argv[1:]))))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, *HEAVY],
        cwd=project, capture_output=True, text=True, env=ENV, timeout=300, check=True,
    )  # fmt: skip
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []


def test_render_transcribes_what_is_missing_or_says_so(tmp_path: Path, whisper_model: str) -> None:
    project = tmp_path / "p"
    copy_clip(1, project / "talk.wav")
    talks = {"talks": [{"url": "talk.wav", "title": "New talk"}]}
    whisper = {"model": whisper_model, "beam_size": 1}
    write_site(project, talks, whisper=whisper, transcribe="never")
    result = render(project)  # never: a placeholder page, and a warning naming the talk
    assert result.returncode == 0, result.stderr
    assert "'New talk' (talks.yml:" in result.stderr and "1 without a transcript" in result.stdout
    page = project / "docs" / "talks" / "new-talk" / "index.md"
    assert "This talk has no transcript" in page.read_text()
    write_site(project, talks, whisper=whisper, transcribe="auto")
    result = render(project)  # auto: transcribed first, as a build would
    assert result.returncode == 0, result.stderr
    assert 'class="yt2doc-p"' in page.read_text()
    assert (project / "docs" / "talks" / "new-talk" / "talk.wav").is_file()
    assert next((project / ".yt2doc").glob("file-talk-*/document.json")).is_file()
