"""Read what a built page shows: ids, links by class, paragraph texts (stdlib parser only)."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path


@dataclass
class Link:
    href: str
    text: str
    classes: tuple[str, ...]
    attrs: dict[str, str]


@dataclass
class Paragraph:
    id: str
    text: str  # without the timestamp
    link: Link | None


@dataclass
class Page:
    ids: set[str] = field(default_factory=set)
    links: list[Link] = field(default_factory=list)
    paragraphs: list[Paragraph] = field(default_factory=list)
    contents: list[Link] = field(default_factory=list)  # the Contents list
    headings: list[tuple[str, str, str]] = field(default_factory=list)  # (tag, id, text)
    scripts: list[str] = field(default_factory=list)
    title: str = ""


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self._link: Link | None = None
        self._paragraph: Paragraph | None = None
        self._heading: list[str] | None = None
        self._in_contents = 0
        self._in_script = False
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        classes = tuple(values.get("class", "").split())
        if "id" in values:
            self.page.ids.add(values["id"])
            if tag == "span" and self._paragraph is not None and not self._paragraph.id:
                self._paragraph.id = values["id"]  # the paragraph's anchor, at its start
        if tag == "nav" and "yt2doc-contents" in classes:
            self._in_contents += 1
        if tag == "a":
            self._link = Link(values.get("href", ""), "", classes, values)
        if tag == "p" and "yt2doc-p" in classes:
            self._paragraph = Paragraph(values.get("id", ""), "", None)
        if tag in ("h1", "h2", "h3"):
            self._heading = [tag, values.get("id", ""), ""]
        if tag == "script":
            self._in_script = True
            self.page.scripts.append(values.get("src", ""))
        if tag == "title":
            self._in_title = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._link is not None:
            self.page.links.append(self._link)
            if self._in_contents:
                self.page.contents.append(self._link)
            if self._paragraph is not None and "yt2doc-t" in self._link.classes:
                self._paragraph.link = self._link
            self._link = None
        elif tag == "p" and self._paragraph is not None:
            self._paragraph.text = " ".join(self._paragraph.text.split())
            self.page.paragraphs.append(self._paragraph)
            self._paragraph = None
        elif tag == "nav" and self._in_contents:
            self._in_contents -= 1
        elif tag in ("h1", "h2", "h3") and self._heading:
            tag_name, anchor, text = self._heading
            self.page.headings.append((tag_name, anchor, text.strip()))
            self._heading = None
        elif tag == "script":
            self._in_script = False
        elif tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._link is not None:
            self._link.text += data
        elif self._paragraph is not None:
            self._paragraph.text += data
        if self._heading is not None:
            self._heading[2] += data
        if self._in_title:
            self.page.title += data


def read_page(path: Path) -> Page:
    reader = _Reader()
    reader.feed(path.read_text(encoding="utf-8"))
    return reader.page
