"""Where talks come from: yt-dlp metadata, playlist and feed expansion, audio download.

yt_dlp is imported inside the functions that use it, so that rendering cached talks never
loads it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..records.errors import Yt2DocError
from ..records.media import CaptionTrack, Entry, Media
from ..records.talk import ChapterMark, Talk
from .fetch import DEADLINE, FetchError, Network, fetch
from .source_errors import advice

# Audio only when the site offers it, else the smallest file with sound: faster-whisper decodes
# any container with PyAV, so no system ffmpeg is needed to merge or convert.
AUDIO_FORMAT = "bestaudio/worst/best"
_SOCKET_TIMEOUT = 30
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_CAUSED_BY = re.compile(r" \(caused by \w+\(.*\)\)$")


class SourceError(Yt2DocError):
    """A source could not be read: dead URL, unsupported site, no media."""


def _short_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:10]


def _safe(text: str, limit: int = 40) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-")[:limit] or "x"


def media_key(extractor: str, media_id: str, webpage_url: str) -> str:
    """The cache folder name: youtube-<id>, vimeo-<id>, else extractor-id-<hash of the URL>.

    Only YouTube and Vimeo ids are unique on their own; a generic id is a file name.
    """
    site = _safe(extractor.lower(), 20)
    if site in ("youtube", "vimeo") and media_id:
        return f"{site}-{_safe(media_id, 64)}"
    return f"{site}-{_safe(media_id)}-{_short_hash(webpage_url)}"


def local_media(talk: Talk) -> Media:
    """A file next to talks.yml; keyed by its path as written, so renames are explicit."""
    assert talk.local_path is not None
    return Media(
        key=f"file-{_safe(talk.local_path.stem)}-{_short_hash(talk.url)}",
        url=talk.url,
        webpage_url=talk.url,
        extractor="file",
        id=talk.local_path.name,
        title=talk.local_path.stem,
    )


def _clean_error(url: str, exc: BaseException) -> str:
    text = _ANSI.sub("", str(exc)).strip()
    text = _CAUSED_BY.sub("", text)  # yt-dlp repeats the cause of network errors
    return advice(url, exc, text.removeprefix("ERROR:").strip())


def _ydl_options(**extra: Any) -> dict[str, Any]:
    return {
        "quiet": True,
        "no_warnings": True,
        "noprogress": True,
        "socket_timeout": _SOCKET_TIMEOUT,
        "logger": _QuietLogger(),
        **extra,
    }


class _QuietLogger:
    """yt-dlp talks a lot; keep its errors for our message and drop the rest."""

    def debug(self, msg: str) -> None:
        pass

    def info(self, msg: str) -> None:
        pass

    def warning(self, msg: str) -> None:
        pass

    def error(self, msg: str) -> None:
        pass


def _extract(url: str, **options: Any) -> dict[str, Any]:
    import yt_dlp

    try:
        with yt_dlp.YoutubeDL(_ydl_options(**options)) as ydl:
            info = ydl.extract_info(url, download=bool(options.get("outtmpl")))
            if not isinstance(info, dict):
                raise SourceError(f"{url}: yt-dlp returned nothing")
            return dict(ydl.sanitize_info(info))
    except yt_dlp.utils.DownloadError as exc:
        raise SourceError(f"{url}: {_clean_error(url, exc)}") from None
    except yt_dlp.utils.YoutubeDLError as exc:  # extractor and post-processing errors
        raise SourceError(f"{url}: {_clean_error(url, exc)}") from None
    except OSError as exc:
        raise SourceError(f"{url}: {advice(url, exc, str(exc))}") from None


def probe(url: str) -> tuple[list[Entry], dict[str, Any] | None]:
    """Entries behind a URL, and the video's info when it is a single video."""
    info = _extract(url, extract_flat="in_playlist")
    if info.get("_type") not in ("playlist", "multi_video"):
        return [Entry(url=url)], info
    entries = []
    for item in info.get("entries") or []:
        if not item:
            continue
        entry_url = item.get("url") or item.get("webpage_url")
        if not entry_url:
            continue
        # Feeds hand out enclosure URLs with yt-dlp's smuggled data after '#'; readers'
        # links, cache keys and override matching all use the plain URL.
        entries.append(Entry(url=plain_url(entry_url), title=item.get("title")))
    if not entries:
        raise SourceError(f"{url}: the playlist has no entries")
    return entries, None


def plain_url(url: str) -> str:
    from yt_dlp.utils import unsmuggle_url

    plain, _ = unsmuggle_url(url)
    return str(plain)


def media_from_info(url: str, info: dict[str, Any], entry: Entry | None = None) -> Media:
    """Keep the stable part of yt-dlp's info dict."""
    if not info.get("url") and not info.get("formats") and not info.get("requested_formats"):
        raise SourceError(f"{url}: no audio or video found there")
    extractor = str(info.get("extractor_key") or info.get("extractor") or "generic")
    media_id = str(info.get("id") or "")
    webpage_url = plain_url(str(info.get("webpage_url") or url))
    duration = info.get("duration")
    chapters = tuple(
        ChapterMark(float(c.get("start_time") or 0.0), str(c.get("title") or "").strip())
        for c in info.get("chapters") or []
        if str(c.get("title") or "").strip()
    )
    title = (entry.title if entry and entry.title else None) or info.get("title")
    return Media(
        key=media_key(extractor, media_id, webpage_url),
        url=url,
        webpage_url=webpage_url,
        extractor=extractor.lower(),
        id=media_id,
        title=title,
        uploader=info.get("uploader") or info.get("channel"),
        duration=float(duration) if isinstance(duration, (int, float)) else None,
        upload_date=info.get("upload_date"),
        description=info.get("description"),
        thumbnail=info.get("thumbnail"),
        chapters=chapters,
        language=str(info["language"])[:16] if isinstance(info.get("language"), str) else None,
        captions=caption_tracks(info),
    )


def caption_tracks(info: dict[str, Any]) -> tuple[CaptionTrack, ...]:
    """The caption files yt-dlp reports (a page's `<track>`s, YouTube's uploader captions
    under `subtitles`, its speech recognition under `automatic_captions`), one per language
    and kind, WebVTT preferred. Only http(s) files: they are fetched."""
    tracks = []
    for field_name, auto in (("subtitles", False), ("automatic_captions", True)):
        offered = info.get(field_name)
        if not isinstance(offered, dict):
            continue
        for language, formats in offered.items():
            if not isinstance(language, str) or not re.fullmatch(r"[A-Za-z0-9_-]{1,32}", language):
                continue
            if language == "live_chat":
                continue
            files = [f for f in formats or [] if isinstance(f, dict)]
            for ext in ("vtt", "srt"):
                found = next(
                    (f for f in files if f.get("ext") == ext and _http(f.get("url"))), None
                )
                if found:
                    tracks.append(CaptionTrack(language, str(found["url"]), ext, auto))
                    break
    return tuple(tracks)


def _http(url: object) -> bool:
    return isinstance(url, str) and re.match(r"https?://", url, re.IGNORECASE) is not None


def fetch_media(entry: Entry) -> Media:
    """Metadata of one entry (no download)."""
    return media_from_info(entry.url, _extract(entry.url), entry)


def download_audio(media: Media, folder: Path) -> Path:
    """Download the talk's audio into `folder`; return the file's path."""
    if media.extractor == "file":
        raise SourceError(f"{media.url}: a local file needs no download")
    info = _extract(
        media.url,
        format=AUDIO_FORMAT,
        outtmpl=str(folder / "audio.%(ext)s"),
        retries=3,
        fragment_retries=3,
        continuedl=False,
        overwrites=True,
    )
    for download in info.get("requested_downloads") or []:
        path = Path(download.get("filepath") or "")
        if path.is_file():
            return path
    found = sorted(folder.glob("audio.*"))
    if found:
        return found[0]
    raise SourceError(f"{media.url}: the download finished but left no file")


THUMBNAIL_TYPES = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp"}
THUMBNAIL_BYTES = 2 * 2**20


def fetch_thumbnail(
    url: str, *, allowed: Sequence[Network] = (), deadline_s: float = DEADLINE
) -> tuple[bytes, str]:
    """The source's thumbnail, to serve from the site: the player's facade shows it without
    the reader's browser asking YouTube for it. Returns (bytes, file suffix). Its URL comes
    from the source's metadata: held to the rules of every fetch (`fetch.py`)."""
    try:
        reply = fetch(url, limit_bytes=THUMBNAIL_BYTES, deadline_s=deadline_s, allowed=allowed)
    except FetchError as exc:
        raise SourceError(f"cannot fetch the thumbnail {url!r}: {exc}") from None
    if reply.content_type not in THUMBNAIL_TYPES:
        raise SourceError(f"thumbnail {url} is {reply.content_type}, not an image")
    return reply.data, THUMBNAIL_TYPES[reply.content_type]
