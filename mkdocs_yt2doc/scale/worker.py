"""The worker's side of `prefetch --ray`: `TalkWorker`, the Ray actor that processes talks.

Each worker holds one `Stages` (one loaded Whisper model, SaT, an LLM client) for all its
talks. It downloads a talk's audio, transcribes it, makes its paragraphs and chapters, and
sends back a `Reply` with the cache files' contents and its log lines. It never touches the
cache: the driver stores each reply (`schedule.py`, through `Recorder.record`).

Nothing here imports ray at module level; `cluster.py` makes the class remote.
"""

from __future__ import annotations

import importlib
import logging
import os
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..pipeline.settings import PipelineSettings
from ..pipeline.stages import Stages, TalkResult, TalkTask
from ..records.errors import Yt2DocError
from ..sources.ytdlp import download_audio

log = logging.getLogger("mkdocs.plugins.yt2doc")


@dataclass
class Reply:
    """A worker's answer for one talk (pickled back to the driver)."""

    result: TalkResult | None = None
    problem: str | None = None  # an expected failure (dead URL, undecodable audio, ...)
    seconds: float = 0.0  # download and processing on the worker, not waiting for its turn
    downloaded: bool = False
    log: list[tuple[int, str]] = field(default_factory=list)  # its log lines, for the driver


class _Capture(logging.Handler):
    """A worker's log lines for one talk: the records of the thread processing it."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.thread = threading.get_ident()
        self.lines: list[tuple[int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread == self.thread:
            self.lines.append((record.levelno, record.getMessage()))


class TalkWorker:
    """The Ray actor (made remote in `RayExecutor._start_actor`): one model, talks in turn.

    It runs `in_flight` calls on threads, so the next talk downloads while one is
    transcribed; the model takes one talk at a time, in the order they were sent.
    """

    def __init__(self, settings: PipelineSettings) -> None:
        self.stages = Stages(settings.whisper, settings.paragraphs, settings.llm)
        self._turns = threading.Condition()
        self._sent = 0  # tickets handed out, in arrival order
        self._serving = 0  # the ticket whose turn it is on the model
        self._doing: dict[str, str] = {}  # talk key -> downloading | transcribing
        logger = logging.getLogger("mkdocs.plugins.yt2doc")
        logger.setLevel(logging.INFO)
        logger.propagate = False  # the lines go back to the driver with the reply

    def where(self) -> tuple[str, int]:
        """(node address, process id): for the table, and for tests that kill a worker."""
        ray: Any = importlib.import_module("ray")  # on a worker, ray is there
        return str(ray.util.get_node_ip_address()), os.getpid()

    def doing(self) -> dict[str, str]:
        return dict(self._doing)

    def process(self, task: TalkTask, audio: bytes | None) -> Reply:
        started = time.perf_counter()
        capture = _Capture()
        logging.getLogger("mkdocs.plugins.yt2doc").addHandler(capture)
        reply = Reply()
        with self._turns:
            ticket, self._sent = self._sent, self._sent + 1
        try:
            with tempfile.TemporaryDirectory(prefix="yt2doc-") as folder:
                self._doing[task.key] = "downloading"
                path = self._audio(task, audio, Path(folder))
                reply.downloaded = audio is None
                waited = time.perf_counter()
                with self._turns:
                    self._turns.wait_for(lambda: self._serving == ticket)
                started += time.perf_counter() - waited  # queueing is not the talk's time
                self._doing[task.key] = "transcribing"
                reply.result = self.stages.process(task, path)
        except Yt2DocError as exc:
            reply.problem = str(exc)
        finally:
            with self._turns:  # the next talk's turn, also after a failed download
                self._turns.wait_for(lambda: self._serving == ticket)
                self._serving += 1
                self._turns.notify_all()
            self._doing.pop(task.key, None)
            logging.getLogger("mkdocs.plugins.yt2doc").removeHandler(capture)
        reply.seconds = time.perf_counter() - started
        reply.log = capture.lines
        return reply

    @staticmethod
    def _audio(task: TalkTask, audio: bytes | None, folder: Path) -> Path:
        if audio is not None:  # a local file: the driver sent its bytes
            path = folder / f"audio{Path(task.media.id).suffix}"
            path.write_bytes(audio)
            return path
        log.info("yt2doc: downloading %s", task.label)
        return download_audio(task.media, folder)
