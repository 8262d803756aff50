"""A talk page's raw HTML kept out of Python-Markdown: the page's Markdown carries a short
comment in place of each run of raw HTML blocks, and the plugin puts the run back into the
page's HTML (`on_page_content`). Markdown copies a raw HTML block as it is, so the page comes
out the same; but parsing a transcript's HTML block by block was most of a talk page's
conversion (Python-Markdown's, and MkDocs' own scan for anchors): 1,000 talk pages took
14.7 s to convert, 2.2 s without it.

`render` output keeps its HTML in the Markdown: no plugin runs there to splice it.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

PLACEHOLDER = "<!--yt2doc-html-{}-->"
_PLACEHOLDER = re.compile(r"<!--yt2doc-html-(\d+)-->")
# An id in a start tag: outside text cannot make one (it is escaped: no `<`, and no `"` in
# an attribute), so this finds what MkDocs' own HTML scan would (`present_anchor_ids`).
_ID = re.compile(r'<[a-zA-Z][^<>]*?\sid="([^"<>]*)"')
# An index page's cards and list of names: one raw block of a line per item, a blank line
# (or the page's end) before and after (`render.talk_cards`, `facet_pages.py`).
_LIST = re.compile(
    r'(?<=\n\n)<ul class="yt2doc-(?:cards|facets)">\n(?:[^\n]+\n)*?</ul>(?=\n\n|\n?\Z)'
)


class PageParts:
    """A page's Markdown, part by part: with `splice`, each run of raw HTML blocks is one
    placeholder in the Markdown and its text goes to `blocks`; without, the page as it is."""

    def __init__(self, splice: bool = False) -> None:
        self.splice = splice
        self.blocks: list[str] = []
        self._parts: list[str] = []
        self._run: list[str] = []

    def markdown(self, text: str) -> None:
        self._flush()
        self._parts.append(text)

    def html(self, text: str) -> None:
        """Raw HTML blocks: each starting a line with a block-level tag (or a comment), and
        the last one followed by a blank line (or the page's end)."""
        if not self.splice:
            self._parts.append(text)
        elif text:
            self._run.append(text)

    def text(self) -> str:
        self._flush(last=True)
        return "".join(self._parts)

    def _flush(self, last: bool = False) -> None:
        run = "".join(self._run)
        self._run = []
        if not run:
            return
        if not (run.endswith("\n\n") or last):  # Markdown would join what follows to it
            self._parts.append(run)
            return
        # Markdown writes a raw block as it is, and a blank line after it as one line break;
        # the page's end is stripped
        self._parts.append(PLACEHOLDER.format(len(self.blocks)) + "\n\n")
        self.blocks.append(run.rstrip("\n"))


def lists_apart(page: str) -> tuple[str, list[str]]:
    """An index page's Markdown with its lists of cards and names as placeholders, and
    the lists (`PageParts.blocks`)."""
    blocks: list[str] = []

    def put(match: re.Match[str]) -> str:
        blocks.append(match[0])
        return PLACEHOLDER.format(len(blocks) - 1)

    return _LIST.sub(put, page), blocks


def splice(content: str, blocks: Sequence[str]) -> tuple[str, list[int]]:
    """The page's HTML with each placeholder replaced by its block, and the blocks whose
    placeholder was not there once (another plugin changed the Markdown)."""
    seen = [0] * len(blocks)

    def put(match: re.Match[str]) -> str:
        number = int(match[1])
        if number >= len(blocks):
            return match[0]
        seen[number] += 1
        return blocks[number]

    done = _PLACEHOLDER.sub(put, content)
    return done, [n for n, count in enumerate(seen) if count != 1]


def anchor_ids(blocks: Sequence[str]) -> set[str]:
    """The ids in the blocks, as MkDocs reads them from a page's raw HTML."""
    return {html.unescape(found) for block in blocks for found in _ID.findall(block)}
