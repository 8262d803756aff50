"""The cache's JSON files, as schemas: every file is read as untrusted input.

Users commit the cache, so its files arrive through pull requests, from strangers as often as
not. Each file is checked against its schema here (types, finite non-negative times, lengths,
safe names) before any stage sees it; a file that fails is reported by path and field, and
never reaches a page. The schemas are pydantic TypedDicts: what passes is the plain JSON the
records' `from_json` reads, and the same types document the files for a reader.
"""

from __future__ import annotations

import functools
import itertools
import json
import re
from typing import Annotated, Any

from pydantic import ConfigDict, Field, TypeAdapter, ValidationError
from typing_extensions import NotRequired, TypedDict

from ..util.json_bounds import check_depth
from ..util.timecode import MAX_SECONDS

SCHEMA_VERSION = 1

# A talk's folder name (youtube-<id>, file-<name>-<hash>, ...): no dots, no separators.
KEY_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$"
KEY = re.compile(KEY_PATTERN)
# A chapter's id in its page: letters, digits, '-' and '_' (what `chapters.anchor_for` makes).
ANCHOR_PATTERN = r"^[\w-]{1,80}$"
# Where a document's text came from: whisper, captions-file, captions:en, auto-captions:en-orig
TEXT_SOURCE_PATTERN = r"^(whisper|captions-file|(auto-)?captions:[A-Za-z0-9_-]{1,32})$"

_STRICT = ConfigDict(strict=True)
_LONG = 1_000_000  # characters: any real description or paragraph is far shorter

# at most a week, like every time read (`timecode`): what passes can be formatted
Seconds = Annotated[float, Field(ge=0, le=MAX_SECONDS, allow_inf_nan=False)]
Count = Annotated[int, Field(ge=0)]
Span = Annotated[list[Seconds], Field(min_length=2, max_length=2)]  # (start, end)
Key = Annotated[str, Field(pattern=KEY_PATTERN)]
Line = Annotated[str, Field(max_length=20_000)]  # a title, a name, a URL
Text = Annotated[str, Field(max_length=_LONG)]


class _File(TypedDict):
    __pydantic_config__ = _STRICT  # type: ignore[misc]
    schema: int  # SCHEMA_VERSION of the mkdocs-yt2doc that wrote it


class MarkFile(TypedDict):
    __pydantic_config__ = _STRICT  # type: ignore[misc]
    start: Seconds
    title: Line


class CaptionTrackFile(TypedDict):
    __pydantic_config__ = _STRICT  # type: ignore[misc]
    language: Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,32}$")]
    url: Annotated[str, Field(max_length=20_000, pattern=r"^[Hh][Tt][Tt][Pp][Ss]?://")]
    ext: Annotated[str, Field(pattern=r"^(vtt|srt)$")]
    auto: NotRequired[bool]


class MediaFile(_File):
    """media.json: what we keep of the source's metadata."""

    __pydantic_config__ = _STRICT  # type: ignore[misc]
    key: Key
    url: Line
    webpage_url: Line
    extractor: Annotated[str, Field(max_length=64)]
    id: Line
    title: NotRequired[Line | None]
    uploader: NotRequired[Line | None]
    duration: NotRequired[Seconds | None]
    upload_date: NotRequired[Annotated[str, Field(pattern=r"^\d{8}$")] | None]
    description: NotRequired[Text | None]
    thumbnail: NotRequired[Line | None]
    chapters: NotRequired[list[MarkFile]]
    language: NotRequired[Annotated[str, Field(max_length=16)] | None]
    captions: NotRequired[Annotated[list[CaptionTrackFile], Field(max_length=2000)]]


class WordFile(TypedDict):
    __pydantic_config__ = _STRICT  # type: ignore[misc]
    start: Seconds
    end: Seconds
    text: Line
    p: NotRequired[Annotated[float, Field(allow_inf_nan=False)]]


class SegmentFile(TypedDict):
    __pydantic_config__ = _STRICT  # type: ignore[misc]
    start: Seconds
    end: Seconds
    text: Text
    words: list[WordFile]


class TranscriptFile(_File):
    """transcript.json: Whisper's segments and words, and what produced them."""

    __pydantic_config__ = _STRICT  # type: ignore[misc]
    language: Annotated[str, Field(max_length=16)]
    duration: Seconds
    settings: NotRequired[dict[str, Any]]
    versions: NotRequired[dict[str, str]]
    # (start, end) of speech no decoding put words on (transcribe/coverage.py)
    lost_speech: NotRequired[Annotated[list[Span], Field(max_length=1000)]]
    segments: list[SegmentFile]


class ParagraphFile(TypedDict):
    __pydantic_config__ = _STRICT  # type: ignore[misc]
    start: Seconds
    end: Seconds
    text: Text
    first_word: NotRequired[Count]
    last_word: NotRequired[Count]


class ParagraphsFile(_File):
    """paragraphs.json: the transcript's words grouped into paragraphs."""

    __pydantic_config__ = _STRICT  # type: ignore[misc]
    paragrapher: NotRequired[Line]
    settings: NotRequired[dict[str, Any]]
    paragraphs: list[ParagraphFile]


class TopicsFile(_File):
    """topics.json: where chapters start (paragraph indexes), their titles, a summary."""

    __pydantic_config__ = _STRICT  # type: ignore[misc]
    starts: list[Count]
    titles: list[Line]
    summary: NotRequired[Text | None]
    origin: Annotated[str, Field(pattern=r"^(llm|offline)$")]
    settings: NotRequired[dict[str, Any]]
    calls: NotRequired[Count]
    prompt_tokens: NotRequired[Count]
    fallback_reason: NotRequired[Text | None]
    first_words: NotRequired[list[Count]]  # each chapter's first word (may split a paragraph)
    repairs: NotRequired[list[Text]]  # what was wrong with the LLM's answer


class ChapterFile(TypedDict):
    __pydantic_config__ = _STRICT  # type: ignore[misc]
    start: Seconds
    title: Line
    first_paragraph: Count
    anchor: Annotated[str, Field(pattern=ANCHOR_PATTERN)]


class DocumentFile(_File):
    """document.json: the page's content (paragraphs under chapters)."""

    __pydantic_config__ = _STRICT  # type: ignore[misc]
    chapter_origin: Annotated[str, Field(pattern=r"^(yaml|source|llm|offline|single)$")]  # stored
    inputs: dict[str, Any]
    transcript_digest: NotRequired[Annotated[str, Field(max_length=64)]]
    paragrapher: NotRequired[Line]
    summary: NotRequired[Text | None]
    chapters: list[ChapterFile]
    paragraphs: list[ParagraphFile]
    language: NotRequired[Annotated[str, Field(max_length=16)]]
    text_source: NotRequired[Annotated[str, Field(pattern=TEXT_SOURCE_PATTERN)]]


class WrittenFile(TypedDict):
    __pydantic_config__ = _STRICT  # type: ignore[misc]
    seconds: Seconds  # its marker, as read back
    text: Annotated[str, Field(max_length=8 * 2**20)]  # a corrections file's size at most
    start: Seconds
    first_word: Count


class HeadingFile(TypedDict):
    __pydantic_config__ = _STRICT  # type: ignore[misc]
    first: Count
    title: Line


class CorrectedFromFile(_File):
    """corrected_from.json: a corrections file as `correct` wrote it (each paragraph as read
    back, and its first word), so that what a person edited is known after a new transcript.
    Older files hold only `words`, the machine words it was made from."""

    __pydantic_config__ = _STRICT  # type: ignore[misc]
    transcript_digest: Annotated[str, Field(max_length=64)]
    words: NotRequired[list[Line]]
    paragraphs: NotRequired[list[WrittenFile]]
    chapters: NotRequired[list[HeadingFile]]
    title: NotRequired[Line | None]
    summary: NotRequired[Text | None]


class EntryFile(TypedDict):
    __pydantic_config__ = _STRICT  # type: ignore[misc]
    url: Line
    title: NotRequired[Line | None]
    key: Key


class ExpansionFile(TypedDict):
    __pydantic_config__ = _STRICT  # type: ignore[misc]
    playlist: bool
    entries: list[EntryFile]


class SourcesFile(_File):
    """sources.json: what each talks.yml URL stands for (a playlist: several talks)."""

    __pydantic_config__ = _STRICT  # type: ignore[misc]
    urls: dict[str, ExpansionFile]


class FailureFile(TypedDict):
    __pydantic_config__ = _STRICT  # type: ignore[misc]
    reason: Text
    where: Line


class FailuresFile(_File):
    """failures.json (not committed): the last error of each talk, for `status`."""

    __pydantic_config__ = _STRICT  # type: ignore[misc]
    talks: dict[str, FailureFile]


SCHEMAS: dict[str, type] = {
    "media.json": MediaFile,
    "transcript.json": TranscriptFile,
    "paragraphs.json": ParagraphsFile,
    "topics.json": TopicsFile,
    "document.json": DocumentFile,
    "corrected_from.json": CorrectedFromFile,
    "sources.json": SourcesFile,
    "failures.json": FailuresFile,
}


class CacheFileError(ValueError):
    """The file does not match its schema; the message says where and why."""


class NewerCacheFile(CacheFileError):
    """The file was written by a newer mkdocs-yt2doc: leave it exactly as it is."""


@functools.cache
def _adapter(name: str) -> TypeAdapter[Any]:
    return TypeAdapter(SCHEMAS[name])


def validate(name: str, text: str) -> dict[str, Any]:
    """The content of cache file `name` (e.g. "document.json"), checked against its schema."""
    try:
        check_depth(text)  # before anything recurses into it
    except ValueError as exc:
        raise CacheFileError(str(exc)) from None
    try:
        value: dict[str, Any] = _adapter(name).validate_json(text)
    except ValidationError as exc:
        _check_version(_version_of(text))
        raise CacheFileError(_first_error(exc)) from None
    _check_version(value["schema"])
    _check_unique_keys(text)
    _check_consistent(name, value)
    return value


def _version_of(text: str) -> object:
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value.get("schema") if isinstance(value, dict) else None


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    value = dict(pairs)
    if len(value) < len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise CacheFileError(
                    f"duplicate key {key!r} in one object; the second would silently replace "
                    "the first"
                )
            seen.add(key)
    return value


def _check_unique_keys(text: str) -> None:
    """A key written twice in one object is an error (the schema's parser keeps the last)."""
    json.loads(text, object_pairs_hook=_unique_pairs)


def _check_version(version: object) -> None:
    if isinstance(version, bool) or not isinstance(version, int):
        return  # the schema check names the field
    if version > SCHEMA_VERSION:
        raise NewerCacheFile(
            f"made by a newer mkdocs-yt2doc (schema {version}; this version reads "
            f"{SCHEMA_VERSION}): upgrade mkdocs-yt2doc; the file is left as it is"
        )
    if version != SCHEMA_VERSION:
        raise CacheFileError(f"has schema {version}, this version reads {SCHEMA_VERSION}")


def _first_error(exc: ValidationError) -> str:
    errors = exc.errors(include_url=False)
    first = errors[0]
    where = ".".join(str(part) for part in first["loc"]) or "the file"
    found = repr(first.get("input"))
    found = found if len(found) <= 60 else found[:57] + "..."
    more = f" (and {len(errors) - 1} more problems)" if len(errors) > 1 else ""
    if first["type"] == "json_invalid" and "hex escape" in first["msg"]:
        more += " (a \\ud800-\\udfff escape must be one of a surrogate pair)"
    return f"{where}: {first['msg']}, found {found}{more}"


def _check_consistent(name: str, value: dict[str, Any]) -> None:
    """What a schema cannot say: indexes that must point inside the file, in order."""
    if name == "document.json":
        count, previous = len(value["paragraphs"]), 0
        anchors: set[str] = set()
        for index, chapter in enumerate(value["chapters"]):
            first = chapter["first_paragraph"]
            if first > count or first < previous:
                raise CacheFileError(
                    f"chapters.{index}.first_paragraph: {first} is out of order or beyond the "
                    f"{count} paragraphs"
                )
            if chapter["anchor"] in anchors or chapter["anchor"] == "contents":
                raise CacheFileError(f"chapters.{index}.anchor: {chapter['anchor']!r} is taken")
            anchors.add(chapter["anchor"])
            previous = first
    elif name == "topics.json":
        starts = value["starts"]
        if len(starts) != len(value["titles"]):
            raise CacheFileError(
                f"starts: {len(starts)} chapters but {len(value['titles'])} titles"
            )
        first_words = value.get("first_words") or []
        if first_words:  # two chapters may then start in one paragraph
            if len(first_words) != len(starts):
                raise CacheFileError(f"first_words: {len(first_words)} for {len(starts)} chapters")
            if any(b <= a for a, b in itertools.pairwise(first_words)):
                raise CacheFileError("first_words: must increase")
        if starts and (
            starts[0] != 0
            or any(b < a or (b == a and not first_words) for a, b in itertools.pairwise(starts))
        ):
            raise CacheFileError("starts: must begin at 0 and increase")
    if name in ("document.json", "paragraphs.json"):
        for index, paragraph in enumerate(value["paragraphs"]):
            if paragraph.get("first_word", 0) > paragraph.get("last_word", 0):
                raise CacheFileError(f"paragraphs.{index}: first_word is after last_word")
