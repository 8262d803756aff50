"""Small, pure pieces: time codes, links to sources, escaping, chapter precedence, paragraphs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from mkdocs_yt2doc.archive.player import time_url
from mkdocs_yt2doc.cache.store import dumps
from mkdocs_yt2doc.catalog.load import load_catalog
from mkdocs_yt2doc.document.chapters import build_document
from mkdocs_yt2doc.document.paragraphs import by_pauses, snap_to_sentences, split_at
from mkdocs_yt2doc.records.document import Document
from mkdocs_yt2doc.records.media import Media
from mkdocs_yt2doc.records.settings import ParagraphSettings
from mkdocs_yt2doc.records.talk import ChapterMark, Talk
from mkdocs_yt2doc.records.transcript import Segment, Transcript, Word
from mkdocs_yt2doc.sources.ytdlp import media_from_info, media_key
from mkdocs_yt2doc.transcribe.whisper import choose_device
from mkdocs_yt2doc.util.escape import inert, safe_url
from mkdocs_yt2doc.util.timecode import format_timecode, parse_timecode
from tests.conftest import PluginLog


@pytest.mark.parametrize(
    ("value", "seconds"),
    [("0:00", 0), ("12:30", 750), (750, 750), ("1:02:03", 3723), ("754", 754), (1.5, 1.5)],
)
def test_parse_timecode(value: object, seconds: float) -> None:
    assert parse_timecode(value) == seconds


@pytest.mark.parametrize("value", ["1:75", "soon", -3, True, "1:2:3:4"])
def test_parse_timecode_rejects(value: object) -> None:
    with pytest.raises(ValueError):
        parse_timecode(value)


def test_format_timecode() -> None:
    assert [format_timecode(s) for s in (0, 59.9, 754, 3723)] == [
        "0:00",
        "0:59",
        "12:34",
        "1:02:03",
    ]


def test_catalog_reads_the_documented_example(tmp_path: Path) -> None:
    (tmp_path / "recordings").mkdir()
    (tmp_path / "recordings" / "lightning-1.m4a").write_bytes(b"")
    (tmp_path / "talks.yml").write_text(
        """
defaults:
  event: PyCon 2026
talks:
  - https://www.youtube.com/watch?v=XXXXXXXXXXX
  - url: https://vimeo.com/123456
    title: Better title than the upload's
    speakers: [Ada Lovelace]
    date: 2026-05-14
    tags: [compilers, keynote]
    language: en
    slug: compilers-keynote
    chapters:
      - {start: "0:00", title: Welcome}
      - {start: 12:30, title: The new parser}
  - url: recordings/lightning-1.m4a
"""
    )
    catalog = load_catalog(tmp_path / "talks.yml")
    first, second, third = catalog.talks
    assert first.url.endswith("XXXXXXXXXXX") and first.event == "PyCon 2026"
    assert first.where == "talks.yml:5"
    assert second.speakers == ("Ada Lovelace",) and second.date == dt.date(2026, 5, 14)
    assert second.chapters == (ChapterMark(0, "Welcome"), ChapterMark(750, "The new parser"))
    assert second.where == "talks.yml:6"
    assert third.local_path == (tmp_path / "recordings" / "lightning-1.m4a").resolve()
    assert load_catalog_bare_list(tmp_path) == 1


def load_catalog_bare_list(folder: Path) -> int:
    (folder / "bare.yml").write_text("- https://example.org/talk.mp3\n")
    return len(load_catalog(folder / "bare.yml").talks)


def _media(extractor: str, media_id: str, url: str) -> Media:
    return Media(key="k", url=url, webpage_url=url, extractor=extractor, id=media_id)


def test_time_links_per_site() -> None:
    youtube = _media("youtube", "dQw4w9WgXcQ", "https://www.youtube.com/watch?v=dQw4w9WgXcQ")
    assert time_url(youtube, 123.9) == "https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=123s"
    vimeo = _media("vimeo", "123456", "https://vimeo.com/123456")
    assert time_url(vimeo, 61) == "https://vimeo.com/123456#t=61s"
    direct = _media("generic", "a", "https://cdn.example.org/a.mp3#old")
    assert time_url(direct, 5) == "https://cdn.example.org/a.mp3#t=5"
    hostile = _media("generic", "a", "javascript:alert(1)")
    assert time_url(hostile, 5) is None
    local = _media("file", "a.wav", "a.wav")
    assert time_url(local, 7, "a b.wav") == "a%20b.wav#t=7"


def test_only_http_urls_survive() -> None:
    assert safe_url("https://example.org/a?b=1&c=(2)") == "https://example.org/a?b=1&c=%282%29"
    for bad in ("javascript:alert(1)", "data:text/html,x", "//evil.org", "ftp://x.org/a", ""):
        assert safe_url(bad) is None
    assert safe_url('https://e.org/"><script>') == "https://e.org/%22%3E%3Cscript%3E"


def test_inert_text_has_no_syntax_left() -> None:
    text = inert("<script>alert(1)</script> {{ x }} [a](b) **b** !!! note\n---\u200b\u202e")
    for char in "<>{}[]()*!-":
        assert char not in text
    assert "\u200b" not in text and "\u202e" not in text and "\n" not in text


def test_media_keys_are_stable_and_safe() -> None:
    assert media_key("Youtube", "dQw4w9WgXcQ", "u") == "youtube-dQw4w9WgXcQ"
    key = media_key("Generic", "../../etc/passwd", "https://e.org/x")
    assert "/" not in key and ".." not in key and key.startswith("generic-")
    assert key != media_key("Generic", "../../etc/passwd", "https://e.org/y")


def _document(talk: Talk, media: Media, transcript: Transcript) -> Document:
    paragraphs = by_pauses(transcript.words, ParagraphSettings(target_words=3, min_words=1))
    return build_document(talk, media, transcript, paragraphs, "pauses", None)


def test_source_chapters_are_kept_and_yaml_chapters_win() -> None:
    info = {
        "extractor_key": "Youtube",
        "id": "abcdefghijk",
        "webpage_url": "https://www.youtube.com/watch?v=abcdefghijk",
        "title": "T",
        "duration": 60,
        "url": "https://cdn/x",
        "chapters": [
            {"start_time": 0, "end_time": 30, "title": "Intro"},
            {"start_time": 30, "end_time": 35, "title": "Too short"},
            {"start_time": 35, "end_time": 60, "title": "Main"},
        ],
    }
    media = media_from_info(info["webpage_url"], info)
    assert [c.title for c in media.chapters] == ["Intro", "Too short", "Main"]
    words = tuple(Word(float(i), i + 0.5, f" w{i}.", 1.0) for i in range(60))
    transcript = Transcript("en", 60.0, (Segment(0, 60, "x", words),))
    talk = Talk(url=media.url, where="talks.yml:1")
    document = _document(talk, media, transcript)
    assert document.chapter_origin == "source"  # and the 5 s chapter is merged away
    assert [(c.title, document.paragraphs[c.first_paragraph].start) for c in document.chapters] == [
        ("Intro", 0.0),
        ("Main", 35.0),
    ]
    yaml_talk = Talk(url=media.url, where="talks.yml:1", chapters=(ChapterMark(0, "Only"),))
    assert _document(yaml_talk, media, transcript).chapter_origin == "yaml"
    ignoring = Talk(url=media.url, where="talks.yml:1", ignore_source_chapters=True)
    assert _document(ignoring, media, transcript).chapter_origin == "single"


def test_paragraphs_break_at_sentence_ends_and_pauses() -> None:
    settings = ParagraphSettings(target_words=6, min_words=3, max_words=10, pause=1.0)
    words = [
        Word(i * 0.4, i * 0.4 + 0.3, f" w{i}" + ("." if i % 4 == 3 else ""), 1) for i in range(16)
    ]
    paragraphs = by_pauses(words, settings)
    assert [p.text.count("w") for p in paragraphs] == [8, 8]
    assert paragraphs[1].start == words[8].start and paragraphs[1].first_word == 8
    # a long pause after a sentence ends a paragraph early
    paused = [*words[:4], *(Word(w.start + 5, w.end + 5, w.text, 1) for w in words[4:8])]
    assert [p.text.count("w") for p in by_pauses(paused, settings)] == [4, 4]
    # a chapter start inside a paragraph splits it there
    split = split_at(words, paragraphs, [4])
    assert [(p.first_word, p.last_word) for p in split] == [(0, 3), (4, 7), (8, 15)]


def test_device_choice() -> None:
    assert choose_device("auto", "auto", 0) == ("cpu", "int8")
    assert choose_device("auto", "auto", 2) == ("cuda", "float16")
    assert choose_device("cpu", "float32", 1) == ("cpu", "float32")


def test_store_json_is_stable() -> None:
    text = dumps({"b": [{"y": 1, "x": 2}], "a": "é"})
    assert text == '{\n  "a": "é",\n  "b": [\n    {"x": 2, "y": 1}\n  ]\n}\n'


def test_chapter_marks_snap_to_the_nearest_sentence_start() -> None:
    words = [Word(0, 1, " One.", 1), Word(9.2, 9.5, " Now", 1), Word(9.6, 10, " two.", 1)]
    assert snap_to_sentences(words, [10.0, 30.0]) == [1, 3]  # 30: after the last word


def test_search_cap_marks_later_paragraphs_for_exclusion() -> None:
    from mkdocs_yt2doc.archive.talk_page import talk_page
    from mkdocs_yt2doc.archive.views import TalkView
    from mkdocs_yt2doc.records.document import Chapter, Paragraph

    paragraphs = tuple(Paragraph(i * 10.0, i * 10 + 9.0, "word " * 40) for i in range(4))
    document = Document(
        paragraphs=paragraphs,
        chapters=(Chapter(0, "One", 0, "one"), Chapter(20, "Two", 2, "two")),
        chapter_origin="yaml",
        inputs={},
        transcript_digest="",
    )
    view = TalkView("t", "T", (), None, None, (), None, None, document, None)
    assert "data-search-exclude" not in talk_page(view)
    capped = talk_page(view, search_words_per_chapter=30)
    excluded = [line for line in capped.splitlines() if "data-search-exclude" in line]
    assert [line.split('id="')[1][:3] for line in excluded] == ["t10", "t30"]  # 2nd of each


@pytest.mark.reliability("input")
def test_chapter_after_the_end_is_left_out_with_a_warning(plugin_log: PluginLog) -> None:
    words = tuple(Word(float(i), i + 0.5, f" w{i}.", 1.0) for i in range(30))
    transcript = Transcript("en", 30.0, (Segment(0, 30, "x", words),))
    media = Media(key="k", url="u", webpage_url="u", extractor="file", id="a.wav")
    marks = (ChapterMark(0, "Start"), ChapterMark(95, "Later"))
    talk = Talk(url="a.wav", where="talks.yml:4", title="T", chapters=marks)
    document = _document(talk, media, transcript)
    assert [c.title for c in document.chapters] == ["Start"]
    assert plugin_log.warnings == [
        "yt2doc: T (talks.yml:4): chapter 'Later' starts at 1:35, after the end of the "
        "recording (0:30); it is left out"
    ]
