"""`prefetch --ray ADDRESS`: the uncached talks fanned out over a Ray cluster.

Each worker is a Ray actor holding one Whisper model (`worker.TalkWorker`) for all its
talks; it sends back the cache files' contents and never touches the cache. The driver
schedules the talks (`schedule.Scheduler`, its workers in `pool.py`) and writes each
result with the pipeline's own code (`Recorder.record`: same files, same atomic writes, under
the same lock), so a site cannot tell how a talk was processed.

This module is the executor the command line builds (`RayExecutor`; its settings are
`records.settings.RaySettings`): it connects to the cluster, sizes and starts the workers.
ray is imported in these modules only, and the command line imports them only for --ray.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import logging
import math
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ..pipeline.record import Recorder
from ..records.errors import Yt2DocError
from ..records.job import Job, Progress
from ..records.settings import RaySettings
from .api import first_line
from .pool import Worker
from .schedule import RunStats, Scheduler
from .worker import Reply, TalkWorker

__all__ = [
    "INSTALL_HINT",
    "ClusterError",
    "RayExecutor",
    "Reply",
    "RunStats",
    "TalkWorker",
]

log = logging.getLogger("mkdocs.plugins.yt2doc")

INSTALL_HINT = 'install the Ray extra: pip install "mkdocs-yt2doc[transcribe,ray]"'


class ClusterError(Yt2DocError):
    """The Ray cluster cannot be reached or cannot run a worker."""


def _ray() -> Any:
    try:
        import ray
    except ImportError as exc:
        raise ClusterError(f"Ray is missing ({exc}); {INSTALL_HINT}") from None
    return ray


def _reachable(address: str, timeout: float = 10.0) -> None:
    """Fail fast on HOST:PORT and ray://HOST:PORT: ray.init retries a dead address for minutes."""
    host, _, port = address.removeprefix("ray://").rpartition(":")
    if not host or not port.isdigit():
        return  # auto, local: Ray finds (or starts) the cluster itself
    try:
        socket.create_connection((host, int(port)), timeout=timeout).close()
    except OSError as exc:
        raise ConnectionError(f"nothing answers at {host}:{port} ({exc})") from None


class RayExecutor:
    """Runs the pipeline's talks on Ray workers (see the module's text)."""

    def __init__(self, settings: RaySettings) -> None:
        if importlib.util.find_spec("ray") is None:  # say so now, not after the playlists
            raise ClusterError(f"Ray is not installed; {INSTALL_HINT}")
        self.settings = settings
        self.stats = RunStats()
        self.workers: list[Worker] = []  # those of the current run (tests kill them)
        self._ray: Any = None

    def process(self, recorder: Recorder, jobs: list[Job], progress: Progress | None) -> None:
        started = time.perf_counter()
        self.stats = RunStats(talks=len(jobs))
        self.workers = []
        with self._connected():
            count, gpus = self._worker_count(len(jobs))
            scheduler = Scheduler(
                self._ray,
                self.settings,
                recorder,
                lambda: self._start_actor(recorder, gpus),
                gpus=gpus,
                progress=progress,
            )
            self.stats, self.workers = scheduler.stats, scheduler.workers
            try:
                scheduler.run(jobs, count)
            finally:
                self.stats.wall_seconds = time.perf_counter() - started

    @contextmanager
    def _connected(self) -> Iterator[None]:
        ray = self._ray = _ray()
        if ray.is_initialized():  # a caller's own session (tests, notebooks): use it
            yield
            return
        os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # nothing leaves the cluster
        address = None if self.settings.address == "local" else self.settings.address
        try:
            _reachable(self.settings.address)
            ray.init(
                address=address,
                include_dashboard=False,
                log_to_driver=False,  # worker lines come back with each reply
                logging_level=logging.ERROR,
            )
        except Exception as exc:  # ConnectionError, RuntimeError, grpc errors: all fatal here
            raise ClusterError(
                f"cannot connect to the Ray cluster at {self.settings.address!r}: "
                f"{first_line(exc)} (start one with `ray start --head`, or give "
                "--ray local for a private one on this machine)"
            ) from None
        try:
            yield
        finally:
            ray.shutdown()

    def _worker_count(self, talks: int) -> tuple[int, float]:
        """(workers, GPUs per worker) for this cluster and this many talks."""
        resources = self._ray.cluster_resources()
        gpus = self.settings.gpus_per_worker
        if gpus is None:
            gpus = 1.0 if resources.get("GPU", 0) > 0 else 0.0
        count = self.settings.workers
        if count is None:
            if gpus > 0:
                count = math.floor(resources.get("GPU", 0) / gpus)
            else:
                cpus = max(self.settings.cpus_per_worker, 1e-3)
                count = math.floor(resources.get("CPU", 1) / cpus)
        return max(1, min(count, talks)), gpus

    def _start_actor(self, recorder: Recorder, gpus: float) -> Any:
        """A new `TalkWorker` actor (it starts in the background: `where` says when it has)."""
        settings = recorder.settings
        if gpus == 0:  # CTranslate2 takes as many threads as the actor has CPUs
            threads = max(1, math.ceil(self.settings.cpus_per_worker))
            whisper = dataclasses.replace(settings.whisper, cpu_threads=threads)
            settings = dataclasses.replace(settings, whisper=whisper)
        remote = self._ray.remote(
            num_cpus=self.settings.cpus_per_worker,
            num_gpus=gpus,
            max_concurrency=self.settings.in_flight,
            concurrency_groups={"control": 1},  # answers `where` and `doing` while busy
            max_restarts=0,  # a lost worker is replaced by a new one, its talks retried
        )(TalkWorker)
        return remote.remote(settings)
