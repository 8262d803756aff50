"""Pagefind search at archive scale: the index's cost to build, and what a reader's browser
fetches and waits for, at 1,000 talks (a real build) and 10,000 (pages generated).

    python bench/search_scale.py [--sizes 1000 10000] [--build-size 1000] [--repeat 3]
                                 [--material-repeat 2] [--no-material] [--max-index-gib G]
                                 [--keep DIR] [--json FILE]

Talks are shaped as in build_scale.py (about 7,000 words in 60 paragraphs, 10 chapters), in
English-like text (`english_talk`: words drawn by their frequency in English, each talk with
its own topic words) and with events, dates, speakers and tags (`talk_metadata`).

- N <= --build-size: the cached archive is built by `mkdocs build` with the plugin
  (`search: pagefind`, Material) in a fresh process; then the index alone is built again
  (`build_index`, the real Pagefind binary) for its time and peak memory; and the archive is
  built once more with `search: material` for Material's index, side by side.
- N > --build-size: the N talk pages are written straight into a site folder: each talk's
  page is made by the plugin's own code (`archive_files`) and Markdown, put in the theme's
  page taken from the real build (checked: the page made for one of its talks is the real
  one), whose other pages and assets are copied, Material's search_index.json made again
  by Material's own indexer; then the site is indexed. Pagefind's memory grows with the
  pages (about 2.2 MiB a page): a size that does not fit in --max-index-gib is measured at
  the largest size that does, and extrapolated from the sizes measured (labelled so).
- Each site is served over loopback and its search page opened in headless chromium, once
  per --repeat, each time in a fresh context (cold cache) with its own queries: a phrase
  said in one talk, then a phrase from another, then a common word. Bytes of each response
  (headers and body, as served: Pagefind's index files are gzipped already; also what a
  server that gzips text would send) and the time from the input event to the first result
  in the DOM. Material's search the same way, on the site built with `search: material`.
"""

from __future__ import annotations

import argparse
import gzip
import html
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
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
from mkdocs_yt2doc.names import slugify  # noqa: E402

# This repository's package, also in the builds' own processes.
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": str(ROOT)}
SEED = 1
KIB, MIB = 1024, 2**20

# The command's peak memory (max RSS of its largest process: MkDocs or the Pagefind binary)
# and the CPU time of it and its children, from a wrapper of its own.
_RUN = """
import json, resource, subprocess, sys
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
kids = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"rc": done.returncode, "err": done.stderr[-20000:], "out": done.stdout[-4000:],
                  "cpu": kids.ru_utime + kids.ru_stime, "peak_mib": kids.ru_maxrss / 1024}))
"""
# The index alone: build_index in a fresh process; the Pagefind binary is its only child.
_INDEX = """
import json, resource, sys
from pathlib import Path
from mkdocs_yt2doc.search_index import build_index
done = build_index(Path(sys.argv[1]))
me, kid = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"pages": done.pages, "seconds": done.seconds, "bytes": done.bytes,
                  "cpu": kid.ru_utime + kid.ru_stime + me.ru_utime + me.ru_stime,
                  "peak_mib": kid.ru_maxrss / 1024, "python_mib": me.ru_maxrss / 1024}))
"""
_LOGGED = re.compile(r"Pagefind indexed (\d+) pages in ([\d.]+) s \(([\d.]+) MiB\)")


def run(command: list[str], cwd: Path) -> dict[str, Any]:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _RUN, *command], cwd=cwd, env=ENV, capture_output=True, text=True
    )
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{command} failed: {done.stderr[-2000:]}")
    result = dict(json.loads(done.stdout.strip().splitlines()[-1]))
    if result["rc"] != 0:
        raise SystemExit(f"{command} failed ({result['rc']}): {result['err'][-3000:]}")
    return {**result, "wall": wall}


def index_alone(site: Path) -> dict[str, Any]:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _INDEX, str(site)], env=ENV, capture_output=True, text=True
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


def real_build(work: Path, count: int, material: bool) -> Site:
    project = work / f"archive-{count}"
    started = time.perf_counter()
    make_archive(project, count, SEED, text="english", metadata=True)
    print(f"  {count} cached talks written in {time.perf_counter() - started:.1f} s", flush=True)
    built = run([sys.executable, "-m", "mkdocs", "build", "-d", "site"], project)
    logged = _LOGGED.search(built["err"])
    if logged is None:
        raise SystemExit(f"the build did not index the site: {built['err'][-2000:]}")
    site = project / "site"
    pages = [site / "talks" / talk_slug(n) / "index.html" for n in range(count)]
    page_sizes = sorted(p.stat().st_size for p in pages)
    index_bytes, index_files = folder_bytes(site / "pagefind")
    site_bytes, _ = folder_bytes(site)
    figures: dict[str, Any] = {
        "build_wall": built["wall"],
        "build_cpu": built["cpu"],
        "build_peak_mib": built["peak_mib"],
        "index_in_build_s": float(logged[2]),
        "site_bytes": site_bytes,
        "page_bytes": page_sizes[len(page_sizes) // 2],
        "page_bytes_max": page_sizes[-1],
    }
    print(
        f"  mkdocs build (plugin, search: pagefind): {built['wall']:.1f} s wall, "
        f"{built['cpu']:.1f} s CPU, peak {built['peak_mib']:.0f} MiB; Pagefind's part "
        f"{float(logged[2]):.1f} s ({float(logged[2]) / built['wall']:.0%} of the build); "
        f"site {site_bytes / MIB:.1f} MiB, a talk page {page_sizes[len(page_sizes) // 2] / KIB:.0f}"
        f" KiB (median; largest {page_sizes[-1] / KIB:.0f} KiB)",
        flush=True,
    )
    figures.update(index_figures(site, index_bytes, index_files))
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
    """Talk pages' fragments (what a result costs): median gzipped size, and the share of
    their text that is anchors' texts (Pagefind keeps each paragraph's text with its id)."""
    files = sorted((site / "pagefind" / "fragment").glob("*.pf_fragment"))
    sizes, shares = [], []
    for file in files[:: max(1, len(files) // sample)]:
        raw = file.read_bytes()
        data = json.loads(gzip.decompress(raw)[len(b"pagefind_dcd") :])
        if not data.get("meta", {}).get("talk"):
            continue
        anchors = sum(len(a.get("text", "")) for a in data.get("anchors", []))
        sizes.append(len(raw))
        shares.append(anchors / max(1, anchors + len(data.get("content", ""))))
    return statistics.median(sizes or [0]), statistics.median(shares or [0])


def index_figures(site: Path, index_bytes: int = 0, index_files: int = 0) -> dict[str, Any]:
    alone = index_alone(site)
    if not index_bytes:
        index_bytes, index_files = folder_bytes(site / "pagefind")
    fragment, anchors = fragments(site)
    print(
        f"  index alone (build_index, {alone['pages']} pages): {alone['seconds']:.1f} s wall, "
        f"{alone['cpu']:.1f} s CPU, Pagefind's peak {alone['peak_mib']:.0f} MiB "
        f"({alone['peak_mib'] / alone['pages']:.2f} MiB a page); index "
        f"{index_bytes / MIB:.1f} MiB in {index_files} files; a talk's fragment "
        f"{fragment / KIB:.0f} KiB, {anchors:.0%} of its text the paragraphs' anchor texts",
        flush=True,
    )
    return {
        "index_s": alone["seconds"],
        "index_cpu": alone["cpu"],
        "index_peak_mib": alone["peak_mib"],
        "index_bytes": index_bytes,
        "index_files": index_files,
        "index_pages": alone["pages"],
        "fragment_bytes": fragment,
        "anchor_share": anchors,
    }


# -- pages generated into a site folder -----------------------------------------------------

# MkDocs turns links to pages (`../speakers/index.md#x`) into their URLs.
_PAGE_LINK = re.compile(r'(href="[^"#]*?)index\.md(?=[#"])')
_TITLE = re.compile(r"<title>.*?</title>", re.S)
_DESCRIPTION = re.compile(r'<meta name="description" content="[^"]*">')


def talk_views(first: int, last: int) -> Iterator[Any]:
    from mkdocs_yt2doc.chapters import Document
    from mkdocs_yt2doc.sources import Media
    from mkdocs_yt2doc.views import TalkView, _provenance

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
            media=Media.from_json(media_json(n, talk.title, talk.description, duration)),
            document=document,
            problem=None,
            # the build links the captions the cache holds (the files are not written here)
            caption_files={"srt": Path("captions.srt"), "vtt": Path("captions.vtt")},
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

        from mkdocs_yt2doc.archive import ArchiveOptions, archive_files

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


# -- in the browser -------------------------------------------------------------------------

_WATCH = """([list, item, events]) => {
  window.__t0 = null; window.__first = null;
  const where = document.querySelector(list);
  for (const name of events) {
    document.addEventListener(name, () => {
      if (window.__t0 === null) window.__t0 = performance.now();
    }, {capture: true, once: true});
  }
  const seen = new MutationObserver(() => {
    if (window.__first === null && where.querySelector(item)) {
      window.__first = performance.now(); seen.disconnect();
    }
  });
  seen.observe(where, {childList: true, subtree: true});
}"""


@dataclass
class Visit:
    """One cold visit: the bytes each phase fetched, and the times."""

    typed_ms: float = 0.0  # from navigation start to the first query typed
    bytes: dict[str, int] = field(default_factory=dict)  # phase -> bytes as served
    gzip: dict[str, int] = field(default_factory=dict)  # phase -> bytes from a gzip server
    ms: dict[str, float] = field(default_factory=dict)  # query phase -> to first result
    found: dict[str, str] = field(default_factory=dict)  # query phase -> the status line


class Sizes:
    """Responses' bytes (headers and body) per phase; and what a server that gzips text
    files would send (Pagefind's index files are gzipped already)."""

    # Material's own index, which its script fetches on every page (also with Pagefind)
    THEME_INDEX = re.compile(r"/search/search_index\.json")

    def __init__(self, site: Path, local: str, search: re.Pattern[str]) -> None:
        self.site, self.local, self.search = site, local, search
        self.phase = "page"
        self.finished: list[tuple[str, Any]] = []
        self._gzip: dict[Path, int] = {}

    def on_finished(self, request: Any) -> None:
        self.finished.append((self.phase, request))

    def gzip_size(self, url: str, body: int) -> int:
        path = url.removeprefix(self.local).split("?")[0].split("#")[0]
        file = self.site / path.lstrip("/")
        if file.is_dir():
            file = file / "index.html"
        if file.suffix not in (".html", ".js", ".css", ".json", ".svg") or not file.is_file():
            return body
        if file not in self._gzip:
            self._gzip[file] = len(gzip.compress(file.read_bytes(), 6))
        return self._gzip[file]

    def count(self, visit: Visit) -> None:
        for phase, request in self.finished:
            sizes = request.sizes()
            body, headers = max(0, sizes["responseBodySize"]), sizes["responseHeadersSize"]
            if body == 0:  # a worker's script is reported without its size
                response = request.response()
                if response is not None and response.status == 200:
                    body = int(response.headers.get("content-length", 0))
            key = phase
            if phase == "page":  # the search's own files at the page's load, apart
                key = "search" if self.search.search(request.url) else "page"
                if key == "page" and self.THEME_INDEX.search(request.url):
                    visit.bytes["theme_index"] = visit.bytes.get("theme_index", 0) + body + headers
            visit.bytes[key] = visit.bytes.get(key, 0) + body + headers
            visit.gzip[key] = visit.gzip.get(key, 0) + self.gzip_size(request.url, body) + headers


PHASES = ("first", "second", "broad")


class Said(list[str]):
    """The page's errors, in its console or thrown."""

    def console(self, message: Any) -> None:
        if message.type == "error":
            self.append(message.text)

    def error(self, exc: Any) -> None:
        self.append(str(exc))


def browse(site: Path, asked: list[list[str]], search: str, visit: Any) -> list[Visit]:
    """One cold visit per list of queries, each in a fresh browser context: `visit(page,
    local, queries, visit)` does it. A visit that times out is tried once more (it is said),
    then left out."""
    from playwright.sync_api import Error, sync_playwright

    from tests.browser import ARGS, CHROMIUM, serve

    visits = []
    with serve(site) as local, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for queries in asked:
            for attempt in (1, 2):
                context = browser.new_context(viewport={"width": 1280, "height": 900})
                page = context.new_page()
                said = Said()
                page.on("console", said.console)
                page.on("pageerror", said.error)
                sizes = Sizes(site, local, re.compile(search))
                context.on("requestfinished", sizes.on_finished)
                done = Visit()
                try:
                    visit(page, local, queries, done, sizes)
                except Error as exc:
                    status = page.evaluate(
                        "(document.querySelector('.yt2doc-search-status') || {}).textContent"
                    )
                    errors = [e[:120] for e in said[-3:]]
                    print(f"  WARNING: a visit failed (try {attempt}): {str(exc).splitlines()[0]}"
                          f"; status {status!r}; errors {errors}")  # fmt: skip
                    context.close()
                    continue
                sizes.count(done)
                visits.append(done)
                context.close()
                break
        browser.close()
    if not visits:
        raise SystemExit(f"no visit to {site} succeeded")
    return visits


def pagefind_visit(page: Any, local: str, queries: list[str], visit: Visit, sizes: Sizes) -> None:
    page.goto(f"{local}/talks/search/", wait_until="load")
    # Pagefind loaded (its script, WebAssembly and metadata) and the filters filled
    page.wait_for_selector(".yt2doc-filters:not([hidden])", state="attached", timeout=90_000)
    visit.typed_ms = page.evaluate("performance.now()")
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(300)
    for phase, query in zip(PHASES, queries, strict=True):
        sizes.phase = phase
        ready = page.get_attribute(".yt2doc-search", "data-ready")
        page.evaluate(_WATCH, [".yt2doc-results", ".yt2doc-result", ["input"]])
        page.fill("#yt2doc-q", query)
        page.wait_for_function("window.__first !== null", timeout=120_000)
        visit.ms[phase] = page.evaluate("window.__first - window.__t0")
        page.wait_for_function(
            "r => document.querySelector('.yt2doc-search').getAttribute('data-ready') !== r",
            arg=ready,
        )
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(300)
        visit.found[phase] = page.inner_text(".yt2doc-search-status")


def material_visit(page: Any, local: str, queries: list[str], visit: Visit, sizes: Sizes) -> None:
    page.goto(f"{local}/", wait_until="load")
    page.click(".md-search__input")  # typed at once: its index is still on its way
    visit.typed_ms = page.evaluate("performance.now()")
    for phase, query in zip(PHASES, queries, strict=True):
        sizes.phase = phase
        page.evaluate(_WATCH, [".md-search-result__list", ".md-search-result__item", ["keyup"]])
        page.fill(".md-search__input", query)
        page.press(".md-search__input", "End")  # Material searches on keyup
        page.wait_for_function("window.__first !== null", timeout=300_000)
        visit.ms[phase] = page.evaluate("window.__first - window.__t0")
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(300)
        visit.found[phase] = page.inner_text(".md-search-result__meta")


PAGEFIND_FILES = r"/pagefind/"
MATERIAL_FILES = r"/search/search_index\.json|/workers/search"


def median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def debounce_ms() -> int:
    """The search page's wait after the last keystroke (in every time to first results)."""
    script = (ROOT / "mkdocs_yt2doc" / "assets" / "yt2doc-search.js").read_text("utf-8")
    found = re.search(r"self\.run\(\); \}, (\d+)\)", script)
    return int(found[1]) if found else 0


def summarize(kind: str, visits: list[Visit], asked: list[list[str]]) -> dict[str, float]:
    """Medians over the visits. `first_query`: every byte of the search (script, index,
    results) from opening the page to the first query's results."""

    def med(phase: str, gz: bool = False) -> float:
        return median([float((v.gzip if gz else v.bytes).get(phase, 0)) for v in visits])

    figures = {
        "page": med("page"),
        "page_gzip": med("page", gz=True),
        "theme_index": med("theme_index"),
        "search_at_load": med("search"),
        "first_typed": med("first"),
        "first_query": median(
            [float(v.bytes.get("search", 0) + v.bytes.get("first", 0)) for v in visits]
        ),
        "first_query_gzip": median(
            [float(v.gzip.get("search", 0) + v.gzip.get("first", 0)) for v in visits]
        ),
        "typed_ms": median([v.typed_ms for v in visits]),
    }
    for phase in PHASES:
        figures[f"{phase}_ms"] = median([v.ms[phase] for v in visits])
        if phase != "first":
            figures[f"{phase}_query"] = med(phase)
    each = {k: ", ".join(f"{v.ms[k]:.0f}" for v in visits) for k in PHASES}
    queries = {k: " / ".join(repr(q[i]) for q in asked) for i, k in enumerate(PHASES)}
    found = {k: ", ".join(re.sub(r"\D*(\d+k?).*", r"\1", v.found[k]) for v in visits)
             for k in PHASES}  # fmt: skip
    print(
        f"  {kind}, {len(visits)} cold visits (medians): the page itself "
        f"{figures['page'] / KIB:.0f} KiB (gzip server {figures['page_gzip'] / KIB:.0f} KiB; "
        f"{figures['theme_index'] / KIB:.0f} KiB of it Material's search_index.json); typed "
        f"{figures['typed_ms']:.0f} ms after navigation start\n"
        f"    first query {queries['first']} (found: {found['first']}): "
        f"{figures['first_query'] / KIB:.0f} "
        f"KiB (gzip server {figures['first_query_gzip'] / KIB:.0f} KiB; "
        f"{figures['search_at_load'] / KIB:.0f} KiB at the page's load, "
        f"{figures['first_typed'] / KIB:.0f} KiB after typing), "
        f"{figures['first_ms']:.0f} ms to first results (each: {each['first']})",
        flush=True,
    )
    for phase in PHASES[1:]:
        print(
            f"    {phase} query {queries[phase]} (found: {found[phase]}): "
            f"{figures[f'{phase}_query'] / KIB:.0f} KiB, {figures[f'{phase}_ms']:.0f} ms "
            f"(each: {each[phase]})",
            flush=True,
        )
    return figures


# -- the run --------------------------------------------------------------------------------


def mem_available_mib() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) / 1024
    return float("inf")


def fits(count: int, real: Site, max_gib: float) -> int:
    """`count`, or the largest size (a multiple of 500) whose index Pagefind can build within
    the memory allowed, by its peak per page at the real build (it grows linearly)."""
    per_page = real.figures["index_peak_mib"] / real.figures["index_pages"]
    allowed = max_gib * 1024 if max_gib else 0.4 * mem_available_mib()
    if per_page * count <= allowed:
        return count
    here = int(allowed / per_page) // 500 * 500
    print(
        f"  Pagefind would need ~{per_page * count / 1024:.0f} GiB to index {count} pages "
        f"({per_page:.2f} MiB a page at N={real.count}); {allowed / 1024:.1f} GiB may be used "
        f"here (--max-index-gib): measured at N={here}, and N={count} extrapolated",
        flush=True,
    )
    return here


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--build-size", type=int, default=1000,
                        help="sizes up to this one go through a real build")  # fmt: skip
    parser.add_argument("--repeat", type=int, default=3, help="cold visits per site")
    parser.add_argument("--material-repeat", type=int, default=2, help="visits, Material")
    parser.add_argument("--no-material", action="store_true", help="skip Material's search")
    parser.add_argument("--keep", type=Path, help="keep the sites in this folder")
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    parser.add_argument(
        "--max-index-gib", type=float, default=0.0,
        help="most memory Pagefind may take (default: 40%% of the memory available now, the "
        "machine being shared); a larger size is measured at the size that fits, and "
        "extrapolated",
    )  # fmt: skip
    args = parser.parse_args()
    sizes = sorted(set(args.sizes))
    started = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="yt2doc-search-", dir=args.keep))
    results: list[Site] = []
    real: Site | None = None
    try:
        for count in sizes:
            print(f"N={count}", flush=True)
            if count <= args.build_size:
                site = real = real_build(work, count, not args.no_material)
            else:
                if real is None:  # a small real build to take the theme's page from
                    print(f"  (a real build of {min(50, args.build_size)} talks for the template)")
                    real = real_build(work, min(50, args.build_size), False)
                here = fits(count, real, args.max_index_gib)
                if here <= real.count:
                    print(f"  N={count} not measured: not even {real.count + 500} pages fit")
                    continue
                measured = next((s for s in results if s.count == here), None)
                if measured is not None:  # measured already: extrapolated from it
                    measured.requested = count
                    continue
                site = generated_site(work, here, real)
                site.requested = count if here < count else 0
                count = here
            asked = queries_for(count, args.repeat)
            site.figures["queries"] = asked
            site.figures["pagefind"] = summarize(
                "Pagefind", browse(site.root, asked, PAGEFIND_FILES, pagefind_visit), asked
            )
            if site.material is not None and args.material_repeat:
                some = asked[: args.material_repeat]
                visits = browse(site.material, some, MATERIAL_FILES, material_visit)
                site.figures["material"].update(summarize("Material", visits, some))
            results.append(site)
            if site is not real and args.keep is None:  # 377 KiB a page: make room
                shutil.rmtree(site.root, ignore_errors=True)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    report(results, time.perf_counter() - started)
    if args.json:
        figures = {
            s.count: {**s.figures, "real": s.real, "requested": s.requested} for s in results
        }
        args.json.write_text(json.dumps(figures, indent=1))


def estimate(measured: list[Site], count: int) -> dict[str, float]:
    """Figures at `count` on the least-squares line through the measured sizes (EXTRAPOLATED:
    each figure grows about linearly with the number of pages)."""
    xs = [float(s.count) for s in measured]
    mean_x = statistics.fmean(xs)

    def line(get: Any) -> float:
        ys = [float(get(s)) for s in measured]
        mean_y = statistics.fmean(ys)
        slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / sum(
            (x - mean_x) ** 2 for x in xs
        )
        return mean_y + slope * (count - mean_x)

    names = ("index_bytes", "index_s", "index_peak_mib")
    figures = {name: line(lambda s, name=name: s.figures[name]) for name in names}
    for name in ("first_query", "first_ms", "second_query", "second_ms", "broad_query",
                 "broad_ms", "page"):  # fmt: skip
        figures[name] = line(lambda s, name=name: s.figures["pagefind"][name])
    return figures


def key_line(count: int, f: dict[str, float], note: str = "") -> str:
    return (
        f"N={count} first query: {f['first_query'] / KIB:.0f} KiB, {f['first_ms']:.0f} ms; "
        f"index {f['index_bytes'] / MIB:.0f} MiB built in {f['index_s']:.0f} s{note}"
    )


def report(results: list[Site], seconds: float) -> None:
    print(f"\nwhole run: {seconds / 60:.1f} min")
    print(
        f"{'N':>6} {'how':>9} {'index MiB':>9} {'files':>6} {'index s':>7} {'peak MiB':>8} "
        f"{'page KiB':>8} {'load KiB':>8} {'1st KiB':>7} {'1st ms':>6} {'2nd KiB':>7} "
        f"{'2nd ms':>6} {'broad KiB':>9} {'broad ms':>8}"
    )
    for site in results:
        f, p = site.figures, site.figures["pagefind"]
        print(
            f"{site.count:>6} {'build' if site.real else 'generated':>9} "
            f"{f['index_bytes'] / MIB:>9.1f} {f['index_files']:>6} {f['index_s']:>7.1f} "
            f"{f['index_peak_mib']:>8.0f} {f['page_bytes'] / KIB:>8.0f} {p['page'] / KIB:>8.0f} "
            f"{p['first_query'] / KIB:>7.0f} {p['first_ms']:>6.0f} "
            f"{p['second_query'] / KIB:>7.0f} {p['second_ms']:>6.0f} "
            f"{p['broad_query'] / KIB:>9.0f} {p['broad_ms']:>8.0f}"
        )
    estimates: dict[int, dict[str, float]] = {}
    sizes = ", ".join(str(s.count) for s in results)
    if len(results) >= 2:
        for site in results:
            if site.requested:
                estimates[site.requested] = estimate(results, site.requested)
    for count, e in estimates.items():
        print(
            f"N={count} EXTRAPOLATED (not measured) on the least-squares line through "
            f"N={sizes}: index ~{e['index_bytes'] / MIB:.0f} MiB built in "
            f"~{e['index_s']:.0f} s, Pagefind's peak ~{e['index_peak_mib'] / 1024:.1f} GiB; a "
            f"first query ~{e['first_query'] / KIB:.0f} KiB, ~{e['first_ms']:.0f} ms; a second "
            f"~{e['second_query'] / KIB:.0f} KiB, ~{e['second_ms']:.0f} ms; a broad one "
            f"~{e['broad_query'] / KIB:.0f} KiB, ~{e['broad_ms']:.0f} ms; the page itself "
            f"~{e['page'] / KIB:.0f} KiB"
        )
    largest = max([s.count for s in results] + list(estimates))
    for site in results:
        material = site.figures.get("material")
        if not (material and "first_ms" in material):
            continue
        print(
            f"Material at N={site.count}: search_index.json {material['index_bytes'] / MIB:.1f} "
            f"MiB (gzip {material['index_gzip'] / MIB:.1f} MiB); a first query "
            f"{material['first_query'] / MIB:.1f} MiB (gzip server "
            f"{material['first_query_gzip'] / MIB:.1f} MiB), typed "
            f"{material['typed_ms'] / 1000:.1f} s after navigation start: "
            f"{material['first_ms'] / 1000:.1f} s to first results; a second query "
            f"{material['second_ms']:.0f} ms, a broad one {material['broad_ms']:.0f} ms"
        )
        with_material = [s.count for s in results if "first_ms" in s.figures.get("material", {})]
        if largest > site.count and site.count == max(with_material):
            scale = largest / site.count
            print(
                f"Material at N={largest} EXTRAPOLATED (not measured), in proportion to "
                f"N={site.count}: search_index.json ~{material['index_bytes'] * scale / MIB:.0f} "
                f"MiB (gzip ~{material['index_gzip'] * scale / MIB:.0f} MiB), all fetched "
                "before a first query"
            )
    for site in results:
        f = site.figures
        if site.real and "index_in_build_s" in f:
            share = f["index_in_build_s"] / f["build_wall"]
            print(
                f"N={site.count}: Pagefind took {f['index_in_build_s']:.1f} s of a "
                f"{f['build_wall']:.1f} s build: {share:.0%} (goal <= 25%); site "
                f"{f['site_bytes'] / MIB:.0f} MiB, a talk page {f['page_bytes'] / KIB:.0f} KiB"
            )
    goals = [(s.count, s.figures["pagefind"], "") for s in results if s.count >= 10_000]
    goals += [(n, e, " EXTRAPOLATED") for n, e in estimates.items() if n >= 10_000]
    for count, g, note in goals:
        print(
            f"N={count}{note}: first query {g['first_query'] / MIB:.2f} MiB (goal <= 1 MiB), "
            f"{g['first_ms']:.0f} ms to first results (goal <= 300 ms)"
        )
    print(
        f"(Each time to first results counts from the input event: {debounce_ms()} ms of it "
        "is the search page's wait for the next keystroke.)"
    )
    for site in results:
        print(key_line(site.count, {**site.figures, **site.figures["pagefind"]}))
    for count, e in estimates.items():
        print(key_line(count, e, f" (EXTRAPOLATED from N={sizes})"))


if __name__ == "__main__":
    main()
