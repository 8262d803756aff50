"""The hostile archive of tests/test_hostile.py indexed by Pagefind and searched in Debian's
chromium: every payload in titles, names, chapters and paragraphs shows as text in the
results; none runs, loads or becomes an element."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser import Seen, needs_chromium, serve
from tests.conftest import build_site, write_site
from tests.test_hostile import PAYLOADS, hostile_talks

pytestmark = needs_chromium


@pytest.fixture(scope="module")
def pagefind_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = tmp_path_factory.mktemp("hostile-pagefind")
    build_site(write_site(project, hostile_talks(project), transcribe="never"), strict=True)
    return project / "site"


@pytest.mark.reliability("payload", len(PAYLOADS))
def test_payloads_stay_inert_in_search_results(browser: Any, pagefind_site: Path) -> None:
    with serve(pagefind_site) as local:
        page = browser.new_page()
        seen = Seen(page, local)
        for query in ("window pwned", "script", "onerror", "config site_name", "admonition"):
            page.goto(f"{local}/talks/search/?q={query}", wait_until="load")
            page.wait_for_selector(".yt2doc-hit")
            page.wait_for_timeout(200)
            hits = page.locator(".yt2doc-results")
            # nothing but the script's own elements: links, spans, marks, list items
            tags = hits.evaluate("r => [...r.querySelectorAll('*')].map(e => e.tagName)")
            assert set(tags) <= {"LI", "H2", "A", "P", "UL", "SPAN", "MARK"}, (query, set(tags))
            text = hits.inner_text()
            assert "window.__pwned" in text or query not in ("window pwned",), text[:300]
            hrefs = hits.evaluate("r => [...r.querySelectorAll('a')].map(a => a.href)")
            assert all(h.startswith(f"{local}/talks/") for h in hrefs), hrefs  # the site only
            assert page.evaluate("window.__pwned") is None, query
        assert seen.as_dict() == {"dialogs": [], "errors": [], "outside": []}, seen.as_dict()
        page.close()
