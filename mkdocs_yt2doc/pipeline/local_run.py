"""The local executor: talks downloaded and transcribed here, one after another, the next
talk's download running while this one is transcribed."""

from __future__ import annotations

import logging
import shutil
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ..records.errors import Yt2DocError
from ..records.job import Job, Progress
from ..sources.ytdlp import download_audio
from ..util.timecode import format_timecode
from .record import Recorder
from .stages import Stages, TalkResult

log = logging.getLogger("mkdocs.plugins.yt2doc")

LONG_HOURS = 12  # longer than any talk: a live stream, a channel's day, or wrong metadata


class LocalExecutor:
    def __init__(self, stages: Stages) -> None:
        self.stages = stages

    def process(self, recorder: Recorder, jobs: list[Job], progress: Progress | None) -> None:
        for job in jobs:
            if progress:
                progress(job, "queued")
        with tempfile.TemporaryDirectory(prefix="yt2doc-") as folder:
            pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="yt2doc-download")

            try:
                upcoming = pool.submit(_fetch_audio, recorder, jobs[0], Path(folder) / "0")
                for index, job in enumerate(jobs):
                    current = upcoming
                    if index + 1 < len(jobs):
                        upcoming = pool.submit(
                            _fetch_audio, recorder, jobs[index + 1], Path(folder) / str(index + 1)
                        )
                    if progress:
                        progress(job, "start")
                    started = time.perf_counter()
                    try:
                        self._transcribe(recorder, job, current.result())
                    except Yt2DocError as exc:
                        job.problem, job.failed = str(exc), True
                    finally:
                        shutil.rmtree(Path(folder) / str(index), ignore_errors=True)
                    job.seconds = time.perf_counter() - started
                    if progress:
                        progress(job, "done")
            finally:
                # On Ctrl-C: drop queued downloads; finished talks are already stored.
                pool.shutdown(wait=False, cancel_futures=True)

    def _transcribe(self, recorder: Recorder, job: Job, audio: Path) -> None:
        started = time.perf_counter()
        transcript = self.stages.transcribe(recorder.task(job), audio)
        recorder.record(job, TalkResult(transcript.to_json()))  # the structure is made there
        taken = time.perf_counter() - started
        log.info(
            "yt2doc: %s: %.0f s of audio in %.1f s (%.1fx realtime)",
            job.label,
            transcript.duration,
            taken,
            transcript.duration / taken if taken else 0.0,
        )


def _fetch_audio(recorder: Recorder, job: Job, folder: Path) -> Path:
    if job.talk.local_path is not None:
        return job.talk.local_path
    assert job.media
    folder.mkdir(parents=True, exist_ok=True)
    duration = job.media.duration or 0.0
    if duration > LONG_HOURS * 3600:
        log.warning(
            "yt2doc: %s is %s long by its source's metadata; is it a live stream or the "
            "wrong URL? It is transcribed anyway, which takes long",
            job.label, format_timecode(duration),
        )  # fmt: skip
    log.info("yt2doc: downloading %s", job.label)
    recorder.counts["downloads"] += 1
    return download_audio(job.media, folder)
