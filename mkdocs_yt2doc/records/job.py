"""`Job`: one talk on its way through the stages, and `Progress`, how a run reports on it.

A job starts as a talks.yml item (or one entry of a playlist), gains its cache key, media,
document, and says what went wrong if something did.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .document import Document
from .media import Entry, Media
from .talk import Talk


@dataclass
class Job:
    """A talk on its way through the stages."""

    talk: Talk
    entry: Entry | None = None
    key: str | None = None  # the talk's cache folder
    recording: str | None = None  # the recording's (media, transcript), when it holds several talks
    media: Media | None = None
    document: Document | None = None
    problem: str | None = None
    slug: str = ""
    needs_audio: bool = False  # no transcript yet, and processing is allowed
    transcript_settings: dict[str, Any] | None = None  # what produced the stored transcript
    topics_settings: dict[str, Any] | None = None  # (read-only runs) what produced the topics
    lost_speech: tuple[tuple[float, float], ...] = ()  # speech its transcript has no words for
    seconds: float = 0.0  # time spent processing in this run
    failed: bool = False  # an error, as opposed to "not processed yet"
    document_stale: bool = False  # (read-only runs) the document would be rebuilt
    worker: str | None = None  # the Ray worker that processed it (prefetch --ray)

    @property
    def title(self) -> str:
        return (
            self.talk.title
            or (self.entry.title if self.entry else None)
            or (self.media.title if self.media else None)
            or self.talk.url
        )

    @property
    def label(self) -> str:
        return f"'{self.title}' ({self.talk.where})"

    @property
    def url(self) -> str:
        return self.entry.url if self.entry else self.talk.url

    @property
    def ident(self) -> str:
        """What tells talks apart: the URL, with the span when several share a recording."""
        return self.url + self.talk.span

    @property
    def recording_key(self) -> str | None:
        """The cache folder of the recording: the talk's own, unless it shares it."""
        return self.recording or self.key


Progress = Callable[[Job, str], None]  # (job, "queued" | "start" | "done")
Counts = Counter[str]  # a run's probes, downloads and transcriptions
