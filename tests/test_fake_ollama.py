"""The fake Ollama server (tests/fake_ollama.py), exercised through the real `ollama` client.

What the client raises, as checked here (ollama-python 0.6):
- an HTTP error status (500, 404, 400): `ollama.ResponseError`, `.status_code` and `.error`
  (the server's "error" string);
- an {"error": ...} line inside a 200 stream: `ollama.ResponseError` with status_code -1,
  raised while iterating;
- a read timeout: `httpx.ReadTimeout` (an `httpx.TimeoutException`), not wrapped;
- connection refused: the builtin `ConnectionError` when not streaming, but `httpx.ConnectError`
  (raised on the first `next()`) when streaming.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import ollama
import pydantic
import pytest

from tests.fake_ollama import (
    FAULTS,
    INVALID_JSON_REPLY,
    RUNNER_KILLED,
    STREAM_ERROR,
    FakeOllama,
    prompt_tokens,
)

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"starts": {"type": "array", "items": {"type": "integer"}}},
    "required": ["starts"],
}
OPTIONS: dict[str, Any] = {"num_ctx": 4096, "temperature": 0, "seed": 1}
MESSAGES = [
    {"role": "system", "content": "You split talks into chapters. Answer in JSON."},
    {"role": "user", "content": "[0] (0:00) Hello and welcome.\n[1] (0:10) Now, let us bake."},
]
ANSWER = {"starts": [0, 1]}


@pytest.fixture
def server() -> Iterator[FakeOllama]:
    with FakeOllama() as fake:
        fake.responder = lambda request: ANSWER
        yield fake


@pytest.fixture
def client(server: FakeOllama) -> Iterator[ollama.Client]:
    with ollama.Client(host=server.url, timeout=5) as client:
        yield client


def _chat(client: ollama.Client, model: str = "test-model") -> ollama.ChatResponse:
    return client.chat(model, MESSAGES, format=SCHEMA, options=OPTIONS, stream=False)


def test_list_and_show(server: FakeOllama, client: ollama.Client) -> None:
    (model,) = client.list().models
    assert model.model == "test-model:latest" and model.size and model.modified_at
    assert model.details and model.details.family == "llama"
    assert model.details.quantization_level == "Q4_K_M"
    raw = httpx.get(f"{server.url}/api/tags").json()["models"][0]
    assert raw["name"] == raw["model"] == "test-model:latest"  # the client drops `name`
    assert len(raw["digest"]) == 64

    for name in ("test-model", "test-model:latest"):
        shown = client.show(name)
        assert shown.modelinfo and shown.modelinfo["llama.context_length"] == 8192
        assert shown.capabilities == ["completion"]
        assert shown.details and shown.details.parameter_size == "3.2B"
        assert shown.modelfile and shown.template and shown.parameters
    with pytest.raises(ollama.ResponseError) as caught:
        client.show("no-such-model")
    assert caught.value.status_code == 404
    assert caught.value.error == "model 'no-such-model' not found"
    assert server.chat_calls == 0


def test_chat_returns_the_answer_and_records_the_request(
    server: FakeOllama, client: ollama.Client
) -> None:
    response = _chat(client)
    assert json.loads(response.message.content or "") == ANSWER
    assert response.message.role == "assistant"
    assert response.model == "test-model" and response.done and response.done_reason == "stop"
    words = sum(len(m["content"].split()) for m in MESSAGES)
    assert response.prompt_eval_count == round(words * 1.3) == prompt_tokens(server.requests[0])
    assert response.eval_count and response.total_duration and response.eval_duration

    assert server.chat_calls == 1
    (sent,) = server.requests
    assert sent["model"] == "test-model" and sent["messages"] == MESSAGES
    assert sent["format"] == SCHEMA  # the schema goes as is, as `format`
    assert sent["options"] == OPTIONS  # a dict goes as is (an `ollama.Options` too, as floats)
    assert sent["stream"] is False
    assert sent["tools"] == []  # always sent
    assert "keep_alive" not in sent and "think" not in sent  # None is left out


def test_options_object_and_keep_alive_as_the_client_sends_them(
    server: FakeOllama, client: ollama.Client
) -> None:
    options = ollama.Options(num_ctx=4096, temperature=0, seed=1)
    client.chat("test-model", MESSAGES, options=options, keep_alive=0, stream=False)
    client.chat("test-model", MESSAGES, keep_alive="5m", format="json", stream=False)
    first, second = server.requests
    assert first["options"] == {"num_ctx": 4096, "temperature": 0.0, "seed": 1}
    assert isinstance(first["options"]["temperature"], float)
    assert first["keep_alive"] == 0.0 and isinstance(first["keep_alive"], float)
    assert "format" not in first
    assert second["keep_alive"] == "5m" and second["format"] == "json"


def test_streaming_chat(server: FakeOllama, client: ollama.Client) -> None:
    parts = list(client.chat("test-model:latest", MESSAGES, format=SCHEMA, stream=True))
    assert len(parts) > 2 and not any(p.done for p in parts[:-1])
    assert json.loads("".join(p.message.content or "" for p in parts)) == ANSWER
    last = parts[-1]
    assert last.done and last.done_reason == "stop" and last.message.content == ""
    assert last.prompt_eval_count == prompt_tokens(server.requests[0])
    assert server.requests[0]["stream"] is True

    response = httpx.post(f"{server.url}/api/chat", json={"model": "test-model", "messages": []})
    assert response.headers["content-type"] == "application/x-ndjson"  # no "stream": streams
    assert response.headers["transfer-encoding"] == "chunked"
    assert json.loads(response.text.splitlines()[-1])["done"] is True


def test_model_names(client: ollama.Client) -> None:
    with FakeOllama(models=["qwen2.5:7b", "llama3.2"]) as other:
        other_client = ollama.Client(host=other.url, timeout=5)
        names = [m.model for m in other_client.list().models]
        assert names == ["qwen2.5:7b", "llama3.2:latest"]
        for name in ("qwen2.5:7b", "llama3.2", "llama3.2:latest", "LLaMA3.2"):
            assert other_client.chat(name, MESSAGES, stream=False).model == name
        with pytest.raises(ollama.ResponseError) as caught:
            other_client.chat("qwen2.5", MESSAGES, stream=False)  # means qwen2.5:latest
        assert caught.value.status_code == 404
    with pytest.raises(pydantic.ValidationError):
        client.chat("", MESSAGES)  # the client refuses an empty model name itself


def test_unknown_model_is_404(server: FakeOllama, client: ollama.Client) -> None:
    server.faults = ["http500"]
    with pytest.raises(ollama.ResponseError) as caught:
        _chat(client, model="no-such-model")
    assert caught.value.status_code == 404
    assert caught.value.error == 'model "no-such-model" not found, try pulling it first'
    assert str(caught.value).endswith("(status code: 404)")
    assert server.chat_calls == 1 and server.faults == ["http500"]  # recorded, fault kept


def test_http500(server: FakeOllama, client: ollama.Client) -> None:
    server.faults = ["http500"]
    with pytest.raises(ollama.ResponseError) as caught:
        _chat(client)
    assert caught.value.status_code == 500 and caught.value.error == RUNNER_KILLED
    assert json.loads(_chat(client).message.content or "") == ANSWER  # faults are used up
    assert server.chat_calls == 2 and server.faults == []


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        ("invalid_json", INVALID_JSON_REPLY),
        ("wrapped", json.dumps({"Result": ANSWER})),
        ("truncated", json.dumps(ANSWER)[: len(json.dumps(ANSWER)) // 2]),
        ("empty", ""),
    ],
)
def test_content_faults(
    server: FakeOllama, client: ollama.Client, fault: str, expected: str
) -> None:
    server.faults = [fault]
    content = _chat(client).message.content
    assert content == expected
    if fault != "wrapped":
        with pytest.raises(json.JSONDecodeError):
            json.loads(content or "")
    parts = client.chat("test-model", MESSAGES, stream=True)  # the fault was used up
    streamed = "".join(p.message.content or "" for p in parts)
    assert json.loads(streamed) == ANSWER
    assert server.chat_calls == 2


def test_wrapped_keeps_a_string_answer() -> None:
    with FakeOllama() as fake:
        fake.responder = lambda request: '{"starts": [0]}'
        fake.always_fault = "wrapped"
        client = ollama.Client(host=fake.url, timeout=5)
        for _ in range(2):
            content = _chat(client).message.content or ""
            assert json.loads(content) == {"Result": {"starts": [0]}}


def test_faults_are_first_in_first_out_then_always_fault(
    server: FakeOllama, client: ollama.Client
) -> None:
    server.faults = ["empty", "invalid_json"]
    server.always_fault = "truncated"
    contents = [_chat(client).message.content for _ in range(4)]
    half = json.dumps(ANSWER)[: len(json.dumps(ANSWER)) // 2]
    assert contents == ["", INVALID_JSON_REPLY, half, half]
    assert server.chat_calls == len(server.requests) == 4
    server.reset()
    assert server.chat_calls == 0 and server.always_fault is None


def test_stream_error(server: FakeOllama, client: ollama.Client) -> None:
    server.faults = ["stream_error", "stream_error"]
    parts = client.chat("test-model", MESSAGES, stream=True)  # nothing is sent before next()
    first = next(parts)
    assert first.message.content and not first.done
    with pytest.raises(ollama.ResponseError) as caught:
        list(parts)
    assert caught.value.error == STREAM_ERROR and caught.value.status_code == -1
    with pytest.raises(ollama.ResponseError) as caught:
        _chat(client)
    assert caught.value.status_code == 500


def test_slow_server_times_out_in_the_client(server: FakeOllama) -> None:
    server.faults = ["slow"]
    server.slow_seconds = 1.5
    impatient = ollama.Client(host=server.url, timeout=0.5)
    started = time.monotonic()
    with pytest.raises(httpx.ReadTimeout):  # not wrapped by the ollama client
        _chat(impatient)
    assert time.monotonic() - started < 1.2
    assert issubclass(httpx.ReadTimeout, httpx.TimeoutException)
    assert json.loads(_chat(impatient).message.content or "") == ANSWER  # the fault is used up
    assert server.chat_calls == 2


def test_connection_refused_after_stop(client: ollama.Client) -> None:
    fake = FakeOllama().start()
    refused = ollama.Client(host=fake.url, timeout=5)
    assert _chat(refused).done  # a kept-alive connection now sits in the client's pool
    fake.stop()
    fake.stop()  # idempotent
    with pytest.raises(ConnectionError, match="Failed to connect to Ollama"):
        _chat(refused)
    with pytest.raises(ConnectionError):
        refused.list()
    with pytest.raises(httpx.ConnectError):  # streaming: httpx's own error, at first next()
        next(refused.chat("test-model", MESSAGES, stream=True))
    assert not issubclass(httpx.ConnectError, ConnectionError)
    FakeOllama().stop()  # never started: returns at once


def test_bad_requests(server: FakeOllama) -> None:
    bad = httpx.post(f"{server.url}/api/chat", content=b"{not json")
    assert bad.status_code == 400 and "error" in bad.json()
    empty = httpx.post(f"{server.url}/api/chat", content=b"")
    assert empty.status_code == 400 and empty.json() == {"error": "missing request body"}
    no_model = httpx.post(f"{server.url}/api/chat", json={"messages": []})
    assert no_model.status_code == 400 and no_model.json() == {"error": "model is required"}
    for method, path in (("GET", "/api/nothing"), ("POST", "/api/nothing")):
        missing = httpx.request(method, f"{server.url}{path}", json={})
        assert missing.status_code == 404 and missing.text == "404 page not found"
    assert httpx.get(f"{server.url}/api/chat").status_code == 405
    assert httpx.post(f"{server.url}/api/tags", json={}).status_code == 405
    assert httpx.get(server.url).text == "Ollama is running"
    assert httpx.get(f"{server.url}/api/version").json()["version"]
    assert server.chat_calls == 1  # the one without a model; unparsable bodies are not kept


def test_responder_errors_and_unknown_faults_are_500(
    server: FakeOllama, client: ollama.Client
) -> None:
    def broken(request: dict[str, Any]) -> str:
        raise KeyError("starts")

    server.responder = broken
    with pytest.raises(ollama.ResponseError, match="responder raised KeyError") as caught:
        _chat(client)
    assert caught.value.status_code == 500
    assert isinstance(server.responder_errors[0], KeyError)
    server.faults = ["no-such-fault"]
    with pytest.raises(ollama.ResponseError, match="unknown fault 'no-such-fault'"):
        _chat(client)
    assert "slow" in FAULTS


def test_concurrent_requests_are_all_recorded(server: FakeOllama) -> None:
    server.responder = lambda request: {"echo": request["messages"][0]["content"]}
    answers: list[str] = []

    def ask(i: int) -> None:
        client = ollama.Client(host=server.url, timeout=5)
        reply = client.chat("test-model", [{"role": "user", "content": f"n{i}"}], stream=False)
        answers.append(json.loads(reply.message.content or "")["echo"])

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=5)
    assert sorted(answers) == sorted(f"n{i}" for i in range(8))
    assert server.chat_calls == 8
    assert sorted(r["messages"][0]["content"] for r in server.requests) == sorted(answers)


def test_openai_compatible_endpoint(server: FakeOllama) -> None:
    body = {"model": "test-model", "messages": MESSAGES, "temperature": 0}
    reply = httpx.post(f"{server.url}/v1/chat/completions", json=body).json()
    assert json.loads(reply["choices"][0]["message"]["content"]) == ANSWER
    assert reply["usage"]["prompt_tokens"] == prompt_tokens(body)
    missing = httpx.post(f"{server.url}/v1/chat/completions", json={**body, "model": "x"})
    assert missing.status_code == 404 and missing.json()["error"]["type"] == "not_found_error"
    assert server.chat_calls == 2
