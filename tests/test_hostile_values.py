"""Hostile values: numbers too large to format, deep and duplicated JSON, lone surrogates,
ids that shadow the page's scripts, control characters in downloads and in the log, file
names that are not URLs, timeouts that never end.

Rows like tests/test_hostile_repo.py's: a pull request changes talks.yml, mkdocs.yml or the
committed cache of a real archive, and the project is built with `transcribe: never` and
`auto`. Whatever the row: no Traceback, a message naming the file (and line), nothing outside
the project touched, the build bounded in time; then the row's own check of the site.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from mkdocs.exceptions import MkDocsException

from mkdocs_yt2doc.publish import load_site
from mkdocs_yt2doc.records.errors import Yt2DocError
from mkdocs_yt2doc.sources.caption_read import parse_captions
from mkdocs_yt2doc.util.json_bounds import check_depth
from tests.browser import serve
from tests.conftest import PluginLog, build_site, copy_clip
from tests.test_hostile_repo import (
    _assert_nothing_leaked,
    _digest,
    _edit,
    _key_dir,
    _outside,
    _site,
    _talks,
    cached,  # noqa: F401  (the fixture: a real cached archive)
    canary_environment,  # noqa: F401
)

DIGITS = "9" * 400
BIDI_AND_CONTROLS = "\u202e\x00\x07"
ANSI = "\x1b[2K\x1b[1A\r"


def _raw(body: str) -> dict[str, Any]:
    return {"raw_talks": f"talks:\n  - url: talk.wav\n{body}"}


def _document(project: Path, change: Callable[[dict[str, Any]], None]) -> None:
    _edit(_key_dir(project) / "document.json", change)


def _page(project: Path) -> str:
    return (project / "site" / "talks" / "talk" / "index.html").read_text("utf-8")


# -- 1. times too large, zero-length and very long talks ---------------------------------------


def start_400_digits(project: Path, outside: Path) -> dict[str, Any]:
    return _raw(f"    start: {DIGITS}\n")


def start_400_digit_text(project: Path, outside: Path) -> dict[str, Any]:
    return _raw(f'    start: "{DIGITS}"\n')


def start_400_digit_hours(project: Path, outside: Path) -> dict[str, Any]:
    return _raw(f'    start: "{DIGITS}:00:00"\n')


def chapter_400_digits(project: Path, outside: Path) -> dict[str, Any]:
    return _raw(f"    chapters:\n      - {{start: {DIGITS}, title: A}}\n")


def end_zero(project: Path, outside: Path) -> dict[str, Any]:
    return _raw("    end: 0\n")


def media_duration_1e308(project: Path, outside: Path) -> None:
    _edit(_key_dir(project) / "media.json", lambda m: m.update(duration=1e308))


def chapter_at_1e308(project: Path, outside: Path) -> None:
    _document(project, lambda d: d["chapters"][0].update(start=1e308))


def talk_of_99_hours(project: Path, outside: Path) -> None:
    """What a 99-hour caption file leaves in the cache: a last paragraph at 99 hours."""
    _document(project, lambda d: d["paragraphs"][-1].update(end=99 * 3600.0))


# -- 2 and 3. deep and duplicated JSON, duplicate options -------------------------------------


def settings_5000_deep(project: Path, outside: Path) -> None:
    path = _key_dir(project) / "transcript.json"
    text = path.read_text()
    path.write_text(
        text.replace('"settings": {', '"settings": {"x": ' + "[" * 5000 + "]" * 5000 + ", ", 1)
    )
    _document(project, lambda d: d["inputs"].update(format=-1))  # the transcript is read again


def duplicate_key_in_media(project: Path, outside: Path) -> None:
    path = _key_dir(project) / "media.json"
    path.write_text(path.read_text().replace('"title":', '"title": "Planted", "title":', 1))


# -- 4. lone surrogates ------------------------------------------------------------------------


def surrogate_in_corrections(project: Path, outside: Path) -> None:
    (project / "corrections").mkdir()
    (project / "corrections" / "talk.md").write_text(
        '---\ntitle: "A\\ud800B"\n---\n\n[0:00] Hello there.\n'
    )


def surrogate_in_media(project: Path, outside: Path) -> None:
    path = _key_dir(project) / "media.json"
    path.write_text(path.read_text().replace('"title": "', '"title": "\\ud800', 1))


# -- 5. timeouts -------------------------------------------------------------------------------


def search_timeout_inf(project: Path, outside: Path) -> dict[str, Any]:
    return {"options": {"search_timeout": float("inf")}}


def llm_timeout_zero(project: Path, outside: Path) -> dict[str, Any]:
    return {"options": {"llm": {"timeout": 0}}}


# -- 6. ids the page's scripts read ------------------------------------------------------------


def anchor_shadows_script(project: Path, outside: Path) -> None:
    _document(project, lambda d: d["chapters"][0].update(anchor="__yt2doc"))


def anchor_is_a_paragraph(project: Path, outside: Path) -> None:
    _document(project, lambda d: d["chapters"][0].update(anchor="t0"))


def _anchor_renamed(name: str) -> Callable[[Path], None]:
    def check(project: Path) -> None:
        page = _page(project)
        assert page.count(f'id="{name}"') == (1 if name == "t0" else 0)  # t0: the paragraph's
        assert f'<h2 id="{name}-chapter"' in page
        assert f'id="{name}-chapter"' in page and f'href="#{name}-chapter"' in page

    return check


# -- 7. control and bidi characters in the downloads -------------------------------------------


def controls_in_downloads(project: Path, outside: Path) -> None:
    def change(document: dict[str, Any]) -> None:
        document["paragraphs"][0]["text"] = f"Hello{BIDI_AND_CONTROLS} there"
        document["chapters"][0]["title"] = f"Start{BIDI_AND_CONTROLS}"

    _document(project, change)
    for name in ("captions.vtt", "captions.srt"):
        path = _key_dir(project) / name
        if path.exists():
            text = path.read_text()
            lines = text.split("\n")
            lines[-3] = lines[-3] + BIDI_AND_CONTROLS  # a cue's text line
            path.write_text("\n".join(lines))


def _downloads_clean(project: Path) -> None:
    folder = project / "site" / "talks" / "talk"
    found = sorted(
        p.name for p in folder.iterdir() if p.suffix in (".vtt", ".srt", ".json", ".txt")
    )
    assert {"talk.vtt", "talk.srt", "talk.json", "talk.txt"} <= set(found), found
    for name in found:
        text = (folder / name).read_text("utf-8")
        for ch in BIDI_AND_CONTROLS:
            assert ch not in text, (name, ch)
        assert "\\u202e" not in text and "\\u0000" not in text and "\\u0007" not in text, name
    assert "Hello there" in (folder / "talk.txt").read_text("utf-8")


# -- 9 and 10. absurd links, terminal escapes in the log ---------------------------------------


def slides_without_host(project: Path, outside: Path) -> dict[str, Any]:
    return _raw("    slides: https:///etc/passwd\n")


def ansi_in_title(project: Path, outside: Path) -> dict[str, Any]:
    talks = _talks()
    talks["talks"][1]["title"] = f"Remote{ANSI}WARNING hidden"  # logged: not processed yet
    return {"talks": talks, "log": "Remote\\x1b[2K\\x1b[1A\\rWARNING hidden"}


def _no_escape_in_log(log: PluginLog) -> None:
    for record in log.records:
        assert "\x1b" not in record.getMessage() and "\r" not in record.getMessage()


Check = Callable[[Path], None]
# row -> (change, what the build says, does the build stop, check of the site)
CASES: dict[str, tuple[Callable[[Path, Path], Any], str, bool, Check | None]] = {
    "start: 400 digits": (start_400_digits, "talks.yml:3: 'start': time 9999", True, None),
    "start: 400 digits as text": (start_400_digit_text, "is beyond 7 days", True, None),
    'start: "<400 digits>:00:00"': (start_400_digit_hours, "talks.yml:3: 'start'", True, None),
    "chapter start: 400 digits": (chapter_400_digits, "talks.yml:4: chapter 'A': time", True, None),
    "end: 0": (end_zero, "talks.yml:3: 'end' is 0, so the talk has no length", True, None),
    "media.json duration 1e308": (
        media_duration_1e308, "media.json is invalid: duration", False, None
    ),
    "document.json chapter at 1e308": (
        chapter_at_1e308, "document.json is invalid: chapters.0.start", False, None
    ),
    "a talk of 99 hours": (talk_of_99_hours, "lasts 99:00:00, over 12 hours", False, None),
    "settings 5,000 deep": (
        settings_5000_deep, "transcript.json is invalid: nested deeper than 64 levels", False, None
    ),
    "duplicate key in media.json": (
        duplicate_key_in_media, "media.json is invalid: duplicate key 'title'", False, None
    ),
    "lone surrogate in corrections": (
        surrogate_in_corrections, "talk.md:2: title has a lone surrogate", False,
        lambda p: _page(p).encode("utf-8") and None,
    ),
    "lone surrogate in media.json": (
        surrogate_in_media, "media.json is invalid: the file: Invalid JSON", False, None
    ),
    "search_timeout: .inf": (search_timeout_inf, "'search_timeout': Expected a number", True, None),
    "llm.timeout: 0": (llm_timeout_zero, "'timeout': Expected a number of seconds", True, None),
    "anchor __yt2doc": (anchor_shadows_script, "", False, _anchor_renamed("__yt2doc")),
    "anchor t0": (anchor_is_a_paragraph, "", False, _anchor_renamed("t0")),
    "controls in downloads": (controls_in_downloads, "", False, _downloads_clean),
    "slides https:///etc/passwd": (
        slides_without_host, "talks.yml:3: 'slides' 'https:///etc/passwd' names no host", False,
        lambda p: None if "/etc/passwd" not in _page(p) else pytest.fail("slides shown"),
    ),
    "ANSI escapes in a title": (ansi_in_title, "", False, None),
}  # fmt: skip


@pytest.mark.reliability("hostile", 2)  # built with never and with auto
@pytest.mark.parametrize("name", list(CASES))
def test_hostile_value(
    name: str,
    cached: Path,  # noqa: F811
    tmp_path: Path,
    whisper_model: str,
    plugin_log: PluginLog,
) -> None:
    change, message, stops, check = CASES[name]
    project = tmp_path / "project"
    shutil.copytree(cached, project, symlinks=True)
    outside = _outside(tmp_path)
    given = change(project, outside) or {}
    message = given.get("log", message)
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
        assert _digest(outside) == outside_before, transcribe
        assert _digest(project, skip=(".yt2doc", "site")) == project_before, transcribe
        _no_escape_in_log(plugin_log)
        _assert_nothing_leaked(project)
        if not stops:
            assert (project / "site" / "talks" / "index.html").is_file()
            if check is not None:
                check(project)


def test_script_globals_survive_in_the_browser(
    cached: Path,  # noqa: F811
    tmp_path: Path,
    whisper_model: str,
    browser: Any,
) -> None:
    """With a chapter anchored `__yt2doc`, the player's script still starts (its global is
    its own, not the heading)."""
    project = tmp_path / "project"
    shutil.copytree(cached, project, symlinks=True)
    anchor_shadows_script(project, tmp_path)
    build_site(_site(project, _talks(), whisper_model, transcribe="never"))
    with serve(project / "site") as base:
        page = browser.new_page()
        try:
            page.goto(f"{base}/talks/talk/")
            page.wait_for_load_state("load")
            assert page.evaluate("window.__yt2doc") is True
            assert page.locator("#__yt2doc-chapter").count() == 1
        finally:
            page.close()


# -- 8. recording file names that are not URLs -------------------------------------------------


@pytest.mark.parametrize("file_name", ["talk #1?a=%41.wav", "talk\u202egnp.wav"])
def test_recording_names_are_encoded_once(
    file_name: str, tmp_path: Path, whisper_model: str, plugin_log: PluginLog
) -> None:
    project = tmp_path / "project"
    copy_clip(0, project / file_name)
    talks = {"talks": [{"url": file_name, "title": "Talk", "slug": "talk"}]}
    started = time.monotonic()
    build_site(_site(project, talks, whisper_model, transcribe="auto"))
    assert time.monotonic() - started < 120
    page = _page(project)
    encoded = quote(file_name)
    assert f'src="{encoded}"' in page  # the player
    assert f'href="{encoded}"' in page  # the Source link
    assert f'href="{encoded}#t=0"' in page  # a timestamp
    assert (project / "site" / "talks" / "talk" / file_name).is_file()  # where it points


# -- direct checks of the parts ----------------------------------------------------------------


def test_a_99_hour_caption_file_warns() -> None:
    text = "WEBVTT\n\n00:00.000 --> 00:01.000\nhello\n\n99:00:00.000 --> 99:00:01.000\nthere\n"
    captions = parse_captions(text.encode(), "long.vtt", None)
    assert any("over 12 hours" in r for r in captions.repairs), captions.repairs
    far = "WEBVTT\n\n00:00.000 --> 00:01.000\nhello\n\n999:00:00.000 --> 999:00:01.000\nfar\n"
    captions = parse_captions(far.encode(), "far.vtt", None)
    assert [c.text for c in captions.cues] == ["hello"]
    assert any("more than 7 days in" in r for r in captions.repairs)


def test_duplicate_key_in_yt2doc_yml(tmp_path: Path) -> None:
    (tmp_path / "yt2doc.yml").write_text("talks: talks.yml\noutput_dir: a\noutput_dir: b\n")
    with pytest.raises(Yt2DocError, match=r"yt2doc.yml:3: duplicate key 'output_dir' \(first"):
        load_site(str(tmp_path / "yt2doc.yml"))


def test_check_depth_is_linear_and_ignores_strings() -> None:
    check_depth('{"a": "[[[[[[[[[[[[[[[[", "b": [[1]]}', limit=3)
    check_depth('["\\"[[[[[["]', limit=1)
    with pytest.raises(ValueError, match=r"nested deeper than 3 levels \(line 1\)"):
        check_depth("[[[[1]]]]", limit=3)
    started = time.monotonic()
    with pytest.raises(ValueError):
        check_depth("[" * 1_000_000)
    check_depth("[" + "1," * 2_000_000 + '"' + "x" * 4_000_000 + '"]')
    assert time.monotonic() - started < 2
