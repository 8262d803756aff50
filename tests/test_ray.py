"""`prefetch --ray`: a real local Ray cluster, real Whisper tiny.en, real speech over loopback."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from mkdocs_yt2doc.catalog.load import load_catalog
from mkdocs_yt2doc.document.chapters import transcript_digest
from mkdocs_yt2doc.pipeline.run import Pipeline
from mkdocs_yt2doc.project.config_file import project_settings
from mkdocs_yt2doc.records.job import Job
from mkdocs_yt2doc.records.transcript import Transcript
from tests.conftest import (
    MediaServer,
    PluginLog,
    build_site,
    concatenated_speech,
    copy_clip,
    write_site,
)
from tests.test_cli import cli, status_table

FILES = [
    "captions.srt",
    "captions.vtt",
    "document.json",
    "media.json",
    "paragraphs.json",
    "topics.json",
    "transcript.json",
]


@pytest.fixture(scope="session")
def ray_address() -> Iterator[str]:
    """One private two-CPU Ray cluster on this machine for all the tests here."""
    ray = pytest.importorskip("ray")
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    ray.init(
        num_cpus=2,
        include_dashboard=False,
        object_store_memory=200 * 1024 * 1024,
        _node_ip_address="127.0.0.1",
        log_to_driver=False,
    )
    yield ray.get_runtime_context().gcs_address
    ray.shutdown()


def _content(path: Path) -> Any:
    if path.suffix == ".json":
        return json.loads(path.read_text())
    # captions: the cues' text (their times, like the words', may differ in the last digit)
    return [line for line in path.read_text().splitlines() if " --> " not in line]


def cache_files(cache: Path) -> dict[str, dict[str, Any]]:
    """Every talk's cache files, parsed: {talk folder: {file name: content}}."""
    return {
        folder.name: {f.name: _content(f) for f in sorted(folder.iterdir())}
        for folder in sorted(cache.iterdir())
        if folder.is_dir()
    }


def assert_close(
    a: Any,
    b: Any,
    where: str = "",
    tolerance: float = 0.05,
    skip: frozenset[str] | set[str] = frozenset(),
) -> None:
    """Equal, except floats (timestamps, probabilities) within `tolerance`, and keys in `skip`."""
    if isinstance(a, float) or isinstance(b, float):
        assert abs(float(a) - float(b)) <= tolerance, f"{where}: {a} != {b}"
    elif isinstance(a, dict):
        assert isinstance(b, dict) and sorted(a) == sorted(b), f"{where}: keys differ"
        for key in set(a) - set(skip):
            assert_close(a[key], b[key], f"{where}.{key}", tolerance, skip)
    elif isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b), f"{where}: lengths differ"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_close(x, y, f"{where}[{i}]", tolerance, skip)
    else:
        assert a == b, f"{where}: {a!r} != {b!r}"


def test_ray_prefetch_gives_the_cache_a_local_prefetch_gives(
    tmp_path: Path,
    media_server: MediaServer,
    whisper_model: str,
    ray_address: str,
    plugin_log: PluginLog,
) -> None:
    for i in range(3):
        copy_clip(i, media_server.root / f"talk{i}.wav")
    talks = {
        "talks": [{"url": media_server.url(f"talk{i}.wav"), "title": f"Talk {i}"} for i in range(3)]
    }
    whisper = {"model": whisper_model, "beam_size": 1}
    local, on_ray = tmp_path / "local", tmp_path / "ray"
    for project in (local, on_ray):
        write_site(project, talks, transcribe="never", whisper=whisper)

    # Ray gives a one-CPU worker OMP_NUM_THREADS=1, which changes the numerics (on this speech,
    # one word); the local run gets the same, so that the two compute the same thing.
    run = subprocess.run(
        [sys.executable, "-m", "mkdocs_yt2doc.cli", "prefetch"],
        cwd=local,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", "OMP_NUM_THREADS": "1"},
    )
    assert run.returncode == 0, run.stderr
    run = cli("prefetch", "--ray", ray_address, "--ray-workers", "2", cwd=on_ray)
    assert run.returncode == 0, run.stderr
    assert "3 processed, 3 cached in all, 0 failed" in run.stdout
    assert "Ray: 2 workers, 0 lost, 0 talks retried" in run.stdout
    header = run.stdout.splitlines()[0].split()
    assert header == ["talk", "duration", "seconds", "realtime", "worker", "status"]
    workers = {line.split()[4].split("@")[0] for line in run.stdout.splitlines()[2:5]}
    assert workers <= {"w1", "w2"} and workers, run.stdout  # w1@<node address>
    assert "Traceback" not in run.stderr

    expected, got = cache_files(local / ".yt2doc"), cache_files(on_ray / ".yt2doc")
    assert sorted(got) == sorted(expected)
    for talk, files in expected.items():
        assert sorted(got[talk]) == sorted(files) == FILES, talk
        for name, content in files.items():
            assert_close(got[talk][name], content, f"{talk}/{name}", skip={"transcript_digest"})
        # Word times differ in the last digits (CTranslate2's threads: its default here, one
        # per worker there), so each document must match its own transcript.
        for files_of in (got[talk], files):
            transcript = Transcript.from_json(files_of["transcript.json"])
            assert files_of["document.json"]["transcript_digest"] == transcript_digest(transcript)
    assert not list((on_ray / ".yt2doc").rglob("*.tmp"))

    # the build cannot tell how the talks were processed
    assert set(status_table(cli("status", cwd=on_ray).stdout).values()) == {"cached"}
    requests = len(media_server.requests)
    build_site(on_ray / "mkdocs.yml", strict=True)
    assert plugin_log.warnings == []
    assert len(media_server.requests) == requests
    page = (on_ray / "site" / "talks" / "talk-1" / "index.html").read_text()
    assert 'class="yt2doc-p"' in page


def _kill_while_transcribing(executor: Any, key_part: str, deadline: float) -> tuple[str, int]:
    """SIGKILL the worker process that is transcribing the talk; (its name, its pid)."""
    import ray

    while time.monotonic() < deadline:
        for worker in list(executor.workers):
            if not worker.ready or worker.dead:
                continue
            try:
                doing = ray.get(worker.actor.doing.options(concurrency_group="control").remote())
            except ray.exceptions.RayActorError:  # killed before, not yet seen by the driver
                continue
            if any(key_part in key and state == "transcribing" for key, state in doing.items()):
                time.sleep(0.5)  # well inside the transcription, not at its start
                os.kill(worker.pid, signal.SIGKILL)
                return worker.name, worker.pid
        time.sleep(0.1)
    raise AssertionError(f"no worker was transcribing {key_part} in time")


def _ray_pipeline(project: Path, **ray_options: Any) -> tuple[Pipeline, Any, Any]:
    from mkdocs_yt2doc.records.settings import RaySettings
    from mkdocs_yt2doc.scale.cluster import RayExecutor

    settings, talks_path, talks_name = project_settings(str(project / "mkdocs.yml"))
    executor = RayExecutor(RaySettings(**ray_options))
    return Pipeline(settings, executor), executor, load_catalog(talks_path, talks_name)


@pytest.fixture
def long_and_short(tmp_path: Path, media_server: MediaServer, whisper_model: str) -> Path:
    """A site with a ~25 s talk (long enough to kill a worker in) and a short one."""
    concatenated_speech(media_server.root / "long.wav")
    copy_clip(1, media_server.root / "short.wav")
    talks = {
        "talks": [
            {"url": media_server.url("long.wav"), "title": "Long"},
            {"url": media_server.url("short.wav"), "title": "Short"},
        ]
    }
    project = tmp_path / "p"
    # sequential beam search: slow enough on tiny.en to be caught mid-talk
    write_site(project, talks, whisper={"model": whisper_model, "beam_size": 5, "batch_size": 0})
    return project


def _run_in_thread(pipeline: Pipeline, catalog: Any) -> tuple[threading.Thread, list[list[Job]]]:
    out: list[list[Job]] = []
    thread = threading.Thread(target=lambda: out.append(pipeline.run(catalog)), daemon=True)
    thread.start()
    return thread, out


@pytest.mark.reliability("fault")
def test_a_worker_killed_mid_talk_gets_its_talk_retried(
    long_and_short: Path, ray_address: str, plugin_log: PluginLog
) -> None:
    pipeline, executor, catalog = _ray_pipeline(long_and_short, workers=2, in_flight=1)
    thread, out = _run_in_thread(pipeline, catalog)
    killed, _ = _kill_while_transcribing(executor, "long", time.monotonic() + 120)
    thread.join(timeout=180)
    assert not thread.is_alive() and out, "the run did not finish"
    jobs = {job.slug: job for job in out[0]}
    assert all(job.document is not None and not job.failed for job in jobs.values())
    assert jobs["long"].worker not in (None, killed)  # redone on the replacement worker
    assert executor.stats.workers_lost == 1 and executor.stats.retries == 1
    assert any(f"Ray worker {killed} died" in w for w in plugin_log.warnings)
    assert any("'Long' (talks.yml:2): retrying it" in w for w in plugin_log.warnings)
    cache = cache_files(long_and_short / ".yt2doc")
    assert [sorted(files) for files in cache.values()] == [FILES, FILES]
    assert not list((long_and_short / ".yt2doc").rglob("*.tmp"))
    words = cache[next(k for k in cache if "long" in k)]["transcript.json"]["segments"]
    assert len(" ".join(s["text"] for s in words).split()) > 50  # the whole talk, not a part


@pytest.mark.reliability("fault")
def test_a_talk_that_keeps_killing_its_worker_is_reported_and_the_rest_go_on(
    long_and_short: Path, ray_address: str, plugin_log: PluginLog
) -> None:
    pipeline, executor, catalog = _ray_pipeline(long_and_short, workers=1, retries=1)
    thread, out = _run_in_thread(pipeline, catalog)
    deadline = time.monotonic() + 150
    for _ in range(2):  # the first attempt and its one retry
        _kill_while_transcribing(executor, "long", deadline)
    thread.join(timeout=180)
    assert not thread.is_alive() and out, "the run did not finish"
    jobs = {job.slug: job for job in out[0]}
    assert jobs["long"].failed and jobs["long"].document is None
    assert "its Ray worker died 2 times while processing it" in (jobs["long"].problem or "")
    assert jobs["short"].document is not None and not jobs["short"].failed
    assert executor.stats.workers_lost == 2
    failures = json.loads((long_and_short / ".yt2doc" / "failures.json").read_text())
    assert list(failures["talks"]) == [next(t.url for t in catalog.talks if "long" in t.url)]


def test_without_ray_the_core_works_and_ray_is_asked_for_by_name(
    tmp_path: Path, media_server: MediaServer, whisper_model: str
) -> None:
    """As if the [ray] extra were not installed: `import ray` fails in this process."""
    copy_clip(1, media_server.root / "talk.wav")
    talks = {"talks": [{"url": media_server.url("talk.wav"), "title": "Talk"}]}
    project = tmp_path / "p"
    write_site(project, talks, whisper={"model": whisper_model, "beam_size": 1})
    probe = (
        "import sys; sys.modules['ray'] = None\n"  # import ray -> ImportError
        "from mkdocs_yt2doc.cli import main\n"
        "code = main(sys.argv[1:])\n"
        "assert 'ray' not in {m.split('.')[0] for m in sys.modules if sys.modules[m]}\n"
        "sys.exit(code)\n"
    )

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", probe, *args],
            cwd=project,
            capture_output=True,
            text=True,
            timeout=300,
            env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        )

    asked = run("prefetch", "--ray", "auto")
    assert asked.returncode == 2
    assert "Ray is not installed" in asked.stderr
    assert "mkdocs-yt2doc[transcribe,ray]" in asked.stderr
    assert "Traceback" not in asked.stderr
    local = run("prefetch")
    assert local.returncode == 0, local.stderr
    assert "1 processed, 1 cached in all, 0 failed" in local.stdout
    assert "worker" not in local.stdout


def test_an_unreachable_cluster_is_one_clear_error(
    tmp_path: Path, media_server: MediaServer, whisper_model: str
) -> None:
    pytest.importorskip("ray")
    copy_clip(1, media_server.root / "talk.wav")
    talks = {"talks": [{"url": media_server.url("talk.wav"), "title": "Talk"}]}
    project = tmp_path / "p"
    write_site(project, talks, whisper={"model": whisper_model, "beam_size": 1})
    run = cli("prefetch", "--ray", "127.0.0.1:1", cwd=project)
    assert run.returncode == 2
    assert "cannot connect to the Ray cluster at '127.0.0.1:1'" in run.stderr
    assert "Traceback" not in run.stderr


@pytest.mark.reliability("fault")
def test_ctrl_c_on_the_driver_stops_the_run_and_keeps_finished_talks(
    long_and_short: Path, ray_address: str
) -> None:
    """SIGINT to a `prefetch --ray` while a talk is on a worker: exit 130, the finished talk
    is kept whole, the unfinished one leaves nothing, and a later prefetch completes it."""
    talks = long_and_short / "talks.yml"
    config = yaml.safe_load(talks.read_text())
    config["talks"].reverse()  # the short talk first, the long one is on the worker at Ctrl-C
    talks.write_text(yaml.safe_dump(config))
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mkdocs_yt2doc.cli",
            "prefetch",
            "--ray",
            ray_address,
            "--ray-workers",
            "1",
            "--ray-in-flight",
            "1",
        ],
        cwd=long_and_short,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    cache = long_and_short / ".yt2doc"
    deadline = time.monotonic() + 150
    while not list(cache.glob("*short*/document.json")) and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(1.0)  # the long talk is now on the worker
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=90)
    assert process.returncode == 130, (out, err)
    assert "interrupted: finished talks are kept" in out
    assert "Traceback" not in err
    files = cache_files(cache)
    short = next(k for k in files if "short" in k)
    long = next(k for k in files if "long" in k)
    assert sorted(files[short]) == FILES
    assert "transcript.json" not in files[long] and "document.json" not in files[long]
    assert not list(cache.rglob("*.tmp"))
    cli("prefetch", cwd=long_and_short)  # locally, the rest
    assert set(status_table(cli("status", cwd=long_and_short).stdout).values()) == {"cached"}


def test_ray_workers_hold_one_whisper_cpp_context_each(
    tmp_path: Path, ggml_model: str, ray_address: str
) -> None:
    project = tmp_path / "p"
    for i in range(3):
        copy_clip(i, project / f"talk{i}.wav")
    talks = {"talks": [{"url": f"talk{i}.wav", "title": f"Talk {i}"} for i in range(3)]}
    whisper = {"backend": "whisper.cpp", "model": ggml_model, "beam_size": 1}
    write_site(project, talks, transcribe="never", whisper=whisper)
    run = cli("prefetch", "-v", "--ray", ray_address, "--ray-workers", "1", cwd=project)
    assert run.returncode == 0, run.stderr
    assert "3 processed, 3 cached in all, 0 failed" in run.stdout
    assert run.stderr.count("whisper.cpp model ggml-tiny.en.bin (1 threads), loaded") == 1
    for i in range(3):
        (folder,) = (project / ".yt2doc").glob(f"file-talk{i}-*")
        stored = json.loads((folder / "transcript.json").read_text())
        assert stored["settings"]["backend"] == "whisper.cpp" and stored["segments"]
    assert status_table(cli("status", cwd=project).stdout) == {
        f"talk-{i}": "cached" for i in range(3)
    }
