"""A stand-in for the few calls of `ray` that the scheduler makes (`ray_api.RayAPI`), for fast
deterministic tests of `ray_schedule.Scheduler`: no processes, no models, simulated time.

Time moves only inside `wait` (and a blocking `get`): each worker actor starts `start_after`
seconds after it was created and processes its talks one after another, `talk_seconds`
each. `fate(worker number, talk key)` decides what happens to a talk: "ok", "die" (the worker
process dies halfway through it), "bug" (the call raises on the worker) or "problem" (an
expected failure in the reply).

What it mirrors of Ray (docs.ray.io, ray 2.x; `test_the_fake_is_shaped_like_ray` checks the
names against the installed ray):

- `wait(refs, *, num_returns=1, timeout=None)` returns `(ready, not_ready)`, both in the
  order given, at most `num_returns` ready; it returns early with fewer when `timeout` runs
  out, `[], []` for no refs, and rejects what Ray rejects (not a list, duplicates,
  `num_returns` larger than the list, a negative timeout).
- `get(ref)` gives the value, or raises: `RayTaskError` (its `cause` the worker's exception)
  when the call raised, `ActorDiedError` when the actor died before finishing it, was killed,
  or was dead when the call was made.
- `kill(actor)` ends the actor at once: its unfinished calls fail with `ActorDiedError`.
- `put(value)` gives a ref that actor calls receive as the value (Ray resolves top-level
  ref arguments).
- `actor.method.remote(...)` and `actor.method.options(concurrency_group=...).remote(...)`.
"""

from __future__ import annotations

import itertools
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from mkdocs_yt2doc.pipeline.stages import TalkResult, TalkTask
from mkdocs_yt2doc.scale.worker import Reply


class RayError(Exception):
    pass


class RayTaskError(RayError):
    def __init__(self, function_name: str, traceback_str: str, cause: BaseException) -> None:
        super().__init__(f"ray::{function_name}() {traceback_str}")
        self.function_name, self.traceback_str, self.cause = function_name, traceback_str, cause


class RayActorError(RayError):
    pass


class ActorDiedError(RayActorError):
    pass


class ActorUnavailableError(RayActorError):
    pass


class WorkerCrashedError(RayError):
    pass


class NodeDiedError(RayError):
    pass


class ObjectLostError(RayError):
    pass


class OwnerDiedError(ObjectLostError):
    pass


class OutOfMemoryError(RayError):
    pass


class GetTimeoutError(RayError, TimeoutError):
    pass


EXCEPTIONS = SimpleNamespace(
    **{
        cls.__name__: cls
        for cls in (
            RayError,
            RayTaskError,
            RayActorError,
            ActorDiedError,
            ActorUnavailableError,
            WorkerCrashedError,
            NodeDiedError,
            ObjectLostError,
            OwnerDiedError,
            OutOfMemoryError,
            GetTimeoutError,
        )
    }
)

# What Ray says when an actor's process dies (its first line is what the driver reports).
PROCESS_DIED = (
    "The actor died unexpectedly before finishing this task.\n\tclass_name: TalkWorker\n"
    "The actor is dead because its worker process has died. Worker exit type: SYSTEM_ERROR "
    "Worker exit detail: Worker unexpectedly exits with a connection error code 2. End of file."
)
KILLED = "The actor is dead because it was killed by `ray.kill`."


class FakeRef:
    """An ObjectRef: hashable by identity; ready at `ready_at`, then a value or an error."""

    _ids = itertools.count(1)

    def __init__(self, actor: FakeActor | None, done_at: float, outcome: Any) -> None:
        self.id = next(self._ids)
        self.actor, self.done_at, self.outcome = actor, done_at, outcome

    @property
    def ready_at(self) -> float:
        if self.actor is not None and self.actor.died_at < self.done_at:
            return self.actor.died_at
        return self.done_at

    def result(self) -> Any:
        if self.actor is not None and self.actor.died_at < self.done_at:
            raise ActorDiedError(self.actor.death)
        if isinstance(self.outcome, BaseException):
            raise self.outcome
        return self.outcome

    def __repr__(self) -> str:
        return f"FakeRef({self.id})"


class _Method:
    def __init__(self, call: Callable[..., FakeRef], groups: set[str]) -> None:
        self._call, self._groups = call, groups

    def remote(self, *args: Any) -> FakeRef:
        return self._call(*args)

    def options(self, *, concurrency_group: str | None = None) -> _Method:
        if concurrency_group is not None and concurrency_group not in self._groups:
            raise ValueError(f"unknown concurrency group {concurrency_group!r}")
        return self


@dataclass
class FakeActor:
    """One `TalkWorker` actor: starts, then processes its talks one at a time."""

    ray: FakeRay
    number: int
    ready_at: float
    died_at: float = math.inf
    death: str = ""
    busy_until: float = 0.0
    tasks: list[TalkTask] = field(default_factory=list)  # what it was sent, in that order
    audio: dict[str, bytes | None] = field(default_factory=dict)  # talk key -> bytes sent
    pending: set[FakeRef] = field(default_factory=set)  # process calls not yet got
    most_in_flight: int = 0
    in_flight_while_others_start: int = 0  # the most, while another worker was starting

    def __post_init__(self) -> None:
        self.busy_until = self.ready_at
        self.where = _Method(self._where, {"control"})
        self.process = _Method(self._process, {"control"})

    @property
    def calls(self) -> list[str]:
        """The keys of the talks it was sent, in that order."""
        return [task.key for task in self.tasks]

    def die(self, at: float, why: str) -> None:
        if at < self.died_at:
            self.died_at, self.death = at, why

    def _where(self) -> FakeRef:
        if self.number in self.ray.start_fails:
            error = ActorDiedError(
                "The actor died because of an error raised in its creation task, "
                "ray::TalkWorker.__init__(): ImportError: no module named 'ctranslate2'"
            )
            return FakeRef(self, self.ray.now + 1.0, error)
        return FakeRef(self, self.ready_at, (f"10.0.0.{self.number}", 1000 + self.number))

    def _process(self, task: TalkTask, audio: Any) -> FakeRef:
        if isinstance(audio, FakeRef):  # Ray hands the actor the value of a top-level ref
            audio = self.ray.get(audio)
        now, seconds = self.ray.now, self.ray.talk_seconds
        self.tasks.append(task)
        self.audio[task.key] = audio
        start = max(now, self.busy_until)
        self.busy_until = start + seconds
        fate = self.ray.fate(self.number, task.key)
        if fate == "die":
            self.die(start + seconds / 2, PROCESS_DIED)
        ref = FakeRef(self, start + seconds, self._outcome(task, fate, audio))
        self.pending.add(ref)
        self.most_in_flight = max(self.most_in_flight, len(self.pending))
        if any(a.ready_at > now and a.died_at > now for a in self.ray.actors if a is not self):
            self.in_flight_while_others_start = max(
                self.in_flight_while_others_start, len(self.pending)
            )
        return ref

    def _outcome(self, task: TalkTask, fate: str, audio: bytes | None) -> Any:
        seconds = self.ray.talk_seconds
        if fate == "bug":
            return RayTaskError("TalkWorker.process", "Traceback ...", ValueError("boom"))
        if fate == "problem":
            return Reply(problem="cannot decode the audio", seconds=1.0, downloaded=True)
        return Reply(
            result=TalkResult({"talk": task.key, "worker": self.number}),
            seconds=seconds,
            downloaded=audio is None,
            log=[(logging.WARNING, f"yt2doc: transcribed {task.label}")],
        )


class FakeRay:
    """The `ray` module as far as the scheduler uses it (see the module's text)."""

    exceptions = EXCEPTIONS

    def __init__(
        self,
        *,
        talk_seconds: float = 10.0,
        start_after: dict[int, float] | None = None,  # worker number -> seconds (default 1)
        start_fails: set[int] | None = None,  # workers whose actor cannot be created
        fate: Callable[[int, str], str] = lambda worker, key: "ok",
        interrupt_at_wait: int | None = None,  # this `wait` call raises KeyboardInterrupt
        horizon: float = 100_000.0,  # simulated seconds after which a run is called stuck
    ) -> None:
        self.now = 0.0
        self.talk_seconds = talk_seconds
        self.start_after = start_after or {}
        self.start_fails = start_fails or set()
        self.fate = fate
        self.interrupt_at_wait = interrupt_at_wait
        self.horizon = horizon
        self.actors: list[FakeActor] = []
        self.killed: list[int] = []  # worker numbers, in the order ray.kill was called
        self.waits = 0

    # what the scheduler is given besides the module: an actor factory and a clock

    def start_actor(self) -> FakeActor:
        number = len(self.actors) + 1
        actor = FakeActor(self, number, self.now + self.start_after.get(number, 1.0))
        self.actors.append(actor)
        return actor

    def clock(self) -> float:
        return self.now

    # ray's calls

    def wait(
        self,
        ray_waitables: list[Any],
        *,
        num_returns: int = 1,
        timeout: float | None = None,
        fetch_local: bool = True,
    ) -> tuple[list[Any], list[Any]]:
        if not isinstance(ray_waitables, list):
            raise TypeError(f"wait() expected a list of ray.ObjectRef, got {type(ray_waitables)}")
        if timeout is not None and timeout < 0:
            raise ValueError(f"The 'timeout' argument must be nonnegative. Received {timeout}")
        if any(not isinstance(ref, FakeRef) for ref in ray_waitables):
            raise TypeError("wait() expected a list of ray.ObjectRef")
        if not ray_waitables:
            return [], []
        if len(ray_waitables) != len(set(ray_waitables)):
            raise ValueError("Wait requires a list of unique ray_waitables.")
        if num_returns <= 0:
            raise ValueError(f"Invalid number of objects to return {num_returns}.")
        if num_returns > len(ray_waitables):
            raise ValueError("num_returns cannot be greater than the number of ray_waitables")
        self.waits += 1
        if self.waits == self.interrupt_at_wait:
            raise KeyboardInterrupt
        deadline = math.inf if timeout is None else self.now + timeout
        enough = sorted(ref.ready_at for ref in ray_waitables)[num_returns - 1]
        if min(enough, deadline) == math.inf:
            raise AssertionError("ray.wait would block forever: nothing will ever be ready")
        self.now = max(self.now, min(enough, deadline))
        if self.now > self.horizon:
            raise AssertionError(f"still waiting after {self.horizon:.0f} simulated seconds")
        ready = [ref for ref in ray_waitables if ref.ready_at <= self.now][:num_returns]
        return ready, [ref for ref in ray_waitables if ref not in ready]

    def get(self, object_refs: Any, *, timeout: float | None = None) -> Any:
        if isinstance(object_refs, list):
            return [self.get(ref, timeout=timeout) for ref in object_refs]
        ref: FakeRef = object_refs
        if ref.ready_at > self.now:  # blocks until it is ready
            if timeout is not None and self.now + timeout < ref.ready_at:
                self.now += timeout
                raise GetTimeoutError(f"Get timed out: some object(s) not ready: {ref}")
            if ref.ready_at == math.inf:
                raise AssertionError("ray.get would block forever")
            self.now = ref.ready_at
        if ref.actor is not None:
            ref.actor.pending.discard(ref)
        return ref.result()

    def put(self, value: Any) -> FakeRef:
        return FakeRef(None, self.now, value)

    def kill(self, actor: FakeActor, *, no_restart: bool = True) -> None:
        self.killed.append(actor.number)
        actor.die(self.now, KILLED)
