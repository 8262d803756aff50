"""What a source says about a talk: `Media` (a stable subset of yt-dlp's info), the
`CaptionTrack`s it offers, and the `Entry`s a playlist URL stands for."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .talk import ChapterMark


@dataclass(frozen=True)
class CaptionTrack:
    """A caption file the source offers: the uploader's, or the platform's automatic ones."""

    language: str
    url: str
    ext: str  # vtt | srt
    auto: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"language": self.language, "url": self.url, "ext": self.ext, "auto": self.auto}


@dataclass(frozen=True)
class Media:
    """What we keep of a source's metadata (a stable subset of yt-dlp's info dict)."""

    key: str
    url: str  # what to hand yt-dlp again (or the local path)
    webpage_url: str  # what readers' links point at
    extractor: str
    id: str
    title: str | None = None
    uploader: str | None = None
    duration: float | None = None
    upload_date: str | None = None  # YYYYMMDD, as yt-dlp gives it
    description: str | None = None
    thumbnail: str | None = None
    chapters: tuple[ChapterMark, ...] = field(default_factory=tuple)
    language: str | None = None  # what the source says the talk is in
    captions: tuple[CaptionTrack, ...] = field(default_factory=tuple)

    def to_json(self) -> dict[str, Any]:
        extra: dict[str, Any] = {"language": self.language} if self.language else {}
        if self.captions:
            extra["captions"] = [t.to_json() for t in self.captions]
        return {
            **extra,
            "key": self.key,
            "url": self.url,
            "webpage_url": self.webpage_url,
            "extractor": self.extractor,
            "id": self.id,
            "title": self.title,
            "uploader": self.uploader,
            "duration": self.duration,
            "upload_date": self.upload_date,
            "description": self.description,
            "thumbnail": self.thumbnail,
            "chapters": [{"start": c.start, "title": c.title} for c in self.chapters],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Media:
        return cls(
            key=data["key"],
            url=data["url"],
            webpage_url=data["webpage_url"],
            extractor=data["extractor"],
            id=data["id"],
            title=data.get("title"),
            uploader=data.get("uploader"),
            duration=data.get("duration"),
            upload_date=data.get("upload_date"),
            description=data.get("description"),
            thumbnail=data.get("thumbnail"),
            chapters=tuple(ChapterMark(c["start"], c["title"]) for c in data.get("chapters", [])),
            language=data.get("language"),
            captions=tuple(
                CaptionTrack(t["language"], t["url"], t["ext"], t.get("auto", False))
                for t in data.get("captions", [])
            ),
        )


@dataclass(frozen=True)
class Entry:
    """One talk that a talks.yml URL stands for (a playlist stands for several)."""

    url: str
    title: str | None = None  # the playlist's title for it, which beats the file name
