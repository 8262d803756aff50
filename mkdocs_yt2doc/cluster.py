"""`prefetch --ray ADDRESS`: the uncached talks fanned out over a Ray cluster.

Each worker is a Ray actor holding one `Stages` (one loaded Whisper model, SaT, an LLM client)
for all its talks. It downloads a talk's audio, transcribes it, makes its paragraphs and
chapters, and sends back the cache files' contents; the driver writes them with the
pipeline's own code (`Recorder.record`: same files, same atomic writes, under the same lock),
so a site cannot tell how a talk was processed. Workers never touch the cache.

ray is imported in this module only, and the command line imports it only for --ray.
"""

from __future__ import annotations

import collections
import dataclasses
import importlib.util
import logging
import math
import os
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import Yt2DocError
from .job import Job, Progress
from .record import Recorder
from .settings import PipelineSettings
from .sources import download_audio
from .stages import Stages, TalkResult, TalkTask

log = logging.getLogger("mkdocs.plugins.yt2doc")

INSTALL_HINT = 'install the Ray extra: pip install "mkdocs-yt2doc[transcribe,ray]"'
STRUCTURE_PLACES = ("workers", "driver")


class ClusterError(Yt2DocError):
    """The Ray cluster cannot be reached or cannot run a worker."""


@dataclass(frozen=True)
class RaySettings:
    address: str = "auto"  # auto | local | HOST:PORT | ray://HOST:PORT
    workers: int | None = None  # None: as many as the cluster has room for, one per talk at most
    gpus_per_worker: float | None = None  # None: 1 when the cluster has GPUs, else 0
    cpus_per_worker: float = 1.0
    in_flight: int = 2  # talks a worker holds at once: one transcribing, the next downloading
    retries: int = 2  # further attempts for a talk whose worker died under it
    structure: str = "workers"  # where paragraphs and chapters (SaT, LLM) are made
    start_timeout: float = 300.0  # seconds for a worker to start (model load not included)

    def __post_init__(self) -> None:
        if self.workers is not None and self.workers < 1:
            raise ClusterError("--ray-workers must be at least 1")
        if self.in_flight < 1:
            raise ClusterError("--ray-in-flight must be at least 1")
        if self.retries < 0:
            raise ClusterError("--ray-retries cannot be negative")
        if self.structure not in STRUCTURE_PLACES:
            raise ClusterError(f"--ray-structure must be one of {', '.join(STRUCTURE_PLACES)}")


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
    """The Ray actor (made remote in `_start_worker`): one model, talks one after another.

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
        ray = _ray()
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


@dataclass
class _Worker:
    number: int
    actor: Any
    created: float
    where: str = ""  # w1@10.0.0.5 once it answered
    pid: int = 0
    ready: bool = False
    dead: bool = False
    load: int = 0  # talks in flight on it

    @property
    def name(self) -> str:
        return self.where or f"w{self.number}"


@dataclass
class RunStats:
    """What a Ray run did, for the table's footer and bench/ray_scale.py."""

    workers: int = 0
    talks: int = 0
    retries: int = 0
    workers_lost: int = 0
    wall_seconds: float = 0.0
    driver_seconds: float = 0.0  # submitting, receiving and writing: the driver's own work

    @property
    def driver_seconds_per_talk(self) -> float:
        return self.driver_seconds / self.talks if self.talks else 0.0


@dataclass
class _Flight:
    job: Job
    worker: _Worker
    sent: int  # submission order: a worker takes its talks in this order


def _ray() -> Any:
    try:
        import ray
    except ImportError as exc:
        raise ClusterError(f"Ray is missing ({exc}); {INSTALL_HINT}") from None
    return ray


def _dead_worker_errors(ray: Any) -> tuple[type[BaseException], ...]:
    """What a lost worker looks like: its process or node died, or took the result along."""
    ex = ray.exceptions
    return (
        ex.RayActorError,  # incl. ActorDiedError, ActorUnavailableError
        ex.WorkerCrashedError,
        ex.NodeDiedError,
        ex.ObjectLostError,
        ex.OwnerDiedError,
        ex.OutOfMemoryError,
    )


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    for marker in ("Worker exit detail:", "The actor is dead because"):
        if marker in text:
            return text[text.index(marker) :].split(". ")[0].strip()
    return text.splitlines()[0] if text else type(exc).__name__


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
        self.workers: list[_Worker] = []  # those of the current run (tests kill them)
        self._ray: Any = None

    # -- the cluster -------------------------------------------------------------------------

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
                f"{_first_line(exc)} (start one with `ray start --head`, or give "
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

    def _start_worker(self, recorder: Recorder, gpus: float) -> _Worker:
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
        worker = _Worker(len(self.workers) + 1, remote.remote(settings), time.monotonic())
        self.workers.append(worker)
        return worker

    # -- the run -----------------------------------------------------------------------------

    def process(self, recorder: Recorder, jobs: list[Job], progress: Progress | None) -> None:
        started = time.perf_counter()
        self.stats = RunStats(talks=len(jobs))
        self.workers = []
        with self._connected():
            count, gpus = self._worker_count(len(jobs))
            self.stats.workers = count
            for job in jobs:
                if progress:
                    progress(job, "queued")
            try:
                _Run(self, recorder, jobs, progress, gpus).loop(count)
            finally:
                for worker in self.workers:  # Ctrl-C: outstanding work stops with them
                    if not worker.dead:
                        self._ray.kill(worker.actor)
                self.stats.wall_seconds = time.perf_counter() - started


class _Run:
    """One prefetch run's scheduling: queue, workers, retries."""

    def __init__(
        self,
        executor: RayExecutor,
        recorder: Recorder,
        jobs: list[Job],
        progress: Progress | None,
        gpus: float,
    ) -> None:
        self.executor = executor
        self.ray = executor._ray
        self.settings = executor.settings
        self.stats = executor.stats
        self.recorder = recorder
        self.progress = progress
        self.gpus = gpus
        self.queue: collections.deque[Job] = collections.deque(jobs)
        self.attempts: collections.Counter[int] = collections.Counter()  # by id(job)
        self.flights: dict[Any, _Flight] = {}  # result ref -> talk and worker
        self.starting: dict[Any, _Worker] = {}  # `where` ref -> worker not yet ready
        self.dead_errors = _dead_worker_errors(self.ray)
        self.replacements = 0
        self.sent = 0

    def loop(self, count: int) -> None:
        for _ in range(count):
            self._start()
        while self.queue or self.flights:
            self._submit()
            if not self.flights and not self.starting:
                self._fail_rest("no Ray worker is left to run it")
                return
            waiting = [*self.flights, *self.starting]
            done, _ = self.ray.wait(waiting, num_returns=1, timeout=2.0)
            for ref in done:
                if ref in self.starting:
                    self._started(ref, self.starting.pop(ref))
                else:
                    self._finished(ref, self.flights.pop(ref))
            self._check_start_timeout()

    # -- workers -----------------------------------------------------------------------------

    def _start(self) -> None:
        worker = self.executor._start_worker(self.recorder, self.gpus)
        ref = worker.actor.where.options(concurrency_group="control").remote()
        self.starting[ref] = worker

    def _started(self, ref: Any, worker: _Worker) -> None:
        try:
            node, worker.pid = self.ray.get(ref)
        except Exception as exc:  # the actor could not start (import error, no resources, ...)
            worker.dead = True
            log.warning("yt2doc: Ray worker w%d could not start: %s", worker.number,
                        _first_line(exc))  # fmt: skip
            return
        worker.where, worker.ready = f"w{worker.number}@{node}", True
        log.info("yt2doc: Ray worker %s (pid %d) is ready", worker.where, worker.pid)

    def _check_start_timeout(self) -> None:
        now = time.monotonic()
        for ref, worker in list(self.starting.items()):
            if now - worker.created > self.settings.start_timeout:
                del self.starting[ref]
                worker.dead = True
                self.ray.kill(worker.actor)
                log.warning(
                    "yt2doc: Ray worker w%d did not start within %.0f s: the cluster has no "
                    "room for %s CPU and %s GPU", worker.number, self.settings.start_timeout,
                    self.settings.cpus_per_worker, self.gpus,
                )  # fmt: skip

    def _lost(self, flight: _Flight, cause: str) -> None:
        """A worker died: replace it (a bounded number of times) and send its talks again.

        Only its oldest talk was on the model (or downloading); the ones behind it waited, so
        only that one uses up an attempt.
        """
        worker = flight.worker
        worker.dead, worker.load = True, 0
        self.stats.workers_lost += 1
        log.warning("yt2doc: Ray worker %s died (%s)", worker.name, cause)
        behind = [ref for ref, f in self.flights.items() if f.worker is worker]
        lost = sorted([flight, *(self.flights.pop(ref) for ref in behind)], key=lambda f: f.sent)
        for waiting in reversed(lost[1:]):  # back to the front of the queue, in order
            self.queue.appendleft(waiting.job)
        self._retry(lost[0].job, worker, cause)
        if self.replacements < self.stats.workers * (self.settings.retries + 1):
            self.replacements += 1
            self._start()

    # -- talks -------------------------------------------------------------------------------

    def _submit(self) -> None:
        """Fill every ready worker up to `in_flight` talks, the least loaded first."""
        # While workers are still starting, one talk each: the first ready one must not
        # take the talks the others are about to ask for.
        limit = 1 if self.starting else self.settings.in_flight
        while self.queue:
            ready = [w for w in self.executor.workers if w.ready and not w.dead]
            free = [w for w in ready if w.load < limit]
            if not free:
                return
            worker = min(free, key=lambda w: w.load)
            job = self.queue.popleft()
            began = time.perf_counter()
            task = dataclasses.replace(
                self.recorder.task(job), structure=self.settings.structure == "workers"
            )
            audio = None
            if job.talk.local_path is not None:  # workers may be on other machines
                audio = self.ray.put(job.talk.local_path.read_bytes())
            ref = worker.actor.process.remote(task, audio)
            self.flights[ref] = _Flight(job, worker, self.sent)
            self.sent += 1
            worker.load += 1
            job.worker = worker.name
            self.stats.driver_seconds += time.perf_counter() - began
            if self.progress:
                self.progress(job, "start")

    def _finished(self, ref: Any, flight: _Flight) -> None:
        job, worker = flight.job, flight.worker
        worker.load -= 1
        began = time.perf_counter()
        try:
            reply: Reply = self.ray.get(ref)
        except self.dead_errors as exc:
            self._lost(flight, _first_line(exc))
            return
        except self.ray.exceptions.RayTaskError as exc:  # a bug on the worker: not retried
            cause = exc.cause if getattr(exc, "cause", None) is not None else exc
            reply = Reply(problem=f"failed on {worker.name}: {type(cause).__name__}: "
                          f"{_first_line(cause)}")  # fmt: skip
        self._keep(job, worker, reply)
        self.stats.driver_seconds += time.perf_counter() - began
        if self.progress:
            self.progress(job, "done")

    def _keep(self, job: Job, worker: _Worker, reply: Reply) -> None:
        for level, line in reply.log:
            log.log(level, "%s [on %s]", line, worker.name)
        if reply.downloaded:
            self.recorder.counts["downloads"] += 1
        job.seconds = reply.seconds
        if reply.result is None:
            job.problem, job.failed = reply.problem or "no result", True
            return
        started = time.perf_counter()
        try:
            self.recorder.record(job, reply.result)
        except Yt2DocError as exc:
            job.problem, job.failed = str(exc), True
        job.seconds += time.perf_counter() - started

    def _retry(self, job: Job, worker: _Worker, cause: str) -> None:
        key = id(job)
        self.attempts[key] += 1
        if self.attempts[key] <= self.settings.retries:
            self.stats.retries += 1
            log.warning("yt2doc: %s: retrying it, its worker %s died", job.label, worker.name)
            self.queue.appendleft(job)
            return
        job.problem = (
            f"its Ray worker died {self.attempts[key]} times while processing it "
            f"(last: {worker.name}: {cause})"
        )
        job.failed = True
        if self.progress:
            self.progress(job, "done")

    def _fail_rest(self, reason: str) -> None:
        while self.queue:
            job = self.queue.popleft()
            job.problem, job.failed = reason, True
            if self.progress:
                self.progress(job, "done")
