"""The site's Pagefind index in shards: a few thousand talks each, indexed one after the
other by a Pagefind binary of their own, so the build's memory is one shard's, not the whole
archive's. The search page merges them (`mergeIndex`) into one search over the archive.
A shard's index is written while the next shard's pages go to a binary of their own, so the
build does not wait for it: a binary reading pages holds a fifth of what one writing its
index does (1,000 talks: 0.6 against 2.9 GiB), and one writes at a time.

`pagefind/` is the first shard, `pagefind/shard-2/`… the others; `pagefind/yt2doc-shards.json`
lists them with the build's stamp, which each shard's `yt2doc-build.json` repeats: a search
page whose shards come from different builds (a deploy cut short) says so. A shard that
fails fails the whole index (it is removed): never half an archive searched.
"""

from __future__ import annotations

import json
import shutil
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

from .search_fragments import common_words
from .search_index import BUNDLE, TIMEOUT, IndexResult, LiveIndex, SearchIndexError
from .search_records import is_talk_page

SHARD_TALKS = 2000  # talks a shard holds: its binary peaks near 3.9 GiB (bench/README.md)
MANIFEST = "yt2doc-shards.json"
STAMP = "yt2doc-build.json"


def shard_folder(number: int) -> str:
    """The shard's folder in the site (number from 1)."""
    return BUNDLE if number == 1 else f"{BUNDLE}/shard-{number}"


class ShardedIndex:
    """`LiveIndex` one shard at a time: pages go to the open shard; past `shard_talks` talk
    pages, it is written and its binary ended before the next one starts (0: one index)."""

    def __init__(self, site: Path, timeout: float = TIMEOUT, shard_talks: int = SHARD_TALKS):
        if shard_talks < 0:
            raise SearchIndexError(f"shard_talks must be 0 or more, not {shard_talks}")
        self.site, self.timeout, self.shard_talks = site.resolve(), timeout, shard_talks
        self.build = uuid.uuid4().hex
        self.started_at = time.perf_counter()
        self._added: set[str] = set()
        self._done: list[IndexResult] = []
        self._failed: SearchIndexError | None = None
        self._talks = 0  # in the open shard
        self._number = 1
        self._current: LiveIndex | None = LiveIndex(site, timeout, shard_folder(1), rest=False)
        self._writing: tuple[LiveIndex, threading.Thread] | None = None  # the shard before

    def add(self, path: str, html: str) -> None:
        """A page of the site (as `LiveIndex.add`); a failed shard's error waits for `finish`."""
        if self._failed is not None or path in self._added or self._current is None:
            return
        talk = is_talk_page(html)
        if talk and self.shard_talks and self._talks >= self.shard_talks:
            self._next_shard()
            if self._current is None:
                return
        self._added.add(path)
        self._current.add(path, html)
        self._talks += talk

    def finish(self) -> IndexResult:
        """Hands over the site's other HTML files, writes the last shard and the list of
        shards. Raises SearchIndexError naming the shard that failed (no index is left)."""
        try:
            if self._failed is None and self.site.is_dir():
                for path in self._rest():
                    self.add(path, (self.site / path).read_text("utf-8", "replace"))
            self._end_shard()
            self._wait()
            if self._failed is not None:
                raise self._failed
            self._write_manifest()
        finally:
            self.close()
        pages = sum(d.pages for d in self._done)
        size = sum(f.stat().st_size for f in (self.site / BUNDLE).rglob("*") if f.is_file())
        peak = max(d.peak_mib for d in self._done)
        return IndexResult(pages, time.perf_counter() - self.started_at, size, peak)

    def close(self) -> None:
        current, self._current = self._current, None
        if current is not None:
            current.close()
        writing, self._writing = self._writing, None
        if writing is not None:  # its binary ended: `finish` returns at once
            writing[0].close()
            writing[1].join(30)

    @property
    def shards(self) -> int:
        return len(self._done)

    def _rest(self) -> list[str]:
        found = (
            p.relative_to(self.site).as_posix()
            for p in self.site.rglob("*.html")
            if p.is_file() and not p.is_symlink()  # (a link may lead out of the site)
        )
        return sorted(p for p in found if p.split("/")[0] != BUNDLE and p not in self._added)

    def _next_shard(self) -> None:
        self._end_shard()
        if self._failed is None:
            self._number += 1
            self._talks = 0
            try:
                self._current = LiveIndex(
                    self.site, self.timeout, shard_folder(self._number), False
                )
            except SearchIndexError as exc:
                self._failed = exc

    def _end_shard(self) -> None:
        """The open shard's index written, in a thread of its own, once the shard before is
        done: one binary writes at a time (what a binary holds peaks as it writes)."""
        self._wait()
        current, self._current = self._current, None
        if current is None:
            return
        if self._failed is not None:
            current.close()
            return
        which = f"shard {self._number} (its {self._talks} talks)" if self.shard_talks else ""
        thread = threading.Thread(
            target=self._write, args=(current, which), name="yt2doc-shard", daemon=True
        )
        self._writing = (current, thread)
        thread.start()

    def _write(self, index: LiveIndex, which: str) -> None:
        try:
            self._done.append(index.finish())
        except SearchIndexError as exc:
            shutil.rmtree(self.site / BUNDLE, ignore_errors=True)  # never half an index
            self._failed = SearchIndexError(
                f"{which + ' failed, so no index was written: ' if which else ''}{exc}"
            )

    def _wait(self) -> None:
        writing, self._writing = self._writing, None
        if writing is not None:
            writing[1].join()

    def _write_manifest(self) -> None:
        folders = [shard_folder(n) for n in range(1, self.shards + 1)]
        shards = [f[len(BUNDLE) + 1 :] + "/" if f != BUNDLE else "" for f in folders]
        stamp = {"build": self.build}
        for folder in folders:
            (self.site / folder / STAMP).write_text(json.dumps(stamp), "utf-8")
        said: Counter[str] = Counter()
        for done in self._done:
            said.update(done.words)
        manifest = {**stamp, "shards": shards, "common": common_words(said, self.shards)}
        (self.site / BUNDLE / MANIFEST).write_text(json.dumps(manifest), "utf-8")


def build_index(
    site: Path, timeout: float = TIMEOUT, shard_talks: int = SHARD_TALKS
) -> IndexResult:
    """Index every HTML page of `site` into `site/pagefind/` (replacing an older index), in
    shards of `shard_talks` talks, stopping a Pagefind binary after `timeout` seconds.
    Raises SearchIndexError with a one-line cause and the fix."""
    if not site.is_dir():
        raise SearchIndexError(f"{site} is not a folder (build the site first)")
    return ShardedIndex(site, timeout, shard_talks).finish()
