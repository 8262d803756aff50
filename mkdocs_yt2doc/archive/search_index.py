"""The finished site -> a Pagefind index in `<site>/pagefind/`, through Pagefind's Python API.

Pagefind reads the built HTML of any generator (the plugin calls this after MkDocs' build;
`mkdocs-yt2doc index SITE_DIR` after Zensical's or anyone's) and writes its index in
fragments, so a reader's browser fetches only the pieces a query needs. Talk pages carry the
markup it reads (`search.py`): filters, metadata, chapter headings and paragraph ids.
"""

from __future__ import annotations

import asyncio
import base64
import concurrent.futures
import contextlib
import json
import shutil
import signal
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .search_fragments import FragmentError, compact
from .search_records import talk_records

INSTALL = 'pip install "pagefind[bin]>=1.5,<1.6"'
BUNDLE = "pagefind"  # the index's folder at the site's root
# The theme's chrome is on every page: indexed, each talk title in the navigation would
# match every page. These cover Material, Zensical, MkDocs' own themes and most others;
# `.headerlink` is the "¶" that Zensical (and `toc: permalink`) puts in every heading.
EXCLUDE = (
    "header", "footer", "nav", "[role=navigation]", ".md-sidebar", ".md-search", ".md-skip",
    ".md-dialog", ".md-banner", ".md-source-file", ".md-consent", ".navbar", ".wy-nav-side",
    ".headerlink",
)  # fmt: skip
KILLED = "the Pagefind binary was killed (SIGKILL)"
BOUND = (
    "its memory grows with the talks it indexes at once: lower the search_shard_talks option "
    "(`mkdocs-yt2doc index --shard-talks N`), each shard indexed alone"
)
WRITE_GRACE = 120.0  # seconds the binary may take to end after writing (its last files)
TIMEOUT = 1800.0  # seconds; a healthy run over 10,000 talk pages takes a few minutes
# what the binary was doing when the time ran out (the steps of `_index`)
STEPS = {
    "start": "the Pagefind binary did not answer its first request within the {} s timeout "
    "(it hangs)",
    "read": "Pagefind was still reading the site's pages at the {} s timeout",
    "write": "Pagefind was still writing the index at the {} s timeout",
}


class SearchIndexError(Exception):
    """Pagefind could not index the site; the message names the cause and the fix."""


@dataclass(frozen=True)
class IndexResult:
    pages: int
    seconds: float
    bytes: int  # the bundle on disk
    peak_mib: float = 0.0  # the Pagefind binary's resident peak (the largest shard's)
    words: Counter[str] = field(default_factory=Counter)  # times each word is said in talks


class LiveIndex:
    """The site's index, fed while the site is built: the plugin hands over each page as
    MkDocs writes it, so the binary reads it on its own cores while the next is rendered, and
    `finish` adds the site's other HTML files (404, copied pages) and writes the index. The
    binary runs on an event loop in a thread of its own (the caller may be running a loop:
    a notebook, Playwright's sync API); a daemon thread, so that nothing can hold the build.
    `timeout` bounds how long `finish` waits."""

    IN_FLIGHT = 32  # pages handed over and not yet read: MkDocs waits past this (memory)

    def __init__(
        self, site: Path, timeout: float = TIMEOUT, output: str = BUNDLE, rest: bool = True
    ) -> None:
        if not timeout > 0:
            raise SearchIndexError(f"the timeout must be seconds above 0, not {timeout}")
        try:
            import pagefind.index  # noqa: F401 - the package, before any subprocess
        except ImportError:
            raise SearchIndexError(f"the pagefind package is not installed; {INSTALL}") from None
        self.site, self.timeout = site.resolve(), timeout
        self.output, self.rest = output, rest  # where it writes; whether it reads the rest
        self.started_at = time.perf_counter()
        self._steps: list[str] = []  # each step as it starts (what a timeout names)
        self._added: set[str] = set()
        self._pending: list[concurrent.futures.Future[None]] = []
        self._room = threading.BoundedSemaphore(self.IN_FLIGHT)
        self._stuck = False  # no room within the timeout: no more pages handed over
        self._index: Any = None
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="yt2doc-pagefind", daemon=True
        )
        self._thread.start()
        self._started = asyncio.run_coroutine_threadsafe(self._start(), self._loop)

    def add(self, path: str, html: str) -> None:
        """A page of the site, `path` relative to it (`talks/x/index.html`). Errors wait for
        `finish`; after one, pages are no longer handed over."""
        last = (self._started, *self._pending[-1:])
        failed = any(f.done() and (f.cancelled() or f.exception()) for f in last)
        if failed or self._stuck or path in self._added or self._loop.is_closed():
            return
        if not self._room.acquire(timeout=self.timeout):
            self._stuck = True  # the binary reads nothing: `finish` says so
            return
        self._added.add(path)
        done = asyncio.run_coroutine_threadsafe(self._add(path, html), self._loop)
        done.add_done_callback(lambda _: self._room.release())
        self._pending.append(done)

    def finish(self) -> IndexResult:
        """Adds the site's other pages, writes `site/pagefind/` (replacing an older index)
        and ends the binary. Raises SearchIndexError with a one-line cause and the fix."""
        try:
            if not self.site.is_dir():
                raise SearchIndexError(f"{self.site} is not a folder (build the site first)")
            work = asyncio.wait_for(self._finish(), self.timeout)
            try:
                pages = asyncio.run_coroutine_threadsafe(work, self._loop).result(self.timeout + 30)
            except Exception as exc:
                raise _explained(exc, self.timeout, self._steps) from None
            self.close(grace=10)  # (it ends on its own once its input is closed)
        finally:
            self.close()
        output = self.site / self.output
        if pages == 0 or not (output / "pagefind.js").is_file():
            raise SearchIndexError(f"Pagefind found no HTML page to index in {self.site}")
        _check_bundle(output)
        try:  # a result fetches its hit's part of a talk, not the whole talk
            words = compact(output, self.site)
        except (FragmentError, OSError) as exc:
            raise SearchIndexError(f"its fragments could not be made small: {exc}") from None
        size = sum(f.stat().st_size for f in output.rglob("*") if f.is_file())
        peak = getattr(self._index and self._index._service, "yt2doc_peak_kib", 0) / 1024
        return IndexResult(pages, time.perf_counter() - self.started_at, size, peak, words)

    def close(self, grace: float = 0.0) -> None:
        """Ends the binary: at once (also when the build failed half-way), or once it has
        ended on its own within `grace` seconds of its input's end."""
        if self._loop.is_closed():
            return
        with contextlib.suppress(BaseException):
            stop = self._stop_all(grace)
            asyncio.run_coroutine_threadsafe(stop, self._loop).result(15 + grace)
        # (a shard writing in its own thread may be closed from the build's at once)
        with contextlib.suppress(RuntimeError):  # closed meanwhile, or still running
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
            if not self._thread.is_alive():
                self._loop.close()

    async def _stop_all(self, grace: float = 0.0) -> None:
        await _stop(getattr(self._index, "_service", None), grace)
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in tasks:  # the API's reader and pages not read: none left pending
            task.cancel()
        await asyncio.wait(tasks, timeout=5) if tasks else None

    async def _start(self) -> None:
        from pagefind.index import PagefindIndex

        # `output_path`: the API's default is relative to the working folder, not to the site.
        output = str(self.site / self.output)
        config: dict[str, Any] = {"exclude_selectors": list(EXCLUDE), "output_path": output}
        service = _service()
        self._index = PagefindIndex(config=config, _service=service)  # type: ignore[arg-type]
        self._steps.append("start")
        await service.launch()
        self._watch = asyncio.ensure_future(_watch_peak(service))
        made = await _guarded(self._index, service.create_index(config))
        self._index._index_id = made._index_id
        self._steps.append("read")

    async def _add(self, path: str, html: str) -> None:
        await asyncio.wrap_future(self._started)
        records = talk_records(path, html)
        if records is None:
            await _guarded(self._index, self._index.add_html_file(content=html, source_path=path))
            return
        for record in records:  # a talk: its speech, titles and names only
            add = self._index.add_html_file(content=record.html, url=record.url)
            await _guarded(self._index, add)

    async def _finish(self) -> int:
        try:
            await asyncio.wrap_future(self._started)
            # the rest, as Pagefind would find them (`**/*.html`), read here: talk pages
            # are split into records (`mkdocs-yt2doc index` hands over nothing before)
            await asyncio.gather(*map(asyncio.wrap_future, self._pending))
            rest = sorted(
                p.relative_to(self.site).as_posix()
                for p in self.site.rglob("*.html")
                if p.is_file()
                and not p.is_symlink()  # (a link may lead out of the site)
                and BUNDLE not in p.relative_to(self.site).parts[:1]
            )
            rest = [path for path in rest if path not in self._added and self.rest]
            for start in range(0, len(rest), self.IN_FLIGHT):  # a few read at a time
                await asyncio.gather(
                    *(self._add(path, (self.site / path).read_text("utf-8", "replace"))
                      for path in rest[start : start + self.IN_FLIGHT])
                )  # fmt: skip
            pages = len(self._added) + len(rest)
            self._steps.append("write")
            output = self.site / self.output
            if (output / "pagefind-entry.json").is_file():  # an older index: its files would stay
                shutil.rmtree(output, ignore_errors=True)
            await _guarded(self._index, self._index.write_files())
            await _settled(output)  # it answers before its files are all on disk
            return pages
        except (ConnectionError, OSError, RuntimeError, ValueError) as exc:
            if isinstance(exc, (FileNotFoundError, PermissionError)):
                raise
            raise await _stopped(self._index) or exc from None


def _service() -> Any:
    """Pagefind's service, reading each answer as soon as it comes: the API's own reader
    waits 0.1 s before each (pagefind 1.5), which holds a site handed over page by page to
    ten pages a second. Otherwise the API's reader: answers matched to requests by id."""
    from pagefind.service import PagefindService

    class Service(PagefindService):
        async def _wait_for_responses(self) -> None:
            assert self._backend.stdout is not None
            while True:
                output = await self._backend.stdout.readuntil(b",")
                answer = json.loads(base64.b64decode(output[:-1]))
                if answer is None:
                    continue
                payload = answer["payload"]
                number = answer.get("message_id")
                if number is None and payload.get("original_message"):  # a request it misread
                    number = json.loads(payload["original_message"]).get("message_id")
                waiting = self._responses.get(number)
                if waiting is None or waiting.done():
                    continue
                if payload["type"] == "Error":
                    waiting.set_exception(
                        Exception(payload["message"], payload.get("original_message"))
                    )
                else:
                    waiting.set_result(payload)

    return Service()


async def _settled(output: Path, timeout: float = WRITE_GRACE) -> None:
    """Waits until the bundle is whole and no file of it changes any more."""
    before: tuple[int, int] | None = None
    deadline = time.perf_counter() + timeout
    while True:
        files = [f.stat().st_size for f in output.rglob("*") if f.is_file()]
        now = (len(files), sum(files))
        try:
            _check_bundle(output)
            if now == before:
                return
        except SearchIndexError:
            if time.perf_counter() > deadline:
                raise
        before = now
        await asyncio.sleep(0.3)


def _check_bundle(output: Path) -> None:
    """The index Pagefind says it wrote is whole: its entry file and each language's
    metadata (a file cut short would break every search of the site)."""
    entry = output / "pagefind-entry.json"
    try:
        languages = json.loads(entry.read_text("utf-8"))["languages"]
        missing = [
            f"pagefind.{v['hash']}.pf_meta"
            for v in languages.values()
            if not (output / f"pagefind.{v['hash']}.pf_meta").stat().st_size
        ]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise SearchIndexError(f"Pagefind wrote an incomplete index: {entry} ({exc})") from None
    if missing:
        raise SearchIndexError(f"Pagefind wrote an incomplete index: {missing[0]} is empty")


async def _watch_peak(service: Any) -> None:
    """The binary's resident peak (VmHWM), read while it runs: what a kill for memory reached
    (the build's own peak is the bench's)."""
    status = Path(f"/proc/{service._backend.pid}/status")
    while True:
        try:
            text = status.read_text()
        except OSError:
            return
        for line in text.splitlines():
            if line.startswith("VmHWM:"):
                seen = int(line.split()[1])
                service.yt2doc_peak_kib = max(getattr(service, "yt2doc_peak_kib", 0), seen)
        await asyncio.sleep(0.05)


async def _stopped(index: Any) -> SearchIndexError | None:
    """Why the binary stopped, if it did (its exit status and last line)."""
    service = getattr(index, "_service", None)
    backend = getattr(service, "_backend", None)
    with contextlib.suppress(BaseException):  # its exit status, when it has one
        await asyncio.wait_for(backend.wait(), 2)  # type: ignore[union-attr]
    if getattr(backend, "returncode", None) is None:
        return None
    said = b""
    with contextlib.suppress(BaseException):  # what it printed, if nobody read it yet
        said = await asyncio.wait_for(backend.stdout.read(), 2)  # type: ignore[union-attr]
    return SearchIndexError(_died(service, getattr(service, "_poll_task", None), said))


async def _stop(service: Any, grace: float = 0.0) -> None:
    """End the binary, at once or after `grace` seconds (the API's own close can wait for
    ever on a dead one)."""
    poll = getattr(service, "_poll_task", None)
    if poll is not None:
        poll.cancel()
    backend = getattr(service, "_backend", None)
    if backend is None:
        return
    with contextlib.suppress(BaseException):
        if backend.stdin is not None:
            backend.stdin.close()
        if grace:  # its last writes, on its own (its input ended)
            with contextlib.suppress(BaseException):
                await asyncio.wait_for(backend.wait(), grace)
        if backend.returncode is None:
            backend.kill()
        await asyncio.wait_for(backend.wait(), 5)


async def _guarded(index: Any, step: Any) -> Any:
    """`step`, unless the binary's output ends first (the API would wait for ever)."""
    work = asyncio.ensure_future(step)
    while not work.done():
        watch = getattr(getattr(index, "_service", None), "_poll_task", None)
        if watch is None:  # not started yet: look again soon
            await asyncio.wait({work}, timeout=0.2)
            continue
        await asyncio.wait({work, watch}, return_when=asyncio.FIRST_COMPLETED)
        if not work.done():
            work.cancel()
            raise ConnectionError("the Pagefind binary's output ended")
    return work.result()


def _died(service: Any, watch: asyncio.Future[Any] | None, said: bytes = b"") -> str:
    detail = ""
    with contextlib.suppress(BaseException):
        partial = said
        if not partial and watch is not None and watch.done():
            partial = getattr(watch.exception(), "partial", b"") or b""
        lines = partial.decode("utf-8", "replace").strip().splitlines()
        detail = lines[-1][:200] if lines else ""
    code = getattr(getattr(service, "_backend", None), "returncode", None)
    if code == -signal.SIGKILL:  # the kernel's out-of-memory killer, or a memory limit's
        peak = getattr(service, "yt2doc_peak_kib", 0) / 1024
        return f"{KILLED} at a resident peak of {peak:.0f} MiB or more (out of memory)"
    status = f" (exit status {code})" if code is not None else ""
    return f"the Pagefind binary stopped{status}" + (f": {detail}" if detail else "")


def _timed_out(timeout: float, steps: list[str]) -> str:
    cause = STEPS[steps[-1] if steps else "start"].format(f"{timeout:g}")
    return (
        f"{cause} and was stopped; a large site may need a longer timeout (the search_timeout "
        f"option, `mkdocs-yt2doc index --timeout SECONDS`), a hung binary a reinstall: {INSTALL}"
    )


def _explained(exc: BaseException, timeout: float, steps: list[str]) -> SearchIndexError:
    """What went wrong, in one line with the fix."""
    if isinstance(exc, SearchIndexError) and str(exc).startswith(KILLED):
        return SearchIndexError(f"{exc}; {BOUND}")
    if isinstance(exc, SearchIndexError):
        return SearchIndexError(f"{exc}; reinstall it: {INSTALL}")
    if isinstance(exc, FileNotFoundError):
        return SearchIndexError(f"no Pagefind binary ({exc}); {INSTALL}")
    if isinstance(exc, PermissionError):
        return SearchIndexError(f"the Pagefind binary cannot run ({exc}); {INSTALL}")
    if isinstance(exc, (asyncio.TimeoutError, concurrent.futures.TimeoutError, TimeoutError)):
        return SearchIndexError(_timed_out(timeout, steps))
    # the API raises bare Exceptions with Pagefind's message
    message = str(exc.args[0] if exc.args else exc).strip().splitlines()[:1] or [repr(exc)]
    return SearchIndexError(f"Pagefind failed: {message[0][:300]}; {INSTALL}")
