"""Every fetch the project makes itself (caption files named in talks.yml, the source's
caption tracks, thumbnails): bounded in time and size, and held to public addresses.

Those URLs come from a pull request (`captions:`) or from a video service's metadata, and the
reply is published: a server may trickle a byte a second, or the URL may name an address
inside the network the build runs in (server-side request forgery). So the deadline covers
the whole fetch, every redirect included, not one read; and the address a name resolves to is
checked when connecting, on every hop, and the connection goes to that very address (no second
lookup a name server could answer differently). yt-dlp's own downloads are not made here.
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import math
import os
import socket
import ssl
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

from ..records.errors import Yt2DocError

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

REDIRECTS = 5
DEADLINE = 60.0  # the whole fetch, by default (`fetch_timeout`)
READ_TIMEOUT = 30.0  # one read; the deadline bounds them all
_CHUNK = 64 * 1024
_REDIRECT_CODES = (301, 302, 303, 307, 308)
OPTION = "fetch_allow_networks"


class FetchError(Yt2DocError):
    """A fetch refused or failed; the message gives the cause (the caller names the talk)."""


@dataclass(frozen=True)
class Reply:
    data: bytes
    content_type: str  # without parameters, lower case: "image/png"
    url: str  # after redirects


def networks(values: Sequence[str]) -> tuple[Network, ...]:
    """The networks of `fetch_allow_networks` (CIDR strings, or single addresses)."""
    result = []
    for value in values:
        try:
            result.append(ipaddress.ip_network(str(value).strip(), strict=False))
        except ValueError:
            raise ValueError(
                f"{value!r} is not a network: give one such as 10.0.0.0/8 or fd00::/8"
            ) from None
    return tuple(result)


def refusal(address: str, allowed: Sequence[Network] = ()) -> str | None:
    """Why `address` may not be fetched from ("a loopback address"), None if it may: global
    addresses, and those inside an allowed network."""
    ip: Address = ipaddress.ip_address(address.split("%", 1)[0])  # no IPv6 zone
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    if any(ip.version == net.version and ip in net for net in allowed):
        return None
    embedded = ip.sixtofour if isinstance(ip, ipaddress.IPv6Address) else None
    for candidate in (ip, embedded):
        kind = _kind(candidate) if candidate is not None else None
        if kind:
            return kind if candidate is ip else f"a 6to4 address of {candidate}, {kind}"
    return None


def _kind(ip: Address) -> str | None:
    checks = (
        ("a loopback", ip.is_loopback),
        ("a link-local", ip.is_link_local),
        ("an unspecified", ip.is_unspecified),
        ("a multicast", ip.is_multicast),
        ("a private", ip.is_private),
        ("a reserved", ip.is_reserved),
        ("a site-local", isinstance(ip, ipaddress.IPv6Address) and ip.is_site_local),
        ("a non-global", not ip.is_global),
    )
    return next((f"{name} address" for name, hit in checks if hit), None)


def fetch(
    url: str, *, limit_bytes: int, deadline_s: float, allowed: Sequence[Network] = ()
) -> Reply:
    """GET `url` (http or https), following at most `REDIRECTS` redirects. `FetchError` when
    an address is refused, the whole reply takes over `deadline_s`, the body is over
    `limit_bytes`, or the server fails or answers other than 200."""
    if not (isinstance(deadline_s, (int, float)) and math.isfinite(deadline_s) and deadline_s > 0):
        raise FetchError(f"the deadline must be a finite number of seconds, not {deadline_s!r}")
    watch = _Watch(float(deadline_s))
    try:
        for hop in range(REDIRECTS + 1):
            try:
                reply, location = _get(url, limit_bytes, watch, allowed)
            except FetchError as exc:
                raise FetchError(f"redirected to {url!r}: {exc}" if hop else str(exc)) from None
            if reply is not None:
                return reply
            url = location
        raise FetchError(f"more than {REDIRECTS} redirects")
    finally:
        watch.stop()


def _get(
    url: str, limit: int, watch: _Watch, allowed: Sequence[Network]
) -> tuple[Reply | None, str]:
    """One hop: the reply, or (None, where it redirects)."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise FetchError("it is not an http(s) URL")
    try:
        port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    except ValueError:
        raise FetchError("the port is not a number from 0 to 65535") from None
    host = parts.hostname
    connection: http.client.HTTPConnection
    if parts.scheme.lower() == "https":
        context = ssl.create_default_context()
        connection = http.client.HTTPSConnection(host, port, timeout=READ_TIMEOUT, context=context)
    else:
        connection = http.client.HTTPConnection(host, port, timeout=READ_TIMEOUT)
    connection._create_connection = _Connector(host, port, watch, allowed)  # type: ignore[attr-defined]
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request(
            "GET", target, headers={"User-Agent": "mkdocs-yt2doc", "Accept-Encoding": "identity"}
        )
        response = connection.getresponse()
        if response.status in _REDIRECT_CODES and response.getheader("Location"):
            return None, urljoin(url, response.getheader("Location", ""))
        if response.status != 200:
            raise FetchError(f"HTTP {response.status} {response.reason}".strip())
        data = _body(response, limit, watch)
        watch.left()  # the watchdog's shutdown ends a reply as if it were complete
        return Reply(data, response.headers.get_content_type(), url), url
    except (OSError, http.client.HTTPException) as exc:
        watch.left()
        raise FetchError(_said(exc)) from None
    finally:
        connection.close()


def _body(response: http.client.HTTPResponse, limit: int, watch: _Watch) -> bytes:
    length = response.getheader("Content-Length", "")
    if length.strip().isdigit() and int(length) > limit:
        raise FetchError(f"the reply is over {_size(limit)} ({int(length)} bytes)")
    chunks: list[bytes] = []
    size = 0
    while True:
        watch.left()
        chunk = response.read1(_CHUNK)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > limit:
            raise FetchError(f"the reply is over {_size(limit)}")
        chunks.append(chunk)


def _size(count: int) -> str:
    return f"{count // 2**20} MiB" if count >= 2**20 and count % 2**20 == 0 else f"{count} bytes"


def _said(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__


class _Connector:
    """http.client's `_create_connection`: connects to an address of `host` that is allowed,
    whatever address http.client passes (the host's name)."""

    def __init__(self, host: str, port: int, watch: _Watch, allowed: Sequence[Network]) -> None:
        self.host, self.port, self.watch, self.allowed = host, port, watch, allowed

    def __call__(self, address: Any, timeout: Any = None, source: Any = None) -> socket.socket:
        found = _resolve(self.host, self.port, self.watch)
        refused: list[str] = []
        failure = None
        for family, sockaddr in found:
            why = refusal(str(sockaddr[0]), self.allowed)
            if why:
                shown = (
                    f"{self.host} is"
                    if self.host == sockaddr[0]
                    else f"{self.host} is {sockaddr[0]},"
                )
                refused.append(f"{shown} {why}")
                continue
            sock = socket.socket(family, socket.SOCK_STREAM)
            try:
                sock.settimeout(min(READ_TIMEOUT, self.watch.left()))
                self.watch.watch(sock)
                sock.connect(sockaddr)
                return sock
            except OSError as exc:
                sock.close()
                failure = exc
        if failure is not None:
            raise failure
        if not refused:
            raise FetchError(f"{self.host} has no IP address")
        raise FetchError(
            f"{refused[0]}: refused, as the reply would be published (allow its network "
            f"with the {OPTION} option)"
        )


def _resolve(host: str, port: int, watch: _Watch) -> list[tuple[socket.AddressFamily, Any]]:
    """The host's addresses, looked up within the deadline (the resolver's own can be long)."""
    result: dict[str, Any] = {}

    def look_up() -> None:
        try:
            result["found"] = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError as exc:
            result["error"] = exc

    thread = threading.Thread(target=look_up, daemon=True, name="yt2doc-resolve")
    thread.start()
    thread.join(watch.left())
    if thread.is_alive():
        watch.left()
        raise FetchError(f"looking up {host} took too long")
    if "error" in result:
        raise FetchError(f"cannot look up {host}: {_said(result['error'])}")
    found = [(family, sockaddr) for family, _, _, _, sockaddr in result["found"]]
    return [f for f in found if f[0] in (socket.AF_INET, socket.AF_INET6)]


class _Watch:
    """The whole fetch's deadline: at it, the open connection is shut down, whatever it is
    waiting for (a per-read timeout never trips on a server sending a byte a second)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds
        self.expired = False
        self._lock = threading.Lock()
        self._socket: socket.socket | None = None
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def left(self) -> float:
        """Seconds left; `FetchError` once there are none."""
        left = self.end - time.monotonic()
        if self.expired or left <= 0:
            raise FetchError(f"no complete reply within {self.seconds:g} s")
        return left

    def watch(self, sock: socket.socket) -> None:
        """Shut `sock` down at the deadline (a duplicate of it: TLS takes the original over)."""
        with self._lock:
            self._close()
            self._socket = socket.socket(fileno=os.dup(sock.fileno()))
            if self.expired:
                self._shut()

    def stop(self) -> None:
        self._timer.cancel()
        with self._lock:
            self._close()

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            self._shut()

    def _shut(self) -> None:
        if self._socket is not None:
            with contextlib.suppress(OSError):  # not connected yet, or closed already
                self._socket.shutdown(socket.SHUT_RDWR)

    def _close(self) -> None:
        if self._socket is not None:
            self._socket.close()
            self._socket = None
