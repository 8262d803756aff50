"""What the cache holds for each job, and what is left to do: media, then a document whose
inputs match talks.yml, else a transcript to rebuild it from, else the audio to transcribe."""

from __future__ import annotations

from typing import Any

from ..cache.store import DOCUMENT, MEDIA, TOPICS, TRANSCRIPT, Store, StoreError
from ..document.chapters import document_inputs
from ..records.document import Document
from ..records.errors import Yt2DocError
from ..records.job import Job
from ..records.media import Media
from ..records.talk import has_span
from ..records.transcript import Transcript
from ..sources.ytdlp import local_media
from ..util.spans import span_problem
from .resolve import Resolver
from .settings import PipelineSettings, Refresh
from .structure import Structure


class CacheState:
    def __init__(
        self, settings: PipelineSettings, store: Store, resolver: Resolver, structure: Structure
    ) -> None:
        self.settings = settings
        self.store = store
        self.resolver = resolver
        self.structure = structure

    def prepare(self, job: Job, *, refresh: Refresh | None = None) -> None:
        """Load what the store has for a talk; rebuild its document if only that is stale.

        Afterwards `job.needs_audio` says whether it still needs a transcription.
        """
        if not job.key or job.problem:
            return
        try:
            self._prepare(job, refresh)
        except Yt2DocError as exc:
            job.problem, job.failed = str(exc), True
        except (KeyError, IndexError, TypeError, ValueError) as exc:  # files that disagree
            folder = self.store.root / job.key
            job.problem = (
                f"the cache files in {folder} do not fit together ({type(exc).__name__}: "
                f"{exc}); `mkdocs-yt2doc prefetch --refresh` redoes them"
            )
            job.failed = True

    def _read(self, job: Job, name: str, key: str | None = None) -> dict[str, Any] | None:
        assert job.key
        return self.store.read_stage(key or job.key, name, job.label)

    def _prepare(self, job: Job, refresh: Refresh | None) -> None:
        assert job.key
        key = job.recording_key or job.key
        if job.media is None:
            stored_media = self._read(job, MEDIA, key)
            if stored_media and stored_media["key"] != key:
                raise StoreError(
                    f"cache file {self.store.root / key / MEDIA} names another talk "
                    f"({stored_media['key']!r})"
                )
            if stored_media:
                job.media = Media.from_json(stored_media)
            elif job.talk.local_path is not None:
                job.media = local_media(job.talk)
            elif job.entry and self.settings.may_process:
                job.media = self.resolver.fetch_media(job.entry)
        if job.media is None:
            job.problem = "not processed yet (transcribe: never)"
            return
        if has_span(job.talk):
            problem = span_problem(job.talk, job.media.duration)
            if problem:
                job.problem, job.failed = problem, True
                return
        inputs = document_inputs(job.talk, job.media)
        stored_document = None if refresh else self._read(job, DOCUMENT)
        if stored_document and stored_document.get("inputs") == inputs:
            job.document = Document.from_json(stored_document)
            if self.settings.read_only:  # status reports what produced the stages
                job.transcript_settings = self._transcript_settings(job)
                topics = self._read(job, TOPICS) if job.document.chapter_origin in (
                    "llm", "offline") else None  # fmt: skip
                job.topics_settings = dict(topics.get("settings") or {}) if topics else None
            return
        # a talk cut from a recording is made from the recording's transcript
        stored_transcript = None if refresh == "all" else self._read(job, TRANSCRIPT, key)
        if stored_transcript:
            job.transcript_settings = dict(stored_transcript.get("settings") or {})
            transcript = Transcript.from_json(stored_transcript)
            if has_span(job.talk):
                transcript = self.structure.keep_cut(job, transcript)
            self.structure.build(job, transcript, redo=refresh == "structure")
        elif self.settings.may_process:
            job.needs_audio = True
        else:
            job.problem = "not transcribed yet (transcribe: never)"

    def _transcript_settings(self, job: Job) -> dict[str, Any] | None:
        stored = self._read(job, TRANSCRIPT, job.recording_key)
        return dict(stored.get("settings") or {}) if stored else None
