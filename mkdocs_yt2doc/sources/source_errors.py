"""What a failed yt-dlp read means for the person who runs the build: the network (or the
server) is down, or the URL names nothing, or something else; each says what to do.

The exception chain decides, not the wording: a refused connection, a name that does not
resolve, a timeout, against an HTTP 404 or 410 or an extractor saying the video is gone.
"""

from __future__ import annotations

import errno
import re
import socket
from collections.abc import Iterator
from urllib.parse import urlsplit

_GONE = re.compile(
    r"unavailable|private video|video is private|has been removed|does not exist|"
    r"no longer available|account .*terminated",
    re.IGNORECASE,
)
_UNREACHABLE = (errno.ENETUNREACH, errno.EHOSTUNREACH, errno.ENETDOWN)


def _chain(exc: BaseException | None) -> Iterator[BaseException]:
    """The exception and what caused it, as yt-dlp and urllib3 wrap them (bounded)."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen and len(seen) < 12:
        seen.add(id(exc))
        yield exc
        cause = getattr(exc, "cause", None)
        following = cause if isinstance(cause, BaseException) else None
        exc = following or exc.__cause__ or exc.__context__


def _status(exc: BaseException) -> int | None:
    status = getattr(exc, "status", None)
    if isinstance(status, int):
        return status
    code = getattr(exc, "code", None)  # urllib's HTTPError
    return code if isinstance(code, int) and 100 <= code < 600 else None


def advice(url: str, exc: BaseException, cleaned: str) -> str:
    """The message for a failed read of `url`; `cleaned`: yt-dlp's own text, tidied."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:  # a port out of range: yt-dlp said why
        port = None
    host = (parts.hostname or url) + (f":{port}" if port else "")
    found = list(_chain(getattr(exc, "exc_info", (None, None))[1] or exc))
    for item in found:
        status = _status(item)
        if status in (404, 410):
            return f"no such recording: {host} answers HTTP {status}; check the URL in talks.yml"
    for item in found:
        if isinstance(item, socket.gaierror):
            return (
                f"cannot look up {host}: the network is down, or the host name in the URL is "
                "wrong; build again once the network is back, or fix the URL"
            )
        if isinstance(item, (ConnectionRefusedError, TimeoutError)) or (
            isinstance(item, OSError) and item.errno in _UNREACHABLE
        ):
            what = (
                "refuses connections"
                if isinstance(item, ConnectionRefusedError)
                else ("does not answer")
            )
            return (
                f"{host} {what}: the network or the server is down, not the URL; build "
                "again when it is back"
            )
    if _GONE.search(cleaned):
        return f"no such video: {cleaned}; check the URL in talks.yml"
    return cleaned + "; check the URL, then build again"
