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
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mkdocs_yt2doc.cache.store import CAPTIONS, DOCUMENT, MEDIA, TRANSCRIPT, Store  # noqa: E402
from mkdocs_yt2doc.document.captions import caption_cues, srt, vtt  # noqa: E402
from mkdocs_yt2doc.document.chapters import DOCUMENT_FORMAT  # noqa: E402
from mkdocs_yt2doc.records.transcript import Word  # noqa: E402

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


# Events, speakers and tags for `metadata=True`: about 50 talks an event, events spread over
# ten years (two series a year at N=1,000, twenty at N=10,000), 1-3 speakers a talk.
SERIES = (
    "Parser Days", "Cache Conf", "Runtime Summit", "Stream Week", "Vector Forum",
    "Schema Camp", "Thread Meetup", "Socket Summit", "Deploy Days", "Matrix Conf",
    "Module Forum", "Buffer Week", "Query Camp", "Kernel Days", "Pipeline Conf",
    "Compiler Night", "Cluster Summit", "Token Forum", "Latency Camp", "Protocol Days",
)  # fmt: skip
FIRST = (
    "Ada", "Ben", "Chiara", "Dmitri", "Elif", "Farah", "Goran", "Hana", "Ines", "Jonas",
    "Kofi", "Lena", "Mateo", "Nadia", "Oskar", "Priya", "Quentin", "Rosa", "Sven", "Tomoko",
    "Uma", "Viktor", "Wen", "Ximena", "Yusuf", "Zoe", "Amir", "Bea", "Carlos", "Dana",
)  # fmt: skip
LAST = (
    "Abara", "Berg", "Castro", "Dubois", "Eriksen", "Fischer", "Garcia", "Haddad", "Ito",
    "Jensen", "Kowalski", "Larsen", "Moreau", "Nakamura", "Okafor", "Petrov", "Quinn", "Rossi",
    "Schmidt", "Tanaka", "Usman", "Varga", "Weber", "Xu", "Yilmaz", "Zhang", "Almeida",
    "Brennan", "Costa", "Dahl", "Engel", "Ferreira", "Gomez", "Horvath", "Iqbal", "Juarez",
    "Kim", "Lindqvist", "Mensah", "Novak",
)  # fmt: skip


def talk_metadata(n: int, seed: int = 1) -> dict[str, object]:
    """Talk n's event, date, speakers and tags (talks.yml fields), the same whatever N."""
    rng = random.Random(seed * 7_919 + n)
    event = n // 50
    year = 2016 + event % 10
    series = SERIES[(event // 10) % len(SERIES)]
    month, day = 1 + (event * 7) % 12, 1 + (event * 5) % 26 + n % 3  # a three-day event
    count = rng.choices((1, 2, 3), weights=(70, 20, 10))[0]
    speakers = [f"{FIRST[i % len(FIRST)]} {LAST[i // len(FIRST)]}"
                for i in rng.sample(range(len(FIRST) * len(LAST)), count)]  # fmt: skip
    return {
        "event": f"{series} {year}",
        "date": f"{year}-{month:02d}-{day:02d}",
        "speakers": speakers,
        "tags": rng.sample(WORDS, rng.randint(1, 3)),
    }


_ENGLISH: tuple[list[str], list[float]] = ([], [])
# Words left out of the generated text (page titles included): crude ones.
_CRUDE = re.compile(
    r"fuck|shit|cunt|bitch|nigg|fag|slut|whore|twat|wank|porn|rape|cock|puss|dick|boob|penis|"
    r"vagin|dildo|horny|nazi|turd|retard|^tits?$|^ass(es|hole|holes)?$|^sex"
)


def english_words() -> tuple[list[str], list[float]]:
    """The 30,000 commonest English words (wordfreq, from the [transcribe] extra) and their
    cumulative frequencies: text drawn from them has the word frequencies of real English."""
    if not _ENGLISH[0]:
        try:
            import wordfreq
        except ImportError:
            raise SystemExit("text='english' needs wordfreq: pip install wordfreq") from None
        listed = wordfreq.top_n_list("en", 32_000)
        words = [w for w in listed if w.isalpha() and not _CRUDE.search(w)][:30_000]
        total = 0.0
        for word in words:
            total += wordfreq.word_frequency(word, "en")
            _ENGLISH[0].append(word)
            _ENGLISH[1].append(total)
    return _ENGLISH


@dataclass(frozen=True)
class TalkText:
    title: str
    description: str
    summary: str
    paragraphs: list[str]  # 60
    chapters: list[str]  # 10 titles
    tag: str


def english_talk(n: int, seed: int = 1) -> TalkText:
    """Talk n in English-like text (the same whatever N): words drawn by their frequency in
    English, one word in eight from the talk's own 40 topic words (rarer ones, said again
    and again, as a talk's subject is), about 7,000 words in 60 paragraphs."""
    words, weights = english_words()
    rng = random.Random(seed * 1_000_003 + n)
    topic = rng.sample(words[2000:], 40)

    def line() -> str:
        said = rng.choices(words, cum_weights=weights, k=rng.randint(8, 18))
        said = [rng.choice(topic) if rng.random() < 0.125 else w for w in said]
        return " ".join(said).capitalize() + "."

    paragraphs = [" ".join(line() for _ in range(rng.randint(8, 10))) for _ in range(60)]
    return TalkText(
        title=f"Talk {n}: {topic[0]} and {topic[1]}",
        description=line(),
        summary=line(),
        paragraphs=paragraphs,
        chapters=[f"{topic[2 + i].title()} and {topic[12 + i]}" for i in range(10)],
        tag=topic[3],
    )


def timed(texts: list[str]) -> tuple[list[dict[str, Any]], list[dict[str, Any]], float]:
    """Paragraphs and words timed as speech (0.39 s a word), and the talk's duration."""
    paragraphs, words, t = [], [], 0.0
    for text in texts:
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
    return paragraphs, words, t


def media_json(n: int, title: str, description: str, duration: float) -> dict[str, Any]:
    video = f"v{n:09d}x"  # an 11-character YouTube-like id
    url = f"https://www.youtube.com/watch?v={video}"
    return {
        "key": f"youtube-{video}", "url": url, "webpage_url": url, "extractor": "youtube",
        "id": video, "title": title, "uploader": "Conf", "duration": round(duration, 2),
        "upload_date": "20260514", "description": description, "thumbnail": None,
        "chapters": [],
    }  # fmt: skip


def document_json(
    paragraphs: list[dict[str, Any]], titles: list[str], summary: str
) -> dict[str, Any]:
    chapters = [
        {
            "start": paragraphs[i * 6]["start"],
            "title": title,
            "first_paragraph": i * 6,
            "anchor": f"chapter-{i + 1}",
        }
        for i, title in enumerate(titles)
    ]
    return {
        "chapter_origin": "llm", "inputs": {"chapters": [], "source": "auto",
                                            "format": DOCUMENT_FORMAT},
        "transcript_digest": "", "paragrapher": "bench", "summary": summary,
        "chapters": chapters, "paragraphs": paragraphs, "language": "en",
    }  # fmt: skip


def make_archive(
    folder: Path,
    count: int,
    seed: int = 1,
    cap: int = 0,
    *,
    text: str = "bench",
    metadata: bool = False,
    search: str | None = None,
    workers: int = 1,
) -> None:
    """`count` cached talks (media, transcript, document) and a talks.yml listing them.
    `text`: "bench" (a 59-word vocabulary) or "english" (`english_talk`); `metadata`: events,
    dates, several speakers and tags (`talk_metadata`); `search`: the plugin's option.
    `workers`: processes writing english talks (each talk has its own seed, so the archive
    is the same whatever the number; 10,000 talks take ~10 min in one)."""
    if text == "english" and workers > 1 and count > 1:
        from concurrent.futures import ProcessPoolExecutor

        bounds = [count * w // workers for w in range(workers + 1)]
        with ProcessPoolExecutor(workers) as pool:
            parts = list(pool.map(
                _english_talks, [folder] * workers, bounds[:-1], bounds[1:],
                [seed] * workers, [metadata] * workers,
            ))  # fmt: skip
        urls = [u for part in parts for u in part[0]]
        sources = {k: v for part in parts for k, v in part[1].items()}
        _archive_files(folder, urls, sources, cap, search)
        return
    urls, sources = _write_talks(folder, 0, count, seed, text, metadata)
    _archive_files(folder, urls, sources, cap, search)


def _english_talks(
    folder: Path, first: int, last: int, seed: int, metadata: bool
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    return _write_talks(folder, first, last, seed, "english", metadata)


def _write_talks(
    folder: Path, first: int, last: int, seed: int, text: str, metadata: bool
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Talks first..last-1 written into the cache: their talks.yml entries and sources."""
    rng = random.Random(seed)
    store = Store(folder / ".yt2doc")
    urls: list[dict[str, Any]] = []
    sources: dict[str, Any] = {}
    for n in range(first, last):
        video = f"v{n:09d}x"  # an 11-character YouTube-like id
        key, url = f"youtube-{video}", f"https://www.youtube.com/watch?v={video}"
        entry: dict[str, Any] = {"url": url, "speakers": [f"Speaker {n % 97}"]}
        if text == "english":
            talk = english_talk(n, seed)
            entry["tags"] = [talk.tag]
        else:  # one stream of random numbers for the whole archive, as it always was
            entry["tags"] = [rng.choice(WORDS)]
            texts = [" ".join(sentence(rng) for _ in range(rng.randint(8, 10))) for _ in range(60)]
            titles = [f"{rng.choice(WORDS).title()} and {rng.choice(WORDS)}" for _ in range(10)]
            name = f"Talk {n}: {rng.choice(WORDS)} at scale"
            talk = TalkText(name, sentence(rng), sentence(rng), texts, titles, "")
        if metadata:
            entry.update(talk_metadata(n, seed))
        urls.append(entry)
        sources[url] = {"playlist": False, "entries": [{"url": url, "title": None, "key": key}]}
        paragraphs, words, t = timed(talk.paragraphs)
        store.write(key, MEDIA, media_json(n, talk.title, talk.description, t))
        store.write(key, TRANSCRIPT, {
            "language": "en", "duration": round(t, 2), "settings": {}, "versions": {},
            "segments": [{"start": 0.0, "end": round(t, 2), "text": "", "words": words}],
        })  # fmt: skip
        cues = caption_cues([Word(w["start"], w["end"], w["text"], w["p"]) for w in words])
        store.write_text(key, CAPTIONS["srt"], srt(cues))
        store.write_text(key, CAPTIONS["vtt"], vtt(cues))
        store.write(key, DOCUMENT, document_json(paragraphs, talk.chapters, talk.summary))
    return urls, sources


def _archive_files(
    folder: Path, urls: list[dict[str, Any]], sources: dict[str, Any], cap: int, search: str | None
) -> None:
    Store(folder / ".yt2doc").write_sources(sources)
    (folder / "docs").mkdir(parents=True, exist_ok=True)
    (folder / "docs" / "index.md").write_text("# Archive\n")
    import yaml

    (folder / "talks.yml").write_text(yaml.safe_dump({"talks": urls}))
    (folder / "mkdocs.yml").write_text(
        "site_name: Scale\ntheme:\n  name: material\nplugins:\n  - search\n  - yt2doc:\n"
        f"      talks: talks.yml\n      transcribe: never\n      search_words_per_chapter: {cap}\n"
        + (f"      search: {search}\n" if search else "")
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
