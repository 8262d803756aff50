"""A cached archive at scale: what does the plugin add to a build of N talks?

    python bench/build_scale.py [--sizes 100 300 1000] [--repeat 3]

Generates N cached talks in the cache's own format (each shaped like a 45-minute talk: about
7,000 words in 60 paragraphs under 10 chapters, with metadata), builds the site with Material +
search + the plugin (`transcribe: never`), and builds the same site written out as plain
files (every page, index page, download and asset the plugin generates) without the plugin.
Each build runs in a fresh process. Prints medians of wall time,
their ratio, peak memory (max RSS), the size of search_index.json and of the built site.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mkdocs_yt2doc.captions import caption_cues, srt, vtt  # noqa: E402
from mkdocs_yt2doc.chapters import DOCUMENT_FORMAT  # noqa: E402
from mkdocs_yt2doc.store import CAPTIONS, DOCUMENT, MEDIA, TRANSCRIPT, Store  # noqa: E402
from mkdocs_yt2doc.transcribe import Word  # noqa: E402

WORDS = [
    "parser",
    "grammar",
    "token",
    "stream",
    "memory",
    "cache",
    "latency",
    "thread",
    "compiler",
    "runtime",
    "garbage",
    "collector",
    "module",
    "package",
    "import",
    "test",
    "fixture",
    "build",
    "deploy",
    "server",
    "client",
    "request",
    "response",
    "database",
    "index",
    "query",
    "schema",
    "migration",
    "container",
    "cluster",
    "network",
    "socket",
    "protocol",
    "buffer",
    "vector",
    "matrix",
    "model",
    "training",
    "dataset",
    "feature",
    "pipeline",
    "stage",
]
FILLER = "the a of to and in that is for it with as on we this you can".split()  # noqa: SIM905

_BUILD = """
import json, resource, sys, time
started = time.perf_counter()
from mkdocs.commands.build import build
from mkdocs.config import load_config
build(load_config(sys.argv[1]))
taken = time.perf_counter() - started
usage = resource.getrusage(resource.RUSAGE_SELF)
cpu = usage.ru_utime + usage.ru_stime  # robust to other load on the machine
print(json.dumps({"seconds": taken, "cpu": cpu, "peak_mib": usage.ru_maxrss / 1024}))
"""


def sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS if rng.random() < 0.4 else FILLER) for _ in range(rng.randint(8, 18))]
    return " ".join(words).capitalize() + "."


def make_archive(folder: Path, count: int, seed: int = 1, cap: int = 0) -> None:
    """`count` cached talks (media, transcript, document) and a talks.yml listing them."""
    rng = random.Random(seed)
    store = Store(folder / ".yt2doc")
    urls, sources = [], {}
    for n in range(count):
        video = f"v{n:09d}x"  # an 11-character YouTube-like id
        key, url = f"youtube-{video}", f"https://www.youtube.com/watch?v={video}"
        urls.append({"url": url, "speakers": [f"Speaker {n % 97}"], "tags": [rng.choice(WORDS)]})
        sources[url] = {"playlist": False, "entries": [{"url": url, "title": None, "key": key}]}
        paragraphs, words, t = [], [], 0.0
        for _ in range(60):
            text = " ".join(sentence(rng) for _ in range(rng.randint(8, 10)))
            start = t
            for word in text.split():
                words.append(
                    {"start": round(t, 2), "end": round(t + 0.3, 2), "text": " " + word, "p": 0.9}
                )
                t += 0.39
            paragraphs.append(
                {
                    "start": round(start, 2),
                    "end": round(t, 2),
                    "text": text,
                    "first_word": len(words) - len(text.split()),
                    "last_word": len(words) - 1,
                }
            )
        chapters = [
            {
                "start": paragraphs[i * 6]["start"],
                "title": f"{rng.choice(WORDS).title()} and {rng.choice(WORDS)}",
                "first_paragraph": i * 6,
                "anchor": f"chapter-{i + 1}",
            }
            for i in range(10)
        ]
        store.write(key, MEDIA, {
            "key": key, "url": url, "webpage_url": url, "extractor": "youtube", "id": video,
            "title": f"Talk {n}: {rng.choice(WORDS)} at scale", "uploader": "Conf",
            "duration": round(t, 2), "upload_date": "20260514", "description": sentence(rng),
            "thumbnail": None, "chapters": [],
        })  # fmt: skip
        store.write(key, TRANSCRIPT, {
            "language": "en", "duration": round(t, 2), "settings": {}, "versions": {},
            "segments": [{"start": 0.0, "end": round(t, 2), "text": "", "words": words}],
        })  # fmt: skip
        cues = caption_cues([Word(w["start"], w["end"], w["text"], w["p"]) for w in words])
        store.write_text(key, CAPTIONS["srt"], srt(cues))
        store.write_text(key, CAPTIONS["vtt"], vtt(cues))
        store.write(key, DOCUMENT, {
            "chapter_origin": "llm", "inputs": {"chapters": [], "source": "auto",
                                                "format": DOCUMENT_FORMAT},
            "transcript_digest": "", "paragrapher": "bench", "summary": sentence(rng),
            "chapters": chapters, "paragraphs": paragraphs, "language": "en",
        })  # fmt: skip
    store.write_sources(sources)
    (folder / "docs").mkdir(parents=True, exist_ok=True)
    (folder / "docs" / "index.md").write_text("# Archive\n")
    import yaml

    (folder / "talks.yml").write_text(yaml.safe_dump({"talks": urls}))
    (folder / "mkdocs.yml").write_text(
        "site_name: Scale\ntheme:\n  name: material\nplugins:\n  - search\n  - yt2doc:\n"
        f"      talks: talks.yml\n      transcribe: never\n      search_words_per_chapter: {cap}\n"
    )


def plain_copy(folder: Path, plain: Path) -> None:
    """The same site written out by hand: every page, download and asset the plugin generates,
    as plain files, for a build without the plugin."""
    from mkdocs.config import load_config
    from mkdocs.structure.files import Files

    config = load_config(str(folder / "mkdocs.yml"))
    config = config.plugins.on_config(config)
    for file in config.plugins.on_files(Files([]), config=config):
        target = plain / "docs" / file.src_uri
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(file.content_bytes)
    shutil.copy(folder / "docs" / "index.md", plain / "docs" / "index.md")
    extras = "".join(f"  - {css}\n" for css in config.extra_css)
    scripts = "".join(f"  - {js}\n" for js in config.extra_javascript)
    (plain / "mkdocs.yml").write_text(
        "site_name: Scale\ntheme:\n  name: material\nplugins:\n  - search\n"
        f"markdown_extensions:\n  - attr_list\nextra_css:\n{extras}extra_javascript:\n{scripts}"
    )


def build(config: Path) -> dict[str, float]:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run(
        [sys.executable, "-c", _BUILD, str(config)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def size_mib(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 300, 1000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--search-words-per-chapter",
        type=int,
        default=0,
        metavar="N",
        help="the plugin's option: index only N words of each chapter",
    )
    args = parser.parse_args()
    ratios = {}
    print(
        f"{'N':>5} {'plugin s':>9} {'plain s':>8} {'plugin cpu':>10} {'plain cpu':>9} "
        f"{'ratio':>6} {'peak MiB':>9} "
        f"{'plain MiB':>9} {'index MiB':>9} {'site MiB':>8}"
    )
    for count in args.sizes:
        work = Path(tempfile.mkdtemp(prefix=f"yt2doc-scale-{count}-"))
        make_archive(work / "with", count, cap=args.search_words_per_chapter)
        plain_copy(work / "with", work / "plain")
        # Interleaved pairs: a drift in the machine's speed (other tenants) hits both alike.
        runs, plains = [], []
        for _ in range(args.repeat):
            runs.append(build(work / "with" / "mkdocs.yml"))
            plains.append(build(work / "plain" / "mkdocs.yml"))
        t_with = statistics.median(r["seconds"] for r in runs)
        t_plain = statistics.median(r["seconds"] for r in plains)
        c_with = statistics.median(r["cpu"] for r in runs)
        c_plain = statistics.median(r["cpu"] for r in plains)
        index = (work / "with" / "site" / "search" / "search_index.json").stat().st_size / 2**20
        pairs = sorted(r["cpu"] / p["cpu"] for r, p in zip(runs, plains, strict=True))
        ratios[count] = statistics.median(pairs)
        shown = ", ".join(f"{x:.3f}" for x in pairs)
        print(f"  CPU-time ratio of each pair at N={count}: {shown}")
        print(
            f"{count:>5} {t_with:>9.2f} {t_plain:>8.2f} {c_with:>10.2f} {c_plain:>9.2f} "
            f"{ratios[count]:>6.3f} "
            f"{max(r['peak_mib'] for r in runs):>9.0f} "
            f"{max(r['peak_mib'] for r in plains):>9.0f} {index:>9.1f} "
            f"{size_mib(work / 'with' / 'site'):>8.1f}",
            flush=True,
        )
        shutil.rmtree(work)
    for count, ratio in ratios.items():
        print(
            f"CPU-time ratio plugin/plain at N={count} = {ratio:.3f} (median of pairs)"
            + ("   (goal <= 1.10)" if count == 300 else "")
        )


if __name__ == "__main__":
    main()
