"""The stages' settings: Whisper, paragraphs, the LLM, and Ray's (`prefetch --ray`)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from .errors import Yt2DocError


@dataclass(frozen=True)
class WhisperSettings:
    backend: str = "faster-whisper"  # faster-whisper | whisper.cpp
    model: str = "large-v3-turbo"
    device: str = "auto"  # auto | cuda | cpu
    compute_type: str = "auto"  # auto: float16 on GPU, int8 on CPU
    language: str | None = None  # None: detect per talk
    beam_size: int = 5
    vad: bool = True
    batch_size: int | None = None  # None: 16 on GPU, 8 on CPU; 0 or 1: sequential
    # Prompt Whisper with the talk's title, chapters and description. Off by default: on
    # small models it made Whisper skip whole sentences (see bench/README.md).
    prompt: bool = False
    # CPU threads; 0: CTranslate2's default, whisper.cpp: the CPU count (Ray CPU workers set it)
    cpu_threads: int = 0

    def produced_by(self) -> dict[str, Any]:
        """What decides the text of a transcript (not where or how fast it ran)."""
        return {
            "backend": self.backend,
            "model": self.model,
            "language": self.language,
            "beam_size": self.beam_size,
            "vad": self.vad,
            "prompt": self.prompt,
        }


@dataclass(frozen=True)
class ParagraphSettings:
    sat_model: str | None = "sat-3l-sm"  # a SaT model name or local folder; None: fallback
    sat_tokenizer: str | None = None  # tokenizer folder for a local SaT model
    paragraph_threshold: float = 0.5  # SaT's newline probability for a paragraph break
    target_words: int = 90  # fallback: end at the first sentence end after this many words
    min_words: int = 25  # fallback: a pause only ends a paragraph this long
    max_words: int = 200  # both: hard stop for unpunctuated speech
    pause: float = 1.2  # fallback: seconds of silence that read as a paragraph break

    def produced_by(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class LLMSettings:
    model: str | None = None  # None: no LLM
    host: str = "http://localhost:11434"
    api: str = "ollama"  # ollama | openai
    timeout: float = 120.0  # seconds per call
    retries: int = 2  # extra attempts after the first
    context: int = 16384  # most tokens of context to ask for (num_ctx)
    min_chapter_seconds: float = 60.0
    max_chapters_per_hour: int = 12
    seed: int = 42

    def produced_by(self) -> dict[str, Any]:
        """What decides the LLM's answers (a change is reported, redone on request)."""
        return {"api": self.api, "model": self.model, "seed": self.seed}


STRUCTURE_PLACES = ("workers", "driver")


@dataclass(frozen=True)
class RaySettings:
    address: str = "auto"  # auto | local | HOST:PORT | ray://HOST:PORT
    workers: int | None = None  # None: as many as the cluster has room for, one per talk at most
    gpus_per_worker: float | None = None  # None: 1 when the cluster has GPUs, else 0
    cpus_per_worker: float = 1.0
    in_flight: int = 2  # talks a worker holds at once: one transcribing, the next downloading
    retries: int = 2  # further attempts for a talk whose worker died under it
    structure: str = "workers"  # where paragraphs and chapters (SaT, LLM) are made
    start_timeout: float = 300.0  # seconds for a worker to start (model load not included)

    def __post_init__(self) -> None:
        if self.workers is not None and self.workers < 1:
            raise Yt2DocError("--ray-workers must be at least 1")
        if self.in_flight < 1:
            raise Yt2DocError("--ray-in-flight must be at least 1")
        if self.retries < 0:
            raise Yt2DocError("--ray-retries cannot be negative")
        if self.structure not in STRUCTURE_PLACES:
            raise Yt2DocError(f"--ray-structure must be one of {', '.join(STRUCTURE_PLACES)}")
