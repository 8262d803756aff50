"""Finished jobs -> `TalkView`s: the one record a talk's page and files are made from,
built once, with the talk's replacements applied to its text (so they take effect on cached
talks at once, with no model)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .chapters import Document
from .glossary import Replacer
from .sources import Media
from .store import CAPTIONS, Store

if TYPE_CHECKING:
    from .job import Job


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
    problem: str | None  # why there is no transcript (placeholder page)
    local_path: Path | None = None  # a recording on disk, copied into the site
    media_href: str | None = None  # for local files: the copy in the site, relative to the page
    caption_files: dict[str, Path] = field(default_factory=dict)  # srt/vtt in the cache
    caption_texts: dict[str, str] = field(default_factory=dict)  # ... or their corrected text
    thumbnail_file: Path | None = None  # the source's thumbnail, in the cache
    thumbnail_href: str | None = None  # its copy in the site, relative to the page
    captions_href: str | None = None  # the .vtt captions in the site, relative to the page
    chapters_href: str | None = None  # the chapters .vtt
    downloads: tuple[tuple[str, str], ...] = ()  # (label, href relative to the page)
    player: bool = True
    facets: frozenset[str] = field(default_factory=frozenset)  # index pages that exist

    @property
    def duration(self) -> float | None:
        return self.media.duration if self.media else None


def views(jobs: list[Job], store: Store | None = None) -> list[TalkView]:
    """What each talk page shows (with `store`: the caption files the cache holds), its
    talks.yml replacements applied to the text."""
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
        document, caption_texts = job.document, {}
        if document is not None and talk.replace:  # corrections of the talk's wording
            replacer = Replacer(talk.replace)
            document = replacer.document(document)
            caption_texts = {
                k: replacer.captions(p.read_text("utf-8")) for k, p in captions.items()
            }
        result.append(
            TalkView(
                slug=job.slug,
                title=job.title,
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
            )
        )
    return result


def _upload_date(media: Media | None) -> str | None:
    date = media.upload_date if media else None
    if date and re.fullmatch(r"\d{8}", date):
        return f"{date[:4]}-{date[4:6]}-{date[6:]}"
    return None
