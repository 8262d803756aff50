"""Offline titles and summary: each chapter's key phrase, and the talk's most central sentences.

YAKE (a maintained, unsupervised keyphrase extractor with stopword lists for 30+ languages)
proposes phrases of up to three words for each chapter. On its own it favours a chapter's
first lines ("Good afternoon"), so its candidates are ranked again by what makes a title: the
phrase is repeated in its chapter, rare in the others, and made of words that are rare in the
language (wordfreq). "Marine chronometer" beats "pendulum is useless". Titles are distinct.

The summary (index cards, page description) is extractive: the two sentences closest to the
whole talk's vocabulary, in the talk's order.

yake and wordfreq are imported when titles are made, never by a render-only build.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from .chapter_plan import language_code
from .segmenter import Sentence, bags, stemmer

_MAX_TITLE = 60
_SUMMARY_SENTENCES = 2
_SUMMARY_CHARACTERS = 320
_WORD = re.compile(r"[^\W\d_]+(?:['\u2019-][^\W\d_]+)*")


def _yake_language(language: str | None) -> str:
    """YAKE's stopword list for the language (its files use a few codes of their own)."""
    code = language_code(language)
    return {"cs": "cz"}.get(code, code)


def key_phrase_titles(texts: Sequence[str], language: str | None) -> list[str]:
    """One title per chapter text: its best key phrase, distinct from the others'."""
    import yake
    from wordfreq import available_languages, zipf_frequency

    code = language_code(language)
    known = code in available_languages()  # captions may say "und": no list, no rarity
    stem = stemmer(language)
    stemmed = [[stem(w.lower()) for w in _WORD.findall(t)] for t in texts]
    extractor = yake.KeywordExtractor(lan=_yake_language(language), n=3, top=30, dedup_lim=0.8)
    titles: list[str] = []
    taken: set[tuple[str, ...]] = set()
    for index, text in enumerate(texts):
        ranked = []
        for position, (phrase, _) in enumerate(extractor.extract_keywords(text) if text else []):
            words = _WORD.findall(phrase)
            key = tuple(stem(w.lower()) for w in words)
            if not words or len(phrase) > _MAX_TITLE or key in taken:
                continue
            here = _count(key, stemmed[index])
            if len(words) > 1 and here < 2:
                continue  # a phrase said once is a turn of speech, not the topic
            elsewhere = sum(_count(key, t) for i, t in enumerate(stemmed) if i != index)
            rarity = (
                sum(max(0.0, 6.0 - zipf_frequency(w, code)) for w in words) / len(words)
                if known
                else 1.0
            )
            score = (here / (1.0 + elsewhere)) * rarity * (1.0 + 0.6 * (len(words) - 1))
            ranked.append((-score, position, phrase, key))
        ranked.sort()
        if ranked:
            taken.add(ranked[0][3])
            titles.append(_as_title(ranked[0][2]))
        else:
            titles.append(f"Part {index + 1}")
    return titles


def _count(phrase: tuple[str, ...], stems: list[str]) -> int:
    size = len(phrase)
    return sum(1 for i in range(len(stems) - size + 1) if tuple(stems[i : i + size]) == phrase)


def _as_title(phrase: str) -> str:
    """Sentence case, keeping capitals inside the phrase (names, German nouns)."""
    phrase = " ".join(phrase.split())
    return phrase[:1].upper() + phrase[1:]


def extractive_summary(units: Sequence[Sentence], language: str | None) -> str | None:
    """The talk's most central sentences (closest to its whole vocabulary), in order."""
    weighted = bags(units, language)
    whole: dict[str, float] = {}
    for bag in weighted:
        for key, value in bag.items():
            whole[key] = whole.get(key, 0.0) + value
    norm = math.sqrt(sum(v * v for v in whole.values()))
    if not norm:
        return None
    scored = []
    for index, (unit, bag) in enumerate(zip(units, weighted, strict=True)):
        words = len(unit.text.split())
        if not 8 <= words <= 40 or unit.text.rstrip()[-1:] == "?":
            continue
        dot = sum(value * whole[key] for key, value in bag.items())
        size = math.sqrt(sum(v * v for v in bag.values())) or 1.0
        scored.append((-dot / (size * norm), index))
    chosen: list[int] = []
    length = 0
    for _, index in sorted(scored):
        if len(chosen) == _SUMMARY_SENTENCES:
            break
        if length + len(units[index].text) > _SUMMARY_CHARACTERS and chosen:
            continue
        chosen.append(index)
        length += len(units[index].text)
    return " ".join(units[i].text.strip() for i in sorted(chosen)) or None
