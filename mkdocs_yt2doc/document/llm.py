"""Structured JSON calls to an LLM: Ollama (the `ollama` client) or an OpenAI-compatible server.

Every reply is validated against the same schema that was sent as `format`; a transport error,
a timeout or an invalid reply is retried with backoff a bounded number of times, then raised
as `LLMError` with the cause, so the caller can fall back and say why. Nothing is swallowed.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

from ..records.errors import Yt2DocError
from ..records.settings import LLMSettings
from .llm_http import ChatError, OpenAIChat, within

log = logging.getLogger("mkdocs.plugins.yt2doc")


T = TypeVar("T")


def read_fields(value: Any, schema: dict[str, Any]) -> dict[str, Any]:
    """Check a reply's types against a flat object schema (the only kind sent); ValueError if
    off. Counts, lengths and ranges are the caller's to repair: a sloppy server ignores them."""
    if not isinstance(value, dict):
        raise ValueError(f"expected an object, got {type(value).__name__}")
    kinds = {"integer": int, "string": str, "array": list}
    for name in schema["required"]:
        if name not in value:
            raise ValueError(f"missing {name!r}")
        spec = schema["properties"][name]
        item: Any = value[name]
        if not isinstance(item, kinds[spec["type"]]) or isinstance(item, bool):
            raise ValueError(f"{name!r} is not of type {spec['type']}")
        if spec["type"] == "array":
            inner = kinds[spec["items"]["type"]]
            if not all(isinstance(x, inner) and not isinstance(x, bool) for x in value[name]):
                raise ValueError(f"{name!r} has an item not of type {spec['items']['type']}")
    return {name: value[name] for name in schema["required"]}


class LLMError(Yt2DocError):
    """The LLM could not give a valid answer (after retries)."""


def estimate_tokens(text: str) -> int:
    """Rough token count (about 4 characters a token in English, fewer in other scripts)."""
    return len(text) // 3 + 1


def context_size(prompt: str, reply_tokens: int, ceiling: int) -> int:
    """A num_ctx that holds prompt and reply (Ollama silently truncates what does not fit)."""
    needed = estimate_tokens(prompt) + reply_tokens + 256
    size = 2048
    while size < needed:
        size *= 2
    return min(size, ceiling)


def unwrap(value: Any, read: Callable[[Any], T]) -> T:
    """Read; accept a reply wrapped in one extra object ({"Result": {...}}, yt2doc #53)."""
    try:
        return read(value)
    except ValueError:
        if isinstance(value, dict) and len(value) == 1:
            inner = next(iter(value.values()))
            if isinstance(inner, dict):
                return read(inner)
        raise


class CutOff(LLMError):
    """The reply stopped at the token limit (done_reason / finish_reason "length")."""


class Hopeless(LLMError):
    """Asking again cannot help: the model is missing, the prompt does not fit the context."""


class LLM:
    """One configured LLM; counts calls and prompt tokens (recorded per talk)."""

    def __init__(self, settings: LLMSettings, sleep: Callable[[float], None] = time.sleep) -> None:
        if not settings.model:
            raise LLMError("no llm.model configured")
        self.settings = settings
        self.calls = 0
        self.prompt_tokens = 0
        self._sleep = sleep
        self._client: Any = None

    def ask(
        self,
        system: str,
        prompt: str,
        schema: dict[str, Any],
        read: Callable[[Any], T],
        check: Callable[[T], str | None] = lambda _: None,
        reply_tokens: int = 512,
        retries: int | None = None,
    ) -> T:
        """One structured answer, sent `schema` as its format and read by `read`.

        `check` returns a complaint about valid-looking content; the next attempt tells the
        model what was wrong (a model at temperature 0 repeats itself otherwise). `retries`:
        at most this many extra attempts (default: the settings').
        """
        num_ctx = context_size(system + prompt, reply_tokens, self.settings.context)
        max_tokens = reply_tokens
        attempts = 1 + (self.settings.retries if retries is None else retries)
        problem, asked = "", prompt
        for attempt in range(attempts):
            if attempt:
                self._sleep(min(2.0**attempt, 30.0))
            try:
                content = self._chat(system, asked, schema, num_ctx, max_tokens)
            except CutOff as exc:
                problem = str(exc)
                num_ctx = min(num_ctx * 2, max(self.settings.context, num_ctx))
                max_tokens *= 2
                log.info("yt2doc: LLM attempt %d: %s", attempt + 1, problem)
                continue
            except LLMError as exc:
                problem = str(exc)
                log.info("yt2doc: LLM attempt %d failed: %s", attempt + 1, problem)
                if isinstance(exc, Hopeless):
                    break  # a missing model does not appear by asking again
                continue
            try:
                # strict=False: llama-cpp-python's grammar lets a raw newline into a string
                result = unwrap(json.loads(content, strict=False), read)
            except ValueError as exc:  # json.JSONDecodeError is a ValueError too
                problem = f"invalid reply ({_short(exc)}): {content[:120]!r}"
                log.info("yt2doc: LLM attempt %d: %s", attempt + 1, problem)
                continue
            complaint = check(result)
            if complaint is None:
                return result
            problem = f"unusable reply: {complaint}"
            asked = f"{prompt}\n\nYour previous answer was not usable: {complaint}. Try again."
            log.info("yt2doc: LLM attempt %d: %s", attempt + 1, problem)
        raise LLMError(
            f"{self.settings.api} model {self.settings.model!r} at {self.settings.host}: "
            f"{problem} (after {attempt + 1} attempt{'s' if attempt else ''})"
        )

    def check_model(self) -> None:
        """Before the first talk: is the server there, and does it have the model?"""
        if self.settings.api != "ollama":
            return  # OpenAI-compatible servers list models in no common way
        import httpx
        import ollama

        try:
            self._ollama_client().show(self.settings.model)
        except ollama.ResponseError as exc:
            raise self._server_error(exc) from None
        except (httpx.HTTPError, ConnectionError, OSError) as exc:
            raise LLMError(f"cannot reach {self.settings.host}: {_short(exc)}") from None

    def _server_error(self, exc: Any) -> LLMError:
        if exc.status_code == 404 and "not found" in str(exc.error):
            return Hopeless(
                f"model {self.settings.model!r} is not on the Ollama server at "
                f"{self.settings.host}: run `ollama pull {self.settings.model}`"
            )
        return LLMError(f"server error {exc.status_code}: {exc.error}")

    def _chat(
        self, system: str, prompt: str, schema: dict[str, Any], num_ctx: int, max_tokens: int
    ) -> str:
        messages = [{"role": "system", "content": system}, {"role": "user", "content": prompt}]
        if self.settings.api == "openai":
            return self._openai(messages, schema, max_tokens)
        self.calls += 1
        try:  # llm.timeout: the whole reply's deadline, not each read's
            return within(self.settings.timeout, lambda: self._ollama(messages, schema, num_ctx),
                          self.settings.host)  # fmt: skip
        except ChatError as exc:
            raise LLMError(str(exc)) from None

    def _ollama(self, messages: list[dict[str, str]], schema: dict[str, Any], num_ctx: int) -> str:
        import httpx
        import ollama

        try:
            response = self._ollama_client().chat(
                model=self.settings.model,
                messages=messages,
                format=schema,
                options={"num_ctx": num_ctx, "temperature": 0, "seed": self.settings.seed},
                stream=False,
            )
        except ollama.ResponseError as exc:
            raise self._server_error(exc) from None
        except (httpx.HTTPError, ConnectionError, OSError) as exc:
            raise LLMError(f"cannot reach {self.settings.host}: {_short(exc)}") from None
        self.prompt_tokens += int(response.prompt_eval_count or 0)
        if response.done_reason == "length":
            raise CutOff(f"the reply was cut off (done_reason: length, num_ctx {num_ctx})")
        return str(response.message.content or "")

    def _ollama_client(self) -> Any:
        import ollama

        if self._client is None:
            self._client = ollama.Client(host=self.settings.host, timeout=self.settings.timeout)
        return self._client

    def _openai(
        self, messages: list[dict[str, str]], schema: dict[str, Any], max_tokens: int
    ) -> str:
        if self._client is None:
            self._client = OpenAIChat(self.settings.host, str(self.settings.model),
                                      self.settings.timeout, self.settings.seed)  # fmt: skip
        chat: OpenAIChat = self._client
        posts = chat.posts
        try:
            data = chat.complete(messages, schema, max_tokens)
        except ChatError as exc:
            raise (Hopeless if exc.final else LLMError)(str(exc)) from None
        finally:
            self.calls += chat.posts - posts  # the dialect's probe is a call to the server too
        try:
            self.prompt_tokens += int((data.get("usage") or {}).get("prompt_tokens") or 0)
            choice = data["choices"][0]
            content = str(choice["message"]["content"] or "")
        except (ValueError, KeyError, IndexError, TypeError, AttributeError) as exc:
            raise LLMError(f"unexpected reply shape: {_short(exc)}") from None
        if choice.get("finish_reason") == "length":
            raise CutOff(f"the reply was cut off (finish_reason: length, max_tokens {max_tokens})")
        return content


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"[:200]
