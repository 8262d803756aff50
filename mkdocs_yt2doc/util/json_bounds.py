"""JSON from a repository nested deeper than any file of ours, refused before it is parsed.

`json.loads` and every walker of its result recurse once per level: `[` x 100,000 is a
RecursionError (a traceback naming no file) in whatever reads it. `check_depth` says how deep
the text goes without building anything: one pass in C for every file, and a second, slower
one that finds the line only for a file it refuses.
"""

from __future__ import annotations

import itertools
import re

_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?', re.DOTALL)  # an unclosed one runs to the end
_BRACKET = re.compile(r"[\[\]{}]")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}
_TOKEN = re.compile(r'["\[\]{}]')


def check_depth(text: str, limit: int = 64) -> None:
    """ValueError, naming the line, when `text` nests arrays and objects deeper than `limit`.

    Brackets inside strings do not count. Text that is not JSON is left for the parser."""
    if text.count("[") + text.count("{") <= limit:
        return  # the common small file
    brackets = _BRACKET.findall(_STRING.sub("", text))
    if max(itertools.accumulate(map(_STEP.__getitem__, brackets)), default=0) > limit:
        line = _line_too_deep(text, limit)
        raise ValueError(f"nested deeper than {limit} levels (line {line})")


def _line_too_deep(text: str, limit: int) -> int:
    """The line of the first bracket past `limit`: each quote and bracket looked at once."""
    depth = 0
    match = _TOKEN.search(text)
    while match is not None:
        token, at = match.group(), match.end()
        if token == '"':
            end = _STRING.match(text, match.start())
            at = end.end() if end else len(text)
        elif token in "[{":
            depth += 1
            if depth > limit:
                return text.count("\n", 0, match.start()) + 1
        else:
            depth -= 1
        match = _TOKEN.search(text, at)
    return 1
