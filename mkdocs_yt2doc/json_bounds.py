"""Bounds on JSON read from files that arrive through pull requests.

`json.loads` and the code that walks its result recurse once per level of nesting, so a file
of ``[`` x 100,000 raises RecursionError deep inside whatever reads it. `check_depth` refuses
such text first, in one linear pass that does not parse it.
"""

from __future__ import annotations

import re

# A string (with its escapes), or one bracket: everything else cannot change the depth.
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"?|[\[{]|[\]}]', re.DOTALL)


def check_depth(text: str, limit: int = 64) -> None:
    """Raise ValueError when arrays and objects in `text` nest more than `limit` deep.

    Brackets inside strings do not count. The text need not be valid JSON: a parser that
    runs afterwards reports what else is wrong with it."""
    depth = 0
    for match in _TOKEN.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > limit:
                line = text.count("\n", 0, match.start()) + 1
                raise ValueError(f"line {line}: arrays and objects nest more than {limit} deep")
        elif token in "]}":
            depth = max(0, depth - 1)
