"""A person's corrections outlive any model, paragraph by paragraph (issue 27).

The pieces first, on transcripts made here: no phantom edits (a file `correct` wrote and
nobody changed reads back with no edits, and one changed word is one edit, over Whisper's
tokens, hyphens, numbers, scripts without spaces and the hostile strings), the seams between
an edited paragraph and the rest (each word once), a paragraph with no speech left, and old
`corrected_from.json` files. Then the whole workflow with real faster-whisper: tiny.en,
`correct`, an edited word and chapter title, `prefetch --refresh` with base, and the same
after the talk switches to captions.
"""

from __future__ import annotations

import html
import itertools
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mkdocs_yt2doc.archive.corrected import corrections_file
from mkdocs_yt2doc.archive.corrections import parse
from mkdocs_yt2doc.archive.edits import Base, compare
from mkdocs_yt2doc.archive.placing import place
from mkdocs_yt2doc.cache.files import validate
from mkdocs_yt2doc.document.chapters import anchor_for, transcript_digest
from mkdocs_yt2doc.document.paragraphs import paragraph_of
from mkdocs_yt2doc.records.document import Chapter, Document
from mkdocs_yt2doc.records.transcript import Segment, Transcript, Word
from mkdocs_yt2doc.util.names import Taken
from tests.conftest import CLIPS, build_site, reference_text, write_site
from tests.htmlpage import read_page
from tests.speech_talks import Topic, WrittenTalk, speak
from tests.test_cli import cli
from tests.test_hostile import PAYLOADS

EXAMPLE = Path(__file__).parent.parent / "example-site"
PATH = Path("talk.md")


def _whisper_words() -> list[str]:
    """Word texts as Whisper wrote them (leading space, "-wrench", "'s", "1,000."): the
    example site's cached transcripts."""
    found = []
    for path in sorted((EXAMPLE / ".yt2doc").glob("*/transcript.json")):
        data = json.loads(path.read_text())
        found += [w["text"] for s in data["segments"] for w in s["words"]]
    return found


SPEECH = [" " + w for c in CLIPS for w in reference_text(c).split()]  # the test speech
TOKENS = [
    " en", "-wrench", " carpeting", " Wignon", "-Lacun,", " goodwill", "-discussed", " don't",
    " it", "'s", " 1,000", " 3.5%", " 1990s.", " -", " …", " —", " (", "hello", ")", " ?!",
    " 你好", "世界", " こんにちは", " Привет", " مرحبا", " ", "", " 'quoted'", ' "so"',
]  # fmt: skip
VOCAB = sorted(set(_whisper_words()[:400] + SPEECH[:200] + TOKENS + [" " + p for p in PAYLOADS]))
HEADINGS = [*PAYLOADS, "Opening", "## not a heading", "  spaced  out  ", "[0:00] marker"]


def _split(text: str) -> list[str]:
    return text.split(" ")


def _transcript(texts: list[str], step: float = 0.5) -> Transcript:
    words = tuple(Word(n * step, n * step + 0.4, t, 0.9) for n, t in enumerate(texts))
    return Transcript("en", len(texts) * step + 1, (Segment(0, len(texts) * step, "", words),))


def _document(transcript: Transcript, cuts: list[int], heads: list[str] | None,
              summary: str | None) -> Document:  # fmt: skip
    """Paragraphs of the words between `cuts`, a chapter per `heads` title ("single" without)."""
    words = transcript.words
    bounds = [*sorted({0, *(c % len(words) for c in cuts)}), len(words)]
    paragraphs = tuple(
        paragraph_of(words, a, b - 1) for a, b in itertools.pairwise(bounds) if b > a
    )
    taken = Taken({"contents"})
    titles = heads or ["Talk"]
    chapters = tuple(
        Chapter(paragraphs[i].start, t, i, anchor_for(t, taken))
        for i, t in enumerate(titles[: len(paragraphs)])
    )
    return Document(paragraphs, chapters, "offline" if heads else "single", {},
                    transcript_digest(transcript), summary=summary)  # fmt: skip


def _written(document: Document, transcript: Transcript) -> tuple[str, dict[str, Any]]:
    text, base = corrections_file(document, "A talk", transcript, transcript.duration)
    # what the cache will read back: the file's schema, strict
    validate("corrected_from.json", json.dumps({**base, "schema": 1}))
    return text, base


talks = st.builds(
    lambda texts, cuts, heads, summary: (texts, cuts, heads, summary),
    st.lists(
        st.one_of(st.sampled_from(VOCAB), st.text(max_size=8).map(lambda t: " " + t)),
        min_size=1,
        max_size=80,
    ),
    st.lists(st.integers(0, 200), max_size=8),
    st.none() | st.lists(st.sampled_from(HEADINGS), min_size=1, max_size=4),
    st.none() | st.sampled_from(PAYLOADS),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(talks)
def test_an_unchanged_file_has_no_edits_and_one_changed_word_is_one(talk: Any) -> None:
    texts, cuts, heads, summary = talk
    if not "".join(texts).strip():
        return  # no words: `correct` has no paragraph to write
    transcript = _transcript([t.replace("\0", "") for t in texts])
    document = _document(transcript, cuts, heads, summary)
    text, base = _written(document, transcript)
    corrections = parse(PATH, text, transcript.duration)
    compared = compare(corrections, Base.from_json(base))
    assert compared.edits == () and not any(compared.edited)
    # ... and the page shows the transcript's own paragraphs, word for word
    placed = place(corrections, transcript.words, {p.first_word for p in document.paragraphs},
                   compared, same_transcript=True)  # fmt: skip
    bounds = [*placed.paragraph_starts, len(placed.words)]
    shown = [" ".join("".join(t for t, _, _ in placed.words[a:b]).split())
             for a, b in itertools.pairwise(bounds)]  # fmt: skip
    assert shown == [p.text for p in document.paragraphs if p.text]
    assert placed.unplaced == []
    # an old-format corrected_from.json (the machine words only) agrees
    old = {"transcript_digest": base["transcript_digest"],
           "words": [w.text.strip() for w in transcript.words if w.text.strip()]}  # fmt: skip
    assert compare(corrections, Base.from_json(old)).edits == ()
    # one word changed: one edit, in that paragraph only
    lines = text.split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith("[") and line.split()[1:])
    marker, _, body = lines[at].partition(" ")
    tokens = body.split()
    tokens[len(tokens) // 2] = "EDITED" if tokens[len(tokens) // 2] != "EDITED" else "OTHER"
    lines[at] = f"{marker} {' '.join(tokens)}"
    changed = parse(PATH, "\n".join(lines), transcript.duration)
    once = compare(changed, Base.from_json(base))
    assert len(once.edits) == 1, once.edits
    assert once.edits[0].line == at + 1 and once.edited.count(True) == 1


@pytest.mark.reliability("payload", len(PAYLOADS))
def test_the_hostile_strings_read_back_with_no_edits() -> None:
    """Each payload as a paragraph, a heading and the summary."""
    texts = [" " + p for p in PAYLOADS for _ in range(2)]
    transcript = _transcript(texts)
    document = _document(transcript, list(range(0, len(texts), 2)), PAYLOADS, PAYLOADS[12])
    text, base = _written(document, transcript)
    corrections = parse(PATH, text, transcript.duration)
    assert compare(corrections, Base.from_json(base)).edits == ()
    assert [t for _, t in corrections.chapters] == [" ".join(p.split()) for p in PAYLOADS]
    title = text.replace("## # heading ## another", "## Renamed")
    renamed = compare(parse(PATH, title, transcript.duration), Base.from_json(base))
    assert [(e.before, e.after) for e in renamed.edits] == [("# heading ## another", "Renamed")]


def _file(*paragraphs: tuple[float, str]) -> str:
    return "\n\n".join(f"[{int(s) // 60}:{int(s) % 60:02d}] {t}" for s, t in paragraphs) + "\n"


def test_words_at_the_seams_are_split_by_time_each_once() -> None:
    """Three paragraphs; the middle one edited; a new model times every word otherwise and
    hears the untouched ones differently: they show its words, the edited one the person's,
    on the new times, and no new word is shown twice or lost."""
    old = _transcript(_split("one two three four five six seven eight nine"), step=1.0)
    old = _transcript([" " + w.text for w in old.words], step=1.0)
    document = _document(old, [3, 6], None, None)
    text, base = _written(document, old)
    text = text.replace("four five six", "FOUR five six and more")
    corrections = parse(PATH, text, 20.0)
    compared = compare(corrections, Base.from_json(base))
    assert compared.edited == (False, True, False) and len(compared.edits) == 2
    # the new model: words a third of a second later, "tree" for "three", "sex" for "six"
    new_texts = _split("one two tree four five sex seven ate nine")
    new = tuple(Word(n + 0.3, n + 1.1, " " + t, 0.9) for n, t in enumerate(new_texts))
    transcript = Transcript("en", 12.0, (Segment(0, 10, "", new),))
    placed = place(corrections, transcript.words, {0, 3, 6}, compared, same_transcript=False)
    shown = [(t.strip(), round(s, 2)) for t, s, _ in placed.words]
    assert [t for t, _ in shown] == [
        "one", "two", "tree", "FOUR", "five", "six", "and", "more", "seven", "ate", "nine",
    ]  # fmt: skip
    times = dict(shown)
    assert times["tree"] == 2.3 and times["FOUR"] == 3.3 and times["seven"] == 6.3
    assert times["five"] == 4.3  # the person's word on the new word's time
    assert 5.3 <= times["and"] < times["more"] <= 6.3  # added words share the gap
    assert placed.paragraph_owners == [0, 1, 2] and placed.edited == 1


def test_a_paragraph_with_no_speech_left_is_shown_at_its_marker_and_named() -> None:
    old = _transcript([f" w{n}" for n in range(30)], step=1.0)
    document = _document(old, [10, 20], None, None)
    text, base = _written(document, old)
    text = text.replace("w10 w11", "Person's w10 w11")
    corrections = parse(PATH, text, 40.0)
    compared = compare(corrections, Base.from_json(base))
    # captions that stop at 9 s: nothing in the second paragraph's time
    new = tuple(Word(n, n + 0.5, f" c{n}", 1.0) for n in range(9))
    placed = place(corrections, list(new), {0}, compared, same_transcript=False)
    line = next(p.line for p in corrections.paragraphs if "Person's" in p.text)
    assert placed.unplaced == [f"talk.md:{line}: Person's w10 w11 w12 w13 w14 w15 w16 w17 w18 w19"]
    person = [(t.strip(), s) for t, s, _ in placed.words if t.strip().startswith(("P", "w"))]
    assert person[0] == ("Person's", 10.0)  # at its marker, as written
    assert [t for t, _ in person][1:] == [f"w{n}" for n in range(10, 20)]


def test_an_old_corrected_from_json_still_tells_edits_apart(tmp_path: Path) -> None:
    """Before paragraphs were kept, corrected_from.json held the machine words only: the
    hyphenated words tiny.en wrote made seven phantom edits. Now none; a real one is one."""
    texts = _split("en -wrench carpeting , Wignon -Lacun, and goodwill -discussed it 's fine")
    texts = [(" " + t if not t.startswith(("-", "'", ",")) else t) for t in texts]
    transcript = _transcript(texts)
    document = _document(transcript, [6], None, None)
    text, _ = _written(document, transcript)
    assert "en-wrench carpeting, Wignon-Lacun," in text
    old = {"transcript_digest": "0" * 16, "words": [t.strip() for t in texts]}
    validate("corrected_from.json", json.dumps({**old, "schema": 1}))
    corrections = parse(PATH, text, None)
    assert compare(corrections, Base.from_json(old)).edits == ()
    edited = parse(PATH, text.replace("goodwill-discussed", "good will discussed"), None)
    assert compare(edited, Base.from_json(old)).edited == (False, True)


def _edit_one_word(text: str, paragraph: int) -> tuple[str, str]:
    """Change the middle word of the file's `paragraph`-th paragraph to "CORRECTED"."""
    lines = text.split("\n")
    at = [i for i, line in enumerate(lines) if re.match(r"\[\d+:\d\d\] ", line)][paragraph]
    marker, _, body = lines[at].partition(" ")
    tokens = body.split()
    tokens[len(tokens) // 2] = "CORRECTED"
    lines[at] = f"{marker} {' '.join(tokens)}"
    return "\n".join(lines), " ".join(tokens)


GARDEN = WrittenTalk("readings", "Readings", "en", (
    Topic("Opening", ("Good morning everyone, and welcome to the spring meeting of the garden "
                      "club. Today we talk about tomatoes, beans and the long dry summer.",)),
    Topic("Watering", ("Water the beds early in the morning, before the sun is high. A deep "
                       "soak twice a week is better than a little every day.",)),
    Topic("Closing", ("Thank you all for coming. Next month we visit the orchard on the hill, "
                      "and everyone is welcome to join us.",)),
))  # fmt: skip


def _cached(project: Path, name: str) -> dict[str, Any]:
    folder = next((project / ".yt2doc").glob("file-*"))
    data: dict[str, Any] = json.loads((folder / name).read_text())
    return data


def _page(project: Path) -> tuple[list[tuple[float, str]], str, str]:
    """The page's paragraphs (start, text), its HTML and its WebVTT captions."""
    folder = project / "site" / "talks" / "readings"
    page = read_page(folder / "index.html")
    paragraphs = [(float(p.id[1:].split("-")[0]), html.unescape(p.text)) for p in page.paragraphs]
    return paragraphs, (folder / "index.html").read_text(), (folder / "readings.vtt").read_text()


def _vtt(spoken: Any, skip: str) -> str:
    """The script as captions, a cue a sentence, at the times it was read; leaving out the
    topic titled `skip` (captions with a gap where a person's paragraph is)."""
    cues, index = ["WEBVTT", ""], 0
    words = list(spoken.words)
    for topic in spoken.talk.topics:
        for sentence in re.split(r"(?<=[.!?])\s+", " ".join(topic.paragraphs)):
            timed, index = (
                words[index : index + len(sentence.split())],
                index + len(sentence.split()),
            )
            if topic.title != skip:
                stamp = f"00:{timed[0].start:06.3f} --> 00:{timed[-1].end:06.3f}"
                cues += [stamp, sentence, ""]
    return "\n".join(cues)


def test_a_person_s_paragraphs_survive_another_model_and_captions(
    tmp_path: Path, whisper_model: str, multilingual_model: str
) -> None:
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed (make test installs it)")
    project = tmp_path / "p"
    spoken = speak(GARDEN, project / "talk.wav")
    chapters = [{"start": round(s, 1), "title": t.title}
                for s, t in zip(spoken.starts, GARDEN.topics, strict=True)]  # fmt: skip
    talk = {"url": "talk.wav", "title": "Readings", "chapters": chapters}
    whisper = {"beam_size": 1}
    build_site(write_site(project, {"talks": [talk]}, whisper={**whisper, "model": whisper_model}))
    made = cli("correct", "readings", cwd=project)
    assert made.returncode == 0, made.stderr
    path = project / "corrections" / "readings.md"
    text = path.read_text()
    assert "## Watering" in text and "## Closing" in text
    markers = [i for i, t in enumerate(text.split("\n")) if re.match(r"\[\d+:\d\d\] ", t)]
    watering = next(n for n, i in enumerate(markers) if text.split("\n")[i - 2] == "## Watering")
    text, person = _edit_one_word(text, watering)
    text, closing = _edit_one_word(text, len(markers) - 1)
    path.write_text(text.replace("## Closing", "## Farewell"))

    # Whisper base transcribes again
    base = {**whisper, "model": multilingual_model}
    config = write_site(project, {"talks": [talk]}, whisper=base)
    refreshed = cli("prefetch", "--refresh", cwd=project)
    assert refreshed.returncode == 0, refreshed.stderr
    build_site(config)
    base_words = [w for s in _cached(project, "transcript.json")["segments"] for w in s["words"]]
    base_document = _cached(project, "document.json")
    paragraphs, raw, vtt = _page(project)
    texts = [t for _, t in paragraphs]
    assert person in texts and closing in texts  # the person's words, as written
    assert 'id="farewell"' in raw and 'id="closing"' not in raw and 'id="watering"' in raw
    opening = [p["text"] for p in base_document["paragraphs"] if p["end"] < spoken.starts[1]]
    assert opening and texts[: len(opening)] == opening  # nobody edited these: base's words
    assert len(texts) == len(opening) + 2  # the seams: no word of base's left over
    starts = {int(w["start"]) for w in base_words}
    assert all(int(start) in starts for start, _ in paragraphs)  # base's times
    cue = re.search(r"(\d\d):(\d\d)\.\d{3} --> [^\n]*\n[^\n]*CORRECTED", vtt)
    assert cue and int(cue[1]) * 60 + int(cue[2]) in starts | {s + 1 for s in starts}
    status = cli("status", cwd=project).stdout
    assert "readings: 2 paragraph(s) edited, 0 could not be placed" in status

    # the talk switches to its captions, which leave out the closing words
    (project / "talk.vtt").write_text(_vtt(spoken, skip="Closing"))
    talk["captions"] = "talk.vtt"
    config = write_site(project, {"talks": [talk]}, transcript_from=["captions"],
                        whisper=base)  # fmt: skip
    refreshed = cli("prefetch", "--refresh", cwd=project)
    assert refreshed.returncode == 0, refreshed.stderr
    build_site(config)
    assert _cached(project, "document.json")["text_source"] == "captions-file"
    paragraphs, raw, _ = _page(project)
    texts = [t for _, t in paragraphs]
    assert person in texts and closing in texts and 'id="farewell"' in raw
    assert texts[0].startswith("Good morning everyone, and welcome to the spring meeting")
    assert len(texts) == 3
    closing_at = next(s for s, t in paragraphs if t == closing)
    assert int(spoken.starts[2]) - 1 <= closing_at <= spoken.starts[2] + 1  # at its marker
    status = cli("status", cwd=project).stdout
    assert "readings: 2 paragraph(s) edited, 1 could not be placed" in status
    line = next(n for n, t in enumerate(path.read_text().split("\n"), 1) if closing in t)
    assert f"no speech in its time: readings.md:{line}: {closing[:40]}" in status
