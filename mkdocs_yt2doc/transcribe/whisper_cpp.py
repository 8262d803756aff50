"""Speech -> `Transcript` with whisper.cpp (through pywhispercpp): `whisper.backend: whisper.cpp`.

The same record as the faster-whisper backend (`whisper.py`): segments, words with
timestamps (whisper.cpp's token timestamps, grouped into words), the language, the settings
and versions. The audio is decoded and its silence cut by the same code as there (PyAV and
Silero VAD from faster-whisper), so both backends hear the same speech. pywhispercpp is
imported when the first talk is transcribed, never before.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from ..records.settings import WhisperSettings
from ..records.transcript import Segment, Transcript, Word
from ..util.glossary import hotwords
from .coverage import Redecode, Window, cover, speech_chunks, windows
from .ggml_file import GgmlError, GgmlModel, read_ggml
from .whisper import LoadsOnce, TranscribeError, decode_speech, guard_segments, has_words

log = logging.getLogger("mkdocs.plugins.yt2doc")

CPP_HINT = 'install the whisper.cpp extra: pip install "mkdocs-yt2doc[whispercpp]"'
RATE = 16000


def cpu_count() -> int:
    """The CPUs this process may use (its affinity, where the system tells it)."""
    with contextlib.suppress(AttributeError):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


class CppTranscriber(LoadsOnce):
    """Holds one whisper.cpp context for the whole run (one per Ray worker); loads it on first
    use. Interface as `transcribe.Transcriber`."""

    def __init__(self, settings: WhisperSettings) -> None:
        self.settings = settings
        self._ggml: GgmlModel | None = None
        self.device = ""
        self.threads = 0

    def _load_model(self) -> Any:
        try:
            import _pywhispercpp as pw
            from pywhispercpp.model import Model
        except ImportError as exc:
            raise TranscribeError(f"pywhispercpp is missing ({exc}); {CPP_HINT}") from None
        path = self._model_file()
        try:
            self._ggml = read_ggml(path)
        except (GgmlError, OSError) as exc:
            raise TranscribeError(
                f"whisper.model {str(path)!r} is not a whole whisper.cpp model: {exc}; give the "
                "path of a ggml model file (ggml-*.bin) or a model name such as large-v3-turbo"
            ) from None
        self.threads = self.settings.cpu_threads or cpu_count()
        beam = self.settings.beam_size > 1
        started = time.perf_counter()
        with _whisper_log(pw) as errors:
            model: Any = Model(
                str(path),
                params_sampling_strategy=1 if beam else 0,
                context_params={"use_gpu": self.settings.device != "cpu"},
                n_threads=self.threads,
                print_progress=False,
                print_realtime=False,
                print_timestamps=False,
                token_timestamps=True,
                # the faster-whisper backend's guards against loops and invented text
                no_context=True,
                entropy_thold=2.4,
                logprob_thold=-1.0,
                no_speech_thold=0.6,
                suppress_nst=True,
                **({"beam_search": {"beam_size": self.settings.beam_size, "patience": -1.0}}
                   if beam else {"greedy": {"best_of": 5}}),
            )  # fmt: skip
        if any("failed to load" in line for line in errors):
            model._ctx = None  # whisper.cpp returned no context: never touch it
            raise TranscribeError(f"whisper.cpp cannot load {path}: {errors[0]}")
        self.device = "whisper.cpp " + ("GPU" if self.settings.device != "cpu" else "CPU")
        log.info(
            "yt2doc: whisper.cpp model %s (%d threads), loaded in %.1f s",
            path.name, self.threads, time.perf_counter() - started,
        )  # fmt: skip
        return model

    def _model_file(self) -> Path:
        """The ggml file `whisper.model` names: a path, or a model name pywhispercpp fetches."""
        given = self.settings.model
        path = Path(given).expanduser()
        if path.is_dir():
            raise TranscribeError(
                f"whisper.model {given!r} is a folder (a faster-whisper model?); whisper.cpp "
                "needs a ggml model file (ggml-*.bin) or a model name such as large-v3-turbo"
            )
        if path.is_file():
            return path
        from pywhispercpp import constants, utils

        if given not in constants.AVAILABLE_MODELS:
            what = "does not exist" if ("/" in given or given.endswith(".bin")) else "is unknown"
            names = ", ".join(n for n in constants.AVAILABLE_MODELS if "-q" not in n)
            raise TranscribeError(
                f"whisper.cpp model {given!r} {what}: give the path of a ggml model file or one "
                f"of pywhispercpp's model names ({names}; -q5_0, -q8_0 ... for quantized ones)"
            )
        stored = Path(constants.MODELS_DIR) / f"ggml-{given}.bin"
        if stored.is_file():
            return stored
        log.info("yt2doc: downloading whisper.cpp model %s into %s", given, stored.parent)
        try:
            found = utils.download_model(given, str(stored.parent))
            read_ggml(Path(found))
        except Exception as exc:  # no network (requests), an error page instead of a model
            if stored.is_file():  # an error page or a cut download: not a model to keep
                stored.unlink()
            raise TranscribeError(
                f"cannot download whisper.cpp model {given!r} ({type(exc).__name__}: {exc}); "
                "without a network, give whisper.model as the path of a ggml model file"
            ) from None
        return Path(found)

    def transcribe(
        self,
        audio: Path,
        *,
        language: str | None = None,
        prompt: str | None = None,
        glossary: Sequence[str] = (),
    ) -> Transcript:
        """As `Transcriber.transcribe`: the glossary's terms are a prompt on every window (what
        faster-whisper does with hotwords), the talk's prompt on the first."""
        model = self._load()
        assert self._ggml is not None
        sent, left_out = hotwords(glossary, self._ggml.token_count)
        language = language or self.settings.language
        samples = decode_speech(audio)
        speech, ts_map = self._speech(samples)
        options = self.options(language, prompt, sent)
        segments: list[Segment] = []
        detected = options["language"]
        try:
            import _pywhispercpp as pw

            if len(speech):
                with _whisper_log(pw):
                    model.transcribe(speech, **options)
                segments = list(_segments(model, ts_map))
                detected = pw.whisper_lang_str(pw.whisper_full_lang_id(model._ctx))
            covered = cover(segments, windows(speech_chunks(samples)),
                            self.redecoder(samples, options))  # fmt: skip
        except Exception as exc:
            raise TranscribeError(f"cannot transcribe {audio.name}: {exc}") from None
        return Transcript(
            language=str(detected if detected != "auto" else "en"),
            duration=round(len(samples) / RATE, 2),
            segments=tuple(guard_segments(covered.segments)),
            lost=covered.lost,
            settings={
                **self.settings.produced_by(),
                "language": language,
                **({"glossary": list(glossary)} if glossary else {}),
                **({"glossary_left_out": left_out} if left_out else {}),
            },
            versions=_versions(),
        )

    def options(self, language: str | None, prompt: str | None, sent: str) -> dict[str, Any]:
        """whisper.cpp's options for a talk (`sent`: the glossary's terms that fit)."""
        assert self._ggml is not None
        text_prompt = " ".join(
            p for p in ((prompt or "") if self.settings.prompt else "", sent) if p
        )
        options: dict[str, Any] = {
            "language": language if self._ggml.multilingual and language else "auto",
            "initial_prompt": text_prompt,  # params stay set: "" clears the last talk's
            "carry_initial_prompt": bool(sent),
        }
        if not self._ggml.multilingual:
            options["language"] = "en"
        return options

    def redecoder(self, samples: Any, options: dict[str, Any]) -> Redecode:
        """A window's speech decoded again on its own: first with the talk's prompt and
        glossary, then without them."""
        tries = [options]
        if options["initial_prompt"]:
            tries.append({**options, "initial_prompt": "", "carry_initial_prompt": False})

        def redecode(window: Window, attempt: int) -> list[Segment] | None:
            import _pywhispercpp as pw
            import numpy as np
            from faster_whisper.vad import SpeechTimestampsMap

            if attempt >= len(tries):
                return None
            chunks = [{"start": int(s * RATE), "end": int(e * RATE)} for s, e in window.voiced]
            speech = np.concatenate([samples[c["start"] : c["end"]] for c in chunks])
            with _whisper_log(pw):
                self._model.transcribe(speech.astype(np.float32), **tries[attempt])
            return list(_segments(self._model, SpeechTimestampsMap(chunks, RATE)))

        return redecode

    def _speech(self, samples: Any) -> tuple[Any, Any]:
        """The speech of the audio (Silero VAD, as faster-whisper's sequential mode does), and
        the map from its times back to the recording's."""
        import numpy as np
        from faster_whisper.vad import SpeechTimestampsMap, VadOptions, get_speech_timestamps

        if not self.settings.vad:
            chunks = [{"start": 0, "end": len(samples)}]
        else:
            chunks = get_speech_timestamps(samples, VadOptions())
        speech = np.concatenate([samples[c["start"] : c["end"]] for c in chunks] or [[]])
        return speech.astype(np.float32), SpeechTimestampsMap(chunks, RATE)


def _segments(model: Any, ts_map: Any) -> Iterator[Segment]:
    import _pywhispercpp as pw

    ctx = model._ctx
    eot = pw.whisper_token_eot(ctx)
    for i in range(pw.whisper_full_n_segments(ctx)):
        pieces = []  # (bytes, start, end, probability) of the segment's text tokens
        for j in range(pw.whisper_full_n_tokens(ctx, i)):
            token = pw.whisper_full_get_token_data(ctx, i, j)
            if token.id < eot:  # not a timestamp or special token
                text = pw.whisper_token_to_bytes(ctx, token.id)
                pieces.append((text, token.t0 / 100, token.t1 / 100, float(token.p)))
        words = tuple(_words(pieces, ts_map))
        text = pw.whisper_full_get_segment_text(ctx, i).decode("utf-8", errors="replace")
        segment = Segment(
            start=words[0].start if words else 0.0,
            end=words[-1].end if words else 0.0,
            text=text.strip(),
            words=words,
        )
        if has_words(segment) and words:
            yield segment


def _words(pieces: list[tuple[bytes, float, float, float]], ts_map: Any) -> Iterator[Word]:
    """Tokens -> words: a word starts at a token that starts with a space."""
    groups: list[list[tuple[bytes, float, float, float]]] = []
    for piece in pieces:
        if not groups or piece[0].startswith(b" "):
            groups.append([])
        groups[-1].append(piece)
    for group in groups:
        text = b"".join(p[0] for p in group).decode("utf-8", errors="replace")
        if not text.strip():
            continue
        start, end = group[0][1], max(group[-1][2], group[0][1])
        chunk = ts_map.get_chunk_index((start + end) / 2)  # both ends in the same speech chunk
        yield Word(
            start=round(ts_map.get_original_time(start, chunk), 2),
            end=round(ts_map.get_original_time(end, chunk), 2),
            text=text,
            probability=round(sum(p[3] for p in group) / len(group), 3),
        )


@contextlib.contextmanager
def _whisper_log(pw: Any) -> Iterator[list[str]]:
    """whisper.cpp's own log while it loads or decodes: its errors kept for our message, the
    rest at debug level (not on stderr, through the progress bars). Its default logger is
    put back after, so that no Python callback outlives the call (or the interpreter)."""
    errors: list[str] = []

    def forward(level: int, text: str, *_: Any) -> None:
        if level == 4:  # GGML_LOG_LEVEL_ERROR
            errors.append(text.strip())
        log.debug("whisper.cpp: %s", text.rstrip())

    pw.whisper_log_set(forward)
    try:
        yield errors
    finally:
        pw.whisper_log_set(None)


def _versions() -> dict[str, str]:
    from importlib import metadata

    found = {}
    for name in ("pywhispercpp", "faster-whisper"):  # faster-whisper: the VAD and decoding
        with contextlib.suppress(metadata.PackageNotFoundError):
            found[name] = metadata.version(name)
    return found
