"""Several talks in one recording: `start:` and `end:` cut a talk out of it.

The recording is downloaded and transcribed once, into its own cache folder (media.json,
transcript.json, the thumbnail); each talk's folder (`<recording>--<start>-<end>`) holds its
cut of the transcript and what is made from it (paragraphs, chapters, document, captions).
Times stay the recording's, so every timestamp links the right second of the whole recording.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..records.talk import ChapterMark, Talk
from ..records.transcript import Segment, Transcript
from .timecode import LONG_SECONDS, format_timecode

if TYPE_CHECKING:
    from ..records.job import Job

log = logging.getLogger("mkdocs.plugins.yt2doc")


def span_label(talk: Talk) -> str:
    end = "the end" if talk.end is None else format_timecode(talk.end)
    return f"{format_timecode(talk.start or 0)} to {end}"


def part_duration(start: float | None, end: float | None, recording: float | None
                  ) -> float | None:  # fmt: skip
    """A talk's own length: its span of the recording (to the end when `end` is unset), or
    the whole recording's; None when the recording's length is not known and it is needed."""
    if start is None and end is None:
        return recording
    last = end if end is not None else recording
    if last is None:
        return None
    return max(0.0, (min(last, recording) if recording else last) - (start or 0.0))


def cut(transcript: Transcript, talk: Talk) -> Transcript:
    """The words the talk's span holds (times unchanged); its duration is where it ends."""
    start = talk.start or 0.0
    end = transcript.duration if talk.end is None else min(talk.end, transcript.duration)
    segments = []
    for segment in transcript.segments:
        words = tuple(w for w in segment.words if start <= w.start < end)
        if words:
            text = " ".join("".join(w.text for w in words).split())
            segments.append(Segment(words[0].start, words[-1].end, text, words))
    return Transcript(
        language=transcript.language,
        duration=round(end, 2),
        segments=tuple(segments),
        settings={**transcript.settings, "span": [start, end]},
        versions=transcript.versions,
    )


def span_marks(marks: Sequence[ChapterMark], talk: Talk) -> tuple[ChapterMark, ...]:
    """The source's chapters that fall inside the talk (the recording's others do not)."""
    start, end = talk.start or 0.0, talk.end if talk.end is not None else float("inf")
    return tuple(m for m in marks if start <= m.start < end)


def span_problem(talk: Talk, recording: float | None) -> str | None:
    """Why a span cannot be cut from a recording of that length (None: it can); a span that
    only runs past the end is cut there, with a warning."""
    if not recording:
        return None
    if (talk.start or 0.0) >= recording:
        return (
            f"start {format_timecode(talk.start or 0)} is after the end of the recording "
            f"({format_timecode(recording)}); fix start: in talks.yml"
        )
    if talk.end is not None and talk.end > recording + 1:
        log.warning(
            "yt2doc: '%s' (%s): end %s is after the end of the recording (%s); the talk ends "
            "there", talk.title or talk.url, talk.where, format_timecode(talk.end),
            format_timecode(recording),
        )  # fmt: skip
    return None


def warn_long(job: Job) -> None:
    """A talk over 12 hours is most likely a mistyped `end:`, a wrong duration in the source's
    metadata, or a caption file with broken times: a warning naming the talk."""
    if job.needs_audio or job.problem:  # `local_run` warns of a long download itself
        return
    recording = job.media.duration if job.media else None
    if bool(job.talk.span):
        length = (job.talk.end or recording or 0.0) - (job.talk.start or 0.0)
        what = "check its start: and end: in talks.yml"
    else:
        paragraphs = job.document.paragraphs if job.document else ()
        length = max(recording or 0.0, paragraphs[-1].end if paragraphs else 0.0)
        what = "check the recording's length and, if the text came from captions, their times"
    if length > LONG_SECONDS:
        log.warning(
            "yt2doc: %s lasts %s, over %d hours: %s",
            job.label, format_timecode(length), LONG_SECONDS // 3600, what,
        )  # fmt: skip


def warn_overlaps(jobs: Sequence[Job]) -> None:
    """Two talks cut from one recording whose spans overlap: a warning naming both."""
    by_recording: dict[str, list[Job]] = {}
    for job in jobs:
        if job.recording and job.talk.span:
            by_recording.setdefault(job.recording, []).append(job)
    for group in by_recording.values():
        group.sort(key=lambda j: j.talk.start or 0.0)
        for before, after in itertools.pairwise(group):
            if before.talk.end is None or before.talk.end > (after.talk.start or 0.0):
                log.warning(
                    "yt2doc: %s (%s) overlaps %s (%s) in the same recording; both are built, "
                    "check their start: and end:",
                    after.label, span_label(after.talk), before.label, span_label(before.talk),
                )  # fmt: skip
