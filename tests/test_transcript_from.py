"""`transcript_from`: captions from a page's <track>, from a file named in talks.yml, or Whisper.

The caption files say words that are not in the audio (LibriVox readings), so each test can
tell which text a page shows. The sources are served on 127.0.0.1 and read by the real yt-dlp;
Whisper is the real tiny.en.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from mkdocs_yt2doc.document.paragraphs import by_pauses
from mkdocs_yt2doc.records.settings import ParagraphSettings
from mkdocs_yt2doc.sources.caption_read import CaptionError, parse_captions, transcript_from_cues
from tests.conftest import (
    CLIPS,
    MediaServer,
    PluginLog,
    build_site,
    copy_clip,
    reference_text,
    wer,
    write_site,
)
from tests.htmlpage import read_page

GIRAFFES = (
    "WEBVTT\nKind: captions\nLanguage: en\n\n"
    "00:00:00.500 --> 00:00:02.000\npurple giraffes <i>dance</i> quietly\n\n"
    "00:00:02.000 --> 00:00:04.000\nunder seventeen lanterns &amp; kites\n"
)
OTTERS = (
    "1\n00:00:01,000 --> 00:00:02,500\nSeven otters juggle\n\n"
    "2\n00:00:02,500 --> 00:00:04,000\nmarmalade on Tuesdays.\n"
)


@dataclass
class Built:
    project: Path
    server: MediaServer
    log: PluginLog

    def page(self, slug: str) -> str:
        return (self.project / "site" / "talks" / slug / "index.html").read_text()

    def text(self, slug: str) -> str:
        return " ".join(
            p.text
            for p in read_page(self.project / "site" / "talks" / slug / "index.html").paragraphs
        )

    def warnings_for(self, title: str) -> list[str]:
        return [w for w in self.log.warnings if f"'{title}' (talks.yml:" in w]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, whisper_model: str) -> Iterator[Built]:
    root = tmp_path_factory.mktemp("captions")
    served = root / "served"
    served.mkdir()
    server = MediaServer(served)
    copy_clip(0, served / "clip0.wav")
    (served / "giraffes.vtt").write_text(GIRAFFES)
    (served / "page.html").write_text(
        "<html><head><title>Giraffes on a page</title></head><body>"
        '<video controls src="clip0.wav">'
        '<track kind="captions" src="giraffes.vtt" srclang="en" label="English"></video>'
        "</body></html>"
    )
    project = root / "project"
    copy_clip(1, project / "recordings" / "otters.wav")
    copy_clip(2, project / "recordings" / "fallback.wav")
    (project / "captions").mkdir(parents=True)
    (project / "captions" / "otters.srt").write_text(OTTERS)
    (project / "captions" / "empty.vtt").write_text("")
    talks = {
        "talks": [
            {"url": server.url("page.html"), "title": "Giraffes", "language": "en"},
            {"url": "recordings/otters.wav", "title": "Otters", "captions": "captions/otters.srt"},
            {
                "url": "recordings/fallback.wav",
                "title": "Fallback",
                "captions": "captions/empty.vtt",
            },
        ]
    }
    handler = PluginLog()
    logging.getLogger("mkdocs").addHandler(handler)
    try:
        config = write_site(project, talks, whisper={"model": whisper_model, "beam_size": 1})
        build_site(config)
    finally:
        logging.getLogger("mkdocs").removeHandler(handler)
    yield Built(project, server, handler)
    server.stop()


def test_a_pages_track_is_the_text_and_no_audio_is_fetched(built: Built) -> None:
    text = built.text("giraffes")
    assert text.startswith("purple giraffes dance quietly under seventeen lanterns & kites")
    assert "/clip0.wav" not in built.server.requests  # captions need no download
    assert "/giraffes.vtt" in built.server.requests
    assert "Transcript from the uploader&#x27;s captions (en)" in built.page("giraffes") or (
        "Transcript from the uploader's captions (en)" in built.page("giraffes")
    )
    stored = [
        json.loads(p.read_text())["settings"]
        for p in (built.project / ".yt2doc").glob("*/transcript.json")
    ]
    assert {"source": "captions", "captions_language": "en"} in stored


def test_a_caption_file_named_in_talks_yml_is_the_text(built: Built) -> None:
    assert built.text("otters") == "Seven otters juggle marmalade on Tuesdays."
    assert "Transcript from a caption file" in built.page("otters")
    # its timestamps are the cues': the paragraph starts at the first cue, 0:01
    assert 'data-t="1"' in built.page("otters")


def test_an_unusable_caption_file_falls_back_to_whisper_with_a_warning(built: Built) -> None:
    [warning] = built.warnings_for("Fallback")
    assert "captions/empty.vtt (talks.yml:" in warning and "is empty" in warning
    assert "trying whisper" in warning
    clip = CLIPS[2]
    assert wer(reference_text(clip), built.text("fallback")) < 0.35
    assert "Machine transcript (Whisper)" in built.page("fallback")


_PROBE = """
import json, sys
from mkdocs.commands.build import build
from mkdocs.config import load_config
build(load_config(sys.argv[1]))
loaded = {m.split(".")[0] for m in sys.modules}
print(json.dumps(sorted(loaded & {"faster_whisper", "ctranslate2", "av"})))
"""


def test_a_talk_from_captions_loads_no_whisper(tmp_path: Path, media_server: MediaServer) -> None:
    copy_clip(0, media_server.root / "clip0.wav")
    (media_server.root / "giraffes.vtt").write_text(GIRAFFES)
    (media_server.root / "page.html").write_text(
        '<html><body><video src="clip0.wav"><track kind="captions" src="giraffes.vtt" '
        'srclang="en"></video></body></html>'
    )
    talks = [{"url": media_server.url("page.html"), "title": "Giraffes"}]
    config = write_site(tmp_path / "p", talks, whisper={"model": "/nonexistent/model"})
    result = subprocess.run(
        [sys.executable, "-c", _PROBE, str(config)],
        capture_output=True, text=True, check=True, timeout=120,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )  # fmt: skip
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []
    assert (
        "purple giraffes"
        in (tmp_path / "p" / "site" / "talks" / "giraffes" / "index.html").read_text()
    )


def test_cues_become_words_spread_by_length() -> None:
    captions = parse_captions(GIRAFFES.encode(), "giraffes.vtt", None)
    assert captions.language == "en"
    transcript = transcript_from_cues(captions.cues, "en", 10.0, {"source": "captions"})
    words = transcript.words
    assert [w.text.strip() for w in words[:4]] == ["purple", "giraffes", "dance", "quietly"]
    assert words[0].start == 0.5 and words[3].end == pytest.approx(2.0)
    # "giraffes" (8 letters) takes longer than "dance" (5)
    assert words[1].end - words[1].start > words[2].end - words[2].start
    assert transcript.duration == 10.0


def test_unpunctuated_captions_still_make_paragraphs_of_a_readable_length() -> None:
    cues = "".join(
        f"00:{i // 60:02d}:{i % 60:02d}.000 --> 00:{i // 60:02d}:{i % 60:02d}.900\n"
        f"and then we talked about the thing number {i}\n\n"
        for i in range(0, 240, 2)
    )
    captions = parse_captions(("WEBVTT\n\n" + cues).encode(), "x.vtt", None)
    transcript = transcript_from_cues(captions.cues, "en", None, {})
    paragraphs = by_pauses(transcript.words, ParagraphSettings())
    sizes = [len(p.text.split()) for p in paragraphs]
    assert len(paragraphs) >= 6 and max(sizes) <= 135, sizes  # not one 200-word block
    # each paragraph ends at a cue boundary (the widest pause), never inside a cue
    assert all(p.text.split()[-1].isdigit() for p in paragraphs[:-1])


@pytest.mark.reliability("input")
@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "is empty"),
        (b"just some words, no timings at all", "is not a WebVTT or SRT caption file"),
        (b"\xff\xfe\x00garbage", "is not UTF-8 text"),
        (b"WEBVTT\n\n", "has no cues with text"),
        (b'{"cues": []}', "is not a WebVTT or SRT caption file"),
        (b"WEBVTT\n\n00:10:00.000 --> 00:10:02.000\nlate\n", "after the end of the recording"),
    ],
)
def test_unusable_caption_files_say_why(data: bytes, message: str) -> None:
    with pytest.raises(CaptionError, match=message) as info:
        parse_captions(data, "talk.vtt (talks.yml:4)", 60.0)
    assert "talk.vtt (talks.yml:4)" in str(info.value)


def test_disordered_overlapping_and_late_cues_are_repaired() -> None:
    text = (
        "WEBVTT\n\n"
        "00:00:05.000 --> 00:00:07.000\nthird cue here\n\n"
        "00:00:01.000 --> 00:00:03.500\nfirst cue here\n\n"
        "00:00:03.000 --> 00:00:05.000\nsecond cue here\n\n"
        "00:00:09.000 --> 00:00:12.000\nruns past the end\n\n"
        "00:00:20.000 --> 00:00:22.000\nafter the end\n"
    )
    captions = parse_captions(text.encode(), "t.vtt", 10.0)
    assert [c.text for c in captions.cues] == [
        "first cue here", "second cue here", "third cue here", "runs past the end"
    ]  # fmt: skip
    assert all(a.end <= b.start for a, b in itertools.pairwise(captions.cues))
    assert captions.cues[-1].end == 10.0
    repairs = " ".join(captions.repairs)
    assert "out of order" in repairs and "overlapped" in repairs and "after the end" in repairs


def test_rolling_captions_lose_their_repeated_lines() -> None:
    text = (
        "WEBVTT\n\n"
        "00:00:01.000 --> 00:00:03.000\nwelcome everyone to the\n\n"
        "00:00:03.000 --> 00:00:05.000\nwelcome everyone to the\nlast talk of the day\n\n"
        "00:00:05.000 --> 00:00:07.000\nlast talk of the day\nabout <00:00:05.500><c>otters</c>\n"
    )
    captions = parse_captions(text.encode(), "auto.vtt", None)
    joined = " ".join(c.text for c in captions.cues)
    assert joined == "welcome everyone to the last talk of the day about otters"


@pytest.mark.reliability("input", 4)
def test_bad_caption_sources_name_the_talk_and_the_cause(
    tmp_path: Path, media_server: MediaServer, plugin_log: PluginLog
) -> None:
    """Without whisper in transcript_from, unusable captions leave a placeholder that says
    why; nothing is downloaded or transcribed."""
    copy_clip(0, media_server.root / "clip0.wav")
    (media_server.root / "german.vtt").write_text(GIRAFFES.replace("Language: en", ""))
    (media_server.root / "page.html").write_text(
        '<html><body><video src="clip0.wav"><track kind="captions" src="german.vtt" '
        'srclang="de"></video></body></html>'
    )
    project = tmp_path / "p"
    copy_clip(1, project / "a.wav")
    copy_clip(2, project / "b.wav")
    copy_clip(3, project / "c.wav")
    (project / "de.vtt").write_text(GIRAFFES.replace("Language: en", "Language: de"))
    talks = [
        {"url": "a.wav", "title": "Missing", "captions": "missing.vtt"},
        {"url": "b.wav", "title": "German", "captions": "de.vtt", "language": "en"},
        {"url": media_server.url("page.html"), "title": "Track", "language": "en"},
        {"url": "c.wav", "title": "None at all"},
    ]
    config = write_site(project, talks, transcript_from=["captions"])
    build_site(config)
    expected = {
        "Missing": "no such caption file: missing.vtt (talks.yml:",
        "German": "de.vtt (talks.yml:4) is in 'de', the talk in 'en'",
        "Track": "the source's captions are in de, not in 'en'",
        "None at all": "no usable captions (the talk has none), and transcript_from has no whisper",
    }
    for title, message in expected.items():
        found = [w for w in plugin_log.warnings if f"'{title}' (talks.yml:" in w]
        assert any(message in w for w in found), (title, found)
    assert "/clip0.wav" not in media_server.requests
    page = (project / "site" / "talks" / "german" / "index.html").read_text()
    assert "No transcript yet" in page
    assert not list((project / ".yt2doc").glob("*/transcript.json"))
    assert "Traceback" not in "\n".join(plugin_log.warnings)


def test_a_caption_file_outside_the_project_is_refused(tmp_path: Path) -> None:
    from mkdocs_yt2doc.catalog.load import load_catalog
    from mkdocs_yt2doc.catalog.talk_fields import CatalogError

    project = tmp_path / "p"
    copy_clip(0, project / "a.wav")
    (tmp_path / "secret.vtt").write_text(GIRAFFES)
    (project / "talks.yml").write_text("- url: a.wav\n  captions: ../secret.vtt\n")
    with pytest.raises(CatalogError, match=r"talks.yml:2: \.\./secret.vtt lies outside"):
        load_catalog(project / "talks.yml")
    (project / "talks.yml").write_text("- url: a.wav\n  captions: notes.txt\n")
    with pytest.raises(CatalogError, match="is not a caption file"):
        load_catalog(project / "talks.yml")


def test_which_of_the_sources_captions_a_talk_takes() -> None:
    from mkdocs_yt2doc.pipeline.caption_source import choose_track
    from mkdocs_yt2doc.records.media import CaptionTrack
    from mkdocs_yt2doc.sources.ytdlp import caption_tracks

    info = {
        "subtitles": {"en-GB": [{"ext": "srv3", "url": "https://x/a"},
                                {"ext": "vtt", "url": "https://x/en.vtt"}],
                      "de": [{"ext": "vtt", "url": "https://x/de.vtt"}],
                      "live_chat": [{"ext": "json", "url": "https://x/chat"}],
                      "../evil": [{"ext": "vtt", "url": "https://x/e.vtt"}]},
        "automatic_captions": {"fr": [{"ext": "vtt", "url": "https://x/fr.vtt"}],
                               "en-orig": [{"ext": "vtt", "url": "https://x/orig.vtt"}],
                               "es": [{"ext": "vtt", "url": "file:///etc/passwd"}]},
    }  # fmt: skip
    tracks = caption_tracks(info)
    assert tracks == (
        CaptionTrack("en-GB", "https://x/en.vtt", "vtt"),
        CaptionTrack("de", "https://x/de.vtt", "vtt"),
        CaptionTrack("fr", "https://x/fr.vtt", "vtt", auto=True),
        CaptionTrack("en-orig", "https://x/orig.vtt", "vtt", auto=True),
    )
    assert choose_track(tracks, False, "en", None) == tracks[0]  # en matches en-GB
    assert choose_track(tracks, False, None, "de") == tracks[1]  # the language the source says
    with pytest.raises(CaptionError, match=r"several languages \(de, en-GB\)"):
        choose_track(tracks, False, None, None)
    with pytest.raises(CaptionError, match="are in de, en-GB, not in 'ja'"):
        choose_track(tracks, False, "ja", None)
    # automatic captions: the track heard (-orig), not a machine translation
    assert choose_track(tracks, True, None, None) == tracks[3]
    assert choose_track(tracks, True, "fr", None) == tracks[2]
    assert choose_track((), True, "en", None) is None
