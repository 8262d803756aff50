"""A hostile pull request: talks.yml and the committed cache as a stranger would send them.

Each case starts from a real cached archive (tiny.en on real speech), changes what a pull
request can change (talks.yml, files and symlinks in .yt2doc/, mkdocs.yml's cache_dir), and is
built with `transcribe: never` (CI) and `auto`. Whatever the case:
- no file outside the project is read into the site (a canary's content never shows up there,
  nor does the build's environment),
- no file outside the cache and the site is written, renamed or deleted (checksums of a canary
  tree beside the project, and of the project's own files),
- the build says what is wrong, naming the file, and finishes in seconds.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from mkdocs.exceptions import MkDocsException

from tests.browser import serve
from tests.conftest import PluginLog, build_site, copy_clip, write_site

CANARY = "CANARY-7f3a9c-do-not-publish"
REMOTE = "http://127.0.0.1:1/remote.wav"  # nothing listens: refused at once
PWNED = "window.__pwned=1"


def _talks(**changes: Any) -> dict[str, Any]:
    talk = {"url": "talk.wav", "title": "Talk", "speakers": ["Ada"], "tags": ["ml"], **changes}
    return {"defaults": {"event": "Conf"}, "talks": [talk, {"url": REMOTE, "title": "Remote"}]}


def _site(project: Path, talks: Any, whisper_model: str, **options: Any) -> Path:
    whisper = {"model": whisper_model, "beam_size": 1}
    return write_site(project, talks, whisper=whisper, **options)


@pytest.fixture(scope="module")
def cached(tmp_path_factory: pytest.TempPathFactory, whisper_model: str) -> Path:
    """A project whose talk is transcribed and cached, as a repository holds it."""
    project = tmp_path_factory.mktemp("base") / "project"
    copy_clip(0, project / "talk.wav")
    build_site(_site(project, _talks(), whisper_model))
    shutil.rmtree(project / "site")
    (project / ".yt2doc" / "failures.json").unlink(missing_ok=True)
    return project


def _outside(root: Path) -> Path:
    """Files beside the project that a build must neither publish nor touch."""
    outside = root / "outside"
    (outside / "victim").mkdir(parents=True)
    (outside / "secret.txt").write_text(f"token={CANARY}\n")
    copy_clip(1, outside / "secret.wav")
    (outside / "victim" / "media.json").write_text("{ not json")
    (outside / "victim" / ".media.json.abcdefgh.tmp").write_text(CANARY)
    (outside / ".document.json.abcdefgh.tmp").write_text(CANARY)
    (outside / ".other.tmp").write_text(CANARY)
    return outside


def _digest(folder: Path, skip: tuple[str, ...] = ()) -> dict[str, str]:
    """Every entry under `folder`: a file's checksum, a symlink's target."""
    found = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if relative.parts and relative.parts[0] in skip:
            continue
        if path.is_symlink():
            found[str(relative)] = "-> " + os.readlink(path)
        elif path.is_file():
            found[str(relative)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def _key_dir(project: Path) -> Path:
    return next(p for p in (project / ".yt2doc").iterdir() if p.is_dir() and not p.is_symlink())


def _edit(path: Path, change: Callable[[dict[str, Any]], None]) -> None:
    value = json.loads(path.read_text())
    change(value)
    path.write_text(json.dumps(value))


def _symlink(path: Path, target: Path | str) -> None:
    path.unlink(missing_ok=True)
    path.symlink_to(target)


# -- the cases: (change the project, what the build must say) ----------------------------------

Case = Callable[[Path, Path], "dict[str, Any] | None"]  # -> talks.yml or mkdocs.yml options


def symlinked_captions(project: Path, outside: Path) -> None:
    _symlink(_key_dir(project) / "captions.vtt", outside / "secret.txt")


def thumbnail_to_environ(project: Path, outside: Path) -> None:
    _symlink(_key_dir(project) / "thumbnail.png", "/proc/self/environ")


def symlinked_talk_folder(project: Path, outside: Path) -> None:
    folder = _key_dir(project)
    copy = outside / "copy"
    shutil.copytree(folder, copy)
    (copy / "captions.vtt").write_text(f"WEBVTT\n\n00:00.000 --> 00:01.000\n{CANARY}\n")
    shutil.rmtree(folder)
    folder.symlink_to(copy)


def symlinked_sources(project: Path, outside: Path) -> None:
    (outside / "sources.json").write_text(json.dumps({"schema": 1, "urls": {}}))
    _symlink(project / ".yt2doc" / "sources.json", outside / "sources.json")


def _sources_key(project: Path, key: str) -> None:
    entries = [{"url": REMOTE, "title": "Remote", "key": key}]
    value = {"schema": 1, "urls": {REMOTE: {"playlist": False, "entries": entries}}}
    (project / ".yt2doc" / "sources.json").write_text(json.dumps(value))


def key_climbs_out(project: Path, outside: Path) -> None:
    _sources_key(project, "../../outside/victim")


def nested_key_climbs_out(project: Path, outside: Path) -> None:
    _sources_key(project, "generic-remote-1a2b3c/../../../outside/victim")


def symlinked_folder_for_temps(project: Path, outside: Path) -> None:
    """The start-of-run clean-up must not follow a talk folder into someone else's files."""
    (project / ".yt2doc" / "generic-x-0123456789").symlink_to(outside)
    (project / ".yt2doc" / "generic-y-0123456789").symlink_to(outside / "victim")


def dangling_gitignore_and_lock(project: Path, outside: Path) -> None:
    for name in (".gitignore", ".lock"):
        _symlink(project / ".yt2doc" / name, outside / f"planted{name}")


def anchor_markup(project: Path, outside: Path) -> None:
    def change(document: dict[str, Any]) -> None:
        document["chapters"][0]["anchor"] = f'x"><img src=x onerror={PWNED}>'

    _edit(_key_dir(project) / "document.json", change)


def paragraph_text_number(project: Path, outside: Path) -> None:
    _edit(_key_dir(project) / "document.json", lambda d: d["paragraphs"][0].update(text=123))


def paragraph_start_soon(project: Path, outside: Path) -> None:
    _edit(_key_dir(project) / "paragraphs.json", lambda d: d["paragraphs"][0].update(start="soon"))
    _edit(_key_dir(project) / "document.json", lambda d: d["inputs"].update(format=-1))


def missing_paragraphs(project: Path, outside: Path) -> None:
    _edit(_key_dir(project) / "document.json", lambda d: d.pop("paragraphs"))


def chapter_beyond_paragraphs(project: Path, outside: Path) -> None:
    _edit(_key_dir(project) / "document.json", lambda d: d["chapters"][0].update(first_paragraph=9))


def newer_schema(project: Path, outside: Path) -> None:
    _edit(_key_dir(project) / "media.json", lambda d: d.update(schema=7))


def corrections_with_markup(project: Path, outside: Path) -> None:
    (project / "corrections").mkdir()
    markup = f"<img src=x onerror={PWNED}> <script>{PWNED}</script>"
    (project / "corrections" / "talk.md").write_text(
        f'---\ntitle: "T{markup}"\nsummary: "{markup}"\n---\n\n## H {markup}\n\n[0:00] {markup}\n'
    )


def corrections_folder_outside(project: Path, outside: Path) -> None:
    (outside / "fixes").mkdir()
    (outside / "fixes" / "talk.md").write_text(f"[0:00] {CANARY}\n")
    (project / "corrections").symlink_to(outside / "fixes")


def corrections_symlink(project: Path, outside: Path) -> None:
    (project / "corrections").mkdir()
    (project / "corrections" / "talk.md").symlink_to(outside / "secret.txt")


def ids_with_quotes(project: Path, outside: Path) -> dict[str, Any]:
    quote = f'"><img src=x onerror={PWNED}>'
    chapters = [{"start": 0, "title": f"c{quote}"}]
    talk = _talks(slug=f"s{quote}", speakers=[f"A{quote}"], tags=[f"t{quote}"], chapters=chapters)
    talk["defaults"]["event"] = f"e{quote}"
    return {"talks": talk}


def local_file_climbs_out(project: Path, outside: Path) -> dict[str, Any]:
    return {"talks": _talks(url="../outside/secret.wav")}


def local_file_absolute(project: Path, outside: Path) -> dict[str, Any]:
    return {"talks": _talks(url=str(outside / "secret.wav"))}


def local_file_symlinked(project: Path, outside: Path) -> dict[str, Any]:
    (project / "media").mkdir()
    (project / "media" / "talk.wav").symlink_to(outside / "secret.wav")
    return {"talks": _talks(url="media/talk.wav")}


def local_file_not_media(project: Path, outside: Path) -> dict[str, Any]:
    (project / ".env").write_text(f"TOKEN={CANARY}\n")
    return {"talks": _talks(url=".env")}


def cache_dir_project_root(project: Path, outside: Path) -> dict[str, Any]:
    (project / ".old.abcdefgh.tmp").write_text("someone else's temp file")
    return {"options": {"cache_dir": ""}}


def cache_dir_docs(project: Path, outside: Path) -> dict[str, Any]:
    return {"options": {"cache_dir": "docs"}}


def cache_dir_outside(project: Path, outside: Path) -> dict[str, Any]:
    return {"options": {"cache_dir": "../outside"}}


def cache_dir_symlink(project: Path, outside: Path) -> dict[str, Any]:
    shutil.copytree(project / ".yt2doc", outside / "cache")
    shutil.rmtree(project / ".yt2doc")
    (project / ".yt2doc").symlink_to(outside / "cache")
    return {}


def alias_bomb(project: Path, outside: Path) -> dict[str, Any]:
    items = ['x0: &x0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    items += [f"x{n}: &x{n} [{','.join([f'*x{n - 1}'] * 9)}]" for n in range(1, 9)]
    bomb = "\n".join(items) + "\ntalks:\n  - url: talk.wav\n    tags: *x8\n"
    return {"raw_talks": bomb}


def small_alias_bomb(project: Path, outside: Path) -> dict[str, Any]:
    """Fewer bytes (three-fold, inline in a talk): still 1.6 million values."""
    levels = ["&a0 [l,l,l]"] + [f"&a{n} [*a{n - 1},*a{n - 1},*a{n - 1}]" for n in range(1, 13)]
    bomb = f"talks:\n  - url: talk.wav\n    tags: [{','.join(levels)}]\n"
    assert len(bomb) < 417
    return {"raw_talks": bomb}


def impossible_dates(project: Path, outside: Path) -> dict[str, Any]:
    return {"raw_talks": "talks:\n  - url: talk.wav\n    date: 2026-13-45\n"}


def year_zero(project: Path, outside: Path) -> dict[str, Any]:
    return {"raw_talks": "talks:\n  - url: talk.wav\n    date: 0000-00-00\n"}


def infinite_chapter(project: Path, outside: Path) -> dict[str, Any]:
    return {
        "raw_talks": "talks:\n  - url: talk.wav\n    chapters:\n      - {start: .inf, title: A}\n"
    }


def nan_chapter(project: Path, outside: Path) -> dict[str, Any]:
    return {
        "raw_talks": "talks:\n  - url: talk.wav\n    chapters:\n      - {start: .nan, title: A}\n"
    }


def duplicate_key(project: Path, outside: Path) -> dict[str, Any]:
    return {"raw_talks": "talks:\n  - url: talk.wav\n    title: One\n    title: Two\n"}


def second_talks_list(project: Path, outside: Path) -> dict[str, Any]:
    return {"raw_talks": "talks:\n  - url: talk.wav\ntalks:\n  - url: talk.wav\n    slug: b\n"}


def speaker_mapping(project: Path, outside: Path) -> dict[str, Any]:
    return {"talks": _talks(speakers=[{"name": "Ada"}, None, True])}


# case -> (what the build says, does the build stop); the message names the file in each
CASES: dict[str, tuple[Case, str, bool]] = {
    "symlinked captions.vtt": (symlinked_captions, "captions.vtt is a symlink", False),
    "thumbnail to /proc/self/environ": (thumbnail_to_environ, "thumbnail.png is a symlink", False),
    "symlinked talk folder": (symlinked_talk_folder, "is a symlink; the cache follows none", False),
    "symlinked sources.json": (symlinked_sources, "sources.json is a symlink", False),
    "key ../../outside/victim": (key_climbs_out, "sources.json is invalid", False),
    "nested key with ..": (nested_key_climbs_out, "sources.json is invalid", False),
    "symlinked folders for temps": (symlinked_folder_for_temps, "", False),
    "dangling .gitignore and .lock": (dangling_gitignore_and_lock, "", False),
    "anchor with markup": (anchor_markup, "document.json is invalid: chapters.0.anchor", False),
    "paragraph text 123": (
        paragraph_text_number,
        "document.json is invalid: paragraphs.0.text",
        False,
    ),
    "paragraph start 'soon'": (paragraph_start_soon, "paragraphs.json is invalid", False),
    "no paragraphs key": (missing_paragraphs, "document.json is invalid: paragraphs", False),
    "chapter beyond paragraphs": (chapter_beyond_paragraphs, "first_paragraph", False),
    "newer schema": (newer_schema, "media.json was made by a newer mkdocs-yt2doc", False),
    "quotes in ids": (ids_with_quotes, "", False),
    "corrections with markup": (corrections_with_markup, "", False),
    "symlinked corrections folder": (
        corrections_folder_outside,
        "corrections_dir 'corrections' must be a folder inside the project",
        True,
    ),
    "symlinked corrections file": (
        corrections_symlink,
        "talk.md is a symlink; it is not read",
        False,
    ),
    "local file ../": (
        local_file_climbs_out,
        "../outside/secret.wav lies outside",
        True,
    ),
    "local file absolute": (local_file_absolute, "lies outside the project", True),
    "local file symlinked": (local_file_symlinked, "media/talk.wav lies outside", True),
    "local .env": (local_file_not_media, ".env is not a recording", True),
    "cache_dir ''": (cache_dir_project_root, "cache_dir '' must be a folder of its own", True),
    "cache_dir docs": (cache_dir_docs, "cache_dir 'docs' must not be", True),
    "cache_dir ../outside": (cache_dir_outside, "cache_dir '../outside' must be a folder", True),
    "cache_dir symlink": (cache_dir_symlink, "must be a plain folder, not a symlink", True),
    "alias bomb": (alias_bomb, "talks.yml: YAML aliases expand to", True),
    "smaller alias bomb": (small_alias_bomb, "talks.yml: YAML aliases expand to", True),
    "date 2026-13-45": (impossible_dates, "talks.yml:3: 'date' must be a calendar date", True),
    "date 0000-00-00": (year_zero, "talks.yml:3: 'date' must be a calendar date", True),
    "chapter start .inf": (infinite_chapter, "talks.yml:4: chapter 'A': not a time: inf", True),
    "chapter start .nan": (nan_chapter, "talks.yml:4: chapter 'A': not a time: nan", True),
    "duplicate key": (duplicate_key, "talks.yml:4:5: invalid YAML: duplicate key 'title'", True),
    "second talks:": (second_talks_list, "duplicate key 'talks' (first on line 1)", True),
    "speaker mapping": (speaker_mapping, "each of 'speakers' must be text", True),
}


@pytest.fixture(scope="module", autouse=True)
def canary_environment() -> Iterator[None]:
    """The build's environment holds a secret, as CI's does."""
    os.environ["YT2DOC_TEST_SECRET"] = CANARY
    yield
    del os.environ["YT2DOC_TEST_SECRET"]


@pytest.mark.reliability("hostile", 2)  # built with never and with auto
@pytest.mark.parametrize("name", list(CASES))
def test_hostile_pull_request(
    name: str, cached: Path, tmp_path: Path, whisper_model: str, plugin_log: PluginLog
) -> None:
    change, message, stops = CASES[name]
    project = tmp_path / "project"
    shutil.copytree(cached, project, symlinks=True)
    outside = _outside(tmp_path)
    given = change(project, outside) or {}
    if "raw_talks" in given:
        (project / "talks.yml").write_text(given["raw_talks"])
    talks = given.get("talks", _talks()) if "raw_talks" not in given else given["raw_talks"]
    outside_before = _digest(outside)
    for transcribe in ("never", "auto"):
        config = _site(project, talks, whisper_model, transcribe=transcribe,
                       **given.get("options", {}))  # fmt: skip
        project_before = _digest(project, skip=(".yt2doc", "site"))
        plugin_log.records.clear()
        started = time.monotonic()
        error = ""
        try:
            build_site(config)
        except MkDocsException as exc:
            error = str(exc)
        taken = time.monotonic() - started
        said = "\n".join([error, *plugin_log.warnings, *plugin_log.errors])
        assert "Traceback" not in said
        assert message in said, (transcribe, said)
        assert bool(error) == stops, (transcribe, error)
        assert taken < 60, f"{name}: {transcribe} build took {taken:.0f} s"
        assert _digest(outside) == outside_before, transcribe  # nothing outside changed
        assert _digest(project, skip=(".yt2doc", "site")) == project_before, transcribe
        _assert_nothing_leaked(project)
        if not stops:
            assert (project / "site" / "talks" / "index.html").is_file()  # the rest builds


def _assert_nothing_leaked(project: Path) -> None:
    site = project / "site"
    if not site.exists():
        return
    for path in site.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert CANARY.encode() not in data, path
            assert b"YT2DOC_TEST_SECRET" not in data, path


@pytest.mark.parametrize("name", ["anchor with markup", "quotes in ids", "corrections with markup"])
def test_no_live_markup_in_the_browser(
    name: str, cached: Path, tmp_path: Path, whisper_model: str, browser: Any
) -> None:
    change = CASES[name][0]
    project = tmp_path / "project"
    shutil.copytree(cached, project, symlinks=True)
    given = change(project, _outside(tmp_path)) or {}
    for transcribe in ("never", "auto"):
        build_site(_site(project, given.get("talks", _talks()), whisper_model,
                         transcribe=transcribe))  # fmt: skip
        pages = sorted((project / "site" / "talks").rglob("index.html"))
        assert len(pages) >= 3
        with serve(project / "site") as base:
            page = browser.new_page()
            try:
                for path in pages:
                    page.goto(f"{base}/{path.relative_to(project / 'site').parent}/")
                    page.wait_for_load_state("load")
                    assert page.evaluate("window.__pwned") is None, (transcribe, path)
                    assert page.locator("article img[src='x']").count() == 0, (transcribe, path)
            finally:
                page.close()


def test_the_canary_tree_is_seen(tmp_path: Path) -> None:
    """The checks above can fail: a renamed or added file outside changes the digest."""
    outside = _outside(tmp_path)
    before = _digest(outside)
    (outside / "victim" / "media.json").rename(outside / "victim" / "media.json.corrupt-1")
    assert _digest(outside) != before
