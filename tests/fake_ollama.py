"""A small HTTP server on 127.0.0.1 that speaks Ollama's API for the real `ollama` client.

/api/tags, /api/show and /api/chat (streaming and not), Ollama's error bodies, and switches
for faults. Tests set `responder` to answer from the request (the prompt, the schema).
"""

from __future__ import annotations

import http.server
import json
import threading
import time
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

FAULTS = ("http500", "slow", "invalid_json", "wrapped", "truncated", "empty")


class FakeOllama:
    def __init__(self, models: tuple[str, ...] = ("test-model:latest",)) -> None:
        self.models = list(models)
        self.responder: Callable[[dict[str, Any]], str | dict[str, Any]] = lambda _: "{}"
        self.faults: list[str] = []  # one per chat request, first in first out
        self.always_fault: str | None = None
        self.slow_seconds = 5.0
        self.requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        handler = type("Handler", (_Handler,), {"fake": self})
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def chat_calls(self) -> int:
        return len(self.requests)

    def start(self) -> FakeOllama:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> FakeOllama:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def knows(self, name: str) -> bool:
        return name in self.models or f"{name}:latest" in self.models

    def next_fault(self, body: dict[str, Any]) -> str | None:
        with self._lock:
            self.requests.append(body)
            if self.faults:
                return self.faults.pop(0)
            return self.always_fault


class _Handler(http.server.BaseHTTPRequestHandler):
    fake: FakeOllama
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _send(self, status: int, payload: Any, content_type: str = "application/json") -> None:
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> dict[str, Any] | None:
        length = int(self.headers.get("Content-Length") or 0)
        try:
            value = json.loads(self.rfile.read(length) or b"{}")
        except json.JSONDecodeError as exc:
            self._send(400, {"error": f"invalid JSON: {exc}"})
            return None
        return value if isinstance(value, dict) else {}

    def do_GET(self) -> None:
        if self.path == "/api/tags":
            self._send(200, {"models": [_model_entry(name) for name in self.fake.models]})
        elif self.path == "/api/version":
            self._send(200, {"version": "0.12.0"})
        else:
            self._send(404, {"error": "not found"})

    def do_POST(self) -> None:
        body = self._body()
        if body is None:
            return
        if self.path == "/api/show":
            name = str(body.get("model") or body.get("name") or "")
            if not self.fake.knows(name):
                self._send(404, {"error": f"model '{name}' not found"})
                return
            self._send(200, _show(name))
        elif self.path == "/api/chat":
            self._chat(body)
        elif self.path == "/v1/chat/completions":  # Ollama's OpenAI-compatible endpoint
            self._openai(body)
        else:
            self._send(404, {"error": "not found"})

    def _chat(self, body: dict[str, Any]) -> None:
        name = str(body.get("model") or "")
        if not self.fake.knows(name):
            self.fake.requests.append(body)
            self._send(404, {"error": f'model "{name}" not found, try pulling it first'})
            return
        fault = self.fake.next_fault(body)
        if fault == "http500":
            self._send(500, {"error": "llama runner process has terminated: signal: killed"})
            return
        if fault == "slow":
            time.sleep(self.fake.slow_seconds)
        answer = self.fake.responder(body)
        if fault == "wrapped":
            answer = {"Result": answer if isinstance(answer, dict) else json.loads(answer)}
        content = answer if isinstance(answer, str) else json.dumps(answer)
        if fault == "invalid_json":
            content = "Sure! Here are the chapters you asked for: 1, 4 and 7."
        elif fault == "truncated":
            content = content[: max(1, len(content) // 2)]
        elif fault == "empty":
            content = ""
        prompt_words = sum(len(str(m.get("content", "")).split()) for m in body["messages"])
        final = {
            "model": name,
            "created_at": _now(),
            "done": True,
            "done_reason": "stop",
            "total_duration": 1_000_000,
            "load_duration": 100_000,
            "prompt_eval_count": round(prompt_words * 1.3),
            "prompt_eval_duration": 500_000,
            "eval_count": max(1, len(content) // 4),
            "eval_duration": 400_000,
        }
        if body.get("stream", True) is False:
            self._send(200, {**final, "message": {"role": "assistant", "content": content}})
            return
        pieces = [content[i : i + 16] for i in range(0, len(content), 16)] or [""]
        lines = [
            {"model": name, "created_at": _now(), "done": False,
             "message": {"role": "assistant", "content": piece}}
            for piece in pieces
        ] + [{**final, "message": {"role": "assistant", "content": ""}}]  # fmt: skip
        data = b"".join(json.dumps(line).encode() + b"\n" for line in lines)
        self._send(200, data, "application/x-ndjson")

    def _openai(self, body: dict[str, Any]) -> None:
        name = str(body.get("model") or "")
        if not self.fake.knows(name):
            self.fake.requests.append(body)
            self._send(404, {"error": {"message": f"model '{name}' not found",
                                       "type": "api_error"}})  # fmt: skip
            return
        fault = self.fake.next_fault(body)
        if fault == "http500":
            self._send(500, {"error": {"message": "internal error", "type": "api_error"}})
            return
        answer = self.fake.responder(body)
        content = answer if isinstance(answer, str) else json.dumps(answer)
        words = sum(len(str(m.get("content", "")).split()) for m in body["messages"])
        self._send(200, {
            "id": "chatcmpl-1", "object": "chat.completion", "created": int(time.time()),
            "model": name,
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": content}}],
            "usage": {"prompt_tokens": round(words * 1.3), "completion_tokens": 10,
                      "total_tokens": round(words * 1.3) + 10},
        })  # fmt: skip


def _now() -> str:
    return datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")


def _model_entry(name: str) -> dict[str, Any]:
    return {
        "name": name,
        "model": name,
        "modified_at": _now(),
        "size": 2_019_393_189,
        "digest": "a80c4f17acd55265feec403c7aef86be0c25983ab279d83f3bcd3abbcb5b8b72",
        "details": {
            "format": "gguf",
            "family": "llama",
            "families": ["llama"],
            "parameter_size": "3.2B",
            "quantization_level": "Q4_K_M",
        },
    }


def _show(name: str) -> dict[str, Any]:
    return {
        "modelfile": f"FROM {name}\n",
        "parameters": 'stop "<|eot_id|>"',
        "template": "{{ .Prompt }}",
        "details": _model_entry(name)["details"],
        "model_info": {"general.architecture": "llama", "llama.context_length": 131072},
        "capabilities": ["completion"],
        "modified_at": _now(),
    }
