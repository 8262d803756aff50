"""The offline segmenter: where a talk changes topic, found from its words alone.

Units are sentences, so a chapter may start inside a paragraph. Each sentence is a bag of
content words weighted by how rare they are in the talk's language (wordfreq's frequency
lists, 40+ languages): "chronometer" says much about a topic, "water" little, "the" nothing.
A chapter plan is scored as Utiyama and Isahara's (2001) description length: each chapter's
words coded by that chapter's own word distribution, plus a price per chapter. Dynamic
programming finds the cheapest plan, so the number of chapters comes from the talk: a new
chapter pays for itself only where the vocabulary really changes. Chapters keep to
`min_chapter_seconds` and `max_chapters`. An hour of talk takes a fraction of a second:
candidate starts are the sentence gaps where the words around them differ most.

wordfreq and numpy are imported when a talk is segmented, never by a render-only build.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from ..records.document import Paragraph
from ..records.settings import LLMSettings
from ..records.transcript import Word
from .chapter_plan import enforce_lengths, language_code, language_name, max_chapters

SEGMENTER = "sentences-v1"
_TOKEN = re.compile(r"[^\W\d_]{3,}")
_STOPS = (".", "!", "?", "\u2026", "\u3002", "\uff01", "\uff1f")
_CLOSERS = "\"')]\u00bb\u201d\u2019"
_MOST_WORDS = 40  # a longer run without a full stop is cut (unpunctuated speech)
_UNPUNCTUATED = 100  # fewer full stops than one per this many words: text without punctuation
_CANDIDATES_PER_CHAPTER = 6  # sentence gaps kept as candidate starts, per allowed chapter
_BLOCK_SECONDS = 40.0  # of speech on each side of a gap when ranking candidates
_RARE = 4.5  # zipf: words rarer than 1 in 30,000 carry the topic ("pendulum", "honey")
_SMOOTHING = 0.2  # the Dirichlet prior of each chapter's word distribution
_PRICE = 1.0  # description length of one more chapter, in units of log(content words)


@dataclass(frozen=True)
class Sentence:
    start: float
    end: float
    text: str
    paragraph: int  # index of the paragraph it is in
    first_word: int  # index in the transcript's words; -1 without word timings
    opens: bool = True  # begins a sentence (not a cut of a long unpunctuated run)


def _ends(text: str) -> bool:
    return text.rstrip().rstrip(_CLOSERS).endswith(_STOPS)


def openings(units: Sequence[Sentence]) -> list[int]:
    """The units a chapter may start at: sentence starts (the talk's start, or after a full
    stop), never a cut of a long run without one. Text without punctuation (some captions)
    has no sentences to go by: there, paragraph starts."""
    words = sum(len(u.text.split()) for u in units)
    stops = sum(1 for u in units if _ends(u.text))
    if stops * _UNPUNCTUATED < words:
        return [i for i, u in enumerate(units) if i == 0 or u.paragraph != units[i - 1].paragraph]
    return [i for i, u in enumerate(units) if i == 0 or u.opens]


def sentences(paragraphs: Sequence[Paragraph], words: Sequence[Word] | None) -> list[Sentence]:
    """The talk's sentences; each paragraph begins one. Without the transcript's words (or
    paragraphs without word ranges), times are spread over each paragraph by characters."""
    found: list[Sentence] = []
    timed = bool(words) and any(p.last_word for p in paragraphs)
    for number, paragraph in enumerate(paragraphs):
        if timed and words is not None and paragraph.last_word < len(words):
            run: list[int] = []
            for index in range(paragraph.first_word, paragraph.last_word + 1):
                run.append(index)
                if _ends(words[index].text) or len(run) >= _MOST_WORDS:
                    found.append(_from_words(words, run, number, _opened(found)))
                    run = []
            if run:
                found.append(_from_words(words, run, number, _opened(found)))
        else:
            for piece in _from_text(paragraph, number):
                found.append(replace(piece, opens=_opened(found)))
    return found


def _opened(found: Sequence[Sentence]) -> bool:
    """Whether the next unit begins a sentence: the talk's first, or after a full stop."""
    return not found or _ends(found[-1].text)


def _from_words(words: Sequence[Word], run: list[int], paragraph: int, opens: bool) -> Sentence:
    text = " ".join("".join(words[i].text for i in run).split())
    return Sentence(words[run[0]].start, words[run[-1]].end, text, paragraph, run[0], opens)


def _from_text(paragraph: Paragraph, number: int) -> list[Sentence]:
    pieces = [p for p in re.split(r"(?<=[.!?…])\s+", paragraph.text) if p.strip()]
    total = max(1, sum(len(p) for p in pieces))
    span = paragraph.end - paragraph.start
    result, done = [], 0
    for piece in pieces:
        start = paragraph.start + span * done / total
        done += len(piece)
        result.append(Sentence(start, paragraph.start + span * done / total, piece, number, -1))
    return result


def rarity(language: str | None) -> Callable[[str], float]:
    """A word's weight in the language: 1 for words rarer than zipf 4.5 (the measured
    optimum: graded weights let half-common words blur the topics), 0 for the others."""
    from wordfreq import available_languages, zipf_frequency

    code = language_code(language)
    if code not in available_languages("small"):
        return lambda word: 1.0 if len(word) > 4 else 0.0  # no list: long words count
    cache: dict[str, float] = {}

    def weight(word: str) -> float:
        if word not in cache:
            # "small" lists stop near zipf 3 (once per million words): loaded in milliseconds
            zipf = zipf_frequency(word, code, wordlist="small")
            cache[word] = 1.0 if zipf < _RARE else 0.0
        return cache[word]

    return weight


def stemmer(language: str | None) -> Callable[[str], str]:
    """Snowball's stemmer for the language (clocks and clock count as one), else none."""
    import snowballstemmer

    name = language_name(language).lower()
    if name not in snowballstemmer.algorithms():
        return lambda word: word
    stem = snowballstemmer.stemmer(name)
    return lambda word: str(stem.stemWord(word))


def bags(units: Sequence[Sentence], language: str | None) -> list[dict[str, float]]:
    """Each unit's content words: stem -> summed rarity weight."""
    weight, stem = rarity(language), stemmer(language)
    stems: dict[str, str] = {}
    result = []
    for unit in units:
        bag: dict[str, float] = {}
        for token in _TOKEN.findall(unit.text.lower()):
            value = weight(token)
            if value > 0:
                key = stems.get(token) or stems.setdefault(token, stem(token))
                bag[key] = bag.get(key, 0.0) + value
        result.append(bag)
    return result


def segment(
    units: Sequence[Sentence],
    language: str | None,
    duration: float,
    settings: LLMSettings,
) -> Segmentation:
    """Unit indexes where chapters start (0 first), and what it was decided by."""
    import numpy as np

    if len(units) < 2:
        return Segmentation([0], [0.0] * len(units), np.zeros((len(units), 1)), [0])
    weighted = bags(units, language)
    vocabulary = {key: i for i, key in enumerate(sorted({k for b in weighted for k in b}))}
    counts = np.zeros((len(units), max(1, len(vocabulary))))
    for row, bag in enumerate(weighted):
        for key, value in bag.items():
            if key in vocabulary:
                counts[row, vocabulary[key]] = value
    change = gap_scores(counts, [u.start for u in units])
    times = [u.start for u in units]
    limit = max_chapters(duration, settings)
    allowed = openings(units)
    candidates = _candidates(change, times, duration, settings, limit, allowed)
    starts = _cheapest_plan(counts, candidates, times, duration, settings, limit)
    kept = enforce_lengths(starts, times, duration, settings, change)
    return Segmentation(kept, change, counts, allowed)


@dataclass(frozen=True)
class Segmentation:
    starts: list[int]  # unit indexes where chapters start, 0 first
    change: list[float]  # per unit: how much the words change there (0 for the first)
    counts: Any  # units x vocabulary: the weighted content words
    allowed: list[int]  # the units a chapter may start at (`openings`)

    def best_start(self, left: int, right: int, given: int, choices: Sequence[int]) -> int:
        """Of `choices`, the start that best splits units left..right in two chapters (the
        least description length), where a start `given` by paragraph belongs by sentence.
        `given` stays unless another is better by the price of a chapter."""
        import numpy as np

        prefix = np.vstack([np.zeros(self.counts.shape[1]), np.cumsum(self.counts, axis=0)])
        cuts = [given, *(c for c in choices if left < c < right and c != given)]
        blocks = np.array([[prefix[c] - prefix[left], prefix[right] - prefix[c]] for c in cuts])
        lengths = _coded(blocks[:, 0]) + _coded(blocks[:, 1])
        lengths[0] -= _PRICE * math.log(max(float(self.counts.sum()), 2.0))
        return cuts[int(np.argmin(lengths))]


def _coded(blocks: Any) -> Any:
    """Description length of each row of weighted counts under its own Dirichlet-smoothed
    distribution (the Dirichlet-multinomial marginal likelihood, negated)."""
    import numpy as np

    alpha, vocabulary = _SMOOTHING, blocks.shape[1]
    mass = blocks.sum(axis=1)
    return -(
        _lgamma(np.full(1, alpha * vocabulary))
        - _lgamma(mass + alpha * vocabulary)
        + (_lgamma(blocks + alpha) - _lgamma(np.full(1, alpha))).sum(axis=1)
    )


def gap_scores(counts: Any, times: Sequence[float]) -> list[float]:
    """For each unit, how different the words of the _BLOCK_SECONDS before it are from those
    of the _BLOCK_SECONDS from it on (1 - cosine); 0 for the first."""
    import numpy as np

    prefix = np.vstack([np.zeros(counts.shape[1]), np.cumsum(counts, axis=0)])
    starts = np.asarray(times)
    scores = [0.0]
    for gap in range(1, len(counts)):
        left = int(np.searchsorted(starts, starts[gap] - _BLOCK_SECONDS, side="left"))
        right = int(np.searchsorted(starts, starts[gap] + _BLOCK_SECONDS, side="left"))
        before = prefix[gap] - prefix[min(left, gap - 1)]
        after = prefix[max(right, gap + 1)] - prefix[gap]
        norm = float(np.linalg.norm(before) * np.linalg.norm(after))
        scores.append(1.0 - float(before @ after) / norm if norm else 0.0)
    return scores


def _candidates(
    change: Sequence[float],
    times: Sequence[float],
    duration: float,
    settings: LLMSettings,
    limit: int,
    allowed: Sequence[int],
) -> list[int]:
    """The unit gaps most worth trying as chapter starts (peaks of `change`), in order."""
    minimum = settings.min_chapter_seconds
    usable = [i for i in allowed if i and times[i] >= minimum and duration - times[i] >= minimum]
    wanted = max(_CANDIDATES_PER_CHAPTER * limit, 100)
    if len(usable) <= wanted:
        return usable
    return sorted(sorted(usable, key=lambda i: -change[i])[:wanted])


def _cheapest_plan(
    counts: Any,
    candidates: Sequence[int],
    times: Sequence[float],
    duration: float,
    settings: LLMSettings,
    limit: int,
) -> list[int]:
    """Dynamic programming over candidate starts: the plan of least description length."""
    import numpy as np

    cuts = [0, *candidates, len(counts)]
    edges = [*(times[c] for c in cuts[:-1]), duration]
    prefix = np.vstack([np.zeros(counts.shape[1]), np.cumsum(counts, axis=0)])[cuts]
    total = float(counts.sum())
    price = _PRICE * math.log(max(total, 2.0))
    size = len(cuts)
    # cost[i, j]: the units from cut i to cut j coded with their own smoothed distribution
    cost = np.full((size, size), np.inf)
    for i in range(size - 1):
        cost[i, i + 1 :] = _coded(prefix[i + 1 :] - prefix[i])
    best = np.full((limit + 1, size), np.inf)  # best[k, j]: k chapters covering up to cut j
    back = np.zeros((limit + 1, size), dtype=int)
    best[0, 0] = 0.0
    minimum = settings.min_chapter_seconds
    for k in range(1, limit + 1):
        for j in range(1, size):
            options = [
                (best[k - 1, i] + cost[i, j] + price, i)
                for i in range(j)
                if best[k - 1, i] < np.inf and edges[j] - edges[i] >= min(minimum, duration)
            ]
            if options:
                best[k, j], back[k, j] = min(options)
    chapters = int(np.argmin(best[1:, size - 1])) + 1
    if not np.isfinite(best[chapters, size - 1]):
        return [0]
    plan, j = [], size - 1
    for k in range(chapters, 0, -1):
        j = int(back[k, j])
        plan.append(cuts[j])
    return sorted(plan)


def _lgamma(x: Any) -> Any:
    """log Gamma of positive numbers, elementwise: Stirling's series after shifting by 6."""
    import numpy as np

    shifted = x + 6.0
    product = np.log(x * (x + 1) * (x + 2) * (x + 3) * (x + 4) * (x + 5))
    series = 1 / (12 * shifted) - 1 / (360 * shifted**3) + 1 / (1260 * shifted**5)
    stirling = (shifted - 0.5) * np.log(shifted) - shifted + 0.5 * math.log(2 * math.pi)
    return stirling + series - product
