"""search_scale.py's sites: a real build of N cached talks, or N talk pages generated
straight into a site folder (the real build's theme page around the plugin's own pages)."""

from __future__ import annotations

import gzip
import html
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.build_scale import (  # noqa: E402
    document_json,
    english_talk,
    english_words,
    make_archive,
    media_json,
    talk_metadata,
    timed,
)
from mkdocs_yt2doc.util.names import slugify  # noqa: E402

# This repository's package, also in the builds' own processes.
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": str(ROOT)}
SEED = 1
KIB, MIB = 1024, 2**20

# The command's peak memory (max RSS of its largest process: MkDocs or the Pagefind binary)
# and the CPU time of it and its children, from a wrapper of its own.
_RUN = str(ROOT / "bench" / "measured_run.py")
# The index alone: build_index in a fresh process; the Pagefind binary is its only child.
_INDEX = """
import json, resource, sys
from pathlib import Path
from mkdocs_yt2doc.archive.search_shards import build_index
done = build_index(Path(sys.argv[1]), shard_talks=int(sys.argv[2]))
me, kid = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"pages": done.pages, "seconds": done.seconds, "bytes": done.bytes,
                  "binary_peak_mib": done.peak_mib,
                  "cpu": kid.ru_utime + kid.ru_stime + me.ru_utime + me.ru_stime,
                  "peak_mib": kid.ru_maxrss / 1024, "python_mib": me.ru_maxrss / 1024}))
"""
_LOGGED = re.compile(
    r"Pagefind indexed (\d+) pages \(([\d.]+) MiB, (\d+) shards?, in ([\d.]+) s; its largest "
    r"binary's peak (\d+) MiB\); the build waited ([\d.]+) s"
)
COMPARE_UP_TO = 1000  # sizes built again without the index and indexed again alone
# The same build with Pagefind's step left out: what the index adds to a build is the
# difference (Pagefind reads the pages while MkDocs writes them, on the cores MkDocs leaves).
_NO_INDEX = """
import sys
from mkdocs.__main__ import cli
from mkdocs_yt2doc.plugin import Yt2DocPlugin
Yt2DocPlugin._live_index = lambda self, config: None
sys.exit(cli(sys.argv[1:]))
"""


def run(command: list[str], cwd: Path) -> dict[str, Any]:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, _RUN, *command], cwd=cwd, env=ENV, capture_output=True, text=True
    )
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{command} failed: {done.stderr[-2000:]}")
    result = dict(json.loads(done.stdout.strip().splitlines()[-1]))
    if result["rc"] != 0:
        raise SystemExit(f"{command} failed ({result['rc']}): {result['err'][-3000:]}")
    return {**result, "wall": wall}


def index_alone(site: Path, shard_talks: int | None = None) -> dict[str, Any]:
    """The index alone, in shards of `shard_talks` (default: the plugin's)."""
    from mkdocs_yt2doc.archive.search_shards import SHARD_TALKS

    talks = str(SHARD_TALKS if shard_talks is None else shard_talks)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _INDEX, str(site), talks], env=ENV, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise SystemExit(f"indexing {site} failed: {done.stderr[-3000:]}")
    result = dict(json.loads(done.stdout.strip().splitlines()[-1]))
    return {**result, "wall": time.perf_counter() - started}


def folder_bytes(path: Path) -> tuple[int, int]:
    files = [f for f in path.rglob("*") if f.is_file()]
    return sum(f.stat().st_size for f in files), len(files)


# -- the queries ----------------------------------------------------------------------------


def phrase(n: int, paragraph: int) -> str:
    """Four words said one after the other in talk n, two of them or more rarer than the
    3,000 commonest English words: a phrase a reader might remember."""
    words, _ = english_words()
    rank = {w: i for i, w in enumerate(words)}
    said = [w.strip(".").lower() for w in english_talk(n, SEED).paragraphs[paragraph].split()]
    for at in range(len(said) - 3):
        window = said[at : at + 4]
        if sum(rank.get(w, 0) >= 3000 for w in window) >= 2 and len(set(window)) == 4:
            return " ".join(window)
    return " ".join(said[:4])


def broad_word(visit: int) -> str:
    """A common word, said in nearly every talk: the most results, the largest index chunk."""
    words, _ = english_words()
    return [w for w in words[200:400] if len(w) >= 6][visit]


def queries_for(count: int, visits: int) -> list[list[str]]:
    """Each visit's three queries, its own: a phrase from one talk, one from another, and a
    common word (the same visits at every size, where the talks exist)."""
    return [
        [phrase((37 + 100 * v) % count, 25), phrase((11 + 100 * v) % count, 40), broad_word(v)]
        for v in range(visits)
    ]


# -- the real build -------------------------------------------------------------------------


@dataclass
class Site:
    count: int
    root: Path  # the built (or generated) site
    real: bool
    figures: dict[str, Any] = field(default_factory=dict)
    material: Path | None = None  # the same archive built with `search: material`
    requested: int = 0  # the size asked for, when this one was measured in its place


def talk_slug(n: int) -> str:
    return slugify(english_talk(n, SEED).title)


def real_build(work: Path, count: int, material: bool, compare: bool = True) -> Site:
    """One real `mkdocs build` of `count` cached talks (written first, two processes); with
    `compare`, also built without the index and indexed again alone (3 builds' time)."""
    project = work / f"archive-{count}"
    started = time.perf_counter()
    make_archive(project, count, SEED, text="english", metadata=True, workers=2)
    print(f"  {count} cached talks written in {time.perf_counter() - started:.1f} s", flush=True)
    built = run([sys.executable, "-m", "mkdocs", "build", "-d", "site"], project)
    logged = _LOGGED.search(built["err"])
    if logged is None:
        raise SystemExit(f"the build did not index the site: {built['err'][-2000:]}")
    if compare:
        bare = run([sys.executable, "-c", _NO_INDEX, "build", "-d", "site-no-index"], project)
        shutil.rmtree(project / "site-no-index", ignore_errors=True)
    else:  # (the index's part: from the build's own log)
        bare = {"wall": built["wall"] - float(logged[6])}
    site = project / "site"
    pages = [site / "talks" / talk_slug(n) / "index.html" for n in range(count)]
    page_sizes = sorted(p.stat().st_size for p in pages)
    index_bytes, index_files = folder_bytes(site / "pagefind")
    site_bytes, _ = folder_bytes(site)
    figures: dict[str, Any] = {
        "build_wall": built["wall"],
        "build_cpu": built["cpu"],
        "build_peak_mib": built["peak_mib"],
        "build_tree_peak_mib": built["tree_peak_mib"],
        "index_in_build_s": built["wall"] - bare["wall"],
        "build_waited_s": float(logged[6]),
        "build_shards": int(logged[3]),
        "build_no_index_wall": bare["wall"],
        "site_bytes": site_bytes,
        "page_bytes": page_sizes[len(page_sizes) // 2],
        "page_bytes_max": page_sizes[-1],
    }
    print(
        f"  mkdocs build (plugin, search: pagefind): {built['wall']:.1f} s wall, "
        f"{built['cpu']:.1f} s CPU, peak {built['peak_mib']:.0f} MiB (largest process; the "
        f"process tree together {built['tree_peak_mib']:.0f} MiB); without the index "
        f"{bare['wall']:.1f} s: Pagefind's part {built['wall'] - bare['wall']:.1f} s "
        f"({(built['wall'] - bare['wall']) / built['wall']:.0%} of the build; the build waited "
        f"{float(logged[6]):.1f} s for it after its last page; {logged[3]} shards); "
        f"site {site_bytes / MIB:.1f} MiB, a talk page {page_sizes[len(page_sizes) // 2] / KIB:.0f}"
        f" KiB (median; largest {page_sizes[-1] / KIB:.0f} KiB)",
        flush=True,
    )
    logged_index = {
        "pages": int(logged[1]), "seconds": float(logged[4]), "cpu": float("nan"),
        "peak_mib": float(logged[5]),
    }  # fmt: skip
    alone = None if compare else logged_index
    figures.update(index_figures(site, index_bytes, index_files, alone))
    result = Site(count, site, True, figures)
    if material:
        config = project / "mkdocs.yml"
        config.write_text(config.read_text() + "      search: material\n")
        built = run([sys.executable, "-m", "mkdocs", "build", "-d", "site-material"], project)
        result.material = project / "site-material"
        index = result.material / "search" / "search_index.json"
        raw = index.read_bytes()
        figures["material"] = {
            "build_wall": built["wall"],
            "build_cpu": built["cpu"],
            "index_bytes": len(raw),
            "index_gzip": len(gzip.compress(raw, 6)),
            "site_bytes": folder_bytes(result.material)[0],
        }
        print(
            f"  mkdocs build (search: material): {built['wall']:.1f} s wall, {built['cpu']:.1f} s"
            f" CPU; search_index.json {len(raw) / MIB:.1f} MiB "
            f"(gzip {figures['material']['index_gzip'] / MIB:.1f} MiB)",
            flush=True,
        )
    return result


def fragments(site: Path, sample: int = 200) -> tuple[float, float]:
    """What a result costs (median gzipped sizes): its talk's fragment, which holds no text
    (search_fragments.py), and the part of the text its hit is in."""
    stubs = sorted((site / "pagefind").rglob("fragment/*.pf_fragment"))
    parts = sorted((site / "pagefind").rglob("yt2doc-text/*.pf_fragment"))
    sizes = [f.stat().st_size for f in stubs[:: max(1, len(stubs) // sample)]]
    part_sizes = [f.stat().st_size for f in parts[:: max(1, len(parts) // sample)]]
    return statistics.median(sizes or [0]), statistics.median(part_sizes or [0])


def index_figures(
    site: Path, index_bytes: int = 0, index_files: int = 0, alone: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The index's figures: from building it again alone, or `alone` (the build's log)."""
    how = "in the build (" if alone else "alone (build_index, "
    alone = alone or index_alone(site)
    if not index_bytes:
        index_bytes, index_files = folder_bytes(site / "pagefind")
    fragment, part = fragments(site)
    print(
        f"  index {how}{alone['pages']} pages): {alone['seconds']:.1f} s wall, "
        f"{alone['cpu']:.1f} s CPU, Pagefind's peak {alone['peak_mib']:.0f} MiB "
        f"({alone['peak_mib'] / alone['pages']:.2f} MiB a page); index "
        f"{index_bytes / MIB:.1f} MiB in {index_files} files; a result: its talk's fragment "
        f"{fragment / KIB:.1f} KiB and a part of its text {part / KIB:.1f} KiB (medians)",
        flush=True,
    )
    return {
        "index_s": alone["seconds"],
        "index_cpu": alone["cpu"],
        "index_peak_mib": alone["peak_mib"],
        "index_bytes": index_bytes,
        "index_files": index_files,
        "index_pages": alone["pages"],
        "fragment_bytes": fragment + part,
        "stub_bytes": fragment,
        "part_bytes": part,
    }


# -- pages generated into a site folder -----------------------------------------------------

# MkDocs turns links to pages (`../speakers/index.md#x`) into their URLs.
_PAGE_LINK = re.compile(r'(href="[^"#]*?)index\.md(?=[#"])')
_TITLE = re.compile(r"<title>.*?</title>", re.S)
_DESCRIPTION = re.compile(r'<meta name="description" content="[^"]*">')


def talk_views(first: int, last: int) -> Iterator[Any]:
    from mkdocs_yt2doc.archive.views import TalkView, _provenance
    from mkdocs_yt2doc.records.document import Document
    from mkdocs_yt2doc.records.media import Media

    for n in range(first, last):
        talk, meta = english_talk(n, SEED), talk_metadata(n, SEED)
        paragraphs, _, duration = timed(talk.paragraphs)
        document = Document.from_json(document_json(paragraphs, talk.chapters, talk.summary))
        speakers, tags = meta["speakers"], meta["tags"]
        assert isinstance(speakers, list) and isinstance(tags, list)
        yield TalkView(
            slug=slugify(talk.title),
            title=talk.title,
            speakers=tuple(speakers),
            event=str(meta["event"]),
            date=str(meta["date"]),
            tags=tuple(tags),
            description=talk.summary,
            abstract=talk.description,  # as the build's: the source's description
            media=Media.from_json(media_json(n, talk.title, talk.description, duration)),
            document=document,
            problem=None,
            # the build links the captions the cache holds (the files are not written here)
            caption_files={"srt": Path("captions.srt"), "vtt": Path("captions.vtt")},
            caption_texts={"srt": "", "vtt": "WEBVTT\n"},  # (their links; not written here)
            provenance=_provenance(document, False, None),
        )


class PageMaker:
    """Talk n's page as the build makes it: the plugin's Markdown (`archive_files`) through
    Markdown with MkDocs' extensions, in the theme's page of a talk of the real build."""

    def __init__(self, real_site: Path, template: int) -> None:
        import markdown

        self.markdown = markdown.Markdown(extensions=["toc", "tables", "fenced_code", "attr_list"])
        real = (real_site / "talks" / talk_slug(template) / "index.html").read_text("utf-8")
        _, mine, _ = next(self.pages(template, template + 1))
        at = real.find(mine)
        if at < 0:  # the check that these pages are the build's own
            raise SystemExit(
                f"the generated page of talk {template} differs from the real build's: "
                "bench/search_scale.py needs updating to the plugin's pages"
            )
        self.head, self.tail = real[:at], real[at + len(mine) :]
        print(f"  template: talk {template}'s page; the page generated for it is the real one")

    def pages(self, first: int, last: int) -> Iterator[tuple[Any, str, dict[str, Any]]]:
        from mkdocs.utils.meta import get_data

        from mkdocs_yt2doc.archive.files import ArchiveOptions, archive_files

        views = list(talk_views(first, last))
        wanted = {f"{v.slug}/index.md": v for v in views}
        for file in archive_files(views, ArchiveOptions()):
            if file.path in wanted:
                assert isinstance(file.content, str)
                body, meta = get_data(file.content)
                self.markdown.reset()
                content = _PAGE_LINK.sub(r"\1", self.markdown.convert(body))
                yield wanted[file.path], content, meta

    def write(self, site: Path, count: int, material: MaterialIndex, batch: int = 200) -> None:
        for first in range(0, count, batch):
            for view, content, meta in self.pages(first, min(count, first + batch)):
                material.add(view, content, meta)
                title = f"<title>{html.escape(view.title)} - Scale</title>"
                described = html.escape(view.description or "")
                head = _TITLE.sub(title.replace("\\", "\\\\"), self.head, count=1)
                head = _DESCRIPTION.sub(
                    f'<meta name="description" content="{described}">'.replace("\\", "\\\\"),
                    head,
                    count=1,
                )
                target = site / "talks" / view.slug / "index.html"
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(head + content + self.tail, "utf-8")


class MaterialIndex:
    """Material's own search_index.json for the generated site, by Material's indexer: with
    `search: pagefind` a talk's entries are its title, meta line and chapter titles (the
    transcript is `data-search-exclude`); Material's script fetches it on every page."""

    _EXCLUDED = re.compile(r'<p class="yt2doc-p"[^>]*data-search-exclude[^>]*>.*?</p>', re.S)

    def __init__(self, real_site: Path, real_slugs: set[str]) -> None:
        from material.plugins.search.plugin import SearchIndex

        data = json.loads((real_site / "search" / "search_index.json").read_text("utf-8"))
        self.config = data["config"]
        self.real = data["docs"]
        talk = re.compile(r"talks/([^/#]+)/")
        self.others = [
            d for d in self.real
            if not ((m := talk.match(d["location"])) and m[1] in real_slugs)
        ]  # fmt: skip
        self.index = SearchIndex(**self.config)

    def add(self, view: Any, content: str, meta: dict[str, Any]) -> None:
        from types import SimpleNamespace

        page = SimpleNamespace(
            meta=meta, content=self._EXCLUDED.sub("", content), toc=[],
            url=f"talks/{view.slug}/", title=view.title,
        )  # fmt: skip
        self.index.add_entry_from_context(page)

    def check(self, slug: str) -> bool:
        """The entries made for a talk of the real build are the build's own."""
        prefix = f"talks/{slug}/"
        mine = [d for d in self.index.entries if d["location"].startswith(prefix)]
        return mine == [d for d in self.real if d["location"].startswith(prefix)]

    def write(self, site: Path) -> None:
        data = {"config": self.config, "docs": self.others + self.index.entries}
        text = json.dumps(data, separators=(",", ":"), default=str)
        (site / "search" / "search_index.json").write_text(text, "utf-8")


def generated_site(work: Path, count: int, real: Site) -> Site:
    site = work / f"site-{count}"
    started = time.perf_counter()
    real_slugs = {talk_slug(n) for n in range(real.count)}
    shutil.copytree(
        real.root,
        site,
        ignore=lambda folder, names: [
            n
            for n in names
            if (Path(folder) == real.root and n == "pagefind")
            or (Path(folder) == real.root / "talks" and n in real_slugs)
        ],
    )
    template = min(37, real.count - 1)
    maker = PageMaker(real.root, template)
    material = MaterialIndex(real.root, real_slugs)
    maker.write(site, count, material)
    material.write(site)
    if not material.check(talk_slug(template)):
        print("  WARNING: Material's entries made for a talk differ from the real build's")
    pages = sorted((site / "talks" / talk_slug(n) / "index.html").stat().st_size
                   for n in range(0, count, max(1, count // 500)))  # fmt: skip
    print(
        f"  {count} talk pages written in {time.perf_counter() - started:.1f} s (median "
        f"{pages[len(pages) // 2] / KIB:.0f} KiB), with the N={real.count} build's other "
        "pages and assets",
        flush=True,
    )
    result = Site(count, site, False, {"page_bytes": pages[len(pages) // 2]})
    result.figures.update(index_figures(site))
    return result
