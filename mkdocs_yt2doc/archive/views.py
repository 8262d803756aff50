"""Finished jobs -> `TalkView`s: the one record a talk's page and files are made from,
built once, with the talk's replacements applied to its text (so they take effect on cached
talks at once, with no model)."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..cache.store import CAPTIONS, TOPICS, Store, StoreError
from ..records.document import Document
from ..records.media import Media
from ..records.talk import Speaker
from ..sources.ytdlp import THUMBNAIL_BYTES
from ..util.glossary import replacer as shared_replacer
from ..util.spans import part_duration
from .corrected import corrected, corrections_path

if TYPE_CHECKING:
    from ..records.job import Job

log = logging.getLogger("mkdocs.plugins.yt2doc")


@dataclass(frozen=True)
class TalkView:
    """Everything a talk page shows, and the files it links."""

    slug: str
    title: str
    speakers: tuple[str, ...]
    event: str | None
    date: str | None  # ISO date
    tags: tuple[str, ...]
    description: str | None
    media: Media | None
    document: Document | None
    problem: str | None  # why there is no transcript: for the build log, never the page
    local_path: Path | None = None  # a recording on disk, copied into the site
    media_href: str | None = None  # local files: the copy in the site, a relative URL (encoded)
    caption_files: dict[str, Path] = field(default_factory=dict)  # srt/vtt in the cache
    caption_texts: dict[str, str] = field(default_factory=dict)  # ... or their corrected text
    thumbnail_file: Path | None = None  # the source's thumbnail, in the cache
    thumbnail_href: str | None = None  # its copy in the site, relative to the page
    captions_href: str | None = None  # the .vtt captions in the site, relative to the page
    chapters_href: str | None = None  # the chapters .vtt
    downloads: tuple[tuple[str, str], ...] = ()  # (label, href relative to the page)
    player: bool = True
    facets: frozenset[str] = field(default_factory=frozenset)  # index pages that exist
    checked: bool = False  # the text was corrected by a person (corrections/<slug>.md)
    provenance: str = ""  # where the text and chapters come from, for readers
    unplaced: tuple[str, ...] = ()  # a person's paragraphs with no speech in their time
    edited: int = 0  # paragraphs a person edited (status)
    start: float | None = None  # the talk's span, when it shares its recording
    end: float | None = None
    kind: str | None = None  # keynote, talk, lightning, ...
    slides: str | None = None
    links: tuple[tuple[str, str], ...] = ()  # (label, URL)
    abstract: str | None = None  # the description (talks.yml, the source), else the summary
    machine_abstract: bool = False  # the abstract is the summary a machine wrote
    profiles: tuple[Speaker, ...] = ()  # its speakers as talks.yml's `speakers:` map has them
    source_url: str | None = None  # the talk's URL in talks.yml (a placeholder links it)

    @property
    def duration(self) -> float | None:
        return part_duration(self.start, self.end, self.media.duration if self.media else None)


def _thumbnail(store: Store, job: Job) -> Path | None:
    """The cache's thumbnail, to publish: committed ones are held to the fetched ones' cap."""
    path = store.thumbnail(job.recording_key or job.key or "")
    try:
        size = path.stat().st_size if path is not None else 0
    except OSError:
        return None
    if size > THUMBNAIL_BYTES:
        log.warning(
            "yt2doc: %s: %s is over %d MiB (%d bytes); it is not published",
            job.label, path, THUMBNAIL_BYTES // 2**20, size,
        )  # fmt: skip
        return None
    return path


def views(
    jobs: list[Job], store: Store | None = None, corrections_dir: Path | None = None
) -> list[TalkView]:
    """What each talk page shows (with `store`: the caption files the cache holds): a
    person's corrections (`corrections_dir/<slug>.md`) laid over the machine text, then the
    talk's talks.yml replacements."""
    result = []
    for job in jobs:
        talk = job.talk
        captions: dict[str, Path] = {}
        thumbnail = None
        title, document, caption_texts = job.title, job.document, {}
        checked, unplaced, edited = False, tuple[str, ...](), 0
        if store is not None and job.key and document is not None:
            for kind, name in CAPTIONS.items():
                path = store.file(job.key, name)  # never through a symlink
                if path is not None:
                    captions[kind] = path
            thumbnail = _thumbnail(store, job)
            path = corrections_path(corrections_dir, job.slug) if corrections_dir else None
            fixed = None
            if path is not None and path.is_symlink():  # from a pull request: never followed
                log.warning("yt2doc: %s is a symlink; it is not read", path)
            elif path is not None and path.is_file():
                fixed = corrected(store, job.key, document, path, job.label)
            if fixed is not None and fixed.changed:  # as `correct` wrote it: the machine's
                document, caption_texts, checked = fixed.document, fixed.captions, True
                unplaced, edited = fixed.unplaced, fixed.edited
                title = fixed.title or title
        if document is not None and talk.replace:  # corrections of the talk's wording
            replacer = shared_replacer(talk.replace)
            document = replacer.document(document)
            caption_texts = {
                kind: replacer.captions(text) for kind, text in caption_texts.items()
            } or {kind: replacer.captions(p.read_text("utf-8")) for kind, p in captions.items()}
        written = talk.description or (job.media.description if job.media else None)
        summary = document.summary if document else None
        by_person = checked and job.document is not None and summary != job.document.summary
        result.append(
            TalkView(
                slug=job.slug,
                title=title,
                speakers=talk.speakers,
                event=talk.event,
                date=talk.date.isoformat() if talk.date else _upload_date(job.media),
                tags=talk.tags,
                description=talk.description
                or (document.summary if document else None)
                or (job.media.description if job.media else None),
                media=job.media,
                document=document,
                problem=job.problem,
                local_path=talk.local_path,
                caption_files=captions,
                caption_texts=caption_texts,
                thumbnail_file=thumbnail,
                checked=checked,
                unplaced=unplaced,
                edited=edited,
                provenance=_provenance(document, checked, _llm_model(store, job)),
                start=talk.start,
                end=talk.end,
                kind=talk.kind,
                slides=talk.slides,
                links=talk.links,
                abstract=(written or summary or "").strip() or None,
                machine_abstract=not (written or "").strip() and bool(summary) and not by_person,
                profiles=talk.profiles,
                source_url=talk.url,
            )
        )
    if corrections_dir is not None and corrections_dir.is_dir():
        slugs = {job.slug for job in jobs}
        for path in sorted(corrections_dir.glob("*.md")):
            if path.stem not in slugs:
                log.warning(
                    "yt2doc: %s corrects a talk that does not exist (no page '%s'); it is not "
                    "used", path, path.stem,
                )  # fmt: skip
    return result


_CHAPTERS = {
    "yaml": "chapters from talks.yml",
    "source": "chapters from the source",
    "offline": "chapters found by the offline segmenter",
    "corrected": "chapters by a person",
}


def _provenance(document: Document | None, checked: bool, model: str | None) -> str:
    """Where the page's text and chapters come from, for readers."""
    if document is None:
        return ""
    text = "Transcript checked by a person" if checked else _text_source(document.text_source)
    origin = document.chapter_origin
    if origin == "llm":
        chapters = f"chapters by an LLM ({model})" if model else "chapters by an LLM"
    else:
        chapters = _CHAPTERS.get(origin, "")
    return f"{text}; {chapters}." if chapters else f"{text}."


def _text_source(source: str) -> str:
    kind, _, language = source.partition(":")
    if kind == "captions-file":
        return "Transcript from a caption file"
    if kind == "captions":
        return f"Transcript from the uploader's captions ({language})"
    if kind == "auto-captions":
        return f"Machine transcript (the platform's automatic captions, {language})"
    return "Machine transcript (Whisper)"


def _llm_model(store: Store | None, job: Job) -> str | None:
    if store is None or job.key is None or job.document is None:
        return None
    if job.document.chapter_origin != "llm":
        return None
    try:
        topics = store.read(job.key, TOPICS)
    except StoreError:
        return None
    model = (topics or {}).get("settings", {}).get("model")
    return model if isinstance(model, str) else None


def _upload_date(media: Media | None) -> str | None:
    date = media.upload_date if media else None
    if date and re.fullmatch(r"\d{8}", date):
        return f"{date[:4]}-{date[4:6]}-{date[6:]}"
    return None
