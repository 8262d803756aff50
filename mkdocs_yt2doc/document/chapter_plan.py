"""`Topics`, a talk's chapter plan, and the rules every plan obeys, whoever made it.

A plan says where each chapter starts (a paragraph, and the exact word when the start falls
inside one), its title, and a summary of the talk. The rules: no chapter shorter than
`llm.min_chapter_seconds`, at most `max_chapters` of them, text in the talk's language.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

from ..records.settings import LLMSettings

LANGUAGES = {
    "en": "English", "de": "German", "fr": "French", "es": "Spanish", "it": "Italian",
    "pt": "Portuguese", "nl": "Dutch", "pl": "Polish", "sv": "Swedish", "da": "Danish",
    "no": "Norwegian", "fi": "Finnish", "cs": "Czech", "ru": "Russian", "uk": "Ukrainian",
    "tr": "Turkish", "ja": "Japanese", "zh": "Chinese", "ko": "Korean", "ar": "Arabic",
    "hi": "Hindi", "el": "Greek", "hu": "Hungarian", "ro": "Romanian", "ca": "Catalan",
}  # fmt: skip

# A few function words per language: enough to notice text written in the wrong one.
_STOPWORDS = {
    "en": "the and of to is in that it for with this are you on",
    "de": "der die und das ist nicht mit den ein eine sie auf zu",
    "fr": "le la les et des est une un pour dans que qui pas sur",
    "es": "el la los las y de que en un una es por para con",
    "it": "il la che di e un una per non sono con del della",
    "nl": "de het een en van is dat niet met voor op zijn",
    "pt": "o a os as e de que um uma para com não em",
}


def language_name(code: str | None) -> str:
    return LANGUAGES.get((code or "en").split("-")[0].lower(), code or "English")


def language_code(code: str | None) -> str:
    return (code or "en").split("-")[0].lower()


def max_chapters(duration: float, settings: LLMSettings) -> int:
    """The per-hour cap; a shorter talk may still have up to half of it (at least 3), as
    long as each chapter lasts the minimum: a 5-minute talk can have 4 topics."""
    per_hour = math.ceil(duration / 3600 * settings.max_chapters_per_hour)
    floor = max(3, settings.max_chapters_per_hour // 2)
    short = min(floor, int(duration // max(settings.min_chapter_seconds, 1.0)))
    return max(1, per_hour, short)


def enforce_lengths(
    starts: Sequence[int],
    times: Sequence[float],
    duration: float,
    settings: LLMSettings,
    score: Sequence[float] | None = None,
) -> list[int]:
    """Unit indexes of chapter starts (units start at `times`), 0 first: starts that make a
    chapter shorter than the minimum are dropped (the weaker of two, by `score`, else the
    later), then the shortest chapters are merged until the count is allowed."""
    minimum = settings.min_chapter_seconds
    strength = score if score is not None else [0.0] * len(times)
    kept = [0]
    for index in sorted(set(starts)):
        if index <= 0 or index >= len(times) or duration - times[index] < minimum:
            continue
        if times[index] - times[kept[-1]] >= minimum:
            kept.append(index)
        elif (
            len(kept) > 1
            and strength[index] > strength[kept[-1]]
            and times[index] - times[kept[-2]] >= minimum
        ):
            kept[-1] = index  # the stronger of two close starts
    limit = max_chapters(duration, settings)
    while len(kept) > limit:  # merge the shortest chapter into its neighbour
        ends = [*(times[i] for i in kept[1:]), duration]
        lengths = [end - times[s] for s, end in zip(kept, ends, strict=True)]
        shortest = min(range(1, len(kept)), key=lambda i: (lengths[i], strength[kept[i]]))
        kept.pop(shortest)
    return kept


def wrong_language(text: str, language: str | None) -> str | None:
    """The language the text is clearly written in, if it is not `language` (else None)."""
    code = (language or "").split("-")[0].lower()
    if code not in _STOPWORDS:
        return None
    words = Counter(re.findall(r"\w\w+", text.lower()))  # "a" is English and Portuguese
    scores = {lang: sum(words[w] for w in stop.split()) for lang, stop in _STOPWORDS.items()}
    best = max(scores, key=lambda lang: scores[lang])
    if best != code and scores[best] >= 4 and scores[best] > 2 * scores[code]:
        return best
    return None


def same_text(a: str, b: str) -> bool:
    """Whether two texts say the same words (case, punctuation and spacing aside)."""
    return re.findall(r"\w+", a.lower()) == re.findall(r"\w+", b.lower())
