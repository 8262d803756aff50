"""A person's corrections of a talk, in a file that looks like its page.

`corrections/<slug>.md` has front matter (title, summary), a `## ` heading per chapter, and
paragraphs that start with their `[m:ss]` marker. The build reads it instead of the machine
text, laid on the transcript's words by `placing`. An edit that cannot be placed is
reported, never dropped: the file itself is never rewritten by a build.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from ..util.escape import has_surrogates, without_surrogates
from ..util.timecode import format_timecode, parse_timecode

MARKER = re.compile(r"^\[(?P<time>[^\]]{1,20})\]\s*(?P<text>.*)$")
MAX_BYTES = 8 * 2**20  # a ten-hour talk's text is under 1 MiB
# ... and has a few thousand paragraphs and a few hundred chapters: past these, a file is
# read on (its text joins the last paragraph) with one warning, so a page stays buildable
MAX_PARAGRAPHS = 5_000
MAX_CHAPTERS = 1_000
MAX_WORDS = 200_000  # twice a ten-hour talk's: the rest of a longer file is left out
MAX_PROBLEMS = 50  # warnings about one file; the rest are counted


class CorrectionsError(ValueError):
    """The file cannot be used at all (not text, no paragraphs)."""


@dataclass(frozen=True)
class Marked:
    """One paragraph of the file: its marker's time, its text, its line."""

    seconds: float
    text: str
    line: int


@dataclass(frozen=True)
class Corrections:
    path: Path
    title: str | None
    summary: str | None
    paragraphs: tuple[Marked, ...]
    chapters: tuple[tuple[int, str], ...]  # (first paragraph, title)
    problems: tuple[str, ...] = ()  # "file:line: what", each also a warning

    @property
    def words(self) -> list[str]:
        return [w for p in self.paragraphs for w in p.text.split()]


def read(path: Path, duration: float | None) -> Corrections:
    """Parse a corrections file; `CorrectionsError` when nothing in it can be used."""
    name = path.name
    if path.stat().st_size > MAX_BYTES:
        raise CorrectionsError(f"{name}: larger than {MAX_BYTES // 2**20} MiB, not read")
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise CorrectionsError(f"{name}: not UTF-8 text") from None
    return parse(path, text, duration)


def parse(path: Path, text: str, duration: float | None) -> Corrections:
    """A corrections file's text, read as `read` reads it (`correct` reads back what it
    wrote this way, so that an unchanged file is never an edit)."""
    name = path.name
    if "\0" in text:
        raise CorrectionsError(f"{name}: a binary file, not text")
    lines = text.splitlines()
    meta, body_at = _front_matter(lines)
    body = _Body(name)
    for entry, value in list(meta.items()):
        if has_surrogates(value):  # a JSON escape like "\ud800": no page could be written
            meta[entry] = without_surrogates(value)
            where = next(n for n, t in enumerate(lines, 1) if t.lstrip().startswith(entry))
            body.problems.append(
                f"{name}:{where}: {entry} has a lone surrogate escape (\\ud800-\\udfff); "
                "replaced by U+FFFD"
            )
    for number, raw in enumerate(lines[body_at:], start=body_at + 1):
        if body.full:
            break
        line = raw.strip()
        if not line:
            continue
        if line.startswith("## "):
            body.heading(number, " ".join(line[3:].split()))
            continue
        match = MARKER.match(line)
        if match is None:
            if body.parts:  # a paragraph written over several lines
                body.more(number, line)
            else:
                body.problems.append(
                    f"{name}:{number}: text before the first [m:ss] marker is left out"
                )
            continue
        if len(body.heads) >= MAX_PARAGRAPHS:  # no new paragraph: its time is not needed
            body.paragraph(number, 0.0, " ".join(match["text"].split()))
            continue
        try:
            seconds = parse_timecode(match["time"])
        except ValueError:
            body.problems.append(f"{name}:{number}: [{match['time']}] is not a time; the line "
                                 "is joined to the paragraph above")  # fmt: skip
            if body.parts:
                body.more(number, match["text"])
            continue
        if body.heads and seconds < body.heads[-1][0]:
            body.problems.append(
                f"{name}:{number}: [{match['time']}] is before the marker above it"
            )
        if duration and seconds > duration:
            body.problems.append(
                f"{name}:{number}: [{match['time']}] is past the end of the recording "
                f"({format_timecode(duration)})"
            )
            seconds = duration
        body.paragraph(number, seconds, " ".join(match["text"].split()))
    paragraphs, chapters = body.finish()
    if not paragraphs:
        raise CorrectionsError(f"{name}: no paragraph starts with a [m:ss] marker")
    return Corrections(
        path=path,
        title=meta.get("title"),
        summary=meta.get("summary"),
        paragraphs=tuple(paragraphs),
        chapters=tuple(chapters),
        problems=body.problems.all(),
    )


class _Body:
    """A file's paragraphs and headings as it is read, within the bounds above. Each
    paragraph's lines are joined once, at the end (joining them one at a time was
    quadratic in a paragraph written over many lines)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.problems = _Problems(name)
        self.heads: list[tuple[float, int]] = []  # each paragraph's marker time and line
        self.parts: list[list[str]] = []  # ... and its lines
        self.chapters: list[tuple[int, str]] = []  # (first paragraph, title)
        self.pending: tuple[int, str] | None = None  # a heading waiting for its paragraph
        self.words = 0
        self.full = False  # MAX_WORDS are read: the rest of the file is left out

    def heading(self, number: int, title: str) -> None:
        if len(self.chapters) >= MAX_CHAPTERS or len(self.heads) >= MAX_PARAGRAPHS:
            self.problems.once("headings", f"{self.name}:{number}: more than {MAX_CHAPTERS} "
                               f"headings or {MAX_PARAGRAPHS} paragraphs: this heading and "
                               "those after it are left out")  # fmt: skip
            return
        if self.pending is not None:
            self.problems.append(
                f"{self.name}:{self.pending[0]}: heading {self.pending[1]!r} has no paragraph"
            )
        self.pending = (number, title)

    def paragraph(self, number: int, seconds: float, text: str) -> None:
        if len(self.heads) >= MAX_PARAGRAPHS:
            self.problems.once("paragraphs", f"{self.name}:{number}: more than "
                               f"{MAX_PARAGRAPHS} paragraphs: this one and those after it "
                               "are joined to the one above")  # fmt: skip
        else:
            if self.pending is not None:
                self.chapters.append((len(self.heads), self.pending[1]))
                self.pending = None
            self.heads.append((seconds, number))
            self.parts.append([])
        self.more(number, text)

    def more(self, number: int, text: str) -> None:
        """Text of the last paragraph."""
        words = text.split()
        if self.words + len(words) > MAX_WORDS:
            text = " ".join(words[: MAX_WORDS - self.words])
            self.full = True
            self.problems.once("words", f"{self.name}:{number}: more than {MAX_WORDS} words: "
                               "the text from here on is left out")  # fmt: skip
        self.words += len(words)
        self.parts[-1].append(text)

    def finish(self) -> tuple[list[Marked], list[tuple[int, str]]]:
        """The paragraphs with text, and the headings over them."""
        if self.pending is not None:
            self.problems.append(
                f"{self.name}:{self.pending[0]}: heading {self.pending[1]!r} has no paragraph"
            )
        paragraphs: list[Marked] = []
        kept_before: list[int] = []  # for each paragraph, how many before it have text
        for (seconds, number), lines in zip(self.heads, self.parts, strict=True):
            kept_before.append(len(paragraphs))
            text = " ".join(lines)
            if text:
                paragraphs.append(Marked(seconds, text, number))
        # a heading over an empty paragraph names the next one with text
        return paragraphs, [(kept_before[first], title) for first, title in self.chapters]


class _Problems(list[str]):
    """What a file's warnings say: the first MAX_PROBLEMS, then a count of the rest."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name, self.more = name, 0
        self.said: set[str] = set()

    def append(self, problem: str) -> None:
        if len(self) < MAX_PROBLEMS:
            super().append(problem)
        else:
            self.more += 1

    def once(self, kind: str, problem: str) -> None:
        if kind not in self.said:
            self.said.add(kind)
            super().append(problem)  # always said: it explains what the page leaves out

    def all(self) -> tuple[str, ...]:
        more = [f"{self.name}: {self.more} more problems, not listed"] if self.more else []
        return (*self, *more)


def _front_matter(lines: list[str]) -> tuple[dict[str, str], int]:
    """`title:` and `summary:` between `---` lines, values as JSON strings or plain text."""
    if not lines or lines[0].strip() != "---":
        return {}, 0
    meta: dict[str, str] = {}
    for index, line in enumerate(lines[1:], start=1):
        if line.strip() == "---":
            return meta, index + 1
        name, _, value = line.partition(":")
        value = value.strip()
        try:
            parsed = json.loads(value) if value.startswith('"') else value
        except ValueError:
            parsed = value
        if name.strip() in ("title", "summary") and isinstance(parsed, str) and parsed.strip():
            meta[name.strip()] = " ".join(parsed.split())
    return {}, 0  # no closing line: it was not front matter


def write(title: str, summary: str | None, chapters: list[tuple[str, list[tuple[float, str]]]]
          ) -> tuple[str, list[int]]:  # fmt: skip
    """The file for a talk: (chapter title, [(paragraph start, text)]) in order; and the
    line each paragraph starts on. A paragraph or heading is one line: text with a line
    break in it would start a heading or a paragraph of its own when read back."""
    head = ["---", f"title: {json.dumps(title, ensure_ascii=False)}"]
    if summary:
        head.append(f"summary: {json.dumps(summary, ensure_ascii=False)}")
    head += ["---", ""]
    body: list[str] = []
    lines: list[int] = []
    for chapter, paragraphs in chapters:
        if " ".join(chapter.split()):
            body += [f"## {' '.join(chapter.split())}", ""]
        for start, text in paragraphs:
            lines.append(len(head) + len(body) + 1)
            body += [f"[{format_timecode(start)}] {' '.join(text.split())}", ""]
    return "\n".join(head + body), lines
