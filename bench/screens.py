"""Screenshots of the example site as a reader sees it, in Debian's headless chromium.

Builds a copy of example-site/ from its committed cache (YT2DOC_TRANSCRIBE=never, so no model)
with MkDocs + Material, serves it on 127.0.0.1 (tests/browser.py) and photographs four pages:
the index of talks, a talk page scrolled to its middle with the compact player showing (a
timestamp there clicked, then paused), search with results, and a speaker's page. Each at
desktop (1280x900) and mobile (390x844) size, in light and dark (the reader's colour scheme,
which the example's palette follows). Files are `<page>-<desktop|mobile>-<light|dark>.webp`,
WebP via Pillow, each kept under 150 KiB. The README's images are these, copied to docs/images/
with --readme.

    python bench/screens.py [--out DIR] [--readme]
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from tests.browser import ARGS, CHROMIUM, serve  # noqa: E402
from tests.test_player_sticky import _Ranges  # noqa: E402 - range requests: media seeks

LIMIT = 150 * 1024
SIZES: dict[str, Any] = {
    "desktop": {"width": 1280, "height": 900},
    "mobile": {"width": 390, "height": 844},
}
SCHEMES: tuple[Any, ...] = ("light", "dark")
TALK = "talks/rain-gardens-for-small-yards/"  # the video talk: the dock shows its picture
QUERY = "garden"  # said in two of the talks
SPEAKER = "talks/speakers/jo-fern/"
README = ("talk-desktop-light", "index-desktop-dark", "talk-mobile-dark", "search-desktop-light")


def build(folder: Path) -> Path:
    """A copy of the example site, built from its committed cache; the built site's folder."""
    project = folder / "example-site"
    shutil.copytree(ROOT / "example-site", project, ignore=shutil.ignore_patterns("site"))
    env = {**os.environ, "YT2DOC_TRANSCRIBE": "never", "NO_MKDOCS_2_WARNING": "1"}
    mkdocs = Path(sys.executable).parent / "mkdocs"
    subprocess.run([str(mkdocs), "build", "--strict", "-q"], cwd=project, env=env, check=True)
    return project / "site"


def index(page: Any, local: str) -> None:
    page.goto(f"{local}/talks/", wait_until="networkidle")


def talk(page: Any, local: str) -> None:
    """Mid-page, a timestamp clicked: the media plays from there and the dock comes up (the
    contents mark the chapter playing)."""
    page.goto(f"{local}/{TALK}", wait_until="networkidle")
    page.wait_for_function("document.querySelector('audio, video').readyState >= 1")
    stamps = page.locator("p.yt2doc-p a.yt2doc-t")
    stamp = stamps.nth(stamps.count() // 2)
    stamp.scroll_into_view_if_needed()
    page.evaluate("scrollBy(0, innerHeight / 3)")  # the player well out of view
    stamp.click()
    page.wait_for_selector(".yt2doc-dock:not([hidden])")
    page.wait_for_function("!document.querySelector('audio, video').paused")
    page.wait_for_timeout(1000)
    page.mouse.move(0, 0)  # no hover state in the picture


def search(page: Any, local: str) -> None:
    page.goto(f"{local}/talks/search/?q={QUERY}", wait_until="networkidle")
    page.wait_for_selector(".yt2doc-hit")


def speaker(page: Any, local: str) -> None:
    page.goto(f"{local}/{SPEAKER}", wait_until="networkidle")


PAGES: dict[str, Callable[[Any, str], None]] = {
    "index": index, "talk": talk, "search": search, "speaker": speaker,
}  # fmt: skip


def webp(png: bytes, path: Path) -> None:
    """The screenshot as WebP, at the best quality that keeps it under LIMIT."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    for quality in (85, 75, 65, 55, 45):
        data = io.BytesIO()
        image.save(data, "WEBP", quality=quality, method=6)
        if data.tell() <= LIMIT:
            break
    path.write_bytes(data.getvalue())


def shoot(site: Path, out: Path) -> list[Path]:
    written = []
    with serve(site, _Ranges) as local, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for size, viewport in SIZES.items():
            for scheme in SCHEMES:
                context = browser.new_context(
                    viewport=viewport, color_scheme=scheme, reduced_motion="reduce",
                    is_mobile=size == "mobile", has_touch=size == "mobile",
                )  # fmt: skip
                for name, visit in PAGES.items():
                    page = context.new_page()
                    visit(page, local)
                    path = out / f"{name}-{size}-{scheme}.webp"
                    webp(page.screenshot(), path)
                    written.append(path)
                    page.close()
                context.close()
        browser.close()
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "test-artifacts" / "screens")
    parser.add_argument("--readme", action="store_true", help="copy the README's to docs/images")
    args = parser.parse_args()
    if CHROMIUM is None:
        sys.exit("screens.py needs Debian's chromium (make test installs it)")
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        written = shoot(build(Path(folder)), args.out)
    if args.readme:
        images = ROOT / "docs" / "images"
        images.mkdir(parents=True, exist_ok=True)
        for name in README:
            shutil.copy(args.out / f"{name}.webp", images / f"{name}.webp")
    for path in written:
        print(f"{path}  {path.stat().st_size / 1024:.0f} KiB")
    largest = max(p.stat().st_size for p in written)
    print(f"{len(written)} screenshots, largest {largest / 1024:.0f} KiB (limit {LIMIT // 1024})")


if __name__ == "__main__":
    main()
