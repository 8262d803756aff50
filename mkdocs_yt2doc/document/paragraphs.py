"""Transcript words -> paragraphs.

Two paragraphers: wtpsplit's SaT (`paragraphs.sat_model`), which segments the text itself, and
a simple, documented fallback that ends a paragraph at the end of a sentence once it is long
enough, or earlier where the speaker paused. Either way each paragraph knows its word range,
so it starts at its first word's timestamp: links land on the word, not the Whisper segment.

wtpsplit is imported only when SaT is asked for.
"""

from __future__ import annotations

import importlib.util
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..records.document import Paragraph
from ..records.errors import Yt2DocError
from ..records.settings import ParagraphSettings
from ..records.transcript import Word
from .sat_hub import TOKENIZER, SaTSource, sat_source

log = logging.getLogger("mkdocs.plugins.yt2doc")

PAUSES = "pauses-v2"  # v2: chapter starts snap to sentence starts
_CLOSERS = "\"')]\u00bb\u201d\u2019"  # quotes and brackets after a full stop
_STOPS = (".", "!", "?", "\u2026", "\u3002", "\uff01", "\uff1f")  # incl. CJK full stops


def _ends_sentence(text: str) -> bool:
    return text.rstrip().rstrip(_CLOSERS).endswith(_STOPS)


def paragraph_of(words: Sequence[Word], first: int, last: int) -> Paragraph:
    text = " ".join("".join(w.text for w in words[first : last + 1]).split())
    return Paragraph(words[first].start, words[last].end, text, first, last)


def _from_groups(words: Sequence[Word], groups: list[tuple[int, int]]) -> list[Paragraph]:
    return [paragraph_of(words, a, b) for a, b in groups if b >= a]


def by_pauses(words: Sequence[Word], settings: ParagraphSettings) -> list[Paragraph]:
    """The fallback paragrapher: sentence ends, pauses, a target length.

    Text with no sentence ends at all (captions typed without punctuation) ends a paragraph at
    the widest pause within half a target after the target length, not at the hard stop."""
    groups: list[tuple[int, int]] = []
    first, cut_at = 0, -1
    # decided for the whole text: a long sentence of punctuated speech runs to its end
    punctuated = any(_ends_sentence(word.text) for word in words)
    for index, word in enumerate(words):
        count = index - first + 1
        following = words[index + 1] if index + 1 < len(words) else None
        gap = (following.start - word.end) if following else 0.0
        stop = _ends_sentence(word.text)
        if not punctuated and count == settings.target_words:
            cut_at = _widest_gap(words, index, index + settings.target_words // 2)
        if (
            (
                stop
                and (
                    count >= settings.target_words
                    or (gap >= settings.pause and count >= settings.min_words)
                )
            )
            or count >= settings.max_words
            or index == cut_at
        ):
            groups.append((first, index))
            first, cut_at = index + 1, -1
    if first < len(words):
        groups.append((first, len(words) - 1))
    return _from_groups(words, groups)


def _widest_gap(words: Sequence[Word], first: int, last: int) -> int:
    """The word in first..last followed by the longest silence (the first of equals)."""
    last = min(last, len(words) - 2)
    if last < first:
        return first
    return max(range(first, last + 1), key=lambda i: (words[i + 1].start - words[i].end, -i))


class SaTParagrapher:
    """wtpsplit's Segment any Text, loaded once per run; raises on load failure."""

    def __init__(self, settings: ParagraphSettings) -> None:
        self.settings = settings
        self._sat: Any = None
        self._failure: str | None = None

    def _load(self) -> Any:
        if self._sat is not None:
            return self._sat
        if self._failure:
            raise Yt2DocError(self._failure)
        model = str(self.settings.sat_model)
        if importlib.util.find_spec("wtpsplit") is None:  # before the hub: the likelier fix
            self._failure = 'wtpsplit is missing (pip install "mkdocs-yt2doc[transcribe]")'
            raise Yt2DocError(self._failure)
        folder = Path(model).expanduser()
        if folder.exists():
            source = SaTSource(str(folder), self.settings.sat_tokenizer or TOKENIZER)
        else:
            try:
                source = sat_source(model, self.settings.sat_tokenizer)
            except Yt2DocError as exc:
                self._failure = str(exc)
                raise
        try:
            from wtpsplit import SaT
        except ImportError as exc:
            self._failure = f"wtpsplit is missing ({exc})"
            raise Yt2DocError(self._failure) from None
        try:
            import onnxruntime

            providers = [
                p
                for p in ("CUDAExecutionProvider", "CPUExecutionProvider")
                if p in onnxruntime.get_available_providers()
            ]
            self._sat = SaT(
                source.model, tokenizer_name_or_path=source.tokenizer, ort_providers=providers
            )
        except Exception as exc:  # missing weights, bad folder, a hub that stopped answering
            self._failure = f"cannot load SaT model {model!r} ({type(exc).__name__}: {exc})"
            raise Yt2DocError(self._failure) from None
        return self._sat

    def paragraphs(self, words: Sequence[Word]) -> list[Paragraph]:
        sat = self._load()
        # One character offset per word, to map SaT's text pieces back to word timestamps.
        starts: list[int] = []
        parts: list[str] = []
        position = 0
        for item in words:
            piece = item.text if parts else item.text.lstrip()
            starts.append(position + (len(piece) - len(piece.lstrip())))
            parts.append(piece)
            position += len(piece)
        text = "".join(parts)
        found = sat.split(
            text,
            do_paragraph_segmentation=True,
            paragraph_threshold=self.settings.paragraph_threshold,
            split_on_input_newlines=False,
        )
        groups: list[tuple[int, int]] = []
        offset, index = 0, 0
        for paragraph in found:
            offset += sum(len(sentence) for sentence in paragraph)
            first = index
            while index < len(words) and starts[index] < offset:
                index += 1
            if index > first:
                groups.extend(_cap(first, index - 1, self.settings.max_words))
        if index < len(words):
            groups.append((index, len(words) - 1))
        return _from_groups(words, groups)


def _cap(first: int, last: int, most: int) -> list[tuple[int, int]]:
    return [(a, min(a + most - 1, last)) for a in range(first, last + 1, most)]


class Paragrapher:
    """SaT when configured and loadable, else the fallback, with one warning per run."""

    def __init__(self, settings: ParagraphSettings) -> None:
        self.settings = settings
        self._sat = SaTParagrapher(settings) if settings.sat_model else None
        self._warned = False

    def paragraphs(self, words: Sequence[Word]) -> tuple[list[Paragraph], str]:
        """The paragraphs and the name of the paragrapher that made them."""
        if self._sat is not None:
            try:
                return self._sat.paragraphs(words), f"sat:{self.settings.sat_model}"
            except Yt2DocError as exc:
                if not self._warned:
                    self._warned = True
                    log.warning(
                        "yt2doc: %s; paragraphs fall back to sentence ends and pauses. To "
                        "keep those without this warning, set `sat_model: false` under "
                        "`paragraphs:` in the yt2doc options; for SaT, build once with "
                        "network access (the model is then cached) or name a local SaT "
                        "model folder there",
                        exc,
                    )
        return by_pauses(words, self.settings), PAUSES


def snap_to_sentences(
    words: Sequence[Word], times: Sequence[float], tolerance: float = 4.0
) -> list[int]:
    """For each time (a chapter start), the word that starts the nearest sentence.

    Human chapter marks are a second or two off; snapping keeps "Now let us move on" in the
    chapter it opens instead of a one-word paragraph at the end of the previous one. With no
    sentence start within `tolerance`, the first word at or after the time.
    """
    starts = [i for i, w in enumerate(words) if i == 0 or _ends_sentence(words[i - 1].text)]
    snapped = []
    for time in times:
        near = [i for i in starts if abs(words[i].start - time) <= tolerance]
        if near:
            snapped.append(min(near, key=lambda i: abs(words[i].start - time)))
        else:
            later = [i for i, w in enumerate(words) if w.start >= time]
            snapped.append(later[0] if later else len(words))
    return snapped


def split_at(
    words: Sequence[Word], paragraphs: Sequence[Paragraph], cuts: Sequence[int]
) -> list[Paragraph]:
    """Split paragraphs so that each word index in `cuts` starts one."""
    result: list[Paragraph] = []
    wanted = set(cuts)
    for paragraph in paragraphs:
        first = paragraph.first_word
        for index in range(paragraph.first_word + 1, paragraph.last_word + 1):
            if index in wanted:
                result.append(paragraph_of(words, first, index - 1))
                first = index
        result.append(
            paragraph
            if first == paragraph.first_word
            else paragraph_of(words, first, paragraph.last_word)
        )
    return result
