"""Inputs at the caps build in seconds: corrections files, glossaries, replacements and
caption cues that used to take minutes (quadratic paths), each a real `mkdocs build` over the
cached talk of `test_hostile_repo`, checked as that table checks (nothing outside the project
read or changed, a message naming the file, a time bound); and the pieces that were
quadratic, each at a size where quadratic would show.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from mkdocs_yt2doc.archive.corrections import (
    MAX_BYTES,
    MAX_CHAPTERS,
    MAX_PARAGRAPHS,
    MAX_PROBLEMS,
    MAX_WORDS,
    read,
)
from mkdocs_yt2doc.document.chapters import anchor_for
from mkdocs_yt2doc.records.transcript import Cue
from mkdocs_yt2doc.sources.caption_read import parse_captions, repair_cues
from mkdocs_yt2doc.util.glossary import MAX_TERMS, Replacer, parse_glossary, parse_replace
from mkdocs_yt2doc.util.names import Taken, unique
from tests.conftest import PluginLog, build_site, copy_clip
from tests.test_hostile_repo import _assert_nothing_leaked, _digest, _outside, _site, cached

__all__ = ["cached"]  # the fixture, shared with the hostile-repo table

# CPU seconds a build may take at the caps: a quadratic path takes minutes there, and CPU time,
# unlike the clock, does not grow when other work shares the machine's two cores
BOUND = 10.0
UNIT = "## h\n\n[0:01] w\n\n"


def _sized(text: str, size: int = MAX_BYTES) -> str:
    """`text` repeated to exactly `size` bytes (ASCII)."""
    return (text * (size // len(text) + 1))[:size]


def _corrections(text: str) -> Callable[[Path], dict[str, Any]]:
    def change(project: Path) -> dict[str, Any]:
        (project / "corrections").mkdir()
        (project / "corrections" / "talk.md").write_text(text)
        assert (project / "corrections" / "talk.md").stat().st_size == MAX_BYTES
        return {}

    return change


def _glossary(project: Path) -> dict[str, Any]:
    return {"defaults": {"glossary": [f"Term {n}" for n in range(40_000)]}}


def _replace(project: Path) -> dict[str, Any]:
    pairs = {f"wrong{n}": f"right{n}" for n in range(39_999)}
    return {"defaults": {"replace": {**pairs, "dashwood": "Dashwud"}}}


def _long_cues(project: Path) -> dict[str, Any]:
    copy_clip(1, project / "fresh.wav")  # not cached: its transcript is the caption file
    first = " ".join(f"a{n}" for n in range(24_000))
    second = " ".join(f"b{n}" for n in range(24_000))
    (project / "long.vtt").write_text(
        f"WEBVTT\n\n00:00.000 --> 00:05.000\n{first}\n\n00:04.000 --> 00:09.000\n{second}\n"
    )
    return {"talk": {"url": "fresh.wav", "captions": "long.vtt"}, "transcribe": "auto"}


# row -> (change the project, what the build must say, a word the page must show)
ROWS: dict[str, tuple[Callable[[Path], dict[str, Any]], str, str]] = {
    "8 MiB of headings with one title": (
        _corrections(_sized(UNIT)),
        f"talk.md:4001: more than {MAX_CHAPTERS} headings",
        'id="h-1000"',
    ),
    "8 MiB paragraph over many lines": (
        _corrections("[0:00] w\n" + _sized("word\n", MAX_BYTES - 9)),
        f"talk.md:{MAX_WORDS + 1}: more than {MAX_WORDS} words",
        "word word",
    ),
    "8 MiB of short paragraphs": (
        _corrections(_sized("[0:01] w\n\n")),
        f"talk.md:{2 * MAX_PARAGRAPHS + 1}: more than {MAX_PARAGRAPHS} paragraphs",
        "w w w",
    ),
    "8 MiB on one line": (
        _corrections("[0:00] " + _sized("word ", MAX_BYTES - 7)),
        f"talk.md:1: more than {MAX_WORDS} words",
        "word word",
    ),
    "40,000-term glossary": (
        _glossary,
        f"talks.yml:3: 'glossary' has 40000 terms, more than the {MAX_TERMS} read",
        "Dashwood",
    ),
    "40,000-pair replace": (_replace, "", "Dashwud"),
    "two cues of 24,000 words": (
        _long_cues,
        "long.vtt (talks.yml:4): 1 cue(s) overlapped",
        "b23999",
    ),
}


@pytest.mark.reliability("hostile")
@pytest.mark.parametrize("name", list(ROWS))
def test_inputs_at_the_caps_build_in_seconds(
    name: str, cached: Path, tmp_path: Path, whisper_model: str, plugin_log: PluginLog
) -> None:
    change, message, shown = ROWS[name]
    project = tmp_path / "project"
    shutil.copytree(cached, project, symlinks=True)
    outside = _outside(tmp_path)
    given = change(project)
    talk = {"url": "talk.wav", "title": "Talk", **given.get("talk", {})}
    others = [{"url": "talk.wav", "title": "Talk", "slug": f"again-{n}"} for n in range(3)]
    talks = {"defaults": {"event": "Conf", **given.get("defaults", {})}, "talks": [talk, *others]}
    transcribe = given.get("transcribe", "never")
    config = _site(project, talks, whisper_model, transcribe=transcribe)
    before = (_digest(outside), _digest(project, skip=(".yt2doc", "site")))
    started = time.process_time()
    build_site(config)
    taken = time.process_time() - started
    said = "\n".join([*plugin_log.warnings, *plugin_log.errors])
    assert "Traceback" not in said
    assert message in said, said[:2000]
    assert taken < BOUND, f"{name}: the build took {taken:.1f} s of CPU"
    assert (_digest(outside), _digest(project, skip=(".yt2doc", "site"))) == before
    _assert_nothing_leaked(project)
    assert shown in (project / "site" / "talks" / "talk" / "index.html").read_text()
    assert len(said) < 50_000, "one warning for each cut, not one for each line"


def test_replacements_leave_the_caption_files_own_lines_alone(
    cached: Path, tmp_path: Path, whisper_model: str
) -> None:
    """`replace: {1: one}` rewrote the SRT's cue numbers; the files' syntax is never text."""
    project = tmp_path / "project"
    shutil.copytree(cached, project, symlinks=True)
    replace = {"1": "one", "2": "two", "webvtt": "x", "00": "zz", "Dashwood": "Dashwud"}
    talks = {"talks": [{"url": "talk.wav", "title": "Talk", "replace": replace}]}
    build_site(_site(project, talks, whisper_model, transcribe="never"))
    folder = project / "site" / "talks" / "talk"
    srt = (folder / "talk.srt").read_text()
    assert srt.startswith("1\n00:00:00,000 --> ")
    assert "\n\n2\n00:00:05" in srt and "Dashwud" in srt and "Dashwood" not in srt
    web = (folder / "talk.vtt").read_text()
    assert web.startswith("WEBVTT\n") and "Dashwud" in web


def test_only_cue_text_is_replaced() -> None:
    replacer = Replacer((("1", "one"), ("note", "remark"), ("intro", "start"), ("x", "y")))
    srt = "1\n00:00:01,000 --> 00:00:02,000\nnote 1 x\nintro\n\n2\n00:00:03,000 --> 00:00:04,000\n1"
    assert replacer.captions(srt) == (
        "1\n00:00:01,000 --> 00:00:02,000\nremark one y\nstart\n\n"
        "2\n00:00:03,000 --> 00:00:04,000\none"
    )
    vtt = (
        "WEBVTT x\nKind: captions\n\nNOTE x and 1\n\nintro\n00:01.000 --> 00:02.000\nx 1\n\n"
        "STYLE\n::cue { color: x }\n"
    )
    assert replacer.captions(vtt) == (
        "WEBVTT x\nKind: captions\n\nNOTE x and 1\n\nintro\n00:01.000 --> 00:02.000\ny one\n\n"
        "STYLE\n::cue { color: x }\n"
    )


def _quick(work: Callable[[], Any], most: float) -> Any:
    started = time.process_time()
    result = work()
    taken = time.process_time() - started
    assert taken < most, f"took {taken:.1f} s of CPU"
    return result


def test_equal_names_take_linear_time() -> None:
    """6,000 equal titles took 9 s (each name tried every suffix before it)."""
    taken = Taken({"contents"})
    anchors = _quick(lambda: [anchor_for("Same", taken) for _ in range(50_000)], 2.0)
    assert anchors[:3] == ["same", "same-2", "same-3"] and anchors[-1] == "same-50000"
    assert len(set(anchors)) == 50_000
    # the first free suffix, as before: names taken by other means are skipped
    taken = Taken({"a", "a-3", "a-5"})
    assert [unique("a", taken) for _ in range(4)] == ["a-2", "a-4", "a-6", "a-7"]
    assert unique("a-2", taken) == "a-2-2" and unique("b", taken) == "b"


def test_long_cues_are_repaired_in_linear_time() -> None:
    """Two cues of 24,000 words took 44 s: each overlap size was compared in turn."""
    old = " ".join(f"w{n}" for n in range(60_000))
    rolling = " ".join(f"W{n}" for n in range(30_000, 60_000)) + " new words"
    cues = [Cue(0, 5, old), Cue(5, 9, rolling), Cue(9, 12, "w1 w2"), Cue(12, 13, "w2 w3")]
    repaired, _ = _quick(lambda: repair_cues(cues, None), 2.0)
    assert [c.text for c in repaired] == [old, "new words", "w1 w2", "w2 w3"]
    # a two-word repeat is kept unless it is the whole cue (a real "and so" is not a repeat)
    data = b"WEBVTT\n\n00:00.000 --> 00:01.000\na b c\n\n00:01.000 --> 00:02.000\nb c d\n"
    assert [c.text for c in parse_captions(data, "t.vtt", None).cues] == ["a b c", "b c d"]


def test_a_long_replace_is_built_once_and_runs_in_linear_time() -> None:
    pairs = (*((f"wrong{n}", f"right{n}") for n in range(40_000)), ("pie torch", "PyTorch"))
    replacer = _quick(lambda: Replacer(pairs), 1.0)
    text = " ".join(f"wrong{n * 7 % 50_000}, pie\ntorch" for n in range(50_000))
    out = _quick(lambda: replacer.text(text), 5.0)
    assert out.startswith("right0, PyTorch right7, PyTorch ")
    assert "wrong4" in out  # 40,000 and above: not keys


@pytest.mark.reliability("input", 3)
def test_a_glossary_and_replace_past_the_caps_are_cut_with_one_warning(
    plugin_log: PluginLog,
) -> None:
    terms = _quick(lambda: parse_glossary([f"t{n}" for n in range(40_000)], "talks.yml:3"), 1.0)
    assert terms == tuple(f"t{n}" for n in range(MAX_TERMS))
    [warning] = plugin_log.warnings
    assert f"talks.yml:3: 'glossary' has 40000 terms, more than the {MAX_TERMS} read" in warning
    assert f"'t{MAX_TERMS}' to 't39999'" in warning
    plugin_log.records.clear()
    pairs = parse_replace({"x" * 101: "y", "ok": "fine"}, "talks.yml:5")
    assert pairs == (("ok", "fine"),)
    [warning] = plugin_log.warnings
    assert "talks.yml:5: replace 'xxxx" in warning and "has a key of over 100 characters" in warning
    assert len(warning) < 400  # the key is cut in the message


@pytest.mark.reliability("input", 4)
def test_a_corrections_file_past_the_caps_is_read_with_a_warning_each(tmp_path: Path) -> None:
    path = tmp_path / "talk.md"
    body = "".join(f"## Part {n}\n\n[0:{n % 60:02d}] text {n}\n\n" for n in range(6_000))
    path.write_text("---\ntitle: T\n---\n\n" + body + "[0:00] late\n\n" * 100)
    corrections = _quick(lambda: read(path, None), 2.0)
    assert len(corrections.paragraphs) == MAX_PARAGRAPHS
    assert len(corrections.chapters) == MAX_CHAPTERS
    last = corrections.paragraphs[-1].text  # the paragraphs past the cap, joined to it
    assert last.startswith(f"text {MAX_PARAGRAPHS - 1} text {MAX_PARAGRAPHS} ")
    assert last.endswith(" text 5999" + " late" * 100)
    problems = corrections.problems
    assert sum("more than" in p for p in problems) == 2
    said = "\n".join(problems)
    assert f"talk.md:{5 + 4 * MAX_CHAPTERS}: more than {MAX_CHAPTERS} headings" in said
    assert f"talk.md:{7 + 4 * MAX_PARAGRAPHS}: more than {MAX_PARAGRAPHS} paragraphs" in said
    # many markers before the ones above them: the first few are listed, the rest counted
    assert len(problems) <= MAX_PROBLEMS + 3 and problems[-1].endswith("more problems, not listed")
    # every word of the file is on the page, up to the cap on words
    words = sum(len(p.text.split()) for p in corrections.paragraphs)
    assert words == 2 * 6_000 + 100


def test_a_heading_over_an_empty_paragraph_names_the_next_one(tmp_path: Path) -> None:
    path = tmp_path / "talk.md"
    path.write_text("[0:00] one\n\n[0:05]\n\n## Two\n\n[0:06]\n\n[0:07] two\n")
    corrections = read(path, None)
    assert [p.text for p in corrections.paragraphs] == ["one", "two"]
    assert corrections.chapters == ((1, "Two"),)


def test_the_cached_talk_is_the_one_the_rows_use(cached: Path) -> None:
    """The rows look for words of this talk (a replacement of 'Dashwood', say)."""
    [document] = cached.glob(".yt2doc/*/document.json")
    assert "Dashwood" in json.loads(document.read_text())["paragraphs"][0]["text"]
