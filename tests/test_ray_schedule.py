"""`ray_schedule.Scheduler` driven by a fake `ray` (tests/fake_ray.py): no processes, no models,
simulated time, so every case runs in milliseconds. tests/test_ray.py runs the real thing."""

from __future__ import annotations

import importlib.util
import inspect
import math
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from mkdocs_yt2doc.pipeline.stages import TalkResult, TalkTask
from mkdocs_yt2doc.records.errors import Yt2DocError
from mkdocs_yt2doc.records.job import Job
from mkdocs_yt2doc.records.media import Media
from mkdocs_yt2doc.records.settings import RaySettings
from mkdocs_yt2doc.records.talk import Talk
from mkdocs_yt2doc.scale.schedule import Scheduler
from tests.conftest import PluginLog
from tests.fake_ray import EXCEPTIONS, FakeRay


class FakeRecorder:
    """`Recorder` as far as the scheduler uses it: what a talk's task is, where results go."""

    def __init__(self, refuse: set[str] | None = None) -> None:
        self.counts: Counter[str] = Counter()
        self.recorded: list[tuple[str, dict[str, Any]]] = []  # (talk key, its transcript)
        self.refuse = refuse or set()

    def task(self, job: Job) -> TalkTask:
        assert job.key and job.media
        return TalkTask(key=job.key, label=job.label, media=job.media, language=None, prompt="")

    def record(self, job: Job, result: TalkResult) -> None:
        if job.key in self.refuse:
            raise Yt2DocError("cannot write the cache: disk full")
        self.recorded.append((job.key or "", result.transcript))


def make_jobs(count: int, local: Path | None = None) -> list[Job]:
    jobs = []
    for i in range(count):
        url = f"https://example.org/talk{i}"
        talk = Talk(url=url, where=f"talks.yml:{i + 1}", title=f"Talk {i}", local_path=local)
        media = Media(key=f"talk-{i}", url=url, webpage_url=url, extractor="generic", id=f"{i}")
        jobs.append(Job(talk=talk, key=f"talk-{i}", media=media))
    return jobs


class Run:
    """One scheduler run on the fake: its jobs, progress events, stats and the fake's record."""

    def __init__(self, ray: FakeRay, talks: int = 4, workers: int = 2, **settings: Any) -> None:
        self.ray, self.recorder = ray, FakeRecorder(settings.pop("refuse", None))
        self.jobs = settings.pop("jobs", None) or make_jobs(talks)
        self.events: list[tuple[str, str]] = []
        self.scheduler = Scheduler(
            ray,
            RaySettings(**settings),
            self.recorder,  # type: ignore[arg-type]
            ray.start_actor,
            progress=lambda job, state: self.events.append((job.key or "", state)),
            clock=ray.clock,
        )
        self.workers = workers

    def __call__(self) -> Run:
        self.stats = self.scheduler.run(self.jobs, self.workers)
        return self

    @property
    def by_key(self) -> dict[str, Job]:
        return {job.key or "": job for job in self.jobs}

    def states(self, key: str) -> list[str]:
        return [state for k, state in self.events if k == key]


def test_every_talk_is_processed_once_and_recorded(plugin_log: PluginLog) -> None:
    ray = FakeRay()
    run = Run(ray, talks=5, workers=2)()
    keys = [job.key for job in run.jobs]
    assert sorted(key for key, _ in run.recorder.recorded) == sorted(keys)
    assert sorted(key for actor in ray.actors for key in actor.calls) == sorted(keys)
    for job in run.jobs:
        assert not job.failed and job.problem is None
        assert job.worker in ("w1@10.0.0.1", "w2@10.0.0.2")
        assert job.seconds >= 10.0  # the worker's time, from its reply
        assert run.states(job.key or "") == ["queued", "start", "done"]
    assert {actor.number for actor in ray.actors} == {1, 2}  # both did some
    assert all(actor.calls for actor in ray.actors)
    assert run.recorder.counts["downloads"] == 5
    assert (run.stats.talks, run.stats.workers, run.stats.workers_lost) == (5, 2, 0)
    assert run.stats.retries == 0
    assert sorted(ray.killed) == [1, 2]  # stopped at the end
    assert "yt2doc: transcribed 'Talk 0' (talks.yml:1) [on w" in "\n".join(plugin_log.warnings)
    assert ray.now == pytest.approx(31.0)  # 5 talks of 10 s on 2 workers, after a 1 s start


@pytest.mark.parametrize("in_flight", [1, 2, 3])
def test_a_worker_never_holds_more_than_in_flight_talks(in_flight: int) -> None:
    ray = FakeRay(start_after={2: 15.0})  # w2 is slow to start
    Run(ray, talks=9, workers=2, in_flight=in_flight)()
    assert max(a.most_in_flight for a in ray.actors) == in_flight
    # while w2 was starting, w1 had one talk at a time: it must not take w2's share
    assert ray.actors[0].in_flight_while_others_start == 1
    assert len(ray.actors[1].calls) >= 3


def test_a_worker_dying_mid_talk_is_replaced_and_its_talk_retried(
    plugin_log: PluginLog,
) -> None:
    ray = FakeRay(fate=lambda worker, key: "die" if (worker, key) == (1, "talk-0") else "ok")
    run = Run(ray, talks=4, workers=1, in_flight=3)()  # w1 holds talk-0, talk-1 and talk-2
    assert [actor.calls for actor in ray.actors] == [
        ["talk-0", "talk-1", "talk-2"],  # died on talk-0, the others waiting behind it
        ["talk-0", "talk-1", "talk-2", "talk-3"],  # the replacement, in the same order
    ]
    assert sorted(key for key, _ in run.recorder.recorded) == [f"talk-{i}" for i in range(4)]
    assert all(job.worker == "w2@10.0.0.2" and not job.failed for job in run.jobs)
    assert run.stats.workers_lost == 1
    assert run.stats.retries == 1  # only talk-0 was on the model; the others only waited
    assert run.states("talk-2") == ["queued", "start", "start", "done"]
    assert (
        "yt2doc: Ray worker w1@10.0.0.1 died (Worker exit detail: Worker unexpectedly exits "
        "with a connection error code 2)" in plugin_log.warnings
    )
    assert (
        "yt2doc: 'Talk 0' (talks.yml:1): retrying it, its worker w1@10.0.0.1 died"
        in plugin_log.warnings
    )
    assert ray.killed == [2]  # w1 was dead already


def test_a_talk_that_keeps_killing_its_workers_fails_and_the_rest_go_on(
    plugin_log: PluginLog,
) -> None:
    ray = FakeRay(fate=lambda worker, key: "die" if key == "talk-1" else "ok")
    run = Run(ray, talks=3, workers=1, retries=2)()
    bad = run.by_key["talk-1"]
    assert bad.failed
    assert bad.problem == (
        "its Ray worker died 3 times while processing it (last: w3@10.0.0.3: Worker exit "
        "detail: Worker unexpectedly exits with a connection error code 2)"
    )
    retried = [w for w in plugin_log.warnings if "'Talk 1' (talks.yml:2): retrying it" in w]
    assert len(retried) == 2
    assert run.states("talk-1")[-1] == "done"
    assert sorted(key for key, _ in run.recorder.recorded) == ["talk-0", "talk-2"]
    assert not run.by_key["talk-0"].failed and not run.by_key["talk-2"].failed
    assert run.by_key["talk-2"].worker == "w4@10.0.0.4"  # the third replacement did it
    assert (run.stats.workers_lost, run.stats.retries, len(ray.actors)) == (3, 2, 4)


def test_replacements_are_bounded_and_talks_left_over_say_why() -> None:
    ray = FakeRay(fate=lambda worker, key: "die")  # every worker dies on its first talk
    run = Run(ray, talks=2, workers=1, retries=1)()
    assert len(ray.actors) == 3  # w1 and two replacements: workers * (retries + 1)
    assert all(job.failed for job in run.jobs)
    assert run.by_key["talk-0"].problem == (
        "its Ray worker died 2 times while processing it (last: w2@10.0.0.2: Worker exit "
        "detail: Worker unexpectedly exits with a connection error code 2)"
    )
    # talk-1 waited behind talk-0 twice, then was w3's first talk: one retry left, no worker
    assert run.by_key["talk-1"].problem == (
        "no Ray worker is left to run it (last: Ray worker w3@10.0.0.3 died (Worker exit "
        "detail: Worker unexpectedly exits with a connection error code 2))"
    )
    assert run.stats.workers_lost == 3


def test_a_worker_that_never_starts_hits_the_start_timeout(plugin_log: PluginLog) -> None:
    ray = FakeRay(start_after={1: math.inf})  # no room on the cluster: it stays pending
    run = Run(ray, talks=2, workers=1, start_timeout=30.0)()
    message = (
        "Ray worker w1 did not start within 30 s: the cluster has no room for 1.0 CPU and 0.0 GPU"
    )
    assert f"yt2doc: {message}" in plugin_log.warnings
    assert ray.killed == [1]
    assert 30.0 < ray.now <= 32.0  # given up at the first wait after the timeout
    for job in run.jobs:
        assert job.failed and job.problem == f"no Ray worker is left to run it (last: {message})"
        assert run.states(job.key or "") == ["queued", "done"]
    assert run.recorder.recorded == []


def test_a_slow_worker_is_given_up_while_the_others_work() -> None:
    ray = FakeRay(start_after={2: math.inf})
    run = Run(ray, talks=6, workers=2, start_timeout=30.0)()
    assert all(not job.failed and job.worker == "w1@10.0.0.1" for job in run.jobs)
    assert ray.actors[1].calls == [] and ray.killed == [2, 1]
    assert ray.actors[0].in_flight_while_others_start == 1
    assert ray.actors[0].most_in_flight == 2  # once w2 was given up


def test_a_worker_that_cannot_start_leaves_its_talks_a_reason(plugin_log: PluginLog) -> None:
    ray = FakeRay(start_fails={1})
    run = Run(ray, talks=1, workers=1)()
    job = run.jobs[0]
    assert job.failed and job.problem is not None
    assert job.problem.startswith("no Ray worker is left to run it (last: Ray worker w1 could ")
    assert "ImportError: no module named 'ctranslate2'" in job.problem
    assert any("Ray worker w1 could not start" in w for w in plugin_log.warnings)


def test_ctrl_c_stops_the_run_and_kills_the_workers() -> None:
    ray = FakeRay(interrupt_at_wait=8)  # waits: 2 starts, 4 timeouts, talk-0 back, then ^C
    run = Run(ray, talks=6, workers=2)
    with pytest.raises(KeyboardInterrupt):
        run()
    assert sorted(ray.killed) == [1, 2]
    assert all(actor.died_at == ray.now for actor in ray.actors)  # their talks stop too
    assert len(run.recorder.recorded) == 1  # the one talk back before Ctrl-C, kept
    assert not any(job.failed for job in run.jobs)  # the others are not failures, only undone


def test_a_bug_on_a_worker_fails_its_talk_without_a_retry() -> None:
    ray = FakeRay(fate=lambda worker, key: "bug" if key == "talk-0" else "ok")
    run = Run(ray, talks=2, workers=1)()
    job = run.by_key["talk-0"]
    assert job.failed and job.problem == "failed on w1@10.0.0.1: ValueError: boom"
    assert (run.stats.retries, run.stats.workers_lost, len(ray.actors)) == (0, 0, 1)
    assert [key for key, _ in run.recorder.recorded] == ["talk-1"]


def test_expected_problems_and_refused_writes_fail_only_their_talk() -> None:
    ray = FakeRay(fate=lambda worker, key: "problem" if key == "talk-0" else "ok")
    run = Run(ray, talks=3, workers=1, refuse={"talk-1"})()
    assert run.by_key["talk-0"].problem == "cannot decode the audio"
    assert run.by_key["talk-1"].problem == "cannot write the cache: disk full"
    assert run.by_key["talk-0"].failed and run.by_key["talk-1"].failed
    assert not run.by_key["talk-2"].failed
    assert run.recorder.counts["downloads"] == 3


def test_a_local_file_travels_to_the_worker_through_the_object_store(tmp_path: Path) -> None:
    audio = tmp_path / "talk.wav"
    audio.write_bytes(b"RIFF fake audio")
    ray = FakeRay()
    run = Run(ray, workers=1, jobs=make_jobs(2, local=audio))()
    assert ray.actors[0].audio == {"talk-0": b"RIFF fake audio", "talk-1": b"RIFF fake audio"}
    assert run.recorder.counts["downloads"] == 0


@pytest.mark.parametrize("structure", ["workers", "driver"])
def test_workers_make_the_structure_only_when_asked(structure: str) -> None:
    ray = FakeRay()
    Run(ray, talks=2, workers=1, structure=structure)()
    assert [task.structure for task in ray.actors[0].tasks] == [structure == "workers"] * 2


def test_the_fake_is_shaped_like_ray() -> None:
    """Its exceptions have Ray's names and family tree; its calls take Ray's arguments."""
    if importlib.util.find_spec("ray") is None:
        pytest.skip("ray is not installed")
    import ray
    import ray.exceptions

    for name in vars(EXCEPTIONS):
        real, fake = getattr(ray.exceptions, name), getattr(EXCEPTIONS, name)
        family = {c.__name__ for c in real.__mro__} & set(vars(EXCEPTIONS))
        assert family == {c.__name__ for c in fake.__mro__} & set(vars(EXCEPTIONS)), name
    for call in ("wait", "get", "put", "kill"):
        real_params = inspect.signature(getattr(ray, call)).parameters
        fake_params = inspect.signature(getattr(FakeRay, call)).parameters
        for name, param in list(fake_params.items())[1:]:  # not self
            assert name in real_params, (call, name)
            assert param.kind == real_params[name].kind, (call, name)
            assert param.default == real_params[name].default, (call, name)


def test_the_fake_wait_and_get_behave_like_rays() -> None:
    ray = FakeRay(talk_seconds=5.0)
    actor = ray.start_actor()
    started = actor.where.options(concurrency_group="control").remote()
    assert ray.wait([], num_returns=1, timeout=1.0) == ([], [])
    with pytest.raises(ValueError):
        ray.wait([started, started])
    with pytest.raises(ValueError):
        ray.wait([started], num_returns=2)
    with pytest.raises(TypeError):
        ray.wait(started)  # type: ignore[arg-type]
    assert ray.wait([started], timeout=0.5) == ([], [started])  # not yet: the timeout ran out
    assert ray.now == 0.5
    assert ray.wait([started]) == ([started], [])
    assert ray.get(started) == ("10.0.0.1", 1001)
    task = FakeRecorder().task(make_jobs(1)[0])
    first, second = actor.process.remote(task, None), actor.process.remote(task, None)
    ready, rest = ray.wait([second, first], num_returns=1)
    assert (ready, rest) == ([first], [second])  # one at a time, the order given kept
    with pytest.raises(EXCEPTIONS.GetTimeoutError):
        ray.get(second, timeout=1.0)
    ray.kill(actor)
    with pytest.raises(EXCEPTIONS.ActorDiedError, match=r"killed by `ray\.kill`"):
        ray.get(second)
    assert ray.get(first).result is not None  # finished before the kill: kept
    with pytest.raises(EXCEPTIONS.RayActorError):
        ray.get(actor.process.remote(task, None))  # a dead actor's calls fail at once
