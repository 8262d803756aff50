"""Paragraphs -> topics: where chapters start, their titles, and a summary of the talk.

Used for talks with no chapters in talks.yml or at the source. With `llm.model` set, an LLM
finds the boundaries (the whole talk in one call when it fits the context, else overlapping
windows) and writes titles and a summary in the talk's language (one more call). Without an
LLM, or when it fails, an offline segmenter (lexical cohesion, TextTiling-style) finds the
boundaries and titles each chapter with its most distinctive words.
"""

from __future__ import annotations

import logging
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar

from .llm import LLM, LLMError, LLMSettings, estimate_tokens, read_fields
from .paragraphs import Paragraph
from .timecode import format_timecode

log = logging.getLogger("mkdocs.plugins.yt2doc")

PROMPTS = "v1"  # bump when the prompts change: part of what produced a cached answer
_TRIM = 360  # characters of each paragraph shown to the LLM when finding boundaries
_CHAPTER_TRIM = 900  # characters of each chapter shown when titling
_MAX_TITLE = 80

LANGUAGES = {
    "en": "English", "de": "German", "fr": "French", "es": "Spanish", "it": "Italian",
    "pt": "Portuguese", "nl": "Dutch", "pl": "Polish", "sv": "Swedish", "da": "Danish",
    "no": "Norwegian", "fi": "Finnish", "cs": "Czech", "ru": "Russian", "uk": "Ukrainian",
    "tr": "Turkish", "ja": "Japanese", "zh": "Chinese", "ko": "Korean", "ar": "Arabic",
    "hi": "Hindi", "el": "Greek", "hu": "Hungarian", "ro": "Romanian", "ca": "Catalan",
}  # fmt: skip

# Common English words that make poor chapter keywords (offline titles).
_ENGLISH_COMMON = set(
    """about above after again also always another around because been before being below
    better between both came come could does doing done down each even every first from going
    good great have here into just keep know last like little long look made make many more
    most much must need never next often only other over part really right same should show
    since some something start still such sure take than that their them then there these
    they thing things think this those through time today tonight under until very want well
    were what when where which while will with without work would your yours""".split()  # noqa: SIM905
)

# A few function words per language: enough to notice a summary written in the wrong one.
_STOPWORDS = {
    "en": "the and of to is in that it for with this are you on",
    "de": "der die und das ist nicht mit den ein eine sie auf zu",
    "fr": "le la les et des est une un pour dans que qui pas sur",
    "es": "el la los las y de que en un una es por para con",
    "it": "il la che di e un una per non sono con del della",
    "nl": "de het een en van is dat niet met voor op zijn",
    "pt": "o a os as e de que um uma para com não em",
}


@dataclass(frozen=True)
class Topics:
    starts: tuple[int, ...]  # paragraph index of each chapter's first paragraph (0 first)
    titles: tuple[str, ...]
    summary: str | None
    origin: str  # llm | offline
    settings: dict[str, Any] = field(default_factory=dict)  # what produced it
    calls: int = 0  # LLM calls it took
    prompt_tokens: int = 0
    fallback_reason: str | None = None  # why the LLM's answer is not used

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Topics:
        return cls(
            starts=tuple(data["starts"]),
            titles=tuple(data["titles"]),
            summary=data.get("summary"),
            origin=data["origin"],
            settings=data.get("settings", {}),
            calls=data.get("calls", 0),
            prompt_tokens=data.get("prompt_tokens", 0),
            fallback_reason=data.get("fallback_reason"),
        )


def language_name(code: str | None) -> str:
    return LANGUAGES.get((code or "en").split("-")[0].lower(), code or "English")


def max_chapters(duration: float, settings: LLMSettings) -> int:
    """The per-hour cap, but a short talk may still have up to 3 chapters of the minimum."""
    per_hour = math.ceil(duration / 3600 * settings.max_chapters_per_hour)
    short = min(3, int(duration // max(settings.min_chapter_seconds, 1.0)))
    return max(1, per_hour, short)


def enforce_lengths(
    starts: Sequence[int], paragraphs: Sequence[Paragraph], duration: float, settings: LLMSettings
) -> list[int]:
    """Drop starts that make a chapter shorter than the minimum; then merge down to the max."""
    kept = [0]
    for index in sorted(set(starts)):
        if index <= 0 or index >= len(paragraphs):
            continue
        if paragraphs[index].start - paragraphs[kept[-1]].start >= settings.min_chapter_seconds:
            kept.append(index)
    while len(kept) > 1 and duration - paragraphs[kept[-1]].start < settings.min_chapter_seconds:
        kept.pop()  # the last chapter would be too short
    limit = max_chapters(duration, settings)
    while len(kept) > limit:  # merge the shortest chapter into its neighbour
        ends = [*(paragraphs[i].start for i in kept[1:]), duration]
        lengths = [end - paragraphs[s].start for s, end in zip(kept, ends, strict=True)]
        shortest = min(range(1, len(kept)), key=lambda i: lengths[i])
        kept.pop(shortest)
    return kept


# -- the LLM path -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Boundaries:
    starts: list[int]
    schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "properties": {"starts": {"type": "array", "items": {"type": "integer"}}},
        "required": ["starts"],
    }

    @classmethod
    def read(cls, value: Any) -> Boundaries:
        return cls(**read_fields(value, cls.schema))


@dataclass(frozen=True)
class Titles:
    titles: list[str]
    summary: str
    schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "properties": {
            "titles": {"type": "array", "items": {"type": "string"}},
            "summary": {"type": "string"},
        },
        "required": ["titles", "summary"],
    }

    @classmethod
    def read(cls, value: Any) -> Titles:
        return cls(**read_fields(value, cls.schema))


_SYSTEM = (
    "You structure transcripts of talks into chapters for a website. "
    "You answer only with JSON that matches the given schema."
)


def _numbered(paragraphs: Sequence[Paragraph], indexes: range) -> str:
    lines = []
    for i in indexes:
        text = paragraphs[i].text
        if len(text) > _TRIM:  # its beginning and its end say most about a topic change
            head = text[: _TRIM // 2].rsplit(" ", 1)[0]
            tail = text[-_TRIM // 2 :].split(" ", 1)[-1]
            text = f"{head} … {tail}"
        lines.append(f"[{i}] ({format_timecode(paragraphs[i].start)}) {text}")
    return "\n".join(lines)


def plan_windows(paragraphs: Sequence[Paragraph], budget: int, overlap: int = 3) -> list[range]:
    """Ranges of paragraphs that fit `budget` tokens, overlapping by `overlap` paragraphs."""
    cost = [estimate_tokens(p.text[:_TRIM]) + 12 for p in paragraphs]
    windows: list[range] = []
    start = 0
    while start < len(paragraphs):
        end, used = start, 0
        while end < len(paragraphs) and (used + cost[end] <= budget or end == start):
            used += cost[end]
            end += 1
        windows.append(range(start, end))
        if end >= len(paragraphs):
            break
        start = max(end - overlap, start + 1)
    return windows


def llm_topics(
    paragraphs: Sequence[Paragraph], language: str | None, duration: float, llm: LLM
) -> Topics:
    settings = llm.settings
    calls_before, tokens_before = llm.calls, llm.prompt_tokens
    limit = max_chapters(duration, settings)
    budget = settings.context - 1500  # room for instructions and the answer
    windows = plan_windows(paragraphs, budget)
    found: set[int] = set()
    for number, window in enumerate(windows):
        # Each window decides only its core; the overlap gives context on both sides.
        core_from = window.start + (2 if number else 0)
        core_to = window.stop - (2 if number + 1 < len(windows) else 0)
        prompt = (
            f"Here is {'a part of ' if len(windows) > 1 else ''}the transcript of a talk, in "
            f"numbered paragraphs with their start times.\n\n{_numbered(paragraphs, window)}\n\n"
            "Where does the speaker move on to a new topic? Answer with the numbers of the "
            "paragraphs that begin a new chapter, in increasing order"
            + (", not 0" if window.start == 0 else "")
            + f". Chapters should last at least {int(settings.min_chapter_seconds)} seconds; "
            f"the whole talk ({format_timecode(duration)}) should have at most {limit} chapters."
        )

        def check(answer: Boundaries, window: range = window) -> str | None:
            if any(i not in window for i in answer.starts):
                return f"paragraph numbers outside {window.start}..{window.stop - 1}"
            if answer.starts != sorted(set(answer.starts)):
                return "paragraph numbers not increasing or repeated"
            return None

        answer = llm.ask(_SYSTEM, prompt, Boundaries, check, reply_tokens=200)
        found.update(i for i in answer.starts if core_from <= i < core_to)
    starts = enforce_lengths(sorted(found), paragraphs, duration, settings)
    titles, summary = llm_titles(paragraphs, starts, language, duration, llm)
    return Topics(
        starts=tuple(starts),
        titles=tuple(titles),
        summary=summary,
        origin="llm",
        settings={**settings.produced_by(), "prompts": PROMPTS},
        calls=llm.calls - calls_before,
        prompt_tokens=llm.prompt_tokens - tokens_before,
    )


def llm_titles(
    paragraphs: Sequence[Paragraph],
    starts: Sequence[int],
    language: str | None,
    duration: float,
    llm: LLM,
) -> tuple[list[str], str]:
    """Titles for all chapters and a summary, in one call, in the talk's language."""
    name = language_name(language)
    blocks = []
    for number, text in enumerate(_chapter_texts(paragraphs, starts)):
        start = format_timecode(paragraphs[starts[number]].start)
        blocks.append(f"Chapter {number + 1} (from {start}):\n{text[:_CHAPTER_TRIM]}")
    prompt = (
        f"A talk of {format_timecode(duration)} in {name} has these {len(starts)} chapters "
        "(beginnings shown):\n\n" + "\n\n".join(blocks) + "\n\n"
        f"Write a short title for each chapter (at most 8 words, in {name}, no numbering), "
        f"exactly {len(starts)} titles in order, and a summary of the whole talk in 2 or 3 "
        f"sentences in {name}."
    )

    def check(answer: Titles) -> str | None:
        if len(answer.titles) != len(starts):
            return f"{len(answer.titles)} titles for {len(starts)} chapters"
        if any(not t.strip() or len(t) > _MAX_TITLE for t in answer.titles):
            return "an empty or overlong title"
        if not answer.summary.strip():
            return "an empty summary"
        wrong = wrong_language(" ".join([*answer.titles, answer.summary]), language)
        return f"written in {language_name(wrong)}, not {name}" if wrong else None

    answer = llm.ask(_SYSTEM, prompt, Titles, check, reply_tokens=120 + 30 * len(starts))
    return [" ".join(t.split()) for t in answer.titles], " ".join(answer.summary.split())


def wrong_language(text: str, language: str | None) -> str | None:
    """The language the text is clearly written in, if it is not `language` (else None)."""
    code = (language or "").split("-")[0].lower()
    if code not in _STOPWORDS:
        return None
    words = Counter(re.findall(r"\w+", text.lower()))
    scores = {lang: sum(words[w] for w in stop.split()) for lang, stop in _STOPWORDS.items()}
    best = max(scores, key=lambda lang: scores[lang])
    if best != code and scores[best] >= 3 and scores[best] > 2 * scores[code]:
        return best
    return None


def _chapter_texts(paragraphs: Sequence[Paragraph], starts: Sequence[int]) -> list[str]:
    ends = [*starts[1:], len(paragraphs)]
    return [" ".join(p.text for p in paragraphs[a:b]) for a, b in zip(starts, ends, strict=True)]


# -- the offline path -------------------------------------------------------------------------

_WORD = re.compile(r"[^\W\d_]{4,}")


def _bag(text: str, stop: set[str]) -> Counter[str]:
    return Counter(w for w in _WORD.findall(text.lower()) if w not in stop)


def _cosine(a: Counter[str], b: Counter[str]) -> float:
    dot = sum(a[w] * b[w] for w in a.keys() & b.keys())
    norm = math.sqrt(sum(v * v for v in a.values())) * math.sqrt(sum(v * v for v in b.values()))
    return dot / norm if norm else 0.0


def offline_topics(
    paragraphs: Sequence[Paragraph],
    duration: float,
    settings: LLMSettings,
    fallback_reason: str | None = None,
) -> Topics:
    """Lexical cohesion: a chapter starts where the words used before and after change most."""
    stop = {w for words in _STOPWORDS.values() for w in words.split()} | _ENGLISH_COMMON
    bags = [_bag(p.text, stop) for p in paragraphs]
    window = 1 if len(paragraphs) < 12 else 2  # compare single paragraphs in short talks
    depth: dict[int, float] = {}
    similarity = {
        gap: _cosine(sum(bags[max(0, gap - window) : gap], Counter()),
                     sum(bags[gap : gap + window], Counter()))
        for gap in range(1, len(paragraphs))
    }  # fmt: skip
    for gap, value in similarity.items():
        left = max((similarity[g] for g in range(1, gap + 1)), default=value)
        right = max((similarity[g] for g in range(gap, len(paragraphs))), default=value)
        depth[gap] = (left - value) + (right - value)
    target = max_chapters(duration, settings)
    threshold = (sum(depth.values()) / len(depth)) if depth else 0.0
    chosen = sorted(
        (g for g in depth if depth[g] > threshold), key=lambda g: depth[g], reverse=True
    )
    starts = enforce_lengths([], paragraphs, duration, settings)
    for gap in chosen:
        if len(starts) >= target:
            break
        candidate = enforce_lengths(sorted({*starts, gap}), paragraphs, duration, settings)
        if gap in candidate:
            starts = candidate
    titles = keyword_titles(_chapter_texts(paragraphs, starts), stop)
    return Topics(
        starts=tuple(starts),
        titles=tuple(titles),
        summary=None,
        origin="offline",
        settings={"segmenter": "cohesion-v1"},
        fallback_reason=fallback_reason,
    )


def keyword_titles(texts: Sequence[str], stop: set[str]) -> list[str]:
    """Each chapter's three most distinctive words (frequent here, rare in the others)."""
    bags = [_bag(t, stop) for t in texts]
    spread = Counter(w for bag in bags for w in bag)
    titles = []
    for bag in bags:
        scored = sorted(bag, key=lambda w: (-bag[w] / spread[w] ** 1.5, w))
        words = [w.capitalize() for w in scored[:3]]
        titles.append(", ".join(words) if words else "Transcript")
    return titles


# -- choosing ---------------------------------------------------------------------------------


def find_topics(
    paragraphs: Sequence[Paragraph],
    language: str | None,
    duration: float,
    settings: LLMSettings,
    llm: LLM | None,
    label: str,
) -> Topics:
    """The LLM's topics when it answers well, else the offline segmenter's, with a warning."""
    if llm is not None:
        try:
            return llm_topics(paragraphs, language, duration, llm)
        except LLMError as exc:
            log.warning(
                "yt2doc: %s: LLM chaptering failed, using the offline segmenter: %s", label, exc
            )
            return offline_topics(paragraphs, duration, settings, fallback_reason=str(exc))
    return offline_topics(paragraphs, duration, settings)
