"""The LLM's part of chaptering: where topics change (by paragraph), titles and a summary.

The schemas pin what can be pinned, so a grammar-constrained model (Ollama's `format`) cannot
answer in the wrong shape: paragraph numbers inside the window, at most the chapters allowed,
exactly one title per chapter, titles and summary of bounded length. A server that ignores
the schema (or an OpenAI-compatible one that enforces less) is repaired where the answer
allows it, never trusted: numbers outside the window are dropped, titles that are empty,
repeated or too long are marked for an offline title. What cannot be repaired (a wrong count
of titles, the wrong language) is asked once more, with the complaint, and then given up.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..records.document import Paragraph
from ..util.timecode import format_timecode
from .chapter_plan import language_name, max_chapters, same_text, wrong_language
from .llm import LLM, estimate_tokens, read_fields

PROMPTS = "v3"  # bump when the prompts change: part of what produced a cached answer
_TRIM = 360  # characters of each paragraph shown to the LLM when finding boundaries
_CHAPTER_TRIM = 900  # characters of each chapter shown when titling
MAX_TITLE = 60
_SUMMARY = (40, 600)  # characters
_SYSTEM = (
    "You structure transcripts of talks into chapters for a website. "
    "You answer only with JSON that matches the given schema."
)
_NUMBERING = re.compile(
    r"^\s*(?:chapter|kapitel|chapitre|part|teil|partie)?\s*\d+\s*(?:[:.)-]\s*|$)", re.I
)


def boundaries_schema(first: int, last: int, most: int, least: int = 0) -> dict[str, Any]:
    """Paragraph numbers in first..last, at least `least` and at most `most` of them."""
    number = {"type": "integer", "minimum": first, "maximum": last}
    starts: dict[str, Any] = {"type": "array", "items": number, "maxItems": max(0, most)}
    if least:
        starts["minItems"] = least
    return {"type": "object", "properties": {"starts": starts}, "required": ["starts"]}


def titles_schema(count: int) -> dict[str, Any]:
    """Exactly `count` titles of bounded length, and a summary."""
    title = {"type": "string", "minLength": 3, "maxLength": MAX_TITLE}
    titles = {"type": "array", "items": title, "minItems": count, "maxItems": count}
    summary = {"type": "string", "minLength": _SUMMARY[0], "maxLength": _SUMMARY[1]}
    return {
        "type": "object",
        "properties": {"titles": titles, "summary": summary},
        "required": ["titles", "summary"],
    }


@dataclass(frozen=True)
class Titled:
    titles: list[str | None]  # None: to be titled offline (empty, repeated, numbering only)
    summary: str | None  # None: to be summarised offline
    repairs: list[str]


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


def llm_boundaries(
    paragraphs: Sequence[Paragraph], duration: float, llm: LLM
) -> tuple[list[int], list[str]]:
    """Paragraph indexes where the LLM starts a chapter (0 not included), and the repairs.
    Numbers outside the window are dropped, not asked again (the titles need the calls)."""
    settings = llm.settings
    limit = max_chapters(duration, settings)
    windows = plan_windows(paragraphs, settings.context - 1500)  # room for the rest
    found: set[int] = set()
    outside = 0
    for number, window in enumerate(windows):
        # Each window decides only its core; the overlap gives context on both sides.
        core_from = window.start + (2 if number else 0)
        core_to = window.stop - (2 if number + 1 < len(windows) else 0)
        # only paragraphs that can open a chapter of the minimum length, the first or the last
        first, last = _openers(paragraphs, window, duration, settings.min_chapter_seconds)
        if first > last:
            continue  # no paragraph here can start a chapter
        share = paragraphs[window.stop - 1].end - paragraphs[window.start].start
        most = min(len(window), math.ceil(limit * share / max(duration, 1.0)) + 1)
        if len(windows) == 1:
            most = min(most, limit - 1)  # the talk seen whole: its chapters after the first
        # a talk seen whole that can hold two chapters gets one start at least: a small model
        # answers [] to an open question (Gemma 3 270M did)
        least = 1 if len(windows) == 1 and limit > 1 else 0
        prompt = (
            f"Here is {'a part of ' if len(windows) > 1 else ''}the transcript of a talk, in "
            f"numbered paragraphs with their start times.\n\n{_numbered(paragraphs, window)}\n\n"
            "Where does the speaker move on to a new topic? Answer with the numbers of the "
            f"paragraphs that begin a new chapter ({first} to {last}), in increasing order, "
            f"{'at least one, ' if least else ''}at most {most}. Chapters should last at least "
            f"{int(settings.min_chapter_seconds)} seconds; the whole talk "
            f"({format_timecode(duration)}) should have at most {limit} chapters."
        )
        schema = boundaries_schema(first, last, most, least)

        starts = llm.ask(_SYSTEM, prompt, schema, _reader(schema), reply_tokens=200)
        outside += sum(1 for i in starts if not first <= i <= last)
        found.update(i for i in starts if core_from <= i < core_to and first <= i <= last)
    repairs = [f"{outside} paragraph number(s) outside the talk dropped"] if outside else []
    return sorted(found), repairs


def _openers(
    paragraphs: Sequence[Paragraph], window: range, duration: float, minimum: float
) -> tuple[int, int]:
    """The window's paragraphs that start at least `minimum` seconds after the talk's start
    and before its end (first > last: none)."""
    able = [i for i in window if i and minimum <= paragraphs[i].start <= duration - minimum]
    return (able[0], able[-1]) if able else (1, 0)


def _reader(schema: dict[str, Any]) -> Callable[[Any], list[int]]:
    def read(value: Any) -> list[int]:
        return list(read_fields(value, schema)["starts"])

    return read


def llm_titles(
    texts: Sequence[str],
    times: Sequence[float],
    language: str | None,
    duration: float,
    llm: LLM,
) -> Titled:
    """Titles for all chapters and a summary, in one call (one retry), in the talk's language.

    Raises LLMError when no answer has the right number of titles in the right language.
    """
    name = language_name(language)
    count = len(texts)
    blocks = [
        f"Chapter {number + 1} (from {format_timecode(times[number])}):\n{text[:_CHAPTER_TRIM]}"
        for number, text in enumerate(texts)
    ]
    prompt = (
        f"A talk of {format_timecode(duration)} in {name} has these {count} chapters "
        "(beginnings shown):\n\n" + "\n\n".join(blocks) + "\n\n"
        f"Write a short title for each chapter (at most 8 words, in {name}, no numbering), "
        f"exactly {count} titles in order, and a summary of the whole talk in 2 or 3 "
        f"sentences in {name}."
    )
    schema = titles_schema(count)

    def check(answer: dict[str, Any]) -> str | None:
        titles = answer["titles"]
        if len(titles) != count:
            return f"{len(titles)} titles for {count} chapters"
        wrong = wrong_language(" ".join([*titles, answer["summary"]]), language)
        return f"written in {language_name(wrong)}, not {name}" if wrong else None

    # room for the longest answer the schema allows: a grammar-bound model may write it
    # (Gemma 3 270M ran to the summary's limit, and was cut off at 120 + 30 tokens a title)
    longest = estimate_tokens("x" * (_SUMMARY[1] + count * (MAX_TITLE + 6))) + 20
    answer = llm.ask(
        _SYSTEM, prompt, schema, lambda v: read_fields(v, schema), check,
        reply_tokens=longest, retries=min(1, llm.settings.retries),
    )  # fmt: skip
    return repair_titles(answer["titles"], answer["summary"])


def repair_titles(raw: Sequence[str], summary: str) -> Titled:
    """Clean titles; mark empty, repeated or numbering-only ones for an offline title."""
    titles: list[str | None] = []
    repairs: list[str] = []
    seen: list[str] = []
    for title in raw:
        text = _NUMBERING.sub("", " ".join(title.split())).strip(" .:-")
        if len(text) > MAX_TITLE:
            text = text[:MAX_TITLE].rsplit(" ", 1)[0].rstrip(",;:-") + "…"
            repairs.append(f"overlong title {title[:30]!r}… shortened")
        if not text or any(same_text(text, other) for other in seen):
            titles.append(None)
            repairs.append(f"{'empty' if not text else 'repeated'} title replaced offline")
            continue
        seen.append(text)
        titles.append(text)
    text = " ".join(summary.split())
    if len(text) < _SUMMARY[0] or any(same_text(text, t) for t in seen):
        repairs.append("summary too short or a title again: an extractive one instead")
        return Titled(titles, None, repairs)
    if len(text) > _SUMMARY[1]:
        text = text[: _SUMMARY[1]].rsplit(" ", 1)[0] + "…"
        repairs.append("overlong summary shortened")
    return Titled(titles, text, repairs)
