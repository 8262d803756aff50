"""A small HTTP server on 127.0.0.1 that speaks Ollama's API for the real `ollama` client.

It serves `GET /`, `GET /api/version`, `GET /api/tags`, `POST /api/show`, `POST /api/chat`
(a single JSON body when the request says `"stream": false`, otherwise NDJSON sent with chunked
transfer encoding, as Ollama does) and `POST /v1/chat/completions` (Ollama's OpenAI-compatible
endpoint, non-streaming only). Errors have Ollama's shape and wording: `{"error": "..."}` with
the HTTP status Ollama uses; an unknown path gets Gin's plain-text `404 page not found`.

Tests set `responder` (request body -> assistant content; a dict is sent as JSON), read
`requests` / `chat_calls`, and inject faults, one per chat request from `faults` (first in,
first out), else `always_fault`:

    http500       HTTP 500 {"error": "llama runner process has terminated: signal: killed"}
    slow          sleep `slow_seconds` (default 5), then answer normally (client timeouts)
    invalid_json  content that is prose, not JSON
    wrapped       the responder's object wrapped as {"Result": <object>}
    truncated     the responder's JSON cut in the middle
    empty         content ""
    stream_error  streaming: a few chunks, then an {"error": ...} line in the 200 stream, as
                  Ollama does when the runner dies mid-answer; not streaming: HTTP 500
    length        the answer cut in the middle with done_reason "length" (finish_reason on
                  the OpenAI endpoint), as when the reply hits num_ctx or num_predict

`mode` replaces the responder: "grammar" answers an arbitrary instance of the schema sent as
`format` (as a grammar-constrained model does: counts, ranges and lengths respected, meaning
ignored), "sloppy" an instance that keeps the types but ignores counts, ranges and lengths
(tests/json_instances.py). Both are seeded by the request, so the same prompt gets the same
answer, as at temperature 0.

    with FakeOllama() as server:
        server.responder = lambda request: {"starts": [0, 3]}
        client = ollama.Client(host=server.url, timeout=5)
"""

from __future__ import annotations

import contextlib
import hashlib
import http.server
import json
import math
import random
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit

from tests.json_instances import instance

FAULTS = (
    "http500", "slow", "invalid_json", "wrapped", "truncated", "empty", "stream_error", "length"
)  # fmt: skip
MODES = ("grammar", "sloppy")
RUNNER_KILLED = "llama runner process has terminated: signal: killed"
STREAM_ERROR = "an error was encountered while running the model: unexpected EOF"
INVALID_JSON_REPLY = "Sure! Here are the chapters you asked for: 1, 4 and 7."
VERSION = "0.12.0"

Responder = Callable[[dict[str, Any]], "str | dict[str, Any]"]


def estimate_tokens(text: str) -> int:
    """The fake's token count: whitespace-separated words x 1.3, rounded."""
    return round(len(text.split()) * 1.3)


def prompt_tokens(request: dict[str, Any]) -> int:
    """`prompt_eval_count` the fake reports for a chat request: all messages' words x 1.3."""
    messages = request.get("messages") or []
    text = " ".join(str(m.get("content") or "") for m in messages if isinstance(m, dict))
    return estimate_tokens(text)


def _empty_object(request: dict[str, Any]) -> str:
    return "{}"


class FakeOllama:
    """Ollama on a free loopback port; `url` is known (and the port bound) before `start()`."""

    def __init__(
        self, models: Iterable[str] = ("test-model:latest",), *, context_length: int = 8192
    ) -> None:
        self.models: list[str] = list(models)
        self.responder: Responder = _empty_object
        self.mode: str | None = None  # grammar | sloppy: answer any instance of the schema
        self.faults: list[str] = []  # one per chat request, first in first out
        self.always_fault: str | None = None  # used while `faults` is empty
        self.slow_seconds: float = 5.0
        self.context_length = context_length  # reported by /api/show as llama.context_length
        self.requests: list[dict[str, Any]] = []  # chat request bodies, in order of arrival
        self.responder_errors: list[BaseException] = []  # what `responder` raised (sent as 500)
        self.modified_at = _now()
        self._lock = threading.Lock()
        self._connections: set[socket.socket] = set()
        handler = type("Handler", (_Handler,), {"fake": self})
        self.httpd = _Server(("127.0.0.1", 0), handler)
        self.port: int = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread: threading.Thread | None = None
        self._stopped = False

    @property
    def chat_calls(self) -> int:
        """Chat requests received (/api/chat and /v1/chat/completions, faulted ones included)."""
        with self._lock:
            return len(self.requests)

    def start(self) -> FakeOllama:
        if self._stopped:
            raise RuntimeError("FakeOllama cannot be restarted; make a new one")
        if self._thread is None:
            self._thread = threading.Thread(
                target=self.httpd.serve_forever,
                kwargs={"poll_interval": 0.02},  # stop() waits for one poll
                name=f"fake-ollama-{self.port}",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and drop open keep-alive connections, as a dead server would."""
        if self._stopped:
            return
        self._stopped = True
        if self._thread is not None:
            self.httpd.shutdown()
            self._thread.join(timeout=5)
        self.httpd.server_close()
        with self._lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def __enter__(self) -> FakeOllama:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def reset(self) -> None:
        """Forget requests and pending faults."""
        with self._lock:
            self.requests.clear()
            self.responder_errors.clear()
            self.faults.clear()
            self.always_fault = None

    def knows(self, name: str) -> bool:
        """Whether `name` is served; a missing tag means ":latest", case does not matter."""
        return _full_name(name).lower() in {_full_name(m).lower() for m in self.models}

    def record(self, body: dict[str, Any]) -> None:
        with self._lock:
            self.requests.append(body)

    def respond(self, body: dict[str, Any]) -> str | dict[str, Any]:
        """Call `responder` (or answer as `mode` says), keeping what it raised in
        `responder_errors` (then re-raising)."""
        try:
            if self.mode is not None:
                return _schema_answer(body, self.mode)
            return self.responder(body)
        except Exception as exc:
            with self._lock:
                self.responder_errors.append(exc)
            raise

    def next_fault(self) -> str | None:
        with self._lock:
            if self.faults:
                return self.faults.pop(0)
            return self.always_fault

    def track(self, connection: socket.socket, is_open: bool) -> None:
        with self._lock:
            if is_open:
                self._connections.add(connection)
            else:
                self._connections.discard(connection)


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that gave up (timeout) or a stop() mid-answer: not worth a traceback.
        if isinstance(sys.exc_info()[1], OSError):
            return
        super().handle_error(request, client_address)


class _Handler(http.server.BaseHTTPRequestHandler):
    fake: FakeOllama
    protocol_version = "HTTP/1.1"  # keep-alive, like the real server

    def setup(self) -> None:
        super().setup()
        self.fake.track(self.connection, True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.fake.track(self.connection, False)

    def log_message(self, format: str, *args: Any) -> None:
        pass

    # --- writing ---

    def _send(self, status: int, data: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _json(self, status: int, payload: Any) -> None:
        self._send(status, json.dumps(payload).encode(), "application/json; charset=utf-8")

    def _error(self, status: int, message: str) -> None:
        self._json(status, {"error": message})

    def _not_found(self) -> None:
        self._send(404, b"404 page not found", "text/plain")  # what Gin answers

    def _ndjson(self, lines: Iterable[dict[str, Any]]) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/x-ndjson")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for line in lines:
            data = json.dumps(line).encode() + b"\n"
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            self.wfile.flush()
        self.wfile.write(b"0\r\n\r\n")

    # --- routing ---

    def _read_body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def do_GET(self) -> None:
        self._read_body()  # a GET may carry one; it must not be left on a kept-alive connection
        path = urlsplit(self.path).path
        if path == "/":
            self._send(200, b"Ollama is running", "text/plain; charset=utf-8")
        elif path == "/api/version":
            self._json(200, {"version": VERSION})
        elif path == "/api/tags":
            self._json(200, {"models": [self._model_entry(name) for name in self.fake.models]})
        elif path in _POST_PATHS:
            self._send(405, b"405 method not allowed", "text/plain")  # what Gin answers
        else:
            self._not_found()

    def do_POST(self) -> None:
        path = urlsplit(self.path).path
        raw = self._read_body()
        routes = {
            "/api/show": self._show,
            "/api/chat": self._chat,
            "/v1/chat/completions": self._openai,
        }
        route = routes.get(path)
        if route is None:
            if path in _GET_PATHS:
                self._send(405, b"405 method not allowed", "text/plain")
            else:
                self._not_found()
            return
        if not raw.strip():
            self._error(400, "missing request body")
            return
        try:
            body = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            self._error(400, f"invalid character in JSON body: {exc}")
            return
        if not isinstance(body, dict):
            self._error(400, f"json: cannot unmarshal {type(body).__name__} into a request")
            return
        route(body)

    # --- /api/show, /api/tags ---

    def _model_entry(self, name: str) -> dict[str, Any]:
        full = _full_name(name)
        return {
            "name": full,
            "model": full,
            "modified_at": self.fake.modified_at,
            "size": 2_019_393_189,
            "digest": hashlib.sha256(full.encode()).hexdigest(),
            "details": _DETAILS,
        }

    def _show(self, body: dict[str, Any]) -> None:
        name = str(body.get("model") or body.get("name") or "")
        if not name:
            self._error(400, "model is required")
        elif not self.fake.knows(name):
            self._error(404, f"model '{name}' not found")
        else:
            self._json(200, self._show_payload(name))

    def _show_payload(self, name: str) -> dict[str, Any]:
        blob = hashlib.sha256(_full_name(name).encode()).hexdigest()
        return {
            "license": "LLAMA 3.2 COMMUNITY LICENSE AGREEMENT",
            "modelfile": '# Modelfile generated by "ollama show"\n'
            "# To build a new Modelfile based on this, replace FROM with:\n"
            f"# FROM {_full_name(name)}\n\n"
            f"FROM /root/.ollama/models/blobs/sha256-{blob}\n"
            'TEMPLATE """{{ .Prompt }}"""\n'
            "PARAMETER stop <|eot_id|>\n",
            "parameters": 'stop                           "<|eot_id|>"',
            "template": "{{ .Prompt }}",
            "details": {"parent_model": "", **_DETAILS},
            "model_info": {
                "general.architecture": "llama",
                "general.parameter_count": 3_212_749_888,
                "general.quantization_version": 2,
                "llama.attention.head_count": 24,
                "llama.block_count": 28,
                "llama.context_length": self.fake.context_length,
                "llama.embedding_length": 3072,
            },
            "capabilities": ["completion"],
            "modified_at": self.fake.modified_at,
        }

    # --- /api/chat ---

    def _answer(self, body: dict[str, Any], fault: str | None) -> str | None:
        """The assistant's content after `fault`, or None once an error was sent."""
        if fault is not None and fault not in FAULTS:
            self._error(500, f"FakeOllama: unknown fault {fault!r}; known: {', '.join(FAULTS)}")
            return None
        if fault == "http500":
            self._error(500, RUNNER_KILLED)
            return None
        if fault == "slow":
            time.sleep(self.fake.slow_seconds)
        try:
            answer = self.fake.respond(body)
        except Exception as exc:
            self._error(500, f"FakeOllama responder raised {type(exc).__name__}: {exc}")
            return None
        return _apply(answer, fault)

    def _chat(self, body: dict[str, Any]) -> None:
        self.fake.record(body)
        name = body.get("model")
        if not isinstance(name, str) or not name:
            self._error(400, "model is required")
            return
        if not self.fake.knows(name):
            self._error(404, f'model "{name}" not found, try pulling it first')
            return
        fault = self.fake.next_fault()
        content = self._answer(body, fault)
        if content is None:
            return
        prompt_count = prompt_tokens(body)
        eval_count = max(1, estimate_tokens(content))
        final = {
            "model": name,
            "created_at": _now(),
            "message": {"role": "assistant", "content": ""},
            "done_reason": "length" if fault == "length" else "stop",
            "done": True,
            "total_duration": 61_000_000 + prompt_count * 200_000 + eval_count * 20_000_000,
            "load_duration": 60_000_000,
            "prompt_eval_count": prompt_count,
            "prompt_eval_duration": prompt_count * 200_000,
            "eval_count": eval_count,
            "eval_duration": eval_count * 20_000_000,
        }
        streaming = body.get("stream", True) is not False  # Ollama: only an explicit false
        if not streaming:
            if fault == "stream_error":
                self._error(500, STREAM_ERROR)
            else:
                self._json(200, {**final, "message": {"role": "assistant", "content": content}})
            return
        chunks = [
            {
                "model": name,
                "created_at": _now(),
                "message": {"role": "assistant", "content": piece},
                "done": False,
            }
            for piece in _pieces(content, 4)
        ]
        if fault == "stream_error":
            self._ndjson([*chunks[:2], {"error": STREAM_ERROR}])
        else:
            self._ndjson([*chunks, {**final, "created_at": _now()}])

    # --- /v1/chat/completions (Ollama's OpenAI-compatible endpoint) ---

    def _openai_error(self, status: int, message: str) -> None:
        kind = {400: "invalid_request_error", 404: "not_found_error"}.get(status, "api_error")
        self._json(status, {"error": {"message": message, "type": kind, "param": None,
                                      "code": None}})  # fmt: skip

    def _openai(self, body: dict[str, Any]) -> None:
        self.fake.record(body)
        name = str(body.get("model") or "")
        if not self.fake.knows(name):
            self._openai_error(404, f'model "{name}" not found, try pulling it first')
            return
        fault = self.fake.next_fault()
        if fault in ("http500", "stream_error"):
            self._openai_error(500, RUNNER_KILLED)
            return
        if fault not in (None, *FAULTS):
            self._openai_error(500, f"FakeOllama: unknown fault {fault!r}")
            return
        if fault == "slow":
            time.sleep(self.fake.slow_seconds)
        try:
            content = _apply(self.fake.respond(body), fault)
        except Exception as exc:
            self._openai_error(500, f"FakeOllama responder raised {type(exc).__name__}: {exc}")
            return
        prompt_count = prompt_tokens(body)
        eval_count = max(1, estimate_tokens(content))
        self._json(200, {
            "id": "chatcmpl-1", "object": "chat.completion", "created": int(time.time()),
            "model": name, "system_fingerprint": "fp_ollama",
            "choices": [{"index": 0,
                         "finish_reason": "length" if fault == "length" else "stop",
                         "message": {"role": "assistant", "content": content}}],
            "usage": {"prompt_tokens": prompt_count, "completion_tokens": eval_count,
                      "total_tokens": prompt_count + eval_count},
        })  # fmt: skip


_GET_PATHS = frozenset({"/", "/api/version", "/api/tags"})
_POST_PATHS = frozenset({"/api/show", "/api/chat", "/v1/chat/completions"})
_DETAILS: dict[str, Any] = {
    "format": "gguf",
    "family": "llama",
    "families": ["llama"],
    "parameter_size": "3.2B",
    "quantization_level": "Q4_K_M",
}


def _full_name(name: str) -> str:
    """Ollama's display name: a name without a tag means its ":latest"."""
    return name if ":" in name.rsplit("/", 1)[-1] else f"{name}:latest"


def _apply(answer: str | dict[str, Any], fault: str | None) -> str:
    """The content a model would send: the responder's answer, spoilt as `fault` says."""
    if fault == "wrapped":
        inner: Any = answer
        if isinstance(answer, str):
            try:
                inner = json.loads(answer)
            except json.JSONDecodeError:
                inner = answer
        answer = {"Result": inner}
    content = answer if isinstance(answer, str) else json.dumps(answer)
    if fault == "invalid_json":
        return INVALID_JSON_REPLY
    if fault in ("truncated", "length"):
        return content[: max(1, len(content) // 2)]
    if fault == "empty":
        return ""
    return content


def _schema_answer(body: dict[str, Any], mode: str) -> dict[str, Any]:
    """An instance of the request's schema (Ollama's `format`, or OpenAI's response_format)."""
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; known: {', '.join(MODES)}")
    schema = body.get("format")
    if not isinstance(schema, dict):
        schema = ((body.get("response_format") or {}).get("json_schema") or {}).get("schema")
    if not isinstance(schema, dict):
        raise ValueError("the request has no JSON schema to answer")
    seed = hashlib.sha256(json.dumps([body.get("messages"), schema]).encode()).hexdigest()
    return dict(instance(schema, random.Random(seed), sloppy=mode == "sloppy"))


def _pieces(text: str, count: int) -> list[str]:
    """`text` in at most `count` consecutive pieces (none for empty text)."""
    size = max(1, math.ceil(len(text) / count))
    return [text[i : i + size] for i in range(0, len(text), size)]


def _now() -> str:
    return datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")
