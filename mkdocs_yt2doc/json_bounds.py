"""JSON from a repository nested deeper than any file of ours, refused before it is parsed.

`json.loads` and every walker of its result recurse once per level: `[` x 100,000 is a
RecursionError (a traceback naming no file) in whatever reads it. One linear scan of the
brackets outside strings says how deep the text goes, without building anything.
"""

from __future__ import annotations

import re

_TOKEN = re.compile(r'["\[\]{}]')


def check_depth(text: str, limit: int = 64) -> None:
    """ValueError, naming the line, when `text` nests arrays and objects deeper than `limit`.
    Text that is not JSON is left for the parser to refuse."""
    depth = 0
    search = _TOKEN.search
    match = search(text)
    while match is not None:
        token, at = match.group(), match.end()
        if token == '"':
            at = _string_end(text, at)
            if at < 0:
                return  # an unterminated string: not JSON, which the parser will say
        elif token in "[{":
            depth += 1
            if depth > limit:
                line = text.count("\n", 0, match.start()) + 1
                raise ValueError(f"nested deeper than {limit} levels (line {line})")
        else:
            depth -= 1
        match = search(text, at)


def _string_end(text: str, start: int) -> int:
    """Where the string whose content begins at `start` ends (after its quote), or -1.
    Each quote is looked at once, and each backslash before it once: linear."""
    at = start
    while True:
        quote = text.find('"', at)
        if quote < 0:
            return -1
        slashes = 0
        while quote - 1 - slashes >= start and text[quote - 1 - slashes] == "\\":
            slashes += 1
        if slashes % 2 == 0:
            return quote + 1
        at = quote + 1
