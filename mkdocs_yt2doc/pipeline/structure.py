"""A transcript -> paragraphs, topics (for talks without chapter marks), the document and its
caption files: each stored in the cache as it is made."""

from __future__ import annotations

from typing import Any

from ..cache.store import CAPTIONS, DOCUMENT, PARAGRAPHS, TOPICS, TRANSCRIPT, Store
from ..document.captions import caption_cues, srt, vtt
from ..document.chapters import build_document, chapter_marks
from ..records.cached import Cached
from ..records.document import Paragraph, Topics
from ..records.errors import Yt2DocError
from ..records.job import Job
from ..records.transcript import Transcript
from ..util.spans import cut, span_problem
from .settings import PipelineSettings
from .stages import Stages, TalkResult


class Structure:
    def __init__(self, settings: PipelineSettings, store: Store, stages: Stages) -> None:
        self.settings = settings
        self.store = store
        self.stages = stages

    def build(
        self,
        job: Job,
        transcript: Transcript,
        *,
        cached: Cached | None = None,
        made: TalkResult | None = None,
    ) -> None:
        """Paragraphs, topics (when no chapters are given) and the document.

        A stored paragraphs.json or topics.json is reused whatever the settings now say
        (status reports a difference; `prefetch --refresh-structure` redoes them), except that
        offline topics are upgraded once an LLM is configured and may be asked. `cached`: the
        talk's stage files as read (None: nothing is reused); `made`: what a worker already made
        of them.
        """
        assert job.media and job.key
        if self.settings.read_only:
            job.document_stale = True
            return
        key = job.key
        stored = cached.files.get(PARAGRAPHS) if cached else None
        if not stored:
            stored = made.paragraphs if made and made.paragraphs else None
            stored = stored or self.stages.paragraphs(transcript)
            self.store.write(key, PARAGRAPHS, stored)
        paragraphs = [Paragraph.from_json(p) for p in stored["paragraphs"]]
        paragrapher = str(stored.get("paragrapher", ""))
        topics = None
        if chapter_marks(job.talk, job.media)[1] == "auto" and paragraphs:
            made_topics = made.topics if made else None
            stored_topics = cached.files.get(TOPICS) if cached else None
            topics = self._topics(job, transcript, paragraphs, stored_topics, made_topics)
        job.document = build_document(
            job.talk, job.media, transcript, paragraphs, paragrapher, topics
        )
        cues = caption_cues(transcript.words)  # before the document: it marks the talk as done
        self.store.write_text(key, CAPTIONS["srt"], srt(cues))
        self.store.write_text(key, CAPTIONS["vtt"], vtt(cues))
        self.store.write(key, DOCUMENT, job.document.to_json())

    def keep_cut(self, job: Job, recording: Transcript) -> Transcript:
        """The talk's cut of its recording's transcript, kept in the talk's folder (where a
        corrections file finds it); `Yt2DocError` if the span lies past the recording."""
        assert job.key
        problem = span_problem(job.talk, recording.duration)
        if problem:
            raise Yt2DocError(problem)
        transcript = cut(recording, job.talk)
        if not self.settings.read_only:
            self.store.write(job.key, TRANSCRIPT, transcript.to_json())
        return transcript

    def _topics(
        self,
        job: Job,
        transcript: Transcript,
        paragraphs: list[Paragraph],
        stored: dict[str, Any] | None,
        made: dict[str, Any] | None = None,
    ) -> Topics | None:
        assert job.key
        ask_llm = self.settings.may_process and self.stages.llm is not None
        if made is not None:
            topics: Topics | None = Topics.from_json(made)
        else:
            if stored and not (stored.get("origin") == "offline" and ask_llm):
                return Topics.from_json(stored)
            topics = self.stages.topics(transcript, paragraphs, job.label, ask_llm)
        if topics is not None:
            self.store.write(job.key, TOPICS, topics.to_json())
        return topics
