"""The transcription backend that `whisper.backend` names: faster-whisper (`whisper.py`) or
whisper.cpp (`whisper_cpp.py`), behind one protocol."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from ..records.settings import WhisperSettings
from ..records.transcript import Transcript
from .whisper import Transcriber


class SpeechToText(Protocol):
    """What the stages need of a backend."""

    settings: WhisperSettings

    def transcribe(
        self,
        audio: Path,
        *,
        language: str | None = None,
        prompt: str | None = None,
        glossary: Sequence[str] = (),
    ) -> Transcript: ...


def make_transcriber(settings: WhisperSettings) -> SpeechToText:
    """The backend `whisper.backend` names (neither loads a model before its first talk)."""
    if settings.backend == "whisper.cpp":
        from .whisper_cpp import CppTranscriber

        return CppTranscriber(settings)
    return Transcriber(settings)
