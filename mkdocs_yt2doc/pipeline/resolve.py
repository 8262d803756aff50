"""talks.yml items -> jobs: playlists and feeds expanded (from sources.json when it knows them),
later items overriding playlist entries, duplicates dropped, slugs assigned."""

from __future__ import annotations

import logging
import re
from typing import Any

from ..cache.store import MEDIA, NewerStoreError, Store, StoreError
from ..records.errors import Yt2DocError
from ..records.job import Counts, Job
from ..records.media import Entry, Media
from ..records.talk import Catalog, Talk
from ..sources.ytdlp import SourceError, fetch_media, local_media, media_from_info, probe
from ..util.names import Taken, slugify, unique
from ..util.spans import warn_overlaps
from .settings import PipelineSettings

log = logging.getLogger("mkdocs.plugins.yt2doc")

RESERVED_SLUGS = {"index", "assets", "search", "404", "events", "speakers", "tags", "years"}


class Resolver:
    def __init__(self, settings: PipelineSettings, store: Store, counts: Counts) -> None:
        self.settings = settings
        self.store = store
        self.counts = counts
        self._sources_writable = True  # False when sources.json is a newer version's

    def resolve(self, catalog: Catalog) -> list[Job]:
        """Expand playlists (from the store when it knows them) and apply later overrides."""
        sources = self._read_sources()
        changed = False
        jobs: list[Job] = []
        by_entry: dict[str, Job] = {}
        for talk in catalog.talks:
            known = by_entry.get(talk.url + talk.span)
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
                if talk.span and (expansion or sources.get(talk.url) or {}).get("playlist"):
                    expanded = [Job(talk=talk, failed=True, problem=(
                        "start: and end: cut a talk out of one recording, and this URL is a "
                        "playlist; give the URL of the recording"))]  # fmt: skip
            for job in expanded:
                url = job.ident
                if url in by_entry:
                    log.warning("yt2doc: %s is listed twice; keeping the first", job.label)
                    continue
                by_entry[url] = job
                jobs.append(job)
        for job in jobs:  # a talk cut from a recording: the recording's folder is shared
            if job.key and job.talk.span:
                job.recording, job.key = job.key, job.key + job.talk.span
        if any(job.recording for job in jobs):
            warn_overlaps(jobs)
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
            self.save_media(media)
            return [Job(talk=talk, entry=entries[0], key=media.key, media=media)], False
        jobs = []
        for entry in entries:
            job = Job(talk=talk, entry=entry)
            try:
                job.media = self.fetch_media(entry)
                job.key = job.media.key
            except SourceError as exc:
                job.problem, job.failed = str(exc), True
            jobs.append(job)
        return jobs, True

    def fetch_media(self, entry: Entry) -> Media:
        """One talk's metadata from its source, stored."""
        self.counts["probes"] += 1
        media = fetch_media(entry)
        self.save_media(media)
        return media

    def save_media(self, media: Media) -> None:
        if not self.settings.read_only:
            self.store.write(media.key, MEDIA, media.to_json())


def assign_slugs(jobs: list[Job]) -> None:
    """Unique, safe slugs: talks.yml `slug:` wins, else the title; stable for a stable list."""
    taken = Taken(RESERVED_SLUGS)
    for job in jobs:
        base = (
            (job.talk.slug and slugify(job.talk.slug))
            or slugify(job.title)
            or slugify(job.key or "")
        )
        job.slug = unique(base or "talk", taken)
        problem = _slug_problem(job.talk.slug, job.slug)
        if problem:
            log.warning(
                "yt2doc: %s: slug '%s' %s; the page is '%s' (set another slug: to choose)",
                job.label, job.talk.slug, problem, job.slug,
            )  # fmt: skip


def _slug_problem(wanted: str | None, slug: str) -> str | None:
    """Why talks.yml's `slug:` was not used as it is (case and spaces need no word)."""
    if not wanted:
        return None
    if re.search(r"[/\\]|\.\.", wanted) or not slugify(wanted):
        return "is not a plain name"
    return "is reserved or already taken" if slug != slugify(wanted) else None
