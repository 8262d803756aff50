"""Many talks through the stages, in catalog order; the MkDocs plugin and the command line
both drive `Pipeline.run`.

The stages, in the order a talk meets them: `resolve` (talks.yml items -> jobs), `cache_state`
(what the cache holds, what is left), an executor (`local_run`, or `cluster` on Ray) that
downloads and transcribes, `record` (its results stored) with `structure` (paragraphs, topics,
document), then `views` of the finished jobs for the pages.
"""

from __future__ import annotations

import dataclasses
import logging
from collections import Counter
from typing import Any

from ..cache.store import Store, StoreError
from ..records.job import Job, Progress
from ..records.talk import Catalog
from ..util.names import assign_slugs
from .cache_state import NOT_PROCESSED, NOT_TRANSCRIBED, CacheState
from .caption_source import CaptionSource
from .local_run import LocalExecutor
from .record import Executor, Recorder
from .resolve import Resolver
from .settings import PipelineSettings, Refresh
from .stages import Stages
from .structure import Structure

log = logging.getLogger("mkdocs.plugins.yt2doc")


class Pipeline:
    def __init__(
        self,
        settings: PipelineSettings,
        executor: Executor | None = None,
        stages: Stages | None = None,
    ) -> None:
        """`executor`: where talks are processed (default: here); `stages`: the model-bound
        work (default: the models the settings name)."""
        self.settings = settings
        # A run that may process sets invalid cache files aside and redoes them; others refuse.
        self.store = Store(settings.cache_dir, repair=settings.may_process)
        self.stages = stages or Stages(settings.whisper, settings.paragraphs, settings.llm)
        self.counts: Counter[str] = Counter()  # this run's probes, downloads, transcriptions
        self.resolver = Resolver(settings, self.store, self.counts)
        structure = Structure(settings, self.store, self.stages)
        self.cache = CacheState(settings, self.store, self.resolver, structure)
        self.recorder = Recorder(settings, self.store, self.resolver, structure, self.counts)
        self.captions = CaptionSource(settings, self.recorder)
        self.executor = executor or LocalExecutor(self.stages)

    def run(
        self,
        catalog: Catalog,
        *,
        only: set[str] | None = None,
        refresh: Refresh | None = None,
        progress: Progress | None = None,
    ) -> list[Job]:
        """Every talk of the catalog, processed as far as the settings allow, in order.

        `only` limits processing to these slugs; `refresh` redoes their transcripts ("all") or
        their paragraphs and topics ("structure").
        """
        self.counts.clear()  # the pipeline outlives a run under `mkdocs serve`
        if self.settings.read_only or not (self.settings.may_process or self.store.root.exists()):
            return self._run(catalog, only, refresh, progress)  # nothing can be written
        with self.store.lock():
            return self._run(catalog, only, refresh, progress)

    def _run(
        self,
        catalog: Catalog,
        only: set[str] | None,
        refresh: Refresh | None,
        progress: Progress | None,
    ) -> list[Job]:
        jobs = self.resolver.resolve(catalog)
        for job in jobs:
            self.cache.prepare(job)
        assign_slugs(jobs)
        if refresh and self.settings.may_process:
            for job in jobs:
                if only is None or job.slug in only:
                    self.cache.prepare(job, refresh=refresh)
        work = [j for j in jobs if j.needs_audio and (only is None or j.slug in only)]
        if work and self.store.write_error:  # transcribing would be lost work
            for job in work:
                job.problem, job.failed = f"not transcribed: {self.store.write_error}", True
            work = []
        # talks cut from one recording: it is downloaded and transcribed once, for the first
        first: dict[str, Job] = {}
        for job in work:
            first.setdefault(job.recording_key or "", job)
        sharing = [j for j in work if first[j.recording_key or ""] is not j]
        work = list(first.values())
        try:
            if work:
                work = self._captions(work, progress)
            if work:
                self.executor.process(self.recorder, work, _announced(progress))
            for job in sharing:  # now made from the recording's stored transcript
                job.needs_audio = False
                made = first[job.recording_key or ""].media  # with the audio's length
                if made is not None and job.media is not None and not job.media.duration:
                    job.media = dataclasses.replace(job.media, duration=made.duration)
                self.cache.prepare(job, refresh="structure" if refresh else None)
                if job.needs_audio and not job.problem:  # the first talk failed
                    why = first[job.recording_key or ""].problem or "it was not transcribed"
                    job.problem, job.failed = f"its recording: {why}", True
        finally:
            self._record_failures(jobs)
        for job in jobs:
            if job.problem and not (self.settings.read_only and not job.failed):
                log.warning("yt2doc: %s: %s", job.label, job.problem)
            _warn_lost_captions(job)
        waiting = sum(j.problem in (NOT_PROCESSED, NOT_TRANSCRIBED) for j in jobs)
        if waiting and not self.settings.read_only:
            log.warning(
                "yt2doc: %d talk(s) without a transcript, which `transcribe: never` does not "
                "make: run `mkdocs-yt2doc prefetch` where they can be transcribed, then commit "
                "the cache folder (%s)", waiting, self.cache_name(),
            )  # fmt: skip
        return jobs

    def cache_name(self) -> str:
        """The cache folder as a person names it: relative to the project."""
        folder, project = self.settings.cache_dir, self.settings.project
        if project is not None and folder.is_relative_to(project):
            return f"{folder.relative_to(project).as_posix()}/"
        return str(folder)

    def _captions(self, work: list[Job], progress: Progress | None) -> list[Job]:
        """Talks transcribed from captions (`transcript_from`); the rest go to Whisper."""
        if progress:
            for job in work:
                progress(job, "queued")
        return self.captions.take(work, progress)

    def _record_failures(self, jobs: list[Job]) -> None:
        """Keep the last error of each talk for `status`; a success clears it."""
        if self.settings.read_only or self.store.write_error:
            return
        failures = self.read_failures()
        before = dict(failures)
        for job in jobs:
            if job.failed and job.problem:
                failures[job.ident] = {"reason": job.problem, "where": job.talk.where}
            elif job.document is not None and failures:  # a success clears its error
                failures.pop(job.ident, None)
        if failures != before:
            try:
                self.store.write_failures(failures)
            except StoreError as exc:  # only `status` reads it
                log.warning("yt2doc: %s", exc)

    def read_failures(self) -> dict[str, Any]:
        try:
            return self.store.read_failures()
        except StoreError:
            return {}


def _warn_lost_captions(job: Job) -> None:
    """A cached talk whose `captions:` file is gone: its page is built from the cache, but the
    next `prefetch --refresh` (or a fresh clone's CI) cannot make it again."""
    path = job.talk.captions_path
    if job.document is None or path is None or path.is_file():
        return
    log.warning(
        "yt2doc: %s: its caption file %s (%s) is missing; the page shows the cached "
        "transcript. Restore the file, or remove `captions:` from talks.yml",
        job.label, job.talk.captions, job.talk.captions_at,
    )  # fmt: skip


def _announced(progress: Progress | None) -> Progress | None:
    """`progress` without the executor's "queued" events: every talk was announced before
    the captions were tried."""
    if progress is None:
        return None

    def report(job: Job, event: str) -> None:
        if event != "queued":
            progress(job, event)

    return report
