"""Bounds on JSON read from files that arrive through pull requests.

`json.loads` and the code that walks its result recurse once per level of nesting, so a file
of ``[`` x 100,000 raises RecursionError deep inside whatever reads it. `check_depth` refuses
such text first, in one linear pass that does not parse it.
"""

from __future__ import annotations

import itertools
import re

_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?', re.DOTALL)  # an unclosed one runs to the end
_BRACKET = re.compile(r"[\[\]{}]")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


def check_depth(text: str, limit: int = 64) -> None:
    """Raise ValueError when arrays and objects in `text` nest more than `limit` deep.

    Brackets inside strings do not count. The text need not be valid JSON: a parser that
    runs afterwards reports what else is wrong with it."""
    if text.count("[") + text.count("{") <= limit:
        return  # the common small file
    # strings out, then the running depth of the brackets left (all of it in C, but the sum)
    brackets = _BRACKET.findall(_STRING.sub("", text))
    depth = max(itertools.accumulate(map(_STEP.__getitem__, brackets)), default=0)
    if depth > limit:
        raise ValueError(f"arrays and objects nest more than {limit} deep (found {depth})")
