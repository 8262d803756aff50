"""`mkdocs-yt2doc status`: what the cache holds for each talk, and whether it was made with
the settings the talk has now (its own, talks.yml's defaults, then mkdocs.yml's)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from .pipeline.run import Pipeline
from .pipeline.settings import PipelineSettings
from .records.job import Job
from .util.spans import part_duration
from .util.timecode import format_timecode, lost_text


def table(rows: Sequence[Sequence[str]], out: TextIO) -> None:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for index, row in enumerate(rows):
        out.write("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
        out.write("\n")
        if index == 0:
            out.write("  ".join("-" * w for w in widths) + "\n")


def talk_state(
    job: Job, current: dict[str, Any], failures: dict[str, Any], llm: dict[str, Any] | None = None
) -> tuple[str, str]:
    """(state, detail) for `status`; `current`: mkdocs.yml's Whisper settings, which the
    talk's own `language:` (or talks.yml's default one) overrides, as when it is transcribed.
    A transcript made from captions is compared with its caption file only."""
    if job.failed or (job.document is None and job.ident in failures):
        reason = job.problem if job.failed else failures[job.ident]["reason"]
        return "failed", str(reason)
    if job.document is None and not job.document_stale:
        return "uncached", ""
    produced = dict(job.transcript_settings or {})
    whisper = produced.get("source", "whisper") == "whisper"  # not made from captions
    if job.transcript_settings is not None and whisper:
        # transcripts made before whisper.backend existed are faster-whisper's
        produced.setdefault("backend", "faster-whisper")
    current = {**current, "language": job.talk.language or current.get("language")}
    changed = sorted(k for k in current if whisper and k in produced and produced[k] != current[k])
    if changed:
        detail = ", ".join(f"{k}: {produced[k]!r} -> {current[k]!r}" for k in changed)
        return "other settings", detail + " (prefetch --refresh to redo)"
    if produced.get("source") == "captions-file" and produced.get("file") != job.talk.captions:
        detail = f"transcribed from {produced.get('file')}, talks.yml names {job.talk.captions}"
        return "other settings", detail + " (prefetch --refresh to redo)"
    heard = list(produced.get("glossary") or [])  # captions heard no glossary
    if job.transcript_settings is not None and whisper and heard != list(job.talk.glossary):
        known = {t for t in heard if isinstance(t, str)}
        added = [t for t in job.talk.glossary if t not in known]
        detail = f"glossary terms added: {', '.join(added)}" if added else "glossary changed"
        return "other settings", f"transcribed without the current glossary ({detail}; " + (
            "prefetch --refresh to redo)"
        )
    chapters = job.topics_settings or {}
    if llm and chapters.get("model") and chapters["model"] != llm.get("model"):
        detail = f"chapters by LLM {chapters['model']!r}, now {llm['model']!r}"
        return "other settings", detail + " (prefetch --refresh-structure to redo)"
    if job.document_stale:
        return "cached", "document is rebuilt at the next build (chapters or its format changed)"
    return "cached", ""


def part_length(job: Job) -> float | None:
    """The talk's own length: its span's, for a talk cut from a longer recording."""
    recording = job.media.duration if job.media else None
    return part_duration(job.talk.start, job.talk.end, recording)


MAX_LISTED = 50  # a talk's unplaced paragraphs that `status` lists


def status(settings: PipelineSettings, talks_path: Path, talks_name: str, out: TextIO) -> int:
    pipeline = Pipeline(dataclasses.replace(settings, read_only=True))
    catalog = settings.load_catalog(talks_path, talks_name)
    jobs = pipeline.run(catalog)
    failures = pipeline.read_failures()
    current = settings.whisper.produced_by()
    rows = [("talk", "state", "duration", "detail")]
    counts: dict[str, int] = {}
    for job in jobs:
        state, detail = talk_state(job, current, failures, settings.llm.produced_by())
        lost = f"speech with no words at {lost_text(job.lost_speech)}" if job.lost_speech else ""
        detail = "; ".join(part for part in (detail, lost) if part)  # what the guard could not fill
        counts[state] = counts.get(state, 0) + 1
        duration = part_length(job)
        rows.append((job.slug, state, format_timecode(duration) if duration else "", detail))
    table(rows, out)
    out.write("\n" + ", ".join(f"{n} {state}" for state, n in counts.items()) + "\n")
    if counts.get("uncached"):
        out.write(
            "\nTo transcribe the uncached: `mkdocs-yt2doc prefetch`, then commit the cache "
            f"folder ({pipeline.cache_name()}).\n"
        )
    from .archive.views import views  # the corrections as a build lays them over the transcripts

    corrected = [v for v in views(jobs, pipeline.store, settings.corrections_dir) if v.checked]
    if corrected:
        out.write("\nCorrections by a person (corrections/<slug>.md):\n")
    for view in corrected:
        out.write(f"  {view.slug}: {view.edited} paragraph(s) edited, {len(view.unplaced)} "
                  "could not be placed\n")  # fmt: skip
        for lost in view.unplaced[:MAX_LISTED]:  # shown as written, at its marker
            out.write(f"    no speech in its time: {lost[:200]}\n")
        if len(view.unplaced) > MAX_LISTED:
            out.write(f"    and {len(view.unplaced) - MAX_LISTED} more\n")
    return 0
