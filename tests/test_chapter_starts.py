"""Offline chapters start only where a sentence does, and their titles are phrases.

The talks are the project's written ones (tests/data/talks/, bench/talks/), timed at a steady
0.4 s a word: the segmenter reads words, not sound, so no recording is needed here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import pytest

from mkdocs_yt2doc.document.keyphrases import key_phrase_titles
from mkdocs_yt2doc.document.topics import offline_topics
from mkdocs_yt2doc.records.document import Paragraph
from mkdocs_yt2doc.records.settings import LLMSettings
from mkdocs_yt2doc.records.transcript import Word
from tests.speech_talks import all_talks, load

BENCH_TALKS = Path(__file__).parent.parent / "bench" / "talks"
STOPS = (".", "!", "?")


def _timed(paragraphs: Sequence[str]) -> tuple[list[Word], list[Paragraph]]:
    """Words at 0.4 s each, a 0.5 s pause between paragraphs."""
    words: list[Word] = []
    result = []
    clock = 0.0
    for text in paragraphs:
        first = len(words)
        for token in text.split():
            words.append(Word(clock, clock + 0.35, " " + token, 1.0))
            clock += 0.4
        result.append(Paragraph(words[first].start, words[-1].end, text, first, len(words) - 1))
        clock += 0.5
    return words, result


def _glued() -> list[str]:
    """Two talks' topics back to back, the change between them inside one long sentence
    without a full stop: the clocks' last 45 words run on into the bees' first 30."""
    clocks = [p for t in load("keeping-time").topics[:2] for p in t.paragraphs]
    bees = [p for t in load("city-bees").topics[:2] for p in t.paragraphs]
    tail, head = clocks[-1].split(), bees[0].split()

    def bare(words: list[str]) -> str:
        return " ".join(re.sub(r"[.!?]+$", "", w) for w in words)

    run = bare(tail[-45:]) + " and " + bare(head[:30]).lower() + " " + " ".join(head[30:])
    return [*clocks[:-1], " ".join(tail[:-45]) + " " + run, *bees[1:]]


def _starts(paragraphs: Sequence[str]) -> tuple[list[Word], list[Paragraph], list[int]]:
    words, timed = _timed(paragraphs)
    topics = offline_topics(timed, words[-1].end, LLMSettings(), words=words, language="en")
    assert len(topics.first_words) == len(topics.starts) > 1, "the talk has chapters"
    return words, timed, list(topics.first_words)


def test_chapters_start_at_sentence_starts() -> None:
    paragraphs = _glued()
    run = max(paragraphs, key=lambda p: max(len(s.split()) for s in re.split(r"[.!?] ", p)))
    assert max(len(s.split()) for s in re.split(r"[.!?] ", run)) > 70  # cut twice inside
    words, _, starts = _starts(paragraphs)
    for first in starts[1:]:
        before = words[first - 1].text.strip()
        assert before.endswith(STOPS), f"chapter opens mid-sentence: ...{before} |{words[first]}"


def test_unpunctuated_text_chapters_start_at_paragraphs() -> None:
    paragraphs = [re.sub(r"[.!?,;:]", "", p).lower() for p in _glued()]
    words, timed, starts = _starts(paragraphs)
    assert not any(w.text.strip().endswith(STOPS) for w in words)
    opening = {p.first_word for p in timed}
    assert set(starts) <= opening, "every chapter opens a paragraph"


@pytest.mark.parametrize("talk", [*all_talks(), *all_talks(BENCH_TALKS)], ids=lambda t: t.slug)
def test_titles_are_phrases_of_two_to_six_words(talk: object) -> None:
    from tests.speech_talks import WrittenTalk

    assert isinstance(talk, WrittenTalk)
    texts = [" ".join(topic.paragraphs) for topic in talk.topics]
    titles = key_phrase_titles(texts, talk.language)
    assert len(titles) == len(texts) and len(set(titles)) == len(titles)
    for title in titles:
        words = title.split()
        assert 2 <= len(words) <= 6, (talk.slug, title)
        assert not title.startswith("Part "), (talk.slug, title)
