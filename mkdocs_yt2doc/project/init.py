"""`mkdocs-yt2doc init [DIR] [--generator mkdocs|zensical]`: a project that builds at once.

Every file is created, never replaced (one that exists is named as skipped). The example
talk's cache entries are made here from its caption file, as `prefetch` would: no model and
no optional library is needed, so `mkdocs build --strict` passes offline right after.
"""

from __future__ import annotations

import dataclasses
import io
import logging
import math
import os
import struct
import wave
from pathlib import Path
from typing import TextIO

from ..pipeline.run import Pipeline
from ..publish import load_site
from ..records.errors import Yt2DocError
from . import templates as t
from .config_file import site_settings

log = logging.getLogger("mkdocs.plugins.yt2doc")
GENERATORS = ("mkdocs", "zensical")


def example_wav(seconds: int = t.EXAMPLE_SECONDS, rate: int = 8000) -> bytes:
    """A quiet 220 Hz tone, fading in and out each second (so the player has something)."""
    frames = bytearray()
    for n in range(seconds * rate):
        swell = math.sin(math.pi * (n % rate) / rate)
        frames += struct.pack("<h", int(1500 * swell * math.sin(2 * math.pi * 220 * n / rate)))
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(bytes(frames))
    return buffer.getvalue()


def project_files(generator: str) -> dict[str, str | bytes]:
    """Each file of a new project, by its path in the project."""
    common: dict[str, str | bytes] = {
        "talks.yml": t.TALKS_YML,
        "docs/index.md": t.INDEX_MD,
        t.EXAMPLE_CAPTIONS: t.CAPTIONS_VTT,
        t.EXAMPLE_MEDIA: example_wav(),
    }
    if generator == "zensical":
        return {
            "zensical.toml": t.ZENSICAL_TOML,
            "yt2doc.yml": t.YT2DOC_YML,
            **common,
            ".gitignore": t.GITIGNORE_ZENSICAL,
            t.WORKFLOW: t.WORKFLOW_ZENSICAL,
        }
    return {
        "mkdocs.yml": t.MKDOCS_YML,
        **common,
        ".gitignore": t.GITIGNORE,
        t.WORKFLOW: t.WORKFLOW_MKDOCS,
    }


def _create(root: Path, name: str, content: str | bytes) -> bool:
    """Write a new file; False when something (a file, a folder, a link) is there already."""
    path = root / name
    if os.path.lexists(path):
        return False
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        data = content.encode("utf-8") if isinstance(content, str) else content
        with open(path, "xb") as handle:  # exclusive: never over a file made meanwhile
            handle.write(data)
    except FileExistsError:
        return False
    except OSError as exc:
        raise Yt2DocError(f"cannot write {path}: {exc.strerror or exc}") from None
    return True


def cache_example(config: Path) -> int:
    """The example talk's transcript, paragraphs and document, from its caption file (what
    `prefetch` does, with captions as the only source: no Whisper, no SaT). The number of
    talks left without a document."""
    settings, talks, name = site_settings(load_site(str(config)))
    settings = dataclasses.replace(
        settings,
        transcribe="auto",
        transcript_from=("captions",),
        paragraphs=dataclasses.replace(settings.paragraphs, sat_model=None),
    )
    jobs = Pipeline(settings).run(settings.load_catalog(talks, name))
    return sum(1 for job in jobs if job.document is None)


def init(folder: str, generator: str, out: TextIO) -> int:
    root = Path(folder)
    if root.exists() and not root.is_dir():
        raise Yt2DocError(f"{folder} is a file, not a folder")
    files = project_files(generator)
    written: list[str] = []
    skipped: list[str] = []
    for name, content in files.items():
        (written if _create(root, name, content) else skipped).append(name)
    for name in written:
        out.write(f"  wrote   {name}\n")
    for name in skipped:
        out.write(f"  skipped {name} (it exists; init never replaces a file)\n")
    config = root / ("zensical.toml" if generator == "zensical" else "mkdocs.yml")
    if "talks.yml" in written and config.name in written:
        left = cache_example(config)
        if left:
            raise Yt2DocError("the example talk was not cached (see the warnings above)")
        out.write("  cached  the example talk in .yt2doc/ (from its caption file)\n")
    elif skipped:
        out.write("  (your talks.yml or configuration was kept: the example talk is not cached)\n")
    build = "mkdocs-yt2doc build" if generator == "zensical" else "mkdocs serve  (or mkdocs build)"
    where = "" if root.resolve() == Path.cwd().resolve() else f"cd {folder} && "
    out.write(
        f"\nNext: {where}{build}\n"
        "Add talks to talks.yml, run `mkdocs-yt2doc prefetch` where Whisper runs, commit "
        f"everything (.yt2doc/ too), and {t.WORKFLOW} publishes the site on GitHub Pages.\n"
    )
    return 0
