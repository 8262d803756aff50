"""The driver's view of its Ray workers: started, ready, given up, lost, stopped.

A `Worker` is the driver's record of one `TalkWorker` actor (`worker.py`). The pool starts
them through a function it is given (`RayExecutor._start_actor`, or a fake in tests), learns
where each runs when its first call (`where`) answers, and gives up one that has not answered
within `start_timeout`. Which talks go to which worker is `schedule.py`'s business.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .api import RayAPI, WorkerActor, first_line

if TYPE_CHECKING:
    from ..records.settings import RaySettings

log = logging.getLogger("mkdocs.plugins.yt2doc")


@dataclass
class Worker:
    """The driver's record of one `TalkWorker` actor."""

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


class WorkerPool:
    """The workers of one run, as the driver sees them."""

    def __init__(
        self,
        ray: RayAPI,
        settings: RaySettings,
        start_actor: Callable[[], WorkerActor],
        *,
        gpus: float,  # per worker: for the start timeout's message
        clock: Callable[[], float],
    ) -> None:
        self.ray, self.settings, self.start_actor = ray, settings, start_actor
        self.gpus, self.clock = gpus, clock
        self.workers: list[Worker] = []  # every worker of the run (tests kill them)
        self.starting: dict[Any, Worker] = {}  # `where` ref -> worker not yet ready
        self.last_loss = ""  # why the last worker was lost, for talks left without one

    def start(self) -> None:
        worker = Worker(len(self.workers) + 1, self.start_actor(), self.clock())
        self.workers.append(worker)
        ref = worker.actor.where.options(concurrency_group="control").remote()
        self.starting[ref] = worker

    def started(self, ref: Any) -> None:
        """A worker's `where` answered (or failed: it could not start)."""
        worker = self.starting.pop(ref)
        try:
            node, worker.pid = self.ray.get(ref)
        except Exception as exc:  # the actor could not start (import error, no resources, ...)
            worker.dead = True
            self._gone(f"w{worker.number} could not start: {first_line(exc)}")
            return
        worker.where, worker.ready = f"w{worker.number}@{node}", True
        log.info("yt2doc: Ray worker %s (pid %d) is ready", worker.where, worker.pid)

    def check_start_timeout(self) -> None:
        now = self.clock()
        timeout = self.settings.start_timeout
        for ref, worker in list(self.starting.items()):
            if now - worker.created > timeout:
                del self.starting[ref]
                worker.dead = True
                self.ray.kill(worker.actor)
                self._gone(
                    f"w{worker.number} did not start within {timeout:.0f} s: the cluster has "
                    f"no room for {self.settings.cpus_per_worker} CPU and {self.gpus} GPU"
                )

    def lost(self, worker: Worker, cause: str) -> None:
        """A worker died under its talks."""
        worker.dead, worker.load = True, 0
        self._gone(f"{worker.name} died ({cause})")

    def free(self, limit: int) -> list[Worker]:
        """The ready workers with fewer than `limit` talks in flight."""
        return [w for w in self.workers if w.ready and not w.dead and w.load < limit]

    def stop(self) -> None:
        """Kill every live worker (after the run, or on Ctrl-C: outstanding work stops too)."""
        for worker in self.workers:
            if not worker.dead:
                self.ray.kill(worker.actor)

    def _gone(self, why: str) -> None:
        self.last_loss = f"Ray worker {why}"
        log.warning("yt2doc: %s", self.last_loss)
