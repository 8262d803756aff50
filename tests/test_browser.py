"""The hostile archive in a real browser (Debian's chromium, driven by Playwright): no payload
runs, no dialog opens, nothing is fetched from outside, no console error."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser import Seen, needs_chromium, serve
from tests.test_hostile import PAYLOADS, hostile_site  # noqa: F401 - the built site

pytestmark = needs_chromium


@pytest.mark.reliability("payload", len(PAYLOADS))
def test_hostile_pages_run_nothing_in_a_browser(
    browser: Any,
    hostile_site: Path,  # noqa: F811
) -> None:
    site = hostile_site / "site"
    pages = sorted((site / "talks").rglob("index.html"))
    assert len(pages) >= 2  # the talk page, the index and the index pages by speaker etc.
    with serve(site) as local:
        for path in pages:
            url = f"{local}/{path.relative_to(site).parent}/"
            page = browser.new_page()
            seen = Seen(page, local)
            page.goto(url, wait_until="load")
            page.wait_for_timeout(300)
            assert page.evaluate("window.__pwned") is None, url
            assert seen.as_dict() == {"dialogs": [], "errors": [], "outside": []}, (url, seen)
            if path.parent.name == "abcdefghijk" or page.locator(".yt2doc-facade").count():
                heading = page.locator("article h1").inner_text()
                assert heading.startswith("<script>window.__pwned=1</script>")  # shown, as text
                page.locator(".yt2doc-facade").click()  # the player's own code meets payloads
                page.wait_for_timeout(300)
                assert page.evaluate("window.__pwned") is None, url
                assert not seen.dialogs, url
            page.close()
