"""What the cache holds for each job, and what is left to do: media, then a document whose
inputs match talks.yml, else a transcript to rebuild it from, else the audio to transcribe."""

from __future__ import annotations

from ..cache.store import DOCUMENT, MEDIA, PARAGRAPHS, TOPICS, TRANSCRIPT, Store
from ..cache.talk import read_talk
from ..document.chapters import chapter_marks, document_inputs
from ..records.cached import Cached
from ..records.document import Document
from ..records.errors import Yt2DocError
from ..records.job import Job
from ..records.media import Media
from ..records.transcript import Transcript, lost_spans
from ..sources.ytdlp import local_media
from ..util.spans import span_problem, warn_long
from .resolve import Resolver
from .settings import PipelineSettings, Refresh
from .structure import Structure

NOT_PROCESSED = "not processed yet (transcribe: never)"
NOT_TRANSCRIBED = "not transcribed yet (transcribe: never)"


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
            warn_long(job)
        except Yt2DocError as exc:
            job.problem, job.failed = str(exc), True
        except (KeyError, IndexError, TypeError, ValueError) as exc:  # files that disagree
            folder = self.store.root / job.key
            job.problem = (
                f"the cache files in {folder} do not fit together ({type(exc).__name__}: "
                f"{exc}); `mkdocs-yt2doc prefetch --refresh` redoes them"
            )
            job.failed = True

    def _prepare(self, job: Job, refresh: Refresh | None) -> None:
        assert job.key
        cached = Cached(job.key, job.recording or job.key)
        first = [DOCUMENT] if job.media is not None else [MEDIA, DOCUMENT]
        read_talk(self.store, cached, first, job.label, skip=[DOCUMENT] if refresh else [])
        if job.media is None:
            if cached.files.get(MEDIA):
                job.media = Media.from_json(cached.files[MEDIA] or {})
            elif job.talk.local_path is not None:
                job.media = local_media(job.talk)
            elif job.entry and self.settings.may_process:
                job.media = self.resolver.fetch_media(job.entry)
        if job.media is None:
            job.problem = NOT_PROCESSED
            return
        if job.talk.span:
            problem = span_problem(job.talk, job.media.duration)
            if problem:
                job.problem, job.failed = problem, True
                return
        stored_document = cached.files.get(DOCUMENT)
        if stored_document and stored_document.get("inputs") == document_inputs(
            job.talk, job.media
        ):
            job.document = Document.from_json(stored_document)
            if self.settings.read_only:  # status reports what produced the stages
                self._report_settings(job, cached)
            return
        if stored_document:
            cached.drop(DOCUMENT, "talks.yml's chapters or the document's format changed")
        # a talk cut from a recording is made from the recording's transcript
        rest = [TRANSCRIPT] if self.settings.read_only else [TRANSCRIPT, PARAGRAPHS]
        if not self.settings.read_only and chapter_marks(job.talk, job.media)[1] == "auto":
            rest.append(TOPICS)
        redo = {"all": rest, "structure": [PARAGRAPHS, TOPICS]}.get(refresh or "", [])
        read_talk(self.store, cached, rest, job.label, skip=redo)
        stored_transcript = cached.files.get(TRANSCRIPT)
        if stored_transcript:
            job.transcript_settings = dict(stored_transcript.get("settings") or {})
            transcript = Transcript.from_json(stored_transcript)
            job.lost_speech = transcript.lost
            if job.talk.span:
                transcript = self.structure.keep_cut(job, transcript)
            self.structure.build(job, transcript, cached=cached)
        elif self.settings.may_process:
            job.needs_audio = True
        else:
            job.problem = NOT_TRANSCRIBED

    def _report_settings(self, job: Job, cached: Cached) -> None:
        """What produced the transcript and the topics, for `status`."""
        assert job.document is not None
        wanted = [TRANSCRIPT]
        if job.document.chapter_origin in ("llm", "offline"):
            wanted.append(TOPICS)
        read_talk(self.store, cached, wanted, job.label)
        transcript, topics = cached.files.get(TRANSCRIPT), cached.files.get(TOPICS)
        job.transcript_settings = dict(transcript.get("settings") or {}) if transcript else None
        job.lost_speech = lost_spans(transcript.get("lost_speech")) if transcript else ()
        job.topics_settings = dict(topics.get("settings") or {}) if topics else None
