"""Speech -> `Transcript` with faster-whisper: device choice, one model per run, word timestamps.

faster_whisper and ctranslate2 are imported when the first talk is transcribed, never before.
The whisper.cpp backend (`whisper_cpp.py`) makes the same records; `backend.make_transcriber`
picks the one `whisper.backend` names.
"""

from __future__ import annotations

import contextlib
import logging
import re
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from ..records.errors import Yt2DocError
from ..records.settings import WhisperSettings
from ..records.transcript import Segment, Transcript, Word
from ..util.glossary import hotwords
from .coverage import RATE, Redecode, Window, cover, shifted, speech_chunks, windows

log = logging.getLogger("mkdocs.plugins.yt2doc")

INSTALL_HINT = 'install the transcription extra: pip install "mkdocs-yt2doc[transcribe]"'


class TranscribeError(Yt2DocError):
    """The model could not be loaded or the audio could not be transcribed."""


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
    from importlib import metadata  # 40 ms: not at plugin import

    for name in ("faster-whisper", "ctranslate2"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            found[name] = metadata.version(name)
    return found


class LoadsOnce:
    """A backend that loads its model on first use, once: a failure is kept and raised again
    (one clear error, not one model load per talk)."""

    _model: Any = None
    _failure: TranscribeError | None = None

    def _load(self) -> Any:
        if self._model is not None:
            return self._model
        if self._failure is not None:
            raise self._failure
        try:
            self._model = self._load_model()
        except TranscribeError as exc:
            self._failure = exc
            raise
        return self._model

    def _load_model(self) -> Any:
        raise NotImplementedError


class Transcriber(LoadsOnce):
    """Holds one Whisper model for the whole build or prefetch run; loads it on first use."""

    def __init__(self, settings: WhisperSettings) -> None:
        self.settings = settings
        self._batched: Any = None
        self.device = ""
        self.compute_type = ""
        self.batch_size = 0

    def _load_model(self) -> Any:
        try:
            import ctranslate2
            from faster_whisper import BatchedInferencePipeline, WhisperModel
        except ImportError as exc:
            raise TranscribeError(f"faster-whisper is missing ({exc}); {INSTALL_HINT}") from None
        self.device, self.compute_type = choose_device(
            self.settings.device, self.settings.compute_type, ctranslate2.get_cuda_device_count()
        )
        self.batch_size = choose_batch_size(self.settings.batch_size, self.device)
        model_name = self.settings.model
        if Path(model_name).expanduser().exists():
            model_name = str(Path(model_name).expanduser())
        started = time.perf_counter()
        try:
            model = WhisperModel(
                model_name,
                device=self.device,
                compute_type=self.compute_type,
                cpu_threads=self.settings.cpu_threads,
            )
        except Exception as exc:  # hub errors, missing files, bad compute type: all fatal
            raise TranscribeError(
                f"cannot load Whisper model {self.settings.model!r} on {self.device} "
                f"({type(exc).__name__}: {exc}); give whisper.model as a model name that can be "
                "downloaded, or the path of a local CTranslate2 model folder"
            ) from None
        if self.batch_size > 1:
            self._batched = BatchedInferencePipeline(model)
        log.info(
            "yt2doc: Whisper %s on %s (%s, %s), loaded in %.1f s",
            self.settings.model,
            self.device,
            self.compute_type,
            f"batches of {self.batch_size}" if self.batch_size > 1 else "sequential",
            time.perf_counter() - started,
        )
        return model

    def transcribe(
        self,
        audio: Path,
        *,
        language: str | None = None,
        prompt: str | None = None,
        glossary: Sequence[str] = (),
    ) -> Transcript:
        """Transcribe a whole file; the talk's language beats the settings' one. The glossary's
        terms go to Whisper as hotwords, as many whole terms as its window holds."""
        model = self._load()
        sent, left_out = hotwords(glossary, self._token_count)

        language = language or self.settings.language
        samples = decode_speech(audio)
        options = self.options(language, prompt, sent)
        try:
            if self._batched is not None:
                if not self.settings.vad:  # batches need clips: fixed 30 s windows
                    options["clip_timestamps"] = _fixed_clips(len(samples))
                segments, info = self._batched.transcribe(
                    samples, batch_size=self.batch_size, **options
                )
            else:
                segments, info = model.transcribe(
                    samples, hallucination_silence_threshold=2.0, **options
                )
            kept = [s for s in map(_segment, segments) if has_words(s)]
            covered = cover(kept, windows(speech_chunks(samples)), self.redecoder(samples, options))
        except Exception as exc:
            raise TranscribeError(f"cannot transcribe {audio.name}: {exc}") from None
        return Transcript(
            language=str(info.language),
            duration=round(float(info.duration), 2),
            segments=tuple(guard_segments(covered.segments)),
            lost=covered.lost,
            settings={
                "source": "whisper",
                **self.settings.produced_by(),
                "language": language,
                **({"glossary": list(glossary)} if glossary else {}),
                **({"glossary_left_out": left_out} if left_out else {}),
            },
            versions=_versions(),
        )

    def options(self, language: str | None, prompt: str | None, sent: str) -> dict[str, Any]:
        """faster-whisper's options for a talk (`sent`: the hotwords that fit)."""
        options: dict[str, Any] = {
            "language": language,
            "beam_size": self.settings.beam_size,
            "word_timestamps": True,
            "vad_filter": self.settings.vad,
            "initial_prompt": (prompt or None) if self.settings.prompt else None,
            # Whisper's known failure modes on long talks: repetition loops feed on the
            # previous text, and it invents text in long silences.
            "condition_on_previous_text": False,
            "compression_ratio_threshold": 2.4,
            "log_prob_threshold": -1.0,
            "no_speech_threshold": 0.6,
            "hotwords": sent or None,
        }
        if self._batched is not None and (options["hotwords"] or options["initial_prompt"]):
            # Without timestamp tokens (the batched default) a prompt lets Whisper skip the
            # first sentences of a window and still score well: 14 s of names went (issue 27).
            options["without_timestamps"] = False
        return options

    def redecoder(self, samples: Any, options: dict[str, Any]) -> Redecode:
        """A window decoded again on its own, sequentially (with timestamps and temperature
        fallback): first with the talk's hotwords and prompt, then without them."""
        tries = [options]
        if options["hotwords"] or options["initial_prompt"]:
            tries.append({**options, "hotwords": None, "initial_prompt": None})

        def redecode(window: Window, attempt: int) -> list[Segment] | None:
            if attempt >= len(tries):
                return None
            given = {k: v for k, v in tries[attempt].items() if k != "clip_timestamps"}
            given["without_timestamps"] = False
            clip = samples[int(window.start * RATE) : int(window.end * RATE)]
            found, _ = self._model.transcribe(clip, hallucination_silence_threshold=2.0, **given)
            return [shifted(s, window.start) for s in map(_segment, found) if has_words(s)]

        return redecode

    def _token_count(self, text: str) -> int:
        return len(self._model.hf_tokenizer.encode(text, add_special_tokens=False).ids)


def decode_speech(audio: Path) -> Any:
    """The file's audio as 16 kHz mono float32 samples (PyAV, through faster-whisper)."""
    try:
        from faster_whisper.audio import decode_audio
    except ImportError as exc:
        raise TranscribeError(f"faster-whisper is missing ({exc}); {INSTALL_HINT}") from None
    try:
        # Decoded once here; faster-whisper would otherwise decode the file itself.
        samples = decode_audio(str(audio))
    except Exception as exc:  # PyAV: not audio, corrupt, empty
        raise TranscribeError(f"cannot decode the audio of {audio.name}: {exc}") from None
    if samples.size == 0:
        raise TranscribeError(f"{audio.name} contains no audio")
    return samples


def choose_batch_size(requested: int | None, device: str) -> int:
    """Batched by default: 16 on a GPU; 8 on a CPU, where bench/transcribe.py measured it
    2.2x faster than sequential on 2 cores, with a lower word error rate."""
    if requested is None:
        return 16 if device == "cuda" else 8
    return max(0, requested)


def _fixed_clips(samples: int, rate: int = 16000, seconds: int = 30) -> list[dict[str, int]]:
    step = rate * seconds
    return [{"start": i, "end": min(i + step, samples)} for i in range(0, samples, step)]


_PROMPT_NOISE = [
    re.compile(r"https?://\S+|www\.\S+"),  # URLs
    re.compile(r"\S+@\S+\.\w+"),  # e-mail addresses
    re.compile(r"#\w+"),  # hashtags
    re.compile(r"\b\d{1,2}:\d{2}(?::\d{2})?\b"),  # timestamps of description chapter lists
]
PROMPT_CHARS = 600  # about 150 tokens, inside Whisper's 223-token prompt window


def initial_prompt(title: str | None, description: str | None, chapters: list[str]) -> str:
    """Names and terms the talk is likely to use, so Whisper spells them right (bounded)."""
    parts = [title or "", ". ".join(chapters), description or ""]
    sentences = []
    for part in parts:
        for pattern in _PROMPT_NOISE:
            part = pattern.sub(" ", part)
        part = " ".join(part.split()).strip(" .")
        if part:
            sentences.append(part + ".")  # a prompt of whole sentences derails Whisper less
    text = " ".join(sentences)
    if len(text) > PROMPT_CHARS:
        text = text[:PROMPT_CHARS].rsplit(" ", 1)[0]
    return text


def has_words(segment: Segment) -> bool:
    return any(ch.isalnum() for ch in segment.text)  # "." alone is a silence artefact


def guard_segments(segments: Iterable[Segment], max_repeats: int = 2) -> Iterator[Segment]:
    """Drop a segment repeated more than `max_repeats` times in a row (a repetition loop)."""
    last, repeats = "", 0
    for segment in segments:
        key = " ".join(segment.text.lower().split())
        repeats = repeats + 1 if key == last else 1
        last = key
        if repeats <= max_repeats:
            yield segment
        elif repeats == max_repeats + 1:
            log.info("yt2doc: dropped a repeated segment at %.0f s: %r", segment.start, key[:60])


def _segment(segment: Any) -> Segment:
    if segment.no_speech_prob > 0.6 and segment.avg_logprob < -1.0:  # batched mode keeps these
        return Segment(float(segment.start), float(segment.end), "", ())
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
