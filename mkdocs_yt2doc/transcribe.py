"""Speech -> `Transcript` with faster-whisper: device choice, one model per run, word timestamps.

faster_whisper and ctranslate2 are imported when the first talk is transcribed, never before.
"""

from __future__ import annotations

import contextlib
import logging
import time
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from . import Yt2DocError

log = logging.getLogger("mkdocs.plugins.yt2doc")

INSTALL_HINT = 'install the transcription extra: pip install "mkdocs-yt2doc[transcribe]"'


class TranscribeError(Yt2DocError):
    """The model could not be loaded or the audio could not be transcribed."""


@dataclass(frozen=True)
class WhisperSettings:
    model: str = "large-v3-turbo"
    device: str = "auto"  # auto | cuda | cpu
    compute_type: str = "auto"  # auto: float16 on GPU, int8 on CPU
    language: str | None = None  # None: detect per talk
    beam_size: int = 5
    vad: bool = True


@dataclass(frozen=True)
class Word:
    start: float
    end: float
    text: str
    probability: float


@dataclass(frozen=True)
class Segment:
    start: float
    end: float
    text: str
    words: tuple[Word, ...]


@dataclass(frozen=True)
class Transcript:
    language: str
    duration: float
    segments: tuple[Segment, ...]
    settings: dict[str, Any] = field(default_factory=dict)  # what produced it
    versions: dict[str, str] = field(default_factory=dict)

    @property
    def words(self) -> list[Word]:
        return [w for s in self.segments for w in s.words]

    def to_json(self) -> dict[str, Any]:
        return {
            "language": self.language,
            "duration": self.duration,
            "settings": self.settings,
            "versions": self.versions,
            "segments": [
                {
                    "start": s.start,
                    "end": s.end,
                    "text": s.text,
                    "words": [
                        {"start": w.start, "end": w.end, "text": w.text, "p": w.probability}
                        for w in s.words
                    ],
                }
                for s in self.segments
            ],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Transcript:
        return cls(
            language=data["language"],
            duration=data["duration"],
            settings=data.get("settings", {}),
            versions=data.get("versions", {}),
            segments=tuple(
                Segment(
                    start=s["start"],
                    end=s["end"],
                    text=s["text"],
                    words=tuple(
                        Word(w["start"], w["end"], w["text"], w.get("p", 1.0)) for w in s["words"]
                    ),
                )
                for s in data["segments"]
            ),
        )


def choose_device(device: str, compute_type: str, cuda_devices: int) -> tuple[str, str]:
    """`auto` means CUDA when CTranslate2 sees a GPU; compute type follows the device."""
    if device == "auto":
        device = "cuda" if cuda_devices > 0 else "cpu"
    if device == "cuda" and cuda_devices == 0:
        raise TranscribeError("whisper.device is 'cuda' but CTranslate2 sees no CUDA device")
    if compute_type == "auto":
        compute_type = "float16" if device == "cuda" else "int8"
    return device, compute_type


def _versions() -> dict[str, str]:
    found = {}
    for name in ("faster-whisper", "ctranslate2"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            found[name] = metadata.version(name)
    return found


class Transcriber:
    """Holds one Whisper model for the whole build; loads it on first use."""

    def __init__(self, settings: WhisperSettings) -> None:
        self.settings = settings
        self._model: Any = None
        self.device = ""
        self.compute_type = ""

    def _load(self) -> Any:
        if self._model is not None:
            return self._model
        try:
            import ctranslate2
            from faster_whisper import WhisperModel
        except ImportError as exc:
            raise TranscribeError(f"faster-whisper is missing ({exc}); {INSTALL_HINT}") from None
        self.device, self.compute_type = choose_device(
            self.settings.device, self.settings.compute_type, ctranslate2.get_cuda_device_count()
        )
        model = self.settings.model
        if Path(model).expanduser().exists():
            model = str(Path(model).expanduser())
        started = time.perf_counter()
        try:
            self._model = WhisperModel(model, device=self.device, compute_type=self.compute_type)
        except Exception as exc:  # hub errors, missing files, bad compute type: all fatal
            raise TranscribeError(
                f"cannot load Whisper model {self.settings.model!r} on {self.device} "
                f"({type(exc).__name__}: {exc}); give whisper.model as a model name that can be "
                "downloaded, or the path of a local CTranslate2 model folder"
            ) from None
        log.info(
            "yt2doc: Whisper model %s on %s (%s), loaded in %.1f s",
            self.settings.model,
            self.device,
            self.compute_type,
            time.perf_counter() - started,
        )
        return self._model

    def transcribe(self, audio: Path, *, language: str | None = None) -> Transcript:
        """Transcribe a whole file; the language given beats the settings' one."""
        model = self._load()
        language = language or self.settings.language
        try:
            segments, info = model.transcribe(
                str(audio),
                language=language,
                beam_size=self.settings.beam_size,
                word_timestamps=True,
                vad_filter=self.settings.vad,
                condition_on_previous_text=False,  # avoids Whisper's repetition loops on talks
            )
            kept = tuple(_segment(s) for s in segments if s.text.strip())
        except Exception as exc:  # PyAV decode errors and the like
            raise TranscribeError(f"cannot transcribe {audio.name}: {exc}") from None
        return Transcript(
            language=str(info.language),
            duration=round(float(info.duration), 2),
            segments=kept,
            settings=asdict(self.settings) | {"language": language},
            versions=_versions(),
        )


def _segment(segment: Any) -> Segment:
    words = tuple(
        Word(
            start=round(float(w.start), 2),
            end=round(float(w.end), 2),
            text=str(w.word),
            probability=round(float(w.probability), 3),
        )
        for w in (segment.words or [])
    )
    return Segment(
        start=round(float(segment.start), 2),
        end=round(float(segment.end), 2),
        text=str(segment.text).strip(),
        words=words,
    )
