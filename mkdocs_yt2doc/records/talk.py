"""A talk as talks.yml describes it: `Talk`, its `ChapterMark`s, the `Catalog` of them, its
`Speaker`s, and the span of a talk cut from a longer recording (`Talk.span`)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class ChapterMark:
    start: float
    title: str


@dataclass(frozen=True)
class Speaker:
    """A speaker as the top-level `speakers:` map of talks.yml describes them."""

    name: str
    affiliation: str | None = None
    url: str | None = None  # http(s) only
    photo: Path | None = None  # a local image inside the project, copied into the site


@dataclass(frozen=True)
class Talk:
    """One item of talks.yml, defaults merged in. `url` may still be a playlist."""

    url: str
    where: str  # "talks.yml:12", for messages
    title: str | None = None
    speakers: tuple[str, ...] = ()
    event: str | None = None
    date: dt.date | None = None
    tags: tuple[str, ...] = ()
    language: str | None = None
    slug: str | None = None
    description: str | None = None
    chapters: tuple[ChapterMark, ...] = ()
    ignore_source_chapters: bool = False
    local_path: Path | None = None  # set when `url` names a file on disk
    glossary: tuple[str, ...] = ()  # terms Whisper is told to expect
    replace: tuple[tuple[str, str], ...] = ()  # wrong -> right, applied to the text
    captions: str | None = None  # a caption file (path or URL) to transcribe from
    captions_path: Path | None = None  # ... when it is a path: the file, inside the project
    captions_at: str = ""  # "talks.yml:14", the line of `captions:`
    start: float | None = None  # where the talk starts in its recording (several talks in one)
    end: float | None = None  # ... and ends
    slides: str | None = None  # an http(s) URL
    links: tuple[tuple[str, str], ...] = ()  # (label, http(s) URL)
    kind: str | None = None  # keynote, talk, lightning, panel, workshop, or any word
    profiles: tuple[Speaker, ...] = ()  # its speakers the top-level `speakers:` describes
    # Made from start: and end:, "" when the talk is its whole recording: what tells the talks
    # of one recording apart, in cache keys and failure records ("--60-end").
    span: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        span = ""
        if self.start is not None or self.end is not None:
            end = "end" if self.end is None else str(int(self.end))
            span = f"--{int(self.start or 0)}-{end}"
        object.__setattr__(self, "span", span)

    @property
    def label(self) -> str:
        """How messages name this talk."""
        return f"{self.title or self.url} ({self.where})"

    def merged(self, override: Talk) -> Talk:
        """This talk with every field `override` sets in talks.yml taken from it."""
        changes = {
            f.name: getattr(override, f.name)
            for f in dataclasses.fields(self)
            if f.init
            and f.name not in ("url", "local_path")
            and getattr(override, f.name) not in (None, ())
        }
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True)
class Catalog:
    path: Path
    talks: tuple[Talk, ...] = field(default_factory=tuple)
    speakers: dict[str, Speaker] = field(default_factory=dict)  # the top-level `speakers:`
