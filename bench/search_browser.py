"""search_scale.py's browser: cold visits of a site's search (Pagefind's page or Material's
box) in Debian's headless chromium; bytes per response and time to first results."""

from __future__ import annotations

import gzip
import json
import re
import statistics
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.search_sites import KIB  # noqa: E402

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
    full_ms: dict[str, float] = field(default_factory=dict)  # -> to the page's last excerpt
    found: dict[str, str] = field(default_factory=dict)  # query phase -> the status line
    top: dict[str, str] = field(default_factory=dict)  # query phase -> the first result's title


class Sizes:
    """Responses' bytes (headers and body) per phase; and what a server that gzips text
    files would send (Pagefind's index files are gzipped already)."""

    # Material's own index, which its script fetches on every page (also with Pagefind)
    THEME_INDEX = re.compile(r"/search/search_index\.json")
    # Pagefind's start-up, whenever it loads (at the page's load, or with the first query):
    # its scripts, WebAssembly, entry and every shard's metadata (the "start-up")
    STARTUP = re.compile(r"/pagefind/.*(pagefind(-worker)?\.js|wasm\.|\.pf_meta|\.json)(\?|$)")

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
            zipped = self.gzip_size(request.url, body) + headers
            visit.gzip[key] = visit.gzip.get(key, 0) + zipped
            if phase in ("page", "first") and self.STARTUP.search(request.url):
                visit.bytes["startup"] = visit.bytes.get("startup", 0) + body + headers
                visit.gzip["startup"] = visit.gzip.get("startup", 0) + zipped


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
    # Pagefind loaded (its script, WebAssembly and metadata; every shard's): the filters
    # load only when opened
    page.wait_for_selector(".yt2doc-search[data-loaded]", state="attached", timeout=90_000)
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
        visit.full_ms[phase] = page.evaluate("performance.now() - window.__t0")
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(300)
        visit.found[phase] = page.inner_text(".yt2doc-search-status")
        titles = page.locator(".yt2doc-result-title")
        visit.top[phase] = titles.first.inner_text() if titles.count() else ""


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


def page_weights(
    site: Path, paths: list[str], gzipped: dict[str, int] | None = None
) -> dict[str, int]:
    """Each page's whole load, cold, nothing typed: every byte it fetched (headers and
    bodies), scripts' fetches included; and into `gzipped`, what a server that gzips text
    files (as static hosts do) would send of it."""
    from playwright.sync_api import sync_playwright

    from tests.browser import ARGS, CHROMIUM, serve

    weights = {}
    with serve(site) as local, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        sizes = Sizes(site, local, re.compile("$^"))
        for path in paths:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            page = context.new_page()
            finished: list[Any] = []
            context.on("requestfinished", lambda request, seen=finished: seen.append(request))
            page.goto(f"{local}/{path}", wait_until="load")
            page.wait_for_timeout(1500)  # what its scripts fetch once loaded
            total = packed = 0
            for request in finished:
                size = request.sizes()
                body, head = max(0, size["responseBodySize"]), size["responseHeadersSize"]
                total += body + head
                packed += sizes.gzip_size(request.url, body) + head
            weights[path] = total
            if gzipped is not None:
                gzipped[path] = packed
            context.close()
        browser.close()
    return weights


PAGEFIND_FILES = r"/pagefind/"
MATERIAL_FILES = r"/search/search_index\.json|/workers/search"


def median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def debounce_ms() -> int:
    """The search page's wait after the last keystroke of a typed query (a query filled in
    at once, as these visits and a paste do, is searched at once)."""
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
        "startup": med("startup"),
        "startup_gzip": med("startup", gz=True),
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
        figures[f"{phase}_full_ms"] = median([v.full_ms.get(phase, 0.0) for v in visits])
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
        f"{figures['first_typed'] / KIB:.0f} KiB after typing; Pagefind's start-up, its "
        f"scripts, WebAssembly and metadata, {figures['startup'] / KIB:.0f} KiB, gzip server "
        f"{figures['startup_gzip'] / KIB:.0f} KiB), "
        f"{figures['first_ms']:.0f} ms to first results (each: {each['first']}; every "
        f"excerpt in at {figures['first_full_ms']:.0f} ms)",
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


# -- no hit lost: a phrase from every chapter of sampled talks ------------------------------

_HITS = """() => [...document.querySelectorAll('.yt2doc-hit a')].map(a => a.getAttribute('href'))"""


def chapter_phrases(project: Path, n: int, slug: str) -> list[tuple[str, str]]:
    """Talk n's chapters: five rare words said in a row in each one's middle paragraph, and
    the link its hit must have (`/talks/<slug>/#t=<the paragraph's second>`)."""
    from bench.search_sites import english_words

    words, _ = english_words()
    rank = {w: i for i, w in enumerate(words)}
    document = json.loads(
        (project / ".yt2doc" / f"youtube-v{n:09d}x" / "document.json").read_text()
    )
    paragraphs, chapters = document["paragraphs"], document["chapters"]
    found = []
    for at, chapter in enumerate(chapters):
        end = chapters[at + 1]["first_paragraph"] if at + 1 < len(chapters) else len(paragraphs)
        paragraph = paragraphs[(chapter["first_paragraph"] + end - 1) // 2]
        said = [w.strip(".,").lower() for w in paragraph["text"].split()]
        start = max(
            range(len(said) - 4), key=lambda i: sum(rank.get(w, 9999) for w in said[i : i + 5])
        )
        found.append(
            (" ".join(said[start : start + 5]), f"/talks/{slug}/#t={int(paragraph['start'])}")
        )
    return found


def sampled_hits(site: Path, project: Path, count: int, talks: int = 50) -> dict[str, Any]:
    """A phrase from every chapter of `talks` talks spread over the archive, each searched on
    the search page: found when one of the hits links to its paragraph's second."""
    from playwright.sync_api import sync_playwright

    from bench.search_sites import talk_slug
    from tests.browser import ARGS, CHROMIUM, serve

    sample = sorted({round(i * (count - 1) / max(1, talks - 1)) for i in range(talks)})
    asked = [p for n in sample for p in chapter_phrases(project, n, talk_slug(n))]
    missed = []
    with serve(site) as local, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        page.goto(f"{local}/talks/search/", wait_until="load")
        page.wait_for_selector(".yt2doc-search[data-loaded]", state="attached", timeout=90_000)
        for query, href in asked:
            ready = page.get_attribute(".yt2doc-search", "data-ready")
            page.fill("#yt2doc-q", query)
            page.wait_for_function(
                "r => document.querySelector('.yt2doc-search').getAttribute('data-ready') !== r",
                arg=ready, timeout=60_000,
            )  # fmt: skip
            hrefs = page.evaluate(_HITS)
            if not any(h.endswith(href) for h in hrefs):
                missed.append((query, href, hrefs[:3]))
        browser.close()
    print(
        f"  a phrase from every chapter of {len(sample)} talks: {len(asked) - len(missed)} of "
        f"{len(asked)} found on their paragraph"
        + "".join(f"\n    MISSED {q!r} (wanted {h}; got {got})" for q, h, got in missed[:10]),
        flush=True,
    )
    return {"asked": len(asked), "found": len(asked) - len(missed), "talks": len(sample)}
