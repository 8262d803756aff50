"""The words a talk is spelled with: its glossary (terms Whisper is told to expect, as
faster-whisper's `hotwords`) and its replacements (wrong -> right, applied to the text at
build time, so they take effect on cached talks at once, without a model).

Both come from talks.yml (`defaults` and per talk, merged). A bad entry is a warning with the
file and line, and the talk builds from what is valid.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # chapters reads the catalog, which reads this module
    from ..records.document import Document

log = logging.getLogger("mkdocs.plugins.yt2doc")

# faster-whisper keeps the first max_length // 2 - 1 = 223 tokens of `hotwords` and cuts the
# rest mid-term; we send whole terms up to that many tokens and say which were left out.
HOTWORD_TOKENS = 223
MAX_TERM = 100  # characters: a term is a name or a phrase, not a paragraph
# Replacements are shown as text; syntax in them is a mistake (or an attempt), not a spelling.
_SYNTAX = re.compile(r"[<>`*\[\]{}|#\\]")

Pairs = tuple[tuple[str, str], ...]


def parse_glossary(value: Any, where: str) -> tuple[str, ...]:
    """A list of terms; anything else is a warning and no glossary."""
    if value is None:
        return ()
    if not isinstance(value, list):
        log.warning("yt2doc: %s: 'glossary' must be a list of terms, not %r; ignored", where, value)
        return ()
    terms: list[str] = []
    for term in value:
        text = " ".join(str(term).split()) if isinstance(term, (str, int, float)) else ""
        if isinstance(term, bool) or not text or len(text) > MAX_TERM:
            log.warning(
                "yt2doc: %s: glossary term %r is left out (a term is text of 1 to %d "
                "characters)", where, term, MAX_TERM,
            )  # fmt: skip
            continue
        if text not in terms:
            terms.append(text)
    return tuple(terms)


def parse_replace(value: Any, where: str) -> Pairs:
    """A mapping of wrong -> right spelling; bad entries are warnings, and left out."""
    if value is None:
        return ()
    if not isinstance(value, dict):
        log.warning("yt2doc: %s: 'replace' must map wrong -> right, not %r; ignored", where, value)
        return ()
    pairs: list[tuple[str, str]] = []
    for wrong, right in value.items():
        wrong_text = " ".join(str(wrong).split()) if isinstance(wrong, (str, int)) else ""
        right_text = " ".join(right.split()) if isinstance(right, str) else None
        problem = None
        if not wrong_text:
            problem = "has an empty key"
        elif right_text is None:
            problem = "must replace with text"
        elif _SYNTAX.search(right_text) or _SYNTAX.search(wrong_text):
            problem = "contains HTML or Markdown (write plain words)"
        if problem:
            line = getattr(value, "lines", {}).get(str(wrong))  # the entry's own line
            at = f"{where.rsplit(':', 1)[0]}:{line}" if line else where
            log.warning("yt2doc: %s: replace %r -> %r %s; left out", at, wrong, right, problem)
            continue
        assert right_text is not None
        pairs.append((wrong_text, right_text))
    return tuple(pairs)


def merge_glossary(defaults: tuple[str, ...], own: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys((*defaults, *own)))


def merge_replace(defaults: Pairs, own: Pairs) -> Pairs:
    """The talk's own spelling of a key wins over the defaults'."""
    merged = {wrong.casefold(): (wrong, right) for wrong, right in defaults}
    merged.update({wrong.casefold(): (wrong, right) for wrong, right in own})
    return tuple(merged.values())


def hotwords(terms: Sequence[str], count_tokens: Callable[[str], int]) -> tuple[str, list[str]]:
    """The terms for Whisper as one string within its bound, and the terms left out."""
    kept: list[str] = []
    left_out: list[str] = []
    for term in terms:
        if count_tokens(" " + ", ".join([*kept, term])) <= HOTWORD_TOKENS:
            kept.append(term)
        else:
            left_out.append(term)
    return ", ".join(kept), left_out


class Replacer:
    """Whole words and phrases, matched without regard to case or line breaks, replaced in
    one pass (longest first); the case of the text is kept where it says something: a
    capital at a sentence start, or all capitals."""

    def __init__(self, pairs: Pairs) -> None:
        self.right = {wrong.casefold(): right for wrong, right in pairs}
        order = sorted(self.right, key=len, reverse=True)
        alternatives = "|".join(r"\s+".join(map(re.escape, w.split())) for w in order)
        self.pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)

    def text(self, text: str) -> str:
        return self.pattern.sub(self._replace, text)

    def _replace(self, match: re.Match[str]) -> str:
        found = match.group()
        right = self.right[" ".join(found.split()).casefold()]
        if len(found) > 1 and found.isupper() and not right.isupper():
            return right.upper()
        if found[:1].isupper() and right[:1].islower():
            return right[:1].upper() + right[1:]
        return right

    def captions(self, text: str) -> str:
        """An SRT or WebVTT file with the cue text replaced (timings and numbers left alone:
        no replacement matches a line of digits and arrows)."""
        return "\n".join(line if "-->" in line else self.text(line) for line in text.split("\n"))

    def document(self, document: Document) -> Document:
        paragraphs = tuple(
            dataclasses.replace(p, text=self.text(p.text)) for p in document.paragraphs
        )
        chapters = tuple(
            dataclasses.replace(c, title=self.text(c.title)) for c in document.chapters
        )
        summary = self.text(document.summary) if document.summary else document.summary
        return dataclasses.replace(
            document, paragraphs=paragraphs, chapters=chapters, summary=summary
        )
