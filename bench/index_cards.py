"""The archive's browsing pages at scale: their HTML size and paint time in chromium.

    python bench/index_cards.py [--talks 1000] [--repeat 5]

N cached talks (shaped as in build_scale.py with its events, dates, speakers and tags; a kind
each; every other one with a 320x180 thumbnail, the others drawn as posters) go through the
pipeline and the archive core. The index, the speakers index, the speakers of one initial, the
page of the speaker and of the event with the most talks are built by MkDocs + Material alone
(so the figures are the pages' own, not those of a nav of a thousand talk pages) and opened in
Debian's chromium from a loopback server: first contentful paint, DOMContentLoaded, load.
"""

from __future__ import annotations

import argparse
import gzip
import shutil
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.build_scale import make_archive  # noqa: E402
from mkdocs_yt2doc.archive.files import ArchiveOptions, archive_files  # noqa: E402
from mkdocs_yt2doc.archive.render import facet_groups, facet_page_path, page_path  # noqa: E402
from mkdocs_yt2doc.archive.views import views  # noqa: E402
from mkdocs_yt2doc.cache.store import Store  # noqa: E402
from mkdocs_yt2doc.pipeline.run import Pipeline  # noqa: E402
from mkdocs_yt2doc.pipeline.settings import PipelineSettings  # noqa: E402
from tests.browser import ARGS, CHROMIUM, serve  # noqa: E402
from tests.test_thumbnails import png  # noqa: E402

KINDS = ["keynote", "talk", "lightning", "panel", "workshop"]


def index_site(folder: Path, count: int) -> tuple[Path, dict[str, str]]:
    """The site of the archive's browsing pages, and {page type: URL path} of those measured."""
    make_archive(folder, count, metadata=True)  # events, dates, 1-3 speakers a talk, tags
    talks = yaml.safe_load((folder / "talks.yml").read_text())
    items = talks["talks"] if isinstance(talks, dict) else talks
    store = Store(folder / ".yt2doc")
    image = png(320, 180)
    for n, item in enumerate(items):
        item.update(kind=KINDS[n % 5])
        if n % 2 == 0:  # every other talk audio-only: a poster instead of a thumbnail
            store.write_bytes(f"youtube-v{n:09d}x", "thumbnail.png", image)
    (folder / "talks.yml").write_text(yaml.safe_dump(talks))
    settings = PipelineSettings(cache_dir=folder / ".yt2doc", transcribe="never", project=folder)
    pipeline = Pipeline(settings)
    shown = views(pipeline.run(settings.load_catalog(folder / "talks.yml")), pipeline.store)
    files = archive_files(shown, ArchiveOptions())
    busiest = {
        kind: max(groups.items(), key=lambda item: len(item[1]))[0]
        for kind in ("speakers", "events")
        for groups in [facet_groups(shown, kind)]
    }
    pages = {
        "index": "",
        "speakers index": "speakers",
        "speakers by initial (A)": "speakers/a-z/a",
        "speaker page (most talks)": facet_page_path("speakers", busiest["speakers"]),
        "event page (most talks)": facet_page_path("events", busiest["events"]),
    }
    wanted = {page_path(name) for name in pages.values()}
    site = folder / "index-site"
    docs = site / "docs"
    for file in files:  # the pages measured, their assets and the thumbnails they show
        if file.path in wanted or file.path.startswith("assets/") or "thumbnail" in file.path:
            target = docs / "talks" / file.path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(file.data())
    config = {"site_name": "Bench", "theme": {"name": "material", "font": False}}
    (site / "mkdocs.yml").write_text(yaml.safe_dump(config))
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    build(load_config(str(site / "mkdocs.yml")))
    return site / "site", {label: f"talks/{name}/" if name else "talks/"
                           for label, name in pages.items()}  # fmt: skip


def _timing(browser: Any, url: str, repeat: int) -> dict[str, list[float]]:
    runs: dict[str, list[float]] = {"dcl": [], "fcp": [], "load": [], "images": []}
    for _ in range(repeat):
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        page = context.new_page()
        images: list[str] = []
        page.on("request", lambda r, seen=images: "thumbnail" in r.url and seen.append(r))
        page.goto(url, wait_until="load")
        page.wait_for_timeout(500)
        timing = page.evaluate(
            "(() => { const n = performance.getEntriesByType('navigation')[0];"
            " const p = performance.getEntriesByName('first-contentful-paint')[0];"
            " return [n.domContentLoadedEventEnd, p ? p.startTime : -1, n.loadEventEnd];"
            " })()"
        )
        for name, value in zip(("dcl", "fcp", "load"), timing, strict=True):
            runs[name].append(value)
        runs["images"].append(len(images))
        context.close()
    return runs


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--talks", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        site, pages = index_site(Path(tmp), args.talks)
        print(f"talks {args.talks} (half of them with a thumbnail, half with a poster)")
        print("| page | cards | HTML | gzip | first contentful paint | DOMContentLoaded | load |")
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
        with serve(site) as local, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            for label, path in pages.items():
                html = (site / path / "index.html").read_bytes()
                cards = html.count(b'class="yt2doc-card"')
                runs = _timing(browser, f"{local}/{path}", args.repeat)

                def median(name: str, runs: dict[str, list[float]] = runs) -> str:
                    values = runs[name]
                    return (f"{statistics.median(values):.0f} ms "
                            f"({min(values):.0f}\N{EN DASH}{max(values):.0f})")  # fmt: skip

                print(f"| {label} | {cards} | {len(html) / 1024:.0f} KiB "
                      f"| {len(gzip.compress(html)) / 1024:.0f} KiB | {median('fcp')} "
                      f"| {median('dcl')} | {median('load')} |")  # fmt: skip
            browser.close()
        shutil.rmtree(site, ignore_errors=True)


if __name__ == "__main__":
    main()
