"""`mkdocs serve` with byte ranges: MkDocs' development server sends whole files, and a
browser cannot seek in a recording served so (a WAV not yet loaded starts again at 0). Its
WSGI app is wrapped: a `Range` request for a file of the built site (not a page: those get
the live-reload script) is answered `206 Partial Content`."""

from __future__ import annotations

import io
import os
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any, BinaryIO

App = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
_RANGE = re.compile(r"bytes=(\d*)-(\d*)")
_BLOCK = 1 << 16


def byte_range(header: str, size: int) -> tuple[int, int] | None:
    """The one range `header` asks for, as (first, last) bytes within `size`; None for a
    header this server answers with the whole file (several ranges, not bytes). `ValueError`
    when no byte of it lies in the file (416)."""
    match = _RANGE.fullmatch(header.strip())
    if match is None or not (match[1] or match[2]):
        return None
    if not match[1]:  # the last N bytes
        count = int(match[2])
        if count == 0 or size == 0:
            raise ValueError(header)
        return max(0, size - count), size - 1
    first = int(match[1])
    last = min(int(match[2]), size - 1) if match[2] else size - 1
    if first >= size or last < first:
        raise ValueError(header)
    return first, last


def _chunks(handle: BinaryIO, first: int, last: int) -> Iterator[bytes]:
    with handle:
        handle.seek(first)
        left = last - first + 1
        while left > 0:
            block = handle.read(min(_BLOCK, left))
            if not block:
                return
            left -= len(block)
            yield block


def with_ranges(app: App) -> App:
    """`app` (MkDocs' server) answering range requests. MkDocs finds the file (and waits for
    a rebuild under way, and sends its 404s and redirects); a whole file it would send, an
    open file in a `FileWrapper`, is sent in part instead. Pages come as bytes it made (the
    live-reload script added): those go out whole."""

    def ranged(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        header = environ.get("HTTP_RANGE")
        if not header or environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return app(environ, start_response)
        answer: list[Any] = []

        def keep(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            answer[:] = [status, headers, exc_info]
            return lambda data: None  # (MkDocs writes nothing through it)

        body = app(environ, keep)
        handle = getattr(body, "filelike", None)
        if not (answer and answer[0].startswith("200")) or not isinstance(
            handle, io.FileIO | io.BufferedReader
        ):
            start_response(*answer)
            return body
        size = os.fstat(handle.fileno()).st_size
        try:
            span = byte_range(header, size)
        except ValueError:
            handle.close()
            start_response("416 Range Not Satisfiable", [("Content-Range", f"bytes */{size}")])
            return []
        if span is None:
            start_response(*answer)
            return body
        first, last = span
        kind = dict(answer[1]).get("Content-Type", "application/octet-stream")  # MkDocs' own
        start_response("206 Partial Content", [
            ("Content-Type", kind),
            ("Content-Range", f"bytes {first}-{last}/{size}"),
            ("Content-Length", str(last - first + 1)),
            ("Accept-Ranges", "bytes"),
        ])  # fmt: skip
        if environ["REQUEST_METHOD"] == "HEAD":
            handle.close()
            return []
        return _chunks(handle, first, last)

    return ranged


def serve_with_ranges(server: Any) -> None:
    """Wrap the app of MkDocs' LiveReloadServer (a WSGI server: `get_app`, `set_app`)."""
    if callable(getattr(server, "get_app", None)) and callable(getattr(server, "set_app", None)):
        server.set_app(with_ranges(server.get_app()))
