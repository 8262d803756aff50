"""The driver's side of `prefetch --ray`: which talk goes to which worker, and what happens
to a talk whose worker dies.

`Scheduler.run` keeps the talks in a queue and sends each ready worker up to `in_flight` of
them. Each reply goes to `Recorder.record`, the one place results enter the cache. When a
worker dies, its oldest talk is retried (at most `retries` more times), the talks behind it go
back to the front of the queue, and a new worker replaces it (`pool.py` keeps the workers).

Nothing here imports ray: the scheduler is handed the `ray` module (in tests, a fake of the
few calls it makes: `api.RayAPI`) and a function that starts one `TalkWorker` actor.
"""

from __future__ import annotations

import collections
import dataclasses
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..pipeline.record import Recorder
from ..records.errors import Yt2DocError
from ..records.job import Job, Progress
from .api import RayAPI, WorkerActor, dead_worker_errors, first_line
from .pool import Worker, WorkerPool
from .worker import Reply

if TYPE_CHECKING:
    from ..records.settings import RaySettings

log = logging.getLogger("mkdocs.plugins.yt2doc")

WAIT_SECONDS = 2.0  # how long a wait lasts when nothing comes back (then: start timeouts)


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
class Flight:
    """A talk sent to a worker, its reply not back yet."""

    job: Job
    worker: Worker
    sent: int  # submission order: a worker takes its talks in this order


class Scheduler:
    """One prefetch run's talks on Ray workers: queue, flights, retries, lost workers."""

    def __init__(
        self,
        ray: RayAPI,
        settings: RaySettings,
        recorder: Recorder,
        start_actor: Callable[[], WorkerActor],
        *,
        gpus: float = 0.0,  # per worker
        progress: Progress | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ray, self.settings, self.recorder, self.progress = ray, settings, recorder, progress
        self.pool = WorkerPool(ray, settings, start_actor, gpus=gpus, clock=clock)
        self.workers = self.pool.workers
        self.stats = RunStats()
        self.queue: collections.deque[Job] = collections.deque()
        self.attempts: collections.Counter[int] = collections.Counter()  # by id(job)
        self.flights: dict[Any, Flight] = {}  # result ref -> talk and worker
        self.dead_errors = dead_worker_errors(ray)
        self.replacements = 0
        self.sent = 0

    def run(self, jobs: list[Job], workers: int) -> RunStats:
        """Process `jobs` on `workers` new workers; stops them all when done or interrupted."""
        self.stats.talks, self.stats.workers = len(jobs), workers
        self.queue.extend(jobs)
        for job in jobs:
            self._report(job, "queued")
        try:
            for _ in range(workers):
                self.pool.start()
            self._loop()
        finally:
            self.pool.stop()
        return self.stats

    def _loop(self) -> None:
        while self.queue or self.flights:
            self._submit()
            if not self.flights and not self.pool.starting:
                reason = "no Ray worker is left to run it"
                last = self.pool.last_loss
                self._fail_rest(f"{reason} (last: {last})" if last else reason)
                return
            waiting = [*self.flights, *self.pool.starting]
            done, _ = self.ray.wait(waiting, num_returns=1, timeout=WAIT_SECONDS)
            for ref in done:
                if ref in self.pool.starting:
                    self.pool.started(ref)
                else:
                    self._finished(ref, self.flights.pop(ref))
            self.pool.check_start_timeout()

    def _report(self, job: Job, state: str) -> None:
        if self.progress:
            self.progress(job, state)

    def _submit(self) -> None:
        """Fill every ready worker up to `in_flight` talks, the least loaded first."""
        # While workers are still starting, one talk each: the first ready one must not
        # take the talks the others are about to ask for.
        limit = 1 if self.pool.starting else self.settings.in_flight
        while self.queue:
            free = self.pool.free(limit)
            if not free:
                return
            worker = min(free, key=lambda w: w.load)
            job = self.queue.popleft()
            began = time.perf_counter()
            task = self.recorder.task(job)  # a talk cut from a recording: structure here
            workers = task.structure and self.settings.structure == "workers"
            task = dataclasses.replace(task, structure=workers)
            audio = None
            if job.talk.local_path is not None:  # workers may be on other machines
                audio = self.ray.put(job.talk.local_path.read_bytes())
            ref = worker.actor.process.remote(task, audio)
            self.flights[ref] = Flight(job, worker, self.sent)
            self.sent += 1
            worker.load += 1
            job.worker = worker.name
            self.stats.driver_seconds += time.perf_counter() - began
            self._report(job, "start")

    def _finished(self, ref: Any, flight: Flight) -> None:
        job, worker = flight.job, flight.worker
        worker.load -= 1
        began = time.perf_counter()
        try:
            reply: Reply = self.ray.get(ref)
        except self.dead_errors as exc:
            self._lost(flight, first_line(exc))
            return
        except self.ray.exceptions.RayTaskError as exc:  # a bug on the worker: not retried
            cause = exc.cause if getattr(exc, "cause", None) is not None else exc
            reply = Reply(problem=f"failed on {worker.name}: {type(cause).__name__}: "
                          f"{first_line(cause)}")  # fmt: skip
        self._keep(job, worker, reply)
        self.stats.driver_seconds += time.perf_counter() - began
        self._report(job, "done")

    def _keep(self, job: Job, worker: Worker, reply: Reply) -> None:
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

    def _lost(self, flight: Flight, cause: str) -> None:
        """A worker died: replace it (a bounded number of times) and send its talks again.

        Only its oldest talk was on the model (or downloading); the ones behind it waited, so
        only that one uses up an attempt.
        """
        worker = flight.worker
        self.pool.lost(worker, cause)
        self.stats.workers_lost += 1
        behind = [ref for ref, f in self.flights.items() if f.worker is worker]
        lost = sorted([flight, *(self.flights.pop(ref) for ref in behind)], key=lambda f: f.sent)
        for waiting in reversed(lost[1:]):  # back to the front of the queue, in order
            self.queue.appendleft(waiting.job)
        self._retry(lost[0].job, worker, cause)
        if self.replacements < self.stats.workers * (self.settings.retries + 1):
            self.replacements += 1
            self.pool.start()

    def _retry(self, job: Job, worker: Worker, cause: str) -> None:
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
        self._report(job, "done")

    def _fail_rest(self, reason: str) -> None:
        while self.queue:
            job = self.queue.popleft()
            job.problem, job.failed = reason, True
            self._report(job, "done")
