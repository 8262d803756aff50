"""Paragraphs -> topics: where chapters start, their titles, and a summary of the talk.

Used for talks with no chapters in talks.yml or at the source. With `llm.model` set, an LLM
finds the boundaries (`llm_chapters.py`: the whole talk in one call when it fits the context,
else overlapping windows) and writes titles and a summary in the talk's language (one more
call, one retry). Its paragraph starts are moved to the sentence where the words change most
(a topic may change inside a paragraph). What the LLM gets right is kept: valid boundaries
with failed titles keep the boundaries and are titled offline, and one warning per talk says
what was repaired. Without an LLM, or when its boundaries fail, the offline segmenter
(`segmenter.py`) finds the chapters and `keyphrases.py` titles and summarises them.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from ..records.document import Paragraph, Topics
from ..records.settings import LLMSettings
from ..records.transcript import Word
from .chapter_plan import LANGUAGES, enforce_lengths, language_name, max_chapters, wrong_language
from .keyphrases import extractive_summary, key_phrase_titles
from .llm import LLM, LLMError
from .llm_chapters import PROMPTS, llm_boundaries, llm_titles, plan_windows
from .segmenter import SEGMENTER, Sentence, segment, sentences

__all__ = [
    "LANGUAGES", "PROMPTS", "enforce_lengths", "find_topics", "language_name",
    "llm_topics", "max_chapters", "offline_topics", "plan_windows", "wrong_language",
]  # fmt: skip

log = logging.getLogger("mkdocs.plugins.yt2doc")


class _Talk:
    """One talk's sentences and the offline segmenter's view of them, made once."""

    def __init__(
        self,
        paragraphs: Sequence[Paragraph],
        words: Sequence[Word] | None,
        language: str | None,
        duration: float,
        settings: LLMSettings,
    ) -> None:
        self.paragraphs, self.language, self.duration = paragraphs, language, duration
        self.settings = settings
        self.units = sentences(paragraphs, words)
        self.timed = all(u.first_word >= 0 for u in self.units)
        if not self.timed:  # a chapter can start only where a paragraph does
            self.units = [u for i, u in enumerate(self.units) if i == 0 or u.paragraph !=
                          self.units[i - 1].paragraph] or self.units  # fmt: skip
        self.segmentation = segment(self.units, language, duration, settings)
        self.starts, self.change = self.segmentation.starts, self.segmentation.change
        self.times = [u.start for u in self.units]

    def texts(self, starts: Sequence[int]) -> list[str]:
        ends = [*starts[1:], len(self.units)]
        return [
            " ".join(u.text for u in self.units[a:b]) for a, b in zip(starts, ends, strict=True)
        ]

    def refine(self, paragraph_starts: Sequence[int]) -> list[int]:
        """Unit starts for chapter starts given by paragraph: each moved to the sentence,
        in its paragraph or the one before it (within 45 s), that best splits its stretch."""
        allowed = self.segmentation.allowed  # sentence starts only
        firsts = [next((i for i in allowed if self.units[i].paragraph >= p), allowed[-1])
                  for p in paragraph_starts]  # fmt: skip
        opening = set(allowed)
        chosen: list[int] = []
        for number, first in enumerate(firsts):
            left = chosen[-1] if chosen else 0
            right = firsts[number + 1] if number + 1 < len(firsts) else len(self.units)
            paragraph = paragraph_starts[number]
            near = [
                i for i, u in enumerate(self.units)
                if u.paragraph in (paragraph - 1, paragraph) and left < i < right and i in opening
                and abs(u.start - self.units[first].start) < 45
            ]  # fmt: skip
            chosen.append(self.segmentation.best_start(left, right, first, near))
        return sorted(set(chosen))

    def topics(self, starts: Sequence[int], titles: Sequence[str], summary: str | None,
               origin: str, **extra: object) -> Topics:  # fmt: skip
        units: list[Sentence] = [self.units[i] for i in starts]
        return Topics(
            starts=tuple(u.paragraph for u in units),
            titles=tuple(titles),
            summary=summary,
            origin=origin,
            first_words=tuple(u.first_word for u in units) if self.timed else (),
            **extra,  # type: ignore[arg-type]
        )


def offline_topics(
    paragraphs: Sequence[Paragraph],
    duration: float,
    settings: LLMSettings,
    fallback_reason: str | None = None,
    words: Sequence[Word] | None = None,
    language: str | None = None,
) -> Topics:
    return _offline(_Talk(paragraphs, words, language, duration, settings), fallback_reason)


def _offline(talk: _Talk, fallback_reason: str | None = None) -> Topics:
    return talk.topics(
        talk.starts,
        key_phrase_titles(talk.texts(talk.starts), talk.language),
        extractive_summary(talk.units, talk.language),
        "offline",
        settings={"segmenter": SEGMENTER},
        fallback_reason=fallback_reason,
    )


def llm_topics(
    paragraphs: Sequence[Paragraph],
    language: str | None,
    duration: float,
    llm: LLM,
    words: Sequence[Word] | None = None,
) -> Topics:
    """The LLM's chapters; raises LLMError only when its boundaries cannot be had."""
    return _llm(_Talk(paragraphs, words, language, duration, llm.settings), llm)


def _llm(talk: _Talk, llm: LLM) -> Topics:
    calls, tokens = llm.calls, llm.prompt_tokens
    found, repairs = llm_boundaries(talk.paragraphs, talk.duration, llm)
    if repairs and not found:  # every number was outside: the offline starts, titled by it
        wanted = talk.starts[1:]
        repairs.append("no usable chapter start: the offline segmenter's starts instead")
    else:
        wanted = talk.refine([i for i in found if i < len(talk.paragraphs)])
    starts = enforce_lengths(wanted, talk.times, talk.duration, talk.settings, talk.change)
    if len(starts) < len(wanted) + 1:
        repairs.append(f"{len(wanted) + 1 - len(starts)} chapter(s) too short or too many merged")
    texts = talk.texts(starts)
    offline = key_phrase_titles(texts, talk.language)
    try:
        titled = llm_titles(texts, [talk.times[i] for i in starts], talk.language,
                            talk.duration, llm)  # fmt: skip
        titles = [t or offline[i] for i, t in enumerate(titled.titles)]
        summary, repairs = titled.summary, repairs + titled.repairs
    except LLMError as exc:
        titles, summary = offline, None
        repairs.append(f"titles failed ({exc}): the LLM's chapter starts are kept, titled offline")
    return talk.topics(
        starts, titles, summary or extractive_summary(talk.units, talk.language), "llm",
        settings={**talk.settings.produced_by(), "prompts": PROMPTS, "segmenter": SEGMENTER},
        calls=llm.calls - calls, prompt_tokens=llm.prompt_tokens - tokens,
        repairs=tuple(repairs),
    )  # fmt: skip


def find_topics(
    paragraphs: Sequence[Paragraph],
    language: str | None,
    duration: float,
    settings: LLMSettings,
    llm: LLM | None,
    label: str,
    words: Sequence[Word] | None = None,
) -> Topics:
    """The LLM's topics when it answers well, else the offline segmenter's, with a warning."""
    talk = _Talk(paragraphs, words, language, duration, settings)
    if llm is None:
        return _offline(talk)
    try:
        topics = _llm(talk, llm)
    except LLMError as exc:
        log.warning(
            "yt2doc: %s: LLM chaptering failed, using the offline segmenter: %s", label, exc
        )
        return _offline(talk, fallback_reason=str(exc))
    if topics.repairs:
        log.warning("yt2doc: %s: the LLM's answer was repaired: %s", label,
                    "; ".join(topics.repairs))  # fmt: skip
    return topics
