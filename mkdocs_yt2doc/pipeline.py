"""One talk through the stages, with the store in front of each; many talks in catalog order.

The MkDocs plugin and the command line both drive `Pipeline.run`.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from . import Yt2DocError
from .captions import caption_cues, srt, vtt
from .catalog import Catalog, Talk, load_catalog
from .chapters import Document, build_document, chapter_marks, document_inputs
from .llm import LLMSettings
from .paragraphs import Paragraph, ParagraphSettings
from .render import TalkView, slugify
from .sources import (
    Entry,
    Media,
    SourceError,
    download_audio,
    fetch_media,
    fetch_thumbnail,
    local_media,
    media_from_info,
    probe,
)
from .stages import Stages, TalkResult, TalkTask
from .store import (
    CAPTIONS,
    DOCUMENT,
    MEDIA,
    PARAGRAPHS,
    THUMBNAIL,
    TOPICS,
    TRANSCRIPT,
    NewerStoreError,
    Store,
    StoreError,
)
from .timecode import format_timecode
from .topics import Topics
from .transcribe import Transcript, WhisperSettings, initial_prompt

log = logging.getLogger("mkdocs.plugins.yt2doc")

RESERVED_SLUGS = {"index", "assets", "search", "404", "events", "speakers", "tags"}
LONG_HOURS = 12  # longer than any talk: a live stream, a channel's day, or wrong metadata


@dataclass(frozen=True)
class PipelineSettings:
    cache_dir: Path
    transcribe: str = "auto"  # auto: process what is missing; never: render what is cached
    whisper: WhisperSettings = field(default_factory=WhisperSettings)
    paragraphs: ParagraphSettings = field(default_factory=ParagraphSettings)
    llm: LLMSettings = field(default_factory=LLMSettings)
    refresh_playlists: bool = False
    read_only: bool = False  # report only (status): write nothing, fetch nothing
    project: Path | None = None  # the folder of mkdocs.yml: local recordings lie inside it
    allow_outside_files: bool = False  # ... unless this says otherwise

    def load_catalog(self, path: Path, name: str | None = None) -> Catalog:
        """talks.yml, its local recordings held to the project."""
        return load_catalog(
            path, name, project=self.project, allow_outside_files=self.allow_outside_files
        )

    @property
    def may_process(self) -> bool:
        return self.transcribe == "auto" and not self.read_only


@dataclass
class Job:
    """A talk on its way through the stages."""

    talk: Talk
    entry: Entry | None = None
    key: str | None = None
    media: Media | None = None
    document: Document | None = None
    problem: str | None = None
    slug: str = ""
    needs_audio: bool = False  # no transcript yet, and processing is allowed
    transcript_settings: dict[str, Any] | None = None  # what produced the stored transcript
    topics_settings: dict[str, Any] | None = None  # (read-only runs) what produced the topics
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


class Executor(Protocol):
    """Processes the talks that need audio somewhere else (`cluster.RayExecutor`), handing
    each result to `Pipeline.record`, which writes it as a local run does."""

    def process(self, pipeline: Pipeline, jobs: list[Job], progress: Progress | None) -> None: ...


class Pipeline:
    def __init__(self, settings: PipelineSettings, executor: Executor | None = None) -> None:
        self.settings = settings
        self.store = Store(settings.cache_dir)
        self.stages = Stages(settings.whisper, settings.paragraphs, settings.llm)
        self.executor = executor  # None: process here, one talk after another
        self.counts: Counter[str] = Counter()  # this run's probes, downloads, transcriptions
        self._sources_writable = True  # False when sources.json is a newer version's

    # -- resolving talks.yml items into talks ------------------------------------------------

    def resolve(self, catalog: Catalog) -> list[Job]:
        """Expand playlists (from the store when it knows them) and apply later overrides."""
        sources = self._read_sources()
        changed = False
        jobs: list[Job] = []
        by_entry: dict[str, Job] = {}
        for talk in catalog.talks:
            known = by_entry.get(talk.url)
            if known is not None and known.talk.url != talk.url:
                known.talk = known.talk.merged(talk)  # a later item overriding a playlist entry
                continue
            if known is not None:
                log.warning(
                    "yt2doc: %s lists %s again (first at %s); keeping the first",
                    talk.where, talk.url, known.talk.where,
                )  # fmt: skip
                continue
            if talk.local_path is not None:
                expanded = [Job(talk=talk, key=local_media(talk).key)]
            else:
                expanded, expansion = self._entries(talk, sources.get(talk.url))
                if expansion is not None:
                    sources[talk.url] = expansion
                    changed = True
            for job in expanded:
                url = job.url
                if url in by_entry:
                    log.warning("yt2doc: %s is listed twice; keeping the first", job.label)
                    continue
                by_entry[url] = job
                jobs.append(job)
        if changed and not self.settings.read_only and self._sources_writable:
            try:
                self.store.write_sources(sources)
            except StoreError as exc:  # the talks are known for this run; expanded again next
                log.warning("yt2doc: %s", exc)
        return jobs

    def _entries(
        self, talk: Talk, stored: dict[str, Any] | None
    ) -> tuple[list[Job], dict[str, Any] | None]:
        """The talks behind a remote URL, and a new expansion to store (None: unchanged)."""
        refresh = self.settings.refresh_playlists and bool(stored and stored.get("playlist"))
        if stored and not (refresh and self.settings.may_process):
            return self._stored_jobs(talk, stored), None
        if not self.settings.may_process:
            return [Job(talk=talk, problem="not processed yet (transcribe: never)")], None
        try:
            jobs, is_playlist = self._expand(talk)
        except Yt2DocError as exc:
            if stored:  # keep what we had: the stored expansion still renders
                log.warning("yt2doc: %s: cannot refresh the playlist: %s", talk.label, exc)
                return self._stored_jobs(talk, stored), None
            return [Job(talk=talk, problem=str(exc), failed=True)], None
        if not all(j.key and j.entry for j in jobs):
            return jobs, None  # an entry failed: expand again next time
        entries = [
            {"url": j.entry.url, "title": j.entry.title, "key": j.key} for j in jobs if j.entry
        ]
        return jobs, {"playlist": is_playlist, "entries": entries}

    @staticmethod
    def _stored_jobs(talk: Talk, stored: dict[str, Any]) -> list[Job]:
        return [
            Job(talk=talk, entry=Entry(e["url"], e.get("title")), key=e["key"])
            for e in stored.get("entries", [])
        ]

    def _read_sources(self) -> dict[str, Any]:
        self._sources_writable = True
        try:
            return self.store.read_sources()
        except NewerStoreError as exc:
            self._sources_writable = False
            log.warning("yt2doc: %s", exc)
        except StoreError as exc:
            if not self.settings.may_process:
                log.warning("yt2doc: %s; its talks are not rendered (nothing was changed)", exc)
                return {}
            aside = self.store.set_sources_aside()
            moved = f"moved it to {aside}; " if aside else ""
            log.warning("yt2doc: %s; %splaylists will be expanded again", exc, moved)
        return {}

    def _expand(self, talk: Talk) -> tuple[list[Job], bool]:
        """The talks behind a URL, and whether it was a playlist."""
        self.counts["probes"] += 1
        entries, info = probe(talk.url)
        if info is not None:  # a single video: its metadata came with the probe
            media = media_from_info(talk.url, info, None)
            self._save_media(media)
            return [Job(talk=talk, entry=entries[0], key=media.key, media=media)], False
        jobs = []
        for entry in entries:
            job = Job(talk=talk, entry=entry)
            try:
                self.counts["probes"] += 1
                job.media = fetch_media(entry)
                job.key = job.media.key
                self._save_media(job.media)
            except SourceError as exc:
                job.problem, job.failed = str(exc), True
            jobs.append(job)
        return jobs, True

    def _save_media(self, media: Media) -> None:
        if not self.settings.read_only:
            self.store.write(media.key, MEDIA, media.to_json())

    # -- one talk through the stages ---------------------------------------------------------

    def _read(self, job: Job, name: str) -> dict[str, Any] | None:
        """A stored stage result, checked against its schema.

        An invalid file is set aside (never deleted) and redone when this run may process;
        otherwise (`transcribe: never`, status) the talk becomes a placeholder and the file
        stays exactly as it is. A newer version's file is never touched.
        """
        assert job.key
        try:
            return self.store.read(job.key, name)
        except NewerStoreError:
            raise
        except StoreError as exc:
            if not self.settings.may_process:
                raise StoreError(
                    f"{exc}; `mkdocs-yt2doc prefetch` (or a build with transcribe: auto) sets "
                    "it aside and redoes it"
                ) from None
            aside = self.store.set_aside(job.key, name)
            log.warning(
                "yt2doc: %s: %s; %s", job.label, exc,
                f"moved it to {aside}; it is redone" if aside else "it is redone",
            )  # fmt: skip
            return None

    def prepare(self, job: Job, *, refresh: str | None = None) -> None:
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

    def _prepare(self, job: Job, refresh: str | None) -> None:
        assert job.key
        key = job.key
        if job.media is None:
            stored_media = self._read(job, MEDIA)
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
                self.counts["probes"] += 1
                job.media = fetch_media(job.entry)
                self._save_media(job.media)
        if job.media is None:
            job.problem = "not processed yet (transcribe: never)"
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
        stored_transcript = None if refresh == "all" else self._read(job, TRANSCRIPT)
        if stored_transcript:
            job.transcript_settings = dict(stored_transcript.get("settings") or {})
            transcript = Transcript.from_json(stored_transcript)
            self._structure(job, transcript, redo=refresh == "structure")
        elif self.settings.may_process:
            job.needs_audio = True
        else:
            job.problem = "not transcribed yet (transcribe: never)"

    def _transcript_settings(self, job: Job) -> dict[str, Any] | None:
        stored = self._read(job, TRANSCRIPT)
        return dict(stored.get("settings") or {}) if stored else None

    def _structure(
        self, job: Job, transcript: Transcript, redo: bool = False, made: TalkResult | None = None
    ) -> None:
        """Paragraphs, topics (when no chapters are given) and the document.

        A stored paragraphs.json or topics.json is reused whatever the settings now say
        (status reports a difference; `prefetch --refresh-structure` redoes them), except that
        offline topics are upgraded once an LLM is configured and may be asked. `made`: what a
        worker already made of them.
        """
        assert job.media and job.key
        if self.settings.read_only:
            job.document_stale = True
            return
        key = job.key
        stored = None if redo else self._read(job, PARAGRAPHS)
        if not stored:
            stored = made.paragraphs if made and made.paragraphs else None
            stored = stored or self.stages.paragraphs(transcript)
            self.store.write(key, PARAGRAPHS, stored)
        paragraphs = [Paragraph.from_json(p) for p in stored["paragraphs"]]
        paragrapher = str(stored.get("paragrapher", ""))
        topics = None
        if chapter_marks(job.talk, job.media)[1] == "auto" and paragraphs:
            made_topics = made.topics if made else None
            topics = self._topics(job, transcript, paragraphs, redo, made_topics)
        job.document = build_document(
            job.talk, job.media, transcript, paragraphs, paragrapher, topics
        )
        cues = caption_cues(transcript.words)  # before the document: it marks the talk as done
        self.store.write_text(key, CAPTIONS["srt"], srt(cues))
        self.store.write_text(key, CAPTIONS["vtt"], vtt(cues))
        self.store.write(key, DOCUMENT, job.document.to_json())

    def _topics(
        self,
        job: Job,
        transcript: Transcript,
        paragraphs: list[Paragraph],
        redo: bool,
        made: dict[str, Any] | None = None,
    ) -> Topics:
        assert job.key
        ask_llm = self.settings.may_process and self.stages.llm is not None
        if made is not None:
            topics = Topics.from_json(made)
        else:
            stored = None if redo else self._read(job, TOPICS)
            if stored and not (stored.get("origin") == "offline" and ask_llm):
                return Topics.from_json(stored)
            topics = self.stages.topics(transcript, paragraphs, job.label, ask_llm)
        self.store.write(job.key, TOPICS, topics.to_json())
        return topics

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
        )

    def process(self, jobs: list[Job], progress: Progress | None = None) -> None:
        """Download and transcribe; the next talk downloads while this one is transcribed."""
        if not jobs:
            return
        if self.executor is not None:
            self.executor.process(self, jobs, progress)
            return
        for job in jobs:
            if progress:
                progress(job, "queued")
        with tempfile.TemporaryDirectory(prefix="yt2doc-") as folder:
            pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="yt2doc-download")
            try:
                upcoming = pool.submit(self._fetch_audio, jobs[0], Path(folder) / "0")
                for index, job in enumerate(jobs):
                    current = upcoming
                    if index + 1 < len(jobs):
                        upcoming = pool.submit(
                            self._fetch_audio, jobs[index + 1], Path(folder) / str(index + 1)
                        )
                    if progress:
                        progress(job, "start")
                    started = time.perf_counter()
                    try:
                        audio = current.result()
                        self._transcribe(job, audio)
                    except Yt2DocError as exc:
                        job.problem, job.failed = str(exc), True
                    finally:
                        shutil.rmtree(Path(folder) / str(index), ignore_errors=True)
                    job.seconds = time.perf_counter() - started
                    if progress:
                        progress(job, "done")
            finally:
                # On Ctrl-C: drop queued downloads; finished talks are already stored.
                pool.shutdown(wait=False, cancel_futures=True)

    def _fetch_audio(self, job: Job, folder: Path) -> Path:
        if job.talk.local_path is not None:
            return job.talk.local_path
        assert job.media
        folder.mkdir(parents=True, exist_ok=True)
        duration = job.media.duration or 0.0
        if duration > LONG_HOURS * 3600:
            log.warning(
                "yt2doc: %s is %s long by its source's metadata; is it a live stream or the "
                "wrong URL? It is transcribed anyway, which takes long",
                job.label, format_timecode(duration),
            )  # fmt: skip
        log.info("yt2doc: downloading %s", job.label)
        self.counts["downloads"] += 1
        return download_audio(job.media, folder)

    def _transcribe(self, job: Job, audio: Path) -> None:
        started = time.perf_counter()
        self.counts["transcriptions"] += 1
        transcript = self.stages.transcribe(self.task(job), audio)
        self._keep_transcript(job, transcript)
        self._structure(job, transcript, redo=True)
        taken = time.perf_counter() - started
        log.info(
            "yt2doc: %s: %.0f s of audio in %.1f s (%.1fx realtime)",
            job.label,
            transcript.duration,
            taken,
            transcript.duration / taken if taken else 0.0,
        )

    def record(self, job: Job, result: TalkResult) -> None:
        """Store what an executor's worker made of a talk, with the local run's own code."""
        self.counts["transcriptions"] += 1
        transcript = Transcript.from_json(result.transcript)
        self._keep_transcript(job, transcript)
        self._structure(job, transcript, redo=True, made=result)

    def _keep_transcript(self, job: Job, transcript: Transcript) -> None:
        assert job.media and job.key
        self._keep_thumbnail(job)
        self.store.write(job.key, TRANSCRIPT, transcript.to_json())
        job.transcript_settings = dict(transcript.settings)
        job.needs_audio = False
        media = job.media
        if not media.duration or media.duration > 2 * transcript.duration + 60:
            # unknown, or metadata far longer than the audio: the audio is the truth
            job.media = dataclasses.replace(media, duration=transcript.duration)
            self._save_media(job.media)

    def _keep_thumbnail(self, job: Job) -> None:
        """A copy of the source's thumbnail for the player's facade (optional: a failure is
        only logged)."""
        assert job.media and job.key
        if not job.media.thumbnail or self.store.thumbnail(job.key) is not None:
            return
        try:
            data, suffix = fetch_thumbnail(job.media.thumbnail)
            self.store.write_bytes(job.key, f"{THUMBNAIL}{suffix}", data)
        except Yt2DocError as exc:
            log.info("yt2doc: %s: no thumbnail: %s", job.label, exc)

    # -- the whole catalog -------------------------------------------------------------------

    def run(
        self,
        catalog: Catalog,
        *,
        only: set[str] | None = None,
        refresh: str | None = None,
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
        refresh: str | None,
        progress: Progress | None,
    ) -> list[Job]:
        jobs = self.resolve(catalog)
        for job in jobs:
            self.prepare(job)
        assign_slugs(jobs)
        if refresh and self.settings.may_process:
            for job in jobs:
                if only is None or job.slug in only:
                    self.prepare(job, refresh=refresh)
        work = [j for j in jobs if j.needs_audio and (only is None or j.slug in only)]
        if work and self.store.write_error:  # transcribing would be lost work
            for job in work:
                job.problem, job.failed = f"not transcribed: {self.store.write_error}", True
            work = []
        try:
            self.process(work, progress)
        finally:
            self._record_failures(jobs)
        for job in jobs:
            if job.problem and not (self.settings.read_only and not job.failed):
                log.warning("yt2doc: %s: %s", job.label, job.problem)
        return jobs

    def _record_failures(self, jobs: list[Job]) -> None:
        """Keep the last error of each talk for `status`; a success clears it."""
        if self.settings.read_only or self.store.write_error:
            return
        failures = self.read_failures()
        before = dict(failures)
        for job in jobs:
            if job.failed and job.problem:
                failures[job.url] = {"reason": job.problem, "where": job.talk.where}
            elif job.document is not None:
                failures.pop(job.url, None)
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


Progress = Callable[[Job, str], None]


def assign_slugs(jobs: list[Job]) -> None:
    """Unique, safe slugs: talks.yml `slug:` wins, else the title; stable for a stable list."""
    taken = set(RESERVED_SLUGS)
    for job in jobs:
        base = slugify(job.talk.slug or "") or slugify(job.title) or slugify(job.key or "")
        base = base or "talk"
        slug, n = base, 2
        while slug in taken:
            slug, n = f"{base}-{n}", n + 1
        taken.add(slug)
        job.slug = slug
        problem = _slug_problem(job.talk.slug, slug)
        if problem:
            log.warning(
                "yt2doc: %s: slug '%s' %s; the page is '%s' (set another slug: to choose)",
                job.label, job.talk.slug, problem, slug,
            )  # fmt: skip


def _slug_problem(wanted: str | None, slug: str) -> str | None:
    """Why talks.yml's `slug:` was not used as it is (case and spaces need no word)."""
    if not wanted:
        return None
    if re.search(r"[/\\]|\.\.", wanted) or not slugify(wanted):
        return "is not a plain name"
    return "is reserved or already taken" if slug != slugify(wanted) else None


def views(jobs: list[Job], store: Store | None = None) -> list[TalkView]:
    """What each talk page shows (with `store`: the caption files the cache holds)."""
    result = []
    for job in jobs:
        talk = job.talk
        captions: dict[str, Path] = {}
        thumbnail = None
        if store is not None and job.key and job.document is not None:
            for kind, name in CAPTIONS.items():
                path = store.file(job.key, name)  # never through a symlink
                if path is not None:
                    captions[kind] = path
            thumbnail = store.thumbnail(job.key)
        result.append(
            TalkView(
                slug=job.slug,
                title=job.title,
                speakers=talk.speakers,
                event=talk.event,
                date=talk.date.isoformat() if talk.date else _upload_date(job.media),
                tags=talk.tags,
                description=talk.description
                or (job.document.summary if job.document else None)
                or (job.media.description if job.media else None),
                media=job.media,
                document=job.document,
                problem=job.problem,
                local_path=talk.local_path,
                caption_files=captions,
                thumbnail_file=thumbnail,
            )
        )
    return result


def _upload_date(media: Media | None) -> str | None:
    date = media.upload_date if media else None
    if date and re.fullmatch(r"\d{8}", date):
        return f"{date[:4]}-{date[4:6]}-{date[6:]}"
    return None
