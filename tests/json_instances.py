"""Arbitrary instances of a JSON schema, as a model answers when its output is constrained.

`instance(schema, rng)` is what a grammar-constrained model may say: any value the schema
allows (Ollama turns `format` into a grammar that enforces types, `minItems`/`maxItems`,
`minimum`/`maximum`, `minLength`/`maxLength` and `enum`), with no regard for meaning.
`instance(schema, rng, sloppy=True)` keeps the types but ignores counts, ranges and lengths,
as a server that only asks for "JSON" does.
"""

from __future__ import annotations

import random
from typing import Any

LOREM = (
    "lorem", "ipsum", "dolor", "sit", "amet", "consectetur", "adipiscing", "elit", "sed",
    "eiusmod", "tempor", "incididunt", "labore", "dolore", "magna", "aliqua", "veniam", "quis",
)  # fmt: skip


def text(rng: random.Random, length: int) -> str:
    """Exactly `length` characters of lorem words (no space at either end)."""
    words: list[str] = []
    while len(" ".join(words)) < length:
        words.append(rng.choice(LOREM))
    result = " ".join(words)[:length]
    return result[:-1] + "a" if result.endswith(" ") else result


def instance(schema: dict[str, Any], rng: random.Random, sloppy: bool = False) -> Any:
    if "enum" in schema:
        return rng.choice(schema["enum"])
    kind = schema.get("type")
    if kind == "object":
        required = set(schema.get("required", ()))
        return {
            name: instance(spec, rng, sloppy)
            for name, spec in schema.get("properties", {}).items()
            if name in required or rng.random() < 0.5
        }
    if kind == "array":
        low, high = schema.get("minItems", 0), schema.get("maxItems")
        high = low + 4 if high is None else high
        if sloppy:
            low, high = 0, high + 3
        return [instance(schema["items"], rng, sloppy) for _ in range(rng.randint(low, high))]
    if kind == "integer":
        low, high = schema.get("minimum", 0), schema.get("maximum")
        high = low + 100 if high is None else high
        if sloppy:
            low, high = low - 3, 2 * high + 3
        return rng.randint(low, high)
    if kind == "number":
        return rng.uniform(schema.get("minimum", 0.0), schema.get("maximum", 100.0))
    if kind == "boolean":
        return rng.random() < 0.5
    if kind == "string":
        low, high = schema.get("minLength", 0), schema.get("maxLength")
        high = max(low, 40) if high is None else high
        if sloppy:
            low, high = 0, 3 * high
        return text(rng, rng.randint(low, high))
    raise ValueError(f"no instance for schema type {kind!r}")
