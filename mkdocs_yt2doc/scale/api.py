"""All the driver uses of Ray, in one place: the calls (`RayAPI`), the actor handles
(`WorkerActor`), and what its errors mean.

`cluster.py` passes the real `ray` module where a `RayAPI` is asked for;
tests/test_ray_schedule.py passes a small deterministic fake of the same calls.
"""

from __future__ import annotations

from typing import Any, Protocol


class RemoteMethod(Protocol):
    """`actor.process` and the like: `.remote(...)` submits a call and gives its ObjectRef."""

    def remote(self, *args: Any) -> Any: ...
    def options(self, **options: Any) -> RemoteMethod: ...


class WorkerActor(Protocol):
    """A handle on one `TalkWorker` actor, as far as the scheduler calls it."""

    where: RemoteMethod
    process: RemoteMethod


class RayAPI(Protocol):
    """What the scheduler uses of the `ray` module."""

    exceptions: Any  # ray.exceptions: RayTaskError, and those of `dead_worker_errors`

    def wait(
        self, ray_waitables: list[Any], *, num_returns: int = 1, timeout: float | None = None
    ) -> tuple[list[Any], list[Any]]: ...
    def get(self, object_refs: Any, *, timeout: float | None = None) -> Any: ...
    def put(self, value: Any) -> Any: ...
    def kill(self, actor: Any, *, no_restart: bool = True) -> None: ...


def dead_worker_errors(ray: RayAPI) -> tuple[type[BaseException], ...]:
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


def first_line(exc: BaseException) -> str:
    """The gist of a Ray error (they run to many lines of advice)."""
    text = str(exc).strip()
    for marker in ("Worker exit detail:", "The actor is dead because"):
        if marker in text:
            return text[text.index(marker) :].split(". ")[0].strip()
    return text.splitlines()[0] if text else type(exc).__name__
