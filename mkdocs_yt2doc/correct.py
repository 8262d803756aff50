"""`mkdocs-yt2doc correct SLUG`: a talk's corrections file, written from what its page shows,
for a person to edit (see `corrections`), and the file as it was written, kept in the cache
(`corrected_from.json`) so that what a person edited is known after any new transcript."""

from __future__ import annotations

import dataclasses
from typing import TextIO

from .archive.corrected import corrections_file, corrections_path
from .archive.views import views
from .cache.store import CORRECTED_FROM, TRANSCRIPT, StoreError, write_text
from .pipeline.run import Pipeline
from .pipeline.settings import PipelineSettings
from .records.errors import Yt2DocError
from .records.transcript import Transcript


def correct(settings: PipelineSettings, talks_path: str, talks_name: str, slug: str,
            out: TextIO) -> int:  # fmt: skip
    from pathlib import Path

    folder = settings.corrections_dir
    assert folder is not None
    pipeline = Pipeline(dataclasses.replace(settings, read_only=True))
    jobs = pipeline.run(settings.load_catalog(Path(talks_path), talks_name))
    job = next((j for j in jobs if j.slug == slug), None)
    if job is None:
        known = ", ".join(j.slug for j in jobs) or "none"
        raise Yt2DocError(f"no talk has the page '{slug}' (the talks: {known})")
    if job.document is None or job.key is None:
        raise Yt2DocError(f"{job.label} has no transcript yet: {job.problem}")
    path = corrections_path(folder, slug)
    if path.exists():
        raise Yt2DocError(f"{path} exists already: edit it (or delete it to start again)")
    raw = pipeline.store.read(job.key, TRANSCRIPT)
    if raw is None:
        raise Yt2DocError(f"{job.label}: the cache has no transcript.json")
    transcript = Transcript.from_json(raw)
    [view] = views([job], pipeline.store)  # what the page shows now (replacements applied)
    assert view.document is not None
    text, base = corrections_file(
        view.document, view.title, transcript, transcript.duration or None
    )
    # the file first: the cache write after it is what a running `mkdocs serve` sees (it
    # watches the cache), and its rebuild then watches the new corrections folder too
    try:
        write_text(path, text)
        try:
            with pipeline.store.lock():
                pipeline.store.write(job.key, CORRECTED_FROM, base)
        except (OSError, StoreError):
            path.unlink(missing_ok=True)  # just written, nobody has edited it
            raise
    except (OSError, StoreError) as exc:
        raise Yt2DocError(f"cannot write the corrections of {job.label}: {exc}") from None
    out.write(
        f"{path}: edit the words, markers ([m:ss] starts a paragraph), headings (## starts a "
        "chapter) and the summary; the next build shows them. Commit it with the cache.\n"
    )
    return 0
