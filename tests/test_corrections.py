"""A person's corrections file: written by `correct`, edited by the test as a person would
(words, a split paragraph, a renamed and a moved chapter, the summary), shown on the page, in
the captions, downloads and search; then carried onto a new transcript by another model
(Whisper base), where both edits stay: the paragraphs a person edited keep their words."""

from __future__ import annotations

import html
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from mkdocs_yt2doc.archive.corrections import CorrectionsError, read
from mkdocs_yt2doc.archive.edits import Base, compare
from mkdocs_yt2doc.archive.placing import key, place
from mkdocs_yt2doc.records.transcript import Word
from tests.conftest import PluginLog, build_site, fragments, write_site
from tests.htmlpage import read_page
from tests.test_cli import cli, status_table

EXAMPLE = Path(__file__).parent.parent / "example-site"
# tiny.en and base hear the names differently, and the rest alike
SPEECH = (
    "Good morning everyone. I want to thank my collaborators, Oriol Vinyals and Quoc Le, for "
    "this work. We trained the model on many machines for ten days. The results surprised all "
    "of us, and they still do."
)


def _words(text: str, step: float = 0.5) -> list[tuple[str, float, float]]:
    return [(w, n * step, n * step + 0.4) for n, w in enumerate(text.split())]


def _file(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "talk.md"
    path.write_text(body)
    return path


def _machine(text: str, step: float = 0.5) -> list[Word]:
    return [Word(start, end, " " + w, 0.9) for w, start, end in _words(text, step)]


def test_unchanged_words_keep_their_times_and_new_words_share_the_gap(tmp_path: Path) -> None:
    heard = "thanks to oriel vinyals and kwok lee for the work"
    machine = _words(heard)
    path = _file(tmp_path, "[0:00] Thanks to Oriol Vinyals and Quoc Le for all the work.\n")
    corrections = read(path, 10.0)  # a file with no corrected_from.json: all the person's
    placed = place(corrections, _machine(heard), {0}, compare(corrections, None), False)
    times = {word.strip(): (start, end) for word, start, end in placed.words}
    assert times["Thanks"] == (0.0, 0.4) and times["for"] == machine[7][1:]
    assert times["Oriol"] == (1.0, 1.4)  # replaced words take the times of those they replace
    assert machine[7][2] <= times["all"][0] <= times["the"][0]  # an added word sits in its gap
    assert [key(w) for w, _, _ in placed.words][-1] == "work"


def test_edited_paragraphs_keep_the_person_s_words_on_a_new_transcript(tmp_path: Path) -> None:
    """Issue 27 changed this: an edit was carried word by word, where its neighbours were
    found again, and reported when they were not; now the paragraph a person edited shows
    the person's words whatever the new model heard, on the new model's times."""
    base = [
        "the",
        "painted",
        "light",
        "on",
        "the",
        "road",
        "is",
        "better",
        "than",
        "nothing",
        "at",
        "all",
    ]  # an old-format corrected_from.json: the machine words only
    path = _file(
        tmp_path,
        "[0:00] The painted line on the road is better than nothing.\n\n[0:03] At all!\n",
    )
    corrections = read(path, 10.0)
    compared = compare(corrections, Base.from_json({"transcript_digest": "x", "words": base}))
    assert compared.edited == (True, True)
    # the new model hears "road" as "rode" and "at all" as "after all"
    new = _machine("the painted light on the rode is better than nothing after all")
    placed = place(corrections, new, {0}, compared, same_transcript=False)
    text = " ".join(w.strip() for w, _, _ in placed.words)
    assert text == "The painted line on the road is better than nothing. At all!"
    assert placed.unplaced == [] and placed.paragraph_starts == [0, 10]
    assert placed.words[5][1:] == (new[5].start, new[5].end)  # "road" on "rode"'s time


@pytest.mark.reliability("input", 8)
def test_bad_corrections_files(tmp_path: Path) -> None:
    with pytest.raises(CorrectionsError, match="no paragraph starts with"):
        read(_file(tmp_path, "## A heading\n\nsome text\n"), 60.0)
    (tmp_path / "bin.md").write_bytes(b"[0:00] a\0b")
    with pytest.raises(CorrectionsError, match="binary"):
        read(tmp_path / "bin.md", 60.0)
    (tmp_path / "latin.md").write_bytes("[0:00] caf\xe9".encode("latin-1"))
    with pytest.raises(CorrectionsError, match="not UTF-8"):
        read(tmp_path / "latin.md", 60.0)
    (tmp_path / "huge.md").write_bytes(b"[0:00] " + b"word " * 2_000_000)  # 10 MB
    with pytest.raises(CorrectionsError, match="larger than 8 MiB"):
        read(tmp_path / "huge.md", 60.0)
    parsed = read(_file(tmp_path, (
        "## Empty\n\n## Start\n\n[0:10] one\n\n[0:05] two\n\n[soon] three\n\n[2:00] four\n"
    )), 60.0)  # fmt: skip
    problems = "\n".join(parsed.problems)
    assert "talk.md:1: heading 'Empty' has no paragraph" in problems
    assert "talk.md:7: [0:05] is before the marker above it" in problems
    assert "talk.md:9: [soon] is not a time" in problems
    assert "talk.md:11: [2:00] is past the end of the recording (1:00)" in problems
    assert [p.text for p in parsed.paragraphs] == ["one", "two three", "four"]  # nothing lost


@pytest.fixture(scope="module")
def corrected_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example site with the bicycles talk corrected by `correct` and an edit."""
    project = tmp_path_factory.mktemp("corrected") / "example"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns("site", "corrections"))
    config = project / "mkdocs.yml"
    config.write_text(config.read_text().replace("site_url: !ENV SITE_URL\n", ""))
    talks = yaml.safe_load((project / "talks.yml").read_text())
    for talk in talks["talks"]:
        talk.pop("replace", None)  # the person makes the corrections here
    (project / "talks.yml").write_text(yaml.safe_dump(talks, sort_keys=False))
    with pytest.MonkeyPatch.context() as env:
        env.setenv("YT2DOC_TRANSCRIBE", "never")
        made = cli("correct", "bicycles-in-the-city", cwd=project)
        assert made.returncode == 0, made.stderr
        again = cli("correct", "bicycles-in-the-city", cwd=project)
        assert again.returncode == 2 and "exists already: edit it" in again.stderr
        path = project / "corrections" / "bicycles-in-the-city.md"
        text = path.read_text()
        for old, new in (
            ("A painted light on the road", "A painted line on the road"),
            (" The lanes that really change", "\n\n[0:20] The lanes that really change"),
            ("## Looking after your bike", "## Bike maintenance"),
            ('title: "Bicycles in the city"\n',
             'title: "Bicycles in the city"\nsummary: "Lanes, a kept bike, and winter."\n'),
        ):  # fmt: skip
            assert old in text
            text = text.replace(old, new)
        # the winter chapter now starts one paragraph earlier
        lines = text.splitlines()
        heading = lines.index("## Riding through winter")
        del lines[heading : heading + 2]
        before = max(i for i, line in enumerate(lines[:heading]) if line.startswith("[1:40]"))
        lines[before:before] = ["## Riding through winter", ""]
        path.write_text("\n".join(lines) + "\n")
        build_site(config, strict=True)
    return project


def test_the_page_shows_the_corrections(corrected_site: Path) -> None:
    folder = corrected_site / "site" / "talks" / "bicycles-in-the-city"
    page = read_page(folder / "index.html")
    texts = [html.unescape(p.text) for p in page.paragraphs]
    joined = " ".join(texts)
    assert "A painted line on the road" in joined and "painted light" not in joined
    split = next(i for i, t in enumerate(texts) if t.startswith("The lanes that really change"))
    assert 15 <= int(page.paragraphs[split].id[1:].split("-")[0]) <= 22  # its words' time
    raw = (folder / "index.html").read_text()
    assert 'id="bike-maintenance"' in raw and 'id="looking-after-your-bike"' not in raw
    winter = raw.index('id="riding-through-winter"')
    assert raw.index("Wipe off the extra oil") > winter  # the moved heading starts it there
    assert "Transcript checked by a person" in raw
    assert "painted line" in (folder / "bicycles-in-the-city.vtt").read_text()
    exported = json.loads((folder / "bicycles-in-the-city.json").read_text())
    assert exported["checked_by_person"] is True
    assert "painted line" in json.dumps(exported)
    assert exported["summary"] == "Lanes, a kept bike, and winter."
    search: dict[str, str] = {}  # Pagefind's records, joined per page
    for record in fragments(corrected_site / "site"):
        page = record["url"].split("#")[0]
        search[page] = search.get(page, "") + " " + record["content"]
    assert "painted line" in search["/talks/bicycles-in-the-city/"]
    assert "painted light" not in search["/talks/bicycles-in-the-city/"]
    other = (corrected_site / "site" / "talks" / "small-telescopes" / "index.html").read_text()
    assert "Machine transcript (Whisper)" in other


def test_a_corrections_file_for_no_talk_is_named(
    corrected_site: Path, tmp_path: Path, plugin_log: PluginLog
) -> None:
    project = tmp_path / "p"
    shutil.copytree(corrected_site, project, ignore=shutil.ignore_patterns("site"))
    (project / "corrections" / "no-such-talk.md").write_text("[0:00] text\n")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("YT2DOC_TRANSCRIBE", "never")
        build_site(project / "mkdocs.yml")
    assert any("no-such-talk.md corrects a talk that does not exist" in w
               for w in plugin_log.warnings)  # fmt: skip


def test_corrections_survive_a_new_transcript(
    tmp_path: Path, whisper_model: str, multilingual_model: str
) -> None:
    """tiny.en transcribes, a person corrects two places, Whisper base transcribes again:
    both edits stay, where the models agree and where they differ (issue 27 changed this:
    the second was reported and the machine text shown); the file is never rewritten."""
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed (make test installs it)")
    project = tmp_path / "p"
    project.mkdir()
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(project / "talk.wav"),
                    SPEECH], check=True)  # fmt: skip
    talks: dict[str, Any] = {"talks": [{"url": "talk.wav", "title": "Readings"}]}
    build_site(write_site(project, talks, whisper={"model": whisper_model, "beam_size": 1}))
    assert cli("correct", "readings", cwd=project).returncode == 0
    path = project / "corrections" / "readings.md"
    tiny = [w for w, _, _ in json_words(project)]
    base_words = _base_words(multilingual_model, project)
    agree, differ = _regions(tiny, base_words)
    text = path.read_text()
    text = _edit(text, tiny[agree], "AGREED")
    text = _edit(text, tiny[differ], "DIFFERED")
    path.write_text(text)
    config = write_site(project, talks, whisper={"model": multilingual_model, "beam_size": 1})
    assert cli("prefetch", "--refresh", cwd=project).returncode == 0
    build_site(config)
    page = read_page(project / "site" / "talks" / "readings" / "index.html")
    shown = " ".join(html.unescape(p.text) for p in page.paragraphs)
    assert "AGREED" in shown  # carried onto the new transcript
    assert "DIFFERED" in shown  # the person's paragraph, whatever base heard there
    assert "DIFFERED" in path.read_text() and "AGREED" in path.read_text()
    status = cli("status", cwd=project)
    assert "could not be placed" in status.stdout and "0 could not be placed" in status.stdout
    assert "no speech in its time" not in status.stdout
    assert status_table(status.stdout)["readings"] == "cached"


def json_words(project: Path) -> list[tuple[str, float, float]]:
    folder = next((project / ".yt2doc").glob("file-*"))
    transcript = json.loads((folder / "transcript.json").read_text())
    return [(w["text"].strip(), w["start"], w["end"])
            for s in transcript["segments"] for w in s["words"] if w["text"].strip()]  # fmt: skip


def _base_words(model: str, project: Path) -> list[str]:
    """What Whisper base makes of the same audio (transcribed here, outside the site)."""
    from mkdocs_yt2doc.records.settings import WhisperSettings
    from mkdocs_yt2doc.transcribe.whisper import Transcriber

    transcriber = Transcriber(WhisperSettings(model=model, beam_size=1))
    transcript = transcriber.transcribe(project / "talk.wav", language="en")
    return [w.text.strip() for w in transcript.words if w.text.strip()]


def _regions(tiny: list[str], base: list[str]) -> tuple[int, int]:
    """A word both models wrote alike between alike neighbours, and one they wrote apart."""
    from rapidfuzz.distance import Levenshtein

    counts = {}
    for word in tiny:
        counts[key(word)] = counts.get(key(word), 0) + 1
    same: list[int] = []
    apart: list[int] = []
    for op in Levenshtein.opcodes([key(w) for w in tiny], [key(w) for w in base]):
        unique = [i for i in range(op.src_start, op.src_end) if counts[key(tiny[i])] == 1]
        if op.tag == "equal" and op.src_end - op.src_start >= 5:
            same += [i for i in unique if op.src_start + 1 < i < op.src_end - 2]
        elif op.tag in ("replace", "delete"):  # words base wrote otherwise, or not at all
            apart += unique
    assert same and apart, "the two models wrote the clips alike: no test case"
    return same[0], apart[0]


def _edit(text: str, word: str, new: str) -> str:
    """Replace the first whole occurrence of `word` in the file's paragraphs."""
    import re

    lines = text.split("\n")
    for index, line in enumerate(lines):
        if line.startswith("[") and re.search(rf"(?<!\w){re.escape(word)}(?!\w)", line):
            lines[index] = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", new, line, count=1)
            return "\n".join(lines)
    raise AssertionError(f"{word!r} is not in the file")
