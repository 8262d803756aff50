"""Caption cues from a real transcript, the download formats, and which player a talk gets."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

from mkdocs_yt2doc.archive.player import iso_duration, player_for
from mkdocs_yt2doc.archive.views import TalkView
from mkdocs_yt2doc.document.captions import MAX_CHARS, MAX_SECONDS, caption_cues, srt, vtt
from mkdocs_yt2doc.records.media import Media
from mkdocs_yt2doc.records.transcript import Cue, Transcript

EXAMPLE_CACHE = Path(__file__).parent.parent / "example-site" / ".yt2doc"


def _transcript() -> Transcript:
    path = next(EXAMPLE_CACHE.glob("file-small-telescopes-*/transcript.json"))
    return Transcript.from_json(json.loads(path.read_text()))


def test_cues_fit_on_screen_and_keep_every_word() -> None:
    transcript = _transcript()
    cues = caption_cues(transcript.words)
    assert len(cues) > 30
    for cue in cues:
        assert len(cue.text) <= MAX_CHARS
        assert cue.end - cue.start <= MAX_SECONDS + 1.0  # a last long word may overrun
        assert cue.start < cue.end
    for before, after in itertools.pairwise(cues):
        assert before.end <= after.start  # in order, never overlapping
    words = " ".join("".join(w.text for w in transcript.words).split())
    assert " ".join(c.text for c in cues) == words


def test_srt_and_vtt_timings_and_escaping() -> None:
    cues = [Cue(0.0, 2.5, "Hello <b>there</b> & --> you"), Cue(3723.25, 3725.0, "Later.")]
    out = srt(cues)
    assert out.startswith("1\n00:00:00,000 --> 00:00:02,500\n")
    assert "2\n01:02:03,250 --> 01:02:05,000\nLater.\n" in out
    assert "<b>" not in out  # SRT players read tags
    web = vtt(cues)
    assert web.startswith("WEBVTT\n\n00:00:00.000 --> 00:00:02.500\n")
    assert "Hello &lt;b&gt;there&lt;/b&gt; &amp; --&gt; you" in web
    assert len(re.findall(r" --> ", web)) == 2  # the text's arrow cannot start a cue


def _view(media: Media, media_href: str | None = None) -> TalkView:
    return TalkView("s", "T", (), None, None, (), None, media, None, None, media_href=media_href)


def _media(extractor: str, id: str, url: str) -> Media:
    return Media(key="k", url=url, webpage_url=url, extractor=extractor, id=id)


def test_each_source_gets_its_player() -> None:
    youtube = player_for(_view(_media("youtube", "abcdefghijk", "https://youtu.be/x")))
    assert youtube is not None and (youtube.kind, youtube.ref) == ("youtube", "abcdefghijk")
    vimeo = player_for(_view(_media("vimeo", "76979871", "https://vimeo.com/76979871")))
    assert vimeo is not None and vimeo.kind == "vimeo"
    direct = player_for(_view(_media("generic", "ep1", "https://cdn.example/ep1.mp3?x=1")))
    assert direct is not None and (direct.kind, direct.ref) == (
        "audio",
        "https://cdn.example/ep1.mp3?x=1",
    )
    video = player_for(_view(_media("generic", "v", "https://cdn.example/talk.webm")))
    assert video is not None and video.kind == "video"
    local = player_for(_view(_media("file", "a.wav", "talks/a.wav"), media_href="a.wav"))
    assert local is not None and (local.kind, local.ref) == ("audio", "a.wav")
    # a page of some other site: no player, the timestamps link to the page
    assert player_for(_view(_media("generic", "p", "https://example.org/talk"))) is None
    assert player_for(_view(_media("generic", "p", "javascript:alert(1)//x.mp3"))) is None
    # a YouTube id that is not one cannot reach the embed URL
    assert player_for(_view(_media("youtube", "../../x", "https://youtu.be/x"))) is None


def test_iso_durations() -> None:
    assert iso_duration(754.9) == "PT12M34S"
    assert iso_duration(3723) == "PT1H2M3S"
    assert iso_duration(59) == "PT59S"
