"""The words a talk is spelled with: its glossary (terms Whisper is told to expect, as
faster-whisper's `hotwords`) and its replacements (wrong -> right, applied to the text at
build time, so they take effect on cached talks at once, without a model).

Both come from talks.yml (`defaults` and per talk, merged). A bad entry is a warning with the
file and line, and the talk builds from what is valid.
"""

from __future__ import annotations

import dataclasses
import functools
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
# Whisper hears a few hundred tokens of terms (the window above): the rest of a longer
# glossary is cut with a warning, so that a huge one costs nothing per talk
MAX_TERMS = 1_000
MAX_PAIRS = 50_000  # replacements: far more than a talk's mishearings
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
    _warn_cut(value, MAX_TERMS, where, "glossary", "terms")
    terms: dict[str, None] = {}  # in order, each once
    for term in value[:MAX_TERMS]:
        text = " ".join(str(term).split()) if isinstance(term, (str, int, float)) else ""
        if isinstance(term, bool) or not text or len(text) > MAX_TERM:
            log.warning(
                "yt2doc: %s: glossary term %r is left out (a term is text of 1 to %d "
                "characters)", where, _short(term), MAX_TERM,
            )  # fmt: skip
            continue
        terms[text] = None
    return tuple(terms)


def _warn_cut(value: Sequence[Any], most: int, where: str, name: str, what: str) -> None:
    if len(value) > most:
        cut = value[most:]
        log.warning(
            "yt2doc: %s: '%s' has %d %s, more than the %d read; the last %d are left out, "
            "from %r to %r", where, name, len(value), what, most, len(cut),
            _short(cut[0]), _short(cut[-1]),
        )  # fmt: skip


def _short(value: Any) -> Any:
    """A value for a message: long text cut, so one warning stays one line."""
    text = value if isinstance(value, str) else repr(value)
    return value if len(text) <= MAX_TERM else text[:MAX_TERM] + "..."


def parse_replace(value: Any, where: str) -> Pairs:
    """A mapping of wrong -> right spelling; bad entries are warnings, and left out."""
    if value is None:
        return ()
    if not isinstance(value, dict):
        log.warning("yt2doc: %s: 'replace' must map wrong -> right, not %r; ignored", where, value)
        return ()
    items = list(value.items())
    _warn_cut([wrong for wrong, _ in items], MAX_PAIRS, where, "replace", "entries")
    pairs: list[tuple[str, str]] = []
    for wrong, right in items[:MAX_PAIRS]:
        wrong_text = " ".join(str(wrong).split()) if isinstance(wrong, (str, int)) else ""
        right_text = " ".join(right.split()) if isinstance(right, str) else None
        problem = None
        if not wrong_text:
            problem = "has an empty key"
        elif len(wrong_text) > MAX_TERM:
            problem = f"has a key of over {MAX_TERM} characters"
        elif right_text is None:
            problem = "must replace with text"
        elif _SYNTAX.search(right_text) or _SYNTAX.search(wrong_text):
            problem = "contains HTML or Markdown (write plain words)"
        if problem:
            line = getattr(value, "lines", {}).get(str(wrong))  # the entry's own line
            at = f"{where.rsplit(':', 1)[0]}:{line}" if line else where
            log.warning("yt2doc: %s: replace %r -> %r %s; left out", at, _short(wrong),
                        _short(right), problem)  # fmt: skip
            continue
        assert right_text is not None
        pairs.append((wrong_text, right_text))
    return tuple(pairs)


def merge_glossary(defaults: tuple[str, ...], own: tuple[str, ...]) -> tuple[str, ...]:
    if not own:  # the defaults, merged once: no copy of a long glossary for every talk
        return defaults
    return tuple(dict.fromkeys((*defaults, *own)))


def merge_replace(defaults: Pairs, own: Pairs) -> Pairs:
    """The talk's own spelling of a key wins over the defaults'. (`defaults` is already
    merged with itself when `own` is empty.)"""
    if not own:
        return defaults
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


@functools.lru_cache(maxsize=8)
def replacer(pairs: Pairs) -> Replacer:
    """One `Replacer` for all the talks that share their replacements (the defaults')."""
    return Replacer(pairs)


class Replacer:
    """Whole words and phrases, matched without regard to case or line breaks, replaced in
    one pass (longest first); the case of the text is kept where it says something: a
    capital at a sentence start, or all capitals."""

    def __init__(self, pairs: Pairs) -> None:
        # the keys as a trie of tokens: each place in the text looks up a token or two, not
        # every key (one regular expression of 40,000 keys took seconds to build and to run)
        self.trie: dict[str, Any] = {}
        for wrong, right in pairs:
            node = self.trie
            for token in _TOKEN.findall(" ".join(wrong.split())):
                node = node.setdefault(_norm(token), {})
            node[_END] = right  # a later spelling of the same key wins

    def text(self, text: str) -> str:
        tokens = _TOKEN.findall(text)  # every character, in order: they join to `text`
        out: list[str] = []
        index, count = 0, len(tokens)
        while index < count:
            found = None  # (end, right) of the longest key that starts here
            node: dict[str, Any] | None = self.trie
            if index and _is_word(tokens[index - 1]):
                node = None  # inside a word: no key starts here
            at = index
            while node is not None and at < count:
                node = node.get(_norm(tokens[at]))
                at += 1
                if node is not None and _END in node and (at == count or not _is_word(tokens[at])):
                    found = at, node[_END]
            if found is None:
                out.append(tokens[index])
                index += 1
                continue
            out.append(_cased("".join(tokens[index : found[0]]), found[1]))
            index = found[0]
        return "".join(out)

    def captions(self, text: str) -> str:
        """An SRT or WebVTT file with its cue text replaced: the file's own lines (the
        header, cue numbers and identifiers, timings, notes) are left as they are."""
        lines = text.split("\n")
        in_cue = False  # the lines after a timing line, up to a blank line, are cue text
        for index, line in enumerate(lines):
            if "-->" in line:
                in_cue = True
            elif not line.strip():
                in_cue = False
            elif in_cue:
                lines[index] = self.text(line)
        return "\n".join(lines)

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


_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")  # a word, a run of white space, or one other character
_END = ""  # a trie key no token has: a replacement key ends here


def _norm(token: str) -> str:
    return " " if token[0].isspace() else token.casefold()


def _is_word(token: str) -> bool:
    return token[0].isalnum() or token[0] == "_"  # what `\w` is


def _cased(found: str, right: str) -> str:
    """`right` in the case `found` says something with: all capitals, or a first one."""
    if len(found) > 1 and found.isupper() and not right.isupper():
        return right.upper()
    if found[:1].isupper() and right[:1].islower():
        return right[:1].upper() + right[1:]
    return right
