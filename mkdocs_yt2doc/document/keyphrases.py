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
from collections.abc import Callable, Sequence
from dataclasses import dataclass

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
    """One title per chapter text, distinct from the others': a phrase of 2-6 words."""
    import yake
    from wordfreq import available_languages, zipf_frequency

    code = language_code(language)
    known = code in available_languages()  # captions may say "und": no list, no rarity
    stops = {w.lower() for w in yake.KeywordExtractor(lan=_yake_language(language)).stopword_set}
    words = _Words(stemmer(language), stops, _JOINS.get(code, frozenset()),
                   _ARTICLES.get(code, frozenset()))  # fmt: skip
    chapters = [_Chapter(text, words) for text in texts]
    rates = [{k: n / c.size for k, n in c.counts.items()} for c in chapters]
    rarity: dict[str, float] = {}

    def rare(word: str) -> float:  # 0 for "time", up to 3 for "chronometer"
        if word not in rarity:
            zipf = zipf_frequency(word, code) if known else 3.0
            rarity[word] = max(0.0, min(3.0, 6.0 - zipf))
        return rarity[word]

    titles: list[str] = []
    taken: set[frozenset[str]] = set()
    for index, chapter in enumerate(chapters):
        others = [r for i, r in enumerate(rates) if i != index]
        # a word's salience: said often here, across the chapter, rarely in the others,
        # rare in the language (what the chapter is about)
        salience: dict[str, float] = {}
        for key, word in chapter.first.items():
            here = rates[index][key]
            elsewhere = sum(r.get(key, 0.0) for r in others) / max(1, len(others))
            share = here / (here + elsewhere)
            count = math.sqrt(chapter.counts[key])
            salience[key] = count * chapter.spread(key) * share**2 * (0.5 + rare(word.lower()))

        ranked = []
        for phrase, found in chapter.phrases.items():
            content = [(k, w) for k, w in zip(phrase, found.words, strict=True)
                       if w.lower() not in stops]  # fmt: skip
            names = frozenset(k for k, _ in content)
            if names in taken or len(" ".join(found.words)) > _MAX_TITLE or len(names) < 2:
                continue
            value = sum(salience.get(k, 0.0) for k, _ in content) / len(content)
            value *= 1.0 + 0.5 * math.log(found.count)  # the same words again: a name
            value *= 2.0 if found.introduced or not words.articles else 1.0
            ranked.append((-value, found.words, names))
        ranked.sort(key=lambda r: r[0])
        if ranked:
            taken.add(ranked[0][2])
            titles.append(_as_title(" ".join(ranked[0][1])))
            continue
        # no phrase of two words: the chapter's two most telling words, joined
        single = sorted(chapter.first, key=lambda k: -salience[k])
        pair = [chapter.first[k] for k in single if frozenset([k]) not in taken][:2]
        if len(pair) == 2:
            titles.append(_as_title(f"{pair[0]} {_AND.get(code, '·')} {pair[1].lower()}"))
            taken.add(frozenset(words.stem(w.lower()) for w in pair))
        else:
            titles.append(f"Part {index + 1}")
    return titles


_AND = {"en": "and", "de": "und", "fr": "et", "es": "y", "it": "e", "pt": "e", "nl": "en",
        "sv": "och", "da": "og", "no": "og", "pl": "i", "cs": "a"}  # fmt: skip
# the small words that may join the words of a name: "history of maps", "Kaffee und Tee"
_JOINS = {
    lang: frozenset(words.split())
    for lang, words in {"en": "of and", "de": "und von der des", "fr": "de du des et à la le",
                        "es": "de del y la", "it": "di del della e", "pt": "de do da e",
                        "nl": "van en de het"}.items()
}  # fmt: skip
# what comes before a noun phrase: "the marine chronometer", never "the flour absorbs"
_ARTICLES = {
    lang: frozenset(words.split())
    for lang, words in {
        "en": "the a an this that these those its their our your his her of in on with for by "
              "from about into",
        "de": "der die das den dem des ein eine einen einem einer eines im am vom zum zur",
        "fr": "le la les l un une des du de au aux ce cette ces",
        "es": "el la los las un una unos unas del al",
        "it": "il lo la i gli le un una uno del della dei delle",
        "pt": "o a os as um uma do da dos das",
        "nl": "de het een van",
    }.items()
}  # fmt: skip
_CLAUSE = re.compile(r"[.,;:!?()\[\]\"\u2026\u201c\u201d\u00ab\u00bb\u2013\u2014]|\s-\s")
_PARTS = 4  # a title's words should be heard across the chapter, not in one corner of it


@dataclass(frozen=True)
class _Words:
    stem: Callable[[str], str]
    stops: set[str]
    joins: frozenset[str]
    articles: frozenset[str]


@dataclass
class _Phrase:
    words: list[str]  # as first said
    count: int = 0
    introduced: bool = False  # once after an article or preposition: a noun phrase


class _Chapter:
    """A chapter's candidate phrases (2-4 words within a clause, neither opening nor ending
    on a stopword), and how often and where in the chapter each word is said."""

    def __init__(self, text: str, words: _Words) -> None:
        self.phrases: dict[tuple[str, ...], _Phrase] = {}
        self.counts: dict[str, int] = {}
        self.first: dict[str, str] = {}  # stem -> the word as first said (not a stopword)
        self.where: dict[str, set[int]] = {}
        clauses = [_WORD.findall(c) for c in _CLAUSE.split(text)]
        self.size = max(1, sum(len(c) for c in clauses))
        done = 0
        for clause in clauses:
            lower = [w.lower() for w in clause]
            stems = [words.stem(w) for w in lower]
            for offset, key in enumerate(stems):
                if lower[offset] not in words.stops and len(lower[offset]) > 2:
                    self.counts[key] = self.counts.get(key, 0) + 1
                    self.first.setdefault(key, clause[offset])
                    self.where.setdefault(key, set()).add((done + offset) * _PARTS // self.size)
            for size in (2, 3, 4):
                for at in range(len(clause) - size + 1):
                    part = lower[at : at + size]
                    if part[0] in words.stops or part[-1] in words.stops or len(part[0]) < 2:
                        continue
                    if any(w in words.stops and w not in words.joins for w in part[1:-1]):
                        continue  # "pendulum is useless": a clause, not a name
                    phrase = tuple(stems[at : at + size])
                    found = self.phrases.setdefault(phrase, _Phrase(clause[at : at + size]))
                    found.count += 1
                    found.introduced |= at > 0 and lower[at - 1] in words.articles
            done += len(clause)

    def spread(self, key: str) -> float:
        return len(self.where.get(key, ())) / _PARTS


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
