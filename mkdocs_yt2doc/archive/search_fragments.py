"""A written Pagefind bundle -> its talks' fragments made small.

Pagefind's fragment for a page holds the page's whole text (a 45-minute talk: ~18 KiB
gzipped), and the search page fetches one for every result it shows. Once a shard is
written, each talk's fragment keeps its URL, metadata, filters and anchors (where its
chapters and paragraphs start, in Pagefind's word positions) and loses its text, which goes
into parts of a few paragraphs each (`yt2doc-text/<fragment>-<n>.pf_fragment`, in Pagefind's
own file format); the search page fetches the part a hit is in (`assets/yt2doc-search.js`)
and makes the excerpt from it, as Pagefind would from the whole text.
"""

from __future__ import annotations

import gzip
import json
import os
import re
from collections import Counter
from pathlib import Path
from typing import Any

SIGNATURE = b"pagefind_dcd"  # what Pagefind puts before the JSON of each file it gzips
FOLDER = "yt2doc-text"
# A part: paragraphs up to this many words (~2 KiB gzipped; a 45-minute talk in about 12),
# so that a result costs its small fragment and one part, and a talk is not 60 files.
PART_WORDS = 600
_PARAGRAPH = re.compile(r"t\d+(?:-\d+)?")  # a paragraph's anchor id (talk_page.py)
_WORD = re.compile(r"[^\W_]+")  # a word as the search page splits a query (letters, digits)
CHUNK_LOCATIONS = 20_000  # Pagefind 1.5's index chunk (PAGEFIND_UNSTABLE_INDEX_CHUNK_SIZE)
MAX_COMMON = 500  # at most this many common words in the manifest
# Pagefind's browser code splits a fragment's text on JavaScript's `\s` (positions count so)
_JS_SPACE = re.compile(
    "[\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]+"
)


class FragmentError(Exception):
    """A fragment Pagefind wrote could not be read or rewritten."""


def compact(bundle: Path, site: Path) -> Counter[str]:
    """Rewrites each talk's fragment in `bundle` (a shard's folder in `site`) without its
    text, and writes the text's parts; returns how many times each word is said in its
    talks (`common_words`). Parts are written before the fragment that names them, each file
    whole or not at all."""
    prefix = bundle.relative_to(site).as_posix() + "/" + FOLDER
    said: Counter[str] = Counter()
    for file in sorted((bundle / "fragment").glob("*.pf_fragment")):
        data = read(file)
        meta = data.get("meta")
        content = data.get("content")
        if not isinstance(meta, dict) or "talk" not in meta or not isinstance(content, str):
            continue  # a page of the site's own, kept whole
        words, joiner = split_words(content)
        parts = []
        for number, (start, end) in enumerate(part_bounds(words, data.get("anchors"))):
            name = f"{file.stem}-{number}.pf_fragment"
            write(bundle / FOLDER / name, {"from": start, "words": words[start:end]})
            parts.append([start, f"{prefix}/{name}"])
        data["content"] = ""
        data["yt2doc_text"] = {"parts": parts, "joiner": joiner}
        write(file, data)
        said.update(content.lower().split())
    counts: Counter[str] = Counter()
    for word, times in said.items():  # (normalised once a word, not once a time said)
        for part in _WORD.findall(word):
            counts[part] += times
    return counts


def common_words(words: Counter[str], shards: int) -> list[str]:
    """The words said so often that each fills an index chunk of its own in every shard
    (Pagefind's chunks hold 20,000 positions): the search page leaves them out of a query
    that has other words, which find the same talks, and fetches far less."""
    floor = CHUNK_LOCATIONS * max(1, shards)
    return sorted(w for w, n in words.most_common(MAX_COMMON) if n >= floor)


def split_words(content: str) -> tuple[list[str], str]:
    """The text's words as Pagefind's excerpts count them, and what joins them."""
    if "\u200b" in content:  # segmented (Chinese, Japanese): Pagefind splits on these
        return content.split("\u200b"), ""
    return _JS_SPACE.split(content), " "


def part_bounds(words: list[str], anchors: Any) -> list[tuple[int, int]]:
    """Where each part starts and ends: whole paragraphs, up to PART_WORDS words a part (a
    paragraph longer than that is a part of its own); the title and names before the first
    paragraph go with it."""
    starts = sorted(
        {
            int(a["location"])
            for a in (anchors if isinstance(anchors, list) else [])
            if isinstance(a, dict)
            and a.get("element") == "span"
            and _PARAGRAPH.fullmatch(str(a.get("id", "")))
            and isinstance(a.get("location"), int)
            and 0 < a["location"] < len(words)
        }
    )
    bounds: list[tuple[int, int]] = []
    start = 0
    for at, end in zip([0, *starts], [*starts, len(words)], strict=True):
        if end - start > PART_WORDS and at > start:  # this paragraph starts the next part
            bounds.append((start, at))
            start = at
    bounds.append((start, len(words)))
    return bounds


def read(file: Path) -> dict[str, Any]:
    try:
        raw = gzip.decompress(file.read_bytes())
        data = json.loads(raw[len(SIGNATURE) :] if raw.startswith(SIGNATURE) else raw)
    except (OSError, EOFError, ValueError) as exc:
        raise FragmentError(f"{file} is not a fragment Pagefind wrote ({exc})") from None
    if not isinstance(data, dict):
        raise FragmentError(f"{file} is not a fragment Pagefind wrote (not an object)")
    return data


def write(file: Path, data: dict[str, Any]) -> None:
    body = SIGNATURE + json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    file.parent.mkdir(parents=True, exist_ok=True)
    temp = file.with_name(file.name + ".tmp")
    temp.write_bytes(gzip.compress(body, 9, mtime=0))
    os.replace(temp, file)
