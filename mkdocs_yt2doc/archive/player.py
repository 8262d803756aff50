"""The in-page player of a talk page, and what the page tells search engines about the video.

A talk's page plays its recording where it can: a `<video>`/`<audio>` element for local files
and direct media URLs, YouTube (youtube-nocookie.com) and Vimeo behind a click-to-load facade,
so that no third-party request is made until the reader asks. `assets/yt2doc.js` drives it;
without JavaScript every timestamp is still a link to the source at that second.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

from ..util.escape import attr, clean, inert, safe_url

if TYPE_CHECKING:
    from ..records.media import Media
    from .views import TalkView

AUDIO = {".mp3", ".m4a", ".aac", ".opus", ".ogg", ".oga", ".wav", ".flac", ".weba"}
VIDEO = {".mp4", ".m4v", ".webm", ".mov", ".ogv", ".mkv"}
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_SCRIPT_SAFE = str.maketrans({c: f"\\u{ord(c):04x}" for c in "<>&{}\u2028\u2029"})
SERVICES = {"youtube": ("YouTube", "youtube-nocookie.com"), "vimeo": ("Vimeo", "vimeo.com")}


def time_url(media: Media, seconds: float, media_href: str | None = None) -> str | None:
    """The source at that second: YouTube ?t=Ns, Vimeo #t=Ns, anything else #t=N."""
    template = time_url_template(media, media_href)
    return f"{template[0]}{max(0, int(seconds))}{template[1]}" if template else None


def time_url_template(media: Media, media_href: str | None = None) -> tuple[str, str] | None:
    """What goes before and after the second in `time_url` (worked out once per talk)."""
    if media.extractor == "file":
        # `archive` encodes the href; quoting again with "%" safe changes nothing then (":"
        # keeps a `media_base_url` absolute)
        return (f"{quote(media_href, safe='/%:')}#t=", "") if media_href else None
    if media.extractor == "youtube" and re.fullmatch(r"[\w-]{6,20}", media.id):
        return f"https://www.youtube.com/watch?v={media.id}&t=", "s"
    if media.extractor == "vimeo" and media.id.isdigit():
        return f"https://vimeo.com/{media.id}#t=", "s"
    base = safe_url(media.webpage_url)
    if not base:
        return None
    scheme, netloc, path, query, _ = urlsplit(base)
    return urlunsplit((scheme, netloc, path, query, "")) + "#t=", ""


@dataclass(frozen=True)
class Player:
    kind: str  # audio | video (a media element) | youtube | vimeo (an embed behind a facade)
    ref: str  # the media's URL, or the service's video id


def player_for(view: TalkView) -> Player | None:
    """The player a talk gets, or None (an unknown site: timestamps link to the source)."""
    media = view.media
    if media is None:
        return None
    if media.extractor == "file":
        return _element(view.media_href, view.media_href)
    if media.extractor == "youtube" and re.fullmatch(r"[\w-]{6,20}", media.id):
        return Player("youtube", media.id)
    if media.extractor == "vimeo" and media.id.isdigit():
        return Player("vimeo", media.id)
    direct = safe_url(media.url)
    return _element(direct, urlsplit(direct).path if direct else None)


def _element(src: str | None, path: str | None) -> Player | None:
    suffix = PurePosixPath(path or "").suffix.lower()
    if not src or suffix not in AUDIO | VIDEO:
        return None
    return Player("audio" if suffix in AUDIO else "video", src)


def player_html(view: TalkView, player: Player) -> str:
    """The player and its controls (shown by the script; hidden without JavaScript)."""
    title = clean(view.title)
    if player.kind in ("audio", "video"):
        language = attr(view.document.language if view.document else "") or "und"
        tracks = "".join(
            f'<track kind="{kind}" src="{attr(href)}" srclang="{language}" label="{label}">'
            for kind, href, label in (
                ("captions", view.captions_href, "Transcript"),
                ("chapters", view.chapters_href, "Chapters"),
            )
            if href
        )
        body = (
            f'<{player.kind} class="yt2doc-media" controls preload="metadata" '
            f'src="{attr(player.ref)}" aria-label="Recording: {attr(title)}">{tracks}'
            f"</{player.kind}>"
        )
    else:
        service, host = SERVICES[player.kind]
        image = (  # the site's own copy: showing it asks nothing of the service
            f'<img class="yt2doc-facade-image" src="{attr(view.thumbnail_href)}" alt="" '
            'loading="lazy">'
            if view.thumbnail_href
            else ""
        )
        body = (
            f'<button type="button" class="yt2doc-facade" '
            f'aria-label="Play: {attr(title)} (loads the {service} player)">{image}'
            '<span class="yt2doc-facade-play" aria-hidden="true"></span>'
            f'<span class="yt2doc-facade-title">{inert(title)}</span>'
            f'<span class="yt2doc-facade-note">Click to load the {service} player '
            f"({host})</span></button>"
        )
    # a talk cut from a longer recording keeps to its span; the duration, for the compact
    # player before the media says
    span = "".join(
        f' data-{name}="{value:g}"'
        for name, value in (("start", view.start), ("end", view.end), ("duration", view.duration))
        if value is not None
    )
    skip = "data-pagefind-ignore data-search-exclude"  # no search indexes the controls
    return (
        f'<div class="yt2doc-player yt2doc-player-{player.kind}" {skip} '
        f'data-yt2doc-player="{player.kind}" data-ref="{attr(player.ref)}"{span}>{body}</div>\n'
        f'<div class="yt2doc-controls" {skip} hidden>'
        '<label><input type="checkbox" class="yt2doc-follow" checked> Follow along</label> '
        '<button type="button" class="yt2doc-copy">Copy link at this moment</button> '
        '<span class="yt2doc-status" role="status" aria-live="polite"></span></div>\n\n'
    )


def iso_duration(seconds: float) -> str:
    """754 -> "PT12M34S", as schema.org wants durations."""
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return "PT" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "") + f"{secs}S"


def video_object(view: TalkView, page_url: str | None, description: str | None) -> dict[str, Any]:
    """schema.org VideoObject with a Clip per chapter (search engines' "key moments")."""
    media, document = view.media, view.document
    value: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "VideoObject",
        "name": clean(view.title),
    }
    if description:
        value["description"] = description
    if page_url:
        value["url"] = page_url
    if view.date:
        value["uploadDate"] = view.date
    if view.duration:
        value["duration"] = iso_duration(view.duration)
    thumbnail = safe_url(media.thumbnail) if media else None
    if view.thumbnail_href and page_url:  # the site's own copy
        thumbnail = urljoin(page_url, view.thumbnail_href)
    if thumbnail:
        value["thumbnailUrl"] = thumbnail
    if view.speakers:
        value["creator"] = [{"@type": "Person", "name": clean(s)} for s in view.speakers]
    player = player_for(view)
    if player and player.kind == "youtube":
        value["embedUrl"] = f"https://www.youtube-nocookie.com/embed/{player.ref}"
    elif player and player.kind == "vimeo":
        value["embedUrl"] = f"https://player.vimeo.com/video/{player.ref}"
    elif player and page_url:
        value["contentUrl"] = urljoin(page_url, player.ref)
    if media and document and document.chapter_origin != "single":
        end_of_talk = view.duration or (document.paragraphs[-1].end if document.paragraphs else 0)
        clips = []
        for index, chapter in enumerate(document.chapters):
            last = index + 1 == len(document.chapters)
            end = end_of_talk if last else document.chapters[index + 1].start
            second = int(chapter.start)
            link = time_url(media, second)
            if not link or not link.startswith("http"):
                link = f"{page_url or ''}#t={second}"
            clips.append({
                "@type": "Clip",
                "name": clean(chapter.title),
                "startOffset": second,
                "endOffset": max(second + 1, int(end)),
                "url": link,
            })  # fmt: skip
        value["hasPart"] = clips
    return value


def json_ld_html(view: TalkView, page_url: str | None, description: str | None) -> str:
    """The page's schema.org JSON-LD, as a <script> block (in the body: no plugin patches
    the <head> for render output, and search engines read it anywhere in the page)."""
    data = json.dumps(video_object(view, page_url, description), ensure_ascii=False)
    # Inside <script>: nothing may read as a closing tag or HTML comment; braces inside strings
    # are escaped too, so no template engine sees `{{` or `{%` in the page.
    data = _JSON_STRING.sub(lambda m: m.group().translate(_SCRIPT_SAFE), data)
    # An array of one: Material's instant navigation runs every <script> of a page it swaps
    # in as JavaScript (dropping its type), and an array literal is a harmless expression
    # where an object would be a syntax error. JSON-LD allows a top-level array.
    return f'<script type="application/ld+json">[{data}]</script>'
