"""`prefetch`, `status` and `correct` read the configurations `render` and `build` read: on a
project `init` wrote (Zensical's zensical.toml and yt2doc.yml, or MkDocs' mkdocs.yml), with no
-f (found in the working folder) and with -f naming either file from another folder; and with
none to be found, a message naming what was looked for. Real runs, offline."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mkdocs_yt2doc.project.config_file import find_config
from tests.test_init import init, offline_env

TALK = "welcome-to-your-talk-archive"


def cli(tmp: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mkdocs_yt2doc.cli", *args],
        cwd=cwd, capture_output=True, text=True, env=offline_env(tmp), timeout=300,
    )  # fmt: skip


def _row(status: str, slug: str) -> list[str]:
    return next(line.split() for line in status.splitlines() if line.startswith(slug))


@pytest.mark.parametrize(
    ("generator", "config"),
    [
        ("zensical", None),
        ("zensical", "yt2doc.yml"),
        ("zensical", "zensical.toml"),
        ("mkdocs", None),
    ],
)
def test_prefetch_status_correct_on_an_init_project(
    tmp_path: Path, generator: str, config: str | None
) -> None:
    project = tmp_path / "archive"
    init(tmp_path, project, "--generator", generator)
    # -f names the file from elsewhere: talks.yml and the cache are relative to it
    cwd, given = (project, ()) if config is None else (tmp_path, ("-f", str(project / config)))
    [cached] = (project / ".yt2doc").glob("file-welcome-*")
    shutil.rmtree(cached)  # so that prefetch has the example talk to do
    before = cli(tmp_path, cwd, "status", *given)
    assert before.returncode == 0, before.stdout + before.stderr
    assert _row(before.stdout, TALK)[1] == "uncached"

    done = cli(tmp_path, cwd, "prefetch", *given)
    assert done.returncode == 0, done.stdout + done.stderr
    assert _row(done.stdout, TALK)[-1] == "done"  # from its caption file: no Whisper
    assert "1 processed, 1 cached in all, 0 failed" in done.stdout
    assert list((project / ".yt2doc").glob("file-welcome-*/document.json"))

    after = cli(tmp_path, cwd, "status", *given)
    assert after.returncode == 0, after.stdout + after.stderr
    assert _row(after.stdout, TALK)[1:3] == ["cached", "0:12"]

    wrote = cli(tmp_path, cwd, "correct", *given, TALK)
    assert wrote.returncode == 0, wrote.stdout + wrote.stderr
    corrections = project / "corrections" / f"{TALK}.md"
    assert wrote.stdout.startswith(f"{corrections}: edit the words")
    text = corrections.read_text(encoding="utf-8")
    assert "## What the archive does" in text and "[0:00] Welcome to your talk archive." in text


@pytest.mark.parametrize("command", [("status",), ("prefetch",), ("correct", TALK)])
def test_no_configuration_here_names_what_was_looked_for(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    done = cli(tmp_path, empty, *command)
    assert done.returncode == 2
    assert done.stderr == (
        f"mkdocs-yt2doc: no mkdocs.yml, zensical.toml or yt2doc.yml in {empty}: run this in the "
        "project's folder, name its configuration with -f, or start a project with "
        "`mkdocs-yt2doc init`\n"
    )


def test_a_mkdocs_yml_beside_zensical_toml_is_read_only_when_it_holds_the_options(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "archive"
    init(tmp_path, project, "--generator", "zensical")
    monkeypatch.chdir(project)
    (project / "mkdocs.yml").write_text("site_name: Not the archive's\n")
    assert find_config() == "zensical.toml"  # a mkdocs.yml without the plugin
    plugin = "site_name: The archive\nplugins:\n  - yt2doc:\n      talks: talks.yml\n"
    (project / "mkdocs.yml").write_text(plugin)
    assert find_config() == "mkdocs.yml"
