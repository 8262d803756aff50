"""Hostile strings from talks.yml, the source's metadata and the transcript render as text.

Each payload goes into every field a stranger controls: title, description, uploader,
speakers, event, tags, chapter titles (talks.yml and source), paragraphs, the summary, and the
source's URL and thumbnail. The site is built for real (Material + search) from the cache, and
the HTML is read with a parser: no element, attribute or URL may come from a payload.
"""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest

from mkdocs_yt2doc.cache.store import DOCUMENT, MEDIA, PARAGRAPHS, TRANSCRIPT, Store
from tests.conftest import build_site, write_site

PAYLOADS = [
    "<script>window.__pwned=1</script>",
    "<img src=x onerror=window.__pwned=1>",
    '"><svg onload=window.__pwned=1>',
    "'><iframe src=javascript:window.__pwned=1>",
    "javascript:window.__pwned=1",
    "data:text/html,<script>window.__pwned=1</script>",
    "[click](javascript:window.__pwned=1)",
    "![x](https://evil.example/x.png)",
    "<div onclick=window.__pwned=1>raw block</div>",
    "{{ config.site_name }} {% raw %}",
    "!!! note\n    admonition",
    "text {: onclick=window.__pwned=1 }",
    "---\ntitle: injected\n---",
    "**bold** _em_ `code` ~~del~~",
    "# heading\n## another",
    "a" * 5000,
    "zero\u200bwidth\u200d and \u202eright-to-left\u202c",
    "<style>body{display:none}</style>",
    "&lt;script&gt; &amp; &#60;b&#62;",
    "<a href=//evil.example>x</a>",
    "<math><mtext><table><mglyph><style><img src=x onerror=window.__pwned=1>",
    "\\<script\\>window.__pwned=1\\</script\\>",
]
EVENT_ATTRIBUTES = ("onerror", "onload", "onclick", "onmouseover", "onfocus")


class _Audit(HTMLParser):
    """Collects what would be live in a browser: event attributes and URLs anywhere, and the
    tags inside the page's <article> (the theme's own icons and layout sit outside it)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []  # inside <article>
        self.events: list[str] = []
        self.urls: list[str] = []
        self.inline_scripts: list[str] = []
        self.json_ld: list[str] = []  # data for search engines, never run
        self._in_script = False
        self._script_type: str | None = None
        self._article = 0
        self._assets = False
        self.assets: list[str] = []  # URLs of the page's own styles and script

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "article":
            self._article += 1
        elif tag == "div" and values.get("class") == "yt2doc-assets":
            self._assets = True  # the page's own styles and script (checked below)
        elif self._assets and tag in ("link", "script"):
            self.assets.append(values.get("href") or values.get("src") or "")
        elif tag == "script" and values.get("type") == "application/ld+json":
            pass  # data for search engines, checked below
        elif self._article:
            self.tags.append(tag)
        for name, value in attrs:
            if name.lower().startswith("on"):
                self.events.append(f"{tag} {name}={value}")
            if name in ("href", "src", "action", "formaction") and value:
                self.urls.append(value)
        meta = dict(attrs)
        if tag == "meta" and (meta.get("property") in ("og:url", "og:image", "og:video")
                              or meta.get("http-equiv")):  # fmt: skip
            self.urls.append(meta.get("content") or "")  # a URL; og:title etc. are text
        self._in_script = tag == "script"
        self._script_type = dict(attrs).get("type") if tag == "script" else None

    def handle_endtag(self, tag: str) -> None:
        if tag == "div":
            self._assets = False
        if tag == "script":
            self._in_script = False
        if tag == "article":
            self._article -= 1

    def handle_data(self, data: str) -> None:
        if self._in_script and self._script_type == "application/ld+json":
            self.json_ld.append(data)
        elif self._in_script:
            self.inline_scripts.append(data)


def _hostile_cache(project: Path, payloads: list[str]) -> None:
    """A cached talk whose metadata and transcript are all payloads."""
    store = Store(project / ".yt2doc")
    key, url = "youtube-abcdefghijk", "https://www.youtube.com/watch?v=abcdefghijk"
    joined = " ".join(payloads)
    store.write(key, MEDIA, {
        "key": key, "url": url, "webpage_url": "javascript:window.__pwned=1", "id": "abcdefghijk",
        "extractor": "youtube", "title": joined, "uploader": joined, "duration": 600.0,
        "upload_date": "20260101", "description": joined,
        "thumbnail": "javascript:window.__pwned=1",
        "chapters": [{"start": i * 20.0, "title": p} for i, p in enumerate(payloads)],
    })  # fmt: skip
    paragraphs = [
        {"start": i * 20.0, "end": i * 20.0 + 19, "text": p, "first_word": i, "last_word": i}
        for i, p in enumerate(payloads)
    ]
    store.write(key, TRANSCRIPT, {"language": "en", "duration": 600.0, "settings": {},
                                  "versions": {}, "segments": []})  # fmt: skip
    store.write(key, PARAGRAPHS, {"paragrapher": "test", "settings": {},
                                  "paragraphs": paragraphs})  # fmt: skip
    store.write(key, DOCUMENT, {
        "chapter_origin": "llm", "inputs": {"chapters": [], "source": "auto"},
        "transcript_digest": "", "paragrapher": "test", "summary": joined,
        "chapters": [{"start": i * 20.0, "title": p, "first_paragraph": i, "anchor": f"c{i}"}
                     for i, p in enumerate(payloads)],
        "paragraphs": paragraphs,
    })  # fmt: skip
    store.write_sources({url: {"playlist": False, "entries": [{"url": url, "key": key}]}})


def hostile_talks(project: Path) -> dict[str, object]:
    """The hostile cache in `project`, and the talks.yml that lists it."""
    _hostile_cache(project, PAYLOADS)
    joined = " ".join(PAYLOADS)
    return {
        "defaults": {"event": joined},
        "talks": [
            {
                "url": "https://www.youtube.com/watch?v=abcdefghijk",
                "speakers": PAYLOADS[:6],
                "tags": PAYLOADS[6:10],
                "description": joined,
            },
        ],
    }


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = tmp_path_factory.mktemp("hostile")
    talks = hostile_talks(project)
    # Material's search holds the transcripts (with Pagefind: tests/test_search_hostile.py)
    build_site(write_site(project, talks, transcribe="never", search="material"), strict=True)
    return project


def _pages(project: Path) -> list[Path]:
    return sorted((project / "site" / "talks").rglob("*.html"))


@pytest.mark.reliability("payload", len(PAYLOADS))
def test_no_payload_becomes_markup(hostile_site: Path) -> None:
    pages = _pages(hostile_site)
    # the talk, the index, the index pages by event, speaker and tag, and a page per name
    kinds = {p.relative_to(hostile_site / "site" / "talks").parts[0] for p in pages}
    assert {"events", "speakers", "tags", "index.html"} <= kinds and len(kinds) >= 5, kinds
    named = [p for p in pages if p.parent.parent.name in ("events", "speakers", "tags")]
    assert named, pages  # the payloads' own pages are audited too
    for page in pages:
        audit = _Audit()
        audit.feed(page.read_text())
        assert audit.events == [], page
        assert audit.tags, page  # the article was found
        for tag in ("script", "img", "svg", "iframe", "math", "style", "mglyph", "table"):
            if tag == "table" and page.parent.name == "talks":
                continue  # the index page's own table
            assert tag not in audit.tags, (page, tag)
        assert all("__pwned" not in script for script in audit.inline_scripts)
        names = [a.rsplit("/", 1)[-1] for a in audit.assets]
        player = ["yt2doc.js"] if "data-yt2doc-player" in page.read_text() else []  # a talk's
        assert names == ["yt2doc.css", *player, "yt2doc-site.js"], (page, names)
        assert all(
            a.startswith(("assets/", "../assets/", "../../assets/")) for a in audit.assets
        ), audit.assets
        for data in audit.json_ld:  # payloads are JSON strings there, with no "<" left raw
            assert "<" not in data and "__pwned" in json.dumps(json.loads(data)), page
        for url in audit.urls:
            assert not url.lower().startswith(("javascript:", "data:")), url
            assert "evil.example" not in url, url
        html = page.read_text()
        assert "{{" not in html and "{%" not in html  # nothing left for mkdocs-macros


def test_payloads_show_as_text(hostile_site: Path) -> None:
    talk = (p.read_text() for p in _pages(hostile_site))
    text = next(t for t in talk if 'class="yt2doc-p"' in t)  # the talk's own page
    # character references decode to the payload's own characters in the browser
    assert "&#60;script&#62;window&#46;&#95;&#95;pwned&#61;1&#60;&#47;script&#62;" in text
    assert "\u200b" not in text and "\u202e" not in text  # invisible and bidi controls gone


def test_only_http_urls_link_out(hostile_site: Path) -> None:
    for page in _pages(hostile_site):
        audit = _Audit()
        audit.feed(page.read_text())
        outside = [u for u in audit.urls if "://" in u and "127.0.0.1" not in u]
        assert all(u.startswith(("https://", "http://")) for u in outside), outside


def test_search_index_keeps_payloads_escaped(hostile_site: Path) -> None:
    """Material's search shows titles and text as HTML: they must stay escaped there too."""
    index = json.loads((hostile_site / "site" / "search" / "search_index.json").read_text())
    talk_docs = [d for d in index["docs"] if d["location"].startswith("talks/")]
    assert len(talk_docs) > 20  # every chapter is a section
    for doc in talk_docs:
        for field in ("title", "text"):
            for raw in ("<script", "<img", "<svg", "<iframe", "<style", "<math"):
                assert raw not in doc[field], (doc["location"], field, raw)
