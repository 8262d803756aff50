"""`mkdocs-yt2doc prefetch | status | render` (and init, build): the pipeline, outside MkDocs.

prefetch fills the cache (on the GPU machine) so that builds only render; status says what
the cache holds; render writes the archive into docs_dir as ordinary files (for Zensical,
MkDocs 2, or any build without the plugin). They read the plugin's options from mkdocs.yml,
or yt2doc.yml beside zensical.toml (project/config_file.py).
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from .archive.search_index import TIMEOUT, SearchIndexError
from .archive.search_shards import SHARD_TALKS, build_index
from .pipeline.run import Pipeline
from .pipeline.settings import Refresh
from .project.commands import add_commands
from .project.config_file import find_config
from .project.config_file import project_settings as _settings
from .records.errors import Yt2DocError
from .records.job import Job
from .status import status, table
from .util.timecode import format_timecode

if TYPE_CHECKING:
    from .scale.cluster import RayExecutor

log = logging.getLogger("mkdocs.plugins.yt2doc")


class _Progress:
    """Two bars (talks, audio minutes) and the current talk, on stderr."""

    def __init__(self, jobs: list[Job]) -> None:
        from tqdm import tqdm

        seconds = sum((j.media.duration or 0) for j in jobs if j.media)
        self.talks = tqdm(total=len(jobs), desc="talks", unit="talk", position=0)
        # counted in seconds, shown in minutes
        self.minutes = tqdm(
            total=seconds or None, desc="audio", unit="min", unit_scale=1 / 60, position=1
        )

    def __call__(self, job: Job, event: str) -> None:
        if event == "start":
            self.talks.set_postfix_str(job.slug[:40])
            return
        self.talks.update(1)
        if job.media and job.media.duration:
            self.minutes.update(job.media.duration)

    def close(self) -> None:
        self.minutes.close()
        self.talks.close()


def _ray_executor(args: argparse.Namespace) -> RayExecutor | None:
    """The Ray executor for --ray; the module (and Ray) is imported only then."""
    if args.ray is None:
        return None
    from .records.settings import RaySettings
    from .scale.cluster import RayExecutor

    return RayExecutor(
        RaySettings(
            address=args.ray,
            workers=args.ray_workers,
            gpus_per_worker=args.ray_gpus_per_worker,
            cpus_per_worker=args.ray_cpus_per_worker,
            in_flight=args.ray_in_flight,
            retries=args.ray_retries,
            structure=args.ray_structure,
        )
    )


def prefetch(
    config_file: str | None,
    only: list[str],
    refresh: Refresh | None,
    out: TextIO,
    executor: RayExecutor | None = None,
) -> int:
    settings, talks_path, talks_name = _settings(config_file)
    # The command exists to process: ignore `transcribe: never` and re-read playlists.
    settings = dataclasses.replace(settings, transcribe="auto", refresh_playlists=True)
    pipeline = Pipeline(settings, executor)
    catalog = settings.load_catalog(talks_path, talks_name)
    queued: list[Job] = []
    processed: list[Job] = []
    progress: _Progress | None = None

    def on_event(job: Job, event: str) -> None:
        nonlocal progress
        if event == "queued":
            queued.append(job)
            return
        if progress is None:
            progress = _Progress(queued)
        if event == "done":
            processed.append(job)
        progress(job, event)

    interrupted = False
    try:
        selected = set(only) if only else None
        jobs = pipeline.run(catalog, only=selected, refresh=refresh, progress=on_event)
    except KeyboardInterrupt:
        interrupted = True
        jobs = processed
    finally:
        if progress is not None:
            progress.close()
    if only:
        unknown = set(only) - {j.slug for j in jobs}
        if unknown and not interrupted:
            out.write(f"no talk with slug {', '.join(sorted(unknown))} (see `status`)\n")
            return 2
    _processed_table(processed, executor is not None, out)
    cached = sum(1 for j in jobs if j.document is not None)
    failed = sum(1 for j in jobs if j.failed)
    out.write(f"\n{len(processed)} processed, {cached} cached in all, {failed} failed\n")
    if executor is not None and processed:
        stats = executor.stats
        out.write(
            f"Ray: {stats.workers} workers, {stats.workers_lost} lost, {stats.retries} talks "
            f"retried; driver {stats.driver_seconds_per_talk * 1000:.0f} ms per talk\n"
        )
    if interrupted:
        out.write("interrupted: finished talks are kept; run prefetch again to continue\n")
        return 130
    return 1 if failed else 0


def _processed_table(processed: list[Job], on_ray: bool, out: TextIO) -> None:
    if not processed:
        return
    rows = [("talk", "duration", "seconds", "realtime", *(("worker",) if on_ray else ()), "status")]
    for job in processed:
        duration = job.media.duration if job.media and job.media.duration else 0.0
        speed = f"{duration / job.seconds:.1f}x" if job.seconds and duration else ""
        state = f"failed: {job.problem}" if job.problem else "done"
        worker = (job.worker or "",) if on_ray else ()
        rows.append(
            (job.slug, format_timecode(duration), f"{job.seconds:.1f}", speed, *worker, state)
        )
    table(rows, out)


def _add_ray_options(command: argparse.ArgumentParser) -> None:
    ray = command.add_argument_group(
        "scale-out on Ray", 'needs the Ray extra: pip install "mkdocs-yt2doc[transcribe,ray]"'
    )
    ray.add_argument(
        "--ray", metavar="ADDRESS",
        help="process the talks on a Ray cluster: auto (the running cluster), "
        "ray://HOST:10001 (Ray Client), HOST:6379, or local (a private one on this machine)",
    )  # fmt: skip
    ray.add_argument(
        "--ray-workers", type=int, metavar="N",
        help="workers (each loads one Whisper model); default: as many as fit, one per talk "
        "at most",
    )  # fmt: skip
    ray.add_argument(
        "--ray-gpus-per-worker", type=float, metavar="GPUS",
        help="GPUs per worker (0.5: two per GPU); default 1 when the cluster has GPUs, else 0",
    )  # fmt: skip
    ray.add_argument(
        "--ray-cpus-per-worker", type=float, default=1.0, metavar="CPUS",
        help="CPUs per worker, and CTranslate2's threads on CPU workers (default 1)",
    )  # fmt: skip
    ray.add_argument(
        "--ray-in-flight", type=int, default=2, metavar="N",
        help="talks sent to a worker at once: one transcribing, the rest downloading (default 2)",
    )  # fmt: skip
    ray.add_argument(
        "--ray-retries", type=int, default=2, metavar="N",
        help="further attempts for a talk whose worker died (default 2)",
    )  # fmt: skip
    ray.add_argument(
        "--ray-structure", choices=["workers", "driver"], default="workers",
        help="where paragraphs and chapters (SaT, LLM) are made (default: workers, which must "
        "reach llm.host)",
    )  # fmt: skip


def index(site_dir: str, out: TextIO, timeout: float, shard_talks: int = SHARD_TALKS) -> int:
    try:
        done = build_index(Path(site_dir), timeout, shard_talks)
    except SearchIndexError as exc:
        raise Yt2DocError(f"the search index was not built: {exc}") from None
    out.write(
        f"Pagefind indexed {done.pages} pages of {site_dir} in {done.seconds:.1f} s "
        f"({done.bytes / 2**20:.1f} MiB in {Path(site_dir) / 'pagefind'})\n"
    )
    return 0


def _seconds(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        seconds = 0.0
    if not 0 < seconds < float("inf"):
        raise argparse.ArgumentTypeError(f"a number of seconds above 0, not {text!r}")
    return seconds


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="mkdocs-yt2doc", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    for name, text in (
        ("prefetch", "process every uncached talk"),
        ("status", "show the cache"),
        ("render", "write the archive's pages into docs_dir, for builds without the plugin"),
        ("correct", "write a talk's corrections file (corrections/SLUG.md) to edit"),
        ("index", "build the Pagefind search index of a built site (Zensical, any generator)"),
    ):
        command = sub.add_parser(name, help=text)
        if name == "index":
            command.add_argument("site_dir", metavar="SITE_DIR", help="the built site's folder")
            command.add_argument(
                "--timeout", type=_seconds, default=TIMEOUT, metavar="SECONDS",
                help=f"stop Pagefind after this long, saying why (default {TIMEOUT:g}, as the "
                "plugin's search_timeout)",
            )  # fmt: skip
            command.add_argument("--shard-talks", type=int, default=SHARD_TALKS, metavar="N",
                                 help=f"talks per shard, each indexed alone (default {SHARD_TALKS},"
                                 " as search_shard_talks; 0: one index)")  # fmt: skip
        else:
            command.add_argument(
                "-f", "--config-file", metavar="CONFIG",
                help="mkdocs.yml, zensical.toml or yt2doc.yml (default: a mkdocs.yml using the "
                "plugin here, else zensical.toml, else yt2doc.yml); zensical.toml and a "
                "mkdocs.yml without the plugin take the options from yt2doc.yml beside them",
            )  # fmt: skip
        if name == "render":
            command.add_argument(
                "--out", metavar="DIR",
                help="where to write (inside the site's folder); default <docs_dir>/<output_dir>",
            )  # fmt: skip
        command.add_argument("-v", "--verbose", action="store_true", help="log each step")
        if name == "correct":
            command.add_argument("slug", metavar="SLUG", help="the talk's page name")
        if name == "prefetch":
            command.add_argument("--only", nargs="+", default=[], metavar="SLUG")
            redo = command.add_mutually_exclusive_group()
            redo.add_argument(
                "--refresh", action="store_const", const="all", dest="refresh",
                help="redo the selected talks from the audio on",
            )  # fmt: skip
            redo.add_argument(
                "--refresh-structure", action="store_const", const="structure", dest="refresh",
                help="redo paragraphs and chapters (SaT, LLM) only, not the transcripts",
            )  # fmt: skip
            _add_ray_options(command)
    add_commands(sub)
    args = parser.parse_args(argv)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s - %(message)s"))
    mkdocs_log = logging.getLogger("mkdocs")
    mkdocs_log.addHandler(handler)
    mkdocs_log.setLevel(logging.DEBUG if args.verbose else logging.WARNING)
    try:
        if "run" in args:  # init, build
            return int(args.run(args, sys.stdout))
        if args.command == "index":
            return index(args.site_dir, sys.stdout, args.timeout, args.shard_talks)
        if args.command == "render":
            from .publish import render

            return render(args.config_file or find_config(), args.out, sys.stdout)
        if args.command == "status":
            return status(*_settings(args.config_file), sys.stdout)
        if args.command == "correct":
            from .correct import correct

            settings, talks_path, talks_name = _settings(args.config_file)
            return correct(settings, str(talks_path), talks_name, args.slug, sys.stdout)
        return prefetch(args.config_file, args.only, args.refresh, sys.stdout, _ray_executor(args))
    except Yt2DocError as exc:
        sys.stderr.write(f"mkdocs-yt2doc: {exc}\n")
        return 2


if __name__ == "__main__":
    sys.exit(main())
