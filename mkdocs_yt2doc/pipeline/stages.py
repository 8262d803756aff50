"""The work on one talk that needs models: transcription, paragraphs, topics.

It runs in the local pipeline or on a Ray worker (`scale/worker.py`), so it touches no cache: a
`TalkTask` goes in, a `TalkResult` (the cache files' contents, plain JSON-able dicts) comes out,
and the pipeline writes it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..document.llm import LLM, LLMError
from ..document.paragraphs import Paragrapher
from ..document.topics import find_topics
from ..records.document import Paragraph, Topics
from ..records.media import Media
from ..records.settings import LLMSettings, ParagraphSettings, WhisperSettings
from ..records.transcript import Transcript
from ..transcribe.backend import make_transcriber
from ..transcribe.whisper import INSTALL_HINT
from ..util.glossary import HOTWORD_TOKENS

log = logging.getLogger("mkdocs.plugins.yt2doc")


@dataclass(frozen=True)
class TalkTask:
    """One talk's audio work, as it travels to whoever does it (picklable, no store)."""

    key: str
    label: str  # for messages: 'Title' (talks.yml:3)
    media: Media  # what to download
    language: str | None
    prompt: str
    structure: bool = True  # make paragraphs (and topics) too, not only the transcript
    topics: bool = False  # the talk has no chapter marks: find its chapters
    glossary: tuple[str, ...] = ()  # terms Whisper is told to expect (hotwords)


@dataclass(frozen=True)
class TalkResult:
    """What the stages made of a talk: the contents of its cache files."""

    transcript: dict[str, Any]
    paragraphs: dict[str, Any] | None = None  # paragraphs.json, when structure ran there
    topics: dict[str, Any] | None = None  # topics.json, when it ran there and was needed


class Stages:
    """The models one process keeps for all the talks it processes: Whisper, SaT, an LLM client.

    The local pipeline has one; each Ray worker has its own, loaded on its first talk.
    """

    def __init__(self, whisper: WhisperSettings, paragraphs: ParagraphSettings, llm: LLMSettings):
        self.transcriber = make_transcriber(whisper)
        self.paragrapher = Paragrapher(paragraphs)
        self.llm_settings = llm
        self._llm: LLM | None = None
        self._llm_failure: str | None = None
        self._warned_missing = False

    @property
    def llm(self) -> LLM | None:
        """The configured LLM (one client for the run), or None. The server is asked once,
        before the first talk, whether it has the model: if not, one warning, and this run
        chapters offline (the offline chapters are redone once the LLM answers)."""
        if self._llm is None and self.llm_settings.model and self._llm_failure is None:
            llm = LLM(self.llm_settings)
            try:
                llm.check_model()
            except LLMError as exc:
                self._llm_failure = str(exc)
                log.warning("yt2doc: llm: %s; chapters are found offline in this run", exc)
                return None
            self._llm = llm
        return self._llm

    def transcribe(self, task: TalkTask, audio: Path) -> Transcript:
        log.info("yt2doc: transcribing %s", task.label)
        transcript = self.transcriber.transcribe(
            audio, language=task.language, prompt=task.prompt, glossary=task.glossary
        )
        left_out = transcript.settings.get("glossary_left_out")
        if left_out:
            log.warning(
                "yt2doc: %s: the glossary is longer than Whisper's %d-token window; these terms "
                "were not sent: %s (put the most important terms first, or per talk)",
                task.label, HOTWORD_TOKENS, ", ".join(left_out),
            )  # fmt: skip
        return transcript

    def paragraphs(self, transcript: Transcript) -> dict[str, Any]:
        """The paragraphs.json record of a transcript."""
        found, paragrapher = self.paragrapher.paragraphs(transcript.words)
        return {
            "paragrapher": paragrapher,
            "settings": self.paragrapher.settings.produced_by(),
            "paragraphs": [p.to_json() for p in found],
        }

    def topics(
        self, transcript: Transcript, paragraphs: list[Paragraph], label: str, ask_llm: bool
    ) -> Topics | None:
        """The talk's chapters; None (one chapter, nothing stored) without the libraries of
        the offline chapters (a core install making a cached transcript's structure)."""
        duration = transcript.duration or paragraphs[-1].end
        span = transcript.settings.get("span")  # a talk cut from a longer recording
        if isinstance(span, list) and len(span) == 2:
            duration = max(1.0, duration - float(span[0]))
        llm = self.llm if ask_llm else None
        try:
            return self._find_topics(transcript, paragraphs, label, duration, llm)
        except ImportError as exc:
            if not self._warned_missing:
                self._warned_missing = True
                log.warning(
                    "yt2doc: finding chapters needs wordfreq, snowballstemmer and yake (%s): "
                    "%s; talks without chapter marks are one chapter until then",
                    exc, INSTALL_HINT,
                )  # fmt: skip
            return None

    def _find_topics(
        self,
        transcript: Transcript,
        paragraphs: list[Paragraph],
        label: str,
        duration: float,
        llm: LLM | None,
    ) -> Topics:
        return find_topics(
            paragraphs, transcript.language, duration, self.llm_settings, llm, label,
            words=transcript.words,
        )  # fmt: skip

    def process(self, task: TalkTask, audio: Path) -> TalkResult:
        """All a worker does with the audio: the transcript, and the structure if asked."""
        transcript = self.transcribe(task, audio)
        if not task.structure:
            return TalkResult(transcript.to_json())
        paragraphs = self.paragraphs(transcript)
        topics = None
        if task.topics and paragraphs["paragraphs"]:
            found = [Paragraph.from_json(p) for p in paragraphs["paragraphs"]]
            made = self.topics(transcript, found, task.label, ask_llm=True)
            topics = made.to_json() if made else None
        return TalkResult(transcript.to_json(), paragraphs, topics)
