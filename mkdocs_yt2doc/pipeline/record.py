"""What an executor made of a talk, stored: the one place results enter the cache, whether the
talk was processed here (`local_run`) or on a Ray worker (`scale.schedule`)."""

from __future__ import annotations

import dataclasses
import logging
from typing import Protocol

from ..cache.store import THUMBNAIL, TRANSCRIPT, Store
from ..document.chapters import chapter_marks
from ..records.errors import Yt2DocError
from ..records.job import Counts, Job, Progress
from ..records.transcript import Transcript
from ..sources.ytdlp import fetch_thumbnail
from ..transcribe.whisper import initial_prompt
from ..util.timecode import lost_text
from .resolve import Resolver
from .settings import PipelineSettings
from .stages import TalkResult, TalkTask
from .structure import Structure

log = logging.getLogger("mkdocs.plugins.yt2doc")


class Executor(Protocol):
    """Processes the talks that need audio, handing each result to `Recorder.record`."""

    def process(self, recorder: Recorder, jobs: list[Job], progress: Progress | None) -> None: ...


class Recorder:
    def __init__(
        self,
        settings: PipelineSettings,
        store: Store,
        resolver: Resolver,
        structure: Structure,
        counts: Counts,
    ) -> None:
        self.settings = settings
        self.store = store
        self.resolver = resolver
        self.structure = structure
        self.counts = counts

    def task(self, job: Job) -> TalkTask:
        """What a worker needs to know of a talk to process its audio."""
        assert job.media and job.key
        media = job.media
        prompt = initial_prompt(
            job.title,
            job.talk.description or media.description,
            [c.title for c in (job.talk.chapters or media.chapters)],
        )
        return TalkTask(
            key=job.key,
            label=job.label,
            media=media,
            language=job.talk.language,
            prompt=prompt,
            topics=chapter_marks(job.talk, media)[1] == "auto",
            glossary=job.talk.glossary,
            structure=not job.talk.span,  # made here, from the talk's cut of the recording
        )

    def record(self, job: Job, result: TalkResult) -> None:
        """Store a talk's transcript, then its structure (made here unless `result` has it)."""
        self.counts["transcriptions"] += 1
        transcript = Transcript.from_json(result.transcript)
        self._keep_transcript(job, transcript)
        if job.talk.span:  # the recording's transcript is stored; the talk is its cut
            transcript = self.structure.keep_cut(job, transcript)
            result = TalkResult(result.transcript)
        self.structure.build(job, transcript, made=result)

    def _keep_transcript(self, job: Job, transcript: Transcript) -> None:
        assert job.media and job.key
        self.keep_thumbnail(job)
        self.store.write(job.recording_key or job.key, TRANSCRIPT, transcript.to_json())
        job.transcript_settings = dict(transcript.settings)
        job.lost_speech = transcript.lost
        if transcript.lost:
            log.warning(
                "yt2doc: %s: speech at %s has no words, even decoded again (noise or music, "
                "or speech the model cannot hear; `status` lists it)",
                job.label, lost_text(transcript.lost),
            )  # fmt: skip
        job.needs_audio = False
        media = job.media
        if not media.duration or media.duration > 2 * transcript.duration + 60:
            # unknown, or metadata far longer than the audio: the audio is the truth
            job.media = dataclasses.replace(media, duration=transcript.duration)
            self.resolver.save_media(job.media)

    def keep_thumbnail(self, job: Job) -> None:
        """A copy of the source's thumbnail for the player's facade (optional: a failure is
        only logged)."""
        assert job.media and job.key
        key = job.recording_key or job.key
        if not job.media.thumbnail or self.store.thumbnail(key) is not None:
            return
        try:
            data, suffix = fetch_thumbnail(
                job.media.thumbnail,
                allowed=self.settings.fetch_allow_networks,
                deadline_s=self.settings.fetch_timeout,
            )
            self.store.write_bytes(key, f"{THUMBNAIL}{suffix}", data)
        except Yt2DocError as exc:
            log.info("yt2doc: %s: no thumbnail: %s", job.label, exc)
