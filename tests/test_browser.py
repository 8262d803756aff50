"""The hostile archive in a real browser (Debian's chromium, driven by Playwright): no payload
runs, no dialog opens, nothing is fetched from outside, no console error."""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.test_hostile import PAYLOADS, hostile_site  # noqa: F401 - the built site

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed (make test installs it)"
)
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def served(hostile_site: Path) -> Iterator[str]:  # noqa: F811
    handler = functools.partial(http.server.SimpleHTTPRequestHandler,
                                directory=str(hostile_site / "site"))  # fmt: skip
    handler.log_message = lambda *args: None  # type: ignore[attr-defined]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def visit(browser: Any, url: str, local: str) -> tuple[Any, dict[str, list[str]]]:
    """Open `url`; record dialogs, errors and requests that leave `local`."""
    page = browser.new_page()
    seen: dict[str, list[str]] = {"dialogs": [], "errors": [], "outside": []}

    def on_dialog(dialog: Any) -> None:
        seen["dialogs"].append(dialog.message)
        dialog.dismiss()

    def on_console(message: Any) -> None:
        if message.type == "error":
            seen["errors"].append(message.text)

    def on_request(request: Any) -> None:
        if not request.url.startswith(local):
            seen["outside"].append(request.url)

    page.on("dialog", on_dialog)
    page.on("console", on_console)
    page.on("pageerror", lambda exc: seen["errors"].append(str(exc)))
    page.on("request", on_request)
    page.goto(url, wait_until="load")
    page.wait_for_timeout(300)
    return page, seen


@pytest.mark.reliability("payload", len(PAYLOADS))
def test_hostile_pages_run_nothing_in_a_browser(
    browser: Any,
    served: str,
    hostile_site: Path,  # noqa: F811
) -> None:
    pages = sorted((hostile_site / "site" / "talks").rglob("index.html"))
    assert len(pages) == 2
    for path in pages:
        url = served + "/" + str(path.relative_to(hostile_site / "site").parent) + "/"
        page, seen = visit(browser, url, served)
        assert page.evaluate("window.__pwned") is None, url
        assert seen == {"dialogs": [], "errors": [], "outside": []}, (url, seen)
        if path.parent.name != "talks":  # the talk page, not the index
            heading = page.locator("article h1").inner_text()
            assert heading.startswith("<script>window.__pwned=1</script>")  # shown, as text
        page.close()
