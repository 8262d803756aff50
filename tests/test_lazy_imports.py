"""A build that only renders cached talks must not import the heavy libraries."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import build_site, copy_clip, write_site

HEAVY = [
    "faster_whisper", "ctranslate2", "wtpsplit", "transformers", "torch", "yt_dlp", "av", "ray",
    "pywhispercpp", "_pywhispercpp",
]  # fmt: skip
# The offline chapters' libraries: needed to make a talk's topics, not to render a cached one.
CHAPTERS = ["yake", "wordfreq", "snowballstemmer"]

_PROBE = """
import json, sys
from mkdocs.commands.build import build
from mkdocs.config import load_config
build(load_config(sys.argv[1]))
heavy = sorted({m.split(".")[0] for m in sys.modules} & set(json.loads(sys.argv[2])))
print(json.dumps(heavy))
"""


def test_cached_build_imports_no_heavy_module(tmp_path: Path, whisper_model: str) -> None:
    project = tmp_path / "p"
    copy_clip(1, project / "talk.wav")
    talks = {"talks": [{"url": "talk.wav", "title": "Cached"}]}
    whisper = {"model": whisper_model, "beam_size": 1}
    build_site(write_site(project, talks, whisper=whisper))  # transcribes, in this process
    cpp = {**whisper, "backend": "whisper.cpp"}  # a configured backend loads nothing either
    for transcribe, options in (("auto", whisper), ("never", whisper), ("auto", cpp)):
        config_file = write_site(project, talks, whisper=options, transcribe=transcribe)
        result = subprocess.run(
            [sys.executable, "-c", _PROBE, str(config_file), json.dumps(HEAVY + CHAPTERS)],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
            timeout=120,
        )
        assert json.loads(result.stdout.strip().splitlines()[-1]) == [], transcribe
        assert (project / "site" / "talks" / "cached" / "index.html").is_file()
