"""The archive's index of cards at scale: its HTML size and its paint time in chromium.

    python bench/index_cards.py [--talks 1000] [--repeat 5]

N cached talks (shaped as in build_scale.py, each with a 320x180 thumbnail and a kind) go
through the pipeline and the archive core; the index page it makes is built by MkDocs +
Material alone (so the figures are the index's, not the nav's of a thousand talk pages) and
opened in Debian's chromium from a loopback server: DOMContentLoaded, first contentful paint,
load, and the thumbnails fetched before the reader scrolls.
"""

from __future__ import annotations

import argparse
import gzip
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.build_scale import make_archive  # noqa: E402
from mkdocs_yt2doc.archive.files import ArchiveOptions, archive_files  # noqa: E402
from mkdocs_yt2doc.archive.views import views  # noqa: E402
from mkdocs_yt2doc.cache.store import Store  # noqa: E402
from mkdocs_yt2doc.pipeline.run import Pipeline  # noqa: E402
from mkdocs_yt2doc.pipeline.settings import PipelineSettings  # noqa: E402
from tests.browser import ARGS, CHROMIUM, serve  # noqa: E402
from tests.test_thumbnails import png  # noqa: E402

KINDS = ["keynote", "talk", "lightning", "panel", "workshop"]


def index_site(folder: Path, count: int) -> Path:
    make_archive(folder, count)
    talks = yaml.safe_load((folder / "talks.yml").read_text())
    items = talks["talks"] if isinstance(talks, dict) else talks
    store = Store(folder / ".yt2doc")
    image = png(320, 180)
    for n, item in enumerate(items):
        item.update(kind=KINDS[n % 5], event=f"Conf {2020 + n % 6}", date=f"20{20 + n % 6}-05-14")
        store.write_bytes(f"youtube-v{n:09d}x", "thumbnail.png", image)
    (folder / "talks.yml").write_text(yaml.safe_dump(talks))
    settings = PipelineSettings(cache_dir=folder / ".yt2doc", transcribe="never", project=folder)
    pipeline = Pipeline(settings)
    jobs = pipeline.run(settings.load_catalog(folder / "talks.yml"))
    files = archive_files(views(jobs, pipeline.store), ArchiveOptions())
    site = folder / "index-site"
    docs = site / "docs"
    for file in files:  # the index, its assets and the thumbnails it shows
        if file.path == "index.md" or file.path.startswith("assets/") or "thumbnail" in file.path:
            target = docs / "talks" / file.path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(file.data())
    config = {"site_name": "Bench", "theme": {"name": "material", "font": False}}
    (site / "mkdocs.yml").write_text(yaml.safe_dump(config))
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    build(load_config(str(site / "mkdocs.yml")))
    return site / "site"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--talks", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        site = index_site(Path(tmp), args.talks)
        markdown = (site.parent / "docs" / "talks" / "index.md").read_bytes()
        html = (site / "talks" / "index.html").read_bytes()
        cards = html.count(b'class="yt2doc-card"')
        print(f"talks {args.talks}, cards {cards}")
        print(f"index.md {len(markdown) / 1024:.0f} KiB; index.html {len(html) / 1024:.0f} KiB, "
              f"gzip {len(gzip.compress(html)) / 1024:.0f} KiB, "
              f"{len(html) / cards:.0f} bytes per card")  # fmt: skip
        runs: dict[str, list[float]] = {"dcl": [], "fcp": [], "load": [], "images": []}
        with serve(site) as local, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            for _ in range(args.repeat):
                context = browser.new_context(viewport={"width": 1280, "height": 800})
                page = context.new_page()
                images: list[str] = []
                page.on("request", lambda r, seen=images: "thumbnail" in r.url and seen.append(r))
                page.goto(f"{local}/talks/", wait_until="load")
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
            browser.close()
        for name, label in (("dcl", "DOMContentLoaded"), ("fcp", "first contentful paint"),
                            ("load", "load event")):  # fmt: skip
            print(f"{label}: median {statistics.median(runs[name]):.0f} ms "
                  f"(min {min(runs[name]):.0f}, max {max(runs[name]):.0f})")  # fmt: skip
        print(f"thumbnails fetched before scrolling: median {statistics.median(runs['images']):.0f}"
              f" of {cards}")  # fmt: skip
        shutil.rmtree(site, ignore_errors=True)


if __name__ == "__main__":
    main()
