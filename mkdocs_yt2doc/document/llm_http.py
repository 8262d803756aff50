"""An OpenAI-compatible chat server, spoken to in the structured-output dialect it accepts.

OpenAI, vLLM and llama.cpp's own `llama-server` take `response_format: {"type": "json_schema"}`;
llama-cpp-python's server takes only `{"type": "json_object", "schema": ...}` and answers
anything else with an error naming `response_format`; its grammar ignores integer ranges, so
that dialect gets them as enums. The first call finds out which (from
the server's error), the client remembers it for the run (in memory, never in the cache) and
logs it. `llm.timeout` bounds the whole reply, not each read.
"""

from __future__ import annotations

import functools
import logging
import os
import re
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from ..records.errors import Yt2DocError

log = logging.getLogger("mkdocs.plugins.yt2doc")
T = TypeVar("T")

DIALECTS = ("json_schema", "json_object")  # in the order tried
_REJECTED = re.compile(r"response_format|json_schema|json_object", re.I)
# llama-cpp-python: "Requested tokens (N) exceed context window of M"; llama-server and vLLM
# say "context" and "exceed" / "maximum context length" in their own words
_TOO_LONG = re.compile(r"context (window|length|size)|exceeds? the (available )?context", re.I)


class ChatError(Yt2DocError):
    """A failed call: `final` when asking again cannot help (the prompt does not fit)."""

    def __init__(self, message: str, final: bool = False) -> None:
        super().__init__(message)
        self.final = final


def base_url(host: str) -> str:
    """The server's root: `llm.host` may be given with or without its `/v1`."""
    root = host.strip().rstrip("/")
    return root[: -len("/v1")] if root.endswith("/v1") else root


def response_format(dialect: str, schema: dict[str, Any]) -> dict[str, Any]:
    if dialect == "json_object":
        return {"type": "json_object", "schema": ranges_as_enums(schema)}
    return {"type": "json_schema", "json_schema": {"name": "answer", "schema": schema,
                                                   "strict": True}}  # fmt: skip


def ranges_as_enums(schema: Any, most: int = 2000) -> Any:
    """The schema with each bounded integer as an enum of its values (up to `most`).

    llama-cpp-python's schema-to-grammar converter ignores `minimum` and `maximum` (Gemma 3
    answered paragraph -1 of 1..30) but keeps `enum`, which says the same."""
    if isinstance(schema, list):
        return [ranges_as_enums(item, most) for item in schema]
    if not isinstance(schema, dict):
        return schema
    low, high = schema.get("minimum"), schema.get("maximum")
    if schema.get("type") == "integer" and isinstance(low, int) and isinstance(high, int):
        return {"type": "integer", "enum": list(range(low, high + 1))} if (
            0 <= high - low < most) else schema  # fmt: skip
    return {key: ranges_as_enums(value, most) for key, value in schema.items()}


def within(seconds: float, call: Callable[[], T], what: str) -> T:
    """`call()`, or ChatError once `seconds` have passed, whatever the server trickles.

    The call runs in a daemon thread; at the deadline it is left to its own read timeout
    (the same `seconds`), so at most one such thread outlives each call that timed out."""
    done: dict[str, Any] = {}

    def run() -> None:
        try:
            done["value"] = call()
        except BaseException as exc:  # handed to the caller's thread below
            done["error"] = exc

    thread = threading.Thread(target=run, name="yt2doc-llm", daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        raise ChatError(
            f"cannot reach {what} in time: no whole reply within {seconds:g} s (llm.timeout)"
        )
    if "error" in done:
        raise done["error"]
    value: T = done["value"]
    return value


class OpenAIChat:
    """One OpenAI-compatible server: its dialect, found on the first call, kept for the run."""

    def __init__(self, host: str, model: str, timeout: float, seed: int) -> None:
        self.host, self.model, self.timeout, self.seed = host, model, timeout, seed
        self.url = base_url(host) + "/v1/chat/completions"
        self.dialect: str | None = None  # None: not known yet
        self.posts = 0  # requests sent, the dialect's probe included

    def complete(
        self, messages: list[dict[str, str]], schema: dict[str, Any], max_tokens: int
    ) -> dict[str, Any]:
        """The reply's JSON body (status 200), in the server's dialect."""
        for dialect in [self.dialect] if self.dialect else DIALECTS:
            body = {
                "model": self.model, "messages": messages, "temperature": 0, "seed": self.seed,
                "max_tokens": max_tokens, "response_format": response_format(dialect, schema),
            }  # fmt: skip
            status, text, data = within(self.timeout, functools.partial(self._post, body),
                                        self.host)  # fmt: skip
            if status == 200 and isinstance(data, dict):
                if self.dialect is None:
                    self.dialect = dialect
                    log.info("yt2doc: llm: %s takes structured output as response_format "
                             "type %s", self.host, dialect)  # fmt: skip
                return data
            if status == 200:
                raise ChatError(f"unexpected reply shape: {text[:120]!r}")
            if _TOO_LONG.search(text):
                raise ChatError(
                    f"the prompt does not fit the server's context ({_said(text)}): start the "
                    "server with a larger context (llama.cpp: --n_ctx), or set llm.context to "
                    "the size it was started with",
                    final=True,
                )
            if self.dialect is None and status in (400, 422, 500) and _REJECTED.search(text):
                log.info("yt2doc: llm: %s refuses response_format type %s (HTTP %d)",
                         self.host, dialect, status)  # fmt: skip
                continue
            raise ChatError(f"server error {status}: {_said(text)}")
        raise ChatError(
            f"the server accepts none of the structured-output forms tried "
            f"(response_format type {', '.join(DIALECTS)})",
            final=True,
        )

    def _post(self, body: dict[str, Any]) -> tuple[int, str, Any]:
        import httpx

        headers = {}
        if os.environ.get("OPENAI_API_KEY"):
            headers["Authorization"] = f"Bearer {os.environ['OPENAI_API_KEY']}"
        self.posts += 1
        try:
            reply = httpx.post(self.url, json=body, headers=headers, timeout=self.timeout)
        except httpx.ConnectError as exc:
            raise ChatError(
                f"cannot reach {self.host}: connection refused or no route ({_short(exc)}); "
                "is the server running?"
            ) from None
        except httpx.TimeoutException:
            raise ChatError(f"no reply from {self.host} within {self.timeout:g} s") from None
        except httpx.HTTPError as exc:
            lost = f"lost the connection to {self.host} mid-reply: {_short(exc)}"
            raise ChatError(lost) from None
        try:
            data = reply.json()
        except ValueError:
            data = None
        return reply.status_code, reply.text, data


def _said(text: str) -> str:
    return " ".join(text.split())[:200]


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"[:200]
