"""Index pages people browse: posters for cards with no thumbnail, a page per speaker, event
and tag with its cards and count, index pages with counts, talks.yml's `speakers:` map.

Talks are cached as a committed cache holds them (media.json, a transcript from caption cues,
for some a thumbnail), then built by MkDocs + Material with `transcribe: never`.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from typing import Any

import pytest

from mkdocs_yt2doc.archive.files import ArchiveOptions, build_archive
from mkdocs_yt2doc.archive.render import event_page_path, facet_slug, speaker_page_path
from mkdocs_yt2doc.archive.views import TalkView
from mkdocs_yt2doc.cache.store import MEDIA, TRANSCRIPT, Store
from mkdocs_yt2doc.catalog.load import load_catalog
from mkdocs_yt2doc.catalog.talk_fields import CatalogError
from mkdocs_yt2doc.sources.caption_read import parse_captions, transcript_from_cues
from tests.browser import Seen, needs_chromium, serve
from tests.conftest import PluginLog, build_site, write_site
from tests.test_thumbnails import png

# What a stranger's pull request may put in a name: markup, quotes, Jinja, a bidi override.
HOSTILE = '<img src=x onerror="window.__pwned=1">\'"{{ 7*7 }}\u202e</script>'
SPEAKERS = ["Ada Lovelace", "Grace Hopper", "C", "C++", f"Mallory {HOSTILE}"]


def _cue_transcript(store: Store, key: str, text: str) -> None:
    cues = f"WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n{text}\n"
    captions = parse_captions(cues.encode(), "t.vtt", 600.0)
    transcript = transcript_from_cues(captions.cues, "en", 600.0, {"source": "captions"})
    store.write(key, TRANSCRIPT, transcript.to_json())


def cached_talks(project: Path, count: int, thumbnails: bool = True) -> list[dict[str, Any]]:
    """`count` cached talks; the odd ones have no thumbnail (as an audio-only talk)."""
    store = Store(project / ".yt2doc")
    talks, sources = [], {}
    for i in range(count):
        video_id = f"pag{i:05d}xyz"
        url = f"https://www.youtube.com/watch?v={video_id}"
        key = f"youtube-{video_id}"
        store.write(key, MEDIA, {
            "key": key, "url": url, "webpage_url": url, "extractor": "youtube", "id": video_id,
            "title": f"Talk {i}", "duration": 600.0 + i, "upload_date": None, "chapters": [],
        })  # fmt: skip
        _cue_transcript(store, key, f"Talk number {i} opens here. Then it goes on")
        if thumbnails and i % 2 == 0:
            store.write_bytes(key, "thumbnail.png", png(32, 18))
        sources[url] = {"playlist": False, "entries": [{"url": url, "key": key}]}
        talks.append({"url": url, "title": f"Talk {i}", "date": f"2025-03-{1 + i % 28:02d}"})
    store.write_sources(sources)
    return talks


def _talks(project: Path) -> dict[str, Any]:
    talks = cached_talks(project, 8)
    for i, talk in enumerate(talks):
        talk["speakers"] = [SPEAKERS[i % len(SPEAKERS)]] + (["Ada Lovelace"] if i == 7 else [])
        talk["event"] = ["PyCon 2025", f"Conf {HOSTILE}"][i % 2]
        talk["tags"] = [["C", "C++"][i % 2]]
    talks[3]["title"] = f"A talk {HOSTILE}"
    talks[6]["title"] = "A much longer title " * 8  # the poster clamps it, the card wraps it
    (project / "people").mkdir()
    (project / "people" / "ada.png").write_bytes(png(48, 48))
    speakers = {
        "Ada Lovelace": {"affiliation": "Analytical Engines Ltd", "url": "https://ada.example/",
                         "photo": "people/ada.png"},
        "grace hopper": {"affiliation": "US Navy", "url": "javascript:alert(1)"},
        f"Mallory {HOSTILE}": {"affiliation": HOSTILE, "url": f"https://evil.example/{HOSTILE}"},
        "Nobody Here": {"affiliation": "Unused"},
    }  # fmt: skip
    return {"speakers": speakers, "talks": talks}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    project = tmp_path_factory.mktemp("pages") / "project"
    project.mkdir()
    build_site(write_site(project, _talks(project), transcribe="never"), strict=False)
    yield project / "site"


def _html(site: Path, page: str) -> str:
    return (site / "talks" / page / "index.html").read_text()


def _content(html: str) -> str:
    """The page's own content (the theme's nav and header left out)."""
    return html.split('<article class="md-content__inner', 1)[1].split("</article>", 1)[0]


def test_slugs_are_stable_and_apart() -> None:
    assert speaker_page_path("Ada Lovelace") == "speakers/ada-lovelace"
    assert speaker_page_path("ada  LOVELACE") == "speakers/ada-lovelace"
    assert speaker_page_path("José") == speaker_page_path("Jose") == "speakers/jose"
    assert event_page_path("PyCon 2025") == "events/pycon-2025"
    c, cpp, csharp = facet_slug("C"), facet_slug("C++"), facet_slug("C#")
    assert c == "c" and len({c, cpp, csharp}) == 3 and cpp.startswith("c-")
    assert re.fullmatch(r"n-[0-9a-f]{8}", facet_slug("李明"))
    assert facet_slug("A-Z") != "a-z"  # the initials' folder
    assert re.fullmatch(r"[a-z0-9-]+", facet_slug(HOSTILE))


def test_speaker_and_event_pages_have_their_cards_and_counts(site: Path) -> None:
    ada = _content(_html(site, "speakers/ada-lovelace"))
    titles = re.findall(r'class="yt2doc-card-title"><a href="([^"]+)">([^<]+)<', ada)
    assert [t for _, t in titles] == ["Talk 7", "Talk 5", "Talk 0"]  # newest first
    assert titles[0][0] == "../../talk-7/"
    assert "2 talks" not in ada and "3 talks" in ada
    pycon = _content(_html(site, "events/pycon-2025"))
    assert pycon.count('class="yt2doc-card"') == 4 and "4 talks" in pycon
    assert "2025-03-01 \N{EN DASH} 2025-03-07" in pycon
    c, cpp = _content(_html(site, "tags/c")), _content(_html(site, f"tags/{facet_slug('C++')}"))
    assert c.count('class="yt2doc-card"') == 4 and cpp.count('class="yt2doc-card"') == 4
    # a talk's card and page link the pages
    card = _content(_html(site, "")).split('<li class="yt2doc-card">')[1]
    assert 'href="speakers/ada-lovelace/"' in card and 'href="events/conf-' in card
    talk = _html(site, "talk-0")
    assert 'href="../speakers/ada-lovelace/"' in talk and 'href="../events/pycon-2025/"' in talk


def test_facet_indexes_list_names_with_counts_and_link_their_pages(site: Path) -> None:
    speakers = _content(_html(site, "speakers"))
    items = re.findall(r'<li id="([^"]+)"><a href="([^"]+)">(.*?)</a> '
                       r'<span class="yt2doc-count">([^<]+)</span>', speakers)  # fmt: skip
    shown = {unescape(name): (href, count) for _, href, name, count in items}
    assert shown["Ada Lovelace"] == ("ada-lovelace/", "3 talks")
    assert shown["C++"] == (f"{facet_slug('C++')}/", "1 talk")
    assert "Nobody Here" not in shown and "5 speakers" in speakers
    for href, _ in shown.values():
        assert (site / "talks" / "speakers" / href / "index.html").is_file()
    events = _content(_html(site, "events"))
    assert re.search(
        r'href="pycon-2025/">PyCon 2025</a> <span class="yt2doc-count">4 talks', events
    )
    tags = _content(_html(site, "tags"))
    assert 'href="c/">C</a> <span class="yt2doc-count">4 talks' in tags


def test_speaker_fields_are_shown(site: Path) -> None:
    ada = _content(_html(site, "speakers/ada-lovelace"))
    assert "Analytical Engines Ltd" in ada
    assert 'href="https://ada.example/" rel="nofollow ugc">Website</a>' in ada
    assert 'src="photo.png"' in ada
    photo = site / "talks" / "speakers" / "ada-lovelace" / "photo.png"
    assert photo.read_bytes() == png(48, 48)
    grace = _content(_html(site, "speakers/grace-hopper"))  # matched whatever the case
    assert "US Navy" in grace and "javascript" not in grace and "Website" not in grace


@pytest.mark.reliability("input", 5)
@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (
            "    url: javascript:alert(1)\n",
            r"talks.yml:3: the url of speaker 'Ada' must be an "
            r"http\(s\) URL, not 'javascript:alert\(1\)'",
        ),
        ("    photo: ../outside.png\n", r"talks.yml:3: photo ../outside.png lies outside"),
        ("    photo: link.png\n", r"talks.yml:3: photo link.png is a symlink"),
        ("    photo: fake.png\n", r"talks.yml:3: photo fake.png is not a .png image"),
        ("    photo: notes.txt\n", r"talks.yml:3: photo notes.txt is not an image"),
        (
            "    afiliation: X\n",
            r"talks.yml:3: unknown key 'afiliation' of speaker 'Ada' is "
            r"ignored; did you mean 'affiliation'\?",
        ),
    ],
)
def test_bad_speaker_fields_are_warned_with_their_line(
    tmp_path: Path, plugin_log: PluginLog, entry: str, message: str
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (tmp_path / "outside.png").write_bytes(png())
    (project / "real.png").write_bytes(png())
    (project / "link.png").symlink_to(project / "real.png")  # inside, but a link
    (project / "fake.png").write_text("<svg onload=alert(1)>")
    (project / "notes.txt").write_text("text")
    (project / "talks.yml").write_text(
        "speakers:\n  Ada:\n" + entry + "talks:\n  - url: https://example.org/a.mp3\n"
        "    speakers: [Ada]\n"
    )
    catalog = load_catalog(project / "talks.yml")
    assert any(re.search(message, m) for m in plugin_log.warnings), plugin_log.warnings
    [talk] = catalog.talks
    assert talk.profiles and talk.profiles[0].photo is None and talk.profiles[0].url is None


@pytest.mark.reliability("input", 3)
@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "speaker:\n  Ada: {}\ntalks: []\n",
            r"talks.yml:1: unknown top-level key\(s\) speaker; "
            r"did you mean 'speakers'\?",
        ),
        ("speakers: [Ada]\ntalks: []\n", r"talks.yml:1: 'speakers' must be a mapping"),
        (
            "speakers:\n  Ada: {affiliation: [1]}\n",
            r"talks.yml:2: 'affiliation' of speaker "
            r"'Ada' must be text",
        ),
    ],
)
def test_bad_speakers_maps_are_errors_with_their_line(
    tmp_path: Path, text: str, message: str
) -> None:
    (tmp_path / "talks.yml").write_text(text)
    with pytest.raises(CatalogError, match=message):
        load_catalog(tmp_path / "talks.yml")


def _views(count: int, speakers: int) -> list[TalkView]:
    return [
        TalkView(
            slug=f"talk-{n}",
            title=f"Talk {n}",
            speakers=(f"Person {n % speakers:03d}", "Prolific One"),
            event="Big Conf",
            date=f"2024-01-{1 + n % 28:02d}",
            tags=(),
            description=None,
            media=None,
            document=None,
            problem=None,
        )
        for n in range(count)
    ]


def test_a_large_archive_pages_names_and_cards() -> None:
    options = ArchiveOptions(nav_group_size=10, search="material")
    files = {f.path: f for f in build_archive(_views(250, 120), options).files}
    index = str(files["speakers/index.md"].content)
    assert "121 speakers" in index and 'href="a-z/p/">P</a>' in index  # 121 > 100: initials
    letter = str(files["speakers/a-z/p/index.md"].content)
    assert letter.count("<li id=") == 121 and 'href="../../person-000/"' in letter
    prolific = [p for p in files if p.startswith("speakers/prolific-one/")]
    assert len(prolific) == 25  # 250 talks, 10 a page
    first = str(files["speakers/prolific-one/index.md"].content)
    assert first.count('class="yt2doc-card"') == 10 and "250 talks" in first
    assert 'href="2/">2</a>' in first and 'aria-current="page">1<' in first
    second = str(files["speakers/prolific-one/2/index.md"].content)
    assert 'href="../../../talk-' in second and 'href="../">1</a>' in second
    nav = repr(build_archive(_views(250, 120), options).nav)
    assert "person-000" not in nav and "speakers/index.md" in nav  # indexes only


def test_many_events_go_by_year() -> None:
    """Past a navigation group of events the index lists the years and the latest events, and
    each year's page its events: the index weighs the same for 30 events or 300."""
    options = ArchiveOptions(nav_group_size=10, search="material")

    def events(count: int) -> dict[str, str]:
        views = [dataclasses.replace(v, event=f"Conf {n:03d}", date=f"{2010 + n % 12}-05-01")
                 for n, v in enumerate(_views(count, 5))]  # fmt: skip
        views.append(dataclasses.replace(views[0], slug="undated", event="Meetup", date=None))
        return {f.path: str(f.content) for f in build_archive(views, options).files if f.is_page}

    few, many = events(30), events(300)
    index = many["events/index.md"]
    assert "301 events" in index and 'href="years/2021/">2021</a>' in index
    years = re.findall(r'href="years/(\w+)/"', index)
    assert years == [str(y) for y in range(2021, 2009, -1)] + ["undated"]  # latest first
    latest = index[index.index("Latest events") :]
    items = re.findall(r"<li id=.*?</li>", latest)
    assert len(items) == 20 and all("2021-05-01" in item for item in items), items
    assert abs(len(index) - len(few["events/index.md"])) < 0.05 * len(index), "not flat"
    year = many["events/years/2021/index.md"]
    assert "25 events" in year and 'href="../../conf-299/"' in year and "Conf 011" in year
    assert "Meetup" in many["events/years/undated/index.md"]
    assert facet_slug("Years") != "years"  # the years' folder


@needs_chromium
def test_the_years_are_a_row_under_material(tmp_path: Path, browser: Any) -> None:
    """The events' years (and the talks' years, the speakers' initials) are links on a line
    or two, not a column: Material's `.md-typeset ul` rule must not win."""
    talks = {"talks": [{"url": f"https://example.org/{n}.mp3", "title": f"Talk {n}",
                        "event": f"Conf {n}", "date": f"{2010 + n}-03-01"}
                       for n in range(8)]}  # fmt: skip
    config = write_site(tmp_path / "p", talks, transcribe="never", nav_group_size=2)
    build_site(config)
    with serve(tmp_path / "p" / "site") as local:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        for path in ("talks/events/", "talks/"):
            page.goto(f"{local}/{path}", wait_until="load")
            rows = page.eval_on_selector(  # each item's top, in the first such list
                "ul.yt2doc-years", "u => [...u.children].map(li => li.getBoundingClientRect().top)"
            )
            assert len(rows) == 8 and len(set(rows)) <= 2, (path, rows)  # a row or two, no column
        page.close()


@needs_chromium
@pytest.mark.parametrize("width", [1280, 390])
def test_cards_with_and_without_thumbnails_are_of_one_height(
    site: Path, browser: Any, width: int
) -> None:
    with serve(site) as local:
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        page.goto(f"{local}/talks/", wait_until="load")
        lefts = page.evaluate(
            "[...document.querySelectorAll('.yt2doc-card')].map(c => c.getBoundingClientRect().x)"
        )
        assert len(set(lefts)) == (1 if width < 600 else 2)  # a grid of columns, on Material too
        boxes = page.evaluate("""[...document.querySelectorAll('.yt2doc-card')].map(c => {
            c.scrollIntoView(); const i = c.querySelector('.yt2doc-card-image');
            return [c.getBoundingClientRect().height, i.getBoundingClientRect().height,
                    i.getBoundingClientRect().width, !!c.querySelector('img'),
                    !!c.querySelector('.yt2doc-poster')]; })""")
        context.close()
    assert len(boxes) == 8
    assert {b[3] for b in boxes} == {True, False} and all(b[3] != b[4] for b in boxes)
    heights = [b[0] for b in boxes]
    assert max(heights) < 1.1 * min(heights), heights
    for _, image, image_width, _, _ in boxes:  # the poster fills the thumbnail's 16:9 box
        assert abs(image - image_width * 9 / 16) < 2


@needs_chromium
def test_hostile_strings_stay_inert_in_the_new_pages(site: Path, browser: Any) -> None:
    pages = [
        "",
        "speakers",
        "events",
        "tags",
        "speakers/ada-lovelace",
        "events/pycon-2025",
        speaker_page_path(f"Mallory {HOSTILE}"),
        event_page_path(f"Conf {HOSTILE}"),
    ]
    with serve(site) as local:
        page = browser.new_page()
        seen = Seen(page, local)
        try:
            for name in pages:
                page.goto(f"{local}/talks/{name}/".replace("//", "/").replace(":/", "://"))
                page.wait_for_load_state("load")
                assert page.evaluate("window.__pwned") is None, name
                assert page.locator("article img[src='x']").count() == 0, name
                if name.startswith("speakers/mallory"):
                    about = page.locator(".yt2doc-about").inner_text()
                    assert "<img src=x" in about and "{{ 7*7 }}" in about
                    assert "\u202e" not in page.content()
        finally:
            page.close()
    assert seen.dialogs == [] and seen.outside == []
    posters = re.findall(r'<span class="yt2doc-poster-title">(.*?)</span>', _html(site, ""))
    [poster] = [p for p in posters if p.startswith("A talk")]
    assert unescape(poster) == "A talk " + HOSTILE.replace("\u202e", "") and "<" not in poster
