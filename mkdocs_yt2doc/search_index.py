"""The finished site -> a Pagefind index in `<site>/pagefind/`, through Pagefind's Python API.

Pagefind reads the built HTML of any generator (the plugin calls this after MkDocs' build;
`mkdocs-yt2doc index SITE_DIR` after Zensical's or anyone's) and writes its index in
fragments, so a reader's browser fetches only the pieces a query needs. Talk pages carry the
markup it reads (`search.py`): filters, metadata, chapter headings and paragraph ids.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import threading
import time
from collections.abc import Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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


async def _index(site: Path, output: Path, steps: list[str]) -> int:
    """`steps`: each step is added as it starts (what a timeout names)."""
    from pagefind.index import PagefindIndex

    # `output_path`: the API's default is relative to the working folder, not to the site.
    config: dict[str, Any] = {"exclude_selectors": list(EXCLUDE), "output_path": str(output)}
    index = PagefindIndex(config=config)  # type: ignore[arg-type]
    try:
        steps.append("start")
        await _guarded(index, index.__aenter__())  # starts the binary; _stop ends it
        steps.append("read")
        added = await _guarded(index, index.add_directory(str(site)))
        steps.append("write")
        await _guarded(index, index.write_files())
        return int(added.get("page_count", 0))
    except (ConnectionError, OSError, RuntimeError, ValueError) as exc:
        if isinstance(exc, (FileNotFoundError, PermissionError)):
            raise
        service = getattr(index, "_service", None)
        backend = getattr(service, "_backend", None)
        with contextlib.suppress(BaseException):  # its exit status, when it has one
            await asyncio.wait_for(backend.wait(), 2)  # type: ignore[union-attr]
        if getattr(backend, "returncode", None) is None:
            raise
        said = b""
        with contextlib.suppress(BaseException):  # what it printed, if nobody read it yet
            said = await asyncio.wait_for(backend.stdout.read(), 2)  # type: ignore[union-attr]
        raise SearchIndexError(_died(service, getattr(service, "_poll_task", None), said)) from None
    finally:
        await _stop(getattr(index, "_service", None))


async def _stop(service: Any) -> None:
    """End the binary at once (the API's own close can wait for ever on a dead one)."""
    poll = getattr(service, "_poll_task", None)
    if poll is not None:
        poll.cancel()
    backend = getattr(service, "_backend", None)
    if backend is None:
        return
    with contextlib.suppress(BaseException):
        if backend.stdin is not None:
            backend.stdin.close()
        if backend.returncode is None:
            backend.kill()
        await asyncio.wait_for(backend.wait(), 5)


async def _guarded(index: Any, step: Any) -> Any:
    """`step`, unless the binary's output ends first (the API would wait for ever)."""
    work = asyncio.ensure_future(step)
    while True:
        await asyncio.wait({work}, timeout=0.2)
        if work.done():
            return work.result()
        watch = getattr(getattr(index, "_service", None), "_poll_task", None)
        if watch is not None and watch.done():
            work.cancel()
            raise ConnectionError("the Pagefind binary's output ended")


def _died(service: Any, watch: asyncio.Future[Any] | None, said: bytes = b"") -> str:
    detail = ""
    with contextlib.suppress(BaseException):
        partial = said
        if not partial and watch is not None and watch.done():
            partial = getattr(watch.exception(), "partial", b"") or b""
        lines = partial.decode("utf-8", "replace").strip().splitlines()
        detail = lines[-1][:200] if lines else ""
    code = getattr(getattr(service, "_backend", None), "returncode", None)
    status = f" (exit status {code})" if code is not None else ""
    return f"the Pagefind binary stopped{status}" + (f": {detail}" if detail else "")


def _run(work: Coroutine[Any, Any, int], timeout: float) -> int:
    """`work` on an event loop of its own, in a thread (the caller may be running a loop: a
    notebook, Playwright's sync API); a daemon thread, so that nothing can hold the build."""
    outcome: list[Any] = []

    def target() -> None:
        try:
            outcome.append(asyncio.run(asyncio.wait_for(work, timeout)))
        except BaseException as exc:  # handed to the caller below
            outcome.append(exc)

    thread = threading.Thread(target=target, name="yt2doc-pagefind", daemon=True)
    thread.start()
    thread.join(timeout + 30)
    if not outcome:
        raise asyncio.TimeoutError
    if isinstance(outcome[0], BaseException):
        raise outcome[0]
    return int(outcome[0])


def _timed_out(timeout: float, steps: list[str]) -> str:
    cause = STEPS[steps[-1] if steps else "start"].format(f"{timeout:g}")
    return (
        f"{cause} and was stopped; a large site may need a longer timeout (the search_timeout "
        f"option, `mkdocs-yt2doc index --timeout SECONDS`), a hung binary a reinstall: {INSTALL}"
    )


def build_index(site: Path, timeout: float = TIMEOUT) -> IndexResult:
    """Index every HTML page of `site` into `site/pagefind/` (replacing an older index),
    stopping Pagefind after `timeout` seconds. Raises SearchIndexError with a one-line cause
    and the fix."""
    if not timeout > 0:
        raise SearchIndexError(f"the timeout must be a number of seconds above 0, not {timeout}")
    site = site.resolve()
    if not site.is_dir():
        raise SearchIndexError(f"{site} is not a folder (build the site first)")
    started = time.perf_counter()
    output = site / BUNDLE
    try:
        import pagefind.index  # noqa: F401 - the package, before any subprocess
    except ImportError:
        raise SearchIndexError(f"the pagefind package is not installed; {INSTALL}") from None
    if (output / "pagefind-entry.json").is_file():  # an older index: its fragments would stay
        shutil.rmtree(output, ignore_errors=True)
    steps: list[str] = []
    try:
        pages = _run(_index(site, output, steps), timeout)
    except SearchIndexError as exc:
        raise SearchIndexError(f"{exc}; reinstall it: {INSTALL}") from None
    except FileNotFoundError as exc:
        raise SearchIndexError(f"no Pagefind binary ({exc}); {INSTALL}") from None
    except PermissionError as exc:
        raise SearchIndexError(f"the Pagefind binary cannot run ({exc}); {INSTALL}") from None
    except asyncio.TimeoutError:
        raise SearchIndexError(_timed_out(timeout, steps)) from None
    except Exception as exc:  # the API raises bare Exceptions with Pagefind's message
        message = str(exc.args[0] if exc.args else exc).strip().splitlines()[:1] or [repr(exc)]
        raise SearchIndexError(f"Pagefind failed: {message[0][:300]}; {INSTALL}") from None
    if pages == 0 or not (output / "pagefind.js").is_file():
        raise SearchIndexError(f"Pagefind found no HTML page to index in {site}")
    size = sum(f.stat().st_size for f in output.rglob("*") if f.is_file())
    return IndexResult(pages, time.perf_counter() - started, size)
