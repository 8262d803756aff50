"""`mkdocs serve` with byte ranges: MkDocs' development server sends whole files, and a
browser cannot seek in a recording served so (a WAV not yet loaded starts again at 0). Its
WSGI app is wrapped: a `Range` request for a file of the built site (not a page: those get
the live-reload script) is answered `206 Partial Content`; everything else goes on to MkDocs."""

from __future__ import annotations

import mimetypes
import os
import posixpath
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

App = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
_RANGE = re.compile(r"bytes=(\d*)-(\d*)")
_BLOCK = 1 << 16
# types the stdlib does not know everywhere; the browser picks a decoder by them
_TYPES = {".opus": "audio/ogg", ".vtt": "text/vtt", ".m4a": "audio/mp4", ".mkv": "video/x-matroska"}


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


def _chunks(path: str, first: int, last: int) -> Iterator[bytes]:
    with open(path, "rb") as handle:
        handle.seek(first)
        left = last - first + 1
        while left > 0:
            block = handle.read(min(_BLOCK, left))
            if not block:
                return
            left -= len(block)
            yield block


def with_ranges(app: App, root: str, mount_path: str) -> App:
    """`app` (MkDocs' server, serving `root` at `mount_path`) answering range requests."""
    root = os.path.realpath(root)

    def ranged(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        header = environ.get("HTTP_RANGE")
        path = environ.get("PATH_INFO", "").encode("latin-1").decode("utf-8", "ignore")
        if not header or environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return app(environ, start_response)
        if not (path + "/").startswith(mount_path) or path.endswith(("/", ".html")):
            return app(environ, start_response)
        relative = posixpath.normpath("/" + path[len(mount_path) :]).lstrip("/")
        file = os.path.realpath(os.path.join(root, relative))
        if not file.startswith(root + os.sep) or not os.path.isfile(file):
            return app(environ, start_response)  # its 404, its redirects
        size = os.path.getsize(file)
        try:
            span = byte_range(header, size)
        except ValueError:
            start_response("416 Range Not Satisfiable", [("Content-Range", f"bytes */{size}")])
            return []
        if span is None:
            return app(environ, start_response)
        first, last = span
        kind = _TYPES.get(os.path.splitext(file)[1].lower()) or mimetypes.guess_type(file)[0]
        start_response("206 Partial Content", [
            ("Content-Type", kind or "application/octet-stream"),
            ("Content-Range", f"bytes {first}-{last}/{size}"),
            ("Content-Length", str(last - first + 1)),
            ("Accept-Ranges", "bytes"),
        ])  # fmt: skip
        if environ["REQUEST_METHOD"] == "HEAD":
            return []
        return _chunks(file, first, last)

    return ranged


def serve_with_ranges(server: Any) -> None:
    """Wrap MkDocs' LiveReloadServer's app (its `root` and `mount_path` say what it serves)."""
    root, mount = getattr(server, "root", None), getattr(server, "mount_path", None)
    if not isinstance(root, str) or not isinstance(mount, str) or not hasattr(server, "get_app"):
        return  # another server (ProperDocs may bring its own): left as it is
    server.set_app(with_ranges(server.get_app(), root, mount))
